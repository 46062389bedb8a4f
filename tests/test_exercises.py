"""Tests for nnopt.exercises: the framework and the minibatches checker."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.data import minibatches
from nnopt.exercises import Check, ExerciseResult, check_minibatches, expect, run_checks


# ---------- learner answers, right and wrong ----------

def drops_last_batch(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], y[rows]


def does_not_shuffle(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def off_by_one(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[order[start + batch_size]], y[order[start]]  # IndexError on the last batch


def samples_with_replacement(X, y, batch_size, rng):
    for start in range(0, len(X), batch_size):
        rows = rng.integers(0, len(X), size=min(batch_size, len(X) - start))
        yield X[rows], y[rows]


def shuffles_separately(X, y, batch_size, rng):
    order_X, order_y = rng.permutation(len(X)), rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[order_X[start:start + batch_size]], y[order_y[start:start + batch_size]]


def reseeds(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[order[start:start + batch_size]], y[order[start:start + batch_size]]


def forgets_to_yield(X, y, batch_size, rng):
    rng.permutation(len(X))


def shuffles_in_place(X, y, batch_size, rng):
    rng.shuffle(X)
    rng.shuffle(y)
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def _failed(result: ExerciseResult) -> dict[str, object]:
    return {outcome.name: outcome for outcome in result.failures}


def test_reference_passes_every_check():
    result = check_minibatches(minibatches)
    assert result.passed
    assert (result.n_passed, result.n_checks) == (8, 8)
    assert str(result).startswith("✓ minibatches: passed 8/8")
    assert "#1a7f37" in result._repr_html_()


def test_list_based_correct_answer_passes():
    def as_list(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]
    assert check_minibatches(as_list).passed


def test_dropping_the_last_batch_is_reported():
    result = check_minibatches(drops_last_batch)
    assert not result.passed and result.n_passed == 7
    (failure,) = result.failures
    assert failure.name.startswith("m not divisible")
    assert failure.expected == "batch sizes [4, 4, 2]" and failure.got == "batch sizes [4, 4]"
    assert "last, smaller batch is missing" in failure.hint
    text = str(result)
    assert text.startswith("✗ minibatches: passed 7/8")
    assert "expected: batch sizes [4, 4, 2]" in text and "got:      batch sizes [4, 4]" in text


def test_not_shuffling_is_reported():
    result = check_minibatches(does_not_shuffle)
    assert result.n_passed == 6
    failure, composition = result.failures
    assert failure.name.startswith("shuffled")
    assert composition.name.startswith("batches made of new samples every epoch")
    assert failure.got.startswith("the original order [0, 1, 2")
    assert "rng.permutation(m)" in failure.hint


def test_exception_in_learner_code_is_reported_not_raised():
    result = check_minibatches(off_by_one)
    assert not result.passed
    first = result.failures[0]
    assert first.error.startswith("IndexError: index 12 is out of bounds")
    assert "yield X[order[start + batch_size]], y[order[start]]" in first.error  # the learner's line
    assert "your code raised IndexError" in str(result)
    assert "Also failing" in str(result)


def test_sampling_with_replacement_is_reported():
    failures = _failed(check_minibatches(samples_with_replacement))
    failure = failures["m divisible by batch_size (m=12, batch_size=4): three full batches"]
    assert "appear more than once" in failure.got and "never appear" in failure.got
    assert failure.expected == "each of the 12 samples exactly once per epoch"


def test_unpaired_rows_are_reported():
    result = check_minibatches(shuffles_separately)
    (failure,) = result.failures
    assert failure.name.startswith("rows of X and y stay paired")
    assert "use the same index array for X and y" in failure.hint


def test_reseeding_is_reported():
    failure, composition = check_minibatches(reseeds).failures
    assert composition.got == "36 pairs"  # 6 batches of 4: the same 36 pairs share a batch every epoch
    assert failure.expected == "a new order in the next epoch (same rng object, second call)"
    assert failure.got.startswith("the same order twice")


def test_shuffling_x_and_y_separately_in_place_is_reported_as_unpaired():
    (failure,) = check_minibatches(shuffles_in_place).failures
    assert failure.name.startswith("rows of X and y stay paired")
    assert "use the same index array for X and y" in failure.hint


def test_missing_yield_and_non_function():
    result = check_minibatches(forgets_to_yield)
    assert result.n_passed == 0
    assert result.failures[0].got == "None" and "yield" in result.failures[0].hint
    called = check_minibatches(minibatches(np.zeros((3, 2)), np.zeros(3), 1, 0))
    assert not called.passed and called.n_checks == 1
    assert "without calling it" in called.failures[0].hint


def test_endless_generator_is_cut_off():
    def endless(X, y, batch_size, rng):
        while True:
            yield X[:batch_size], y[:batch_size]
    result = check_minibatches(endless)
    assert result.n_passed == 0
    assert "endless loop" in result.failures[0].got


def test_single_sample_batches_must_keep_their_dimension():
    def drops_dimension(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        if batch_size == 1:
            for i in order:
                yield X[i], y[i]
        else:
            yield from minibatches(X, y, batch_size, np.random.default_rng(order[0]))
    failures = _failed(check_minibatches(drops_dimension))
    failure = failures["stochastic gradient descent: batch_size=1 (m=5)"]
    assert failure.got == "batch 0: X_batch of shape (3,)"


# ---------- the framework ----------

def test_run_checks_counts_and_messages():
    def right(fn):
        expect(fn(2) == 4, expected=4, got=fn(2))

    def wrong(fn):
        expect(fn(3) == 9, expected=9, got=fn(3), hint="square, do not double")

    def crashes(fn):
        fn("a") + 1

    result = run_checks("square", lambda x: 2 * x if isinstance(x, int) else x, [
        Check("2 -> 4", right), Check("3 -> 9", wrong), Check("<str>", crashes)])
    assert (result.n_passed, result.n_checks, result.passed) == (1, 3, False)
    text = str(result)
    assert text.splitlines()[0] == "✗ square: passed 1/3"
    assert "✗ 3 -> 9\n  expected: 9\n  got:      6\n  hint: square, do not double" in text
    assert "  ✗ <str>" in text
    assert result.failures[1].error.startswith("TypeError: can only concatenate str")
    html_text = result._repr_html_()
    assert "&lt;str&gt;" in html_text and "<str>" not in html_text


def test_keyboard_interrupt_is_not_swallowed():
    def interrupted(fn):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_checks("x", print, [Check("stops", interrupted)])


def test_a_stub_that_raises_not_implemented_gets_one_friendly_line():
    from nnopt.exercises import check_minibatches

    def stub(X, y, batch_size, rng):
        raise NotImplementedError("replace this line with your implementation")

    result = check_minibatches(stub)
    assert not result.passed and result.n_checks == 1
    assert str(result).startswith("… minibatches: not implemented yet")
    assert "replace the `raise` line" in str(result)


def test_orders_that_never_change_batch_composition_fail():
    def rotates(X, y, batch_size, rng):  # a new order each epoch, the same neighbours
        order = np.roll(np.arange(len(X)), int(rng.integers(len(X))))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            yield X[rows], y[rows]

    def shuffles_within_blocks(X, y, batch_size, rng):
        order = np.arange(len(X))
        for start in range(0, len(X), batch_size):
            order[start:start + batch_size] = rng.permutation(order[start:start + batch_size])
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            yield X[rows], y[rows]

    for answer in (rotates, shuffles_within_blocks):
        failures = _failed(check_minibatches(answer))
        assert any(name.startswith("batches made of new samples every epoch") for name in failures), answer.__name__


def test_a_trailing_empty_batch_is_named():
    def trailing_empty(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        for start in range(0, len(X) + 1, batch_size):   # m + 1: an empty batch when m % batch_size == 0
            rows = order[start:start + batch_size]
            yield X[rows], y[rows]

    result = check_minibatches(trailing_empty)
    assert not result.passed and "adds an empty one" in result.failures[0].hint


def test_a_generator_that_refills_one_buffer_is_named():
    def reuses_a_buffer(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        buffer = {}
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            out = buffer.setdefault(len(rows), np.empty((len(rows), X.shape[1])))
            out[...] = X[rows]
            yield out, y[rows]

    result = check_minibatches(reuses_a_buffer)
    assert not result.passed and "refills one array" in result.failures[0].hint
