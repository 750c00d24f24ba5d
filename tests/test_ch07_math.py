"""Formulas stated in notebooks/07_adaptive_methods.ipynb, checked numerically or symbolically."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.optimizers import Adadelta, Adagrad, Adam, AdamEpsInRoot, RMSprop, SeedAdam


def test_adagrad_first_step_is_lr_times_sign():
    x = np.array([0.0, 0.0])
    g = np.array([-14.0, -6.0])
    x1, _ = Adagrad(lr=0.5, eps=0.0).step(x, g, Adagrad().init(x))
    assert np.allclose(x1, 0.5 * np.sign(-g))


def test_rmsprop_effective_lr_rises_when_gradients_shrink():
    opt = RMSprop(lr=0.01, alpha=0.9, eps=0.0)
    x, state = np.zeros(1), opt.init(np.zeros(1))
    rates = []
    for g in [10.0] * 50 + [0.1] * 150:
        x_new, state = opt.step(x, np.array([g]), state)
        rates.append(((x - x_new) / g)[0])
        x = x_new
    assert rates[49] == pytest.approx(0.01 / np.sqrt(100 * (1 - 0.9**50)))
    assert rates[-1] == pytest.approx(0.1, rel=1e-3)
    assert np.all(np.diff(rates[50:]) > 0)


def test_ema_effective_window_weight():
    for rho in (0.9, 0.99):
        n = int(round(1 / (1 - rho)))
        weight = sum((1 - rho) * rho**k for k in range(n))
        assert weight == pytest.approx(1 - rho**n)
        assert abs(weight - (1 - np.exp(-1))) < 0.02


def test_adadelta_first_step_is_set_by_eps():
    x, g = np.zeros(1), np.array([4.0])
    opt = Adadelta(eps=1e-6)
    x1, _ = opt.step(x, g, opt.init(x))
    assert -x1[0] == pytest.approx(np.sqrt(1e-6) / np.sqrt(0.1 * 16 + 1e-6) * 4)


def test_units_ratios_by_scaling():
    """Steps in x units after a change of unit x = c z: SGD scales by c**2, RMSprop by c, Newton by 1."""
    f = cl.objective("3*(x - 2)**2")
    for c in (0.1, 10.0):
        fz = cl.objective(f"3*({c}*z - 2)**2")
        x0 = np.array([0.5])
        gx, gz = f.grad(x0), fz.grad(x0 / c)
        assert (c * 0.01 * gz) / (0.01 * gx) == pytest.approx(c**2)
        rms_x = RMSprop(lr=0.01, eps=0.0).step(x0, gx, RMSprop().init(x0))[0] - x0
        rms_z = RMSprop(lr=0.01, eps=0.0).step(x0 / c, gz, RMSprop().init(x0))[0] - x0 / c
        assert c * rms_z / rms_x == pytest.approx(c)
        newton_x = gx / f.hess(x0)[..., 0]
        newton_z = gz / fz.hess(x0 / c)[..., 0]
        assert c * newton_z / newton_x == pytest.approx(1.0)


def test_bias_correction_closed_form_and_monte_carlo():
    b1, t, i = sp.symbols("beta_1 t i", positive=True)
    closed = sp.simplify(sp.summation((1 - b1) * b1 ** (t - i), (i, 1, t)))
    assert sp.simplify(closed - (1 - b1**t)) == 0
    for tt in (1, 2, 3, 10):
        assert sum((1 - 0.9) * 0.9 ** (tt - k) for k in range(1, tt + 1)) == pytest.approx(1 - 0.9**tt)
    rng = np.random.default_rng(1)
    opt, x = Adam(), np.zeros((200_000, 1))
    state = opt.init(x)
    for _ in range(10):
        _, state = opt.step(x, 0.5 + 2.0 * rng.standard_normal(x.shape), state)
    assert state.m.mean() == pytest.approx((1 - 0.9**10) * 0.5, abs=0.005)


def test_uncorrected_first_step_and_seed_ratios():
    x, g = np.zeros(1), np.array([0.7])
    step = -Adam(lr=1.0, eps=0.0, bias_correction=False).step(x, g, Adam().init(x))[0][0]
    assert step == pytest.approx(0.1 / np.sqrt(0.001))
    linear = cl.objective("3*x/10 + 2*y")
    seed = np.abs(np.diff(cl.descend(linear, SeedAdam(lr=1e-3), [0.0, 0.0], 5000).xs[:, 0])) / 1e-3
    assert seed[1] == pytest.approx(1.9 / np.sqrt(1.999), rel=1e-6)
    assert seed[9] == pytest.approx((1 - 0.9**10) / 0.1 / np.sqrt((1 - 0.999**10) / 0.001), rel=1e-6)
    assert seed[-1] == pytest.approx(np.sqrt(0.001) / 0.1, rel=0.01)


@pytest.mark.parametrize("size", [1.0, 1e-4, 1e-6, 1e-8])
def test_eps_position_first_step(size):
    x, g = np.zeros(1), np.array([size])
    out = -Adam(lr=1.0).step(x, g, Adam().init(x))[0][0]
    inside = -AdamEpsInRoot(lr=1.0).step(x, g, Adam().init(x))[0][0]
    assert out == pytest.approx(size / (size + 1e-8))
    assert inside == pytest.approx(size / np.sqrt(size**2 + 1e-8))


def test_adam_constant_gradient_steps_are_lr():
    linear = cl.objective("3*x/10 + 2*y")
    steps = np.abs(np.diff(cl.descend(linear, Adam(lr=1e-3, eps=0.0), [0.0, 0.0], 100).xs, axis=0))
    assert np.allclose(steps, 1e-3)
