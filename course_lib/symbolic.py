"""Derivation helpers: the calculus behind gradient descent, done by SymPy and checked against NumPy.

Every helper states the equation it implements and the chapter that teaches it. The symbolic helpers return
SymPy objects so a notebook can display the derivation; the numeric ones take plain callables or arrays.

>>> import sympy as sp
>>> from course_lib import symbolic
>>> x = sp.Symbol("x", real=True)
>>> symbolic.derivative_by_limit(x**2 + 2*x + 3, x)
2*x + 2
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import sympy as sp

__all__ = [
    "KINDS",
    "difference_quotient",
    "derivative_by_limit",
    "quotient_error_series",
    "partial_by_limit",
    "gradient",
    "unit_vector",
    "gd_contraction",
    "gd_iteration_count",
    "lr_regime",
    "iteration_matrix",
    "angle_between",
]

#: The difference quotients of chapter 01: name -> (offset of the left point, offset of the right point).
KINDS = {"forward": (0, 1), "backward": (-1, 0), "central": (-1, 1)}

_H = sp.Symbol("h", positive=True)


def _kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    return KINDS[kind]


def _symbol(var, name="var"):
    if not isinstance(var, sp.Symbol):
        raise ValueError(f"{name}: expected a SymPy Symbol, got {type(var).__name__}")
    return var


def difference_quotient(f, x, h, kind="forward"):
    r"""A numerical derivative of ``f`` at ``x`` with step ``h`` (``h`` may be an array of steps).

    forward:  (f(x+h) - f(x)) / h        error ~ h f''(x)/2 + round-off ~ u|f|/h
    backward: (f(x) - f(x-h)) / h
    central:  (f(x+h) - f(x-h)) / (2h)   error ~ h**2 f'''(x)/6 + round-off ~ u|f|/h

    Taught in notebooks/01_derivatives.ipynb.
    """
    left, right = _kind(kind)
    if not callable(f):
        raise ValueError("f: expected a function of one number, e.g. np.sin")
    h = np.asarray(h, dtype=np.float64)
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError("h: every step must be a positive finite number")
    x = float(x)
    return (f(x + right * h) - f(x + left * h)) / ((right - left) * h)


def derivative_by_limit(expr, var, kind="forward"):
    r"""f'(x) as the SymPy limit of a difference quotient, e.g. lim_{h->0} (f(x+h) - f(x)) / h.

    Raises ValueError if the limit disagrees with ``sympy.diff`` (it never should for a differentiable f).
    Taught in notebooks/01_derivatives.ipynb.
    """
    var = _symbol(var)
    left, right = _kind(kind)
    expr = sp.sympify(expr)
    quotient = (expr.subs(var, var + right * _H) - expr.subs(var, var + left * _H)) / ((right - left) * _H)
    result = sp.simplify(sp.limit(quotient, _H, 0))
    if sp.simplify(result - sp.diff(expr, var)) != 0:
        raise ValueError(f"expr: the limit {result} differs from the derivative {sp.diff(expr, var)}")
    return result


def quotient_error_series(expr, var, kind="forward", order=3):
    r"""The truncation error (difference quotient - f'(x)) as a series in h, from Taylor's theorem.

    forward: h f''(x)/2 + h**2 f'''(x)/6 + ...;  central: h**2 f'''(x)/6 + h**4 f'''''(x)/120 + ...
    Returns ``(series_without_O, h)``. Taught in notebooks/01_derivatives.ipynb.
    """
    var = _symbol(var)
    left, right = _kind(kind)
    if isinstance(order, bool) or not isinstance(order, numbers.Integral) or order < 1:
        raise ValueError(f"order: expected a whole number >= 1, got {order!r}")
    expr = sp.sympify(expr)
    quotient = (expr.subs(var, var + right * _H) - expr.subs(var, var + left * _H)) / ((right - left) * _H)
    error = sp.series(quotient - sp.diff(expr, var), _H, 0, order).removeO()
    return sp.expand(error), _H


def _variables(variables):
    variables = tuple(variables)
    if not variables or not all(isinstance(v, sp.Symbol) for v in variables):
        raise ValueError("variables: expected a non-empty sequence of SymPy Symbols")
    return variables


def unit_vector(i, d):
    r"""e_i: the vector of length d with 1 in position i (counting from 0) and 0 elsewhere (SymPy Matrix)."""
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1:
        raise ValueError(f"d: expected a whole number >= 1, got {d!r}")
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < d:
        raise ValueError(f"i: expected a whole number in [0, {d - 1}], got {i!r}")
    return sp.Matrix([1 if k == i else 0 for k in range(d)])


def partial_by_limit(expr, variables, i):
    r"""∂f/∂x_i = lim_{h->0} (f(x + h e_i) - f(x)) / h, computed by SymPy and checked against ``sympy.diff``.

    Taught in notebooks/02_gradients.ipynb.
    """
    variables = _variables(variables)
    e = unit_vector(i, len(variables))
    expr = sp.sympify(expr)
    shifted = expr.subs({v: v + _H * e[k] for k, v in enumerate(variables)}, simultaneous=True)
    result = sp.simplify(sp.limit((shifted - expr) / _H, _H, 0))
    if sp.simplify(result - sp.diff(expr, variables[i])) != 0:
        raise ValueError(f"expr: the limit {result} differs from the partial derivative")
    return result


def gradient(expr, variables):
    r"""∇f = (∂f/∂x_1, ..., ∂f/∂x_d) as a column SymPy Matrix. Taught in notebooks/02_gradients.ipynb."""
    variables = _variables(variables)
    expr = sp.sympify(expr)
    return sp.Matrix([sp.diff(expr, v) for v in variables])


def _quadratic_hessian(expr, variables):
    hessian = sp.hessian(sp.sympify(expr), variables)
    if any(sp.simplify(entry).free_symbols & set(variables) for entry in hessian):
        raise ValueError("expr: expected a quadratic function (its Hessian must be constant)")
    return hessian


def gd_contraction(expr, var, lr):
    r"""For a 1-D quadratic f: the minimizer x* and the factor q with x_t - x* = q (x_{t-1} - x*).

    From x_t = x_{t-1} - lr f'(x_{t-1}) and f'(x) = f''·(x - x*):  q = 1 - lr f''.  Returns ``(x_star, q)``
    (SymPy numbers, or expressions when ``lr`` is a Symbol). Taught in notebooks/01_derivatives.ipynb.
    """
    var = _symbol(var)
    expr = sp.sympify(expr)
    curvature = _quadratic_hessian(expr, [var])[0, 0]
    if not curvature.is_positive:
        raise ValueError("expr: expected a quadratic with a minimum (positive second derivative)")
    (x_star,) = sp.solve(sp.diff(expr, var), var)
    step = var - lr * sp.diff(expr, var)
    q = sp.simplify(sp.cancel((step - x_star) / (var - x_star)))
    return x_star, q


def gd_iteration_count(expr, var, lr, x0, eps):
    r"""Steps gradient descent needs on a 1-D quadratic until |f'(x_n)| <= eps (closed form).

    f'(x_n) = q**n f'(x_0) with q = 1 - lr f'', so n = ceil( ln(eps / |f'(x_0)|) / ln|q| ).
    For x**2 + 2x + 3 and lr = 0.01: n = ceil( ln(eps / (2|x_0 + 1|)) / ln 0.98 ).
    Taught in notebooks/01_derivatives.ipynb.
    """
    for name, value in (("lr", lr), ("eps", eps)):
        if not (isinstance(value, numbers.Real) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
    if not (isinstance(x0, numbers.Real) and math.isfinite(x0)):
        raise ValueError(f"x0: expected a finite number, got {x0!r}")
    _, q = gd_contraction(expr, var, sp.nsimplify(lr))
    q = abs(float(q))
    slope = abs(float(sp.diff(sp.sympify(expr), var).subs(var, x0)))
    if slope <= eps:
        return 0
    if q >= 1:
        raise ValueError(f"lr: with lr = {lr} the iterates do not converge (|1 - lr f''| = {q:g} >= 1)")
    if q == 0:
        return 1
    return math.ceil(math.log(eps / slope) / math.log(q))


def lr_regime(lr, curvature):
    r"""Name the behaviour of x_t - x* = (1 - lr L)(x_{t-1} - x*) on a 1-D quadratic with f'' = L.

    'no progress' (lr = 0), 'too small' (0 < lr < 1/L: monotone), 'one step' (lr = 1/L), 'oscillating inward'
    (1/L < lr < 2/L), 'two-cycle' (lr = 2/L), 'diverging' (lr > 2/L).
    Taught in notebooks/01_derivatives.ipynb.
    """
    if not (isinstance(curvature, numbers.Real) and math.isfinite(curvature) and curvature > 0):
        raise ValueError(f"curvature: expected a positive number, got {curvature!r}")
    if not (isinstance(lr, numbers.Real) and math.isfinite(lr) and lr >= 0):
        raise ValueError(f"lr: expected a number >= 0, got {lr!r}")
    q = 1 - lr * curvature
    if lr == 0:
        return "no progress"
    if math.isclose(q, 0, abs_tol=1e-12):
        return "one step"
    if math.isclose(q, -1, abs_tol=1e-12):
        return "two-cycle"
    if q > 0:
        return "too small"
    return "oscillating inward" if q > -1 else "diverging"


def iteration_matrix(expr, variables, lr):
    r"""For a quadratic f with Hessian H: x_t - x* = (I - lr H)(x_{t-1} - x*); returns I - lr H.

    For x**2 + 2y**2, H = diag(2, 4) and the factors are 1 - 2 lr and 1 - 4 lr.
    Taught in notebooks/02_gradients.ipynb.
    """
    variables = _variables(variables)
    hessian = _quadratic_hessian(expr, variables)
    return sp.eye(len(variables)) - lr * hessian


def angle_between(u, v):
    r"""The angle in degrees between vectors u and v (last axis): arccos(u·v / (|u| |v|)).

    Used in notebooks/02_gradients.ipynb for the angle between -∇f(x) and the direction x* - x.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if u.shape[-1:] != v.shape[-1:]:
        raise ValueError(f"u, v: vectors of different lengths {u.shape[-1:]} and {v.shape[-1:]}")
    nu, nv = np.linalg.norm(u, axis=-1), np.linalg.norm(v, axis=-1)
    if np.any(nu == 0) or np.any(nv == 0):
        raise ValueError("u, v: the angle with a zero vector is undefined")
    cos = np.clip(np.sum(u * v, axis=-1) / (nu * nv), -1.0, 1.0)
    return np.degrees(np.arccos(cos))
