"""Objective functions: a SymPy expression turned into fast, vectorized NumPy code.

An :class:`Objective` knows its formula (``.expr``), its variables, its known minima, and evaluates its value,
gradient and Hessian on any batch of points ``X`` of shape ``(..., dim)`` at once, so a meshgrid for a contour
plot or thousands of trajectories cost one call.

Strings are parsed safely: the text is read with Python's ``ast`` parser and the SymPy expression is built node
by node from a short whitelist. Nothing in the string is ever executed.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

__all__ = ["Objective", "CountedObjective", "objective", "surface", "SURFACES", "ALLOWED_FUNCTIONS"]

#: Functions a string objective may call, mapped to their SymPy counterparts.
ALLOWED_FUNCTIONS = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "tanh": sp.tanh,
    "cosh": sp.cosh,
    "sinh": sp.sinh,
}

_MAX_LENGTH = 2000  # characters in a string objective
_BLOCK = 8192  # points evaluated together in a large batch (see Objective._evaluate)
_MAX_EXPONENT = 100  # largest constant exponent accepted in a string objective


class _Printer(NumPyPrinter):
    """NumPy code printer that writes small integer powers as products.

    ``y**3`` on a float array goes through the general ``pow`` routine, about 100 times slower than
    ``y**2*y``; squares are already fast in NumPy.
    """

    def _print_Pow(self, expr, rational=False):
        n = expr.exp
        if n.is_Integer and 3 <= abs(int(n)) <= 16:
            base = self.parenthesize(expr.base, 100)
            product = _power_by_squaring(base, abs(int(n)))
            return f"(1/{product})" if n < 0 else product
        return super()._print_Pow(expr, rational=rational)


def _power_by_squaring(base, n):
    if n == 1:
        return base
    if n == 2:
        return f"({base}**2)"
    half = _power_by_squaring(base, n // 2)
    square = f"({half}**2)"
    return f"({square}*{base})" if n % 2 else square


def _lambdify(variables, expr):
    """Compile ``expr`` to a NumPy function of ``variables``, sharing common subexpressions."""
    printer = _Printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True})
    return sp.lambdify(variables, expr, modules="numpy", cse=True, printer=printer)


class Objective:
    """A differentiable function of ``dim`` variables with vectorized value, gradient and Hessian.

    Parameters
    ----------
    expr : sympy.Expr
        The formula.
    variables : sequence of sympy.Symbol
        The order of the coordinates: ``X[..., i]`` is ``variables[i]``.
    minima : array_like, optional
        Known minimizers, shape ``(k, dim)``.
    name : str, optional
        A short name used in titles.
    """

    def __init__(self, expr, variables, minima=None, name=None):
        self.expr = sp.sympify(expr)
        self.variables = tuple(variables)
        self.dim = len(self.variables)
        if self.dim == 0:
            raise ValueError("variables: an objective needs at least one variable")
        self.name = name if name is not None else str(self.expr)
        self.minima = np.empty((0, self.dim)) if minima is None else minima
        gradient = [sp.diff(self.expr, v) for v in self.variables]
        hessian = [sp.diff(gi, v) for gi in gradient for v in self.variables]
        self.gradient_expr = sp.Matrix(gradient)
        self.hessian_expr = sp.Matrix(self.dim, self.dim, hessian)
        # One generated function for value and gradient together: the common subexpressions are shared.
        self._value_and_grad = _lambdify(self.variables, [self.expr, *gradient])
        self._value = _lambdify(self.variables, [self.expr])
        self._hess = _lambdify(self.variables, hessian)

    @property
    def minima(self):
        """Known minimizers, a read-only array of shape ``(k, dim)`` (empty when there is none)."""
        return self._minima

    @minima.setter
    def minima(self, points):
        points = np.array(points, dtype=np.float64).reshape(-1, self.dim)
        points.flags.writeable = False
        self._minima = points

    def __repr__(self):
        return f"Objective({self.name!r}, variables={[str(v) for v in self.variables]})"

    def _points(self, X):
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"X: expected an array of numbers of shape (..., {self.dim}), got {X!r:.80}") from None
        if X.ndim == 0 or X.shape[-1] != self.dim:
            got = "a scalar" if X.ndim == 0 else f"last dimension {X.shape[-1]}"
            raise ValueError(
                f"X: expected points of shape (..., {self.dim}) for this {self.dim}-dimension objective, got {got}"
            )
        return X

    def _evaluate(self, function, X, counts):
        """Run a generated function on every point of ``X``; one float64 array per entry of ``counts``, of shape
        ``(...)`` for a count of 0 and ``(..., count)`` otherwise (the function returns the flat list of all).

        Large batches go through in blocks of :data:`_BLOCK` points written into preallocated results: NumPy's
        temporaries then stay small (in cache, and reused instead of being returned to the operating system
        and faulted back in on every call), which makes big batches several times faster.
        """
        X = self._points(X)
        batch = X.shape[:-1]
        if batch == ():  # a single point: scalars, no blocks
            flat = [np.asarray(v, dtype=np.float64) for v in function(*X)]
            results, k = [], 0
            for count in counts:
                results.append(flat[k] if count == 0 else np.array(flat[k : k + count]))
                k += max(count, 1)
            return results
        points = X.reshape(-1, self.dim)
        n = points.shape[0]
        results = [np.empty((n, count) if count else n) for count in counts]
        columns = []  # where each generated expression goes
        for r in results:
            columns.extend([r] if r.ndim == 1 else [r[:, j] for j in range(r.shape[1])])
        for start in range(0, n, _BLOCK):
            block = points[start : start + _BLOCK]
            for column, value in zip(columns, function(*(block[:, i] for i in range(self.dim)))):
                column[start : start + _BLOCK] = value  # constants broadcast
        return [r.reshape(*batch, *r.shape[1:]) for r in results]

    def value(self, X):
        """f at every point of ``X`` (shape ``(..., dim)``); returns shape ``(...)``."""
        return self._evaluate(self._value, X, [0])[0]

    def grad(self, X):
        """The gradient at every point of ``X``; returns shape ``(..., dim)``."""
        return self.value_and_grad(X)[1]

    def value_and_grad(self, X):
        """``(value, grad)`` computed together, sharing the common subexpressions."""
        value, grad = self._evaluate(self._value_and_grad, X, [0, self.dim])
        return value, grad

    def hess(self, X):
        """The Hessian at every point of ``X``; returns shape ``(..., dim, dim)``."""
        (entries,) = self._evaluate(self._hess, X, [self.dim * self.dim])
        return entries.reshape(*entries.shape[:-1], self.dim, self.dim)

    def __call__(self, X):
        return self.value(X)


# ---------------------------------------------------------------------------------------------------------------
# Safe parsing of strings
# ---------------------------------------------------------------------------------------------------------------

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _modest_power(base, exponent):
    """True when base**exponent of two constants is a real number of at most ~1e308 in size."""
    try:
        size = abs(float(exponent)) * math.log10(max(abs(float(base)), 1e-300))
    except (OverflowError, TypeError, ValueError):
        return False
    return size <= 308


def _describe(node):
    try:
        return repr(ast.unparse(node))
    except Exception:  # pragma: no cover - unparse works for every parsed node
        return type(node).__name__


class _Builder:
    """Builds a SymPy expression from a parsed tree, accepting only whitelisted node types."""

    def __init__(self, allowed_names):
        self.allowed_names = allowed_names  # None: any plain name becomes a variable
        self.symbols = {}

    def build(self, node):
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ValueError(f"expr: only numbers are allowed as constants, rejected {_describe(node)}")
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise ValueError(f"expr: the constant {_describe(node)} is not finite")
            return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
        if isinstance(node, ast.Name):
            return self.symbol(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                raise ValueError("expr: '^' is not a power in Python; write x**2 instead of x^2")
            if isinstance(node.op, ast.Pow):
                base, exponent = self.build(node.left), self.build(node.right)
                if exponent.is_number and abs(float(exponent)) > _MAX_EXPONENT:
                    raise ValueError(f"expr: the exponent in {_describe(node)} is larger than {_MAX_EXPONENT} in size")
                if base.is_number and exponent.is_number and not _modest_power(base, exponent):
                    raise ValueError(f"expr: the constant {_describe(node)} is too large (or not a real number)")
                return base**exponent
            if type(node.op) in _BINARY:
                return _BINARY[type(node.op)](self.build(node.left), self.build(node.right))
            raise ValueError(f"expr: the operator in {_describe(node)} is not allowed (use + - * / **)")
        if isinstance(node, ast.Call):
            return self.call(node)
        raise ValueError(
            f"expr: {type(node).__name__} is not allowed in an objective, rejected {_describe(node)}; "
            "use numbers, variables, + - * / **, parentheses and the functions " + ", ".join(ALLOWED_FUNCTIONS)
        )

    def call(self, node):
        if not isinstance(node.func, ast.Name) or node.func.id not in ALLOWED_FUNCTIONS:
            raise ValueError(
                f"expr: the call {_describe(node)} is not allowed; allowed functions: " + ", ".join(ALLOWED_FUNCTIONS)
            )
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ValueError(
                f"expr: {node.func.id}() takes exactly one positional argument, rejected {_describe(node)}"
            )
        return ALLOWED_FUNCTIONS[node.func.id](self.build(node.args[0]))

    def symbol(self, name):
        if name.startswith("_"):
            raise ValueError(f"expr: the name {name!r} is not allowed (names may not start with '_')")
        if name in ALLOWED_FUNCTIONS:
            raise ValueError(f"expr: {name!r} is a function; call it with one argument, e.g. {name}(x)")
        if self.allowed_names is not None and name not in self.allowed_names:
            raise ValueError(f"expr: unknown name {name!r}; the variables are " + ", ".join(sorted(self.allowed_names)))
        if name not in self.symbols:
            self.symbols[name] = sp.Symbol(name, real=True)
        return self.symbols[name]


def _parse(text, variable_names):
    if len(text) > _MAX_LENGTH:
        raise ValueError(f"expr: the string is {len(text)} characters long; at most {_MAX_LENGTH} are accepted")
    if not text.strip():
        raise ValueError("expr: the string is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"expr: {text!r} is not a valid formula ({err.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError("expr: the formula is nested too deeply") from None
    builder = _Builder(variable_names)
    try:
        expr = builder.build(tree)
    except RecursionError:
        raise ValueError("expr: the formula is nested too deeply") from None
    return expr, builder.symbols


def objective(expr, variables=None, *, minima=None, name=None):
    """Make an :class:`Objective` from a SymPy expression or a formula string.

    >>> f = objective("(x-7)**2 + (y-3)**2")
    >>> f.value([0.0, 0.0])
    array(58.)

    ``variables`` fixes the coordinate order (names or symbols); by default the free symbols sorted by name.
    A string may contain numbers, variables, ``+ - * / **``, parentheses and the functions
    ``sin cos tan exp log sqrt abs tanh cosh sinh``; anything else raises ``ValueError``.
    """
    names = None if variables is None else [str(v) for v in variables]
    if isinstance(expr, str):
        expr, symbols = _parse(expr, None if names is None else set(names))
        if names is not None:
            symbols = {n: symbols.get(n, sp.Symbol(n, real=True)) for n in names}
    elif isinstance(expr, sp.Basic):
        symbols = {s.name: s for s in expr.free_symbols}
        if names is not None:
            unknown = set(symbols) - set(names)
            if unknown:
                raise ValueError(f"variables: {sorted(unknown)} appear in the expression but not in variables")
            symbols = {n: symbols.get(n, sp.Symbol(n, real=True)) for n in names}
    else:
        raise ValueError(f"expr: expected a SymPy expression or a string, got {type(expr).__name__}")
    if names is None:
        names = sorted(symbols)
    if not names:
        raise ValueError("expr: the formula has no variable")
    if len(set(names)) != len(names):
        raise ValueError(f"variables: repeated names in {names}")
    return Objective(expr, [symbols[n] for n in names], minima=minima, name=name)


# ---------------------------------------------------------------------------------------------------------------
# The catalogue of named surfaces
# ---------------------------------------------------------------------------------------------------------------


def _polish(obj, guesses, steps=30):
    """Refine approximate minimizers with Newton's method (the catalogue stores them to machine precision)."""
    x = np.asarray(guesses, dtype=np.float64).reshape(-1, obj.dim)
    for _ in range(steps):
        x = x - np.linalg.solve(obj.hess(x), obj.grad(x)[..., None])[..., 0]
    return x


def _make(name):
    x, y = sp.symbols("x y", real=True)
    rational = sp.Rational
    if name == "parabola":
        return Objective(x**2 + 2 * x + 3, [x], minima=[[-1.0]], name=name)
    if name == "double_well":
        f = Objective((x**2 - 1) ** 2 + rational(3, 10) * x, [x], name=name)
        roots = sorted(float(r) for r in sp.Poly(sp.diff(f.expr, x), x).nroots(n=30) if r.is_real)
        minima = [r for r in roots if float(sp.diff(f.expr, x, 2).subs(x, r)) > 0]
        f.minima = np.array(sorted(minima, key=lambda r: float(f.expr.subs(x, r))))[:, None]
        return f
    if name == "bowl":
        return Objective((x - 7) ** 2 + (y - 3) ** 2, [x, y], minima=[[7.0, 3.0]], name=name)
    if name == "ellipse":
        return Objective(x**2 + 2 * y**2, [x, y], minima=[[0.0, 0.0]], name=name)
    if name == "saddle":
        return Objective(x**2 - y**2, [x, y], name=name)
    if name == "rosenbrock":
        return Objective((1 - x) ** 2 + 100 * (y - x**2) ** 2, [x, y], minima=[[1.0, 1.0]], name=name)
    if name == "beale":
        expr = (
            (rational(3, 2) - x + x * y) ** 2
            + (rational(9, 4) - x + x * y**2) ** 2
            + (rational(21, 8) - x + x * y**3) ** 2
        )
        return Objective(expr, [x, y], minima=[[3.0, 0.5]], name=name)
    if name == "himmelblau":
        f = Objective((x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, [x, y], name=name)
        f.minima = _polish(f, [[3.0, 2.0], [-2.805, 3.131], [-3.779, -3.283], [3.584, -1.848]])
        return f
    if name == "ill_conditioned":
        return Objective((x**2 + 25 * y**2) / 2, [x, y], minima=[[0.0, 0.0]], name=name)
    if name == "saddle_quartic":
        return Objective(x**2 + y**4 / 4 - y**2 / 2, [x, y], minima=[[0.0, -1.0], [0.0, 1.0]], name=name)
    raise KeyError(name)


#: Named surfaces and a one-line description of each.
SURFACES = {
    "parabola": "x**2 + 2*x + 3 (1-D); minimum at x = -1",
    "double_well": "(x**2 - 1)**2 + 0.3*x (1-D); a deeper minimum near -1.04 and a shallow one near 0.96",
    "bowl": "(x-7)**2 + (y-3)**2; minimum at (7, 3)",
    "ellipse": "x**2 + 2*y**2; minimum at (0, 0)",
    "saddle": "x**2 - y**2; no minimum, a saddle at (0, 0)",
    "rosenbrock": "(1-x)**2 + 100*(y-x**2)**2; minimum at (1, 1) in a curved valley",
    "beale": "(1.5-x+xy)**2 + (2.25-x+xy**2)**2 + (2.625-x+xy**3)**2; minimum at (3, 0.5)",
    "himmelblau": "(x**2+y-11)**2 + (x+y**2-7)**2; four minima",
    "ill_conditioned": "(x**2 + 25*y**2)/2; condition number 25, minimum at (0, 0)",
    "saddle_quartic": "x**2 + y**4/4 - y**2/2; a saddle at (0, 0) between minima (0, -1) and (0, 1)",
}

_CACHE = {}


def surface(name):
    """One of the named surfaces of :data:`SURFACES`, e.g. ``surface("rosenbrock")``."""
    if not isinstance(name, str) or name not in SURFACES:
        raise ValueError(f"name: unknown surface {name!r}; available: " + ", ".join(SURFACES))
    if name not in _CACHE:
        _CACHE[name] = _make(name)
    return _CACHE[name]


class CountedObjective:
    """An objective that counts how often it is evaluated: ``calls`` maps "value", "grad", "hess" to counts.

    ``value_and_grad`` counts as one value and one gradient. Useful for comparing methods on an equal budget of
    evaluations rather than of steps (a line search evaluates f several times per step).
    """

    def __init__(self, objective):
        self.objective = objective
        self.dim, self.variables, self.expr = objective.dim, objective.variables, objective.expr
        self.minima, self.name = objective.minima, objective.name
        self.calls = {"value": 0, "grad": 0, "hess": 0}

    def value(self, X):
        self.calls["value"] += 1
        return self.objective.value(X)

    def grad(self, X):
        self.calls["grad"] += 1
        return self.objective.grad(X)

    def value_and_grad(self, X):
        self.calls["value"] += 1
        self.calls["grad"] += 1
        return self.objective.value_and_grad(X)

    def hess(self, X):
        self.calls["hess"] += 1
        return self.objective.hess(X)

    def __repr__(self):
        return f"CountedObjective({self.name!r}, calls={self.calls})"
