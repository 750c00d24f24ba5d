"""Checks for chapter 03 (notebooks/03_learning_rate.ipynb): the learning rate on quadratics."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._feedback import as_array, correct, hint

__all__ = ["bowl_one_step_lr", "bowl_two_steps", "largest_stable_lr"]

# The quadratic of largest_stable_lr: f = 2x**2 + 2xy + 2y**2, Hessian [[4, 2], [2, 4]], eigenvalues 2 and 6.
_MU, _L = 2.0, 6.0


def _one_number(answer, name):
    if answer is None:
        return None, hint(f"replace None with your {name}.")
    value = as_array(answer, name)
    if not isinstance(value, np.ndarray):
        return None, value
    if value.ndim != 0:
        return None, hint(f"give one number for the {name}, got an array of shape {value.shape}.")
    return float(value), None


def _near(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def bowl_one_step_lr(lr):
    """The learning rate that takes f = (x-7)**2 + (y-3)**2 to (7, 3) in ONE step from every start: 1/2."""
    value, problem = _one_number(lr, "learning rate")
    if problem is not None:
        return problem
    if _near(value, 0.5):
        return correct("lr = 1/2 = 1/L: the step x - (1/2)*2(x - 7) lands on 7 whatever x was, and the same for y.")
    known = {
        1.0: "lr = 1 = 2/L flips x - 7 to -(x - 7): the iterates bounce between two points forever.",
        0.0: "lr = 0 never moves at all.",
        1 / 3: "lr = 1/3 shrinks the distance to (7, 3) by 1/3 each step; it never lands exactly.",
        2.0: "lr = 2 is the curvature L itself; the one-step rate is 1/L (and 2 even diverges).",
        0.25: "lr = 1/4 halves the distance each step; try lr so that 1 - 2*lr = 0.",
    }
    for wrong, message in known.items():
        if _near(value, wrong):
            return hint(message)
    factor = 1 - 2 * value
    return hint(f"one step multiplies x - 7 by 1 - 2*lr = {factor:.4g}; choose lr so that this factor is exactly 0.")


def _exact_pair(point):
    """The answer as a pair of Fractions, (pair, None), or (None, Feedback)."""
    if point is None:
        return None, hint("replace None with your point (x2, y2).")
    try:
        items = list(point)
    except TypeError:
        return None, hint(f"give a pair (x2, y2), got a {type(point).__name__}.")
    if len(items) != 2:
        return None, hint(f"give a pair (x2, y2), got {len(items)} numbers.")
    pair = []
    for item in items:
        if isinstance(item, Fraction | int) and not isinstance(item, bool):
            pair.append(Fraction(item))
        elif isinstance(item, float | np.floating):
            pair.append(None)
        else:
            return None, hint(f"each coordinate should be a Fraction, got a {type(item).__name__}.")
    return pair, None


def bowl_two_steps(point):
    """The exact iterate after two steps of lr = 1/3 from (0, 0) on (x-7)**2 + (y-3)**2: (56/9, 8/3)."""
    pair, problem = _exact_pair(point)
    if problem is not None:
        return problem
    right = (Fraction(56, 9), Fraction(8, 3))
    floats = [float(c) for c in point]
    if None in pair:
        if all(_near(a, float(b), rel=1e-12) for a, b in zip(floats, right, strict=True)):
            return hint(
                "the values are right but they are floats; build them from Fraction (Fraction(1, 3) as lr) "
                "so the result is exact."
            )
        pair = [Fraction(c).limit_denominator(10**6) for c in floats]
    pair = tuple(pair)
    if pair == right:
        return correct("(56/9, 8/3): the distance to (7, 3) is (7/9, 1/3) = (1/3)**2 of (7, 3). Exact.")
    wrong = {
        (
            Fraction(49, 9),
            Fraction(8, 3),
        ): "this is the seed's point: the x update dropped the factor 2 of the "
        "gradient 2(x - 7). Step with lr * 2 * (x - 7).",
        (Fraction(14, 3), Fraction(2)): "that is the point after ONE step; take a second step from it.",
        (Fraction(182, 27), Fraction(26, 9)): "that is the point after THREE steps; stop after two.",
        (
            Fraction(-112, 9),
            Fraction(-16, 3),
        ): "you moved along +gradient (x + lr*g): that is gradient ascent.",
        (Fraction(7), Fraction(3)): "(7, 3) is the minimum; with lr = 1/3 two steps do not reach it.",
    }
    if pair in wrong:
        return hint(wrong[pair])
    return hint(
        "not the two-step point. Use x <- x - lr * 2 * (x - 7) and y <- y - lr * 2 * (y - 3) twice, starting "
        "from (0, 0) with lr = Fraction(1, 3)."
    )


def largest_stable_lr(lr):
    """The stability boundary 2/L of gradient descent on f = 2x**2 + 2xy + 2y**2: L = 6, so 1/3."""
    value, problem = _one_number(lr, "learning rate")
    if problem is not None:
        return problem
    if _near(value, 2 / _L, rel=1e-3):
        return correct(
            "2/L = 2/6 = 1/3: along the steep eigenvector the factor 1 - 6*lr stays inside (-1, 1) only while lr < 1/3."
        )
    known = [
        (2 / _MU, "2/mu uses the SMALLEST eigenvalue; the steep direction (eigenvalue 6) diverges there."),
        (1 / _L, "1/L is the best step along the steep direction, but GD stays stable up to 2/L."),
        (2 / (_MU + _L), "2/(mu + L) is the best FIXED step (fastest overall), not the largest stable one."),
        (2 / 4, "2/4 uses only the diagonal entry 4 of the Hessian; the cross term 2xy makes L = 6."),
        (2 / 3, "the Hessian of 2x**2 is 4, not 2: differentiate twice (or use f.hess) first."),
    ]
    for wrong, message in known:
        if _near(value, wrong, rel=1e-3):
            return hint(message)
    return hint("compute the Hessian's eigenvalues (np.linalg.eigvalsh(f.hess(point))) and take 2 / the largest.")
