"""Formulas stated in notebooks/07_adaptive_methods.ipynb, checked numerically or symbolically."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.optimizers import SGD, Adadelta, Adagrad, Adam, AdamEpsInRoot, RMSprop, SeedAdam


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


def test_steep_rare_caps_the_sgd_learning_rate_at_2_over_L():
    # notebooks/07_adaptive_methods.ipynb, cells 6-7: f = 10(x-7)^2 + (y-3)^2/10 has Hessian diag(20, 0.2), so SGD
    # "must stay below 2/L = 0.1 with L = 20": SGD(lr=0.09) converges (in x), lr 0.11 diverges.
    steep_rare = cl.objective("10*(x - 7)**2 + (y - 3)**2/10")
    np.testing.assert_allclose(steep_rare.hess(np.array([0.0, 0.0])), np.diag([20.0, 0.2]), rtol=1e-12)
    L = np.linalg.eigvalsh(steep_rare.hess(np.array([0.0, 0.0]))).max()
    assert 2 / L == pytest.approx(0.1)

    def rare_y(x, t, rng):  # the notebook's gradient: y seen 1 step in 10
        return steep_rare.grad(x) * np.array([1.0, 1.0 if t % 10 == 0 else 0.0])

    for grad_fn in (rare_y, None):
        ok = cl.descend(steep_rare, SGD(lr=0.09), [0.0, 0.0], 300, grad_fn=grad_fn)
        bad = cl.descend(steep_rare, SGD(lr=0.11), [0.0, 0.0], 300, grad_fn=grad_fn)
        assert not ok.diverged and abs(ok.x[0] - 7) < 1e-10
        err = np.abs(ok.xs[:, 1] - 3)
        assert np.all(np.diff(err) <= 0) and err[-1] < err[0]  # the shallow coordinate creeps in, never away
        assert bad.diverged
        err_bad = np.abs(bad.xs[: bad.diverged_at, 0] - 7)
        assert err_bad[-1] > 1e3 * err_bad[0]  # |1 - 0.11 * 20| = 1.2 per step


def test_adam_step_after_a_long_silence_exceeds_lr():
    # notebooks/07_adaptive_methods.ipynb, cell 24 (pitfall E14): "For gradients of steady size |step| <~ lr; a
    # gradient that returns after a long silence can reach (1-b1)/sqrt(1-b2) lr ~ 3.16 lr (Kingma & Ba, 2.1)".
    lr, eps = 1e-3, 1e-8
    b1, b2 = Adam().betas
    assert (1 - b1) / np.sqrt(1 - b2) == pytest.approx(3.16, abs=0.005)

    opt = Adam(lr=lr)
    x, state, steps = np.zeros(1), opt.init(np.zeros(1)), []
    for t in range(1, 5001):
        g = np.array([1.0 if t in (1, 5000) else 0.0])
        x_new, state = opt.step(x, g, state)
        steps.append(abs(x_new - x)[0])
        x = x_new
    steps = np.array(steps)
    assert steps[0] == pytest.approx(lr * 1.0 / (1.0 + eps), rel=1e-12)  # first step = lr |g|/(|g| + eps) ~ lr
    assert 3.0 * lr < steps[-1] < 3.17 * lr  # t = 5000: about 3.14 lr
    assert steps[1:-1].max() < lr  # in the silence only the fading momentum moves x

    # steady gradients: every step is lr |g|/(|g| + eps) <= lr
    g_const = np.array([1.0, 0.2, 1e-3])
    x, state = np.zeros(3), opt.init(np.zeros(3))
    for _ in range(5000):
        x_new, state = opt.step(x, g_const, state)
        step = np.abs(x_new - x)
        assert np.all(step <= lr * (1 + 1e-6))
        x = x_new
    np.testing.assert_allclose(step, lr * g_const / (g_const + eps), rtol=1e-9)


def test_eps_position_for_a_constant_gradient_and_the_stored_table():
    # notebooks/07_adaptive_methods.ipynb, cells 37-38 (pitfall E43): with eps outside the root the step is
    # lr |g|/(|g| + eps) (close to lr while |g| >> eps, half at |g| = eps), inside it is lr |g|/sqrt(g^2 + eps) (the two
    # agree for |g| >> sqrt(eps) = 1e-4; inside shrinks like |g|/sqrt(eps) below it). Stored table (step/lr):
    #   |g| = 1, 1e-4, 1e-6, 1e-8 -> outside 1.000000 0.999900 0.990099 0.500000,
    #                                inside  1.000000 0.707107 0.010000 0.000100
    eps = 1e-8
    sizes = np.array([1.0, 1e-2, 1e-4, 1e-6, 1e-8])
    outside_formula = sizes / (sizes + eps)
    inside_formula = sizes / np.sqrt(sizes**2 + eps)
    stored = {1.0: (1.000000, 1.000000), 1e-4: (0.999900, 0.707107), 1e-6: (0.990099, 0.010000), 1e-8: (0.5, 0.0001)}
    for size, (out_printed, in_printed) in stored.items():
        k = int(np.flatnonzero(sizes == size)[0])
        assert outside_formula[k] == pytest.approx(out_printed, abs=5e-7)
        assert inside_formula[k] == pytest.approx(in_printed, abs=5e-7)

    # the optimizers, over 200 steps of the constant gradient (bias correction makes every step the same)
    for cls, formula in ((Adam, outside_formula), (AdamEpsInRoot, inside_formula)):
        opt = cls(lr=1.0)
        x, state = np.zeros(sizes.size), opt.init(np.zeros(sizes.size))
        for _ in range(200):
            x_new, state = opt.step(x, sizes, state)
            np.testing.assert_allclose(x - x_new, formula, rtol=1e-9)
            x = x_new
    assert outside_formula[-1] == pytest.approx(0.5, abs=1e-15)  # exactly half at |g| = eps
    assert np.all(outside_formula[:-1] > 0.99)  # close to lr down to |g| = 100 eps
    assert abs(outside_formula[1] - inside_formula[1]) < 1e-4  # |g| = 100 sqrt(eps): the two agree
    np.testing.assert_allclose(inside_formula[3:], sizes[3:] / np.sqrt(eps), rtol=1e-3)  # ~ |g|/sqrt(eps)
