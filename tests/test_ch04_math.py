"""Every formula and number that notebooks/04_linear_regression.ipynb states, checked independently.

The gradient formulas are derived with SymPy in the notebook; here they are re-checked with SymPy on other
problem sizes and numerically. The numbers (seed example, eigenvalues, step counts, angles, stall distances)
are recomputed from scratch.
"""

import math

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib import regression as R
from course_lib.optimizers import SGD

X, Y = R.seed_data()
XA = R.add_bias(X)
START = np.array([10.1, 15.1, -6.5])
BETA_STAR = np.array([1.0, 2.0, 3.0])


def symbolic_problem(n, d):
    Xs = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"X{i}{j}", real=True))
    ys = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i}", real=True))
    bs = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"b{j}", real=True))
    return Xs, ys, bs, ys - Xs * bs


@pytest.mark.parametrize("n, d", [(2, 2), (4, 3)])
def test_all_gradient_formulas_symbolically(n, d):
    Xs, ys, bs, r = symbolic_problem(n, d)
    sse = (r.T * r)[0]

    def grad(expr):
        return sp.Matrix([sp.diff(expr, b) for b in bs])

    claims = [
        (sse, -2 * Xs.T * r),
        (sse / 2, -Xs.T * r),
        (sse / n, -sp.Rational(2, n) * Xs.T * r),
        (sp.sqrt(sse / n), -(Xs.T * r) / (n * sp.sqrt(sse / n))),
        (sp.sqrt(sse), -(Xs.T * r) / sp.sqrt(sse)),
    ]
    # evaluate the differences at a random rational point (exact arithmetic, nonzero residual)
    rng = np.random.default_rng(n * 10 + d)
    symbols = list(Xs) + list(ys) + list(bs)
    values = rng.integers(-20, 20, len(symbols))
    point = {s: sp.Rational(int(v), 7) for s, v in zip(symbols, values, strict=True)}
    for loss, claimed in claims:
        difference = (grad(loss) - claimed).subs(point)
        assert all(sp.simplify(entry) == 0 for entry in difference)


def test_chain_rule_pieces_with_the_index_kept():
    """dA/dbeta_k = sum_i (2/n) B_i (-X_ik) and dRMSE/dbeta_k = dA/dbeta_k / (2 sqrt(A))."""
    n, d = 3, 2
    Xs, ys, bs, r = symbolic_problem(n, d)
    B = list(r)
    A = sum(Bi**2 for Bi in B) / n
    for k in range(d):
        chain = sum(sp.Rational(2, n) * B[i] * (-Xs[i, k]) for i in range(n))
        assert sp.expand(sp.diff(A, bs[k]) - chain) == 0
        assert sp.simplify(sp.diff(sp.sqrt(A), bs[k]) - chain / (2 * sp.sqrt(A))) == 0


def test_rmse_is_norm_over_sqrt_n_and_gradients_scale_alike():
    beta = np.array([0.3, -0.2, 1.0])
    assert R.residual_norm(XA, Y, beta) == pytest.approx(2 * R.rmse(XA, Y, beta))  # sqrt(4) = 2
    np.testing.assert_allclose(R.residual_norm_grad(XA, Y, beta), 2 * R.rmse_grad(XA, Y, beta))
    assert R.residual_norm(X, Y, [0.0, 0.0]) == pytest.approx(math.sqrt(302))


def test_sloppy_chain_rule_factor_vanishes_where_the_gradient_does_not():
    beta_mean = np.array([0.0, 0.0, Y.mean()])
    B = Y - XA @ beta_mean
    assert B.sum() == 0
    g = R.rmse_grad(XA, Y, beta_mean)
    assert np.linalg.norm(g) > 0.5
    np.testing.assert_allclose(g[:2], [-0.416025, -0.693375], atol=1e-6)


def test_sse_gradient_is_n_times_the_mse_gradient():
    beta = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(R.sse_grad(XA, Y, beta), [-100.0, -137.0, -62.0])
    np.testing.assert_allclose(R.sse_grad(XA, Y, beta), len(Y) * R.mse_grad(XA, Y, beta))


def test_half_sse_lr_0p01_equals_mse_lambda_0p02():
    """beta + (2 lambda / n) X^T r with lambda = 0.02, n = 4 is the half-SSE step with lr 0.01."""
    for beta in np.random.default_rng(1).normal(size=(5, 3)):
        r = Y - XA @ beta
        np.testing.assert_allclose(beta + 2 * 0.02 / 4 * XA.T @ r, beta - 0.01 * R.half_sse_grad(XA, Y, beta))


def test_seed_example_numbers():
    f = R.least_squares(XA, Y)
    np.testing.assert_allclose(f.grad(START), [204.3, 278.1, 121.4])
    path = cl.descend(f, SGD(lr=0.01), START, 6000)
    np.testing.assert_allclose(path.xs[1], [8.057, 12.319, -7.714])
    np.testing.assert_allclose(path.xs[1000], [1.341, 2.008, 2.429], atol=5e-4)
    np.testing.assert_allclose(path.xs[2000], [1.021, 1.998, 2.971], atol=5e-4)
    error = np.abs(path.xs - BETA_STAR).max(axis=-1)
    assert error[5000] == pytest.approx(4.8e-6, rel=0.02)
    assert np.argmax(error < 1e-3) == 3162
    assert np.argmax(error < 1e-6) == 5544
    np.testing.assert_allclose(np.linalg.lstsq(XA, Y, rcond=None)[0], BETA_STAR, atol=1e-12)


def test_the_plain_numpy_loop_equals_descend():
    beta = START.copy()
    for _ in range(100):
        beta = beta - 0.01 * (-XA.T @ (Y - XA @ beta))
    np.testing.assert_allclose(beta, cl.descend(R.least_squares(XA, Y), SGD(lr=0.01), START, 100).x)


def test_without_bias_the_fit_is_not_exact_but_close():
    """Section 4: "cannot fit these data exactly": smallest SSE about 3.27, against 302 at beta = 0 and 0 with bias."""
    coef = np.linalg.lstsq(X, Y, rcond=None)[0]
    assert R.sse(X, Y, coef) == pytest.approx(3.2727, abs=1e-4)
    assert R.sse(X, Y, [0.0, 0.0]) == 302.0
    assert R.sse(XA, Y, np.linalg.lstsq(XA, Y, rcond=None)[0]) < 1e-20


def test_eigenvalues_condition_number_and_stability():
    lam = np.linalg.eigvalsh(XA.T @ XA)
    np.testing.assert_allclose(lam, [0.2893, 0.4421, 31.2685], atol=1e-4)
    assert lam[-1] / lam[0] == pytest.approx(108.07, abs=0.01)
    limit = 2 / lam[-1]
    assert limit == pytest.approx(0.06396, abs=1e-5)
    f = R.least_squares(XA, Y)
    runs = cl.descend(f, SGD(lr=np.array([[0.99 * limit], [1.01 * limit]])), START, 20000)
    assert not runs.diverged[0] and np.abs(runs.xs[-1, 0] - BETA_STAR).max() < 1e-6
    assert runs.diverged[1]


def test_slowest_direction_predicts_the_step_count():
    lam, V = np.linalg.eigh(XA.T @ XA)
    c = V.T @ (START - BETA_STAR)
    predicted = np.log(1e-3 / (abs(c[0]) * np.abs(V[:, 0]).max())) / np.log(1 - 0.01 * lam[0])
    assert abs(predicted - 3162) < 10


def test_convexity_angle_below_ninety_degrees():
    f = R.least_squares(XA, Y)
    points = np.random.default_rng(0).uniform(-20, 20, size=(2000, 3))
    down = -f.grad(points)
    to_min = BETA_STAR - points
    # first-order convexity: <-grad f(x), x* - x> >= f(x) - f(x*) >= 0
    lhs = np.sum(down * to_min, axis=-1)
    assert np.all(lhs >= f.value(points) - f.value(BETA_STAR) - 1e-9)
    g, v = f.grad(START), BETA_STAR - START
    angle = np.degrees(np.arccos(-g @ v / (np.linalg.norm(g) * np.linalg.norm(v))))
    assert angle == pytest.approx(50.2, abs=0.05)
    # the map's example: f = (x^2 + 10 y^2)/2 at (10, 1) has angle 39.3 degrees
    q = cl.objective("(x**2 + 10*y**2)/2")
    gq = q.grad([10.0, 1.0])
    vq = -np.array([10.0, 1.0])
    assert np.degrees(np.arccos(-gq @ vq / (np.linalg.norm(gq) * np.linalg.norm(vq)))) == pytest.approx(39.3, abs=0.05)


def test_rmse_gradient_norm_does_not_shrink_and_fixed_steps_stall():
    f = R.least_squares(XA, Y, loss="rmse")
    u = np.array([1.0, -0.5, 0.3]) / np.linalg.norm([1.0, -0.5, 0.3])
    norms = [np.linalg.norm(f.grad(BETA_STAR + eps * u)) for eps in (1e-1, 1e-4, 1e-8)]
    np.testing.assert_allclose(norms, norms[0], rtol=1e-5)
    assert norms[0] > 2.5
    lrs = np.array([0.2, 0.1, 0.05])
    path = cl.descend(f, SGD(lr=lrs[:, None]), START, 3000)
    tail = np.abs(path.xs[-500:] - BETA_STAR).max(axis=-1)
    assert np.all(tail.min(axis=0) >= lrs) and np.all(tail.max(axis=0) <= 1.1 * lrs)  # the printed band
    mse = cl.descend(R.least_squares(XA, Y, loss="mse"), SGD(lr=0.1), START, 3000)
    assert np.abs(mse.x - BETA_STAR).max() < 1e-12


def test_mixed_tabs_and_spaces_raise_indentation_error():
    snippet = "for t in range(T):\n    error = y - X @ beta\n\tgrad = -transpose(X) @ error\n"
    with pytest.raises(IndentationError):
        compile(snippet, "<pseudo-code>", "exec")


def _convexity_violation(loss, X, y, rng, pairs=4000, scale=5.0):
    """max over random a, b, theta of f(theta a + (1-theta) b) - [theta f(a) + (1-theta) f(b)], relative."""
    d = X.shape[1]
    center = np.linalg.lstsq(X, y, rcond=None)[0]
    a = center + scale * rng.standard_normal((pairs, d))
    b = center + scale * rng.standard_normal((pairs, d))
    b[: pairs // 4] = center  # a quarter of the chords end at the minimizer (the kink of RMSE and the norm)
    theta = rng.uniform(0.0, 1.0, size=(pairs, 1))
    lhs = loss(X, y, theta * a + (1 - theta) * b)
    rhs = theta[:, 0] * loss(X, y, a) + (1 - theta[:, 0]) * loss(X, y, b)
    return np.max((lhs - rhs) / (1.0 + np.abs(rhs)))


def test_all_five_regression_losses_are_convex_in_beta():
    """Section 5: "All five regression losses are convex in beta" (every chord lies above the graph).

    Checked for every entry of R.LOSSES on a random noisy problem and on the notebook's seed problem (zero residual
    at the minimizer), with many random chords; a non-convex control (the square root of the RMSE) must fail the
    same check, so the check can tell.
    """
    assert sorted(R.LOSSES) == ["half_sse", "mse", "norm", "rmse", "sse"]
    rng = np.random.default_rng(29)
    Xr, yr, _ = R.make_data(12, 3, noise=0.5, rng=4)
    for name, (loss, _, _) in R.LOSSES.items():
        for design, target in ((Xr, yr), (XA, Y)):
            assert _convexity_violation(loss, design, target, rng) <= 1e-12, name
    assert _convexity_violation(lambda X, y, b: np.sqrt(R.rmse(X, y, b)), XA, Y, rng) > 1e-2


def test_contraction_factors_and_step_counts_from_the_hessian():
    """Section 6 and the key points, on the notebook's half-SSE problem from [10.1, 15.1, -6.5].

    Section 6 prints the slowest factor 1 - 0.01 lambda_min = 0.99711 and says the steep direction is settled within a
    few dozen steps since |1 - 0.01 * 31.27| = 0.69, the flattest keeps 99.7 % of its error per step. Key points:
    thousands of steps at lr 0.01, while the best fixed rate 2/(lambda_min + lambda_max) needs about
    (kappa/2) ln(1/eps) steps, hundreds at kappa ~ 100.
    """
    f = R.least_squares(XA, Y, loss="half_sse")
    lam, V = np.linalg.eigh(f.hess(START))
    kappa = lam[-1] / lam[0]
    beta_star = f.minima[0]
    assert f"{1 - 0.01 * lam[0]:.5f}" == "0.99711"
    assert round(100 * (1 - 0.01 * lam[0]), 1) == 99.7
    assert f"{lam[-1]:.2f}" == "31.27"
    assert round(abs(1 - 0.01 * lam[-1]), 2) == 0.69

    def settled(curve, eps=1e-3):
        """The first step from which curve stays below eps."""
        above = np.flatnonzero(curve >= eps)
        return 0 if above.size == 0 else above[-1] + 1

    slow = cl.descend(f, SGD(lr=0.01), START, 6000)
    components = (slow.xs - beta_star) @ V  # the error along each eigenvector
    steep = settled(np.abs(components[:, -1]))
    assert 10 <= steep <= 50  # "a few dozen steps" (25)
    # the factor alone predicts it: |c_max| 0.687^t < 1e-3
    c_max = abs(V[:, -1] @ (START - beta_star))
    assert abs(steep - np.log(1e-3 / c_max) / np.log(abs(1 - 0.01 * lam[-1]))) < 1.5
    slow_steps = settled(np.abs(slow.xs - beta_star).max(axis=-1))
    assert 1000 <= slow_steps < 10000  # "thousands of steps" (3162)

    best_lr = 2 / (lam[0] + lam[-1])
    fast = cl.descend(f, SGD(lr=best_lr), START, 2000)
    estimate = kappa / 2 * np.log(1e3)  # (kappa/2) ln(1/eps), eps = 1e-3: about 373
    fast_steps = settled(np.abs(fast.xs - beta_star).max(axis=-1))  # the notebook's criterion: max error < 1e-3
    assert 100 <= fast_steps < 1000  # "hundreds"
    assert estimate / 1.5 <= fast_steps <= 1.5 * estimate  # 515 against 373
    relative = np.linalg.norm(fast.xs - beta_star, axis=-1) / np.linalg.norm(START - beta_star)
    assert settled(relative) == pytest.approx(estimate, rel=0.05)  # eps as a relative error: 368
    assert slow_steps > 5 * fast_steps


# --- E22: the stall needs an exact fit; with a nonzero residual the RMSE is smooth --------------------------------


def _noisy(noise, seed=0):
    Xn, yn, _ = R.make_data(50, 2, noise=noise, rng=seed)
    return R.least_squares(R.add_bias(Xn), yn, loss="rmse")


def _rmse_smoothness(f):
    """L = lambda_max(X^T X) / (n RMSE*): the bound on the RMSE's curvature that section 5 states."""
    return np.linalg.eigvalsh(f.X.T @ f.X)[-1] / (f.n * f.value(f.minima[0]))


def test_rmse_curvature_bound_holds_everywhere_and_is_reached_at_the_minimum():
    f = _noisy(1.0)
    L = _rmse_smoothness(f)
    assert L == pytest.approx(1.307, abs=1e-3)
    assert np.linalg.eigvalsh(f.hess(f.minima[0]))[-1] == pytest.approx(L, rel=1e-9)
    points = f.minima[0] + np.random.default_rng(5).normal(scale=3.0, size=(500, 3))
    assert np.all(np.linalg.eigvalsh(f.hess(points))[:, -1] <= L * (1 + 1e-9))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fixed_steps_on_the_rmse_converge_with_noise_and_stall_with_an_exact_fit(seed):
    """Both sides of E22's condition. Noisy data (sigma = 1, n = 50): lr 0.2, 0.5, 1.0 (< 2/L) reach the
    least-squares solution to round-off, lr 2.0 (> 2/L) does not. Exact fit (the seed data): the same kind of steps
    stall at a distance of about lr."""
    f = _noisy(1.0, seed)
    limit = 2 / _rmse_smoothness(f)
    assert 1.0 < limit < 2.0
    lrs = np.array([0.2, 0.5, 1.0, 2.0])
    path = cl.descend(f, SGD(lr=lrs[:, None]), np.zeros(3), 3000)
    error = np.abs(path.xs[-1] - f.minima[0]).max(axis=-1)
    assert np.all(error[:3] < 1e-12)
    assert error[3] > 1e-2 and not path.diverged[3]
    exact = R.least_squares(XA, Y, loss="rmse")
    stall = cl.descend(exact, SGD(lr=lrs[:3, None]), START, 3000)
    tail = np.abs(stall.xs[-500:] - BETA_STAR).max(axis=-1)
    assert np.all(tail.min(axis=0) > 0.5 * lrs[:3])


def test_the_safe_range_of_the_rmse_shrinks_as_the_fit_becomes_exact():
    limits = [2 / _rmse_smoothness(_noisy(noise)) for noise in (1.0, 0.1, 0.01)]
    assert limits[0] > 5 * limits[1] > 25 * limits[2]
    f = _noisy(0.01)
    path = cl.descend(f, SGD(lr=np.array([[0.5 * limits[2]], [0.2]])), np.zeros(3), 20000)
    error = np.abs(path.xs[-1] - f.minima[0]).max(axis=-1)
    assert error[0] < 1e-10 and error[1] > 1e-3  # 0.2 converges at sigma = 1 but not at sigma = 0.01


# --- the normal equations and the remedy for ill-conditioning ----------------------------------------------------


@pytest.mark.parametrize("n, d", [(3, 2), (5, 3)])
def test_normal_equations_are_the_zero_gradient_condition(n, d):
    Xs, ys, bs, r = R.symbolic_problem(n, d)
    gradient = sp.Matrix([sp.diff((r.T * r)[0] / 2, b) for b in bs])
    assert sp.expand(gradient - (Xs.T * Xs * bs - Xs.T * ys)) == sp.zeros(d, 1)
    assert Xs[0, 0] == sp.Symbol("X11", real=True) and bs[d - 1] == sp.Symbol(f"beta{d}", real=True)


def test_exact_solution_of_the_normal_equations_and_gradient_descent():
    A = sp.Matrix(XA).applyfunc(sp.nsimplify)
    b = sp.Matrix(Y).applyfunc(sp.nsimplify)
    assert list((A.T * A).LUsolve(A.T * b)) == [1, 2, 3]
    path = cl.descend(R.least_squares(XA, Y), SGD(lr=0.01), START, 5000)
    assert np.abs(path.x - BETA_STAR).max() == pytest.approx(4.8e-6, rel=0.02)


def test_symbolic_problem_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n"):
        R.symbolic_problem(0, 2)
    with pytest.raises(ValueError, match="d"):
        R.symbolic_problem(3, 1.5)


def _designs():
    return {
        "raw": X,
        "centred": X - X.mean(axis=0),
        "standardized": (X - X.mean(axis=0)) / X.std(axis=0),
    }


def _settled(curve, eps=1e-3):
    above = np.flatnonzero(curve >= eps)
    return 0 if above.size == 0 else above[-1] + 1


def test_centring_and_standardizing_shrink_kappa_and_the_run():
    """Section 6: kappa 108.1 -> 10.5 -> 5.8; at each design's best fixed rate from beta = 0 the predictions are
    within 1e-3 of the fit after 506 -> 48 -> 23 steps; the fitted predictions are the same for all three."""
    kappas, steps, fits = [], [], []
    for features in _designs().values():
        A = R.add_bias(features)
        f = R.least_squares(A, Y)
        lam = f.eigenvalues()
        kappas.append(lam[-1] / lam[0])
        run = cl.descend(f, SGD(lr=2 / (lam[0] + lam[-1])), np.zeros(3), 2000)
        steps.append(_settled(np.abs((run.xs - f.minima[0]) @ A.T).max(axis=-1)))
        fits.append(A @ f.minima[0])
    np.testing.assert_allclose(kappas, [108.07, 10.472, 5.8284], rtol=1e-3)
    assert steps == [506, 48, 23]
    np.testing.assert_allclose(fits, [Y, Y, Y], atol=1e-9)
    # "a tenfold smaller kappa means about a tenfold shorter run", "a factor of about 20" overall
    assert 5 < steps[0] / steps[1] < 20 and 15 < steps[0] / steps[2] < 30
    for kappa, count in zip(kappas, steps, strict=True):
        assert 0.5 < count / (kappa / 2 * np.log(1e3)) < 2


def test_mse_threshold_of_exercise_three():
    """Exercise 3: GD on the MSE converges below n / lambda_max(X_aug^T X_aug) = 0.1279 and fails at and above it."""
    f = R.least_squares(XA, Y, loss="mse")
    threshold = 2 / f.eigenvalues()[-1]
    assert threshold == pytest.approx(4 / np.linalg.eigvalsh(XA.T @ XA)[-1])
    assert threshold == pytest.approx(0.12792, abs=1e-5)
    runs = cl.descend(f, SGD(lr=np.array([[0.99], [1.0], [1.01]]) * threshold), START, 20000)
    assert np.abs(runs.xs[-1, 0] - BETA_STAR).max() < 1e-6
    assert np.abs(runs.xs[-1, 1] - BETA_STAR).max() > 1e-3  # at the threshold: no convergence
    assert runs.diverged[2]


# --- claims added on a reading from top to bottom ---------------------------------------------------------------


def test_a_shifted_feature_moves_only_the_intercept_when_there_is_one():
    """Exercise 2: with the column of ones, adding 10 to feature 1 gives the fit (1, 2, -7) and the same
    predictions; without it the shift changes the fit through the origin and its error (3.27 -> 0.22)."""
    shifted = X + [10.0, 0.0]
    with_bias = np.linalg.lstsq(R.add_bias(shifted), Y, rcond=None)[0]
    np.testing.assert_allclose(with_bias, [1.0, 2.0, -7.0], atol=1e-9)
    np.testing.assert_allclose(R.add_bias(shifted) @ with_bias, XA @ BETA_STAR, atol=1e-9)
    plain = np.linalg.lstsq(X, Y, rcond=None)[0]
    moved = np.linalg.lstsq(shifted, Y, rcond=None)[0]
    assert np.abs(moved - plain).max() > 1.0
    assert R.sse(X, Y, plain) == pytest.approx(3.2727, abs=1e-4)
    assert R.sse(shifted, Y, moved) == pytest.approx(0.2200, abs=1e-4)


def test_shrinking_steps_reach_the_kink_only_when_they_add_up_to_enough():
    """Section 5, Try this 2 (exact fit, RMSE, from the notebook's start): 0.1/(1 + t/1000) gets within 0.1 in 3000
    steps and closer in 6000; 0.1/(1 + t/100) adds up to only about 34 in 3000 steps, less than the fixed step 0.1
    needed to come within 0.2 (about 56), and is still far away; a schedule with a finite sum (0.1 * 0.99**t, sum 10)
    stops short for good. This is E21's condition that the steps' sum grows without bound."""
    f = R.least_squares(XA, Y, loss="rmse")

    def error(schedule, steps):
        path = cl.descend(f, SGD(lr=0.1), START, steps, lr_schedule=schedule)
        return np.abs(path.xs[-1] - BETA_STAR).max()

    slow = [error(lambda t: 0.1 / (1 + t / 1000), n) for n in (3000, 6000)]
    assert slow[0] < 0.1 and slow[1] < 0.6 * slow[0]
    assert error(lambda t: 0.1 / (1 + t / 100), 3000) > 1.0
    total = sum(0.1 / (1 + t / 100) for t in range(3000))
    fixed = cl.descend(f, SGD(lr=0.1), START, 3000)
    needed = 0.1 * np.argmax(np.abs(fixed.xs - BETA_STAR).max(axis=-1) < 0.2)
    assert total < needed
    stuck = [error(lambda t: 0.1 * 0.99**t, n) for n in (2000, 6000)]
    assert stuck[1] == pytest.approx(stuck[0]) and stuck[1] > 1.0


def test_the_mse_rate_does_not_grow_with_n_but_the_half_sse_rate_shrinks():
    """Section 3: the 1/n of the MSE keeps its useful learning rates from depending on the number of examples: its
    threshold stays between 0.8 and 1 for n = 50 ... 5000 examples of one distribution, while half-SSE's falls like
    1/n."""
    mse, half = [], []
    for n in (50, 500, 5000):
        Xn, _, _ = R.make_data(n, 2, noise=1.0, rng=0)
        lam = np.linalg.eigvalsh(R.add_bias(Xn).T @ R.add_bias(Xn))[-1]
        mse.append(2 / (2 / n * lam))
        half.append(2 / lam)
    assert max(mse) / min(mse) < 1.25
    assert half[0] / half[2] > 50


def test_weighted_half_sse_gradient_of_exercise_one():
    """Exercise 1's answer -X^T (w * r), by SymPy on a symbolic problem; with every w_i = 1 it is the half-SSE
    gradient, with unequal weights it is not."""
    n, d = 3, 2
    Xs, ys, bs, r = R.symbolic_problem(n, d)
    ws = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"w{i + 1}", positive=True))
    loss = sum(ws[i] * r[i] ** 2 for i in range(n)) / 2
    gradient = sp.Matrix([sp.diff(loss, b) for b in bs])
    claimed = -Xs.T * sp.Matrix([ws[i] * r[i] for i in range(n)])
    assert sp.expand(gradient - claimed) == sp.zeros(d, 1)
    beta = np.array([0.5, -1.0, 2.0])
    r_num = Y - XA @ beta
    np.testing.assert_allclose(-XA.T @ (np.ones(4) * r_num), R.half_sse_grad(XA, Y, beta))
    w = np.array([1.0, 2.0, 0.5, 3.0])
    assert np.abs(-XA.T @ (w * r_num) - R.half_sse_grad(XA, Y, beta)).max() > 1.0
