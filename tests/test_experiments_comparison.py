"""Tests for nnopt.experiments.comparison (notebook 8's protocol and update-rule table)."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from nnopt.experiments import comparison as E


def test_every_table_rule_is_the_nnopt_optimizer():
    gaps = E.table_agreement()
    assert set(gaps) == set(E.RULES) and len(gaps) == 14
    assert all(gap < 1e-12 for gap in gaps.values()), gaps


def test_a_wrong_rule_is_caught():
    rule, make = E.RULES["Adam"]
    E.RULES["Adam (wrong eps)"] = (lambda θ, g, t, s: rule(θ, g, t, s, eps=1e-3), make)
    try:
        assert E.table_agreement()["Adam (wrong eps)"] > 1e-6
    finally:
        del E.RULES["Adam (wrong eps)"]


def test_half_decade_grid_and_search():
    assert E.half_decade(-8) == 1e-4 and E.half_decade(2) == 10.0 and math.isclose(E.half_decade(-3), 10 ** -1.5)
    tried = []

    def loss_at(lr):
        tried.append(lr)
        return (math.log10(lr) + 1.5) ** 2  # best at 10^-1.5, between the decades 1e-2 and 1e-1
    best, losses = E.search_lr(loss_at)
    assert math.isclose(best, 10 ** -1.5) and len(tried) == 8 and list(losses) == sorted(losses)


def test_stop_if_exploding():
    stop = E.StopIfExploding()
    assert not stop.on_iteration_end(SimpleNamespace(loss=[2.0, 19.0]))
    assert stop.on_iteration_end(SimpleNamespace(loss=[2.0, 21.0]))


def test_digits_trainer_caches_and_reports_blow_ups():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((128, 64)), rng.integers(0, 10, 128)
    train, validation_loss = E.make_digits_trainer((X, y, X[:32], y[:32]))
    model, history = train("Adam", 1e-3, 0, 1)
    assert history is not None and train("Adam", 1e-3, 0, 1)[0] is model
    assert np.isfinite(validation_loss("Adam", 1e-3, epochs=1))
    assert validation_loss("SGD", 1e4, epochs=1) == np.inf


def test_ranks_with_ties_share_a_rank_within_the_factor():
    ranks = E.ranks_with_ties([0.186, 0.182, 0.225, 0.419, 0.185])
    assert ranks.tolist() == [1, 1, 4, 5, 1]
    assert E.ranks_with_ties([1.0, 2.0, 3.0], factor=1.0).tolist() == [1, 2, 3]
    assert E.ranks_with_ties([1e-20, 1e-20, 1.0]).tolist() == [1, 1, 3]


def test_ranks_with_ties_rejects_bad_input():
    with pytest.raises(ValueError, match="finite"):
        E.ranks_with_ties([0.1, float("nan")])
    with pytest.raises(ValueError, match="factor"):
        E.ranks_with_ties([0.1, 0.2], factor=0.5)
