"""Checks for chapter 07 (notebooks/07_adaptive_methods.ipynb): Adagrad, RMSprop, Adadelta and Adam."""

from __future__ import annotations

import numpy as np

from ..optimizers import Adam, AdamEpsInRoot, AdamState, SeedAdam
from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["adam_update", "bias_correction", "adagrad_effective_lr"]

# (x, g, m, v, t) cases for adam_update: t is the number of the step being taken (1 on the first step).
# The last coordinate has a tiny gradient, where eps inside or outside the root makes a difference.
_ADAM_CASES = (
    (np.array([1.0, -2.0, 0.5]), np.array([0.4, -3.0, 1e-6]), np.zeros(3), np.zeros(3), 1),
    (
        np.array([0.3, 1.5, -0.7]),
        np.array([-1.2, 0.8, 2e-6]),
        np.array([0.1, -0.2, 1e-7]),
        np.array([0.02, 0.05, 1e-12]),
        2,
    ),
    (
        np.array([2.0, -1.0, 0.1]),
        np.array([0.5, 0.25, -1e-6]),
        np.array([-0.3, 0.2, 3e-7]),
        np.array([0.1, 0.3, 4e-12]),
        7,
    ),
)
_HYPER = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def _outputs(fn, x, g, m, v, t):
    """Call the learner's update; return (x_new, m_new, v_new) as arrays, or a Feedback."""
    out = call(fn, x.copy(), g.copy(), m.copy(), v.copy(), t, **_HYPER)
    if isinstance(out, Feedback):
        return out
    if out is None:
        return hint("your function returns None: end it with `return x_new, m_new, v_new`.")
    if not isinstance(out, tuple) or len(out) != 3:
        return hint("return three things: `return x_new, m_new, v_new`.")
    arrays = []
    for name, value in zip(("x_new", "m_new", "v_new"), out, strict=True):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return hint(f"{name} should be an array of numbers; got {type(value).__name__}.")
        if value.shape != x.shape:
            return hint(f"{name} should have the shape of x, {x.shape}; got {value.shape}.")
        arrays.append(value)
    return tuple(arrays)


def _finite(value, name, t):
    """None when ``value`` is finite, else a Feedback (with a pointer to beta**(t - 1) on the first step)."""
    if np.all(np.isfinite(value)):
        return None
    if t == 1:
        return hint(
            f"{name} is not finite on the first step (t = 1): did you divide by 1 - beta**(t - 1) = 0? "
            "t is already 1 on the first step, so use beta**t."
        )
    return as_array(value, name)


def _library_step(opt, x, g, m, v, t):
    return opt.step(x, g, AdamState(m=m, v=v, t=t - 1))


def adam_update(fn):
    """Check ``fn(x, g, m, v, t, lr, beta1, beta2, eps) -> (x_new, m_new, v_new)``, one Adam step.

    The reference is :class:`course_lib.optimizers.Adam` (torch semantics: bias correction with beta**t, eps
    outside the square root). Named mistakes: no bias correction, the 1 - beta correction, eps in the root,
    a missing square root, stepping along the raw gradient, gradient ascent, and wrong moment updates.
    """
    betas = (_HYPER["beta1"], _HYPER["beta2"])
    lr, eps = _HYPER["lr"], _HYPER["eps"]
    for x, g, m, v, t in _ADAM_CASES:
        answer = _outputs(fn, x, g, m, v, t)
        if not isinstance(answer, tuple):
            return answer
        x_new, m_new, v_new = answer
        x_ref, state = _library_step(Adam(lr=lr, betas=betas, eps=eps), x, g, m, v, t)
        if np.allclose(x_new, x, rtol=0, atol=0):
            return hint("x did not move: compute the step lr * m_hat / (sqrt(v_hat) + eps) and subtract it.")
        for name, value in (("m_new", m_new), ("v_new", v_new)):
            if not np.all(np.isfinite(value)):
                return as_array(value, name)
        m_ok = np.allclose(m_new, state.m, rtol=1e-9, atol=1e-15)
        v_ok = np.allclose(v_new, state.v, rtol=1e-9, atol=1e-20)
        if not m_ok:
            if np.allclose(m_new, betas[0] * m + g, rtol=1e-9, atol=1e-15):
                return hint("m_new misses the factor (1 - beta1) on g: m = beta1*m + (1 - beta1)*g.")
            if np.allclose(m_new, (1 - betas[0]) * m + betas[0] * g, rtol=1e-9, atol=1e-15):
                return hint("beta1 and (1 - beta1) are swapped: the OLD average keeps the weight beta1.")
            return hint("m_new is not the moving average beta1*m + (1 - beta1)*g.")
        if not v_ok:
            if np.allclose(v_new, betas[1] * v + (1 - betas[1]) * np.abs(g), rtol=1e-9, atol=1e-20):
                return hint("v averages the SQUARED gradient: use g**2, not |g|.")
            if np.allclose(v_new, betas[1] * v + (1 - betas[1]) * g, rtol=1e-9, atol=1e-20):
                return hint("v averages the squared gradient g**2, not g itself.")
            return hint("v_new is not the moving average beta2*v + (1 - beta2)*g**2.")
        problem = _finite(x_new, "x_new", t)
        if problem is not None:
            return problem
        if np.allclose(x_new, x_ref, rtol=1e-9, atol=1e-12):
            continue
        c1, c2 = 1 - betas[0] ** t, 1 - betas[1] ** t
        m_hat, v_hat = state.m / c1, state.v / c2
        wrong = {
            "no bias correction": _library_step(
                Adam(lr=lr, betas=betas, eps=eps, bias_correction=False), x, g, m, v, t
            )[0],
            "seed": _library_step(SeedAdam(lr=lr, betas=betas, eps=eps), x, g, m, v, t)[0],
            "eps inside": _library_step(AdamEpsInRoot(lr=lr, betas=betas, eps=eps), x, g, m, v, t)[0],
            "ascent": x + (x_ref - x) * -1,
            "no sqrt": x - lr * m_hat / (v_hat + eps),
            "raw gradient": x - lr * g / (np.sqrt(v_hat) + eps),
        }
        messages = {
            "no bias correction": "you used m and v directly: divide them by (1 - beta1**t) and "
            "(1 - beta2**t)"
            " "
            "first (the bias correction).",
            "seed": "the bias correction uses the POWER t: m_hat = m / (1 - beta1**t), not m / (1 - beta1).",
            "eps inside": "eps belongs outside the square root, as in torch and the Adam paper: "
            "sqrt(v_hat) + eps, not sqrt(v_hat + eps) (look at the coordinate with a tiny gradient).",
            "ascent": "the step has the wrong sign: subtract it (x - lr * ...); adding it is gradient ascent.",
            "no sqrt": "divide by the square root of v_hat: sqrt(v_hat) has the units of g, v_hat does not.",
            "raw gradient": "the numerator is the corrected first moment m_hat, not the current gradient g.",
        }
        for key, candidate in wrong.items():
            if np.allclose(x_new, candidate, rtol=1e-9, atol=1e-12):
                return hint(messages[key])
        return hint(
            f"m_new and v_new are right but x_new is off at step t = {t}: x_new = x - lr * m_hat / (sqrt(v_hat) + eps)."
        )
    return correct("your update matches torch's Adam step, with bias correction and eps outside the root.")


_BETA1 = 0.9
_TS = np.array([1, 2, 5, 10, 100])


def bias_correction(one_minus, factor, t_v=None):
    """Check ``one_minus = 1 - beta1**t`` and ``factor = 1 / (1 - beta1**t)``.

    For beta1 = 0.9 and t = 1, 2, 5, 10, 100. ``t_v`` (optional): the first step t at which v's correction
    factor 1 / (1 - beta2**t), beta2 = 0.999, falls below 1.01; the answer is 4613.
    """
    a = as_array(one_minus, "one_minus")
    if not isinstance(a, np.ndarray):
        return a
    if a.shape != _TS.shape:
        return hint(f"one_minus should hold one value per t in {list(_TS)}, shape {_TS.shape}; got {a.shape}.")
    right = 1 - _BETA1**_TS
    if not np.allclose(a, right, rtol=1e-9):
        if np.allclose(a, _BETA1**_TS, rtol=1e-9):
            return hint("that is beta1**t; the expected value of m_t is (1 - beta1**t) E[g].")
        if np.allclose(a, 1 - _BETA1, rtol=1e-9):
            return hint("1 - beta1 is the same for every t: the correction needs the power, 1 - beta1**t.")
        if np.allclose(a, 1 - _BETA1 ** (_TS - 1), rtol=1e-9):
            return hint("off by one: t counts from 1 on the first step, so the first value is 1 - 0.9 = 0.1.")
        if np.allclose(a, 1 - _BETA1 * _TS, rtol=1e-9):
            return hint("beta1**t is a power, beta1 * t a product: use `**`.")
        return hint("one_minus should be 1 - beta1**t for each t (beta1 = 0.9).")
    f = as_array(factor, "factor")
    if not isinstance(f, np.ndarray):
        return f
    if f.shape != _TS.shape:
        return hint(f"factor should hold one value per t, shape {_TS.shape}; got {f.shape}.")
    if not np.allclose(f, 1 / right, rtol=1e-9):
        if np.allclose(f, right, rtol=1e-9):
            return hint("the correction DIVIDES by 1 - beta1**t, so the factor is its reciprocal.")
        if np.allclose(f, 1 / (1 - _BETA1), rtol=1e-9):
            return hint("1 / (1 - beta1) = 10 at every t is the wrong, power-free correction; use 1 / (1 - beta1**t).")
        return hint("factor should be 1 / (1 - beta1**t): it starts at 10 and falls towards 1.")
    if t_v is None:
        return correct("the correction multiplies m by 10 on the first step and fades to 1 as beta1**t vanishes.")
    return _steps_until_one_percent(t_v)


_BETA2 = 0.999


def _first_t_below(beta, bound=1.01):
    """The first whole t >= 1 with 1 / (1 - beta**t) < bound."""
    return int(np.floor(np.log(1 - 1 / bound) / np.log(beta))) + 1


def _steps_until_one_percent(t_v):
    if isinstance(t_v, bool) or not isinstance(t_v, (int, np.integer, float, np.floating)) or not np.isfinite(t_v):
        return hint(f"t_v should be one whole number of steps, got {t_v!r}.")
    right = _first_t_below(_BETA2)
    if t_v == right:
        return correct(
            f"v needs {right} steps before its correction is under 1 %, m only {_first_t_below(_BETA1)}: "
            "for thousands of steps Adam's v-correction is far from 1."
        )
    if t_v == _first_t_below(_BETA1):
        return hint("that is the answer for m (beta1 = 0.9); t_v asks about v, whose beta2 is 0.999.")
    if t_v == right - 1:
        return hint("off by one: at that t the factor is still just above 1.01; take the first t where it is below.")
    if 0 < t_v and abs(t_v - np.log(1 / 101) / np.log(_BETA2)) < 1:
        return hint("round up: t must be a whole number of steps, the first one past the solution of the equation.")
    if t_v == int(round(np.log(0.01) / np.log(_BETA2))) or t_v == int(np.ceil(np.log(0.01) / np.log(_BETA2))):
        return hint("1/(1 - b**t) < 1.01 means b**t < 1 - 1/1.01 = 1/101, not b**t < 0.01.")
    return hint("solve 1 / (1 - 0.999**t) < 1.01 for t: 0.999**t < 1/101, so t > ln(1/101) / ln(0.999).")


_LR = 0.1
_GRADS = np.array([[3.0, 0.0], [4.0, 0.0], [0.0, 1.0], [12.0, 0.0]])


def adagrad_effective_lr(answer):
    """Check Adagrad's per-coordinate effective learning rate lr / sqrt(sum of g**2) after the gradients
    (3, 0), (4, 0), (0, 1), (12, 0) with lr = 0.1: the answer is [0.1/13, 0.1/1]."""
    a = as_array(answer, "answer")
    if not isinstance(a, np.ndarray):
        return a
    if a.shape != (2,):
        return hint(f"give one effective learning rate per coordinate, shape (2,); got {a.shape}.")
    right = _LR / np.sqrt((_GRADS**2).sum(axis=0))
    if np.allclose(a, right, rtol=1e-6):
        return correct(
            "the busy first coordinate gets 0.1/13, the rarely used second one keeps 0.1: Adagrad gives "
            "rare features larger steps."
        )
    wrong = {
        "no square": _LR / np.sqrt(np.abs(_GRADS).sum(axis=0)),
        "no sqrt": _LR / (_GRADS**2).sum(axis=0),
        "mean": _LR / np.sqrt((_GRADS**2).mean(axis=0)),
        "seed": _LR / np.sqrt(_LR * (_GRADS**2).sum(axis=0)),
        "l1": _LR / np.abs(_GRADS).sum(axis=0),
        "last": _LR / np.sqrt(_GRADS[-1] ** 2 + (_GRADS[-1] == 0)),
        "swapped": right[::-1],
    }
    messages = {
        "no square": "square each gradient before summing: s = 9 + 16 + 0 + 144 for the first coordinate.",
        "no sqrt": "Adagrad divides by the SQUARE ROOT of the sum of squares: 0.1 / sqrt(169).",
        "mean": "Adagrad sums the squares (it never forgets); an average of squares is RMSprop's idea.",
        "seed": "the learning rate does not belong inside the accumulator: s is the sum of g**2 alone.",
        "l1": "that divides by the sum of |g|; Adagrad uses the root of the sum of squares.",
        "last": "Adagrad accumulates ALL past squared gradients, not only the last one.",
        "swapped": "the coordinates are swapped: the first coordinate saw the large gradients 3, 4 and 12.",
    }
    for key, candidate in wrong.items():
        if np.allclose(a, candidate, rtol=1e-6):
            return hint(messages[key])
    return hint("for each coordinate compute lr / sqrt(sum of its squared gradients).")
