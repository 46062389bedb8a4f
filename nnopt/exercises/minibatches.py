"""Checker for the exercise "write ``minibatches(X, y, batch_size, rng)``".

The learner's function must yield ``(X_batch, y_batch)`` pairs such that, in one call (one
epoch): the order is shuffled with ``rng``, every sample appears exactly once, rows of ``X`` and
``y`` stay paired, batches have ``batch_size`` rows except a smaller last one (kept, not
dropped), the same seed gives the same batches, and the batches are made of different samples
from one epoch to the next (over 10 epochs a sample shares a batch with most of the others;
shuffling within fixed blocks, shuffling only the order of the batches or rotating the order
with ``np.roll`` keep neighbours together and fail). Each call gets fresh copies of ``X`` and
``y``, so permuting them in place is allowed. deeplearning.ai's layout (features × examples,
``X[:, permutation]``, labels of shape (1, m)) and ``return`` instead of ``yield`` are named. The exact shuffle does not have to match
``nnopt.data.minibatches`` (any permutation drawn from ``rng`` is right); the batch sizes are
compared with that reference.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..data.batches import minibatches as reference_minibatches
from .feedback import Check, ExerciseResult, expect, read_answer, run_checks, run_learner

__all__ = ["check_minibatches"]

N_FEATURES = 3


def _toy_data(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``i`` is ``X[i] = [i, 10 i, 100 i]`` with label ``y[i] = i``, so any batch shows which rows it holds."""
    ids = np.arange(m)
    return ids[:, None] * np.array([1, 10, 100]), ids.copy()


DLAI_LAYOUT = ("this looks like deeplearning.ai's layout, one example per COLUMN (X of shape features × examples, "
               "X[:, permutation], Y of shape (1, m)). Here X has one example per ROW, shape (m, features), and y is "
               "1-D: m = len(X) (= X.shape[0]), rows = order[start:start + batch_size], yield X[rows], y[rows].")


def explain_error(description: str) -> str | None:
    if "too many indices" in description:
        return DLAI_LAYOUT
    return None


def _run_epoch(student_fn, m: int, batch_size: int, rng, X=None, y=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Call the learner's function once (on fresh toy data unless given) and collect its batches."""
    if X is None:
        X, y = _toy_data(m)
    expected_count = -(-m // batch_size)
    result = student_fn(X.copy(), y.copy(), batch_size, rng)
    expect(result is not None and hasattr(result, "__iter__"),
           expected="a generator (or list) of (X_batch, y_batch) pairs",
           got=f"{'None' if result is None else type(result).__name__}",
           hint="inside your loop write `yield X[rows], y[rows]` (a function with yield is a generator).")
    expect(not (isinstance(result, (tuple, list)) and len(result) == 2
                and all(isinstance(part, np.ndarray) for part in result)),
           expected="a generator of (X_batch, y_batch) pairs, one per batch",
           got="a single pair of arrays",
           hint="`return X[rows], y[rows]` inside the loop ends the function at the first batch: write `yield` "
                "instead of `return`, which hands out one batch and carries on with the loop.")
    batches = run_learner(lambda: list(itertools.islice(iter(result), expected_count + 10)))
    expect(len(batches) <= expected_count + 9,
           expected=f"{expected_count} batches", got="more than 10 extra batches (an endless loop?)",
           hint="loop over the start positions: for start in range(0, m, batch_size).")
    collected = []
    for number, item in enumerate(batches):
        expect(isinstance(item, (tuple, list)) and len(item) == 2,
               expected="each item a pair (X_batch, y_batch)",
               got=f"item {number} is a {type(item).__name__}"
                   + (f" of length {len(item)}" if isinstance(item, (tuple, list, np.ndarray)) else ""),
               hint="yield both arrays together: `yield X[rows], y[rows]`.")
        X_batch = read_answer(lambda: np.asarray(item[0]), f"X_batch of batch {number}")
        y_batch = read_answer(lambda: np.asarray(item[1]), f"y_batch of batch {number}")
        expect(not (X_batch.ndim == 1 and y_batch.ndim == 2),
               expected="pairs (X_batch, y_batch), X first",
               got=f"batch {number}: a 1-D array first (shape {X_batch.shape}), a 2-D one second (shape {y_batch.shape})",
               hint="the pair is in the order (X_batch, y_batch): yield X[rows], y[rows], not y[rows], X[rows].")
        if X_batch.ndim == 2 and X_batch.shape[1] != N_FEATURES and X_batch.shape[0] in (N_FEATURES, m):
            expect(False, expected=f"X_batch of shape (rows, {N_FEATURES})",
                   got=f"batch {number}: X_batch of shape {X_batch.shape}", hint=DLAI_LAYOUT)
        expect(X_batch.ndim == 2 and X_batch.shape[1] == N_FEATURES,
               expected=f"X_batch of shape (rows, {N_FEATURES})",
               got=f"batch {number}: X_batch of shape {X_batch.shape}",
               hint="keep the batch dimension: index X with an array or a slice of indices, "
                    "X[order[start:start + batch_size]], not with a single integer.")
        if y_batch.ndim == 2 and y_batch.shape[0] == 1:
            expect(False, expected=f"y_batch of shape ({X_batch.shape[0]},), one label per row of X_batch",
                   got=f"batch {number}: y_batch of shape {y_batch.shape}", hint=DLAI_LAYOUT)
        expect(y_batch.shape == (X_batch.shape[0],),
               expected=f"y_batch of shape ({X_batch.shape[0]},), one label per row of X_batch",
               got=f"batch {number}: y_batch of shape {y_batch.shape}",
               hint="index y with the same indices as X: yield X[rows], y[rows].")
        expect(X_batch.dtype.kind in "biuf" and y_batch.dtype.kind in "biuf",
               expected="arrays of numbers", got=f"batch {number}: dtypes {X_batch.dtype}, {y_batch.dtype}",
               hint="yield the rows of X and the labels of y themselves.")
        collected.append((X_batch, y_batch))
    reused = [number for number in range(1, len(collected))
              if read_answer(lambda number=number: bool(np.shares_memory(collected[number][0], collected[number - 1][0])),
                             "the batches")]
    expect(not reused, expected="a new array for every batch",
           got=f"batch {reused[0]} shares its memory with batch {reused[0] - 1}" if reused else "",
           hint="your generator refills one array and yields it again, so a caller that keeps the batches "
                "(list(minibatches(...))) sees the last one everywhere: yield X[rows], y[rows], which makes "
                "new arrays (fancy indexing copies).")
    return collected


def _sizes(batches) -> list[int]:
    return [len(y_batch) for _, y_batch in batches]


def _order(batches) -> np.ndarray:
    """The sample ids in the order the batches visit them."""
    if not batches:
        return np.array([], dtype=np.int64)
    return np.concatenate([y_batch for _, y_batch in batches]).astype(np.int64)


def _expect_sizes(batches, m: int, batch_size: int) -> None:
    X, y = _toy_data(m)
    expected = _sizes(reference_minibatches(X, y, batch_size, 0))
    got = _sizes(batches)
    if got == expected[:-1]:
        hint = ("the last, smaller batch is missing: loop with range(0, m, batch_size) and slice "
                "order[start:start + batch_size]; the slice stops at the end by itself.")
    elif len(got) > len(expected) and got[: len(expected)] == expected and not any(got[len(expected):]):
        hint = ("after the right batches yours adds an empty one: loop with range(0, m, batch_size) (not "
                "m + 1), so that no batch starts at row m.")
    elif len(got) > len(expected):
        hint = "too many batches: each batch must start batch_size rows after the previous one."
    else:
        hint = (f"cut the shuffled order into consecutive blocks of batch_size={batch_size} rows; "
                f"only the last block may be smaller (m % batch_size = {m % batch_size} rows).")
    expect(got == expected, expected=f"batch sizes {expected}", got=f"batch sizes {got}", hint=hint)


def _expect_every_sample_once(batches, m: int) -> None:
    counts = np.bincount(np.clip(_order(batches), 0, m), minlength=m + 1)[:m]
    missing = np.flatnonzero(counts == 0)
    repeated = np.flatnonzero(counts > 1)
    got = []
    if repeated.size:
        got.append(f"samples {repeated[:5].tolist()} appear more than once")
    if missing.size:
        got.append(f"samples {missing[:5].tolist()} never appear")
    expect(not got, expected=f"each of the {m} samples exactly once per epoch", got="; ".join(got),
           hint="shuffle the indices once with order = rng.permutation(m) and slice that order; "
                "drawing each batch at random (rng.choice, rng.integers) repeats some samples "
                "and misses others.")


def _case_partition(m: int, batch_size: int):
    def run(student_fn) -> None:
        batches = _run_epoch(student_fn, m, batch_size, np.random.default_rng(m + batch_size))
        _expect_sizes(batches, m, batch_size)
        _expect_every_sample_once(batches, m)
    return run


def _case_rows_paired(student_fn) -> None:
    m, batch_size = 16, 5
    X, y = _toy_data(m)
    batches = _run_epoch(student_fn, m, batch_size, np.random.default_rng(3), X, y)
    for number, (X_batch, y_batch) in enumerate(batches):
        expect(np.array_equal(X_batch[:, 0], y_batch),
               expected="y_batch[i] to be the label of row X_batch[i]",
               got=f"batch {number}: rows of X from samples {X_batch[:, 0].tolist()}, "
                   f"labels of samples {y_batch.tolist()}",
               hint="use the same index array for X and y: rows = order[start:start + batch_size]; "
                    "yield X[rows], y[rows] (shuffling X and y separately, rng.shuffle(X); rng.shuffle(y), "
                    "draws two different permutations).")


def _case_same_seed(student_fn) -> None:
    m, batch_size = 12, 5
    first = _order(_run_epoch(student_fn, m, batch_size, np.random.default_rng(123)))
    second = _order(_run_epoch(student_fn, m, batch_size, np.random.default_rng(123)))
    expect(np.array_equal(first, second),
           expected="the same batches for two generators with the same seed",
           got=f"orders {first.tolist()} and {second.tolist()}",
           hint="draw the shuffle from the rng argument (rng.permutation(m)), not from np.random.* "
                "or a generator you create inside the function.")


def _case_shuffles_each_epoch(student_fn) -> None:
    m, batch_size = 20, 5
    rng = np.random.default_rng(0)
    epoch_1 = _order(_run_epoch(student_fn, m, batch_size, rng))
    expect(not np.array_equal(epoch_1, np.arange(m)),
           expected="the samples in shuffled order",
           got=f"the original order {epoch_1.tolist()}",
           hint="shuffle first: order = rng.permutation(m), then take the rows order[start:start + batch_size].")
    epoch_2 = _order(_run_epoch(student_fn, m, batch_size, rng))
    expect(not np.array_equal(epoch_1, epoch_2),
           expected="a new order in the next epoch (same rng object, second call)",
           got=f"the same order twice: {epoch_1.tolist()}",
           hint="use the rng you are given and do not re-seed it inside the function; each call "
                "should draw a fresh permutation from it.")


def _is_cyclic_run(ids: np.ndarray, m: int) -> bool:
    """The ids are consecutive modulo m (a slice of a rotated order)."""
    ids = np.asarray(ids, dtype=np.int64)
    return bool(np.all((np.diff(ids) % m) == 1)) if ids.size > 1 else True


def _case_composition_changes(student_fn) -> None:
    m, batch_size, epochs = 24, 4, 10
    rng = np.random.default_rng(11)
    partners = set()
    compositions = []
    all_runs = True
    for _ in range(epochs):
        batches = _run_epoch(student_fn, m, batch_size, rng)
        epoch = []
        for _, y_batch in batches:
            ids = np.asarray(y_batch, dtype=np.int64)
            all_runs = all_runs and _is_cyclic_run(ids, m)
            epoch.append(frozenset(ids.tolist()))
            partners.update((a, b) for a in ids.tolist() for b in ids.tolist() if a < b)
        compositions.append(frozenset(epoch))
    # a fresh permutation per epoch puts about 207 of the 276 pairs together at least once in 10 epochs
    # (each epoch 36 pairs); fixed blocks give 36, a rotated order at most 72
    enough = 120
    if len(partners) >= enough:
        return
    if len(set(compositions)) == 1:
        hint = ("the same samples end up in the same batches every epoch: shuffling inside fixed blocks, or shuffling "
                "only the order of the batches, is not enough. Permute all m indices, order = rng.permutation(m), "
                "then cut that order into batches.")
    elif all_runs:
        hint = ("rotating the order (np.roll(np.arange(m), k), or a random start) is not shuffling: neighbours stay "
                "neighbours, so batches are always runs of consecutive samples. Use order = rng.permutation(m).")
    else:
        hint = ("the batches keep the same samples together across epochs (too few different pairs ever meet); "
                "draw a fresh permutation of all m indices every epoch: order = rng.permutation(m).")
    expect(False, expected=f"over {epochs} epochs, at least {enough} of the {m * (m - 1) // 2} pairs of samples "
                           f"sharing a batch at least once (a fresh shuffle gives about 207)",
           got=f"{len(partners)} pairs", hint=hint)


CHECKS = (
    Check("m divisible by batch_size (m=12, batch_size=4): three full batches", _case_partition(12, 4)),
    Check("m not divisible (m=10, batch_size=4): last batch smaller, not dropped", _case_partition(10, 4)),
    Check("stochastic gradient descent: batch_size=1 (m=5)", _case_partition(5, 1)),
    Check("batch gradient descent: batch_size=m (m=8), one batch", _case_partition(8, 8)),
    Check("rows of X and y stay paired (m=16, batch_size=5)", _case_rows_paired),
    Check("same seed, same batches (m=12, batch_size=5)", _case_same_seed),
    Check("shuffled, and a new order every epoch (m=20, batch_size=5)", _case_shuffles_each_epoch),
    Check("batches made of new samples every epoch (m=24, batch_size=4, 10 epochs)", _case_composition_changes),
)


def check_minibatches(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``minibatches(X, y, batch_size, rng)`` on 8 cases and return the feedback.

    Put it last in a notebook cell (or ``print`` it) to see "✓ minibatches: passed 8/8", or the
    first failing case with what was expected, what your function gave and a hint. The result's
    ``.passed`` is True when every case passed. Wrong answers and errors are reported, never raised.
    """
    return run_checks("minibatches", student_fn, CHECKS, checker="check_minibatches", time_limit=time_limit,
                      explain_error=explain_error)
