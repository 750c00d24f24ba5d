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


def _paper_adamw(f, x0, steps, alpha, lam, schedule, beta1=0.9, beta2=0.999, eps=1e-8):
    """Loshchilov & Hutter (2019), Algorithm 2, written out: m, v from the plain loss gradient and
    x_t = x_{t-1} - eta_t (alpha m_hat / (sqrt(v_hat) + eps) + lambda x_{t-1})."""
    x = np.array(x0, dtype=np.float64)
    m, v, xs = np.zeros_like(x), np.zeros_like(x), [x]
    for t in range(1, steps + 1):
        g = f.grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        x = x - schedule(t - 1) * (alpha * m_hat / (np.sqrt(v_hat) + eps) + lam * x)
        xs.append(x)
    return np.array(xs)


@pytest.mark.parametrize(
    "schedule",
    [lambda t: 1.0, lambda t: 0.5 * (1 + np.cos(np.pi * t / 400)) + 0.01, lambda t: 1.0 / np.sqrt(1 + t)],
    ids=["constant", "cosine", "inverse_sqrt"],
)
def test_paper_adamw_is_torch_adamw_with_lr_alpha_eta_and_wd_lambda_over_alpha(schedule):
    # Cells 10-12 (Pitfall E48): the paper's x_t = x_{t-1} - eta_t(alpha m_hat/(sqrt(v_hat)+eps) + lambda x_{t-1})
    # is torch's AdamW with lr = alpha * eta_t and weight_decay = lambda / alpha (eta_t changed by replacing lr).
    f = cl.surface("himmelblau")
    alpha, lam, steps, x0 = 0.05, 0.02, 400, [-0.3, -0.9]
    paper = _paper_adamw(f, x0, steps, alpha, lam, schedule)
    torch_form = cl.descend(
        f, AdamW(lr=alpha, weight_decay=lam / alpha), x0, steps, lr_schedule=lambda t: alpha * schedule(t)
    )
    np.testing.assert_allclose(torch_form.xs, paper, rtol=1e-12, atol=0)
    # the decay matters on this run: the seed's weight_decay = lambda (not lambda / alpha) ends elsewhere
    seed = cl.descend(f, AdamW(lr=alpha, weight_decay=lam), x0, steps, lr_schedule=lambda t: alpha * schedule(t))
    assert np.abs(seed.x - paper[-1]).max() > 1e-2


def test_adamw_keeps_drifting_towards_one_one():
    # Cell 22 (caution): "AdamW's point after 1000 steps is not a fixed point: it keeps drifting slowly towards
    # (1, 1)". The run of cell 16 (lr 0.01, lambda 0.5, from (0, 0)), continued to 3000 steps.
    w = cl.descend(F, AdamW(lr=0.01, weight_decay=0.5), [0.0, 0.0], 3000)
    at = w.xs[[1000, 2000, 3000]]
    np.testing.assert_allclose(at, [[0.9031, 0.9031], [0.9401, 0.9401], [0.9600, 0.9600]], atol=1e-4)
    distance = np.linalg.norm(w.xs[1000:] - 1.0, axis=-1)
    assert np.all(np.diff(distance) < 0)  # every step from 1000 on moves closer to (1, 1)
    assert distance[0] - distance[-1] > 0.05  # and not by a rounding amount


def test_per_coordinate_l2_lambda_sqrt_vhat_reproduces_adamw():
    # Cell 22: "Matching would need a different lambda' per coordinate, lambda'_i ~ lambda sqrt(v_hat_i)".
    # sqrt(v_hat) read from AdamW's state after the 1000 steps of cell 16; Adam + L2 with that per-coordinate
    # coefficient ends within 1e-3 of AdamW (measured 5.6e-4), while the best scalar lambda' misses by > 0.05.
    lr, lam, steps = 0.01, 0.5, 1000
    opt, x = AdamW(lr=lr, weight_decay=lam), np.zeros(2)
    state = opt.init(x)
    for _ in range(steps):
        x, state = opt.step(x, F.grad(x), state)
    sqrt_v_hat = np.sqrt(state.v / (1 - 0.999**state.t))
    assert sqrt_v_hat[0] / sqrt_v_hat[1] == pytest.approx(100, rel=1e-3)  # steep x: a 100x larger coefficient
    matched = cl.descend(F, Adam(lr=lr, weight_decay=lam * sqrt_v_hat), [0.0, 0.0], steps)
    assert np.abs(matched.x - x).max() < 1e-3
    grid = np.geomspace(1e-3, 100, 200)[:, None]
    sweep = cl.descend(F, Adam(lr=lr, weight_decay=grid), [0.0, 0.0], steps)
    assert np.abs(sweep.x - x).max(axis=-1).min() > 50 * np.abs(matched.x - x).max()
