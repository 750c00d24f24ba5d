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
