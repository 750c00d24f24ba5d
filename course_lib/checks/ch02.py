"""Checks for chapter 02 (notebooks/02_gradients.ipynb): partial derivatives, gradient, stopping rule."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["GRADIENT_EXERCISE", "gradient_by_hand", "steps_needed", "steepest_descent_direction"]

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


# The transfer exercise: f(x, y) = 3 x**2 + y**2, so grad f = (6x, 2y); lr 0.05, tolerance 1e-4. The starts the
# check tries come in groups: y is the slow coordinate (factor 0.9 against 0.7), x is the slow one
# (y0 tiny or 0), and one start where both parts are below eps one step before the norm is.
_Y_SLOW = ((1.0, 1.0), (-2.0, 0.5), (0.3, -2.5), (0.0, 1.5))
_X_SLOW = ((2.5, 1e-6), (2.0, 0.0))
_BOTH = ((-3.0, 0.002),)


def _norm_count(x0, y0, weights=(6.0, 2.0), factors=None, lr=0.05, eps=1e-4):
    """Steps of gradient descent until ||(w_x x_t, w_y y_t)|| < eps, iterating the update itself (as descend does)."""
    wx, wy = weights
    qx, qy = factors if factors is not None else (1 - wx * lr, 1 - wy * lr)
    x, y, n = float(x0), float(y0), 0
    while math.hypot(wx * x, wy * y) >= eps:
        x, y, n = qx * x, qy * y, n + 1
        if n > 100_000:
            return None
    return n


def steps_needed(fn):
    """Check ``fn(x0, y0)``: the number of steps of gradient descent on 3x**2 + y**2 (lr 0.05) from ``(x0, y0)``
    until ||grad f|| < 1e-4, tried on starts where y, then x, is the slow coordinate."""
    if not callable(fn):
        return hint(f"pass your function itself (without calling it), got a {type(fn).__name__}.")
    starts = _Y_SLOW + _X_SLOW + _BOTH
    answers = []
    for x0, y0 in starts:
        value = call(fn, x0, y0)
        if isinstance(value, Feedback):
            if 0.0 in (x0, y0):
                return hint(
                    f"your function fails at the start ({x0:g}, {y0:g}), on an axis: that coordinate's part of the "
                    f"gradient is 0 from the start and needs no steps (its logarithm is undefined). ({value.message})"
                )
            return value
        if value is None:
            return hint("your function returns None: add a `return` line.")
        value = as_array(value, "the returned count")
        if not isinstance(value, np.ndarray):
            return value
        if value.ndim != 0 or value != np.round(value):
            return hint(f"the answer is a whole number of steps; from ({x0:g}, {y0:g}) you returned {value}.")
        answers.append(int(value))
    right = [_norm_count(*start) for start in starts]
    if answers == right:
        return correct(
            "your counts match descent from every start: on this bowl y (factor 0.9) is usually the slow "
            "coordinate, x (factor 0.7) only when y0 is tiny, and the norm combines both parts."
        )
    got = dict(zip(starts, answers, strict=True))
    want = dict(zip(starts, right, strict=True))
    if all(got[s] == want[s] + 1 for s in starts):
        return hint("one too many everywhere: count the steps (updates), not the points; the start is step 0.")
    if all(got[s] == want[s] - 1 for s in starts):
        return hint("one short everywhere: stop at the first step where the norm is below eps, not just before it.")
    if answers == [_norm_count(*s, factors=(1 - 3 * 0.05, 1 - 0.05)) for s in starts]:
        return hint(
            "the factors are 1 - lr * (second derivative): 1 - 6 lr = 0.7 for x (∂²f/∂x² = 6) and "
            "1 - 2 lr = 0.9 for y, not 1 - 3 lr and 1 - lr."
        )
    if answers == [_norm_count(*s, weights=(1.0, 1.0), factors=(0.7, 0.9)) for s in starts]:
        return hint("the rule is on the gradient (6x, 2y), not on the point (x, y): keep the factors 6 and 2.")
    ok = {s: got[s] == want[s] for s in starts}
    if all(ok[s] for s in _X_SLOW) and not any(ok[s] for s in _Y_SLOW):
        return hint(
            "right only where x is slow: on this bowl y shrinks by 0.9 per step and x by 0.7, so y usually sets "
            "the count (the worked example above had the opposite)."
        )
    if all(ok[s] for s in _Y_SLOW) and not any(ok[s] for s in _X_SLOW):
        return hint(
            f"right where y is slow, wrong at ({_X_SLOW[0][0]:g}, {_X_SLOW[0][1]:g}): when y0 is tiny the x-part "
            "is the slow one; count both coordinates and take the later."
        )
    if all(ok[s] for s in _Y_SLOW + _X_SLOW) and not ok[_BOTH[0]]:
        s = _BOTH[0]
        return hint(
            f"almost: at ({s[0]:g}, {s[1]:g}) both parts are below eps after {got[s]} steps, but the norm "
            "sqrt(a² + b²) of the two is not yet (it can be up to √2 eps); compute the norm itself from "
            "x_n = 0.7**n x0, y_n = 0.9**n y0."
        )
    bad = next(s for s in starts if not ok[s])
    more = "too high" if got[bad] > want[bad] else "too low"
    return hint(
        f"from ({bad[0]:g}, {bad[1]:g}) your count is {more}. Work out grad f = (6x, 2y), the factor of each "
        "coordinate (x_n = 0.7**n x0, y_n = 0.9**n y0), and the first n with ||grad f(x_n)|| < eps."
    )


def steepest_descent_direction(u, point=(1.0, -2.0)):
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
    at_one_one = -np.array([2.0, 4.0]) / np.sqrt(20.0)
    if not np.allclose(p, [1.0, 1.0]) and np.allclose(value, at_one_one, atol=1e-6):
        return hint(
            f"that is the direction at (1, 1), where section 1 printed the gradient; the point here is "
            f"({p[0]:g}, {p[1]:g}): evaluate ∇f = (2x, 4y) there."
        )
    if np.allclose(value, right[::-1], atol=1e-6):
        return hint("the entries are swapped: ∂f/∂x = 2x comes first, ∂f/∂y = 4y second.")
    if not math.isclose(norm, 1.0, rel_tol=1e-6):
        return hint(f"a unit vector has length 1; yours has length {norm:.4g}.")
    return hint("not this one: compute ∇f = (2x, 4y) at the point, negate it, divide by its norm.")
