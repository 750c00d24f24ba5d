"""Minibatch training, the batched race and the weight-decay grid on the breast-cancer data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_lib.datasets import load_breast_cancer
from course_lib.models import MLP, LogisticRegression
from course_lib.optimizers import SGD, Adam, AdamW
from course_lib.second_order import LBFGS
from course_lib.training import (
    RACE,
    GridEdgeWarning,
    Stacked,
    decay_grid,
    epoch_batches,
    full_batch_run,
    race,
    steps_per_epoch,
    train,
)

DATA = load_breast_cancer()
TEST = (DATA.X_test, DATA.y_test)
# the settings chapter 10 races with
LRS = np.logspace(-4, 1, 11)
RACE_SETTINGS = dict(lrs=LRS, seeds=(0, 1, 2, 3, 4), epochs=20, batch_size=32, test=TEST, weight_decay=1e-2)
# logistic regression within this many test rows of the exact regularized solution
ROWS_TOLERANCE = 2


def logistic(l2=0.0):
    return LogisticRegression(DATA.X_train, DATA.y_train, l2=l2)


def test_every_row_once_per_epoch_and_a_new_order_each_epoch():
    rngs = [np.random.default_rng(0), np.random.default_rng(1)]
    epochs = [np.concatenate(list(epoch_batches(10, 4, rngs)), axis=1) for _ in range(3)]
    for order in epochs:
        assert order.shape == (2, 10)
        assert all(sorted(row) == list(range(10)) for row in order)
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled every epoch
    assert not np.array_equal(epochs[0][0], epochs[0][1])  # and differently per seed
    sizes = [b.shape[1] for b in epoch_batches(10, 4, rngs)]
    assert sizes == [4, 4, 2] and steps_per_epoch(10, 4) == 3


def test_stacked_optimizers_step_like_separate_ones():
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    a, b = SGD(lr=0.1, momentum=0.9), Adam(lr=np.array([[0.01], [0.1], [0.2]]))
    stacked = Stacked(((a, 2), (b, 3)))
    x1, state = stacked.step(x, g, stacked.init(x))
    x2, _ = stacked.step(x1, g, state)
    xa, sa = a.step(x[:2], g[:2], a.init(x[:2]))
    xb, sb = b.step(x[2:], g[2:], b.init(x[2:]))
    np.testing.assert_array_equal(x2, np.concatenate([a.step(xa, g[:2], sa)[0], b.step(xb, g[2:], sb)[0]]))
    with pytest.raises(ValueError, match="x"):
        stacked.init(np.zeros((4, 3)))


def test_the_batched_race_equals_a_loop_over_configurations():
    model = MLP(DATA.X_train, DATA.y_train, hidden=3)
    lrs, seeds = np.array([0.01, 0.1]), (3, 4)
    result = race(model, lrs=lrs, seeds=seeds, epochs=2, batch_size=50, test=TEST,
                  weight_decay=1e-3, optimizers=["Nesterov", "AdamW"], warn=False)  # fmt: skip
    for k, name in enumerate(result.names):
        for i, lr in enumerate(lrs):
            for j, seed in enumerate(seeds):
                W0 = model.init(rng=np.random.default_rng(seed))
                alone = train(model, RACE[name](lr, 1e-3), W0, epochs=2, batch_size=50, seeds=seed, test=TEST,
                              penalty=1e-3)  # fmt: skip
                np.testing.assert_allclose(result.run.W[k, i, j], alone.W, rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(result.train_loss[k, i, j], alone.train_loss[-1], rtol=1e-9)


@pytest.fixture(scope="module")
def races():
    with warnings.catch_warnings():
        warnings.simplefilter("error", GridEdgeWarning)
        return {
            "logistic": race(logistic(), **RACE_SETTINGS),
            "mlp": race(MLP(DATA.X_train, DATA.y_train, hidden=8), **RACE_SETTINGS),
        }


@pytest.mark.parametrize("kind", ["logistic", "mlp"])
def test_the_tuned_lr_is_inside_the_grid_for_every_optimizer(races, kind):
    result = races[kind]
    assert result.names == tuple(RACE)
    for name, b, edge in zip(result.names, result.best, result.on_edge):
        assert 0 < b < len(LRS) - 1 and not edge, f"{kind}: {name}'s best lr {LRS[b]} is on the grid's edge"


def test_a_narrow_grid_warns_that_the_best_lr_is_on_its_edge():
    with pytest.warns(GridEdgeWarning, match="SGD"):
        result = race(logistic(), lrs=[1e-4, 1e-3], seeds=(0,), epochs=2, batch_size=64, test=TEST,
                      optimizers=["SGD"])  # fmt: skip
    assert result.on_edge == (True,)


def test_logistic_regression_reaches_the_newton_solutions_test_accuracy(races):
    """Every optimizer's tuned median test accuracy lies within ROWS_TOLERANCE test rows of the exact minimizer
    of the same regularized loss (Newton to machine precision), and L-BFGS finds that minimizer."""
    model = logistic(l2=1e-2)
    W = model.init()
    for _ in range(30):
        W = W - np.linalg.solve(model.hess(W), model.grad(W))
    assert np.linalg.norm(model.grad(W)) < 1e-12
    exact = model.accuracy(W, *TEST)
    for row in races["logistic"].summary():
        assert abs(row["acc_median"] - exact) <= ROWS_TOLERANCE / len(DATA.y_test), row
        if row["name"] != "AdamW":  # AdamW's decoupled decay minimizes another function
            assert row["loss_median"] == pytest.approx(model.value(W), rel=0.02), row
    run, passes = full_batch_run(model, lambda f: LBFGS(f), model.init(), iterations=20, test=TEST)
    assert run.train_loss[-1] == pytest.approx(model.value(W), rel=1e-8)
    assert run.test_accuracy[-1] == exact
    assert 20 <= passes <= 60


def test_l2_through_the_optimizer_equals_l2_in_the_model_for_sgd_but_adamw_differs():
    W0 = logistic().init()
    by_optimizer = train(logistic(), SGD(lr=0.5, weight_decay=0.1), W0, epochs=2, batch_size=40)
    by_model = train(logistic(l2=0.1), SGD(lr=0.5), W0, epochs=2, batch_size=40)
    np.testing.assert_allclose(by_optimizer.W, by_model.W, rtol=1e-10, atol=1e-13)
    adam_l2 = train(logistic(), Adam(lr=0.05, weight_decay=0.1), W0, epochs=2, batch_size=40)
    adamw = train(logistic(), AdamW(lr=0.05, weight_decay=0.1), W0, epochs=2, batch_size=40)
    assert np.abs(adam_l2.W - adamw.W).max() > 1e-2


def test_divergent_models_are_frozen_and_flagged_without_warnings():
    W0 = np.zeros((3, 31))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = train(logistic(), SGD(lr=np.array([[0.1], [1e6], [1.0]]), momentum=0.99), W0, epochs=3,
                    batch_size=32, bound=1e3)  # fmt: skip
    assert run.diverged.tolist() == [False, True, False]
    assert np.isinf(run.train_loss[-1, 1]) and np.all(np.isfinite(run.train_loss[:, 0]))
    assert np.all(np.isfinite(run.W)) and np.abs(run.W[1]).max() <= 1e3


def test_decay_grid_shapes_and_best_cell():
    grid = decay_grid(logistic(), "AdamW", lrs=[0.01, 0.1], decays=[0.0, 0.1, 1.0], seeds=(0, 1), epochs=2,
                      batch_size=64, test=TEST)  # fmt: skip
    assert grid.test_loss.shape == (2, 3) and grid.best_decay.shape == (2,)
    assert grid.test_loss[grid.best] == grid.test_loss.min()
    with pytest.raises(ValueError, match="method"):
        decay_grid(logistic(), "SGD", lrs=[0.1], decays=[0.1], epochs=1, batch_size=64, test=TEST)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"epochs": -1}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 10_000}, "batch_size"),
        ({"seeds": [1, 1]}, "seeds"),
        ({"seeds": "abc"}, "seeds"),
        ({"penalty": -1.0}, "penalty"),
    ],
)
def test_train_names_a_bad_argument(kwargs, name):
    settings = dict(epochs=1, batch_size=32, seeds=0) | kwargs
    with pytest.raises(ValueError, match=name):
        train(logistic(), SGD(lr=0.1), np.zeros((2, 31)), **settings)


def test_race_names_a_bad_argument():
    with pytest.raises(ValueError, match="lrs"):
        race(logistic(), lrs=[0.1, 0.01], epochs=1, batch_size=32, test=TEST)
    with pytest.raises(ValueError, match="optimizers"):
        race(logistic(), lrs=[0.1], epochs=1, batch_size=32, test=TEST, optimizers=["Adamax"])
    with pytest.raises(ValueError, match="W0"):
        train(logistic(), SGD(lr=0.1), np.zeros((2, 31)), epochs=1, batch_size=32, seeds=(0, 1, 2))
