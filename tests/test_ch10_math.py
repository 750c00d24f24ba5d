"""The claims of notebooks/10_training_a_model.ipynb, each where it holds and where it stops holding.

The settings are the notebook's: the seed-0 split, 20 epochs of minibatches of 32, the lr grid 1e-4 .. 10,
L2 strength 0.01, 5 seeds for logistic regression and 3 for the MLP.
"""

from __future__ import annotations

import numpy as np
import pytest

import course_lib as cl
from course_lib.datasets import load_breast_cancer
from course_lib.models import MLP, LogisticRegression
from course_lib.optimizers import SGD, Adam
from course_lib.second_order import LBFGS, Newton
from course_lib.training import decay_grid, full_batch_run, race

DATA = load_breast_cancer(test_fraction=0.25, seed=0)
TEST = (DATA.X_test, DATA.y_test)
LRS = np.logspace(-4, 1, 11)
SETTINGS = dict(lrs=LRS, epochs=20, batch_size=32, test=TEST, weight_decay=0.01)


@pytest.fixture(scope="module")
def logistic_race():
    return race(LogisticRegression(DATA.X_train, DATA.y_train), seeds=(0, 1, 2, 3, 4), **SETTINGS)


@pytest.fixture(scope="module")
def mlp_race():
    return race(MLP(DATA.X_train, DATA.y_train, hidden=8), seeds=(0, 1, 2), **SETTINGS)


@pytest.fixture(scope="module")
def optimum():
    penalized = LogisticRegression(DATA.X_train, DATA.y_train, l2=0.01)
    exact = cl.descend(penalized, Newton(penalized), penalized.init(), steps=10)
    assert np.linalg.norm(penalized.grad(exact.x)) < 1e-10
    return penalized, float(exact.values[-1])


def test_tuned_optimizers_finish_close_together_on_logistic_regression(logistic_race):
    """Holds when each is tuned: median training losses within 0.005, median test accuracies within 2 rows."""
    rows = logistic_race.summary()
    losses = [r["loss_median"] for r in rows]
    accuracies = [r["acc_median"] for r in rows]
    assert max(losses) - min(losses) < 0.005
    assert max(accuracies) - min(accuracies) <= 2 / len(DATA.y_test) + 1e-12


def test_at_one_common_lr_they_do_not(logistic_race):
    """Fails without tuning: at lr = 0.01 for all, the median training losses spread by more than 0.05."""
    i = int(np.argmin(np.abs(LRS - 0.01)))
    medians = np.median(logistic_race.train_loss[:, i], axis=-1)
    assert medians.max() - medians.min() > 0.05


@pytest.mark.parametrize("which", ["logistic", "mlp"])
def test_momentum_divides_sgds_tuned_lr_by_ten(which, logistic_race, mlp_race):
    """SGD with momentum 0.9 takes steps 1/(1 - 0.9) = 10 times larger, so its tuned lr is 10 times smaller."""
    result = logistic_race if which == "logistic" else mlp_race
    assert result.tuned_lr["SGD"] / result.tuned_lr["SGD + momentum"] == pytest.approx(10.0)


def test_adams_beta1_does_not_move_its_tuned_lr():
    """Where the factor 1/(1 - beta) fails: Adam's step is normalized, so beta1 = 0 and 0.9 tune alike."""
    makers = {
        "Adam, beta1 = 0.9": lambda lr, wd: Adam(lr=lr, betas=(0.9, 0.999), weight_decay=wd),
        "Adam, beta1 = 0": lambda lr, wd: Adam(lr=lr, betas=(0.0, 0.999), weight_decay=wd),
    }
    result = race(LogisticRegression(DATA.X_train, DATA.y_train), seeds=(0, 1, 2), optimizers=makers, **SETTINGS)
    lrs = list(result.tuned_lr.values())
    assert lrs[0] == lrs[1]


def _lbfgs_within(penalized, budget):
    """L-BFGS run for as many iterations as fit in ``budget`` passes over the data; returns (run, passes)."""
    k = 0
    while full_batch_run(penalized, LBFGS, penalized.init(), iterations=k + 1)[1] <= budget:
        k += 1
    return full_batch_run(penalized, LBFGS, penalized.init(), iterations=k, test=TEST)


def test_lbfgs_ends_closest_within_the_same_twenty_passes(logistic_race, optimum):
    """At an equal budget (20 epochs = 20 passes) L-BFGS ends closer to f* than every tuned minibatch method,
    but only a few times closer (less than 10), not orders of magnitude; with 41 passes it is below 1e-8."""
    penalized, f_star = optimum
    lbfgs, passes = _lbfgs_within(penalized, 20)
    assert passes <= 20
    gaps = [np.median(logistic_race.tuned(n)["train_loss"][-1]) - f_star for n in logistic_race.names]
    lbfgs_gap = lbfgs.train_loss[-1] - f_star
    assert 0 < lbfgs_gap < min(gaps) < 10 * lbfgs_gap
    longer, more = full_batch_run(penalized, LBFGS, penalized.init(), iterations=20)
    assert more == 41
    assert longer.train_loss[-1] - f_star < 1e-8 < min(gaps) / 1e3


def test_but_not_within_five_passes(logistic_race, optimum):
    """Where it stops holding: within 5 passes L-BFGS is behind the best tuned minibatch method after 5 epochs."""
    penalized, f_star = optimum
    lbfgs, passes = _lbfgs_within(penalized, 5)
    assert passes <= 5
    best_at_5 = min(np.median(logistic_race.tuned(n)["train_loss"][5]) for n in logistic_race.names)
    assert lbfgs.train_loss[-1] - f_star > best_at_5 - f_star


def test_momentum_multiplies_a_steady_gradient_by_ten_and_damps_a_flipping_one():
    """The condition of the 1/(1 - beta) factor: with beta = 0.9 a constant gradient builds a step 10 lr g, a
    gradient that flips sign every step settles at an amplitude lr g / (1 + beta), smaller than plain SGD's."""
    opt = SGD(lr=0.1, momentum=0.9)
    x, state = np.zeros(1), opt.init(np.zeros(1))
    for _ in range(300):
        new, state = opt.step(x, np.ones(1), state)
        step, x = x - new, new
    assert step[0] == pytest.approx(0.1 / (1 - 0.9), rel=1e-9)
    x, state = np.zeros(1), opt.init(np.zeros(1))
    for t in range(300):
        new, state = opt.step(x, np.array([(-1.0) ** t]), state)
        step, x = x - new, new
    assert abs(step[0]) == pytest.approx(0.1 / (1 + 0.9), rel=1e-9)
    assert abs(step[0]) < 0.1


@pytest.fixture(scope="module")
def decay_maps():
    model = LogisticRegression(DATA.X_train, DATA.y_train)
    grid = dict(lrs=np.logspace(-3, 0, 7), decays=np.logspace(-3, 0, 7), seeds=(0, 1, 2), epochs=20, batch_size=32)
    return {m: decay_grid(model, m, test=TEST, **grid) for m in ("Adam + L2", "AdamW")}


def test_adam_l2_prefers_a_small_decay_at_every_lr(decay_maps):
    m = decay_maps["Adam + L2"]
    assert np.all(m.decays[m.best_decay] <= 0.01 + 1e-12)


def test_adamw_best_decay_grows_with_the_lr_and_wins_at_large_lrs(decay_maps):
    l2, w = decay_maps["Adam + L2"], decay_maps["AdamW"]
    assert np.all(np.diff(w.best_decay) >= 0)
    assert w.best_decay[-1] > w.best_decay[0]
    best_l2, best_w = l2.test_loss.min(axis=1), w.test_loss.min(axis=1)
    assert np.all(best_w[-3:] < best_l2[-3:])


def test_at_small_lrs_adamws_decay_matters_less(decay_maps):
    """Where the AdamW advantage vanishes: at lr = 1e-3 both methods' best test losses agree to 0.001, and over
    the whole decay grid AdamW's test loss varies less than a third as much as Adam + L2's: its shrink per step
    is lr * decay, while the L2 gradient does not scale with the lr."""
    w, l2 = decay_maps["AdamW"].test_loss[0], decay_maps["Adam + L2"].test_loss[0]
    assert w.max() - w.min() < (l2.max() - l2.min()) / 3
    assert abs(w.min() - l2.min()) < 1e-3


def test_the_explorers_try_this_answers():
    """The settings the notebook's Try-this questions name, trained as the explorer trains them (3 seeds)."""
    from course_lib.training import train

    model = LogisticRegression(DATA.X_train, DATA.y_train)
    W0 = np.zeros((3, model.dim))

    def final(opt, batch_size=32, decay=0.01):
        run = train(model, opt, W0, epochs=20, batch_size=batch_size, seeds=(0, 1, 2), test=TEST, penalty=decay)
        return {k: float(np.median(getattr(run, k)[-1])) for k in ("train_loss", "test_loss", "test_accuracy")}

    tuned = final(SGD(lr=1.0, weight_decay=0.01))
    too_big = final(SGD(lr=10.0, weight_decay=0.01))
    assert too_big["train_loss"] > tuned["train_loss"] + 0.03 and too_big["test_accuracy"] < tuned["test_accuracy"]
    assert final(SGD(lr=10**0.475, weight_decay=0.01))["train_loss"] < tuned["train_loss"] + 0.005  # lr about 3
    assert final(SGD(lr=1.0, weight_decay=0.01), batch_size=model.n)["train_loss"] > tuned["train_loss"] + 0.003
    from course_lib.optimizers import AdamW

    adam = [final(Adam(lr=0.01, weight_decay=wd), decay=wd)["test_loss"] for wd in (0.0, 0.1)]
    adamw = [final(AdamW(lr=0.01, weight_decay=wd), decay=wd)["test_loss"] for wd in (0.0, 0.1)]
    assert abs(adam[1] - adam[0]) > 10 * abs(adamw[1] - adamw[0])
    heavy = final(SGD(lr=1.0, momentum=0.9, weight_decay=0.01))["train_loss"]
    same_step = final(SGD(lr=0.1, momentum=0.9, weight_decay=0.01))["train_loss"]
    assert heavy > tuned["train_loss"] + 0.01 and abs(same_step - tuned["train_loss"]) < 0.002
