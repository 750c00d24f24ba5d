"""course_lib.objectives: named surfaces, derivatives against finite differences, shapes, safe parsing."""

import re
import signal

import numpy as np
import pytest
import sympy as sp

import course_lib as cl

NAMES = list(cl.SURFACES)

# The formulas of the contract, written independently in NumPy (x = X[..., 0], y = X[..., 1]).
FORMULAS = {
    "parabola": lambda X: X[..., 0] ** 2 + 2 * X[..., 0] + 3,
    "bowl": lambda X: (X[..., 0] - 7) ** 2 + (X[..., 1] - 3) ** 2,
    "ellipse": lambda X: X[..., 0] ** 2 + 2 * X[..., 1] ** 2,
    "saddle": lambda X: X[..., 0] ** 2 - X[..., 1] ** 2,
    "rosenbrock": lambda X: (1 - X[..., 0]) ** 2 + 100 * (X[..., 1] - X[..., 0] ** 2) ** 2,
    "beale": lambda X: (
        (1.5 - X[..., 0] + X[..., 0] * X[..., 1]) ** 2
        + (2.25 - X[..., 0] + X[..., 0] * X[..., 1] ** 2) ** 2
        + (2.625 - X[..., 0] + X[..., 0] * X[..., 1] ** 3) ** 2
    ),
    "himmelblau": lambda X: (X[..., 0] ** 2 + X[..., 1] - 11) ** 2 + (X[..., 0] + X[..., 1] ** 2 - 7) ** 2,
}
KNOWN_MINIMA = {
    "parabola": [[-1.0]],
    "bowl": [[7.0, 3.0]],
    "ellipse": [[0.0, 0.0]],
    "rosenbrock": [[1.0, 1.0]],
    "beale": [[3.0, 0.5]],
}


def random_points(dim, n=6, seed=0, scale=2.0):
    return np.random.default_rng(seed).uniform(-scale, scale, size=(n, dim))


def central_gradient(fun, X, h=1e-6):
    """Central differences of a batched scalar function, one coordinate at a time."""
    X = np.asarray(X, dtype=np.float64)
    columns = []
    for i in range(X.shape[-1]):
        step = np.zeros(X.shape[-1])
        step[i] = h * max(1.0, np.abs(X[..., i]).max())
        columns.append((fun(X + step) - fun(X - step)) / (2 * step[i]))
    return np.stack(columns, axis=-1)


# ------------------------------------------------------------------------------------------------------------
# Catalogue
# ------------------------------------------------------------------------------------------------------------


def test_catalogue_has_the_contract_names():
    for name in ["parabola", "double_well", "bowl", "ellipse", "saddle", "rosenbrock", "beale", "himmelblau"]:
        assert name in cl.SURFACES
        assert isinstance(cl.surface(name), cl.Objective)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_surface_formula_matches_the_contract(name):
    f = cl.surface(name)
    X = random_points(f.dim, n=10, seed=1, scale=3.0)
    np.testing.assert_allclose(f.value(X), FORMULAS[name](X), rtol=1e-12, atol=1e-12)


def test_surface_values_at_simple_points():
    assert cl.surface("parabola").value([0.0]) == pytest.approx(3.0)
    assert cl.surface("bowl").value([0.0, 0.0]) == pytest.approx(58.0)
    assert cl.surface("ellipse").value([1.0, 1.0]) == pytest.approx(3.0)
    assert cl.surface("saddle").value([1.0, 2.0]) == pytest.approx(-3.0)
    assert cl.surface("rosenbrock").value([0.0, 0.0]) == pytest.approx(1.0)
    assert cl.surface("beale").value([0.0, 0.0]) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert cl.surface("himmelblau").value([0.0, 0.0]) == pytest.approx(121.0 + 49.0)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    f = cl.surface(name)
    X = random_points(f.dim, seed=2)
    numeric = central_gradient(f.value, X)
    exact = f.grad(X)
    scale = 1.0 + np.abs(exact).max()
    np.testing.assert_allclose(exact, numeric, rtol=1e-6, atol=1e-6 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_central_differences_of_the_gradient(name):
    f = cl.surface(name)
    X = random_points(f.dim, seed=3)
    exact = f.hess(X)
    for i in range(f.dim):
        numeric_row = central_gradient(lambda P, i=i: f.grad(P)[..., i], X)
        scale = 1.0 + np.abs(exact).max()
        np.testing.assert_allclose(exact[..., i, :], numeric_row, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(exact, np.swapaxes(exact, -1, -2), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_value_and_grad_agree_with_value_and_grad(name):
    f = cl.surface(name)
    X = random_points(f.dim, seed=4)
    value, grad = f.value_and_grad(X)
    np.testing.assert_allclose(value, f.value(X), rtol=1e-14)
    np.testing.assert_allclose(grad, f.grad(X), rtol=1e-14)


@pytest.mark.parametrize("batch", [(), (5,), (3, 4)], ids=["single", "batch5", "batch3x4"])
@pytest.mark.parametrize("name", NAMES)
def test_batch_shapes_and_dtype(name, batch):
    f = cl.surface(name)
    X = np.random.default_rng(5).uniform(-2, 2, size=(*batch, f.dim))
    value, grad, hess = f.value(X), f.grad(X), f.hess(X)
    assert value.shape == batch
    assert grad.shape == (*batch, f.dim)
    assert hess.shape == (*batch, f.dim, f.dim)
    for result in (value, grad, hess):
        assert result.dtype == np.float64
        assert np.all(np.isfinite(result))
    # each point of the batch gives what it gives alone
    flat = X.reshape(-1, f.dim)
    for k in [0, flat.shape[0] - 1]:
        np.testing.assert_allclose(value.reshape(-1)[k], f.value(flat[k]), rtol=1e-14)
        np.testing.assert_allclose(grad.reshape(-1, f.dim)[k], f.grad(flat[k]), rtol=1e-14)


@pytest.mark.parametrize("name", [n for n in NAMES if cl.surface(n).dim == 2])
def test_meshgrid_use(name):
    f = cl.surface(name)
    XX, YY = np.meshgrid(np.linspace(-2, 2, 60), np.linspace(-1, 3, 50))
    X = np.stack([XX, YY], -1)
    Z = f.value(X)
    assert Z.shape == (50, 60) and Z.dtype == np.float64
    assert f.grad(X).shape == (50, 60, 2)
    assert f.hess(X).shape == (50, 60, 2, 2)
    assert Z[7, 11] == pytest.approx(float(f.value([XX[7, 11], YY[7, 11]])), rel=1e-14)


def test_integer_and_list_input_give_float64():
    f = cl.surface("bowl")
    assert f.value([[0, 0], [7, 3]]).dtype == np.float64
    np.testing.assert_array_equal(f.value([[0, 0], [7, 3]]), [58.0, 0.0])
    np.testing.assert_array_equal(f.grad([0, 0]), [-14.0, -6.0])
    np.testing.assert_array_equal(f.hess([0, 0]), [[2.0, 0.0], [0.0, 2.0]])


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_stationary_with_positive_definite_hessian(name):
    f = cl.surface(name)
    minima = np.asarray(f.minima)
    assert minima.ndim == 2 and minima.shape[1] == f.dim
    for point in minima:
        g = f.grad(point)
        assert np.linalg.norm(g) < 1e-8 * (1 + abs(float(f.value(point)))), (point, g)
        eigenvalues = np.linalg.eigvalsh(f.hess(point))
        assert np.all(eigenvalues > 0), (point, eigenvalues)
        # a strict local minimum: small moves in every direction go up
        for direction in np.vstack([np.eye(f.dim), -np.eye(f.dim)]):
            assert f.value(point + 1e-3 * direction) > f.value(point)


@pytest.mark.parametrize("name", sorted(KNOWN_MINIMA))
def test_listed_minima_match_the_contract(name):
    np.testing.assert_allclose(cl.surface(name).minima, KNOWN_MINIMA[name], atol=1e-12)


def test_saddle_has_no_minimum_and_an_indefinite_hessian():
    f = cl.surface("saddle")
    assert f.minima.shape == (0, 2)
    np.testing.assert_array_equal(f.grad([0.0, 0.0]), [0.0, 0.0])
    eigenvalues = np.linalg.eigvalsh(f.hess([0.0, 0.0]))
    assert eigenvalues.min() < 0 < eigenvalues.max()


def test_himmelblau_has_four_minima_at_zero():
    f = cl.surface("himmelblau")
    assert f.minima.shape == (4, 2)
    np.testing.assert_allclose(f.value(f.minima), 0.0, atol=1e-20)
    assert any(np.allclose(m, [3.0, 2.0]) for m in f.minima)
    assert len({tuple(np.round(m, 6)) for m in f.minima}) == 4


def test_double_well_lists_global_then_local():
    f = cl.surface("double_well")
    assert f.dim == 1
    assert f.minima.shape == (2, 1)
    first, second = f.value(f.minima)
    assert first < second
    # the global minimum is the lowest point on a fine grid
    grid = np.linspace(-3, 3, 60001)[:, None]
    assert f.value(f.minima[0]) <= f.value(grid).min() + 1e-12
    # and the shallow minimum is not global
    assert f.value(grid).min() < second - 1e-3


@pytest.mark.parametrize("bad", ["nope", "Rosenbrock", "", "rosen brock"])
def test_unknown_surface_lists_the_names(bad):
    with pytest.raises((ValueError, KeyError)) as info:
        cl.surface(bad)
    message = str(info.value)
    for name in NAMES:
        assert name in message


# ------------------------------------------------------------------------------------------------------------
# objective() from SymPy expressions and strings
# ------------------------------------------------------------------------------------------------------------


def test_objective_from_sympy_expression():
    x, y = sp.symbols("x y")
    f = cl.objective((x - 7) ** 2 + (y - 3) ** 2)
    assert f.dim == 2
    assert [str(v) for v in f.variables] == ["x", "y"]
    assert f.value([0.0, 0.0]) == pytest.approx(58.0)
    np.testing.assert_allclose(f.grad([0.0, 0.0]), [-14.0, -6.0])
    assert isinstance(f.expr, sp.Expr)
    assert f.minima.shape == (0, 2)


def test_objective_from_string_equals_sympy_version():
    x, y = sp.symbols("x y")
    from_string = cl.objective("sin(x)*exp(-y**2) + x**2")
    from_sympy = cl.objective(sp.sin(x) * sp.exp(-(y**2)) + x**2)
    X = random_points(2, seed=6)
    np.testing.assert_allclose(from_string.value(X), from_sympy.value(X), rtol=1e-14)
    np.testing.assert_allclose(from_string.grad(X), from_sympy.grad(X), rtol=1e-14)
    np.testing.assert_allclose(from_string.hess(X), from_sympy.hess(X), rtol=1e-14)
    assert (
        sp.simplify(
            from_string.expr
            - (
                sp.sin(sp.Symbol("x", real=True)) * sp.exp(-(sp.Symbol("y", real=True) ** 2))
                + sp.Symbol("x", real=True) ** 2
            )
        )
        == 0
    )


def test_default_variable_order_is_sorted_by_name():
    f = cl.objective("b**2 + 10*a")
    assert [str(v) for v in f.variables] == ["a", "b"]
    np.testing.assert_allclose(f.grad([0.0, 1.0]), [10.0, 2.0])  # X[..., 0] is a
    g = cl.objective("y + x**3")
    assert [str(v) for v in g.variables] == ["x", "y"]


def test_custom_variable_order():
    f = cl.objective("b**2 + 10*a", variables=["b", "a"])
    assert [str(v) for v in f.variables] == ["b", "a"]
    np.testing.assert_allclose(f.grad([1.0, 0.0]), [2.0, 10.0])  # X[..., 0] is b
    a, b = sp.symbols("a b")
    h = cl.objective(b**2 + 10 * a, variables=[b, a])
    np.testing.assert_allclose(h.value([[1.0, 2.0], [3.0, 0.0]]), [21.0, 9.0])


def test_extra_variable_gives_zero_gradient_with_full_shapes():
    f = cl.objective("x**2", variables=["x", "y"])
    X = random_points(2, n=4, seed=7)
    assert f.grad(X).shape == (4, 2)
    np.testing.assert_array_equal(f.grad(X)[:, 1], 0.0)
    assert f.hess(X).shape == (4, 2, 2)
    np.testing.assert_array_equal(f.hess(X)[:, 0, 0], 2.0)


def test_constant_gradient_and_hessian_broadcast_to_the_batch():
    f = cl.objective("3*x - 2*y")
    X = np.zeros((3, 4, 2))
    np.testing.assert_array_equal(f.grad(X), np.broadcast_to([3.0, -2.0], (3, 4, 2)))
    np.testing.assert_array_equal(f.hess(X), np.zeros((3, 4, 2, 2)))


def test_one_dimensional_objective_takes_trailing_axis_of_one():
    f = cl.objective("x**3 - x")
    assert f.dim == 1
    X = np.array([[0.0], [1.0], [2.0]])
    np.testing.assert_allclose(f.value(X), [0.0, 0.0, 6.0])
    assert f.grad(X).shape == (3, 1)
    np.testing.assert_allclose(f.grad(X)[:, 0], [-1.0, 2.0, 11.0])
    assert f.hess(X).shape == (3, 1, 1)
    np.testing.assert_allclose(f.hess(X)[:, 0, 0], [0.0, 6.0, 12.0])
    assert f.value(np.array([2.0])).shape == ()


@pytest.mark.parametrize(
    ("source", "X"),
    [
        ("parabola", np.zeros((3, 2))),
        ("parabola", np.zeros(4)),
        ("bowl", np.zeros((5, 3))),
        ("bowl", np.zeros(1)),
        ("rosenbrock", np.zeros((2, 2, 1))),
    ],
)
def test_wrong_last_dimension_raises(source, X):
    f = cl.surface(source)
    for method in (f.value, f.grad, f.hess):
        with pytest.raises(ValueError, match="dimension"):
            method(X)


# ------------------------------------------------------------------------------------------------------------
# Safe parsing
# ------------------------------------------------------------------------------------------------------------

REJECTED = [
    ("__import__('os').system('touch {tmp}/pwned_X')", r"__import__|system"),
    ("__import__('builtins').print('CANARY')", r"__import__|print"),
    ("().__class__.__bases__[0].__subclasses__()", r"__subclasses__|__class__|__bases__"),
    ("x.__class__", r"__class__"),
    ("lambda: 1", r"lambda"),
    ("exec('1')", r"exec"),
    ("eval('1')", r"eval"),
    ("open('f')", r"open"),
    ("x; y", r"x; y"),
    ("x if y else 1", r"\bif\b|IfExp"),
    ("[x]", r"\[x\]|List"),
    ("x[0]", r"x\[0\]|Subscript"),
    ("f(x)", r"f\(x\)"),
    ("Symbol('x')", r"Symbol"),
    ("x +", r"x \+"),
    ("", r"empty"),
    ("   ", r"empty"),
    ("x == y", r"=="),
    ("x and y", r"\band\b|BoolOp"),
    ("9**9**9**9", r"9 ?\*\* ?9|exponent"),
    ("x" + "+x" * 50000, r"long|length|characters"),
    ("sin(x, y)", r"sin"),
    ("x.real", r"real"),
    ("sin(x=1)", r"sin"),
    ("sin", r"sin"),
    ("x^2", r"\^|\*\*"),
    ("'x'", r"'x'|constant|number"),
    ("x @ y", r"@"),
    ("True * x", r"True"),
    ("_x + 1", r"_x"),
]


@pytest.fixture
def time_limit():
    """Fail instead of hanging if a hostile formula makes parsing run away (SIGALRM, POSIX only)."""

    def on_alarm(signum, frame):
        raise TimeoutError("parsing took longer than 10 s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(("text", "named"), REJECTED, ids=[f"{i}-{t[:30]}" for i, (t, _) in enumerate(REJECTED)])
def test_rejected_strings_raise_and_run_nothing(text, named, tmp_path, capfd, time_limit):
    text = text.replace("{tmp}", str(tmp_path))
    with pytest.raises(ValueError) as info:
        cl.objective(text)
    message = str(info.value)
    assert re.search(named, message, flags=re.IGNORECASE), message
    assert len(message) < 2000, "the message should name the problem, not echo a huge input"
    assert not (tmp_path / "pwned_X").exists()
    captured = capfd.readouterr()
    assert "CANARY" not in captured.out + captured.err


def test_unknown_name_is_rejected_when_variables_are_given():
    with pytest.raises(ValueError, match="z"):
        cl.objective("x + z", variables=["x", "y"])


ALLOWED = [
    ("(x-7)**2 + (y-3)**2", lambda x, y: (x - 7) ** 2 + (y - 3) ** 2),
    ("sin(x)*exp(-y**2)", lambda x, y: np.sin(x) * np.exp(-(y**2))),
    ("sqrt(x**2+1)", lambda x: np.sqrt(x**2 + 1)),
    ("abs(x)", lambda x: np.abs(x)),
    ("-x**2", lambda x: -(x**2)),
    ("2.5e-3*x", lambda x: 2.5e-3 * x),
    (
        "log(x**2 + 1) + cos(y) / 2 - tanh(x*y)",
        lambda x, y: np.log(x**2 + 1) + np.cos(y) / 2 - np.tanh(x * y),
    ),
]


@pytest.mark.parametrize(("text", "formula"), ALLOWED, ids=[t for t, _ in ALLOWED])
def test_allowed_strings(text, formula):
    f = cl.objective(text)
    X = random_points(f.dim, seed=8) + 0.05  # keep away from the kink of abs at 0
    columns = [X[..., i] for i in range(f.dim)]
    np.testing.assert_allclose(f.value(X), formula(*columns), rtol=1e-13, atol=1e-15)
    numeric = central_gradient(f.value, X)
    np.testing.assert_allclose(f.grad(X), numeric, rtol=1e-6, atol=1e-7)
