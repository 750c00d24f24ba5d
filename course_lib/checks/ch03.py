"""Checks for chapter 03 (notebooks/03_learning_rate.ipynb): the learning rate on quadratics."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._feedback import as_array, correct, hint

__all__ = ["bowl_steps_to_tolerance", "bowl_two_steps", "stability_threshold"]

# The quadratic of stability_threshold: f = 2x**2 + 2xy + 2y**2, Hessian [[4, 2], [2, 4]], eigenvalues 2 and 6.
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


# The bowl of steps_from_formula: f = (x-7)**2 + (y-3)**2 from (0, 0), f_0 = 58, with lr = 0.4.
_STEPS_LR, _STEPS_TOL, _F0 = 0.4, 1e-6, 58.0


def _f_after(t, factor):
    return _F0 * factor ** (2 * t)


def bowl_steps_to_tolerance(steps):
    """The first t with f_t < 1e-6 on (x-7)**2 + (y-3)**2 from (0, 0) at lr = 0.4: f_t = 58 * 0.04**t, so 6."""
    value, problem = _one_number(steps, "number of steps")
    if problem is not None:
        return problem
    factor = 1 - 2 * _STEPS_LR
    right = math.ceil(math.log(_STEPS_TOL / _F0) / math.log(factor**2))
    if not _near(value, round(value)):
        exact = math.log(_STEPS_TOL / _F0) / math.log(factor**2)
        if _near(value, exact, rel=1e-3):
            return hint(
                f"t = {exact:.3f} solves 58 * 0.04**t = 1e-6 exactly, but steps come whole: after "
                f"{math.floor(exact)} steps f is still above 1e-6, so round up."
            )
        return hint("give a whole number of steps: the first t at which f_t drops below 1e-6.")
    value = int(round(value))
    if value == right:
        return correct(
            f"{right} steps: each step multiplies x - 7 and y - 3 by 1 - 2*0.4 = 0.2, so f by 0.2**2 = 0.04, and "
            f"f_{right - 1} = {_f_after(right - 1, factor):.2g} > 1e-6 > f_{right} = {_f_after(right, factor):.2g}."
        )
    if value == right - 1:
        return hint(
            f"after {value} steps f = 58 * 0.04**{value} = {_f_after(value, factor):.2g}, still above 1e-6: the "
            "solution t of 58 * 0.04**t = 1e-6 is not whole, so round UP (and keep the start value 58)."
        )
    if value == right + 1:
        return hint(f"one too many: after {right} steps f = {_f_after(right, factor):.2g} is already below 1e-6.")
    no_square = math.ceil(math.log(_STEPS_TOL / _F0) / math.log(factor))
    if value in (no_square, no_square - 1):
        return hint(
            "that shrinks f by 1 - 2*lr = 0.2 per step, but f is a SQUARED distance: it shrinks by "
            "(1 - 2*lr)**2 = 0.04 per step."
        )
    one_minus_lr = 1 - _STEPS_LR
    wrong_factor = {math.ceil(math.log(_STEPS_TOL / _F0) / math.log(one_minus_lr**k)) for k in (1, 2)}
    if value in wrong_factor:
        return hint(
            "that uses the factor 1 - lr = 0.6; the gradient of (x - 7)**2 is 2(x - 7), so one step multiplies "
            "x - 7 by 1 - 2*lr = 0.2."
        )
    distance = math.ceil(math.log(_STEPS_TOL / math.sqrt(_F0)) / math.log(factor))
    if value == distance:
        return hint(
            "that makes the DISTANCE to (7, 3) smaller than 1e-6; the question asks for the value f = distance**2."
        )
    if value <= 0:
        return hint("at step 0 f = 58: a positive number of steps is needed.")
    return hint(
        "one step multiplies x - 7 and y - 3 by 1 - 2*lr, so f_t = 58 * (1 - 2*lr)**(2t); find the smallest whole t "
        "with f_t < 1e-6."
    )


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


def stability_threshold(lr):
    """The threshold 2/L of gradient descent on f = 2x**2 + 2xy + 2y**2 (L = 6): at and above 1/3 it fails."""
    value, problem = _one_number(lr, "learning rate")
    if problem is not None:
        return problem
    threshold = 2 / _L
    if _near(value, threshold, rel=1e-3):
        return correct(
            "2/L = 2/6 = 1/3: along the steep eigenvector the factor is 1 - 6*lr; it is inside (-1, 1) for every "
            "lr below 1/3, exactly -1 at 1/3 (a two-point cycle, no convergence) and below -1 above it."
        )
    known = [
        (2 / _MU, "2/mu uses the SMALLEST eigenvalue; the steep direction (eigenvalue 6) diverges there."),
        (1 / _L, "1/L is the best step along the steep direction, but GD keeps converging up to 2/L."),
        (2 / (_MU + _L), "2/(mu + L) is the best FIXED step (fastest overall), not where convergence stops."),
        (2 / 4, "2/4 uses only the diagonal entry 4 of the Hessian; the cross term 2xy makes L = 6."),
        (2 / 3, "the Hessian of 2x**2 is 4, not 2: differentiate twice (or use f.hess) first."),
    ]
    for wrong, message in known:
        if _near(value, wrong, rel=1e-3):
            return hint(message)
    if 0.9 * threshold <= value < threshold:
        return hint(
            f"lr = {value:.4g} still converges. There is no largest converging lr (the set is open); the question "
            "asks for the threshold itself, where the steep factor 1 - L*lr reaches -1."
        )
    if threshold < value <= 1.1 * threshold:
        return hint(f"lr = {value:.4g} already diverges; the threshold is a little lower, where 1 - L*lr = -1.")
    return hint("compute the Hessian's eigenvalues (np.linalg.eigvalsh(f.hess(point))) and take 2 / the largest.")
