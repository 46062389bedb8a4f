"""nnopt.experiments.schedules: the fine-tuning groups, freezing, the tie-tolerant best rate, the helpers."""
import numpy as np
import pytest

from nnopt.data import make_blobs
from nnopt.experiments.schedules import (AdamStepSize, best_rate, cut_epochs, describe, digit_subset, epoch_rates,
                                         fine_tune, fine_tune_groups, per_class_subset, pretrain, radam_rectifier,
                                         summary, train_seeds, transfer_model)
from nnopt.nn import mlp
from nnopt.optim import Adam
from nnopt.schedules import StepLR
from nnopt.train import fit


@pytest.fixture(scope="module")
def tasks():
    """An 'old' task (classes 0-2) and a 'new' one (classes 3-5) of one blob data set."""
    X, y = make_blobs(n_samples=240, centers=6, n_features=8, seed=0)
    old = digit_subset(X, y, [0, 1, 2])
    new = digit_subset(X, y, [3, 4, 5])
    return old, new


def test_digit_subset_relabels_in_the_order_given():
    X = np.arange(5.0).reshape(5, 1)
    Xs, ys = digit_subset(X, np.array([7, 5, 6, 5, 1]), [5, 6, 7])
    np.testing.assert_array_equal(Xs.ravel(), [0, 1, 2, 3])
    np.testing.assert_array_equal(ys, [2, 0, 1, 0])
    with pytest.raises(ValueError, match="no example"):
        digit_subset(X, np.zeros(5), [3])
    with pytest.raises(ValueError, match="distinct"):
        digit_subset(X, np.zeros(5), [1, 1])


def test_per_class_subset_takes_that_many_of_each_class():
    y = np.repeat([0, 1, 2], [10, 3, 8])
    X = np.arange(len(y), dtype=float)[:, None]
    Xs, ys = per_class_subset(X, y, 5, seed=1)
    assert np.bincount(ys).tolist() == [5, 3, 5]
    np.testing.assert_array_equal(y[Xs.ravel().astype(int)], ys)  # rows and labels stay paired
    with pytest.raises(ValueError, match="per_class"):
        per_class_subset(X, y, 0)


def test_transfer_model_copies_the_first_layer_and_starts_a_new_head(tasks):
    (Xo, yo), _ = tasks
    pretrained = pretrain(Xo, yo, hidden=6, epochs=2, lr=0.1)
    model = transfer_model(pretrained, n_classes=4, seed=3)
    np.testing.assert_array_equal(model.layers[0].W.value, pretrained.layers[0].W.value)
    np.testing.assert_array_equal(model.layers[0].b.value, pretrained.layers[0].b.value)
    assert model.layers[0].W.value is not pretrained.layers[0].W.value
    assert model.layers[-1].W.value.shape == (6, 4)
    model.layers[0].W.value[0, 0] += 1.0  # a copy, not a view of the pre-trained weights
    assert model.layers[0].W.value[0, 0] != pretrained.layers[0].W.value[0, 0]
    with pytest.raises(ValueError, match="two Dense"):
        transfer_model(mlp([8, 4, 4, 3]), 3)


def test_fine_tune_groups_give_the_documented_rates():
    model = mlp([8, 6, 3], seed=0)
    first, head = (params for _, params in model.layer_groups())
    (one,) = fine_tune_groups(model, "one rate", 0.2)
    assert one["lr"] == 0.2 and len(one["params"]) == 4
    frozen = fine_tune_groups(model, "frozen", 0.2)
    assert [g["lr"] for g in frozen] == [0.0, 0.2] and frozen[0]["params"] == first
    (omitted,) = fine_tune_groups(model, "frozen", 0.2, freeze="omit")
    assert omitted["params"] == head
    slow = fine_tune_groups(model, "0.1x first layer", 0.2)
    assert [g["lr"] for g in slow] == pytest.approx([0.02, 0.2])
    with pytest.raises(ValueError, match="method"):
        fine_tune_groups(model, "two rates", 0.2)
    with pytest.raises(ValueError, match="freeze"):
        fine_tune_groups(model, "frozen", 0.2, freeze="zero")
    with pytest.raises(ValueError, match="lr"):
        fine_tune_groups(model, "one rate", -1)


def test_freezing_by_lr0_and_by_omission_are_identical_and_keep_the_layer(tasks):
    (Xo, yo), (Xn, yn) = tasks
    pretrained = pretrain(Xo, yo, hidden=6, epochs=2, lr=0.1)
    lr0, omit = (fine_tune(pretrained, Xn, yn, (Xn, yn), "frozen", lr=0.1, epochs=3, seeds=[0], freeze=way)[0]
                 for way in ("lr0", "omit"))
    assert lr0.loss == omit.loss
    np.testing.assert_array_equal(lr0.model.layers[0].W.value, pretrained.layers[0].W.value)
    trained = fine_tune(pretrained, Xn, yn, (Xn, yn), "one rate", lr=0.1, epochs=3, seeds=[0])[0]
    assert not np.array_equal(trained.model.layers[0].W.value, pretrained.layers[0].W.value)
    full_batch = {"lr": 0.1, "epochs": 1, "seeds": [0], "batch_size": len(Xn)}
    slow = fine_tune(pretrained, Xn, yn, (Xn, yn), "0.1x first layer", **full_batch)[0]
    one = fine_tune(pretrained, Xn, yn, (Xn, yn), "one rate", **full_batch)[0]
    # one full-batch SGD step from the same start: the first layer moves 10 times less
    move_slow = slow.model.layers[0].W.value - pretrained.layers[0].W.value
    move_one = one.model.layers[0].W.value - pretrained.layers[0].W.value
    np.testing.assert_allclose(move_slow, 0.1 * move_one, rtol=1e-9, atol=1e-15)


def test_from_scratch_ignores_the_pretrained_weights(tasks):
    (Xo, yo), (Xn, yn) = tasks
    pretrained = pretrain(Xo, yo, hidden=6, epochs=2, lr=0.1)
    history = fine_tune(pretrained, Xn, yn, (Xn, yn), "from scratch", lr=0.1, epochs=1, seeds=[4])[0]
    assert history.model.layers[0].W.value.shape == (8, 6)
    fresh = mlp([8, 6, 3], seed=4)
    reference = fit(fresh, __import__("nnopt").optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9), Xn, yn, epochs=1,
                    batch_size=32, seed=4, validation=(Xn, yn))
    assert history.loss == reference.loss


def test_best_rate_is_tie_tolerant_and_skips_diverged_runs():
    assert best_rate([0.1, 0.2, 0.4], [0.30, 0.10, 0.20]) == 0.2
    assert best_rate([0.1, 0.2, 0.4], [0.1000001, 0.1, 0.5]) == 0.1  # a near-tie goes to the smaller rate
    assert best_rate([0.1, 0.2, 0.4], [0.104, 0.1, 0.5], tolerance=0.05) == 0.1
    assert best_rate([0.1, 0.2, 0.4], [0.106, 0.1, 0.5], tolerance=0.05) == 0.2
    assert best_rate([0.1, 0.2], [np.inf, 0.5]) == 0.2
    assert best_rate([0.1, 0.2], [np.nan, 0.5]) == 0.2
    with pytest.raises(ValueError, match="NaN or infinite"):
        best_rate([0.1], [np.nan])
    with pytest.raises(ValueError, match="1-D"):
        best_rate([0.1, 0.2], [0.1])


def test_train_seeds_summary_describe_and_a_diverged_run():
    X, y = make_blobs(n_samples=64, centers=3, n_features=4, seed=0)
    histories = train_seeds(X, y, (X, y), 0.05, lambda opt: StepLR(opt, step_size=1, gamma=0.5), epochs=3,
                            layer_sizes=(4, 5, 3), batch_size=16, seeds=range(2))
    assert [h.diverged for h in histories] == [False, False]
    np.testing.assert_allclose(epoch_rates(histories[0]), [0.05, 0.025, 0.0125])
    np.testing.assert_array_equal(cut_epochs(histories[0]), [2, 3])
    values = summary(histories)
    assert values["train"].shape == (2,) and np.all(values["acc"] <= 1)
    text = describe(histories)
    assert text.startswith("training loss ") and "validation loss" in text and "%" in text
    blown = train_seeds(X, y, (X, y), 1e300, epochs=3, layer_sizes=(4, 5, 3), seeds=[0])
    assert blown[0].diverged and summary(blown)["train"][0] == np.inf


def test_adam_step_size_is_one_alpha_at_the_first_step():
    X, y = make_blobs(n_samples=32, centers=3, n_features=4, seed=0)
    model = mlp([4, 5, 3], seed=0)
    adam = Adam(model.parameters(), lr=1e-3)
    callback = AdamStepSize(adam)
    fit(model, adam, X, y, epochs=2, batch_size=32, callbacks=[callback])
    # at t = 1, m̂ = g and v̂ = g²: |m̂ / (√v̂ + ε)| = |g| / (|g| + 1e-8) = 1 for every weight with a gradient
    assert callback.median[0] == pytest.approx(1.0, abs=1e-6)
    assert len(callback.median) == 2


def test_radam_rectifier_matches_its_formula():
    assert np.isnan(radam_rectifier(5))  # ρ_5 <= 5: no rectified step yet
    beta2, t = 0.999, 1000
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    expected = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    assert radam_rectifier(t) == pytest.approx(expected, rel=1e-12)
    assert 0.6 < radam_rectifier(1000) < 0.7 and radam_rectifier(10**6) == pytest.approx(1.0, abs=1e-3)
