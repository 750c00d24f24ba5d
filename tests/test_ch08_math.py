"""Formulas stated in notebooks/08_weight_decay.ipynb, checked numerically or symbolically."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.optimizers import SGD, Adam, AdamState, AdamW, DecoupledSGD

F = cl.objective("50*(x - 1)**2 + (y - 1)**2/2")


def test_l2_equals_decay_for_sgd_symbolically():
    x, g, eta, lam, lam_l2, wd = sp.symbols("x g eta lambda lambda_l2 wd", positive=True)
    l2 = x - eta * (g + lam_l2 * x)
    assert sp.solve(sp.Eq(l2, (1 - lam) * x - eta * g), lam_l2) == [lam / eta]
    assert sp.solve(sp.Eq(l2, x * (1 - eta * wd) - eta * g), lam_l2) == [wd]


def test_l2_equals_decay_for_sgd_numerically():
    a = cl.descend(F, DecoupledSGD(lr=0.01, weight_decay=0.01), [0.0, 0.0], 500)
    b = cl.descend(F, SGD(lr=0.01, weight_decay=1.0), [0.0, 0.0], 500)
    c = cl.descend(F, SGD(lr=0.01, weight_decay=0.01), [0.0, 0.0], 500)
    assert np.abs(a.xs - b.xs).max() < 1e-12
    assert np.abs(a.xs - c.xs).max() > 0.4
    assert np.allclose(a.x, [100 / 101, 0.5], atol=1e-4)  # ridge point of f + 1/2 ||x||^2


def test_adamw_is_decay_then_adam_and_seed_form():
    x, g = np.array([2.0, -1.0]), np.array([0.5, 3.0])
    state = AdamState(m=np.array([0.1, 0.2]), v=np.array([0.01, 0.5]), t=4)
    lr, wd = 1e-3, 1e-2
    assert np.allclose(
        AdamW(lr=lr, weight_decay=wd).step(x, g, state)[0], Adam(lr=lr).step(x * (1 - lr * wd), g, state)[0]
    )
    assert np.allclose(
        AdamW(lr=lr, weight_decay=wd / lr).step(x, g, state)[0], Adam(lr=lr).step(x * (1 - wd), g, state)[0]
    )


def test_adam_l2_reaches_ridge_and_adamw_differs():
    l2 = cl.descend(F, Adam(lr=0.01, weight_decay=0.5), [0.0, 0.0], 1000)
    w = cl.descend(F, AdamW(lr=0.01, weight_decay=0.5), [0.0, 0.0], 1000)
    assert np.allclose(l2.x, [100 / 100.5, 1 / 1.5], atol=1e-4)
    assert abs(w.x[0] - w.x[1]) < 1e-3  # AdamW shrinks both coordinates alike here
    assert np.abs(l2.x - w.x).max() > 0.2


def test_no_scalar_l2_reproduces_adamw():
    w = cl.descend(F, AdamW(lr=0.01, weight_decay=0.5), [0.0, 0.0], 1000)
    grid = np.geomspace(1e-3, 100, 400)[:, None]
    sweep = cl.descend(F, Adam(lr=0.01, weight_decay=grid), [0.0, 0.0], 1000)
    assert np.abs(sweep.x - w.x).max(axis=-1).min() > 0.05


def test_effective_decay_smaller_for_steep_coordinate():
    opt, x = Adam(lr=0.01, weight_decay=0.5), np.zeros(2)
    state = opt.init(x)
    for _ in range(1000):
        x, state = opt.step(x, F.grad(x), state)
    rate = 0.01 * 0.5 / (np.sqrt(state.v / (1 - 0.999**state.t)) + 1e-8)
    assert rate[0] < 0.01 * 0.5 < rate[1]


def test_exercise_three_numbers():
    rates = 0.01 * 0.1 / np.sqrt(np.array([100.0, 0.01]))
    assert rates == pytest.approx([1e-4, 1e-2])
