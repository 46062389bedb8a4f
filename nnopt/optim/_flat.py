"""One step for a whole group of parameters at once, when they share one buffer.

NumPy pays about a microsecond per call, and an optimizer step is a dozen array operations
*per parameter*. For a network of small arrays (an MLP's weights and biases) the calls, not
the arithmetic, then dominate. A :class:`~nnopt.nn.Sequential` therefore keeps all its
parameter values in one flat array and all its gradients in another, and each Parameter's
``value`` and ``grad`` are views of them (see ``nnopt.nn.model``). When the parameters of a
group are consecutive views that tile one contiguous slice of such a buffer, the optimizer
runs the algorithm's unchanged ``_update`` once, on a stand-in parameter whose ``value`` and
``grad`` *are* those two slices: no copies, a dozen whole-group operations per step.

The state is flat as well; ``optimizer.state[p]`` holds *views* of it, so
``state[p]["exp_avg"]`` has ``p``'s shape and can be read or changed in place. A write
that *replaces* an entry (``state[p]["exp_avg"] = np.zeros_like(...)``,
``state[p]["step"] = 0``, ``del``, ``update``) is noticed (``state[p]`` is a
:class:`FlatStateView`, a dict that flags such writes): before the next step the flat state
is rebuilt from the per-parameter states, so the step uses what was written, as torch does.
A replaced array is copied into the flat state (in the parameter's dtype); the array object
you wrote is not updated by later steps, so read ``state[p]`` again. The
arithmetic is elementwise, so the numbers are bit for bit those of the parameter-by-parameter
loop, which is what runs for parameters that do not share a buffer (a 2-D point, a list of
separate arrays), or when the per-parameter states disagree (different keys or step counts).
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


def shared_slice(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The 1-D slice of one buffer that ``arrays`` tile in order, without gaps; else None.

    Each array must be a C-contiguous view (of the buffer's dtype) of the same 1-D buffer,
    starting where the previous one ends.
    """
    buffer = arrays[0].base
    if not isinstance(buffer, np.ndarray) or buffer.ndim != 1 or not buffer.flags.c_contiguous:
        return None
    end = start = _address(arrays[0])
    for array in arrays:
        if (array.base is not buffer or array.dtype != buffer.dtype
                or not array.flags.c_contiguous or _address(array) != end):
            return None
        end += array.nbytes
    first = (start - _address(buffer)) // buffer.itemsize
    return buffer[first:first + (end - start) // buffer.itemsize]


class FlatStateView(dict):
    """``optimizer.state[p]`` of a flat-stepped parameter: a dict that notices replaced entries.

    Setting a key to another object, deleting a key, ``update``, ``pop``, ``clear`` ... set
    ``edited``; the optimizer then rebuilds its flat state from the per-parameter states
    before the next step (see the module docstring). In-place changes of the arrays
    (``state[p]["exp_avg"][...] = 0``) need no notice: the arrays are views of the flat state.
    """

    __slots__ = ("edited",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edited = False

    def __setitem__(self, key, value):
        if key not in self or dict.__getitem__(self, key) is not value:
            self.edited = True
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self.edited = True
        super().__delitem__(key)

    def _edit(name):
        def method(self, *args, **kwargs):
            self.edited = True
            return getattr(dict, name)(self, *args, **kwargs)
        method.__name__ = name
        return method

    update = _edit("update")
    pop = _edit("pop")
    popitem = _edit("popitem")
    clear = _edit("clear")
    setdefault = _edit("setdefault")
    __ior__ = _edit("__ior__")
    del _edit

    def __reduce_ex__(self, protocol):         # a copy or a pickle is a plain dict
        return dict, (dict(self),)


_set = dict.__setitem__


class FlatParameter:
    """The stand-in: ``value`` and ``grad`` are the group's flat slices."""

    __slots__ = ("value", "grad", "name")

    def __init__(self, value: np.ndarray, grad: np.ndarray):
        self.value, self.grad, self.name = value, grad, "flat group"


class FlatGroup:
    """A parameter group whose values and gradients tile one flat slice each, and its flat state."""

    @classmethod
    def of(cls, params: list, n_work_arrays: int) -> FlatGroup | None:
        """The flat view of ``params``, or None when their arrays do not share buffers."""
        if len(params) < 2 or any(p.grad is None for p in params):
            return None
        values = shared_slice([p.value for p in params])
        grads = shared_slice([p.grad for p in params])
        if (values is None or grads is None or values.base is grads.base
                or values.shape != grads.shape or values.dtype != grads.dtype):
            return None
        return cls(params, values, grads, n_work_arrays)

    def __init__(self, params: list, values: np.ndarray, grads: np.ndarray, n_work_arrays: int):
        self.params = list(params)
        self.values = [p.value for p in params]     # to notice a rebound value or grad
        self.grads = [p.grad for p in params]
        self.param = FlatParameter(values, grads)
        self.work = [np.empty_like(values) for _ in range(n_work_arrays)]
        self.shapes = [p.value.shape for p in params]
        stops = np.cumsum([p.value.size for p in params]).tolist()
        self.bounds = list(zip([0, *stops[:-1]], stops))
        self.state: dict[str, Any] | None = None
        self.installed: list[dict[str, Any]] = []       # the dicts put into optimizer.state
        self.published: dict[str, np.ndarray] = {}      # flat arrays whose views are installed

    def holds(self, params: list) -> bool:
        """Are these still the same parameters, with the same value and grad arrays?"""
        if len(params) != len(self.params):
            return False
        for param, known, value, grad in zip(params, self.params, self.values, self.grads):
            if param is not known or param.value is not value or param.grad is not grad:
                return False
        return True

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[start:stop].reshape(shape) for (start, stop), shape in zip(self.bounds, self.shapes)]

    def owns_state(self, state: dict) -> bool:
        """Are the per-parameter states still the views this group installed, none edited?"""
        if self.state is None:
            return False
        for param, installed in zip(self.params, self.installed):
            if state.get(param) is not installed or installed.edited:
                return False
        return True

    def invalidate(self) -> None:
        """The group was stepped parameter by parameter: the flat scalars may be stale."""
        self.state = None

    def adopt_state(self, optimizer, group: dict) -> bool:
        """Make the flat state from the per-parameter states (or fresh), then install views."""
        states = [optimizer.state.get(param) for param in self.params]
        if self.state is not None:               # edited by the user: check what was written
            self._check_edits(states)
        if not any(states):                     # no state yet (or emptied): start fresh
            flat_state = optimizer._init_state(self.param, group)
        else:
            flat_state = self._concatenate(states)
            if flat_state is None:
                return False
        self.state, self.published = flat_state, {}
        self.installed = [FlatStateView() for _ in self.params]
        self.publish()
        for param, installed in zip(self.params, self.installed):
            optimizer.state[param] = installed
        return True

    def _check_edits(self, states: list) -> None:
        """Refuse an edited state entry that cannot be used: an array key whose new value is
        not an array of the parameter's shape (a scalar 0 would silently broadcast)."""
        for param, shape, state in zip(self.params, self.shapes, states):
            if not state:
                continue
            for key, value in state.items():
                known = self.state.get(key)
                if isinstance(known, np.ndarray) and not (
                        isinstance(value, np.ndarray) and value.shape == shape):
                    raise ValueError(
                        f"optimizer.state[{param!r}][{key!r}] must be an array of shape {shape} "
                        f"(like np.zeros_like(p.value)), got {_describe(value)}; write into it "
                        f"in place (state[p][{key!r}][...] = 0) or assign such an array.")

    def _concatenate(self, states: list) -> dict[str, Any] | None:
        if not all(states) or any(s.keys() != states[0].keys() for s in states):
            return None
        flat_state: dict[str, Any] = {}
        for key, first in states[0].items():
            values = [s[key] for s in states]
            if isinstance(first, np.ndarray):
                if not all(isinstance(v, np.ndarray) and v.shape == shape
                           for v, shape in zip(values, self.shapes)):
                    return None
                flat = np.empty_like(self.param.value)
                for view, value in zip(self._views(flat), values):
                    np.copyto(view, value)
                flat_state[key] = flat
            elif all(v == first for v in values):
                flat_state[key] = first
            else:
                return None
        return flat_state

    def publish(self) -> None:
        """Point the per-parameter states at the flat state (views) and copy its scalars."""
        for key, value in self.state.items():
            if isinstance(value, np.ndarray):
                if self.published.get(key) is not value:   # a new flat array: make its views
                    self.published[key] = value
                    for installed, view in zip(self.installed, self._views(value)):
                        _set(installed, key, view)
            else:
                for installed in self.installed:
                    _set(installed, key, value)

    def step(self, optimizer, group: dict) -> None:
        optimizer._update(self.param, self.state, group, self.work)
        self.publish()


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"
