"""Checks for chapter 09: Newton's method and L-BFGS."""

import numpy as np

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["newton_step_1d", "newton_direction", "secant_pair"]

# (x, f'(x), f''(x)) triples on which a 1-D Newton step is tried
_CASES_1D = [(2.0, 3.0, 4.0), (-1.0, -2.5, 0.5), (0.5, 1.0, 10.0)]


def newton_step_1d(newton_step):
    """``newton_step(x, d1, d2)`` must return the Newton-Raphson update x - d1/d2 (d1 = f'(x), d2 = f''(x))."""
    if not callable(newton_step):
        return hint("pass the function itself, e.g. check.newton_step_1d(newton_step), without calling it.")
    for x, d1, d2 in _CASES_1D:
        answer = call(newton_step, x, d1, d2)
        if isinstance(answer, Feedback):
            return answer
        answer = as_array(answer, "the step")
        if not isinstance(answer, np.ndarray):
            return answer
        if np.isclose(answer, x - d1 / d2):
            continue
        if np.isclose(answer, x + d1 / d2):
            return hint("the step has the wrong sign: x + f'/f'' climbs. Newton moves by -f'(x)/f''(x).")
        if np.isclose(answer, x - d2 / d1):
            return hint("the ratio is upside down: divide the first derivative by the second, f'/f''.")
        if np.isclose(answer, x - d1):
            return hint("that is a gradient step with learning rate 1; Newton divides f' by the curvature f''.")
        if np.isclose(answer, -d1 / d2):
            return hint("you returned the change -f'/f''; return the new point x - f'/f''.")
        return hint(
            f"for x={x}, f'={d1}, f''={d2} the Newton update is {x - d1 / d2:g}, you returned {float(answer):g}."
        )
    return correct("x - f'(x)/f''(x): the minimum of the local parabola.")


def newton_direction(direction):
    """``direction(H, g)`` must return the Newton direction p = -H^{-1} g (solve H p = -g)."""
    if not callable(direction):
        return hint("pass the function itself, e.g. check.newton_direction(direction), without calling it.")
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    g = np.array([1.0, -2.0])
    answer = call(direction, H.copy(), g.copy())
    if isinstance(answer, Feedback):
        return answer
    answer = as_array(answer, "the direction")
    if not isinstance(answer, np.ndarray):
        return answer
    if answer.shape != (2,):
        return hint(f"the direction should be a vector of shape (2,), got shape {answer.shape}.")
    right = -np.linalg.solve(H, g)
    if np.allclose(answer, right):
        return correct("p = -H⁻¹g, computed by solving H p = -g (np.linalg.solve is cheaper and safer than inv).")
    if np.allclose(answer, -right):
        return hint("the sign is flipped: H⁻¹g points uphill; the Newton direction is -H⁻¹g.")
    if np.allclose(answer, -H @ g):
        return hint("you multiplied by H; Newton divides by the curvature: solve H p = -g (np.linalg.solve).")
    if np.allclose(answer, -g / np.diag(H)):
        return hint("dividing by the diagonal ignores how the coordinates interact; solve the full system H p = -g.")
    if np.allclose(answer, -g):
        return hint("-g is the gradient direction; Newton rescales it by the inverse Hessian.")
    return hint(f"for H = {H.tolist()} and g = {g.tolist()} expected {np.round(right, 4).tolist()}.")


def secant_pair(pair):
    """``pair(x_old, x_new, g_old, g_new)`` must return (s, y) = (x_new - x_old, g_new - g_old)."""
    if not callable(pair):
        return hint("pass the function itself, e.g. check.secant_pair(pair), without calling it.")
    x_old, x_new = np.array([1.0, 2.0]), np.array([0.5, 1.5])
    g_old, g_new = np.array([4.0, -1.0]), np.array([1.0, 0.5])
    answer = call(pair, x_old, x_new, g_old, g_new)
    if isinstance(answer, Feedback):
        return answer
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return hint("return two arrays, s and y, e.g. `return s, y`.")
    try:
        s, y = (np.asarray(a, dtype=np.float64) for a in answer)
    except (TypeError, ValueError):
        return hint("return two arrays, s and y, e.g. `return s, y`.")
    s_right, y_right = x_new - x_old, g_new - g_old
    if np.allclose(s, s_right) and np.allclose(y, y_right):
        return correct("s is the step taken and y how the gradient changed along it; y ≈ H s (the secant equation).")
    if np.allclose(s, y_right) and np.allclose(y, s_right):
        return hint("s and y are swapped: s comes from the points, y from the gradients.")
    if np.allclose(s, -s_right) or np.allclose(y, -y_right):
        return hint("take differences in time order: new minus old, for both s and y.")
    return hint("s = x_new - x_old and y = g_new - g_old.")
