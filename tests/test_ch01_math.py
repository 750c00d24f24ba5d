"""Every formula and number that notebooks/01_derivatives.ipynb states, checked independently."""

import math

import numpy as np
import sympy as sp

import course_lib as cl
from course_lib import symbolic

U = 2.0**-53  # unit round-off of float64


def cube(t):
    return t * t * t


def test_difference_table_best_steps_match_the_error_model():
    hs = 10.0 ** -np.arange(1, 15)
    err_fwd = np.abs(symbolic.difference_quotient(cube, 1.0, hs, "forward") - 3)
    err_ctr = np.abs(symbolic.difference_quotient(cube, 1.0, hs, "central") - 3)
    # truncation: forward error = 3h + h**2, central error = h**2 exactly for x**3 at 1 (before round-off)
    np.testing.assert_allclose(err_fwd[:4], 3 * hs[:4] + hs[:4] ** 2, rtol=1e-6)
    np.testing.assert_allclose(err_ctr[:3], hs[:3] ** 2, rtol=1e-4)
    h_fwd = 2 * math.sqrt(U * 1 / 6)  # minimizes 3h + 2U/h: two values of f, each off by U|f|
    h_ctr = (3 * U * 1 / 6) ** (1 / 3)
    assert 1e-9 < h_fwd < 1e-8 and 1e-6 < h_ctr < 1e-5  # 8.6e-9 and 3.8e-6
    # the measured best step is within a factor 10 of the model's optimum
    assert abs(math.log10(hs[err_fwd.argmin()] / h_fwd)) <= 1
    assert abs(math.log10(hs[err_ctr.argmin()] / h_ctr)) <= 1
    # and each model optimum really minimizes its model
    grid = np.logspace(-12, -2, 20001)
    assert math.isclose(grid[np.argmin(3 * grid + 2 * U / grid)], h_fwd, rel_tol=1e-3)
    assert math.isclose(grid[np.argmin(grid**2 + U / grid)], h_ctr, rel_tol=1e-3)


def test_one_step_expansion():
    # f(x - eta f'(x)) = f - eta f'**2 + eta**2/2 f'**2 f'' + O(eta**3), checked on sin at 0.3
    x0 = 0.3
    d1, d2 = math.cos(x0), -math.sin(x0)
    for eta in [1e-1, 1e-2]:
        exact = math.sin(x0 - eta * d1)
        model = math.sin(x0) - eta * d1**2 + eta**2 / 2 * d1**2 * d2
        assert abs(exact - model) < eta**3


def test_e49_full_derivative_steps():
    assert (1 - 2 * 1) ** 2 == 1  # x**2: x - f'(x) = -1, f unchanged
    assert 2 * (1 - 4 * 1) ** 2 == 18  # 2x**2: x - f'(x) = -3, f rises from 2 to 18
    assert math.isclose((1 - 0.1 * 2) ** 2, 0.64) and math.isclose(2 * (1 - 0.1 * 4) ** 2, 0.72)


def test_e50_cubic_stops_at_a_flat_spot():
    cubic = cl.objective("x**3")
    path = cl.descend(cubic, cl.optimizers.SGD(lr=0.3), x0=[0.5], steps=10_000, tol=1e-5)
    assert path.steps < 10_000 and 0 < path.x[0] < 2e-3
    assert 3 * path.x[0] ** 2 < 1e-5 and cubic.value([-1.0]) < path.value


def test_seed_loop_with_sympy_subs_matches_compiled_loop():
    xs = sp.Symbol("x", real=True)
    df = sp.diff(xs**2 + 2 * xs + 3, xs)
    x0 = float(np.random.default_rng(0).uniform(-2, 2))
    point, n = sp.Float(x0), 0
    slope = df.subs(xs, point)
    while abs(slope) > 1e-5:
        point = point - 0.01 * slope
        slope = df.subs(xs, point)
        n += 1
    fast = sp.lambdify(xs, df)
    p, m = x0, 0
    while abs(fast(p)) > 1e-5:
        p -= 0.01 * fast(p)
        m += 1
    assert n == m == math.ceil(math.log(1e-5 / (2 * abs(x0 + 1))) / math.log(0.98))
    assert abs(float(point) - p) < 1e-12 and abs(p + 1) < 5e-6


def test_counts_over_the_start_interval():
    starts = np.linspace(-1.999, 1.999, 4001)[:, None]
    path = cl.descend(cl.surface("parabola"), cl.optimizers.SGD(lr=0.01), x0=starts, steps=800)
    n = np.argmax(np.abs(2 * path.xs[..., 0] + 2) <= 1e-5, axis=0)
    closed = np.ceil(np.log(1e-5 / (2 * np.abs(starts[:, 0] + 1))) / np.log(0.98))
    assert np.all(n == closed) and n.max() == 659


def test_e50_the_slope_rule_stops_at_a_stationary_point_only_if_there_is_one():
    """|f'| < eps stops near the stationary point of x**3, but on exp(x), which has none, it stops all the same."""
    tol = 1e-5
    cubic = cl.descend(cl.objective("x**3"), cl.optimizers.SGD(lr=0.3), x0=[0.5], steps=10_000, tol=tol)
    assert cubic.steps < 10_000 and abs(cubic.x[0]) < 2e-3  # near the stationary point 0
    p, n = 0.0, 0
    while math.exp(p) >= tol:  # descent on exp(x) from 0 with lr = 1
        p -= math.exp(p)
        n += 1
    assert n < 200_000 and p < math.log(tol)  # stopped, at no stationary point: f' = exp(x) > 0 everywhere
    assert math.exp(p - 1.0) < math.exp(p)  # f still falls to the left


def test_central_quotient_has_the_limit_of_the_forward_one_only_where_f_is_differentiable():
    hs = 10.0 ** -np.arange(1, 6)
    fwd = symbolic.difference_quotient(np.sin, 1.0, hs, "forward")
    ctr = symbolic.difference_quotient(np.sin, 1.0, hs, "central")
    assert abs(fwd[-1] - math.cos(1.0)) < 1e-5 and abs(ctr[-1] - math.cos(1.0)) < 1e-9  # smooth: same limit
    fwd = symbolic.difference_quotient(np.abs, 0.0, hs, "forward")
    ctr = symbolic.difference_quotient(np.abs, 0.0, hs, "central")
    back = symbolic.difference_quotient(np.abs, 0.0, hs, "backward")  # the quotient from the left
    assert np.all(ctr == 0) and np.all(fwd == 1) and np.all(back == -1)  # |x| at 0: no derivative, yet central -> 0


def test_count_formula_holds_only_for_a_start_that_is_not_already_flat():
    """The closed form n = ceil(ln(eps / (2|x0 + 1|)) / ln 0.98) needs 2|x0 + 1| > eps; flatter starts take 0 steps."""

    def loop(x0):
        p, m = x0, 0
        while abs(2 * p + 2) > 1e-5:
            p -= 0.01 * (2 * p + 2)
            m += 1
        return m

    def formula(x0):
        return math.ceil(math.log(1e-5 / (2 * abs(x0 + 1))) / math.log(0.98))

    xs = sp.Symbol("x", real=True)
    parabola = xs**2 + 2 * xs + 3
    steep = -1 + 1e-4  # 2|x0 + 1| = 2e-4 > eps: the formula holds
    assert loop(steep) == formula(steep) == symbolic.gd_iteration_count(parabola, xs, 0.01, steep, 1e-5) > 0
    flat = -1 + 1e-7  # 2|x0 + 1| = 2e-7 <= eps: the loop takes no step, the bare formula goes negative
    assert loop(flat) == 0 == symbolic.gd_iteration_count(parabola, xs, 0.01, flat, 1e-5)
    assert formula(flat) < 0


def test_step_size_regimes_and_e26():
    parabola = cl.surface("parabola")

    def steps(lr, x0=1.5):
        return cl.descend(parabola, cl.optimizers.SGD(lr=lr), x0=[x0], steps=2000, tol=1e-8)

    assert steps(0.5).steps == 1
    assert steps(0.25).steps == steps(0.75).steps  # factors +0.5 and -0.5
    counts = [steps(r / 2).steps for r in (1.0, 1.2, 1.5, 1.9)]
    assert counts == sorted(counts) and counts[0] == 1  # larger than 1/L is only slower in 1-D
    assert steps(1.0).steps == 2000 and not steps(1.0).diverged  # 2/L: two-cycle
    assert steps(1.05).diverged
    bowl = cl.objective("(x**2 + 10*y**2)/2")
    n_1_over_l = cl.descend(bowl, cl.optimizers.SGD(lr=0.1), x0=[1.0, 1.0], steps=2000, tol=1e-8).steps
    n_best = cl.descend(bowl, cl.optimizers.SGD(lr=2 / 11), x0=[1.0, 1.0], steps=2000, tol=1e-8).steps
    assert n_best < n_1_over_l < 2000
    # 2/(mu + L) minimizes the worst contraction max(|1 - lr mu|, |1 - lr L|)
    lrs = np.linspace(0.01, 0.2, 19001)
    worst = np.maximum(np.abs(1 - lrs * 1), np.abs(1 - lrs * 10))
    assert math.isclose(lrs[worst.argmin()], 2 / 11, abs_tol=1e-5)


def test_target_practice_quadratic():
    f = cl.objective("3*x**2 - 12*x + 5")
    for x0 in [-7.0, 0.0, 11.0]:
        one = cl.descend(f, cl.optimizers.SGD(lr=1 / 6), x0=[x0], steps=1)
        assert math.isclose(one.x[0], 2.0, abs_tol=1e-12)
    two = cl.descend(f, cl.optimizers.SGD(lr=1 / 3), x0=[0.0], steps=4)
    np.testing.assert_allclose(two.xs[:, 0], [0, 4, 0, 4, 0], atol=1e-12)


def test_lagrange_condition_on_a_small_constrained_problem():
    # E01 (chapters 00 and 01): at a constrained minimum grad f = nu grad h. Minimize x + y on the unit circle.
    x, y, nu = sp.symbols("x y nu", real=True)
    f, h = x + y, x**2 + y**2 - 1
    equations = [sp.diff(f, v) - nu * sp.diff(h, v) for v in (x, y)] + [h]
    solutions = sp.solve(equations, [x, y, nu], dict=True)
    best = min(solutions, key=lambda s: float(f.subs(s)))
    assert best == {x: -1 / sp.sqrt(2), y: -1 / sp.sqrt(2), nu: -1 / sp.sqrt(2)}
    # the multiplier is fixed by the problem, and the point really is the minimum on the circle
    angles = np.linspace(0, 2 * np.pi, 100_001)
    assert float(f.subs(best)) <= (np.cos(angles) + np.sin(angles)).min() + 1e-12


def test_e01_same_destination_only_on_a_convex_function_with_one_minimum():
    # chapter 00, Pitfall E01. Holds: on the convex bowl (x-7)**2 + (y-3)**2 every lr in (0, 2/L) = (0, 1) ends at
    # (7, 3); at lr = 1 (= 2/L) the run bounces forever, above it diverges.
    bowl = cl.surface("bowl")
    lrs = np.array([[0.1], [0.25], [0.5], [0.9], [0.99]])
    ends = cl.descend(bowl, cl.optimizers.SGD(lr=lrs), x0=np.zeros((5, 2)), steps=3000).xs[-1]
    np.testing.assert_allclose(ends, np.tile([7.0, 3.0], (5, 1)), atol=1e-9)
    edge = cl.descend(bowl, cl.optimizers.SGD(lr=1.0), x0=[0.0, 0.0], steps=3000)
    assert not edge.diverged and np.abs(edge.xs[-1] - [7.0, 3.0]).min() > 2
    assert cl.descend(bowl, cl.optimizers.SGD(lr=1.01), x0=[0.0, 0.0], steps=3000).diverged
    # Fails: on the double well (two minima) the learning rate picks the destination, and it is where the runs
    # end (the last 100 iterates do not move), not a transient.
    well = cl.surface("double_well")
    path = cl.descend(well, cl.optimizers.SGD(lr=np.array([[0.1], [0.19]])), x0=np.full((2, 1), 1.5), steps=3000)
    tail = path.xs[-100:, :, 0]
    assert np.ptp(tail, axis=0).max() < 1e-9
    assert round(float(tail[-1, 0]), 3) == 0.960 and round(float(tail[-1, 1]), 3) == -1.036
    np.testing.assert_allclose(np.sort(tail[-1]), well.minima[:, 0], atol=1e-9)
    short = cl.descend(well, cl.optimizers.SGD(lr=np.array([[0.1], [0.19]])), x0=np.full((2, 1), 1.5), steps=500)
    np.testing.assert_allclose(short.xs[-1, :, 0], tail[-1], atol=1e-9)  # the notebook's 500 steps are the end


def test_e25_a_small_step_against_the_slope_lowers_f_only_where_the_slope_is_not_zero():
    # holds: f'(x) != 0, small enough lr -> f goes down (sin, x**2, x**3 at points with a nonzero slope)
    cases = [(np.sin, np.cos, 0.3), (lambda t: t**2, lambda t: 2 * t, 1.0), (lambda t: t**3, lambda t: 3 * t**2, 0.5)]
    for f, df, x0 in cases:
        for eta in (1e-1, 1e-2, 1e-3):
            assert f(x0 - eta * df(x0)) < f(x0)
    # fails: a step that is not small (x**2 at 1, lr = 1 lands at -1, same f), and where f'(x) = 0 nothing moves
    assert (1 - 1.0 * 2) ** 2 >= 1.0**2
    assert 0.0 - 0.1 * 3 * 0.0**2 == 0.0


def test_section1_forward_quotients_of_the_parabola():
    def f(t):
        return t**2 + 2 * t + 3

    for h in (0.1, 0.01, 0.001):
        assert f"{(f(1 + h) - f(1)) / h:.6f}" == f"{4 + h:.6f}"


def test_explorer_question_distance_grows_only_above_2_over_l():
    parabola = cl.surface("parabola")
    ends = {}
    for lr in (0.95, 1.0, 1.05):
        path = cl.descend(parabola, cl.optimizers.SGD(lr=lr), x0=[1.5], steps=15)
        ends[lr] = path.xs[-1, 0]
        distance = np.abs(path.xs[:, 0] + 1)
        if lr < 1:
            assert np.all(np.diff(distance) < 0)
        elif lr == 1:
            np.testing.assert_allclose(distance, 2.5)
        else:
            assert np.all(np.diff(distance) > 0)
    assert f"{ends[0.95]:.4g}" == "-1.515" and ends[1.0] == -3.5 and f"{ends[1.05]:.4g}" == "-11.44"
