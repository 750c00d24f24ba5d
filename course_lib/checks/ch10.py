"""Checks for chapter 10: training a model on real data."""

import numpy as np

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["logistic_gradient", "pick_lr"]


def _sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _case():
    rng = np.random.default_rng(10)
    X = rng.standard_normal((6, 3))
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    w = np.array([0.5, -1.0, 0.25])
    return w, 0.3, X, y


def logistic_gradient(gradient):
    """``gradient(w, b, X, y)`` must return ``(g_w, g_b)``, the gradient of the mean log loss
    (1/n) sum log(1 + e^z) - y z with z = X w + b: g_w = X^T (p - y) / n and g_b = mean(p - y), p = sigmoid(z)."""
    if not callable(gradient):
        return hint("pass the function itself, e.g. check.logistic_gradient(gradient), without calling it.")
    w, b, X, y = _case()
    answer = call(gradient, w.copy(), b, X.copy(), y.copy())
    if isinstance(answer, Feedback):
        return answer
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return hint("return two things, the gradient for w and the one for b: `return g_w, g_b`.")
    g_w, g_b = (as_array(a, name) for a, name in zip(answer, ("g_w", "g_b")))
    for part in (g_w, g_b):
        if isinstance(part, Feedback):
            return part
    if g_w.shape != (3,):
        return hint(f"g_w should have one entry per feature, shape (3,); got shape {g_w.shape}. Use X.T @ (...).")
    if g_b.size != 1:
        return hint("g_b is one number (the bias is one parameter): the mean of p - y over the rows.")
    n = len(y)
    z = X @ w + b
    p = _sigmoid(z)
    right_w, right_b = X.T @ (p - y) / n, np.mean(p - y)
    if not np.any(g_w) and not np.any(g_b):
        return hint("you returned zeros: compute p = sigmoid(X @ w + b), then the error p - y.")
    if np.allclose(g_w, right_w) and np.isclose(g_b, right_b):
        return correct("g_w = Xᵀ(p − y)/n and g_b = mean(p − y): the prediction error, weighted by the inputs.")
    if np.allclose(g_w, -right_w) and np.isclose(g_b, -right_b):
        return hint("the sign is flipped: the derivative of log(1 + e^z) − y z in z is p − y, not y − p.")
    if np.allclose(g_w, n * right_w):
        return hint("that is the gradient of the SUM of the losses; the loss is a mean, so divide by n.")
    if np.allclose(g_w, X.T @ (z - y) / n):
        return hint("you used the logit z where the probability p = sigmoid(z) belongs: the error is p − y.")
    if np.allclose(g_w, X.T @ ((p - y) * p * (1 - p)) / n):
        return hint("the factor p(1 − p) belongs to the squared error; for the log loss it cancels, leaving p − y.")
    if np.allclose(g_w, right_w):
        return hint("g_w is right; the bias sees an input of 1 on every row, so g_b = mean(p − y).")
    return hint(f"for this test case g_w should be {np.round(right_w, 4).tolist()}, you returned "
                f"{np.round(g_w, 4).tolist()}.")  # fmt: skip


def _pick_cases():
    """(losses of shape (n_lrs, n_seeds), lrs, the right lr, what each mistake picks)."""
    lrs = np.array([1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0])
    # 1e-2: one lucky seed but poor otherwise; 1.0: best but for one poor seed; 10: bad. The seeds are in no
    # particular order, so the wrong-axis median, the mean, the best seed and the placeholder all pick differently.
    losses = np.array(
        [
            [0.61, 0.62, 0.63, 0.60],
            [0.21, 0.22, 0.23, 0.20],
            [0.40, 0.45, 0.50, 0.05],
            [0.31, 0.32, 0.33, 0.30],
            [0.16, 0.17, 0.90, 0.15],
            [3.00, 4.00, 5.00, 2.00],
        ]
    )
    return losses, lrs


def pick_lr(pick):
    """``pick(losses, lrs)`` must return the lr (a value of ``lrs``) whose MEDIAN loss over the seeds (axis 1 of
    ``losses``, shape (n_lrs, n_seeds)) is the smallest."""
    if not callable(pick):
        return hint("pass the function itself, e.g. check.pick_lr(pick), without calling it.")
    losses, lrs = _pick_cases()
    answer = call(pick, losses.copy(), lrs.copy())
    if isinstance(answer, Feedback):
        return answer
    answer = as_array(answer, "the lr")
    if isinstance(answer, Feedback):
        return answer
    if answer.size != 1:
        return hint("return one learning rate, a single number from lrs.")
    value = float(answer.ravel()[0])
    median_pick = lrs[np.argmin(np.median(losses, axis=1))]  # 1.0
    if np.isclose(value, median_pick):
        # a second case, the rows moved by one: a hard-coded answer fails it
        rolled = np.roll(losses, 1, axis=0)
        again = call(pick, rolled, lrs.copy())
        expected = lrs[np.argmin(np.median(rolled, axis=1))]
        if not isinstance(again, Feedback) and np.size(again) == 1 and np.isclose(np.ravel(again)[0], expected):
            return correct("the median over seeds: one poor or one lucky seed cannot move it.")
        return hint("your answer does not follow the data: with the rows in another order it should change.")
    if np.isclose(value, lrs[0]):
        return hint("that is the first lr of the grid whatever the losses: take each row's median over the seeds.")
    if np.isclose(value, np.argmin(np.median(losses, axis=1))):
        return hint("you returned the index of the best row; return the learning rate itself, lrs[index].")
    if np.isclose(value, lrs[np.argmin(losses.mean(axis=1))]):
        return hint("that is the lowest MEAN: one poor seed (loss 0.9) drags a row up; the race uses the median.")
    if np.isclose(value, lrs[np.argmin(losses.min(axis=1))]):
        return hint("that is the luckiest single seed; a fair choice uses the median over all seeds.")
    if np.isclose(value, lrs[np.argmin(np.median(losses, axis=0))]):
        return hint("that median ran along axis 0, over the learning rates; the seeds are axis 1 (one row per lr).")
    if np.isclose(value, lrs[np.argmax(np.median(losses, axis=1))]):
        return hint("that lr has the largest loss: use argmin, not argmax.")
    return hint(f"the medians over the seeds are {np.median(losses, axis=1).tolist()}; pick the lr of the "
                "smallest (take the median along axis 1).")  # fmt: skip
