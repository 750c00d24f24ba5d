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


def test_epoch_average_with_unequal_batches_needs_the_weights_b_over_n():
    """Cell 23 (E15): averaging the batch gradients of one epoch at one point gives the full gradient exactly for
    equal batches, and for unequal ones when batch j is weighted by |B_j|/n; n = 10, |B| = 3 gives 3, 3, 3, 1, where
    the plain mean of the four batch gradients is not the full gradient."""
    X, y, _ = reg.make_data(12, 3, noise=0.7, rng=23)
    beta = np.array([0.3, -0.2, 0.5])
    for seed in range(5):
        # equal sizes: n = 12, |B| = 3, the plain mean is exact
        equal = list(reg.minibatches(12, 3, np.random.default_rng(seed)))
        assert [len(b) for b in equal] == [3, 3, 3, 3]
        plain = np.mean([reg.mse_grad(X[b], y[b], beta) for b in equal], axis=0)
        np.testing.assert_allclose(plain, reg.least_squares(X, y, loss="mse").grad(beta), rtol=1e-12, atol=1e-14)
        # unequal sizes: n = 10, |B| = 3
        X10, y10 = X[:10], y[:10]
        full = reg.least_squares(X10, y10, loss="mse").grad(beta)
        batches = list(reg.minibatches(10, 3, np.random.default_rng(seed)))
        assert [len(b) for b in batches] == [3, 3, 3, 1]
        grads = np.array([reg.mse_grad(X10[b], y10[b], beta) for b in batches])
        weights = np.array([len(b) for b in batches]) / 10
        np.testing.assert_allclose(weights @ grads, full, rtol=1e-12, atol=1e-14)
        assert np.linalg.norm(grads.mean(axis=0) - full) > 0.05 * np.linalg.norm(full)


def _exact_second_moment(steps, c=1.0, t0=10, h=1.0, sigma=1.0, x0=5.0):
    """E[x_t^2], t = 0..steps, of x_t = (1 - eta h) x_{t-1} - eta xi_t, eta = c/(t - 1 + t0), xi ~ N(0, sigma^2).

    Exact: v_t = a_t v_{t-1} + b_t with a_t = (1 - eta h)^2, b_t = eta^2 sigma^2, solved in closed form with the
    running products P_t = a_1 ... a_t: v_t = P_t (x0^2 + sum_{k <= t} b_k / P_k) (vectorized, so 10^6 steps are
    fast). Returns the total and its two parts: the start (sigma = 0) and the noise (x0 = 0).
    """
    k = np.arange(1, steps + 1)
    eta = c / (k - 1 + t0)
    P = np.exp(np.cumsum(np.log((1 - eta * h) ** 2)))
    start = np.concatenate([[x0**2], P * x0**2])
    noise = np.concatenate([[0.0], P * np.cumsum(eta**2 * sigma**2 / P)])
    return start + noise, start, noise


def test_second_moment_under_the_schedule_one_over_t_plus_10():
    """Cell 35-36: f = x^2/2, g = x + xi, xi ~ N(0, 1), lr_schedule 1/(t + 10), x_0 = 5 (500 runs in the notebook).

    The exact second moment is E[x_t^2] = (25 * 81 + t)/(t + 9)^2: checked against a plain loop over the variance
    recursion, then against 2000 Monte Carlo runs of cl.descend at t = 300, 1000, 3000. Cell 36: the noise part
    shrinks like 1/t, the memory of the start like 1/t^2, which is why E[x^2] falls faster than 1/t here.
    """
    t = np.arange(3001)
    closed = (25 * 81 + t) / (t + 9.0) ** 2
    v, loop = 25.0, [25.0]
    for step in range(1, 3001):
        eta = 1 / (step - 1 + 10)
        v = (1 - eta) ** 2 * v + eta**2
        loop.append(v)
    np.testing.assert_allclose(loop, closed, rtol=1e-12)
    total, start, noise = _exact_second_moment(3000)
    np.testing.assert_allclose(total, closed, rtol=1e-10)
    np.testing.assert_allclose(start, 2025 / (t + 9.0) ** 2, rtol=1e-10)
    np.testing.assert_allclose(noise, t / (t + 9.0) ** 2, rtol=1e-10)

    quad = cl.objective("x**2/2")
    runs = cl.descend(
        quad,
        SGD(lr=0.1),
        np.full((2000, 1), 5.0),
        3000,
        grad_fn=noisy_gradient(quad, 1.0),
        rng=4,
        lr_schedule=lambda s: 1.0 / (s + 10),
    )
    for k in (300, 1000, 3000):
        assert (runs.xs[k] ** 2).mean() == pytest.approx(closed[k], rel=0.15)

    # the two parts for large t: t * noise -> 1 (like 1/t), t^2 * start -> 2025 (like 1/t^2)
    total, start, noise = _exact_second_moment(10**6)
    for k in (10**4, 10**5, 10**6):
        assert k * noise[k] == pytest.approx(1.0, rel=20 / k)
        assert k**2 * start[k] == pytest.approx(2025.0, rel=20 / k)
    assert closed[300] / closed[3000] > 10 * 1.5  # faster than 1/t from 300 to 3000 (1/t: 10x; here 44x)


def test_one_over_t_rate_needs_c_h_above_one_half():
    """Cell 39, Try this 3: eta_t = c/(t + t0) on h x^2/2 with gradient noise sigma decays like 1/t only when
    c h > 1/2; otherwise like t^(-2ch). Exact variance recursion (x_0 = 5, t0 = 10, sigma = 1), log-log slope of
    E[x_t^2] over t in [1e4, 1e6]: about -1 for c h = 1 (and 2), about -2ch = -0.4 for c h = 0.2. And with c = 0.2
    the run is "far behind" after 3,000 steps."""
    t = np.unique(np.logspace(4, 6, 60).astype(int))
    slopes = {}
    for c, h in ((0.2, 1.0), (1.0, 1.0), (0.5, 4.0)):
        total, _, noise = _exact_second_moment(10**6, c=c, h=h)
        slopes[c * h] = np.polyfit(np.log(t), np.log(total[t]), 1)[0]
        if c * h > 0.5:
            assert np.polyfit(np.log(t), np.log(noise[t]), 1)[0] == pytest.approx(-1.0, abs=0.01)
    assert slopes[0.2] == pytest.approx(-0.4, abs=0.02)
    assert slopes[1.0] == pytest.approx(-1.0, abs=0.05)  # -1.03: the start part 2025/t^2 still shows at t = 1e4
    assert slopes[2.0] == pytest.approx(-1.0, abs=0.05)
    small, large = _exact_second_moment(3000, c=0.2)[0][-1], _exact_second_moment(3000, c=1.0)[0][-1]
    assert small > 1000 * large  # 2.49 against 5.5e-4


def _tilted_well_critical_points(tilt):
    """The critical points of (x^2 - 1)^2 + tilt x, the roots of 4x^3 - 4x + tilt: deep minimum, barrier, shallow."""
    return np.sort(np.roots([4.0, 0.0, -4.0, tilt]).real)


def test_double_well_minima_and_barrier():
    """Cell 40-41: (x^2 - 1)^2 + 0.3x has a deeper minimum near -1.04, a shallower one near 0.96 and a barrier
    (local maximum) at x ~ 0.075 (printed rounded to 0.0754)."""
    well = cl.surface("double_well")
    x = well.variables[0]
    assert sp.simplify(well.expr - ((x**2 - 1) ** 2 + sp.Rational(3, 10) * x)) == 0
    roots = _tilted_well_critical_points(0.3)  # f'(x) = 4x^3 - 4x + 0.3, three real roots
    np.testing.assert_allclose(well.minima[:, 0], roots[[0, 2]], atol=1e-9)  # deeper first
    np.testing.assert_allclose(well.minima[:, 0], [-1.0356, 0.9601], atol=1e-4)
    assert [round(m, 2) for m in well.minima[:, 0]] == [-1.04, 0.96]
    assert well.value(well.minima[0]) < well.value(well.minima[1])
    barrier = float(sp.nsolve(sp.diff(well.expr, x), 0.0))  # as the notebook finds it
    assert barrier == pytest.approx(roots[1], abs=1e-12)
    assert round(barrier, 4) == 0.0754
    assert float(sp.diff(well.expr, x, 2).subs(x, barrier)) < 0  # a local maximum


def test_smaller_tilt_double_well_depths_and_barriers():
    """Cell 45, Try this 4: for g = (x^2 - 1)^2 + 0.1x with minima=[[-1.012], [0.987]], "the two wells differ in depth
    by 0.2 instead of 0.6, and the barrier seen from the shallow well is higher (0.90 instead of 0.72)"; the
    explorer is given barrier = 0.025. The 0.6 and 0.72 are the 0.3x well of cell 40 (cl.surface("double_well"))."""
    g = cl.objective("(x**2 - 1)**2 + 0.1*x", minima=[[-1.012], [0.987]])

    def value(tilt, z):
        return (z**2 - 1) ** 2 + tilt * z

    deep, top, shallow = _tilted_well_critical_points(0.1)
    np.testing.assert_allclose(g.minima[:, 0], [deep, shallow], atol=5e-4)  # the given minima, to 3 decimals
    np.testing.assert_allclose(g.grad(g.minima), 0.0, atol=5e-3)
    assert round(top, 3) == 0.025
    points = np.array([deep, top, shallow])
    np.testing.assert_allclose(g.value(points[:, None]), value(0.1, points))
    depth, height = value(0.1, shallow) - value(0.1, deep), value(0.1, top) - value(0.1, shallow)
    well = cl.surface("double_well")
    w_deep, w_top, w_shallow = _tilted_well_critical_points(0.3)
    np.testing.assert_allclose(well.minima[:, 0], [w_deep, w_shallow], atol=1e-9)
    w_depth = float(well.value(well.minima[1]) - well.value(well.minima[0]))
    w_height = value(0.3, w_top) - value(0.3, w_shallow)
    assert depth == pytest.approx(0.2, abs=0.005) and w_depth == pytest.approx(0.6, abs=0.005)
    assert height == pytest.approx(0.90, abs=0.005) and w_height == pytest.approx(0.72, abs=0.005)
    assert height > w_height


def test_full_batch_eventually_wins_on_precision():
    """Cell 49-50: on the ill-conditioned problem (kappa ~ 100), full-batch GD with 2/(mu + L) "keeps improving
    geometrically and would eventually win on precision" over constant-step SGD (|B| = 10, lr 0.3 and |B| = 100,
    lr 0.5), which "stalls at its noise floor"; per pass SGD is far ahead early on. The notebook draws ys with its
    running rng; here a fresh seeded one."""
    rng = np.random.default_rng(0)
    Xs = reg.make_data(2000, 3, noise=0.5, rng=7)[0] * np.array([1.0, 0.3, 0.1])
    ys = Xs @ np.array([1.0, -2.0, 3.0]) + 0.5 * rng.standard_normal(2000)
    prob = reg.least_squares(Xs, ys, loss="mse")
    mu, L = prob.eigenvalues()[[0, -1]]
    assert L / mu == pytest.approx(100, rel=0.1)
    f_star = prob.value(prob.minima[0])
    full = cl.descend(prob, SGD(lr=2 / (mu + L)), np.zeros(3), 300).values - f_star  # one step per pass
    # geometric: the gap shrinks by ((kappa - 1)/(kappa + 1))^2 per pass
    rate = ((L / mu - 1) / (L / mu + 1)) ** 2
    assert full[300] / full[200] == pytest.approx(rate**100, rel=0.02)
    for B, lr in [(10, 0.3), (100, 0.5)]:
        sgd = cl.descend(prob, SGD(lr=lr), np.zeros(3), 30 * 2000 // B, grad_fn=reg.minibatch_grad(Xs, ys, B), rng=8)
        gap = sgd.values - f_star
        per_pass = 2000 // B
        floor = gap[-10 * per_pass :].mean()  # the last 10 of 30 passes
        assert gap[-20 * per_pass : -10 * per_pass].mean() < 3 * floor  # stalled: passes 10-20 are no worse than 3x
        assert gap[-10 * per_pass :].mean() > 0.3 * gap[-20 * per_pass : -10 * per_pass].mean()
        assert full[30] > 10 * floor  # after 30 passes full batch is still far behind (0.32 against 1e-2, 3e-3)
        assert full[300] < floor / 100  # after 300 passes it has won (5.6e-6)


# ----------------------------------------------------------------------------------------------------
# Interpolation, the noise model, schedules, large batches (sections 5, 7, 8)
# ----------------------------------------------------------------------------------------------------


def _seed_problems():
    """Chapter 04's noise-free data with a bias column, and a copy with small errors added to y."""
    Xa = reg.add_bias(reg.seed_data()[0])
    Y = np.stack([reg.seed_data()[1], reg.seed_data()[1] + np.array([0.3, -0.2, -0.3, 0.2])])
    solutions = np.stack([reg.least_squares(Xa, y_, loss="mse").minima[0] for y_ in Y])

    def one_row(b, t, r):
        i = r.integers(len(Xa))
        return -2 * Xa[i] * (Y[:, i] - b @ Xa[i])[:, None]

    return Xa, Y, solutions, one_row


def test_constant_step_sgd_converges_under_interpolation_and_stalls_with_noise():
    """Section 5: with every per-example gradient zero at the optimum (noise-free data), SGD with |B| = 1 and the
    constant lr 0.02 converges to round-off (< 1e-11 after 10,000 steps, about 1e-14 by 20,000); with noise at the
    optimum the same run stalls at a floor of a few hundredths. Try this 4: at lr 0.1 the noise-free run still
    converges and the noisy floor is higher."""
    Xa, Y, solutions, one_row = _seed_problems()
    per_example = -2 * Xa * (Y - solutions @ Xa.T)[..., None]  # (problem, example, coefficient)
    assert np.abs(per_example[0]).max() < 1e-12  # interpolation: all vanish
    assert np.abs(per_example[1]).max() > 0.5  # noisy: they do not
    f = reg.least_squares(Xa, Y[0], loss="mse")
    run = cl.descend(f, SGD(lr=0.02), np.zeros((2, 3)), 20_000, grad_fn=one_row, rng=0)
    err = np.abs(run.xs - solutions).max(axis=-1)
    assert err[10_000, 0] < 1e-11 and err[20_000, 0] < 1e-13
    assert err[1000, 0] > 1e-3  # it really had to converge
    late, later = err[5000:10_000, 1].mean(), err[15_000:, 1].mean()
    assert 0.01 < late < 0.2 and 0.01 < later < 0.2 and 1 / 3 < later / late < 3  # a floor, not a decay
    fast = cl.descend(f, SGD(lr=0.1), np.zeros((2, 3)), 10_000, grad_fn=one_row, rng=0)
    err_fast = np.abs(fast.xs - solutions).max(axis=-1)
    assert err_fast[-1, 0] < 1e-12
    assert err_fast[5000:, 1].mean() > 3 * late


def _one_d_regression():
    d = np.random.default_rng(0)
    x1 = d.standard_normal(1000)
    y1 = 2 * x1 + 0.5 * d.standard_normal(1000)
    return d, x1, y1, (x1 @ y1) / (x1 @ x1), 2 * np.mean(x1**2)


def test_additive_noise_model_matches_real_minibatch_noise_only_for_small_steps_near_the_minimum():
    """Section 5: the additive model with sigma^2 measured at the minimum predicts the floor of single-example SGD
    for lr 0.01 (ratio ~1) but not for lr 0.2 (ratio > 2: the picked example's curvature multiplies the error);
    the noise is 34 times larger two units away; kurtosis about 9 for |B| = 1 and about 3 for |B| = 64."""
    from course_lib.segmented import descend_segments

    d, x1, y1, b_star, h1 = _one_d_regression()

    def noise_at(b):
        return np.var(-2 * x1 * (y1 - x1 * b))

    assert noise_at(b_star) == pytest.approx(0.99, abs=0.01)
    assert noise_at(b_star + 2) == pytest.approx(34.0, abs=0.1)
    g1 = -2 * x1 * (y1 - x1 * b_star)

    def kurt(v):
        return np.mean((v - v.mean()) ** 4) / np.var(v) ** 2

    g64 = g1[d.integers(0, 1000, size=(4000, 64))].mean(axis=1)
    assert 8 < kurt(g1) < 10 and 2.6 < kurt(g64) < 3.4

    def one_example(b, t, r):
        i = r.integers(0, len(x1), size=b.shape[:-1])
        return (-2 * x1[i] * (y1[i] - x1[i] * b[..., 0]))[..., None]

    lrs = np.array([0.01, 0.05, 0.1, 0.2])
    f1 = cl.objective(f"{h1 / 2}*(x - {b_star})**2")
    sq, done = np.zeros(4), 0
    start = np.full((4, 400, 1), b_star)
    for piece in descend_segments(f1, SGD(lr=lrs[:, None, None]), start, 2000, segment=250, grad_fn=one_example, rng=1):
        done += piece.steps
        sq += ((piece.xs[1:] - b_star) ** 2).sum(axis=(0, 2, 3)) if done > 500 else 0
    ratio = sq / (1500 * 400) / (lrs * noise_at(b_star) / (h1 * (2 - lrs * h1)))
    assert 0.95 < ratio[0] < 1.08  # the model holds for small steps
    assert ratio[3] > 2.0  # and fails for large ones
    assert np.all(np.diff(ratio) > 0)


def test_descend_segments_is_exactly_one_descend_call_and_refuses_stateful_optimizers():
    from course_lib.segmented import descend_segments

    well = cl.surface("double_well")
    start = np.full((3, 40, 1), 0.96)
    sig = np.array([1.0, 2.0, 3.0])[:, None, None]
    kw = dict(grad_fn=noisy_gradient(well, sig, cool_until=80), rng=5, lr_schedule=lambda t: 0.05 / (1 + t / 50))
    full = cl.descend(well, SGD(lr=0.05), start, 100, **kw)
    pieces = list(descend_segments(well, SGD(lr=0.05), start, 100, segment=30, **kw))
    assert [p.steps for p in pieces] == [30, 30, 30, 10]
    xs = np.concatenate([pieces[0].xs] + [p.xs[1:] for p in pieces[1:]])
    np.testing.assert_array_equal(xs, full.xs)
    with pytest.raises(ValueError, match="optimizer"):
        next(descend_segments(well, SGD(lr=0.05, momentum=0.9), start, 100, segment=30))
    with pytest.raises(ValueError, match="segment"):
        next(descend_segments(well, SGD(lr=0.05), start, 100, segment=0))


def test_schedules_values_and_validation():
    from course_lib import schedules as sch

    assert sch.inverse_time(1.0, 10)(0) == pytest.approx(0.1) and sch.inverse_time(1.0, 10)(90) == pytest.approx(0.01)
    step = sch.step_decay(0.1, every=1000)
    assert [step(t) for t in (0, 999, 1000, 2999)] == pytest.approx([0.1, 0.1, 0.01, 0.001])
    cos = sch.cosine(0.1, total=3000)
    assert cos(0) == pytest.approx(0.1) and cos(1500) == pytest.approx(0.05) and cos(3000) == 0 and cos(5000) == 0
    warm = sch.warmup(lambda t: 1.5, steps=100)
    assert warm(0) == pytest.approx(0.015) and warm(99) == pytest.approx(1.5) and warm(500) == 1.5
    for bad in (
        lambda: sch.inverse_time(-1, 10),
        lambda: sch.step_decay(0.1, every=0),
        lambda: sch.step_decay(0.1, every=10, factor=2.0),
        lambda: sch.cosine(0.1, total=10, lr_min=0.2),
        lambda: sch.warmup(3, steps=5),
    ):
        with pytest.raises(ValueError):
            bad()


def test_planned_schedules_end_below_the_constant_floor_but_stop_decaying_at_T():
    """Section 5, schedules: after 3,000 steps all four schedules are far below the constant rate's floor (0.05); the
    step schedule's last rate 0.001 has the floor 0.001/(2 - 0.001) ~ 5e-4, which its runs have not reached yet."""
    from course_lib import schedules as sch
    from course_lib.segmented import descend_segments

    quad, T = cl.objective("x**2/2"), 3000
    plans = [
        sch.inverse_time(1.0, 10),
        sch.step_decay(0.1, every=1000),
        sch.cosine(0.1, total=T),
        sch.warmup(sch.cosine(0.1, total=T), steps=100),
    ]

    def together(t):
        return np.array([p(t) for p in plans])[:, None, None]

    pieces = descend_segments(
        quad,
        SGD(lr=0.1),
        np.full((4, 500, 1), 5.0),
        T,
        segment=500,
        grad_fn=noisy_gradient(quad, 1.0),
        rng=4,
        lr_schedule=together,
    )
    *_, last = pieces
    msd = (last.x**2).mean(axis=(1, 2))
    assert np.all(msd < 0.05 / 10)
    floor = 0.001 / (2 - 0.001)
    assert floor == pytest.approx(5e-4, rel=0.01) and msd[1] > 1.5 * floor
    assert sch.cosine(0.1, total=T)(T + 100) == 0


def _scaled_problem():
    Xs = reg.make_data(2000, 3, noise=0.5, rng=7)[0] * np.array([1.0, 0.3, 0.1])
    ys = Xs @ np.array([1.0, -2.0, 3.0]) + 0.5 * np.random.default_rng(0).standard_normal(2000)
    return Xs, ys, reg.least_squares(Xs, ys, loss="mse")


def test_linear_learning_rate_scaling_holds_while_k_lr_L_is_small_and_breaks_beyond_two():
    """Section 8: |B| = 5k, lr 0.02k, 10 passes: k = 1, 4, 16 give about the same per-pass loss gap (pass 2 and
    pass 10); k = 80 (lr L ~ 3.2 > 2) diverges."""
    Xs, ys, prob = _scaled_problem()
    f_star, L = prob.value(prob.minima[0]), prob.eigenvalues()[-1]
    assert L == pytest.approx(2.0, rel=0.05)
    gaps = {}
    for k in (1, 4, 16, 80):
        B, lr = 5 * k, 0.02 * k
        run = cl.descend(prob, SGD(lr=lr), np.zeros(3), 10 * 2000 // B, grad_fn=reg.minibatch_grad(Xs, ys, B), rng=8)
        if k == 80:
            assert run.diverged and lr * L > 2
            continue
        assert not run.diverged
        gaps[k] = (run.values[1:] - f_star).reshape(10, -1).mean(axis=1)
    for k in (4, 16):
        assert gaps[k][1] == pytest.approx(gaps[1][1], rel=0.1)
        assert gaps[k][-1] == pytest.approx(gaps[1][-1], rel=0.15)


def test_warm_up_rescues_large_early_curvature_but_not_a_rate_too_large_at_the_minimum():
    """Section 8: lr 1.5 from x0 = 3. On x^4/4 + x^2/2 (curvature 28 at the start, 1 at 0) the constant rate diverges
    and a 100-step warm-up converges; on x^2 (curvature 2 everywhere, 1.5 * 2 > 2) both diverge."""
    from course_lib import schedules as sch

    plans = {"constant": lambda t: 1.5, "warm-up": sch.warmup(lambda t: 1.5, steps=100)}
    quartic = {
        k: cl.descend(cl.objective("x**4/4 + x**2/2"), SGD(lr=1.5), [3.0], 300, lr_schedule=p) for k, p in plans.items()
    }
    square = {k: cl.descend(cl.objective("x**2"), SGD(lr=1.5), [3.0], 300, lr_schedule=p) for k, p in plans.items()}
    assert quartic["constant"].diverged and not quartic["warm-up"].diverged
    assert abs(quartic["warm-up"].x[0]) < 1e-12
    assert square["constant"].diverged and square["warm-up"].diverged
    assert square["warm-up"].diverged_at > 100  # the warm-up only delays it


def test_redundant_copies_have_the_same_full_gradient():
    X100, y100, _ = reg.make_data(100, 3, noise=0.5, rng=10)
    b3 = np.array([0.5, -1.0, 2.0])
    copies = reg.mse_grad(np.tile(X100, (10, 1)), np.tile(y100, 10), b3)
    np.testing.assert_allclose(copies, reg.mse_grad(X100, y100, b3), rtol=1e-12, atol=1e-12)


def test_sgd_figures_draw_series_in_distinct_styles():
    import matplotlib

    matplotlib.use("Agg")
    from course_lib import schedules as sch
    from course_lib.viz.sgd_figures import per_pass_figure, schedules_figure, timing_figure

    figs = [
        per_pass_figure({"a": (np.arange(1, 11), np.ones(10)), "b": (np.arange(1, 11), np.ones(10) / 2)}, title="t"),
        timing_figure(4 ** np.arange(4), [1e-5, 3e-6, 1e-6, 5e-7]),
        schedules_figure({"a": sch.inverse_time(1.0, 10), "b": sch.cosine(0.1, total=50)}, 50),
    ]
    for fig in figs:
        lines = fig.axes[0].get_lines()
        assert len({(ln.get_linestyle(), ln.get_marker()) for ln in lines}) == len(lines) >= 2


def test_one_example_gradient_points_along_the_full_gradient_on_average_not_against_it():
    # E27: E_i[grad f_i . grad f] = |grad f|^2 >= 0 (equality only where grad f = 0), though single
    # examples can point against grad f.
    X, y, _ = reg.make_data(1000, 2, noise=1.0, rng=1)
    mse = reg.least_squares(X, y, loss="mse")
    for beta, sign in [(np.zeros(2), 1), (mse.minima[0], 0)]:
        per_example = -2 * X * (y - X @ beta)[:, None]
        full = mse.grad(beta)
        along = per_example @ full
        assert along.mean() == pytest.approx(full @ full, rel=1e-10, abs=1e-20)
        if sign:
            assert along.mean() > 0 and 0.1 < (along < 0).mean() < 0.5  # positive mean, yet a minority against
        else:
            assert abs(along.mean()) < 1e-20  # at the minimum there is no direction to point along
