"""Checks for chapter 08 (notebooks/08_weight_decay.ipynb): L2 regularization versus decoupled decay."""

from __future__ import annotations

import numpy as np

from ..optimizers import Adam, AdamState, AdamW
from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["l2_coefficient", "adamw_update", "decay_per_coordinate"]

_LR, _LAMBDA = 0.05, 0.001


def l2_coefficient(answer):
    """Check the L2 coefficient lambda' that makes SGD on the loss L + lambda'/2 ||x||^2 take the steps of
    x <- (1 - lambda) x - lr g, for lr = 0.05 and lambda = 0.001 (answer lambda / lr = 0.02)."""
    a = as_array(answer, "answer")
    if not isinstance(a, np.ndarray):
        return a
    if a.ndim != 0:
        return hint(f"give one number; got an array of shape {a.shape}.")
    a = float(a)
    right = _LAMBDA / _LR
    if np.isclose(a, right, rtol=1e-9):
        return correct("lambda' = lambda / lr = 0.02: the L2 coefficient must grow when lr shrinks to match.")
    wrong = {
        _LAMBDA: "the same number does not work: the L2 term's gradient lambda' x is multiplied by lr "
        "in the step, "
        "the decay lambda x is not. Solve lr * lambda' = lambda.",
        _LAMBDA * _LR: "you multiplied by lr; the step multiplies lambda' by lr, so divide lambda by lr.",
        _LR / _LAMBDA: "upside down: lambda' = lambda / lr.",
        _LAMBDA / (2 * _LR): "with the 1/2 in lambda'/2 ||x||^2 the gradient is lambda' x (no factor 2), "
        "so lambda' = lambda / lr.",
    }
    for value, message in wrong.items():
        if np.isclose(a, value, rtol=1e-9):
            return hint(message)
    return hint("write one step of each rule and match the coefficients of x: x - lr (g + lambda' x).")


_HYPER = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.5}
_CASES = (
    (np.array([-3.0, -2.0]), np.array([0.4, -3.0]), np.zeros(2), np.zeros(2), 1),
    (np.array([1.5, 4.0]), np.array([-1.2, 0.8]), np.array([0.1, -0.2]), np.array([0.02, 0.05]), 4),
)


def adamw_update(fn):
    """Check ``fn(x, g, m, v, t, lr, beta1, beta2, eps, weight_decay) -> (x_new, m_new, v_new)``: AdamW
    as torch implements it: x <- x (1 - lr * weight_decay), then the Adam step with the plain gradient g."""
    h = _HYPER
    betas, lr, eps, wd = (h["beta1"], h["beta2"]), h["lr"], h["eps"], h["weight_decay"]
    for x, g, m, v, t in _CASES:
        out = call(fn, x.copy(), g.copy(), m.copy(), v.copy(), t, **h)
        if isinstance(out, Feedback):
            return out
        if not isinstance(out, tuple) or len(out) != 3:
            return hint("return three things: `return x_new, m_new, v_new`.")
        arrays = [as_array(value, name) for name, value in zip(("x_new", "m_new", "v_new"), out, strict=True)]
        for value in arrays:
            if not isinstance(value, np.ndarray):
                return value
        x_new, m_new, v_new = arrays
        state = AdamState(m=m, v=v, t=t - 1)
        x_ref, s_ref = AdamW(lr=lr, betas=betas, eps=eps, weight_decay=wd).step(x, g, state)
        if np.allclose(x_new, x_ref, rtol=1e-9, atol=1e-12):
            if not (np.allclose(m_new, s_ref.m) and np.allclose(v_new, s_ref.v)):
                return hint("x_new is right but m_new or v_new is not: return the updated moving averages.")
            continue
        adam_x, adam_s = Adam(lr=lr, betas=betas, eps=eps).step(x, g, state)
        wrong = {
            "plain": adam_x,
            "l2": Adam(lr=lr, betas=betas, eps=eps, weight_decay=wd).step(x, g, state)[0],
            "seed": Adam(lr=lr, betas=betas, eps=eps).step(x * (1 - wd), g, state)[0],
            "after": adam_x * (1 - lr * wd),
            "sign": Adam(lr=lr, betas=betas, eps=eps).step(x * (1 + lr * wd), g, state)[0],
        }
        messages = {
            "plain": "this is plain Adam: shrink x by the factor (1 - lr * weight_decay) as well.",
            "l2": "you added weight_decay * x to the gradient: that is Adam with L2 (torch's Adam), "
            "whose decay "
            "is then divided by sqrt(v_hat). AdamW shrinks x directly, outside the adaptive scaling.",
            "seed": "torch's AdamW multiplies the decay by lr: x * (1 - lr * weight_decay), "
            "not x * (1 - weight_decay).",
            "after": "close: torch decays x BEFORE the Adam step (x <- x (1 - lr wd), then subtract the "
            "step); "
            "decaying after also shrinks the step itself.",
            "sign": "the decay pulls x towards 0: multiply by (1 - lr * weight_decay), not (1 + ...).",
        }
        for key, candidate in wrong.items():
            if np.allclose(x_new, candidate, rtol=1e-9, atol=1e-12):
                return hint(messages[key])
        return hint("x_new = x * (1 - lr * weight_decay) - lr * m_hat / (sqrt(v_hat) + eps), with m and v from g.")
    return correct("your step matches torch's AdamW: the decay is applied to x, never seen by m and v.")


_V_HAT = np.array([100.0, 0.01])
_DECAY_LR, _DECAY_LAMBDA = 0.01, 0.1


def decay_per_coordinate(rates, less_decayed):
    """Check the Adam + L2 effective decay per step lr * lambda / sqrt(v_hat), v_hat = (100, 0.01), lr = 0.01,
    lambda = 0.1 (answer (1e-4, 1e-2)), and which coordinate, "x" or "y", is decayed less (answer "x")."""
    a = as_array(rates, "rates")
    if not isinstance(a, np.ndarray):
        return a
    if a.shape != (2,):
        return hint(f"give one rate per coordinate, shape (2,); got {a.shape}.")
    right = _DECAY_LR * _DECAY_LAMBDA / np.sqrt(_V_HAT)
    if not np.allclose(a, right, rtol=1e-6):
        wrong = {
            "adamw": (
                np.full(2, _DECAY_LR * _DECAY_LAMBDA),
                "that is AdamW's rate lr * lambda, the same for both "
                "coordinates; with L2 the term lambda * x goes through Adam's division by sqrt(v_hat).",
            ),
            "no sqrt": (_DECAY_LR * _DECAY_LAMBDA / _V_HAT, "Adam divides by the square ROOT of v_hat."),
            "times": (
                _DECAY_LR * _DECAY_LAMBDA * np.sqrt(_V_HAT),
                "Adam divides by sqrt(v_hat), it does not multiply by it.",
            ),
            "no lr": (
                _DECAY_LAMBDA / np.sqrt(_V_HAT),
                "the whole Adam step is multiplied by lr, the L2 part too.",
            ),
        }
        for candidate, message in wrong.values():
            if np.allclose(a, candidate, rtol=1e-6):
                return hint(message)
        return hint("the L2 gradient lambda * x is scaled like any gradient: rate = lr * lambda / sqrt(v_hat).")
    choice = str(less_decayed).strip().lower()
    if choice in {"x", "0"}:
        return correct("x, the coordinate with the large gradients (v_hat = 100), is decayed 100 times less.")
    if choice in {"y", "1"}:
        return hint("compare your two rates: the smaller rate means less decay, and that is x's.")
    return hint('answer "x" or "y" for less_decayed.')
