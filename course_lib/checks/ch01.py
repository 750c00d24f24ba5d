"""Checks for chapter 01 (notebooks/01_derivatives.ipynb): derivatives and 1-D gradient descent."""

from __future__ import annotations

import math

import numpy as np

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["central_difference", "gd_update", "iteration_count", "one_step_lr"]

# (function, derivative, point) triples on which a central-difference function is tried
_CASES = (
    (np.sin, np.cos, 1.0),
    (np.exp, np.exp, 0.5),
    (lambda x: x**3 - 2 * x, lambda x: 3 * x**2 - 2, 2.0),
)
_H = 1e-3


def _call(fn, *args):
    """Call the learner's function; return (value, None) or (None, Feedback)."""
    value = call(fn, *args)
    if isinstance(value, Feedback):
        return None, value
    if value is None:
        return None, hint("your function returns None: add a `return` line.")
    value = as_array(value, "the returned value")
    if not isinstance(value, np.ndarray):
        return None, value
    if value.ndim != 0:
        return None, hint(f"return one number, got an array of shape {value.shape}.")
    return float(value), None


def central_difference(fn):
    """Check ``fn(f, x, h)`` = (f(x+h) - f(x-h)) / (2h), the central difference quotient."""
    for f, df, x in _CASES:
        value, problem = _call(fn, f, x, _H)
        if problem is not None:
            return problem
        central = (f(x + _H) - f(x - _H)) / (2 * _H)
        if math.isclose(value, central, rel_tol=1e-9, abs_tol=1e-12):
            continue
        wrong = {
            "forward": (f(x + _H) - f(x)) / _H,
            "backward": (f(x) - f(x - _H)) / _H,
            "no_half": (f(x + _H) - f(x - _H)) / _H,
            "precedence": (f(x + _H) - f(x - _H)) / 2 * _H,
            "sign": (f(x - _H) - f(x + _H)) / (2 * _H),
            "exact": df(x),
        }
        match = next((k for k, w in wrong.items() if math.isclose(value, w, rel_tol=1e-9, abs_tol=1e-12)), None)
        messages = {
            "forward": "that is the forward difference (f(x+h) - f(x))/h; central uses x+h and x-h.",
            "backward": "that is the backward difference (f(x) - f(x-h))/h; central uses x+h and x-h.",
            "no_half": "about twice the slope: the points x-h and x+h are 2h apart, so divide by 2*h.",
            "precedence": "parentheses: `/ 2 * h` divides by 2, then MULTIPLIES by h; write / (2 * h).",
            "sign": "the sign is flipped: subtract f(x-h) from f(x+h), not the other way round.",
            "exact": "you returned the exact derivative; compute the quotient from f and h instead.",
        }
        if match is not None:
            return hint(messages[match])
        return hint(
            f"for f = {getattr(f, '__name__', 'x**3 - 2x')} at x = {x}, h = {_H} you returned {value:.6g}; "
            f"the central difference is {central:.6g}."
        )
    return correct("your central difference matches (f(x+h) - f(x-h)) / (2h) on three functions.")


def gd_update(fn):
    """Check ``fn(x, lr, g)`` = x - lr * g, one gradient-descent step (g is f'(x))."""
    cases = ((1.5, 0.1, 5.0), (-2.0, 0.01, -2.0), (0.3, 0.5, 1.6))
    for x, lr, g in cases:
        value, problem = _call(fn, x, lr, g)
        if problem is not None:
            return problem
        if math.isclose(value, x - lr * g, rel_tol=1e-12, abs_tol=1e-12):
            continue
        wrong = {
            "ascent": x + lr * g,
            "no_lr": x - g,
            "step_only": -lr * g,
            "step_only_pos": lr * g,
            "swapped": g - lr * x,
        }
        match = next((k for k, w in wrong.items() if math.isclose(value, w, rel_tol=1e-12, abs_tol=1e-12)), None)
        messages = {
            "ascent": "you used + instead of -: that is gradient ascent, which climbs uphill.",
            "no_lr": "the learning rate is missing: subtracting the whole derivative can overshoot "
            "(see the pitfall on E49); multiply g by lr.",
            "step_only": "you returned the step -lr*g; the new point is x plus that step.",
            "step_only_pos": "you returned lr*g; the new point is x - lr*g.",
            "swapped": "x and g are swapped: the point moves, by lr times the derivative.",
        }
        if match is not None:
            return hint(messages[match])
        return hint(f"for x = {x}, lr = {lr}, g = {g} you returned {value:.6g}; expected x - lr*g = {x - lr * g:.6g}.")
    return correct("x_new = x - lr * f'(x): a small step against the slope.")


def _count(x0, lr, eps, contraction):
    slope = 2 * abs(x0 + 1)
    return math.ceil(math.log(eps / slope) / math.log(contraction))


def iteration_count(n, x0=1.5, lr=0.01, eps=1e-5):
    """Check the number of descent steps on x**2 + 2x + 3 from ``x0`` until |f'(x)| <= eps.

    f'(x_t) = (1 - 2 lr)**t f'(x0), so n = ceil(ln(eps / (2|x0 + 1|)) / ln(1 - 2 lr)).
    """
    value = as_array(n, "n")
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim != 0 or value != np.round(value):
        return hint("the answer is a whole number of steps.")
    n = int(value)
    right = _count(x0, lr, eps, 1 - 2 * lr)
    if n == right:
        return correct(f"{right} steps: |f'| shrinks by the factor {1 - 2 * lr:g} per step.")
    if n == right - 1:
        return hint("one short: after n steps |f'| = 0.98**n |f'(x0)| must be <= eps, so round UP (ceil).")
    if n == right + 1:
        return hint("one too many: count the updates, not the points (the start x0 is step 0).")
    wrong = {
        _count(x0, lr, eps, 1 - lr): "the factor per step is 1 - 2*lr = 0.98 (f'' = 2), not 1 - lr.",
        math.ceil(
            math.log(eps / abs(x0 + 1)) / math.log(1 - 2 * lr)
        ): "the stopping rule is on |f'(x)| = 2|x + 1|, not on the distance |x + 1|: keep the factor 2.",
        math.ceil(math.log(eps / (2 * abs(x0))) / math.log(1 - 2 * lr)): "measure from the minimum x* = -1: "
        "f'(x0) = 2(x0 + 1), not 2 x0.",
    }
    if n in wrong:
        return hint(wrong[n])
    return hint(f"not {n}: write f'(x_t) = (1 - 2 lr)**t f'(x0) and solve for the first t with |f'(x_t)| <= eps.")


def one_step_lr(lr, a=3.0, b=-12.0):
    """Check a learning rate that reaches the minimum of a*x**2 + b*x + c in ONE step: lr = 1/f'' = 1/(2a)."""
    value = as_array(lr, "lr")
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim != 0:
        return hint("the learning rate is one number.")
    lr = float(value)
    curvature = 2 * a
    best = 1 / curvature
    x0 = 0.0
    landing = x0 - lr * (2 * a * x0 + b)
    x_star = -b / (2 * a)
    if math.isclose(lr, best, rel_tol=1e-6):
        return correct(f"lr = 1/f'' = 1/{curvature:g}: from x = 0 one step lands on x* = {x_star:g}, from any start.")
    if lr <= 0:
        return hint("the learning rate must be positive; lr = 0 never moves and lr < 0 climbs.")
    if math.isclose(lr, best, rel_tol=1e-2):
        return hint(
            f"close, but from x = 0 you land at {landing:.6g}, not exactly at x* = {x_star:g}: one step needs "
            "lr = 1/f'' exactly (a slider shows it rounded to a few digits); write it as a fraction."
        )
    if math.isclose(lr, 1 / a, rel_tol=1e-6):
        return hint(
            f"lr = 1/a = 2/f'' is the edge of stability: it jumps from x = 0 to {landing:g} and back. "
            "Remember f'' = 2a."
        )
    if lr < best:
        return hint(f"too small: from x = 0 you land at {landing:g}, short of x* = {x_star:g}.")
    if lr < 2 * best:
        return hint(
            f"too large: from x = 0 you land at {landing:g}, past x* = {x_star:g} (it still converges, oscillating)."
        )
    return hint(f"far too large: from x = 0 you land at {landing:g}; beyond lr = 2/f'' the iterates diverge.")
