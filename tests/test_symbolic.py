"""course_lib.symbolic: every helper against an independent computation, and its input validation."""

import math

import numpy as np
import pytest
import sympy as sp

from course_lib import symbolic

x, y, eta = sp.symbols("x y eta", real=True)


@pytest.mark.parametrize("kind", list(symbolic.KINDS))
@pytest.mark.parametrize("expr", [x**2 + 2 * x + 3, sp.sin(x), sp.exp(2 * x), x**3 - 5 * x])
def test_derivative_by_limit_equals_diff(expr, kind):
    assert sp.simplify(symbolic.derivative_by_limit(expr, x, kind) - sp.diff(expr, x)) == 0


def test_difference_quotient_orders():
    # forward error ~ h f''/2, central error ~ h**2 f'''/6 (Taylor); check both constants on exp at 0
    h = np.array([1e-2, 1e-3])
    fwd = symbolic.difference_quotient(np.exp, 0.0, h, "forward") - 1.0
    ctr = symbolic.difference_quotient(np.exp, 0.0, h, "central") - 1.0
    bwd = symbolic.difference_quotient(np.exp, 0.0, h, "backward") - 1.0
    np.testing.assert_allclose(fwd / h, 0.5, rtol=1e-2)
    np.testing.assert_allclose(bwd / h, -0.5, rtol=1e-2)
    np.testing.assert_allclose(ctr / h**2, 1 / 6, rtol=1e-3)


def test_quotient_error_series_matches_taylor():
    h = sp.Symbol("h", positive=True)
    series, hh = symbolic.quotient_error_series(sp.sin(x), x, "forward", 3)
    assert sp.simplify(series - (-h * sp.sin(x) / 2 - h**2 * sp.cos(x) / 6)) == 0
    series, _ = symbolic.quotient_error_series(x**3, x, "central", 4)
    assert sp.simplify(series - hh**2) == 0


def test_partial_by_limit_and_gradient():
    f = x**2 * y + sp.sin(x * y)
    for i, v in enumerate((x, y)):
        assert sp.simplify(symbolic.partial_by_limit(f, (x, y), i) - sp.diff(f, v)) == 0
    assert symbolic.gradient(x**2 + 2 * y**2, (x, y)) == sp.Matrix([2 * x, 4 * y])
    assert symbolic.unit_vector(2, 4) == sp.Matrix([0, 0, 1, 0])


def test_gd_contraction_and_count_against_a_loop():
    f = x**2 + 2 * x + 3
    x_star, q = symbolic.gd_contraction(f, x, eta)
    assert x_star == -1 and sp.simplify(q - (1 - 2 * eta)) == 0
    rng = np.random.default_rng(5)
    for x0 in rng.uniform(-2, 2, size=20):
        point, n = x0, 0
        while abs(2 * point + 2) > 1e-5:
            point -= 0.01 * (2 * point + 2)
            n += 1
        assert symbolic.gd_iteration_count(f, x, 0.01, float(x0), 1e-5) == n
    # the seed's range: 605 from 0 and at most 659 over (-2, 2)
    assert symbolic.gd_iteration_count(f, x, 0.01, 0.0, 1e-5) == 605
    assert symbolic.gd_iteration_count(f, x, 0.01, 1.999999, 1e-5) == 659
    assert symbolic.gd_iteration_count(f, x, 0.5, 3.0, 1e-5) == 1
    assert symbolic.gd_iteration_count(f, x, 0.01, -1.0, 1e-5) == 0


@pytest.mark.parametrize(
    "lr, regime",
    [
        (0.0, "no progress"),
        (0.1, "too small"),
        (0.5, "one step"),
        (0.8, "oscillating inward"),
        (1.0, "two-cycle"),
        (1.05, "diverging"),
    ],
)
def test_lr_regime_matches_iteration(lr, regime):
    assert symbolic.lr_regime(lr, 2.0) == regime
    e = [1.0]
    for _ in range(60):
        e.append((1 - 2 * lr) * e[-1])  # x_k - x* on a quadratic with f'' = 2
    e = np.array(e)
    behaviour = {
        "no progress": np.all(e == 1),
        "too small": np.all(np.diff(e) < 0) and np.all(e > 0),
        "one step": e[1] == 0,
        "oscillating inward": np.all(np.sign(e[1:8]) == -np.sign(e[:7])) and abs(e[-1]) < 1e-3,
        "two-cycle": np.allclose(np.abs(e), 1),
        "diverging": abs(e[-1]) > 100,
    }
    assert behaviour[regime]


def test_iteration_matrix_and_angle():
    m = symbolic.iteration_matrix(x**2 + 2 * y**2, (x, y), sp.Rational(1, 100))
    assert m == sp.diag(sp.Rational(49, 50), sp.Rational(24, 25))
    assert math.isclose(float(symbolic.angle_between([1, 0], [0, 2])), 90.0)
    # E21's example: -grad of (x**2 + 10 y**2)/2 at (10, 1) vs the way to the origin: 39.3 degrees
    assert round(float(symbolic.angle_between([-10.0, -10.0], [-10.0, -1.0])), 1) == 39.3


@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: symbolic.difference_quotient(np.sin, 0.0, 0.0), "h"),
        (lambda: symbolic.difference_quotient(np.sin, 0.0, 1e-3, "sideways"), "kind"),
        (lambda: symbolic.difference_quotient(3.0, 0.0, 1e-3), "f"),
        (lambda: symbolic.derivative_by_limit(x**2, "x"), "var"),
        (lambda: symbolic.quotient_error_series(x**2, x, "forward", 0), "order"),
        (lambda: symbolic.partial_by_limit(x * y, (x, y), 2), "i"),
        (lambda: symbolic.gradient(x * y, []), "variables"),
        (lambda: symbolic.unit_vector(0, 0), "d"),
        (lambda: symbolic.gd_contraction(x**3, x, eta), "quadratic"),
        (lambda: symbolic.gd_contraction(-(x**2), x, eta), "minimum"),
        (lambda: symbolic.gd_iteration_count(x**2, x, -0.1, 1.0, 1e-5), "lr"),
        (lambda: symbolic.gd_iteration_count(x**2, x, 0.1, 1.0, 0), "eps"),
        (lambda: symbolic.gd_iteration_count(x**2, x, 0.1, float("nan"), 1e-5), "x0"),
        (lambda: symbolic.gd_iteration_count(x**2, x, 1.5, 1.0, 1e-5), "lr"),
        (lambda: symbolic.lr_regime(0.1, 0.0), "curvature"),
        (lambda: symbolic.lr_regime(-0.1, 2.0), "lr"),
        (lambda: symbolic.iteration_matrix(x**4 + y**2, (x, y), eta), "quadratic"),
        (lambda: symbolic.angle_between([0, 0], [1, 0]), "zero"),
        (lambda: symbolic.angle_between([1, 0, 0], [1, 0]), "lengths"),
    ],
)
def test_bad_input_raises_value_error(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_imports_only_numpy_and_sympy():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(symbolic.__file__).read_text())
    roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert roots <= {"__future__", "math", "numbers", "numpy", "sympy"}
