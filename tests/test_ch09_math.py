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
