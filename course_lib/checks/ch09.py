"""Checks for chapter 09: Newton's method and L-BFGS."""

import numpy as np

from ..second_order import LBFGS
from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["newton_step_count", "quadratic_minimum", "pair_scaling", "two_loop"]


def newton_step_count(C, n_steps):
    """Exercise 1: f(x) = x**2/2 + 5 x**3/3 from x0 = 0.02 (minimum x* = 0). ``C`` must be the constant of the
    squared-error law e_{t+1} ≈ C e_t**2, |f'''(x*) / (2 f''(x*))| = 5, and ``n_steps`` the number of Newton steps
    until the error is first below 1e-10 (4: 0.02 -> 2e-3 -> 2e-5 -> 2e-9 -> 2e-17)."""
    C = as_array(C, "C")
    if not isinstance(C, np.ndarray):
        return C
    if C.shape != ():
        return hint("C is one number, |f'''(x*) / (2 f''(x*))|.")
    if not np.isclose(C, 5.0):
        if np.isclose(C, 10.0):
            return hint("C = f'''/f'' misses the factor 1/2: the law is e_{t+1} ≈ |f'''(x*) / (2 f''(x*))| e_t².")
        if np.isclose(C, 1.0):
            return hint("C is not 1 here: f''(0) = 1 but f'''(0) = 10, so C = |f'''/(2 f'')| at x* = 0.")
        if np.isclose(C, 0.2) or np.isclose(C, 0.1):
            return hint("the ratio is upside down: C = |f'''(x*)| / (2 f''(x*)), third derivative on top.")
        if np.isclose(C, 5.0 / 3.0) or np.isclose(C, 2.5):
            return hint("differentiate f three times: f' = x + 5x², f'' = 1 + 10x, f''' = 10; then C = f'''/(2f'').")
        return hint(f"C = |f'''(x*) / (2 f''(x*))| at x* = 0: differentiate f three times; you gave {float(C):g}.")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)):
        return hint("n_steps is a whole number of Newton steps, e.g. n_steps = 3.")
    if n_steps == 4:
        return correct(
            "the law predicts 0.02 → 2e-3 → 2e-5 → 2e-9 → 2e-17 (the exact run: 1.7e-3, 1.4e-5, 9.3e-10, 4.3e-18); "
            "the exponent doubles each step, where a linear rate would need 8 steps."
        )
    if n_steps == 3:
        return hint("that is what e_{t+1} = e_t² gives; with the constant, e_{t+1} ≈ 5 e_t² and e_3 ≈ 2e-9 > 1e-10.")
    if n_steps == 5:
        return hint("one too many: count the steps, not the points; x0 is step 0, and e_4 ≈ 2e-17 is already below.")
    if n_steps > 5:
        return hint(
            "that assumes a fixed ratio e_{t+1}/e_t (a linear rate); near a minimum with f''(x*) ≠ 0 the error is "
            "squared: apply e_{t+1} ≈ 5 e_t² step by step from 0.02."
        )
    return hint("apply e_{t+1} ≈ 5 e_t² step by step from e_0 = 0.02 and count until the error is below 1e-10.")


def _bowl_gradient(v):
    """Gradient of f(x, y) = x² + 3xy + 5y² - 4x + 2y, the quadratic of Exercise 2."""
    x, y = v
    return np.array([2 * x + 3 * y - 4, 3 * x + 10 * y + 2])


def quadratic_minimum(x_min):
    """Exercise 2: ``x_min`` must be where one Newton step from (1, 1) lands on
    f(x, y) = x² + 3xy + 5y² - 4x + 2y: the minimum (46/11, -16/11)."""
    answer = as_array(x_min, "x_min")
    if not isinstance(answer, np.ndarray):
        return answer
    if answer.shape != (2,):
        return hint(f"x_min is a point (x, y), shape (2,); got shape {answer.shape}.")
    x0 = np.array([1.0, 1.0])
    H = np.array([[2.0, 3.0], [3.0, 10.0]])
    g0 = _bowl_gradient(x0)
    right = x0 - np.linalg.solve(H, g0)
    if np.allclose(answer, right):
        return correct(
            "(46/11, -16/11). The quadratic model of a quadratic is the function itself, so its minimum is the "
            "minimum: the gradient there is 0 and a second step does not move."
        )
    if np.allclose(answer, right - x0):
        return hint("that is the step -H⁻¹g; add it to the start (1, 1) to get the point where it lands.")
    if np.allclose(answer, x0 + np.linalg.solve(H, g0)):
        return hint("the sign is flipped: Newton moves by -H⁻¹g, towards the minimum.")
    if np.allclose(answer, x0 - g0):
        return hint("that is a gradient step with learning rate 1; Newton rescales g by the inverse Hessian H⁻¹.")
    for wrong, message in [
        ([[1.0, 3.0], [3.0, 5.0]], "the diagonal of H is twice the coefficient of x² and y²: 2 and 10."),
        ([[2.0, 1.5], [1.5, 10.0]], "the cross term 3xy gives ∂²f/∂x∂y = 3, not 3/2."),
        ([[2.0, 6.0], [6.0, 10.0]], "the cross term 3xy gives ∂²f/∂x∂y = 3, not 6."),
    ]:
        if np.allclose(answer, x0 - np.linalg.solve(np.array(wrong), g0)):
            return hint(message)
    return hint(
        "differentiate f: g = (∂f/∂x, ∂f/∂y) at (1, 1) and H, its matrix of second derivatives (constant on a "
        "quadratic); then x_min = x0 - H⁻¹g."
    )


def _well_gradient(v):
    """Gradient of the double well f(x, y) = (x² - 1)² + y², convex only where 3x² > 1."""
    x, y = v
    return np.array([4 * x * (x**2 - 1), 2 * y])


# (x_old, x_new) pairs on the double well: two where s.y > 0 and one across its concave middle where s.y < 0
_WELL_PAIRS = [
    (np.array([1.5, 1.0]), np.array([1.2, 0.4])),
    (np.array([0.3, 0.5]), np.array([-0.2, 0.45])),
    (np.array([-1.4, -0.5]), np.array([-0.9, 0.1])),
]


def pair_scaling(scaling):
    """Exercise 3: ``scaling(x_old, x_new, g_old, g_new)`` must return γ = sᵀy / yᵀy for a usable pair
    (sᵀy > 0) and ``None`` for a pair that L-BFGS must skip (sᵀy <= 0)."""
    if not callable(scaling):
        return hint("pass the function itself, e.g. check.pair_scaling(scaling), without calling it.")
    for x_old, x_new in _WELL_PAIRS:
        g_old, g_new = _well_gradient(x_old), _well_gradient(x_new)
        answer = call(scaling, x_old.copy(), x_new.copy(), g_old.copy(), g_new.copy())
        if isinstance(answer, Feedback):
            return answer
        s, y = x_new - x_old, g_new - g_old
        sy = s @ y
        where = f"for x_old = {x_old.tolist()}, x_new = {x_new.tolist()}"
        if sy <= 0:
            if answer is None:
                continue
            value = as_array(answer, "γ")
            if isinstance(value, np.ndarray) and value.shape == () and value < 0:
                return hint(f"{where} sᵀy = {sy:.3g} < 0 and γ came out negative: skip such a pair, return None.")
            return hint(
                f"{where} sᵀy = {sy:.3g} ≤ 0: no positive-definite B has B s = y, so the pair must be skipped "
                "(return None)."
            )
        if answer is None:
            return hint(
                f"{where} sᵀy = {sy:.3g} > 0, so the pair is usable; if yours came out negative, take both "
                "differences new minus old."
            )
        value = as_array(answer, "γ")
        if not isinstance(value, np.ndarray):
            return value
        if value.shape != ():
            return hint("γ is one number, sᵀy / yᵀy, not a vector.")
        if np.isclose(value, sy / (y @ y)):
            continue
        if np.isclose(value, (y @ y) / sy):
            return hint("γ is upside down: sᵀy / yᵀy, a step length per unit of gradient change.")
        if np.isclose(value, (s @ s) / sy):
            return hint("sᵀs / sᵀy is the other Barzilai-Borwein scale; the chapter's γ is sᵀy / yᵀy.")
        if np.isclose(value, sy / (s @ s)):
            return hint("sᵀy / sᵀs estimates the curvature itself (B), not its inverse; γ = sᵀy / yᵀy.")
        return hint(f"{where} γ = sᵀy / yᵀy = {sy / (y @ y):.4g}; you returned {float(value):.4g}.")
    return correct("the pair across the concave middle has sᵀy < 0 and is skipped; the others give γ = sᵀy / yᵀy > 0.")


# A fixed memory of three pairs (oldest first) from the quadratic with Hessian _A, so y = A s and s.y > 0,
# and a gradient at which the product H g is asked for.
_A = np.array([[4.0, 1.0, 0.0, 0.5], [1.0, 3.0, 0.5, 0.0], [0.0, 0.5, 2.0, 0.3], [0.5, 0.0, 0.3, 1.0]])
_S = np.array([[1.0, -0.5, 0.2, 0.0], [0.3, 1.0, -0.4, 0.6], [-0.2, 0.4, 1.0, -0.8]])
_G = np.array([1.0, -2.0, 0.5, 1.5])


class _Quadratic:
    """½ xᵀ A x: just enough of an objective to build the library's LBFGS."""

    dim = len(_A)

    def value(self, x):
        return 0.5 * np.einsum("...i,ij,...j->...", x, _A, x)

    def grad(self, x):
        return x @ _A


def _library_product(g, s, y):
    """H g as course_lib.second_order.LBFGS computes it (its direction is -H g)."""
    return -LBFGS(_Quadratic(), history_size=len(s)).direction(g, s, y)


def _two_loop(g, s, y, *, first="newest", second="oldest", rho="inverse", gamma="newest"):
    """H g by the two-loop recursion, with switches that reproduce the usual slips."""
    m = len(s)
    sy = np.einsum("ki,ki->k", s, y)
    rhos = {"inverse": 1.0 / sy, "missing": np.ones(m), "not inverted": sy}[rho]
    order = list(range(m))[::-1] if first == "newest" else list(range(m))
    q, a = g.copy(), np.zeros(m)
    for k in order:
        a[k] = rhos[k] * (s[k] @ q)
        q = q - a[k] * y[k]
    scale = {
        "newest": sy[-1] / (y[-1] @ y[-1]),
        "oldest": sy[0] / (y[0] @ y[0]),
        "one": 1.0,
        "inverted": (y[-1] @ y[-1]) / sy[-1],
    }[gamma]
    r = scale * q
    for k in range(m) if second == "oldest" else range(m)[::-1]:
        b = rhos[k] * (y[k] @ r)
        r = r + s[k] * (a[k] - b)
    return r


_SLIPS = [
    (
        {"first": "oldest", "second": "newest"},
        "the loops run the wrong way round: the first goes from the newest pair to the oldest, the second back "
        "from the oldest to the newest.",
    ),
    (
        {"first": "oldest", "second": "oldest"},
        "the first loop must start at the newest pair (the last row) and go back.",
    ),
    ({"first": "newest", "second": "newest"}, "the second loop must start at the oldest pair (the first row)."),
    ({"rho": "missing"}, "ρ is missing: each a_i and b_i carries the factor ρ_i = 1 / (y_iᵀ s_i)."),
    ({"rho": "not inverted"}, "ρ_i is the inverse 1 / (y_iᵀ s_i), not y_iᵀ s_i itself."),
    ({"gamma": "one"}, "the initial scaling is missing: before the second loop set r = γ q with γ = sᵀy / yᵀy."),
    ({"gamma": "inverted"}, "the initial scaling is upside down: γ = sᵀy / yᵀy (a step per unit of gradient)."),
    ({"gamma": "oldest"}, "take γ = sᵀy / yᵀy from the newest pair (the last row), the most recent curvature."),
]


def two_loop(two_loop):
    """``two_loop(g, s, y)`` must return H g, the L-BFGS inverse-Hessian estimate applied to g, for the pairs
    ``s[i], y[i]`` (oldest first), by the two-loop recursion (Nocedal & Wright, Algorithm 7.4)."""
    if not callable(two_loop):
        return hint("pass the function itself, e.g. check.two_loop(two_loop), without calling it.")
    s = _S.copy()
    y = s @ _A.T
    answer = call(two_loop, _G.copy(), s.copy(), y.copy())
    if isinstance(answer, Feedback):
        return answer
    answer = as_array(answer, "H g")
    if not isinstance(answer, np.ndarray):
        return answer
    if answer.shape != _G.shape:
        return hint(f"return one vector shaped like g, {_G.shape}; got shape {answer.shape}.")
    right = _library_product(_G, s, y)
    if np.allclose(answer, right, rtol=1e-9, atol=1e-12):
        last = np.allclose(call(two_loop, y[-1].copy(), s.copy(), y.copy()), s[-1], rtol=1e-9, atol=1e-12)
        if not last:
            return hint("right on one gradient but not on g = y_newest, where H y must give s_newest.")
        return correct(
            "that is L-BFGS's H g, in O(m d) work; it satisfies the secant equation H y = s for the newest pair."
        )
    if np.allclose(answer, -right, rtol=1e-9, atol=1e-12):
        return hint("the sign is flipped: return H g itself; the search direction is its negative, -H g.")
    if np.allclose(answer, (s[-1] @ y[-1]) / (y[-1] @ y[-1]) * _G):
        return hint("only the initial scaling γ g came back: the two loops around it are missing or do nothing.")
    for switches, message in _SLIPS:
        if np.allclose(answer, _two_loop(_G, s, y, **switches), rtol=1e-9, atol=1e-12):
            return hint(message)
    return hint(
        "not the two-loop product. Check: q = g; newest to oldest a_i = ρ_i s_iᵀq, q -= a_i y_i; r = γ q; "
        "oldest to newest b_i = ρ_i y_iᵀr, r += s_i (a_i - b_i)."
    )
