"""Checks for chapter 06 (notebooks/06_momentum.ipynb): the momentum update, its effective step, Polyak's
heavy-ball parameters."""

from __future__ import annotations

import numpy as np

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["momentum_step", "effective_step", "polyak_parameters"]


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=1e-12)


def _pair(answer, what):
    """(first, second) as float arrays, or a Feedback."""
    if isinstance(answer, Feedback):
        return answer
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return hint(f"return a pair {what}.")
    first, second = as_array(answer[0], "the first value"), as_array(answer[1], "the second value")
    for part in (first, second):
        if isinstance(part, Feedback):
            return part
    return first, second


# ----------------------------------------------------------------------------------------------------


def momentum_step(fn):
    """``fn(x, g, buf, lr, beta) -> (x_next, buf_next)`` in torch's form:
    buf_next = beta * buf + g;  x_next = x - lr * buf_next."""
    x, g, buf = np.array([1.0, -2.0]), np.array([0.5, 3.0]), np.array([-0.4, 1.2])
    lr, beta = 0.1, 0.8
    answer = _pair(call(fn, x.copy(), g.copy(), buf.copy(), lr, beta), "(x_next, buf_next)")
    if isinstance(answer, Feedback):
        return answer
    x_new, b_new = answer
    right_b = beta * buf + g
    right_x = x - lr * right_b
    if _close(x_new, right_x) and _close(b_new, right_b):
        return correct("buf = beta * buf + g, then x = x - lr * buf: torch's SGD with momentum.")
    if _close(x_new, x) and _close(b_new, buf):
        return hint("nothing moved: update the buffer first (beta * buf + g), then step x along it.")
    if _close(b_new, buf + beta * g):
        return hint("the factor beta belongs to the OLD momentum: buf = beta * buf + g (damp the old, add the new).")
    if _close(b_new, beta * buf + (1 - beta) * g):
        return hint("that is the averaged (EMA) buffer, beta * buf + (1 - beta) * g; torch adds the full gradient g.")
    if _close(b_new, beta * buf + lr * g) and _close(x_new, x - b_new):
        return hint(
            "lr is inside the buffer: a valid form for a constant lr (classical momentum), but here keep lr "
            "outside, as torch does: buf = beta * buf + g, x = x - lr * buf."
        )
    if _close(b_new, right_b):
        if _close(x_new, x + lr * right_b):
            return hint("the buffer is right but the step goes uphill: subtract lr * buf (gradient DEscent).")
        if _close(x_new, x - lr * buf):
            return hint("the buffer is right, but x moved with the OLD buffer: step with the new one.")
        if _close(x_new, x - lr * (g + beta * right_b)):
            return hint("that is the Nesterov step (g + beta * buf); plain momentum steps by lr * buf.")
        if _close(x_new, x - lr * g):
            return hint("x moved by the plain gradient step: momentum steps along the buffer, x - lr * buf.")
    return hint("update buf = beta * buf + g first, then x = x - lr * buf (both elementwise).")


# ----------------------------------------------------------------------------------------------------

_LR_BETA = [(0.01, 0.9), (0.1, 0.5), (0.003, 0.99), (0.2, 0.0)]


def effective_step(fn):
    """``fn(lr, beta)`` returns the effective step of momentum on a constant gradient, lr / (1 - beta)."""
    got = []
    for lr, beta in _LR_BETA:
        value = call(fn, lr, beta)
        if isinstance(value, Feedback):
            return value
        value = as_array(value, "the effective step")
        if isinstance(value, Feedback):
            return value
        if value.shape != ():
            return hint("return one number for one (lr, beta) pair.")
        got.append(float(value))
    got = np.array(got)
    lr, beta = np.array(_LR_BETA).T
    if np.allclose(got, lr / (1 - beta)):
        return correct("lr / (1 - beta): 10 lr at beta = 0.9, 100 lr at beta = 0.99.")
    wrong = [
        (
            lr * (1 - beta),
            "lr * (1 - beta) is the step of the averaged (EMA) form; torch's buffer sums, not averages.",
        ),
        (lr * beta, "lr * beta is only the momentum part of one step; add up the whole geometric series."),
        (
            lr / np.where(beta > 0, beta, np.nan),
            "divide by (1 - beta), not by beta: the buffer tends to g (1 + beta + beta^2 + ...).",
        ),
        (
            lr / (1 - beta) ** 2,
            "one factor 1/(1 - beta) too many: the geometric series sums to 1/(1 - beta).",
        ),
        (
            lr * (1 + beta),
            "that counts only two terms of the series 1 + beta + beta^2 + ...; sum all of them.",
        ),
        (lr, "momentum changes the step: with a constant gradient the buffer grows to g / (1 - beta)."),
    ]
    for value, message in wrong:
        known = np.isfinite(value)
        if np.allclose(got[known], value[known]):
            return hint(message)
    return hint("with a constant gradient g the buffer tends to g (1 + beta + beta^2 + ...); sum the series.")


# ----------------------------------------------------------------------------------------------------


def polyak_parameters(fn):
    """``fn(mu, L) -> (lr, momentum)``: Polyak's heavy-ball parameters for curvatures in [mu, L],
    lr = 4 / (sqrt(L) + sqrt(mu))**2 and momentum = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))**2."""
    mu, L = 1.0, 100.0
    answer = _pair(call(fn, mu, L), "(lr, momentum)")
    if isinstance(answer, Feedback):
        return answer
    lr, momentum = (float(np.asarray(a).squeeze()) if np.size(a) == 1 else np.nan for a in answer)
    if not np.isfinite(lr) or not np.isfinite(momentum):
        return hint("return two numbers, (lr, momentum).")
    s_mu, s_L = np.sqrt(mu), np.sqrt(L)
    right_lr, right_m = 4 / (s_L + s_mu) ** 2, ((s_L - s_mu) / (s_L + s_mu)) ** 2
    lr_ok, m_ok = np.isclose(lr, right_lr), np.isclose(momentum, right_m)
    if lr_ok and m_ok:
        return correct(
            f"lr = {right_lr:.4g}, momentum = {right_m:.4g}: torch's SGD(lr, momentum) runs exactly this heavy ball."
        )
    if np.isclose(lr, right_m) and np.isclose(momentum, right_lr):
        return hint("the two values are swapped: return (lr, momentum).")
    messages = []
    if not m_ok:
        if np.isclose(momentum, (s_L - s_mu) / (s_L + s_mu)):
            messages.append(
                "momentum is not squared: (sqrt(k)-1)/(sqrt(k)+1) is sqrt(beta), the s of the two equations "
                "(and the Nesterov choice); the momentum is its square"
            )
        elif np.isclose(momentum, ((s_L + s_mu) / (s_L - s_mu)) ** 2):
            messages.append(
                "momentum is above 1: (1 + s)/(1 - s) = sqrt(kappa) was inverted; s = sqrt(beta) is below 1"
            )
        elif np.isclose(momentum, (L - mu) / (L + mu)):
            messages.append("momentum uses L and mu instead of their square roots")
        else:
            messages.append("momentum should be ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))**2")
    if not lr_ok:
        if np.isclose(lr, 2 / (mu + L)):
            messages.append("2/(mu + L) is the best step of plain gradient descent, not of the heavy ball")
        elif np.isclose(lr, 1 / L):
            messages.append(
                "1/L is the safe step of plain gradient descent; the heavy ball takes 4/(sqrt(L)+sqrt(mu))^2"
            )
        elif np.isclose(lr, 4 / (L + mu)):
            messages.append("lr uses L and mu instead of their square roots: 4/(sqrt(L) + sqrt(mu))^2")
        elif np.isclose(lr, 1 / (s_L + s_mu) ** 2):
            messages.append("the factor 4 is missing from lr = 4/(sqrt(L) + sqrt(mu))^2")
        else:
            messages.append("lr should be 4/(sqrt(L) + sqrt(mu))^2")
    if lr_ok:
        messages.insert(0, "lr is right")
    if m_ok:
        messages.insert(0, "momentum is right")
    return hint("; ".join(messages) + ".")
