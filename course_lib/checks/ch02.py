"""Checks for chapter 02 (notebooks/02_gradients.ipynb): partial derivatives, gradient, stopping rule."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["GRADIENT_EXERCISE", "gradient_by_hand", "ellipse_steps", "steepest_descent_direction"]

_x, _y = sp.symbols("x y", real=True)
#: The function of the gradient exercise: f(x, y) = x**2 y + 3 y**2 - 2 x.
GRADIENT_EXERCISE = _x**2 * _y + 3 * _y**2 - 2 * _x


def _points(n=5, seed=2):
    return np.random.default_rng(seed).uniform(-2, 2, size=(n, 2))


def gradient_by_hand(fn):
    """Check ``fn(p) -> array([df/dx, df/dy])`` for f = x**2 y + 3 y**2 - 2 x, against SymPy."""
    if not callable(fn):
        return hint(f"pass your function itself (without calling it), got a {type(fn).__name__}.")
    exact = sp.lambdify((_x, _y), [sp.diff(GRADIENT_EXERCISE, v) for v in (_x, _y)], modules="numpy")
    mistakes_x = {
        "no_y": lambda x, y: 2 * x - 2,
        "no_const": lambda x, y: 2 * x * y,
    }
    mistakes_y = {
        "no_x2": lambda x, y: 6 * y,
        "3y": lambda x, y: x**2 + 3 * y,
    }
    for point in _points():
        value = call(fn, np.array(point))
        if isinstance(value, Feedback):
            return value
        if value is None:
            return hint("your function returns None: add a `return np.array([..., ...])` line.")
        value = as_array(value, "the returned gradient")
        if not isinstance(value, np.ndarray):
            return value
        if value.shape != (2,):
            return hint(f"return two numbers [df/dx, df/dy], got shape {value.shape}.")
        right = np.array(exact(*point), dtype=np.float64)
        if np.allclose(value, right, rtol=1e-9, atol=1e-9):
            continue
        x, y = point
        if np.allclose(value, -right, rtol=1e-9, atol=1e-9):
            return hint("the signs are flipped: you returned -∇f, the descent direction; the gradient itself is ∇f.")
        if np.allclose(value, right[::-1], rtol=1e-9, atol=1e-9):
            return hint("the two entries are swapped: the first is ∂f/∂x, the second ∂f/∂y.")
        ok_x = math.isclose(value[0], right[0], rel_tol=1e-9, abs_tol=1e-9)
        ok_y = math.isclose(value[1], right[1], rel_tol=1e-9, abs_tol=1e-9)
        if ok_x and not ok_y:
            if math.isclose(value[1], mistakes_y["no_x2"](x, y), rel_tol=1e-9, abs_tol=1e-9):
                return hint("∂f/∂x is right. In ∂f/∂y, x**2 y contributes x**2 (x is held constant, not dropped).")
            if math.isclose(value[1], mistakes_y["3y"](x, y), rel_tol=1e-9, abs_tol=1e-9):
                return hint("∂f/∂x is right. In ∂f/∂y, the derivative of 3 y**2 is 6 y.")
            return hint(f"∂f/∂x is right; ∂f/∂y is not (at {np.round(point, 3)} it should be {right[1]:.4g}).")
        if ok_y and not ok_x:
            if math.isclose(value[0], mistakes_x["no_y"](x, y), rel_tol=1e-9, abs_tol=1e-9):
                return hint("∂f/∂y is right. In ∂f/∂x, x**2 y gives 2 x y: y is a constant factor, keep it.")
            if math.isclose(value[0], mistakes_x["no_const"](x, y), rel_tol=1e-9, abs_tol=1e-9):
                return hint("∂f/∂y is right. In ∂f/∂x, the term -2x contributes -2.")
            return hint(f"∂f/∂y is right; ∂f/∂x is not (at {np.round(point, 3)} it should be {right[0]:.4g}).")
        return hint(f"both entries differ from the gradient; at {np.round(point, 3)} it is {np.round(right, 4)}.")
    return correct("your gradient matches SymPy's at five random points.")


def _ellipse_count(x0, y0, lr, eps, weights=(2.0, 4.0), factors=None):
    """First n with ||(2 x_n, 4 y_n)|| <= eps, x_n = (1-2lr)**n x0, y_n = (1-4lr)**n y0."""
    qx, qy = factors if factors is not None else (1 - 2 * lr, 1 - 4 * lr)
    n = np.arange(20000)
    norms = np.hypot(weights[0] * qx**n * x0, weights[1] * qy**n * y0)
    return int(np.argmax(norms <= eps))


def ellipse_steps(n, x0=(-1.2, 0.9), lr=0.01, eps=1e-5):
    """Check the number of steps of gradient descent on x**2 + 2y**2 until ||∇f|| <= eps."""
    value = as_array(n, "n")
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim != 0 or value != np.round(value):
        return hint("the answer is a whole number of steps.")
    n = int(value)
    a, b = x0
    right = _ellipse_count(a, b, lr, eps)
    if n == right:
        return correct(f"{right} steps; the x-coordinate (factor {1 - 2 * lr:g}) is the slow one and sets the count.")
    if n == right + 1:
        return hint("one too many: len(path.xs) counts the start too; the number of steps is path.steps.")
    if n == right - 1:
        return hint("one short: stop at the first step where the norm is <= eps, not just before it.")
    y_only = math.ceil(math.log(eps / (4 * abs(b))) / math.log(1 - 4 * lr))
    both_by_x = math.ceil(math.log(eps / abs(2 * a)) / math.log(1 - 4 * lr))
    no_weights = _ellipse_count(a, b, lr, eps, weights=(1.0, 1.0))
    if n == y_only:
        return hint("that is when the y-part alone is small; the x-part shrinks more slowly (0.98 vs 0.96 per step).")
    if n == both_by_x:
        return hint("x shrinks by 1 - 2 lr = 0.98 per step (∂²f/∂x² = 2); 0.96 is the y-factor.")
    if n == no_weights:
        return hint("the rule is on the gradient (2x, 4y), not on the point (x, y): keep the factors 2 and 4.")
    return hint(f"not {n}: run cl.descend(..., tol=eps) and read path.steps, or solve 2|x0| 0.98**n <= eps.")


def steepest_descent_direction(u, point=(1.0, 1.0)):
    """Check the unit vector of steepest descent of x**2 + 2y**2 at ``point``: -∇f / ||∇f||."""
    value = as_array(u, "u")
    if not isinstance(value, np.ndarray):
        return value
    if value.shape != (2,):
        return hint(f"give a vector of two numbers, got shape {value.shape}.")
    p = np.asarray(point, dtype=np.float64)
    g = np.array([2 * p[0], 4 * p[1]])
    right = -g / np.linalg.norm(g)
    if np.allclose(value, right, atol=1e-6):
        return correct(f"-∇f/||∇f|| = {np.round(right, 4)}: the unit vector along which f falls fastest.")
    norm = np.linalg.norm(value)
    if norm == 0:
        return hint("the zero vector has no direction: compute ∇f = (2x, 4y), negate, normalize.")
    if np.allclose(value / norm, right, atol=1e-6):
        return hint(f"right direction, but its length is {norm:.4g}: divide by the norm to get a unit vector.")
    if np.allclose(value, -right, atol=1e-6):
        return hint("that is +∇f/||∇f||, the direction of steepest ASCENT; flip the sign.")
    to_min = -p / np.linalg.norm(p)
    if np.allclose(value, to_min, atol=1e-6):
        return hint(
            "that points straight at the minimum (0, 0); the steepest-descent direction is -∇f, which is "
            "not aimed at the minimum on this elongated bowl."
        )
    if np.allclose(value, right[::-1], atol=1e-6):
        return hint("the entries are swapped: ∂f/∂x = 2x comes first, ∂f/∂y = 4y second.")
    if not math.isclose(norm, 1.0, rel_tol=1e-6):
        return hint(f"a unit vector has length 1; yours has length {norm:.4g}.")
    return hint("not this one: compute ∇f = (2x, 4y) at the point, negate it, divide by its norm.")
