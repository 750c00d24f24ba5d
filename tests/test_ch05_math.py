"""Numerical checks of the formulas stated in notebooks/05_sgd.ipynb.

Formulas: (1) per-example and minibatch MSE gradients; (2) unbiasedness E_i[grad f_i] = grad f and the
conditional expectation of one SGD step; (3) Var[g_B] = sigma^2/|B| with replacement, times (n-|B|)/(n-1)
without; (4) the noise floor eta sigma^2 / (h (2 - eta h)) of SGD on h x^2/2 with additive noise;
(5) Robbins-Monro: sum c/(t+t0) diverges, sum (c/(t+t0))^2 converges; (6) chunked gradient = full gradient;
(7) averaging the minibatch gradients of one epoch at one point gives the full gradient.
"""

import itertools

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib import regression as reg
from course_lib.optimizers import SGD
from course_lib.viz.explorers_sgd import noisy_gradient


@pytest.fixture
def data():
    X, y, _ = reg.make_data(40, 3, noise=0.7, rng=11)
    return X, y, np.array([0.3, -0.2, 0.5])


def test_per_example_and_minibatch_gradients_match_finite_differences(data):
    X, y, beta = data
    rows = np.array([1, 5, 7, 30])
    analytic = -2 / len(rows) * X[rows].T @ (y[rows] - X[rows] @ beta)
    eps = 1e-6
    numeric = np.array(
        [
            (reg.mse(X[rows], y[rows], beta + eps * e) - reg.mse(X[rows], y[rows], beta - eps * e)) / (2 * eps)
            for e in np.eye(3)
        ]
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)
    np.testing.assert_allclose(analytic, reg.mse_grad(X[rows], y[rows], beta), rtol=1e-12)


def test_uniform_average_of_example_gradients_is_the_full_gradient_exactly(data):
    X, y, beta = data
    per_example = -2 * X * (y - X @ beta)[:, None]
    np.testing.assert_allclose(per_example.mean(axis=0), reg.mse_grad(X, y, beta), rtol=1e-12, atol=1e-14)
    # one SGD step, averaged over the n equally likely picks: E[beta_next | beta] = beta - lr grad f(beta)
    lr = 0.05
    np.testing.assert_allclose((beta - lr * per_example).mean(axis=0), beta - lr * reg.mse_grad(X, y, beta))


def test_minibatch_variance_exact_by_enumerating_every_subset():
    """All C(8, B) subsets (without replacement) and all 8**B ordered draws (with replacement), exactly."""
    rng = np.random.default_rng(0)
    G = rng.normal(size=(8, 2))
    n, mean = len(G), G.mean(axis=0)
    sigma2 = ((G - mean) ** 2).sum(axis=1).mean()
    for B in (1, 2, 3, 5, 8):
        subsets = np.array(list(itertools.combinations(range(n), B)))
        without = ((G[subsets].mean(axis=1) - mean) ** 2).sum(axis=1).mean()
        assert np.isclose(without, sigma2 / B * (n - B) / (n - 1))
    for B in (1, 2, 3):
        draws = np.array(list(itertools.product(range(n), repeat=B)))
        with_ = ((G[draws].mean(axis=1) - mean) ** 2).sum(axis=1).mean()
        assert np.isclose(with_, sigma2 / B)


def test_noise_floor_formula_symbolic_and_by_monte_carlo():
    eta, h, s, v = sp.symbols("eta h sigma v", positive=True)
    v_star = sp.solve(sp.Eq(v, (1 - eta * h) ** 2 * v + eta**2 * s**2), v)[0]
    assert sp.simplify(v_star - eta * s**2 / (h * (2 - eta * h))) == 0
    f = cl.objective("3*x**2/2")  # h = 3
    lrs = np.array([0.02, 0.1, 0.3])
    runs = cl.descend(f, SGD(lr=lrs[:, None, None]), np.zeros((3, 400, 1)), 1200, grad_fn=noisy_gradient(f, 2.0), rng=9)
    measured = (runs.xs[400:] ** 2).mean(axis=(0, 2, 3))
    predicted = lrs * 4.0 / (3 * (2 - 3 * lrs))
    np.testing.assert_allclose(measured, predicted, rtol=0.08)


def test_robbins_monro_sums():
    t = sp.symbols("t", integer=True, nonnegative=True)
    assert sp.Sum(1 / (t + 10), (t, 0, sp.oo)).is_convergent() is sp.false
    assert sp.Sum(1 / (t + 10) ** 2, (t, 0, sp.oo)).is_convergent() is sp.true
    c, t0, tt = sp.symbols("c t_0 t", positive=True)
    assert sp.integrate(c / (tt + t0), (tt, 0, sp.oo)) == sp.oo
    assert sp.simplify(sp.integrate((c / (tt + t0)) ** 2, (tt, 0, sp.oo)) - c**2 / t0) == 0


def test_decaying_schedule_beats_the_constant_floor():
    f = cl.objective("x**2/2")
    start = np.full((300, 1), 5.0)
    const = cl.descend(f, SGD(lr=0.1), start, 2000, grad_fn=noisy_gradient(f, 1.0), rng=4)
    decay = cl.descend(
        f, SGD(lr=0.1), start, 2000, grad_fn=noisy_gradient(f, 1.0), rng=4, lr_schedule=lambda t: 1 / (t + 10)
    )
    assert 0.04 < (const.x**2).mean() < 0.07
    assert (decay.x**2).mean() < 2e-3


def test_chunked_gradient_equals_the_full_gradient():
    X, y, _ = reg.make_data(3000, 4, noise=0.5, rng=6)
    beta = np.array([0.1, 0.2, -0.3, 0.4])
    for chunk in (1, 7, 512, 3000, 5000):
        np.testing.assert_allclose(reg.chunked_grad(X, y, beta, chunk, "mse"), reg.mse_grad(X, y, beta), rtol=1e-11)


def test_epoch_average_of_minibatch_gradients_is_the_full_gradient(data):
    X, y, beta = data
    batches = list(reg.minibatches(len(y), 8, np.random.default_rng(2)))  # 40 / 8: equal batches
    averaged = np.mean([reg.mse_grad(X[r], y[r], beta) for r in batches], axis=0)
    np.testing.assert_allclose(averaged, reg.mse_grad(X, y, beta), rtol=1e-12)
