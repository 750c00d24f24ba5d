"""Numerical checks of the statements of notebooks/09_newton_lbfgs.ipynb."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.second_order import LBFGS, Newton, SafeguardedNewton


def test_newton_converges_quadratically_near_the_rosenbrock_minimum():
    f = cl.surface("rosenbrock")
    errors = np.linalg.norm(cl.descend(f, Newton(f), [-1.2, 1.0], 7).xs - [1.0, 1.0], axis=-1)
    close = errors[3:7]  # once inside the basin of the quadratic model
    ratios = close[1:] / close[:-1] ** 2
    assert np.all(ratios < 10)  # e_{t+1} <= C e_t**2 with a moderate constant
    assert close[-1] < 1e-10


def test_the_newton_map_of_sqrt_one_plus_x_squared_is_minus_x_cubed():
    f = cl.objective("sqrt(1 + x**2)")
    x = np.linspace(-1.4, 1.4, 29)[:, None]
    step = Newton(f).step(x, f.grad(x), Newton(f).init(x))[0]
    np.testing.assert_allclose(step, -(x**3), atol=1e-12)


def test_newton_on_a_one_dimensional_quadratic_is_a_gradient_step_with_lr_one_over_curvature():
    for a in (0.5, 2.0, 7.0):
        f = cl.objective(f"{a} * x**2 / 2")
        x = np.array([3.0])
        newton = Newton(f).step(x, f.grad(x), Newton(f).init(x))[0]
        gd = cl.optimizers.SGD(lr=1 / a)
        np.testing.assert_allclose(newton, gd.step(x, f.grad(x), gd.init(x))[0], atol=1e-12)


def test_one_newton_step_solves_any_positive_definite_quadratic():
    f = cl.surface("ill_conditioned")
    starts = np.random.default_rng(0).uniform(-5, 5, (20, 2))
    np.testing.assert_allclose(cl.descend(f, Newton(f), starts, 1).x, 0.0, atol=1e-12)


def test_lbfgs_beats_gradient_descent_on_the_seed_regression():
    from course_lib import regression

    X, y = regression.seed_data()
    problem = regression.least_squares(regression.add_bias(X), y, loss="half_sse")
    lbfgs = cl.descend(problem, LBFGS(problem), [10.1, 15.1, -6.5], 100, tol=1e-8)
    gd = cl.descend(problem, cl.optimizers.SGD(lr=0.01), [10.1, 15.1, -6.5], 20_000, tol=1e-8)
    np.testing.assert_allclose(lbfgs.x, [1.0, 2.0, 3.0], atol=1e-7)
    assert lbfgs.steps * 100 < gd.steps


def test_bartlett_identities_for_a_normal_mean_and_a_bernoulli():
    # Cell 6 (Pitfall E38): the Bartlett identities E[d/dtheta log p] = 0 and E[-d2/dtheta2 log p] =
    # E[(d/dtheta log p)^2], derived by integrating against the density (normal, unknown mean mu) and by summing
    # over {0, 1} (Bernoulli(theta)). Both sides also equal the known Fisher information.
    x, mu = sp.symbols("x mu", real=True)
    sigma = sp.symbols("sigma", positive=True)
    density = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    log_p = sp.log(density)
    score = sp.diff(log_p, mu)

    def expect(h):
        return sp.simplify(sp.integrate(sp.simplify(h * density), (x, -sp.oo, sp.oo)))

    assert sp.simplify(expect(1) - 1) == 0  # a density
    assert expect(score) == 0
    observed, squared = expect(-sp.diff(log_p, mu, 2)), expect(score**2)
    assert sp.simplify(observed - squared) == 0
    assert sp.simplify(observed - 1 / sigma**2) == 0

    theta = sp.symbols("theta", positive=True)
    k = sp.symbols("k", integer=True, nonnegative=True)
    pmf = theta**k * (1 - theta) ** (1 - k)
    log_q = k * sp.log(theta) + (1 - k) * sp.log(1 - theta)
    score_q = sp.diff(log_q, theta)

    def expect_q(h):
        return sp.simplify(sum((h * pmf).subs(k, value) for value in (0, 1)))

    assert expect_q(1) == 1
    assert expect_q(score_q) == 0
    observed_q, squared_q = expect_q(-sp.diff(log_q, theta, 2)), expect_q(score_q**2)
    assert sp.simplify(observed_q - squared_q) == 0
    assert sp.simplify(observed_q - 1 / (theta * (1 - theta))) == 0


def test_rosenbrock_curvature_at_the_minimum_and_the_two_over_l_threshold():
    # Cell 16: "L ~ 1002 is the largest curvature at the minimum", so GD "needs a learning rate below
    # 2/L ~ 0.002"; Try-this 2 of cell 24 raises it to 0.0021. Starts just off the minimum, (1.001, 1).
    rosen = cl.surface("rosenbrock")
    hess = rosen.hess(np.array([1.0, 1.0]))
    np.testing.assert_allclose(hess, [[802.0, -400.0], [-400.0, 200.0]], atol=1e-9)  # by hand from the formula
    L = np.linalg.eigvalsh(hess).max()
    assert L == pytest.approx(1001.6, abs=0.01)
    assert 2 / L == pytest.approx(0.002, rel=2e-3)
    start = [1.001, 1.0]
    below = cl.descend(rosen, cl.optimizers.SGD(lr=0.0019), start, 5000)
    assert np.linalg.norm(below.x - 1.0) < 0.02 * np.linalg.norm(below.xs[0] - 1.0)  # converges
    # very near the minimum (offset 1e-7) the error grows by |1 - lr L| = 1.103 per step, as the linearisation says
    tiny = cl.descend(rosen, cl.optimizers.SGD(lr=0.0021), [1.0 + 1e-7, 1.0], 60)
    tiny_distance = np.linalg.norm(tiny.xs - 1.0, axis=-1)
    np.testing.assert_allclose(tiny_distance[42:60] / tiny_distance[40:58], (1 - 0.0021 * L) ** 2, rtol=1e-2)
    above = cl.descend(rosen, cl.optimizers.SGD(lr=0.0021), start, 5000)
    distance = np.linalg.norm(above.xs - 1.0, axis=-1)
    assert distance[100:].min() > 10 * distance[0]  # repelled from the minimum, never comes back
    # but it does not blow up: it settles into a bounded, slowly drifting period-2 oscillation (distance ~0.07)
    assert not above.diverged and distance.max() < 0.2
    one_step, two_steps = (np.linalg.norm(above.xs[-1] - above.xs[i]) for i in (-2, -3))
    assert one_step > 0.02 and two_steps < 1e-2 * one_step


def test_newton_from_the_classic_start_overshoots_then_converges_as_described():
    # Cells 16 and 19: the second iterate is at y ~ -3.2 (x_2 ~ (0.763, -3.175)); "from there it needs two steps
    # to get within 0.06 of (1, 1), and three more to reach machine precision"; errors 5.6e-2 -> 9.6e-6 -> 1.9e-11.
    rosen = cl.surface("rosenbrock")
    newton = cl.descend(rosen, Newton(rosen), [-1.2, 1.0], 8)
    errors = np.linalg.norm(newton.xs - [1.0, 1.0], axis=-1)
    np.testing.assert_allclose(newton.xs[2], [0.763, -3.175], atol=1e-3)
    assert errors[3] > 0.06 > errors[4]  # two steps after x_2, not one
    np.testing.assert_allclose(errors[4:7], [5.6e-2, 9.6e-6, 1.9e-11], rtol=0.05)
    assert errors[7] < 1e-13 < 1e-12 < errors[6]  # three more steps reach rounding level (about 60 ulps)
    assert errors[8] < 1e-13  # and it stays there


def _armijo_runs():
    rng = np.random.default_rng(0)
    starts = np.vstack([[[-1.2, 1.0], [-0.3, -0.9], [2.0, 2.0], [0.0, 0.0]], rng.uniform(-4, 4, (12, 2))])
    for name in ("rosenbrock", "himmelblau"):
        f = cl.surface(name)
        for opt in (SafeguardedNewton(f), LBFGS(f)):
            yield f, opt, starts


def test_every_accepted_line_search_step_satisfies_armijo():
    # Cell 30: the safeguarded Newton (and L-BFGS, cell 40) backtrack "until f decreases enough (the Armijo
    # condition f(x + a p) <= f(x) + c1 a g^T p)", c1 = 1e-4. With a p = x_t - x_{t-1}: every step, all starts.
    for f, opt, starts in _armijo_runs():
        assert opt.c1 == 1e-4
        path = cl.descend(f, opt, starts, 60)
        step = np.diff(path.xs, axis=0)
        slope = np.einsum("...i,...i->...", f.grad(path.xs[:-1]), step)  # a g^T p
        moved = np.any(step != 0, axis=-1)
        stayed = ~moved
        # staying put is allowed; here it only happens once the gradient is exactly zero (converged)
        assert np.all(np.linalg.norm(f.grad(path.xs[:-1]), axis=-1)[stayed] < 1e-8)
        assert moved.sum() > 100
        assert np.all(slope[moved] < 0)  # a descent direction
        before, after = path.values[:-1], path.values[1:]
        slack = 1e-12 * np.abs(before)  # rounding of f only
        assert np.all((after <= before + opt.c1 * slope + slack)[moved]), (f.name, type(opt).__name__)


def test_safeguarded_newton_steps_are_powers_of_shrink_along_the_modified_newton_direction():
    # Cell 30: the step is a p with p = -V diag(1/max(|h|, m)) V^T g (m = min_curvature = 1e-3) and a found by
    # halving from lr = 1 (shrink 0.5).
    for f, opt, starts in _armijo_runs():
        if not isinstance(opt, SafeguardedNewton):
            continue
        path = cl.descend(f, opt, starts, 30)
        x = path.xs[:-1]
        h, V = np.linalg.eigh(f.hess(x))
        g = f.grad(x)
        p = -np.einsum("...ij,...j->...i", V, np.einsum("...ji,...j->...i", V, g) / np.maximum(np.abs(h), 1e-3))
        step = np.diff(path.xs, axis=0)
        # x_t - x_{t-1} loses digits to cancellation once the step is tiny: read a off the steps longer than 1e-6
        long = np.linalg.norm(step, axis=-1) > 1e-6
        assert long.sum() > 50
        a = np.einsum("...i,...i->...", step, p)[long] / np.einsum("...i,...i->...", p, p)[long]
        np.testing.assert_allclose(step[long], a[:, None] * p[long], rtol=1e-8, atol=1e-14)
        k = np.log2(a) / np.log2(opt.shrink)
        np.testing.assert_allclose(k, np.round(k), atol=1e-6)
        k = np.round(k)
        assert k.min() >= 0 and k.max() <= opt.max_backtracks and k.max() >= 1  # some steps were shortened


def test_safeguarded_newton_direction_flips_negative_and_lifts_tiny_curvature():
    # Cell 30: "each eigenvalue h of the Hessian replaced by max(|h|, m) with a small floor m = min_curvature", so
    # p = -V diag(1/max(|h|, m)) V^T g. A quadratic with Hessian eigenvalues -2 and 1e-6, rotated by 30 degrees.
    angle = sp.pi / 6
    V = sp.Matrix([[sp.cos(angle), -sp.sin(angle)], [sp.sin(angle), sp.cos(angle)]])
    eigenvalues = [-2, sp.Rational(1, 10**6)]
    A = V * sp.diag(*eigenvalues) * V.T
    b = sp.Matrix([sp.Rational(3, 10), -1])
    u, w = sp.symbols("u w", real=True)
    z = sp.Matrix([u, w])
    f = cl.objective((z.T * A * z / 2 + b.T * z)[0], variables=["u", "w"])
    V_np, h = np.array(V, dtype=float), np.array(eigenvalues, dtype=float)
    np.testing.assert_allclose(f.hess(np.zeros(2)), V_np @ np.diag(h) @ V_np.T, atol=1e-12)
    points = np.random.default_rng(1).uniform(-2, 2, (10, 2))
    g = f.grad(points)
    for m in (1e-3, 0.5):
        expected = -(V_np @ np.diag(1 / np.maximum(np.abs(h), m)) @ V_np.T @ g.T).T
        opt = SafeguardedNewton(f, min_curvature=m)
        # on this quadratic the full step a = 1 passes Armijo (each h <= max(|h|, m)), so x_1 - x_0 = p
        step = opt.step(points, g, opt.init(points))[0] - points
        np.testing.assert_allclose(step, expected, rtol=1e-9, atol=1e-12)
        half = SafeguardedNewton(f, lr=0.5, min_curvature=m)
        np.testing.assert_allclose(half.step(points, g, half.init(points))[0] - points, expected / 2, rtol=1e-9)
    # plain Newton's -A^{-1} g is a different (uphill along the negative eigenvector) direction
    newton = Newton(f).step(points, g, Newton(f).init(points))[0] - points
    assert np.abs(newton - step).max() > 1.0


# ---------------------------------------------------------------------------------------------------------------
# Quadratic convergence needs f''(x*) != 0, and the squaring law is a limit (section 3)
# ---------------------------------------------------------------------------------------------------------------


def _exact_errors(f, x, steps=6):
    newton_map = sp.simplify(x - f.diff(x) / f.diff(x, 2))
    errors = [sp.Integer(1)]
    for _ in range(steps):
        errors.append(newton_map.subs(x, errors[-1]))
    return newton_map, errors


def test_the_ratio_e_next_over_e_squared_settles_at_f3_over_2f2_when_f2_is_not_zero():
    x = sp.symbols("x", real=True)
    f = x**2 / 2 + x**3 / 3
    newton_map, e = _exact_errors(f, x, 8)
    assert sp.simplify(newton_map - x**2 / (2 * x + 1)) == 0
    ratios = [float(e[t + 1] / e[t] ** 2) for t in range(8)]
    limit = float(f.diff(x, 3).subs(x, 0) / (2 * f.diff(x, 2).subs(x, 0)))
    assert limit == 1.0
    assert ratios[0] == pytest.approx(1 / 3) and abs(ratios[0] - limit) > 0.5  # far from the limit at first
    assert abs(ratios[-1] - limit) < 1e-6  # settled
    assert all(abs(b - limit) <= abs(a - limit) for a, b in zip(ratios, ratios[1:]))


@pytest.mark.parametrize("n", [4, 6, 8])
def test_at_a_degenerate_minimum_newton_is_only_linear(n):
    x = sp.symbols("x", real=True)
    f = x**n / n  # f''(0) = 0
    newton_map, e = _exact_errors(f, x)
    rate = sp.Rational(n - 2, n - 1)
    assert sp.simplify(newton_map - rate * x) == 0  # n = 4: two thirds of the error remain every step
    assert all(e[t + 1] / e[t] == rate for t in range(6))
    squared = [e[t + 1] / e[t] ** 2 for t in range(6)]
    assert all(b > a for a, b in zip(squared, squared[1:]))  # e_{t+1}/e_t^2 grows without bound


# ---------------------------------------------------------------------------------------------------------------
# Logistic regression: Newton = Fisher scoring = IRLS (section 5)
# ---------------------------------------------------------------------------------------------------------------


def test_the_logistic_hessian_contains_no_label_and_the_probit_one_does():
    z, y = sp.symbols("z y", real=True)
    logistic = sp.log(1 + sp.exp(z)) - y * z  # negative log-likelihood of one example
    sigma = 1 / (1 + sp.exp(-z))
    assert sp.simplify(logistic.diff(z) - (sigma - y)) == 0
    assert not logistic.diff(z, 2).has(y)  # observed = expected information: Newton is Fisher scoring
    Phi = (1 + sp.erf(z / sp.sqrt(2))) / 2
    probit = -(y * sp.log(Phi) + (1 - y) * sp.log(1 - Phi))
    assert probit.diff(z, 2).has(y)  # observed information depends on y: Newton and Fisher scoring differ
    at = {z: sp.Rational(1, 2)}
    observed = [probit.diff(z, 2).subs({**at, y: k}).evalf() for k in (0, 1)]
    assert abs(observed[0] - observed[1]) > 0.1


def _notebook_logistic_data():
    from course_lib import regression

    data_rng = np.random.default_rng(1)
    X = regression.add_bias(data_rng.normal(size=(500, 2)) + [0.0, 2.0])
    y = (data_rng.random(500) < 1 / (1 + np.exp(-X @ [1.5, -2.0, 0.5]))).astype(float)
    return X, y


def test_newton_on_logistic_regression_takes_a_handful_of_steps_and_gd_over_a_thousand():
    from course_lib.second_order import LogisticLoss

    X, y = _notebook_logistic_data()
    nll = LogisticLoss(X, y)
    L = np.linalg.eigvalsh(X.T @ X).max() / (4 * len(y))
    assert np.linalg.eigvalsh(nll.hess(np.zeros(3))).max() <= L * (1 + 1e-12)  # 1/L is a safe step
    newton = cl.descend(nll, Newton(nll), np.zeros(3), steps=50, tol=1e-8)
    gd = cl.descend(nll, cl.optimizers.SGD(lr=1 / L), np.zeros(3), steps=20_000, tol=1e-8)
    assert newton.steps <= 8 and gd.steps > 1000
    np.testing.assert_allclose(newton.x, gd.x, atol=1e-6)
    # centring the feature removes most of GD's trouble (the notebook's Try this)
    Xc = X - [0.0, 2.0, 0.0]
    nll_c = LogisticLoss(Xc, y)
    Lc = np.linalg.eigvalsh(Xc.T @ Xc).max() / (4 * len(y))
    gd_c = cl.descend(nll_c, cl.optimizers.SGD(lr=1 / Lc), np.zeros(3), steps=20_000, tol=1e-8)
    assert gd_c.steps < gd.steps / 4


def test_one_newton_step_is_one_weighted_least_squares_solve():
    from course_lib.second_order import LogisticLoss

    X, y = _notebook_logistic_data()
    nll = LogisticLoss(X, y)
    for w in (np.array([0.5, -0.5, 0.0]), np.array([-1.0, 2.0, 1.0])):
        p = 1 / (1 + np.exp(-X @ w))
        weights, working = p * (1 - p), X @ w + (y - p) / (p * (1 - p))
        irls = np.linalg.solve(X.T @ (weights[:, None] * X), X.T @ (weights * working))
        np.testing.assert_allclose(w - np.linalg.solve(nll.hess(w), nll.grad(w)), irls, rtol=1e-10)


def test_separable_labels_have_no_finite_maximum_likelihood():
    from course_lib.second_order import LogisticLoss

    X, _ = _notebook_logistic_data()
    y = (X @ [1.5, -2.0, 0.5] > 0).astype(float)
    nll = LogisticLoss(X, y)
    path = cl.descend(nll, Newton(nll), np.zeros(3), steps=30)
    norms = np.linalg.norm(path.xs, axis=-1)
    assert norms[-1] > 5 * norms[5] and np.all(np.diff(path.values[~np.isnan(path.values)]) <= 1e-12)


# ---------------------------------------------------------------------------------------------------------------
# L-BFGS: the curvature condition, plain against safeguarded Newton (section 6)
# ---------------------------------------------------------------------------------------------------------------


def test_a_wolfe_step_guarantees_positive_curvature_and_an_armijo_step_does_not():
    from scipy.optimize import line_search

    f = cl.surface("rosenbrock")
    rng = np.random.default_rng(4)
    wolfe_checked = 0
    for _ in range(40):
        x = rng.uniform([-1.5, -0.5], [1.5, 2.0])
        p = -f.grad(x) / np.linalg.norm(f.grad(x)) + 0.3 * rng.standard_normal(2)
        if f.grad(x) @ p >= 0:
            continue
        a = line_search(f.value, f.grad, x, p, c2=0.9)[0]
        if a is None:
            continue
        s, y = a * p, f.grad(x + a * p) - f.grad(x)
        assert s @ y > 0
        wolfe_checked += 1
    assert wolfe_checked > 20
    # the course's LBFGS (Armijo only) meets a pair with s.y <= 0 on Rosenbrock, and skips it
    path = cl.descend(f, LBFGS(f), [-1.2, 1.0], steps=200, tol=1e-6)
    sy = np.einsum("ti,ti->t", np.diff(path.xs, axis=0), np.diff(f.grad(path.xs), axis=0))
    assert (sy <= 0).sum() == 1 and path.steps == 42


def test_plain_newton_gambles_on_uphill_steps_and_the_safeguard_refuses_them():
    f = cl.surface("rosenbrock")
    plain = cl.descend(f, Newton(f), [-1.2, 1.0], steps=20, tol=1e-6)
    safe = cl.descend(f, SafeguardedNewton(f), [-1.2, 1.0], steps=100, tol=1e-6)
    assert plain.steps == 6 and safe.steps == 21
    rises = np.flatnonzero(np.diff(plain.values) > 0) + 1
    assert rises.tolist() == [2, 4] and plain.values[2] > 1000
    assert np.all(np.diff(safe.values) < 0)  # never uphill


# ---------------------------------------------------------------------------------------------------------------
# Exercises 1-3: the claims each exercise relies on
# ---------------------------------------------------------------------------------------------------------------


def test_the_squared_error_law_predicts_exercise_ones_step_count_and_a_linear_rate_does_not():
    x = sp.symbols("x", real=True)
    f = x**2 / 2 + 5 * x**3 / 3
    C = f.diff(x, 3).subs(x, 0) / (2 * f.diff(x, 2).subs(x, 0))
    assert C == 5
    newton_map = sp.simplify(x - f.diff(x) / f.diff(x, 2))
    errors = [sp.Rational(1, 50)]
    for _ in range(6):
        errors.append(newton_map.subs(x, errors[-1]))
    first_below = next(t for t, e in enumerate(errors) if e < sp.Rational(1, 10**10))
    assert first_below == 4
    assert errors[3] > 5 * sp.Rational(1, 10**10)  # not a near miss: e_3 ≈ 9.3e-10, e_4 ≈ 4.3e-18
    assert errors[4] < sp.Rational(1, 10**16)

    def predicted(c, ratio=None):
        e, t = sp.Rational(1, 50), 0
        while e >= sp.Rational(1, 10**10):
            e, t = (e * ratio if ratio is not None else c * e**2), t + 1
        return t

    assert predicted(C) == first_below
    assert predicted(1) == 3  # forgetting the constant predicts one step too few
    assert predicted(None, ratio=errors[1] / errors[0]) >= 8  # a linear rate predicts far too many
    assert abs(float(errors[5] / errors[4] ** 2) - 5) < 1e-6


def test_one_newton_step_lands_on_exercise_twos_minimum_and_not_on_a_non_quadratic():
    x, y = sp.symbols("x y", real=True)
    f = x**2 + 3 * x * y + 5 * y**2 - 4 * x + 2 * y
    g = sp.Matrix([f.diff(v) for v in (x, y)])
    H = sp.hessian(f, (x, y))
    assert all(ev > 0 for ev in H.eigenvals())  # positive definite: the stationary point is the minimum
    step = sp.Matrix([1, 1]) - H.inv() * g.subs({x: 1, y: 1})
    assert list(step) == [sp.Rational(46, 11), sp.Rational(-16, 11)]
    assert g.subs({x: step[0], y: step[1]}) == sp.zeros(2, 1)  # a second step does not move
    bumpy = f + x**4 / 10  # not a quadratic: one step from (1, 1) misses the minimum
    gb = sp.Matrix([bumpy.diff(v) for v in (x, y)])
    landed = sp.Matrix([1, 1]) - sp.hessian(bumpy, (x, y)).subs({x: 1, y: 1}).inv() * gb.subs({x: 1, y: 1})
    assert float(gb.subs({x: landed[0], y: landed[1]}).norm()) > 0.1


def test_double_well_pairs_pass_the_curvature_condition_where_convex_and_can_fail_across_the_middle():
    def grad(v):
        return np.stack([4 * v[..., 0] * (v[..., 0] ** 2 - 1), 2 * v[..., 1]], axis=-1)

    rng = np.random.default_rng(9)
    old = rng.uniform([1.0, -2.0], [3.0, 2.0], (500, 2))  # both points in x > 1, where 3x² > 1: convex
    new = rng.uniform([1.0, -2.0], [3.0, 2.0], (500, 2))
    assert np.all(np.einsum("ki,ki->k", new - old, grad(new) - grad(old)) > 0)
    x_old, x_new = np.array([0.3, 0.5]), np.array([-0.2, 0.45])  # across the concave middle
    assert (x_new - x_old) @ (grad(x_new) - grad(x_old)) == pytest.approx(-0.925)
