"""Every formula and number that notebooks/03_learning_rate.ipynb states, checked independently.

Formulas derived with SymPy in the notebook are re-checked numerically here; the others only here.
"""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.optimizers import SGD

BOWL = cl.surface("bowl")


def exact_run(lr, steps, start=(0, 0), factor=2):
    x, y = Fraction(start[0]), Fraction(start[1])
    points = [(x, y)]
    for _ in range(steps):
        x, y = x - lr * factor * (x - 7), y - lr * factor * (y - 3)
        points.append((x, y))
    return points


def bowl_f(point):
    return (point[0] - 7) ** 2 + (point[1] - 3) ** 2


def test_bowl_gradient_and_start_value():
    assert BOWL.value([0.0, 0.0]) == 58.0
    np.testing.assert_allclose(BOWL.grad([[0.0, 0.0], [8.0, 1.0]]), [[-14.0, -6.0], [2.0, -4.0]])


@pytest.mark.parametrize("lr", [Fraction(1), Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(1, 4)])
def test_error_factor_one_minus_two_lr(lr):
    """x_{t+1} - 7 = (1 - 2 lr)(x_t - 7), hence f_t = 58 (1 - 2 lr)^(2t)."""
    points = exact_run(lr, 5)
    for t, point in enumerate(points):
        assert point[0] - 7 == (1 - 2 * lr) ** t * (-7)
        assert bowl_f(point) == 58 * (1 - 2 * lr) ** (2 * t)


def test_the_table_of_the_four_learning_rates():
    assert exact_run(Fraction(1), 3) == [(0, 0), (14, 6), (0, 0), (14, 6)]
    assert exact_run(Fraction(0), 3) == [(0, 0)] * 4
    third = exact_run(Fraction(1, 3), 3)
    assert third[1:] == [
        (Fraction(14, 3), 2),
        (Fraction(56, 9), Fraction(8, 3)),
        (Fraction(182, 27), Fraction(26, 9)),
    ]
    assert [bowl_f(p) for p in third] == [58, Fraction(58, 9), Fraction(58, 81), Fraction(58, 729)]
    assert exact_run(Fraction(1, 2), 1)[1] == (7, 3)


def test_float_descend_agrees_with_fractions():
    lrs = [Fraction(1), Fraction(0), Fraction(1, 3), Fraction(1, 2)]
    path = cl.descend(BOWL, SGD(lr=np.array([[float(a)] for a in lrs])), [0.0, 0.0], 3)
    exact = np.array([[[float(c) for c in p] for p in exact_run(a, 3)] for a in lrs]).transpose(1, 0, 2)
    np.testing.assert_allclose(path.xs, exact, atol=1e-14)


def test_the_listed_wrong_points_drop_the_factor_two():
    third = Fraction(1, 3)
    listed = [
        (Fraction(14, 3), Fraction(2)),
        (Fraction(49, 9), Fraction(8, 3)),
        (Fraction(161, 27), Fraction(25, 9)),
    ]
    drops = [(False, False), (True, False), (True, True)]
    previous = (Fraction(0), Fraction(0))
    for point, (drop_x, drop_y) in zip(listed, drops, strict=True):
        for c, (target, drop) in enumerate(zip((7, 3), (drop_x, drop_y), strict=True)):
            factor = 1 if drop else 2
            assert point[c] == previous[c] - third * factor * (previous[c] - target)
        previous = point
    assert bowl_f(listed[0]) == Fraction(58, 9) != Fraction(70, 9)  # 7.777... = 70/9 is not f there
    assert bowl_f(listed[1]) == Fraction(205, 81)  # 2.530...
    assert round(float(bowl_f(listed[2])), 4) == 1.1248  # not 1.049...


@pytest.mark.parametrize("L", [0.2, 1.0, 2.0, 7.0])
def test_one_step_and_stability_limit_for_curvature_L(L):
    """f = L/2 (x - c)^2: lr = 1/L is one step from any start; stable iff 0 < lr < 2/L."""
    c = 1.5
    f = cl.objective(f"{L}/2*(x - {c})**2")
    starts = np.array([[-30.0], [0.0], [4.0], [100.0]])
    np.testing.assert_allclose(cl.descend(f, SGD(lr=1 / L), starts, 1).xs[1], c, atol=1e-9)
    lrs = np.array([0.5, 1.0, 1.9, 1.99, 2.0, 2.01, 2.5])[:, None] / L
    path = cl.descend(f, SGD(lr=lrs), [c + 1.0], 3000)
    err = np.abs(path.xs[-1, :, 0] - c)
    assert np.all(err[:4] < 1e-6)
    assert err[4] == pytest.approx(1.0)  # lr = 2/L: the error keeps its size forever
    assert np.all(err[5:] > 1e3) or np.all(path.diverged[5:])


def test_lr_one_point_one_diverges_on_the_bowl():
    path = cl.descend(BOWL, SGD(lr=1.1), [0.0, 0.0], 200)
    assert path.diverged
    np.testing.assert_allclose(np.abs(path.xs[10, 0] - 7) / 7, 1.2**10)


def test_flat_parabola_accepts_large_learning_rates():
    f = cl.objective("0.1*x**2")
    assert abs(cl.descend(f, SGD(lr=5.0), [3.0], 1).xs[1, 0]) < 1e-12
    assert abs(cl.descend(f, SGD(lr=9.9), [3.0], 2000).xs[-1, 0]) < 1e-12
    assert cl.descend(f, SGD(lr=10.1), [3.0], 2000).diverged


def test_best_fixed_step_two_over_mu_plus_L():
    """max(|1 - lr mu|, |1 - lr L|) is minimal at 2/(mu+L) with value (L-mu)/(L+mu)."""
    for mu, L in [(2.0, 4.0), (1.0, 10.0), (0.3, 31.0)]:
        grid = np.linspace(1e-4, 2 / L, 200001)
        worst = np.maximum(np.abs(1 - grid * mu), np.abs(1 - grid * L))
        assert grid[np.argmin(worst)] == pytest.approx(2 / (mu + L), rel=1e-3)
        assert worst.min() == pytest.approx((L - mu) / (L + mu), rel=1e-3)
    lr = sp.symbols("lr")
    sol = sp.solve(sp.Eq(1 - lr * 2, -(1 - lr * 4)), lr)
    assert sol == [sp.Rational(1, 3)]


def test_ellipse_race_counts():
    lrs = np.array([[0.25], [1 / 3], [0.45], [0.5]])
    path = cl.descend(cl.surface("ellipse"), SGD(lr=lrs), [1.0, 1.0], 300)
    distance = np.linalg.norm(path.xs, axis=-1)
    first = [np.flatnonzero(distance[:, k] < 1e-8) for k in range(4)]
    assert [f[0] for f in first[:3]] == [27, 18, 83]
    assert first[3].size == 0


def test_two_over_mu_plus_L_contracts_a_non_quadratic():
    """f = x^2 + sin x has f'' in [1, 3]; lr = 1/2 shrinks |x - x*| by at least (3-1)/(3+1) = 1/2 per step."""
    f = cl.objective("x**2 + sin(x)")
    x_star = cl.descend(f, SGD(lr=0.5), [0.0], 200).xs[-1, 0]
    assert abs(2 * x_star + np.cos(x_star)) < 1e-12
    rng = np.random.default_rng(0)
    starts = rng.uniform(-50, 50, size=(200, 1))
    path = cl.descend(f, SGD(lr=0.5), starts, 8)
    gaps = np.abs(path.xs[..., 0] - x_star)
    mask = gaps[:-1] > 1e-10
    assert np.all(gaps[1:][mask] <= 0.5 * gaps[:-1][mask] + 1e-15)


def test_one_dimensional_steps_beyond_one_over_L_are_slower():
    lrs = np.array([[1.0], [1.2], [1.5], [1.9]])
    path = cl.descend(cl.objective("x**2/2"), SGD(lr=lrs), [1.0], 400)
    counts = [np.flatnonzero(np.abs(path.xs[:, k, 0]) < 1e-8)[0] for k in range(4)]
    assert counts == [1, 12, 27, 175]


def test_double_well_two_starts_two_minima():
    well = cl.surface("double_well")
    path = cl.descend(well, SGD(lr=0.05), [[-0.5], [0.5]], 200)
    np.testing.assert_allclose(path.xs[-1, :, 0], well.minima[:, 0], atol=1e-6)
    roots = np.roots([4, 0, -4, 0.3])
    top = [r.real for r in roots if abs(r.imag) < 1e-12 and -0.5 < r.real < 0.5]
    assert len(top) == 1 and top[0] == pytest.approx(0.0754, abs=1e-4)
    assert well.hess(np.array([[top[0]]]))[0, 0, 0] < 0  # a local maximum separates the basins


def test_saddle_start_on_the_axis_converges_to_the_saddle_others_escape():
    saddle = cl.surface("saddle_quartic")
    path = cl.descend(saddle, SGD(lr=0.1), [[1.0, 0.0], [1.0, 1e-6], [1.0, -1e-12]], 400)
    np.testing.assert_allclose(path.xs[-1], [[0, 0], [0, 1], [0, -1]], atol=1e-9)
    near = (np.linalg.norm(path.xs, axis=-1) < 0.1).sum(axis=0)
    assert near.tolist() == [390, 110, 255]
    # the escape factor along y near the saddle is 1 + lr
    ys = path.xs[20:60, 1, 1]
    np.testing.assert_allclose(ys[1:] / ys[:-1], 1.1, rtol=1e-3)


# --- claims with conditions, each checked on both sides ------------------------------------------------------


def _slider_grid(spec):
    """The values a log slider of the explorers offers (the grid the learner can reach)."""
    from course_lib.viz import make_slider

    slider = make_slider("lr", spec)
    return 10 ** np.arange(slider.min, slider.max + slider.step / 2, slider.step)


def test_double_well_try_this_is_reachable_on_the_slider():
    """Section 4, Try this 2-3, with the explorer's settings (lr slider (0.005, 0.4), 40 steps).

    From x0 = 0.5 no learning rate of the slider ends at the deep minimum; from x0 = 1.5 the rates from about 0.19
    to about 0.21 end there, and above 2 / f''(x_deep) = 0.226 the run no longer settles.
    """
    well = cl.surface("double_well")
    deep, shallow = well.minima[:, 0]
    grid = _slider_grid((0.005, 0.4, 0.05, "log"))
    assert grid[0] == pytest.approx(0.005, rel=1e-2) and grid[-1] == pytest.approx(0.4, rel=2e-2)
    from_half = cl.descend(well, SGD(lr=grid[:, None]), [0.5], 40)
    assert not np.any(np.abs(from_half.xs[-1, :, 0] - deep) < 0.05)
    run = cl.descend(well, SGD(lr=grid[:, None]), [1.5], 40)
    end, before = run.xs[-1, :, 0], run.xs[-2, :, 0]
    lands = np.abs(end - deep) < 1e-3
    assert np.all(lands[(grid >= 0.187) & (grid <= 0.21)])
    assert np.all(np.abs(end[(grid > 0.05) & (grid < 0.18)] - shallow) < 1e-3)  # below: the shallow minimum
    curvature = 12 * deep**2 - 4
    assert 2 / curvature == pytest.approx(0.226, abs=1e-3)
    above = grid > 0.23
    settled = (np.abs(end - before) < 0.05) & ~run.diverged
    assert not np.any(settled[above])  # bouncing (or diverged), not settled
    # the printed pair of the section: lr 0.1 and 0.19 from 1.5 end in different minima
    pair = cl.descend(well, SGD(lr=np.array([[0.1], [0.19]])), [1.5], 200)
    np.testing.assert_allclose(pair.xs[-1, :, 0], [shallow, deep], atol=1e-6)


def test_learning_rate_changes_only_the_route_on_a_convex_function():
    """E03's condition, "on a function with a single minimum": on the bowl every stable rate ends at (7, 3); on the
    double well two rates from the same start end in different minima."""
    lrs = np.array([[0.05], [0.3], [0.7], [0.95]])
    bowl_runs = cl.descend(BOWL, SGD(lr=lrs), [0.0, 0.0], 2000)
    np.testing.assert_allclose(bowl_runs.xs[-1], [[7.0, 3.0]] * 4, atol=1e-9)
    well = cl.surface("double_well")
    ends = cl.descend(well, SGD(lr=np.array([[0.1], [0.19]])), [1.5], 400).xs[-1, :, 0]
    assert abs(ends[0] - ends[1]) > 1.5


def test_steps_from_the_formula_exercise():
    """Exercise 2: lr = 0.4 on the bowl from (0, 0): f_t = 58 * 0.04**t, first below 1e-6 at t = 6."""
    path = cl.descend(BOWL, SGD(lr=0.4), [0.0, 0.0], 10)
    np.testing.assert_allclose(path.values, 58 * 0.04 ** np.arange(11), rtol=1e-9)
    assert np.argmax(path.values < 1e-6) == 6
    assert int(np.ceil(np.log(1e-6 / 58) / np.log(0.04))) == 6


def test_at_the_threshold_a_two_point_cycle_below_it_convergence():
    """Exercise 3's wording: at lr = 2/L gradient descent does not converge; every lr below it does."""
    quad = cl.objective("2*x**2 + 2*x*y + 2*y**2")
    L = np.linalg.eigvalsh(quad.hess([0.0, 0.0]))[-1]
    assert L == pytest.approx(6.0)
    at = cl.descend(quad, SGD(lr=2 / L), [1.0, 0.5], 2001)
    np.testing.assert_allclose(at.xs[-1], at.xs[-3], atol=1e-9)  # a two-point cycle
    assert np.linalg.norm(at.xs[-1]) > 0.1
    below = cl.descend(quad, SGD(lr=np.array([[0.999], [0.99], [0.5]]) * 2 / L), [1.0, 0.5], 20000)
    assert np.all(np.linalg.norm(below.xs[-1], axis=-1) < 1e-6)


def test_contraction_needs_the_curvature_bounds():
    """2/(mu+L) contracts by (kappa-1)/(kappa+1) only when the curvature stays in [mu, L]: x^2 + sin x (curvature in
    [1, 3]) does, x^2 + 2 sin x (curvature in [0, 4]) with the same step does not."""
    rng = np.random.default_rng(3)
    starts = rng.uniform(-20, 20, size=(400, 1))
    for expr, holds in (("x**2 + sin(x)", True), ("x**2 + 2*sin(x)", False)):
        f = cl.objective(expr)
        x_star = cl.descend(f, SGD(lr=0.25), [0.0], 2000).xs[-1, 0]
        path = cl.descend(f, SGD(lr=0.5), starts, 6)
        gaps = np.abs(path.xs[..., 0] - x_star)
        mask = gaps[:-1] > 1e-8
        worst = np.max(gaps[1:][mask] / gaps[:-1][mask])
        assert (worst <= 0.5 + 1e-12) == holds, (expr, worst)


def test_sweep_explorer_marks_diverged_cells_beyond_colour():
    """The heat map of section 3 marks each diverged cell with a cross, not only with a grey."""
    pytest.importorskip("ipympl")
    import matplotlib

    matplotlib.use("Agg")
    import course_lib.viz as viz

    explorer = viz.sweep_explorer(
        BOWL,
        SGD(lr=0.1),
        x0=[0.0, 0.0],
        steps=30,
        x_param=("lr", np.geomspace(1e-2, 2.0, 16)),
        y_param=("momentum", [0.0, 0.3, 0.6, 0.9]),
        canvas="agg",
    )
    try:
        explorer.draw(30)
        crosses = [
            line
            for line in explorer.ax_heat.get_lines()
            if line.get_marker() == "x" and len(line.get_xdata()) == int(explorer.diverged.sum())
        ]
        assert explorer.diverged.sum() > 0 and crosses
    finally:
        explorer.close()


def test_which_listed_values_of_f_match_which_points():
    """E06: the second listed f (2.530...) is f at its own (wrong) listed point; the first (7.777...) and the third
    (1.049...) match neither the listed nor the right point."""
    listed = [(Fraction(14, 3), Fraction(2)), (Fraction(49, 9), Fraction(8, 3)), (Fraction(161, 27), Fraction(25, 9))]
    right = exact_run(Fraction(1, 3), 3)[1:]
    claimed = [Fraction(70, 9), 2.530, 1.049]  # 7.777... = 70/9; the others as printed, three decimals

    def agrees(value, point):
        return abs(float(bowl_f(point)) - float(value)) < 1e-3

    assert agrees(claimed[1], listed[1]) and not agrees(claimed[1], right[1])
    for k in (0, 2):
        assert not agrees(claimed[k], listed[k]) and not agrees(claimed[k], right[k])


def test_a_smaller_rate_is_only_slower_below_one_over_L():
    """E03: on a convex quadratic every rate in (0, 2/L) reaches the same minimum; below 1/L a smaller rate takes
    longer, above 1/L a smaller rate is FASTER, so "smaller is only later" needs eta <= 1/L."""
    f = cl.objective("0.1*x**2")  # L = 0.2, 1/L = 5, 2/L = 10
    lrs = np.array([0.5, 1.0, 2.5, 5.0, 7.5, 9.0, 9.9])
    path = cl.descend(f, SGD(lr=lrs[:, None]), [3.0], 3000)
    assert np.all(np.abs(path.xs[-1, :, 0]) < 1e-9)  # one destination for every stable rate
    steps = [int(np.argmax(np.abs(path.xs[:, k, 0]) < 1e-8)) for k in range(lrs.size)]
    below, above = steps[:4], steps[3:]
    assert below == sorted(below, reverse=True) and len(set(below)) == 4  # smaller eta: more steps
    assert above == sorted(above) and len(set(above)) == 4  # above 1/L: smaller eta, fewer steps


def test_several_minima_need_non_convexity_but_non_convexity_does_not_give_them():
    """E08: the double well (non-convex, two minima) sends one start to two minima; log(1 + x^2) is non-convex too
    (negative curvature for |x| > 1) but has one minimum, and every start and rate ends there."""
    well = cl.surface("double_well")
    ends = cl.descend(well, SGD(lr=np.array([[0.1], [0.19]])), [1.5], 400).xs[-1, :, 0]
    assert abs(ends[0] - ends[1]) > 1.5
    one_min = cl.objective("log(1 + x**2)")
    assert one_min.hess(np.array([[2.0]]))[0, 0, 0] < 0  # not convex
    starts = np.linspace(-5.0, 5.0, 11)[:, None]
    for lr in (0.1, 0.5, 0.9):  # below 2/f''(0) = 1
        assert np.all(np.abs(cl.descend(one_min, SGD(lr=lr), starts, 5000).xs[-1, :, 0]) < 1e-6)


def test_race_try_this_start_on_the_axis():
    """Race explorer, Try this 2: from (2, 0) exactly the rate 0.45 wins after the explorer's 40 steps (only the x
    factor 1 - 2 lr counts); from (2, 0.02), a start a click could give, its y factor -0.8 makes it lose to 1/3. The
    y0 slider offers 0 exactly."""
    lrs = np.array([[0.25], [1 / 3], [0.45]])
    on_axis = cl.descend(cl.surface("ellipse"), SGD(lr=lrs), [2.0, 0.0], 40).values[-1]
    off_axis = cl.descend(cl.surface("ellipse"), SGD(lr=lrs), [2.0, 0.02], 40).values[-1]
    assert np.argmin(on_axis) == 2 and np.argmin(off_axis) == 1
    pytest.importorskip("ipympl")
    import matplotlib

    matplotlib.use("Agg")
    import course_lib.viz as viz

    opts = {label: SGD(lr=float(lr)) for label, lr in zip(("1/L = 0.25", "2/(mu+L) = 1/3", "0.45"), lrs[:, 0])}
    explorer = viz.race_explorer(cl.surface("ellipse"), opts, x0=[2.0, 1.5], steps=40, canvas="agg")
    try:
        explorer.sliders["y0"].value = 0.0
        assert explorer.x0[1] == 0.0 and "from (2, 0)" in explorer.describe()
    finally:
        explorer.close()


def test_no_start_of_the_saddle_explorer_ends_at_the_saddle():
    """Saddle Try this 1: the explorer's start sliders move on a grid through its default (1, 1e-6), so y0 = 0 is not
    offered; from every start of that grid (x0 every 0.1) the 200 steps of lr = 0.1 end at (0, 1) or (0, -1). Only
    a start exactly on y = 0 (the figure's first run) would end at the saddle."""
    saddle = cl.surface("saddle_quartic")
    xs = np.arange(-1.5, 1.5001, 0.1)
    ys = 1e-6 + 0.02 * np.arange(-75, 75)
    starts = np.array([[a, b] for a in xs for b in ys if -1.5 <= b <= 1.5])
    end = cl.descend(saddle, SGD(lr=0.1), starts, 200).xs[-1]
    np.testing.assert_allclose(end, np.stack([np.zeros(len(end)), np.sign(starts[:, 1])], axis=1), atol=1e-4)
    on_axis = cl.descend(saddle, SGD(lr=0.1), [1.0, 0.0], 200).xs[-1]
    assert np.abs(on_axis).max() < 1e-12
