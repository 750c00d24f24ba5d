"""Checks for chapter 04 (notebooks/04_linear_regression.ipynb): least-squares gradients and conditioning."""

from __future__ import annotations

import math

import numpy as np

from .. import regression
from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["half_sse_gradient", "bias_column", "regression_stable_lr"]


def _cases():
    """A few (X, y, beta) with n != d, so a missing transpose cannot go unnoticed."""
    rng = np.random.default_rng(404)
    cases = []
    for n, d in ((5, 3), (7, 2), (4, 3)):
        cases.append((rng.standard_normal((n, d)), rng.standard_normal(n), rng.standard_normal(d)))
    return cases


def _call(fn, *args):
    value = call(fn, *(np.array(a) for a in args))
    if isinstance(value, Feedback):
        if "raised ValueError" in value.message and any(w in value.message for w in ("matmul", "shapes", "aligned")):
            return None, hint(
                "a shape mismatch in a matrix product: X has shape (n, d) and the residual has n entries, so "
                "the gradient needs X.T @ r (shape d), not X @ r."
            )
        return None, value
    if value is None:
        return None, hint("your function returns None: add a `return` line.")
    value = as_array(value, "the returned value")
    if not isinstance(value, np.ndarray):
        return None, value
    return value, None


def half_sse_gradient(fn):
    """Check ``fn(X, y, beta)`` = -X^T (y - X beta), the gradient of half the sum of squared errors."""
    for X, y, beta in _cases():
        value, problem = _call(fn, X, y, beta)
        if problem is not None:
            return problem
        n, d = X.shape
        right = regression.half_sse_grad(X, y, beta)
        if value.shape != (d,):
            if value.size == d:
                return hint(f"return a flat vector of shape ({d},), got shape {value.shape}.")
            return hint(f"the gradient has one entry per coefficient: shape ({d},), got shape {value.shape}.")
        if np.allclose(value, right, rtol=1e-9, atol=1e-12):
            continue
        if np.allclose(value, np.zeros(d)):
            return hint("your function returns zeros: compute the residual r = y - X @ beta, then -X.T @ r.")
        wrong = [
            (
                -right,
                "the sign is flipped: with r = y - X @ beta the gradient is -X.T @ r. Your vector points "
                "downhill, so a step against it goes uphill: that would be gradient ascent.",
            ),
            (
                2 * right,
                "twice the answer: that is the gradient of the full SSE; the 1/2 of half-SSE cancels the 2.",
            ),
            (
                2 * right / n,
                "that is the MSE gradient -(2/n) X.T @ r; the exercise asks for half-SSE, with no 2/n.",
            ),
            (right / n, "you divided by n: that is the gradient of SSE/(2n); half-SSE has no 1/n."),
            (
                -2 * right / n,
                "the MSE factor 2/n AND a flipped sign: half-SSE is just -X.T @ (y - X @ beta).",
            ),
        ]
        for candidate, message in wrong:
            if np.allclose(value, candidate, rtol=1e-9, atol=1e-12):
                return hint(message)
        return hint(
            f"for X of shape {X.shape} your gradient differs from -X.T @ (y - X @ beta) "
            f"(largest difference {np.abs(value - right).max():.3g})."
        )
    return correct("-X.T @ (y - X @ beta), the half-SSE gradient, right on three random problems.")


def bias_column(fn):
    """Check ``fn(X)`` = X with a column of ones appended LAST (beta = [w..., intercept])."""
    X = np.random.default_rng(7).standard_normal((5, 2))
    value, problem = _call(fn, X)
    if problem is not None:
        return problem
    if value.shape == (5, 2) and np.allclose(value, X):
        return hint("X came back unchanged: append a column of ones, e.g. np.hstack([X, np.ones((n, 1))]).")
    if value.shape == (6, 2):
        return hint("you added a ROW; the ones go in a new COLUMN (one per example), shape (n, d + 1).")
    if value.shape != (5, 3):
        return hint(f"for X of shape (5, 2) expect shape (5, 3), got {value.shape}.")
    if np.allclose(value[:, 0], 1.0) and np.allclose(value[:, 1:], X):
        return hint("the ones are FIRST; this course puts them LAST, so beta = [w1, w2, intercept] as in the example.")
    if np.allclose(value[:, :2], X) and np.allclose(value[:, 2], 0.0):
        return hint("the new column is zeros: a zero column multiplies the intercept by 0, use ones.")
    if np.allclose(value, regression.add_bias(X)):
        return correct("ones appended last: X_aug @ [w1, w2, b] = X @ w + b.")
    return hint("keep X's columns as they are and append one column of ones at the end.")


def regression_stable_lr(lr):
    """The largest stable lr of GD on half-SSE for the course example: 2 / lambda_max(X_aug^T X_aug)."""
    if lr is None:
        return hint("replace None with your learning rate.")
    value = as_array(lr, "learning rate")
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim != 0:
        return hint(f"give one number, got an array of shape {value.shape}.")
    value = float(value)
    X, _ = regression.seed_data()
    Xa = regression.add_bias(X)
    lam = np.linalg.eigvalsh(Xa.T @ Xa)
    lam_plain = np.linalg.eigvalsh(X.T @ X)
    right = 2 / lam[-1]
    if math.isclose(value, right, rel_tol=2e-3):
        return correct(
            f"2 / lambda_max = 2 / {lam[-1]:.4g} = {right:.4g}: the step 0.01 of the example is well inside."
        )
    known = [
        (2 / lam[0], "2 / lambda_min uses the flattest direction; the steepest one diverges long before."),
        (
            1 / lam[-1],
            "1 / lambda_max is half the limit (it is also the limit for full SSE, whose Hessian is 2 X^T X); "
            "for half-SSE the Hessian is X^T X and the limit is 2 / lambda_max.",
        ),
        (
            2 / (2 / 4 * lam[-1]),
            "that is the limit for MSE, whose Hessian is (2/n) X^T X; the example descends half-SSE, Hessian X^T X.",
        ),
        (
            2 / lam_plain[-1],
            "these eigenvalues are of X^T X WITHOUT the bias column; use X_aug = add_bias(X).",
        ),
        (2 / (lam[0] + lam[-1]), "2/(mu + L) is the best fixed step, not the largest stable one."),
    ]
    for wrong, message in known:
        if math.isclose(value, wrong, rel_tol=2e-3):
            return hint(message)
    return hint("take the eigenvalues of X_aug.T @ X_aug (np.linalg.eigvalsh) and return 2 / the largest.")
