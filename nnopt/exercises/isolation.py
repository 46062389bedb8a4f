"""Run a checker in a forked child process, so that no learner code can hang, stop or crash the kernel.

The in-process guard of :mod:`nnopt.exercises.feedback` (a ``SIGALRM`` timer, every exception a
verdict) stops an endless loop, ``sys.exit()`` and the usual mistakes. It cannot stop code that
catches the timer's exception and carries on, switches the timer off
(``signal.signal(signal.SIGALRM, signal.SIG_IGN)``), calls ``os._exit()``, crashes the
interpreter or asks for all the machine's memory. So on POSIX systems (Linux by default, see
:func:`available`) :func:`run_forked` runs the whole checker, every call of the learner's code
included, in a child made with ``os.fork()``:

- The child sends the checker's results back as JSON lines over a pipe, and writes its current
  deadline (whenever a guarded region opens or closes) into a page of memory shared with the
  parent. The parent never unpickles anything and never runs learner code.
- The parent waits on the pipe and kills the child's whole process group with ``SIGKILL`` once
  the innermost deadline plus a short grace has passed without news (the in-process timer had
  its chance first and gives the better message when it works).
- The child never returns into the caller's code and never runs ``atexit`` handlers: every way
  out ends in ``os._exit()``. Before it runs anything it moves into its own process group (a
  kernel interrupt reaches only the parent, which then kills the child), points file descriptors
  0, 1 and 2 at ``/dev/null``, closes every other inherited descriptor (the kernel's ZeroMQ
  sockets and their wake-up pipes belong to the parent alone), replaces ``input()`` and
  IPython's display publisher, and limits its address space to :data:`MEMORY_HEADROOM` bytes
  beyond what the parent had mapped, so an allocation bomb raises ``MemoryError`` in the child.
- With fork nothing needs pickling on the way in: the learner's function (a lambda, a closure
  over notebook variables) is simply there in the child. What the learner's code changes in
  the kernel's globals while being checked is lost with the child.

Set ``NNOPT_CHECKER_INPROCESS=1`` to run checkers in the kernel's own process (the in-process
guard alone; it is also used where ``os.fork`` does not exist, as on Windows, on macOS by
default, where forking a process that has used Apple's system libraries is unsafe, and when a
fork fails). ``NNOPT_CHECKER_INPROCESS=0`` forces the forked child wherever ``os.fork`` exists.
"""
from __future__ import annotations

import builtins
import json
import math
import os
import signal
import struct
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["available", "run_forked", "send", "set_deadline", "in_child", "Ending", "MEMORY_HEADROOM", "ENV_INPROCESS"]

#: The environment variable that chooses in-process checking ("1") or the forked child ("0").
ENV_INPROCESS = "NNOPT_CHECKER_INPROCESS"
#: Bytes of address space the child may map beyond what the parent had mapped at the fork.
MEMORY_HEADROOM = 2 * 1024 ** 3

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def available() -> bool:
    """Whether :func:`run_forked` is used: fork exists, we are not in a child already, the setting allows it."""
    setting = os.environ.get(ENV_INPROCESS, "").strip().lower()
    if setting in _TRUE or not hasattr(os, "fork") or _channel is not None:
        return False
    if setting in _FALSE:
        return True
    return sys.platform != "darwin"


# ---------- the child's side ----------

class _Channel:
    """The child's end of the pipe: one JSON object per line."""

    def __init__(self, fd: int):
        self.fd = fd

    def send(self, message: dict) -> None:
        data = (json.dumps(message, ensure_ascii=True, default=str) + "\n").encode("ascii")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


_channel: _Channel | None = None


class _DeadlineBoard:
    """The child's innermost deadline, in memory shared with the parent (no system call per region).

    A sequence lock: the writer makes ``seq`` odd, writes, makes it even again; a reader retries a
    read that saw an odd or changed ``seq``. Layout: seq (Q), deadline (d, NaN for none), limit (d), role (B).
    """

    _FORMAT = "=QddB"
    _ROLES = ("", "learner", "reading", "str", "case")

    def __init__(self) -> None:
        import mmap
        self.memory = mmap.mmap(-1, struct.calcsize(self._FORMAT))
        self.seq = 0
        self.write(None, "", 0.0)

    def write(self, deadline: float | None, role: str, limit: float) -> None:
        code = self._ROLES.index(role) if role in self._ROLES else 0
        self.seq += 1
        struct.pack_into("=Q", self.memory, 0, self.seq)
        struct.pack_into(self._FORMAT, self.memory, 0, self.seq, math.nan if deadline is None else deadline,
                         limit, code)
        self.seq += 1
        struct.pack_into("=Q", self.memory, 0, self.seq)

    def read(self) -> tuple[int, float | None, str, float]:
        """``(seq, deadline or None, role, limit)``."""
        while True:
            seq, deadline, limit, code = struct.unpack_from(self._FORMAT, self.memory, 0)
            again = struct.unpack_from("=Q", self.memory, 0)[0]
            if seq == again and seq % 2 == 0:
                role = self._ROLES[code] if code < len(self._ROLES) else ""
                return seq, (None if math.isnan(deadline) else deadline), role, limit
            time.sleep(0)

    def close(self) -> None:
        self.memory.close()


_board: _DeadlineBoard | None = None


def set_deadline(deadline: float | None, role: str = "", limit: float = 0.0) -> None:
    """In the child: the innermost deadline now open (None: none), which the parent enforces."""
    if _board is not None:
        _board.write(deadline, role, limit)


def in_child() -> bool:
    """True inside the forked child of :func:`run_forked`."""
    return _channel is not None


def send(message: dict) -> None:
    """Send ``message`` to the parent (nothing when not in a child)."""
    if _channel is not None:
        _channel.send(message)


def _hard_exit(code: int) -> None:
    """``os._exit(code)``, and nothing else, whatever signal handlers try."""
    while True:
        try:
            try:
                signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
            finally:
                os._exit(code)
        except BaseException:  # noqa: BLE001 - a signal handler raised before os._exit ran: try again
            pass


def _mapped_bytes() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:
        return
    for name, value in (("RLIMIT_CORE", 0),):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (AttributeError, ValueError, OSError):
            pass
    mapped = _mapped_bytes()
    if mapped is None:
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + MEMORY_HEADROOM
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (AttributeError, ValueError, OSError):
        pass


def _close_inherited_descriptors(keep: int) -> None:
    try:
        open_fds = sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except (OSError, ValueError):
        open_fds = range(3, 65536)
    for fd in open_fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _no_input(*args, **kwargs):
    raise EOFError("input() gets no input while the checker runs your function")


def _silence_ipython() -> None:
    """Keep IPython's display machinery and the kernel's session from writing to the parent's sockets."""
    ipython = sys.modules.get("IPython")
    shell = None
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except Exception:  # noqa: BLE001
        shell = None
    if shell is None:
        return
    for owner, name in ((getattr(shell, "display_pub", None), "publish"),
                        (getattr(shell, "display_pub", None), "clear_output"),
                        (getattr(getattr(shell, "kernel", None), "session", None), "send")):
        if owner is not None:
            try:
                setattr(owner, name, lambda *args, **kwargs: None)
            except Exception:  # noqa: BLE001
                pass


def _prepare_child(write_fd: int) -> None:
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    _close_inherited_descriptors(keep=write_fd)
    quiet = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the child
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = sys.stderr = quiet
    builtins.input = _no_input
    _silence_ipython()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL if signum != signal.SIGINT else signal.default_int_handler)
    _limit_memory()


def _child_main(read_fd: int, write_fd: int, board: _DeadlineBoard, work: Callable[[], dict]) -> None:
    global _channel, _board
    code = 0
    try:
        os.close(read_fd)
        _prepare_child(write_fd)
        _channel, _board = _Channel(write_fd), board
        try:
            payload = work()
        except KeyboardInterrupt:  # what a real Ctrl+C during a check does in-process: the parent re-raises it
            _channel.send({"t": "interrupted"})
        except BaseException as exc:  # noqa: BLE001 - report it, the parent decides
            _channel.send({"t": "failed", "e": f"{type(exc).__name__}: {exc}"[:500]})
        else:
            _channel.send({"t": "done", "v": payload})
    except BaseException:  # noqa: BLE001
        code = CHILD_LOST_ITS_PIPE
    finally:
        _hard_exit(code)


# ---------- the parent's side ----------

@dataclass
class Ending:
    """How the child ended, and the last news it sent.

    ``how``: "done" (``payload`` holds the result), "failed" (the checker itself raised in the
    child: ``error``; a ``KeyboardInterrupt`` there is raised again in the parent), "killed"
    (stopped by the parent at ``region``'s deadline: ``region`` is ``(role, limit)``, or None when
    no guarded region was open), "exited" (``code``), "signal" (``signal_name``), "lost" (the pipe
    closed while the child lived on). ``progress`` is the last progress message (or None),
    ``lines`` the texts of the ``{"t": "line", "s": text}`` messages (the first 100).
    """

    how: str
    payload: object = None
    progress: dict | None = None
    region: tuple[str, float] | None = None
    code: int | None = None
    signal_name: str = ""
    error: str = ""
    lines: list[str] = field(default_factory=list)


#: The child's own exit codes: it could not send its result (the pipe was gone), or an exception
#: escaped between fork() and the child's guard. Neither is an os._exit() of the learner's.
CHILD_LOST_ITS_PIPE, CHILD_ESCAPED = 70, 71

#: Tries of os.fork() when it fails for want of resources (EAGAIN) before checking in-process.
_FORK_ATTEMPTS = 4
#: Why the last run_forked() could not make a child and returned None ("" if it never happened).
last_fallback = ""

#: Children killed after they had sent their result, not yet reaped (each call of run_forked reaps them).
_unreaped: list[int] = []


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


def _reap(pid: int, wait: float) -> int | None:
    """The child's wait status once it has ended (None if it still runs after ``wait`` seconds)."""
    end = time.monotonic() + wait
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # already reaped elsewhere (SIGCHLD ignored)
            return 0
        if done:
            return status
        if time.monotonic() >= end:
            return None
        time.sleep(0.002)


def _ending_from_status(status: int, progress: dict | None) -> Ending:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return Ending("signal", progress=progress, signal_name=name)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return Ending("exited", progress=progress, code=code)


def run_forked(work: Callable[[], dict], *, idle_limit: float, grace: float) -> Ending | None:
    """Run ``work()`` in a forked child and return how it ended; None when no child could be made.

    ``work`` returns a JSON-serialisable object (sent back as ``Ending.payload``). While it runs,
    the child may :func:`send` ``{"t": "progress", ...}`` and ``{"t": "line", "s": text}`` messages
    and :func:`set_deadline` its innermost deadline. The parent kills the child when that
    deadline plus ``grace`` has passed, or, with no deadline open, ``idle_limit`` seconds after
    the last sign of life (a message or a change of deadline).
    """
    import select

    for old in list(_unreaped):
        if _reap(old, 0.0) is not None:
            _unreaped.remove(old)
    global last_fallback
    try:
        board = _DeadlineBoard()
        read_fd, write_fd = os.pipe()
    except (OSError, ValueError) as error:
        last_fallback = f"no pipe or shared memory: {error}"
        return None
    parent = os.getpid()
    pid = -1
    try:
        for attempt in range(_FORK_ATTEMPTS):
            try:
                with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads:
                    warnings.simplefilter("ignore", DeprecationWarning)  # the child runs only this, then os._exit()
                    pid = os.fork()
                break
            except BlockingIOError:  # EAGAIN: the machine is out of processes for a moment
                if attempt == _FORK_ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
        if pid == 0:
            _child_main(read_fd, write_fd, board, work)
    except OSError as error:
        last_fallback = f"fork failed: {error}"
        os.close(read_fd)
        os.close(write_fd)
        board.close()
        return None
    finally:
        if os.getpid() != parent:  # an exception between fork() and the child's own guard
            _hard_exit(CHILD_ESCAPED)
    os.close(write_fd)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass
    buffer = b""
    progress: dict | None = None
    lines: list[str] = []
    seen_seq, last_news = -1, time.monotonic()
    overdue_seq = None  # the deadline state that was found overdue once; killed when found so again
    poller = select.poll()
    poller.register(read_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    ending: Ending | None = None
    try:
        while ending is None:
            seq, deadline, role, limit = board.read()
            now = time.monotonic()
            if seq != seen_seq:
                seen_seq, last_news = seq, now
            due = (deadline + grace) if deadline is not None else (last_news + idle_limit)
            if now >= due:
                if overdue_seq == seq:
                    _kill_group(pid)
                    _reap(pid, 5.0)
                    ending = Ending("killed", progress=progress, region=None if deadline is None else (role, limit))
                    break
                overdue_seq, wait = seq, 0.005  # look once more before killing
            else:
                overdue_seq, wait = None, min(due - now, 0.05)
            if not poller.poll(max(1, int(wait * 1000) + 1)):
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:  # the child closed the pipe: it ended, or closed what it did not open
                status = _reap(pid, grace)
                if status is None:
                    _kill_group(pid)
                    _reap(pid, 5.0)
                    ending = Ending("lost", progress=progress)
                else:
                    ending = _ending_from_status(status, progress)
                break
            buffer += chunk
            *received, buffer = buffer.split(b"\n")
            last_news = time.monotonic()
            for line in received:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                kind = message.get("t") if isinstance(message, dict) else None
                if kind == "progress":
                    progress = message
                elif kind == "line" and len(lines) < 100:
                    lines.append(str(message.get("s", "")))
                elif kind == "done":
                    ending = Ending("done", payload=message.get("v"), progress=progress)
                elif kind == "failed":
                    ending = Ending("failed", progress=progress, error=str(message.get("e", "")))
                elif kind == "interrupted":
                    ending = Ending("interrupted", progress=progress)
        ending.lines = lines
        if ending.how in ("done", "failed", "interrupted"):
            _kill_group(pid)  # the child is ending by itself; this also takes anything it started
            if _reap(pid, 0.0) is None:  # still tearing down (a few ms): reaped by the next call
                _unreaped.append(pid)
        if ending.how == "interrupted":
            raise KeyboardInterrupt
        return ending
    except BaseException:  # e.g. the kernel's interrupt (KeyboardInterrupt): stop the child, then obey
        _kill_group(pid)
        _reap(pid, 5.0)
        raise
    finally:
        os.close(read_fd)
        board.close()
