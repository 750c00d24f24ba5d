"""Checks for chapter 08 (notebooks/08_weight_decay.ipynb): L2 regularization versus decoupled decay."""

from __future__ import annotations

import numpy as np

from ..optimizers import Adam, AdamState, AdamW
from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["l2_coefficient", "adamw_update", "settling_point"]

_LR, _BETA, _LAMBDA = 0.05, 0.9, 0.001


def l2_coefficient(answer):
    """Check the coefficient lambda' of torch's coupled SGD(lr=0.05, momentum=0.9, weight_decay=lambda') whose
    run ends where decoupled decay with momentum (b <- beta b + g, x <- (1 - lambda) x - lr b, lambda = 0.001)
    ends: at rest g = -lambda' x against g = -lambda (1 - beta) x / lr, so lambda' = lambda (1 - beta) / lr = 0.002."""
    a = as_array(answer, "answer")
    if not isinstance(a, np.ndarray):
        return a
    if a.ndim != 0:
        return hint(f"give one number; got an array of shape {a.shape}.")
    a = float(a)
    lr, beta, lam = _LR, _BETA, _LAMBDA
    if np.isclose(a, lam * (1 - beta) / lr, rtol=1e-9):
        return correct(
            "lambda' = lambda (1 - beta) / lr = 0.002: the buffer multiplies the gradient's pull, lambda' x "
            "included, by 1 / (1 - beta) at rest; the decoupled decay acts once per step."
        )
    wrong = {
        lam / lr: "that is the match without momentum. At rest the coupled buffer holds (g + lambda' x) / (1 - beta), "
        "the decoupled one g / (1 - beta) while the decay stays lambda x: solve lambda' = lambda (1 - beta) / lr.",
        lam / (lr * (1 - beta)): "(1 - beta) upside down: the buffer enlarges the L2 term's pull by 1 / (1 - beta), "
        "so lambda' must be smaller than lambda / lr, not larger.",
        lam * beta / lr: "beta where 1 - beta belongs: at rest b = beta b + g, so b = g / (1 - beta).",
        lam: "the same number does not work: the L2 term lambda' x is multiplied by lr (and by the buffer), "
        "the decay lambda x is not.",
        lam * (1 - beta): "divide by lr as well: the coupled step is lr times the buffer.",
        lam * (1 - beta) * lr: "you multiplied by lr; the step multiplies lambda' by lr, so divide by it.",
    }
    for value, message in wrong.items():
        if np.isclose(a, value, rtol=1e-9):
            return hint(message)
    return hint(
        "at a fixed point neither b nor x changes: write b = beta b + g + lambda' x, x = x - lr b for the coupled "
        "rule and b = beta b + g, x = (1 - lambda) x - lr b for the decoupled one; compare g."
    )


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
            "both": Adam(lr=lr, betas=betas, eps=eps).step(x * (1 - lr * wd), g + wd * x, state)[0],
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
            "both": "the decay is there, but so is the L2 term: m and v still see weight_decay * x. "
            "Remove the line that adds it to g.",
            "sign": "the decay pulls x towards 0: multiply by (1 - lr * weight_decay), not (1 + ...).",
        }
        for key, candidate in wrong.items():
            if np.allclose(x_new, candidate, rtol=1e-9, atol=1e-12):
                return hint(messages[key])
        return hint("x_new = x * (1 - lr * weight_decay) - lr * m_hat / (sqrt(v_hat) + eps), with m and v from g.")
    return correct("your step matches torch's AdamW: the decay is applied to x, never seen by m and v.")


_SETTLE_LAMBDA, _SETTLE_SIGMA = 0.2, np.array([5.0, 0.5])


def settling_point(settle, more_decayed):
    """Check the predicted settling point of AdamW (lambda = 0.2) on f = 1/2 ||x - 1||^2 with gradient noise
    sigma = (5, 0.5): to leading order x_i = 1 / (1 + lambda sigma_i) = (0.5, 0.909) (the root that keeps
    (grad f)^2 in v_hat, (0.499, 0.908), is accepted too), and which coordinate is decayed more (answer "x")."""
    a = as_array(settle, "settle")
    if not isinstance(a, np.ndarray):
        return a
    if a.shape != (2,):
        return hint(f"give one settling point per coordinate, shape (2,); got {a.shape}.")
    lam, sigma = _SETTLE_LAMBDA, _SETTLE_SIGMA
    right = 1 / (1 + lam * sigma)
    if not np.allclose(a, right, rtol=0.01):
        wrong = {
            "l2": (
                np.full(2, 1 / (1 + lam)),
                "that is where Adam + L2 settles (grad f + lambda x = 0, no noise in it). AdamW's decay is not "
                "divided by sqrt(v_hat): it settles where grad f_i + lambda sqrt(v_hat_i) x_i = 0.",
            ),
            "divided": (
                1 / (1 + lam / sigma),
                "you divided by sigma: AdamW's decay lambda x is added to m_hat / sqrt(v_hat), so at rest "
                "grad f_i = -lambda sqrt(v_hat_i) x_i, sqrt(v_hat_i) ~ sigma_i multiplies.",
            ),
            "variance": (
                1 / (1 + lam * sigma**2),
                "sqrt(v_hat) is about sigma, not sigma**2: v_hat averages g**2, so its root is the noise's size.",
            ),
            "no lambda": (1 / (1 + sigma), "lambda is missing: x_i = 1 / (1 + lambda sigma_i)."),
            "linear": (
                1 - lam * sigma,
                "1 - lambda sigma is only the first term of 1 / (1 + lambda sigma); solve x - 1 + lambda sigma x = 0 "
                "exactly.",
            ),
            "shrink": (
                lam * sigma / (1 + lam * sigma),
                "that is how far each coordinate moves from 1; the settling point is 1 / (1 + lambda sigma_i).",
            ),
        }
        for candidate, message in wrong.values():
            if np.allclose(a, candidate, rtol=0.01):
                return hint(message)
        return hint(
            "set grad f_i + lambda sigma_i x_i = 0 with grad f_i = x_i - 1 and solve for x_i, one coordinate at a time."
        )
    choice = str(more_decayed).strip().lower()
    if choice in {"x", "0"}:
        return correct(
            "(0.5, 0.91): the noisy x is pulled halfway to 0, the quiet y barely, although both get the same lambda."
        )
    if choice in {"y", "1"}:
        return hint("the smaller settling point is the more decayed one: compare 1 / (1 + lambda sigma_i).")
    return hint('answer "x" or "y" for more_decayed.')
