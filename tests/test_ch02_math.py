"""Every formula and number that notebooks/02_gradients.ipynb states, checked independently."""

import math

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
    assert count([-1.2, 0.9]) == 614
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
