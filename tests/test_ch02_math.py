"""Every formula and number that notebooks/02_gradients.ipynb states, checked independently."""

import math
from pathlib import Path

import numpy as np
import sympy as sp

import course_lib as cl
from course_lib import symbolic


def test_partials_along_unit_vectors_match_grad():
    rng = np.random.default_rng(1)
    for name in ["ellipse", "himmelblau", "rosenbrock"]:
        f = cl.surface(name)
        for p in rng.uniform(-2, 2, size=(5, 2)):
            numeric = [(f.value(p + 1e-6 * e) - f.value(p - 1e-6 * e)) / 2e-6 for e in np.eye(2)]
            np.testing.assert_allclose(numeric, f.grad(p), rtol=1e-6, atol=1e-5)


def test_gradient_perpendicular_to_level_curve():
    # exact, on the ellipse x**2 + 2y**2 = c
    t, c = sp.symbols("t c", positive=True)
    x, y = sp.symbols("x y", real=True)
    r = sp.Matrix([sp.sqrt(c) * sp.cos(t), sp.sqrt(c / 2) * sp.sin(t)])
    g = symbolic.gradient(x**2 + 2 * y**2, (x, y)).subs({x: r[0], y: r[1]})
    assert sp.simplify(g.dot(r.diff(t))) == 0
    # numerically, on a level f = 5 loop of Himmelblau around its minimum (3, 2), traced by bisection along rays
    f = cl.surface("himmelblau")
    centre = np.array([3.0, 2.0])
    theta = np.linspace(0, 2 * np.pi, 2001)
    dirs = np.stack([np.cos(theta), np.sin(theta)], -1)
    lo, hi = np.zeros(len(theta)), np.full(len(theta), 0.1)
    while np.any(f.value(centre + hi[:, None] * dirs) < 5):  # grow until outside the level
        hi = np.where(f.value(centre + hi[:, None] * dirs) < 5, hi * 1.5, hi)
    for _ in range(60):
        mid = (lo + hi) / 2
        inside = f.value(centre + mid[:, None] * dirs) < 5
        lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
    curve = centre + lo[:, None] * dirs
    tangent = np.gradient(curve, axis=0)
    grad = f.grad(curve)
    cos = np.sum(tangent * grad, -1) / (np.linalg.norm(tangent, axis=-1) * np.linalg.norm(grad, axis=-1))
    assert np.abs(cos).max() < 1e-3


def test_ellipse_descent_closed_form_and_counts():
    ellipse = cl.surface("ellipse")
    sgd = cl.optimizers.SGD(lr=0.01)
    x0 = np.array([-1.7, 1.3])
    path = cl.descend(ellipse, sgd, x0=x0, steps=5000, tol=1e-5)
    k = np.arange(path.steps + 1)[:, None]
    np.testing.assert_allclose(path.xs, np.array([0.98, 0.96]) ** k * x0, atol=1e-12, rtol=0)
    # the norm rule: the first k with ||(2 x_k, 4 y_k)|| < 1e-5
    norms = np.linalg.norm(ellipse.grad(path.xs), axis=-1)
    assert norms[-1] < 1e-5 <= norms[-2]

    def count(start):
        return cl.descend(ellipse, sgd, x0=start, steps=5000, tol=1e-5).steps

    def x_only(start):
        return math.ceil(math.log(1e-5 / (2 * abs(start[0]))) / math.log(0.98))

    def y_only(start):
        return math.ceil(math.log(1e-5 / (4 * abs(start[1]))) / math.log(0.96))

    assert count([1.0, 1.0]) == x_only([1.0, 1.0]) == 605
    assert count([-2.0, 2.0]) == x_only([-2.0, 2.0]) == 639
    assert count([1e-4, 1.5]) == y_only([1e-4, 1.5]) == 326
    assert math.isclose(math.log(0.96), 2 * math.log(0.98), rel_tol=0.02)  # 0.96 is about 0.98**2


def test_angles_and_convexity_bound():
    ellipse, ill = cl.surface("ellipse"), cl.surface("ill_conditioned")
    assert round(float(symbolic.angle_between(-ellipse.grad([1.0, 1.0]), [-1.0, -1.0])), 1) == 18.4
    assert float(symbolic.angle_between(-ellipse.grad([1.0, 0.0]), [-1.0, 0.0])) == 0.0
    assert round(float(symbolic.angle_between(-ill.grad([5.0, 1.0]), [-5.0, -1.0])), 1) == 67.4
    pts = np.random.default_rng(3).uniform(-10, 10, size=(20000, 2))
    angles = symbolic.angle_between(-ill.grad(pts), -pts)
    assert np.all(angles < 90)
    # the largest possible angle for curvatures 1 and 25: cos = 2 sqrt(25) / 26
    assert angles.max() <= math.degrees(math.acos(2 * 5 / 26)) + 1e-9
    assert np.all(np.sum(ill.grad(pts) * pts, -1) >= ill.value(pts) - 1e-9)


def test_steepest_descent_is_minus_normalized_gradient():
    ill = cl.surface("ill_conditioned")
    for p in np.random.default_rng(4).uniform(-5, 5, size=(10, 2)):
        g = ill.grad(p)
        theta = np.linspace(0, 2 * np.pi, 20000, endpoint=False)
        u = np.stack([np.cos(theta), np.sin(theta)], -1)
        slopes = u @ g
        assert math.isclose(slopes.min(), -np.linalg.norm(g), rel_tol=1e-6)
        np.testing.assert_allclose(u[slopes.argmin()], -g / np.linalg.norm(g), atol=1e-3)


def test_zigzag_factors_and_stability_limits():
    ellipse, ill = cl.surface("ellipse"), cl.surface("ill_conditioned")
    zig = cl.descend(ellipse, cl.optimizers.SGD(lr=0.45), x0=[-1.8, 1.2], steps=10)
    assert np.all(np.sign(zig.xs[1:, 1]) == -np.sign(zig.xs[:-1, 1]))
    np.testing.assert_allclose(zig.xs[1:, 1] / zig.xs[:-1, 1], -0.8)
    np.testing.assert_allclose(zig.xs[1:, 0] / zig.xs[:-1, 0], 0.1)
    zig = cl.descend(ill, cl.optimizers.SGD(lr=0.075), x0=[-9.0, 1.5], steps=25)
    np.testing.assert_allclose(zig.xs[1:, 1] / zig.xs[:-1, 1], -0.875)
    np.testing.assert_allclose(zig.xs[1:, 0] / zig.xs[:-1, 0], 0.925)
    assert not cl.descend(ill, cl.optimizers.SGD(lr=0.079), x0=[1.0, 1.0], steps=3000).diverged
    assert cl.descend(ill, cl.optimizers.SGD(lr=0.081), x0=[1.0, 1.0], steps=3000).diverged
    bounce = cl.descend(ellipse, cl.optimizers.SGD(lr=0.5), x0=[1.0, 1.0], steps=20)
    np.testing.assert_allclose(np.abs(bounce.xs[-1, 1]), 1.0) and not bounce.diverged
    assert cl.descend(ellipse, cl.optimizers.SGD(lr=0.55), x0=[1.0, 1.0], steps=3000).diverged


def test_section4_random_start_is_set_by_the_x_coordinate():
    x0 = np.random.default_rng(3).uniform(-2, 2, size=2)
    path = cl.descend(cl.surface("ellipse"), cl.optimizers.SGD(lr=0.01), x0=x0, steps=5000, tol=1e-5)
    x_only = math.ceil(math.log(1e-5 / (2 * abs(x0[0]))) / math.log(0.98))
    y_only = math.ceil(math.log(1e-5 / (4 * abs(x0[1]))) / math.log(0.96))
    assert path.steps == x_only == 630 and y_only < x_only


def test_first_order_taylor_expansion_gives_the_directional_derivative():
    x, y, s, u1, u2 = sp.symbols("x y s u_1 u_2", real=True)
    f = sp.Function("f")
    series = sp.series(f(x + s * u1, y + s * u2), s, 0, 2).removeO().doit()
    expected = f(x, y) + s * (u1 * sp.Derivative(f(x, y), x) + u2 * sp.Derivative(f(x, y), y))
    assert sp.simplify(series - expected) == 0
    # and on a concrete function the slope along u is grad f . u
    g = x**2 * y + sp.sin(y)
    slope = sp.diff(g.subs({x: x + s * u1, y: y + s * u2}), s).subs(s, 0)
    assert sp.simplify(slope - (sp.diff(g, x) * u1 + sp.diff(g, y) * u2)) == 0


def test_steepest_is_a_small_step_statement_only():
    ill = cl.surface("ill_conditioned")
    point = np.array([5.0, 1.0])
    g = ill.grad(point)
    down = -g / np.linalg.norm(g)
    to_min = -point / np.linalg.norm(point)
    # holds for small steps: -grad f lowers f more than the direction to the minimum
    for s in (1e-3, 1e-2, 1e-1):
        assert ill.value(point + s * down) < ill.value(point + s * to_min)
    # fails for the best finite step: the ray to the minimum reaches 0, the ray along -grad f stops near 11.50
    lengths = np.linspace(0, 10, 100_001)[:, None]
    assert ill.value(point + lengths * to_min).min() < 1e-6
    assert round(float(ill.value(point + lengths * down).min()), 2) == 11.50
    # exact line search along -grad f for a quadratic: s* = g.g / g.H.g
    H = np.diag([1.0, 25.0])
    s_star = (g @ g) / (g @ H @ g) * np.linalg.norm(g)
    assert math.isclose(float(ill.value(point + s_star * down)), 11.5016, abs_tol=1e-4)


def test_gradient_aims_at_the_minimum_only_on_a_round_bowl_or_an_axis():
    ellipse = cl.surface("ellipse")
    round_bowl = cl.objective("x**2 + y**2")
    pts = np.random.default_rng(6).uniform(-2, 2, size=(200, 2))
    # holds: round bowl everywhere, the ellipse on its axes
    assert np.all(symbolic.angle_between(-round_bowl.grad(pts), -pts) < 1e-5)
    for p in ([1.5, 0.0], [0.0, -1.0], [-2.0, 0.0]):
        assert float(symbolic.angle_between(-ellipse.grad(p), -np.array(p))) < 1e-5
    # fails: off the axes of an elongated bowl
    off_axis = pts[np.abs(pts).min(axis=1) > 0.1]
    assert np.all(symbolic.angle_between(-ellipse.grad(off_axis), -off_axis) > 1)


def test_ill_conditioned_explorer_question_readings_at_step_60():
    ill = cl.surface("ill_conditioned")
    lrs = [0.02, 0.06, 0.075, 0.079, 0.08]
    path = cl.descend(ill, cl.optimizers.SGD(lr=np.array(lrs)[:, None]), x0=np.tile([-9.0, 1.5], (5, 1)), steps=60)
    f60 = dict(zip(lrs, path.values[-1], strict=True))
    assert min(lrs[:4], key=f60.get) == 0.075
    assert [f"{f60[lr]:.3g}" for lr in lrs] == ["3.59", "0.0241", "0.00351", "1.35", "28.1"]
    # the reason: |1 - 25 lr| = 0.875 at 0.075 but 0.975 at 0.079, and 1 (a bounce that never shrinks) at 0.08
    np.testing.assert_allclose(path.xs[1:, 4, 1] / path.xs[:-1, 4, 1], -1.0)


def test_contour_helper_draws_to_scale_when_asked():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import course_lib.viz as viz

    fig, (a, b) = plt.subplots(1, 2)
    viz.contour(a, cl.surface("ill_conditioned"), (-10, 10), (-2, 2), levels=8, n=40, equal_aspect=True)
    viz.contour(b, cl.surface("ill_conditioned"), (-10, 10), (-2, 2), levels=8, n=40)
    assert a.get_aspect() == 1.0
    assert b.get_aspect() == "auto"  # the default is unchanged
    plt.close(fig)


def test_every_contour_figure_of_chapter_02_is_drawn_to_scale():
    # the lesson of each contour map in chapter 02 is the shape of the level sets (perpendicular arrows, elongated
    # bowls), so each viz.contour call asks for equal aspect
    import nbformat

    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "02_gradients.ipynb", as_version=4)
    calls = [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if "viz.contour(" in line
    ]
    assert len(calls) >= 3
    assert all("equal_aspect=True" in line for line in calls), calls
