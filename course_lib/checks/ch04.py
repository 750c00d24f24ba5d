"""Checks for chapter 04 (notebooks/04_linear_regression.ipynb): least-squares gradients and conditioning."""

from __future__ import annotations

import math

import numpy as np

from .. import regression
from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["weighted_half_sse_gradient", "shifted_feature_fit", "mse_stability_threshold"]


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
        broadcast = "broadcast" in value.message  # an elementwise product, not a matrix product
        if (
            "raised ValueError" in value.message
            and not broadcast
            and any(w in value.message for w in ("matmul", "shapes", "aligned"))
        ):
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


def _weighted_cases():
    """A few (X, y, w, beta) with n != d and unequal positive weights, so a forgotten weight cannot go unnoticed."""
    rng = np.random.default_rng(405)
    return [(X, y, rng.uniform(0.5, 3.0, size=len(y)), beta) for X, y, beta in _cases()]


def weighted_half_sse_gradient(fn):
    """Check ``fn(X, y, w, beta)`` = -X^T (w * (y - X beta)), the gradient of sum_i w_i (y_i - x_i beta)**2 / 2."""
    for X, y, w, beta in _weighted_cases():
        value, problem = _call(fn, X, y, w, beta)
        if problem is not None:
            if "broadcast" in problem.message:
                return hint(
                    "a shape mismatch: the weights belong to the EXAMPLES (length n), the gradient to the "
                    "coefficients (length d). Multiply each residual by its weight first: -X.T @ (w * r)."
                )
            return problem
        n, d = X.shape
        r = y - X @ beta
        right = -X.T @ (w * r)
        if value.shape != (d,):
            if value.size == d:
                return hint(f"return a flat vector of shape ({d},), got shape {value.shape}.")
            return hint(f"the gradient has one entry per coefficient: shape ({d},), got shape {value.shape}.")
        if np.allclose(value, right, rtol=1e-9, atol=1e-12):
            continue
        if np.allclose(value, np.zeros(d)):
            return hint("your function returns zeros: compute the residual r = y - X @ beta, weight it, then X.T.")
        wrong = [
            (
                -right,
                "the sign is flipped: the derivative of r_i = y_i - x_i . beta is -x_i, so the gradient is "
                "-X.T @ (w * r); yours points uphill.",
            ),
            (2 * right, "twice the answer: the 1/2 in front cancels the 2 that the square brings down."),
            (
                -X.T @ r,
                "the weights are missing: w_i multiplies the i-th squared residual, so it multiplies the "
                "i-th term of the sum over examples.",
            ),
            (
                -X.T @ (w**2 * r),
                "the weights are squared: w_i multiplies r_i**2 from outside, it is not inside the square.",
            ),
            (
                -X.T @ (np.sqrt(w) * r),
                "the weights enter linearly: w_i r_i**2 differentiates to 2 w_i r_i dr_i/dbeta, with no square root.",
            ),
            (right / n, "you divided by n: this loss is a weighted SUM, with no 1/n."),
            (2 * right / n, "that has the MSE factor 2/n; this loss is a weighted sum with a 1/2 in front."),
            (
                right / w.sum(),
                "you divided by the sum of the weights: that is the weighted MEAN; the loss here is the weighted sum.",
            ),
        ]
        for candidate, message in wrong:
            if np.allclose(value, candidate, rtol=1e-9, atol=1e-12):
                return hint(message)
        return hint(
            f"for X of shape {X.shape} your gradient differs from -X.T @ (w * (y - X @ beta)) "
            f"(largest difference {np.abs(value - right).max():.3g}). Keep the index i: each term "
            "w_i r_i**2 / 2 has derivative -w_i r_i x_i."
        )
    return correct(
        "-X.T @ (w * (y - X @ beta)): each example's residual is scaled by its weight, then summed with its row of "
        "X, right on three random problems. With every w_i = 1 it is the half-SSE gradient again."
    )


def shifted_feature_fit(coefficients):
    """The least-squares (w1, w2, b) of the course example after adding 10 to every value of feature 1: (1, 2, -7).

    With the intercept column the shift is absorbed by b: w1 (x1 + 10) + w2 x2 + (b - 10 w1) predicts the same.
    """
    if coefficients is None:
        return hint("replace None with your coefficients [w1, w2, b].")
    value = as_array(coefficients, "coefficients")
    if not isinstance(value, np.ndarray):
        return value
    if value.shape != (3,):
        return hint(f"give the three coefficients [w1, w2, b] (intercept last), got shape {value.shape}.")

    def near(*target):
        return bool(np.allclose(value, target, rtol=0, atol=1e-6))

    if near(1, 2, -7):
        return correct(
            "[1, 2, -7]: the slopes stay, and the intercept absorbs the shift, b = 3 - 10 * w1 = -7, so every "
            "prediction w1 (x1 + 10) + w2 x2 + b is the same as before. Without the column of ones the fit could "
            "not absorb it: the model through the origin changes (and fits worse)."
        )
    known = [
        ((1, 2, 3), "with b = 3 every prediction grows by 10 * w1 = 10: the intercept has to absorb the shift."),
        ((1, 2, 13), "the sign: b must CANCEL the extra 10 * w1 that the shifted x1 adds, so b = 3 - 10 * w1."),
        ((-7, 1, 2), "the order: add_bias puts the column of ones LAST, so the intercept is the last coefficient."),
        ((1, 2, -17), "the shift is in the FIRST feature, so it costs 10 * w1 = 10, not 10 * w2."),
        (
            (-9, 2, 3),
            "a shift of a feature does not change its slope (the predictions must still rise by w1 per "
            "unit of x1); only the intercept changes.",
        ),
        ((11, 2, 3), "a shift of a feature does not change its slope; only the intercept changes."),
    ]
    for target, message in known:
        if near(*target):
            return hint(message)
    return hint(
        "write the new model as w1 (x1 + 10) + w2 x2 + b and ask which (w1, w2, b) gives every example the same "
        "prediction as 1 * x1 + 2 * x2 + 3."
    )


def mse_stability_threshold(lr):
    """The threshold of GD on the MSE of the course example: 2 / lambda_max((2/n) X_aug^T X_aug) = n / lambda_max."""
    if lr is None:
        return hint("replace None with your learning rate.")
    value = as_array(lr, "learning rate")
    if not isinstance(value, np.ndarray):
        return value
    if value.ndim != 0:
        return hint(f"give one number, got an array of shape {value.shape}.")
    value = float(value)
    X, _ = regression.seed_data()
    n = X.shape[0]
    Xa = regression.add_bias(X)
    lam = np.linalg.eigvalsh(Xa.T @ Xa)
    lam_plain = np.linalg.eigvalsh(X.T @ X)
    right = n / lam[-1]  # 2 / lambda_max of the MSE Hessian (2/n) X_aug^T X_aug
    if math.isclose(value, right, rel_tol=2e-3):
        return correct(
            f"the MSE's Hessian is (2/n) X_aug^T X_aug, its largest eigenvalue (2/{n}) * {lam[-1]:.4g}, so the "
            f"threshold is {n} / {lam[-1]:.4g} = {right:.4g}: n/2 = {n / 2:g} times the half-SSE threshold, the "
            "same factor that links the two learning rates."
        )
    known = [
        (
            2 / lam[-1],
            "that is the threshold for half-SSE (Hessian X_aug^T X_aug); the MSE's Hessian is (2/n) X_aug^T X_aug, "
            "so its eigenvalues are 2/n times as large.",
        ),
        (
            1 / lam[-1],
            "that is the threshold for the full SSE (Hessian 2 X_aug^T X_aug); the MSE also divides by n.",
        ),
        (
            2 * n / lam[-1],
            "that takes the MSE's Hessian as X_aug^T X_aug / n; differentiating the square twice keeps a 2: "
            "(2/n) X_aug^T X_aug.",
        ),
        (n / lam[0], "that uses the SMALLEST eigenvalue; the steepest direction diverges long before."),
        (n / lam_plain[-1], "these eigenvalues are of X^T X WITHOUT the bias column; use X_aug = add_bias(X)."),
        (n / (lam[0] + lam[-1]), "that is the best fixed step 2/(mu + L) for the MSE, not the threshold."),
        (
            0.01 * n / 2,
            "0.02 is the MSE rate that takes the same steps as half-SSE's 0.01; the threshold is what scales by "
            "that factor n/2, not the example's rate.",
        ),
    ]
    for wrong, message in known:
        if math.isclose(value, wrong, rel_tol=2e-3):
            return hint(message)
    if 0.9 * right <= value < right:
        return hint(
            f"lr = {value:.4g} still converges; the question asks for the threshold itself, where the steepest "
            "factor 1 - lr * lambda_max of the MSE Hessian reaches -1."
        )
    return hint(
        "take the eigenvalues of the MSE's Hessian (2/n) X_aug.T @ X_aug (np.linalg.eigvalsh) and return "
        "2 / the largest."
    )
