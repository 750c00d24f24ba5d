"""Numerical checks of the formulas stated in notebooks/06_momentum.ipynb.

Formulas: (1) effective step lr/(1-beta) (the buffer on a constant gradient, b_t = g (1-beta^t)/(1-beta));
(2) deterministic heavy-ball stability 0 < lr h < 2(1+beta); (3) best fixed GD step 2/(mu+L) with rate
(kappa-1)/(kappa+1); (4) Polyak's heavy-ball parameters give spectral radius (sqrt(k)-1)/(sqrt(k)+1);
(5) Nesterov with lr 1/L, beta (sqrt(k)-1)/(sqrt(k)+1) contracts at most like 1 - 1/sqrt(k);
(6) the stationary spread of momentum SGD with additive noise (stationary_spread), and its small-step limit;
(7) Polyak-Ruppert averaging reduces the spread. The equivalences between momentum forms are in
tests/test_momentum_forms.py.
"""

import numpy as np
import pytest

import course_lib as cl
from course_lib.optimizers import SGD
from course_lib.viz.explorers_momentum import stationary_spread


def iteration_matrix(lr, beta, h, nesterov=False):
    """The linear map (x_t, x_{t-1}) -> (x_{t+1}, x_t) of momentum on h x^2/2 (heavy-ball variables)."""
    if nesterov:  # y_{t+1} = (1+beta)(1-lr h) y_t - beta (1-lr h) y_{t-1}
        return np.array([[(1 + beta) * (1 - lr * h), -beta * (1 - lr * h)], [1, 0]])
    return np.array([[1 + beta - lr * h, -beta], [1, 0]])


def radius(M):
    return np.max(np.abs(np.linalg.eigvals(M)))


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_effective_step_on_a_constant_gradient(beta):
    path = cl.descend(cl.objective("x"), SGD(lr=0.01, momentum=beta), [0.0], 3000)
    steps = -np.diff(path.xs[:, 0])
    t = np.arange(1, 3001)
    np.testing.assert_allclose(steps, 0.01 * (1 - beta**t) / (1 - beta), rtol=1e-9)
    assert np.isclose(steps[-1], 0.01 / (1 - beta), rtol=1e-6)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9, 0.99])
def test_heavy_ball_stability_boundary(beta):
    limit = 2 * (1 + beta)
    assert radius(iteration_matrix(0.99 * limit, beta, 1.0)) < 1
    assert radius(iteration_matrix(1.01 * limit, beta, 1.0)) > 1
    assert radius(iteration_matrix(1e-3, beta, 1.0)) < 1


def test_best_fixed_gd_step_and_rate():
    mu, L = 1.0, 100.0
    lrs = np.linspace(0.001, 0.0199, 2000)
    rates = np.maximum(np.abs(1 - lrs * mu), np.abs(1 - lrs * L))
    best = lrs[np.argmin(rates)]
    assert np.isclose(best, 2 / (mu + L), atol=2e-5)
    assert np.isclose(rates.min(), (L - mu) / (L + mu), atol=1e-4)


def test_polyak_parameters_rate():
    mu, L = 1.0, 100.0
    k = L / mu
    lr = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = ((np.sqrt(k) - 1) / (np.sqrt(k) + 1)) ** 2
    target = (np.sqrt(k) - 1) / (np.sqrt(k) + 1)
    for h in np.linspace(mu, L, 50):
        assert radius(iteration_matrix(lr, beta, h)) <= target + 1e-6


def test_nesterov_rate():
    mu, L = 1.0, 100.0
    k = L / mu
    beta = (np.sqrt(k) - 1) / (np.sqrt(k) + 1)
    for h in np.linspace(mu, L, 50):
        assert (
            radius(iteration_matrix(1 / L, beta, h, nesterov=True)) <= 1 - 1 / np.sqrt(k) + 1e-6
        )  # a double root at h = mu: eigvals is accurate to ~1e-8


def test_nesterov_iteration_matrix_matches_the_optimizer():
    lr, beta, h = 0.05, 0.8, 3.0
    f = cl.objective("3*x**2/2")
    xs = cl.descend(f, SGD(lr=lr, momentum=beta, nesterov=True), [1.0], 30).xs[:, 0]
    M = iteration_matrix(lr, beta, h, nesterov=True)
    for t in range(1, 29):
        np.testing.assert_allclose(M[0] @ [xs[t], xs[t - 1]], xs[t + 1], rtol=1e-10, atol=1e-14)


def test_acceleration_step_counts_at_kappa_100():
    f = cl.objective("(x**2 + 100*y**2)/2")
    k = 100.0
    sk = np.sqrt(k)

    def steps(opt):
        d = np.linalg.norm(cl.descend(f, opt, [1.0, 1.0], 1000).xs, axis=-1) / np.sqrt(2)
        return np.nonzero(d >= 1e-6)[0][-1] + 1

    gd = steps(SGD(lr=2 / 101))
    hb = steps(SGD(lr=4 / 121, momentum=((sk - 1) / (sk + 1)) ** 2))
    nag = steps(SGD(lr=0.01, momentum=(sk - 1) / (sk + 1), nesterov=True))
    assert abs(gd - np.log(1e-6) / np.log(99 / 101)) < 5
    assert hb < 100 and nag < 200 and 5 * hb < gd


def test_stationary_spread_formula_by_monte_carlo():
    f = cl.objective("2*x**2/2")  # h = 2
    lrs = np.array([0.05, 0.005, 0.05])
    betas = np.array([0.0, 0.9, 0.5])

    def noisy(x, t, rng):
        return f.grad(x) + 1.5 * rng.standard_normal(x.shape)

    runs = cl.descend(
        f,
        SGD(lr=lrs[:, None, None], momentum=betas[:, None, None]),
        np.zeros((3, 400, 1)),
        2000,
        grad_fn=noisy,
        rng=3,
    )
    measured = (runs.xs[500:] ** 2).mean(axis=(0, 2, 3))
    np.testing.assert_allclose(measured, stationary_spread(lrs, betas, 2.0, 1.5), rtol=0.08)
    # equal effective step (0.05): nearly equal floors, ~ gamma sigma^2 / (2h)
    assert np.isclose(measured[0], measured[1], rtol=0.12)
    assert np.isclose(stationary_spread(1e-5, 0.9, 2.0, 1.5) / (1e-4 * 1.5**2 / 4), 1.0, rtol=1e-3)


def test_stationary_spread_is_infinite_when_unstable():
    assert np.isinf(stationary_spread(4.5, 0.9, 1.0, 1.0))
    assert np.isinf(stationary_spread(0.0, 0.9, 1.0, 1.0))


def test_iterate_averaging_reduces_the_spread():
    f = cl.objective("x**2/2")

    def noisy(x, t, rng):
        return f.grad(x) + rng.standard_normal(x.shape)

    runs = cl.descend(f, SGD(lr=0.1), np.zeros((400, 1)), 1500, grad_fn=noisy, rng=5)
    last = (runs.x**2).mean()
    averaged = (runs.xs[500:].mean(axis=0) ** 2).mean()
    assert averaged < last / 20
