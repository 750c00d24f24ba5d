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


def noisy_momentum_runs(f, sigma, lrs, betas, trajectories, rng, steps=2000):
    """SGD with momentum on a 1-D ``f`` from 0, gradients plus N(0, sigma^2) noise: one row of ``trajectories``
    runs per (lr, beta) pair, all in one batched descend call."""

    def noisy(x, t, rng):
        return f.grad(x) + sigma * rng.standard_normal(x.shape)

    opt = SGD(lr=lrs[:, None, None], momentum=betas[:, None, None])
    return cl.descend(f, opt, np.zeros((len(lrs), trajectories, 1)), steps, grad_fn=noisy, rng=rng)


def test_stationary_spread_formula_by_monte_carlo():
    f = cl.objective("2*x**2/2")  # h = 2
    lrs = np.array([0.05, 0.005, 0.05])
    betas = np.array([0.0, 0.9, 0.5])

    runs = noisy_momentum_runs(f, 1.5, lrs, betas, trajectories=400, rng=3)
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


def test_heavy_ball_count_exceeds_its_rate_prediction_by_the_double_root_factor():
    # notebooks/06_momentum.ipynb, cells 38-39 (section 6, kappa = 100): the rate (sqrt(k)-1)/(sqrt(k)+1) = 9/11
    # predicts about ln(1e-6)/ln(9/11) ~ 69 steps; the run prints "heavy ball (Polyak) : 93 steps"; "a polynomial
    # factor in front (its two contraction factors coincide at Polyak's parameters) adds a couple of dozen".
    kappa = 100
    sk = np.sqrt(kappa)
    mu, L = 1.0, float(kappa)
    lr, beta = 4 / (1 + sk) ** 2, ((sk - 1) / (sk + 1)) ** 2
    rate = (sk - 1) / (sk + 1)
    assert np.isclose(rate, 9 / 11, rtol=1e-12)
    predicted = np.log(1e-6) / np.log(rate)
    assert round(predicted) == 69

    # the notebook's run, exactly (cell 38)
    quad100 = cl.objective(f"(x**2 + {kappa}*y**2)/2")
    xs = cl.descend(quad100, SGD(lr=lr, momentum=beta), [1.0, 1.0], 800).xs
    d = np.linalg.norm(xs, axis=-1) / np.sqrt(2)
    count = np.nonzero(d >= 1e-6)[0][-1] + 1
    assert count == 93  # the number printed in cell 38
    assert 15 <= count - predicted <= 30  # "a couple of dozen" more than the rate predicts

    # z^2 - (1 + beta - lr h) z + beta has a double root r at both extreme curvatures (discriminant 0) ...
    for h, sign in ((mu, 1), (L, -1)):
        A = 1 + beta - lr * h
        assert abs(A**2 - 4 * beta) < 1e-12
        assert np.isclose(A / 2, sign * rate, rtol=1e-12)  # the double root is +-9/11
    # ... and a complex pair of modulus sqrt(beta) = rate strictly inside (no polynomial factor there)
    A_mid = 1 + beta - lr * 10.0
    assert A_mid**2 - 4 * beta < -0.1
    assert np.isclose(radius(iteration_matrix(lr, beta, 10.0)), rate, rtol=1e-9)

    # the double root makes each coordinate (1 + b t) r^t (x_{-1} = x_0: torch's first step is plain GD); the
    # polynomial factor, largest on the steep axis (b = 18/11), is what pushes the count from ~69 to 93
    t = np.arange(xs.shape[0])
    closed = []
    for h, sign in ((mu, 1), (L, -1)):
        r = sign * rate
        b = (1 - lr * h) / r - 1
        closed.append((1 + b * t) * r**t)
    closed = np.stack(closed, axis=-1)
    np.testing.assert_allclose(xs, closed, rtol=1e-7, atol=1e-14)
    assert np.nonzero(np.linalg.norm(closed, axis=-1) / np.sqrt(2) >= 1e-6)[0][-1] + 1 == count


def test_rosenbrock_hessian_eigenvalues_at_the_minimum():
    # notebooks/06_momentum.ipynb, cell 41 (Try this 3): mu ~ 0.4 and L ~ 1002 from the Hessian at (1, 1)
    # (eigenvalues 0.3994 and 1001.60)
    hess = cl.surface("rosenbrock").hess(np.array([1.0, 1.0]))
    np.testing.assert_allclose(hess, [[802.0, -400.0], [-400.0, 200.0]], rtol=1e-12)
    mu, L = np.linalg.eigvalsh(hess)
    assert mu == pytest.approx(0.3994, abs=5e-5) and mu == pytest.approx(0.4, abs=0.01)
    assert L == pytest.approx(1001.60, abs=5e-3) and L == pytest.approx(1002, abs=0.5)


def test_noise_floor_and_averaging_numbers_stated_in_the_notebook():
    # notebooks/06_momentum.ipynb, section 9 and pitfall E37: 4 settings, one call of 500 runs each (rng = 0..3),
    # h = sigma = 1, 2000 steps; E[x^2] over steps 500 to 2000 is printed as 0.0529 / 0.0504 / 0.0493 / 0.5115 next
    # to the formula's 0.0526 / 0.0501 / 0.0500 / 0.5135; "keeping the learning rate while raising beta makes the
    # floor ten times higher"; "0.05 in all three rows"; averaging the plain-SGD iterates: last iterate
    # E[x^2] = 0.05225, average E[x^2] = 0.00069.
    one_d = cl.objective("x**2/2")
    lrs, betas = np.array([0.1, 0.01, 0.001, 0.1]), np.array([0.0, 0.9, 0.99, 0.9])
    runs = [noisy_momentum_runs(one_d, 1.0, lrs[k : k + 1], betas[k : k + 1], 500, rng=k) for k in range(4)]
    measured = np.array([(r.xs[500:] ** 2).mean() for r in runs])
    formula = stationary_spread(lrs, betas, 1.0, 1.0)
    np.testing.assert_allclose(measured, [0.0529, 0.0504, 0.0493, 0.5115], atol=6e-5)  # the printed measurements
    np.testing.assert_allclose(formula, [0.0526, 0.0501, 0.0500, 0.5135], atol=6e-5)  # the printed formula values
    np.testing.assert_allclose(measured, formula, rtol=0.03)  # Monte Carlo agrees with the formula
    np.testing.assert_allclose(measured[:3], 0.05, atol=0.005)  # E37: 0.05 in the three equal-effective-step rows
    assert 9 < measured[3] / measured[1] < 11  # same beta 0.9, lr x10: floor about ten times higher

    plain = runs[0].xs[:, 0]
    last = (plain[-1] ** 2).mean()
    averaged = (plain[500:].mean(axis=0) ** 2).mean()
    assert last == pytest.approx(0.05225, abs=6e-6)
    assert averaged == pytest.approx(0.00069, abs=6e-6)
    # consistent with theory: the last iterate sits at the floor lr/(2 - lr) (500 runs: ~6% sampling error), and
    # the mean of K iterates of x_t = (1 - lr) x_{t-1} - lr xi_t has variance ~ sigma^2 / (h^2 K)
    assert last == pytest.approx(formula[0], rel=0.2)
    assert averaged == pytest.approx(1 / plain[500:].shape[0], rel=0.2)


# ----------------------------------------------------------------------------------------------------
# Why momentum accelerates (section 6), beyond quadratics (section 7), escaping minima and saddles (section 8)
# ----------------------------------------------------------------------------------------------------


def test_spectral_radius_is_the_largest_eigenvalue_modulus_of_the_2x2_map():
    from course_lib import momentum_analysis as ma

    r = np.random.default_rng(0)
    lr, beta, h = r.uniform(0, 2, 200), r.uniform(0, 0.999, 200), r.uniform(0.1, 3, 200)
    M = ma.iteration_matrix(lr, beta, h)
    np.testing.assert_allclose(M, [iteration_matrix(*p) for p in zip(lr, beta, h)])
    expected = np.abs(np.linalg.eigvals(M)).max(axis=-1)
    np.testing.assert_allclose(ma.spectral_radius(lr, beta, h), expected, rtol=1e-6, atol=1e-7)
    for bad in (dict(lr=-1.0, momentum=0.5, curvature=1.0), dict(lr=0.1, momentum=1.5, curvature=1.0)):
        with pytest.raises(ValueError, match="lr|momentum"):
            ma.spectral_radius(**bad)


def test_above_critical_damping_every_curvature_shrinks_by_sqrt_beta_and_below_it_slower():
    """Section 6: complex roots (above beta = (1 - sqrt(eta h))^2 on the left branch, below (sqrt(eta h) - 1)^2's
    mirror on the right) have modulus sqrt(beta) whatever h; real roots (below the curve) have a larger radius."""
    from course_lib import momentum_analysis as ma

    a = np.linspace(0.01, 3.99, 400)
    crit = ma.critical_momentum(a)
    disc = (1 + crit - a) ** 2 - 4 * crit
    np.testing.assert_allclose(disc, 0, atol=1e-12)
    for beta in (0.3, 0.7, 0.95):
        inside = (a > (1 - np.sqrt(beta)) ** 2) & (a < (1 + np.sqrt(beta)) ** 2)
        radius = ma.spectral_radius(a, beta, 1.0)
        np.testing.assert_allclose(radius[inside], np.sqrt(beta), rtol=1e-12)  # holds: complex region
        assert np.all(radius[~inside] > np.sqrt(beta) - 1e-7)  # fails: real roots are slower
        assert np.all(radius[a < 0.9 * (1 - np.sqrt(beta)) ** 2] > np.sqrt(beta) + 1e-3)


def test_stability_region_of_the_map_is_eta_h_below_two_one_plus_beta():
    from course_lib import momentum_analysis as ma

    lr_h = 0.005 + 0.01 * np.arange(420)
    betas = np.linspace(0, 0.99, 100)
    radius = ma.spectral_radius(lr_h, betas[:, None], 1.0)
    assert np.array_equal(radius < 1, lr_h < 2 * (1 + betas[:, None]))
    np.testing.assert_allclose(radius[0], np.abs(1 - lr_h))


def test_polyak_parameters_solve_the_two_endpoint_equations_and_are_the_best_heavy_ball():
    """Section 6 / exercise 3: (1 - s)^2 = lr mu and (1 + s)^2 = lr L with s = sqrt(beta); the worst-case rate over
    [mu, L] is s = (sqrt(k) - 1)/(sqrt(k) + 1), and no (lr, beta) on a fine grid does better."""
    from course_lib import momentum_analysis as ma

    mu, L = 1.0, 100.0
    lr, beta = ma.polyak_parameters(mu, L)
    s = np.sqrt(beta)
    assert (1 - s) ** 2 == pytest.approx(lr * mu) and (1 + s) ** 2 == pytest.approx(lr * L)
    assert ma.worst_rate(lr, beta, mu, L) == pytest.approx(9 / 11, abs=1e-6)
    lrs = np.linspace(0.005, 0.06, 111)[:, None]
    betas = np.linspace(0.0, 0.95, 96)[None, :]
    best = ma.worst_rate(lrs, betas, mu, L, points=400).min()
    assert best >= 9 / 11 - 1e-3
    assert ma.worst_rate(2 / 101, 0.0, mu, L) == pytest.approx(99 / 101, abs=1e-9)  # GD's rate, the bottom row
    with pytest.raises(ValueError, match="L"):
        ma.polyak_parameters(2.0, 1.0)
    with pytest.raises(ValueError, match="mu"):
        ma.polyak_parameters(0.0, 1.0)


def test_polyak_on_rosenbrock_converges_near_the_minimum_and_diverges_from_far():
    """Section 7: Polyak's parameters from the Hessian at (1, 1) (mu ~ 0.4, L ~ 1002): from (0.9, 0.8) the heavy
    ball is at 7.6e-9 after 500 steps (GD with 2/(mu + L): 0.14); from (-1.5, 2) it diverges at step 5 while GD
    does not. Near the minimum the measured rate matches (sqrt(k) - 1)/(sqrt(k) + 1) (the local theorem)."""
    from course_lib import momentum_analysis as ma

    rosen = cl.surface("rosenbrock")
    mu, L = np.linalg.eigvalsh(rosen.hess(np.array([1.0, 1.0])))
    lr, beta = ma.polyak_parameters(mu, L)
    starts = np.array([[0.9, 0.8], [-1.5, 2.0]])
    hb = cl.descend(rosen, SGD(lr=lr, momentum=beta), starts, 500)
    gd = cl.descend(rosen, SGD(lr=2 / (mu + L)), starts, 500)
    d_hb, d_gd = np.linalg.norm(hb.x - 1, axis=-1), np.linalg.norm(gd.x - 1, axis=-1)
    assert d_hb[0] == pytest.approx(7.6e-9, rel=0.02) and not hb.diverged[0]
    assert d_gd[0] == pytest.approx(0.14, abs=0.005)
    assert hb.diverged[1] and hb.diverged_at[1] == 5
    far_h = np.linalg.eigvalsh(rosen.hess(np.array([-1.5, 2.0])))[-1]
    assert far_h == pytest.approx(2 * L, rel=0.1) and lr * far_h > 2 * (1 + beta)  # "about twice L", unstable
    assert not gd.diverged[1] and d_gd[1] == pytest.approx(0.037, abs=0.001)
    # local rate: log-distance slope over steps 200..500 against log((sqrt(k) - 1)/(sqrt(k) + 1))
    d = np.linalg.norm(hb.xs[:, 0] - 1, axis=-1)
    slope = np.polyfit(np.arange(200, 501), np.log(d[200:]), 1)[0]
    k = L / mu
    assert np.exp(slope) == pytest.approx((np.sqrt(k) - 1) / (np.sqrt(k) + 1), abs=0.01)
    # Try this (section 7): a valley-floor start at (1.2, 1.44) diverges, (0.5, 0.25) converges; halving lr survives
    more = cl.descend(rosen, SGD(lr=lr, momentum=beta), np.array([[0.5, 0.25], [1.2, 1.44]]), 500)
    assert not more.diverged[0] and more.diverged[1]
    half = cl.descend(rosen, SGD(lr=lr / 2, momentum=beta), starts, 500)
    assert not half.diverged.any() and np.linalg.norm(half.x[0] - 1) > 100 * d_hb[0]


def test_momentum_escapes_a_shallow_minimum_only_when_it_arrives_with_speed():
    """Section 8 (E10): on the double well, lr 0.02, 3000 steps, starts at rest at the shallow minimum, 1.2, 1.5,
    2.0, 2.5; beta = 0 never escapes, beta >= 0.8 escapes from 2.0 and 2.5, beta = 0.95 also from 1.5; from rest at
    the shallow minimum no beta escapes. Try this: from -2.5 with beta 0.95 it stays in the deep well."""
    well = cl.surface("double_well")
    starts = np.array([well.minima[1, 0], 1.2, 1.5, 2.0, 2.5])
    betas = np.array([0.0, 0.5, 0.8, 0.9, 0.95])
    run = cl.descend(well, SGD(lr=0.02, momentum=betas[:, None, None]), starts[:, None] + np.zeros((5, 5, 1)), 3000)
    deep = run.x[..., 0] < 0
    expected = np.array(
        [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1], [0, 0, 1, 1, 1]], dtype=bool
    )
    assert np.array_equal(deep, expected)
    assert np.all(np.abs(well.grad(run.x)) < 1e-8)
    back = cl.descend(well, SGD(lr=0.02, momentum=0.95), [-2.5], 3000)
    assert back.x[0] < 0


def test_momentum_leaves_a_saddle_sooner_but_not_towards_the_deeper_well():
    """Section 8: f = (x^2 - 1)^2 + 0.3x + y^2 from (x_b + 1e-6, 1): |x - x_b| > 0.5 from step 177 (beta 0),
    103 (0.5), 58 (0.9); all end in the shallow well near 0.96."""
    import sympy as sp

    well = cl.surface("double_well")
    saddle_f = cl.objective("(x**2 - 1)**2 + 0.3*x + y**2")
    x_b = float(sp.nsolve(sp.diff(well.expr, well.variables[0]), 0.0))
    np.testing.assert_allclose(saddle_f.grad(np.array([x_b, 0.0])), 0.0, atol=1e-12)
    assert np.linalg.det(saddle_f.hess(np.array([x_b, 0.0]))) < 0  # a saddle
    leaves = []
    for b in (0.0, 0.5, 0.9):
        xs = cl.descend(saddle_f, SGD(lr=0.02, momentum=b), [x_b + 1e-6, 1.0], 2000).xs
        leaves.append(int(np.argmax(np.abs(xs[:, 0] - x_b) > 0.5)))
        assert xs[-1, 0] == pytest.approx(well.minima[1, 0], abs=1e-6)
    assert leaves == [177, 103, 58]


def test_momentum_map_figures_draw_series_in_distinct_styles():
    import matplotlib

    matplotlib.use("Agg")
    from course_lib import momentum_analysis as ma
    from course_lib.viz.momentum_maps import distance_figure, radius_map_figure, rate_profile_figure

    lr_h, betas = 0.005 + 0.01 * np.arange(50), np.linspace(0, 0.9, 10)
    fig = radius_map_figure(lr_h, betas, ma.spectral_radius(lr_h, betas[:, None], 1.0), marks={"GD": (1.0, 0.0)})
    assert fig.axes[0].get_xlabel().startswith("ηh")
    for fig in (
        rate_profile_figure(np.geomspace(1, 100, 20), {"a": np.ones(20), "b": np.zeros(20)}),
        distance_figure({"a": np.ones(30), "b": np.ones(30) / 2, "c": np.ones(30) / 4}, title="t"),
    ):
        lines = fig.axes[0].get_lines()
        styles = {(ln.get_linestyle(), ln.get_marker()) for ln in lines}
        assert len(styles) == len(lines)


@pytest.mark.parametrize("beta", [0.25, 0.6, 0.9])
def test_below_critical_damping_the_slow_root_is_positive_on_the_left_and_negative_on_the_right(beta):
    # Real roots (discriminant > 0) outside [(1 - sqrt b)^2, (1 + sqrt b)^2]: the dominant root exceeds
    # sqrt(beta) in modulus; it is positive left of the curve (creeping) and negative right of it (sign flips).
    # Inside the interval both roots are complex with modulus sqrt(beta).
    lo, hi = (1 - np.sqrt(beta)) ** 2, (1 + np.sqrt(beta)) ** 2
    for eta_h, sign in [(0.5 * lo, 1), (0.5 * (lo + hi), 0), ((hi + 2 * (1 + beta)) / 2, -1)]:
        roots = np.roots([1.0, -(1 + beta - eta_h), beta])
        top = roots[np.argmax(np.abs(roots))]
        if sign == 0:
            assert np.allclose(np.abs(roots), np.sqrt(beta)) and abs(top.imag) > 0
        else:
            assert abs(top.imag) < 1e-12 and abs(top) > np.sqrt(beta) + 1e-9 and np.sign(top.real) == sign
