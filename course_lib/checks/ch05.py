"""Checks for chapter 05 (notebooks/05_sgd.ipynb): minibatch gradients, their variance, decaying schedules."""

from __future__ import annotations

import numpy as np

from ._feedback import Feedback, as_array, call, correct, hint

__all__ = ["minibatch_gradient", "variance_ratio", "decaying_schedule"]


def _close(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------------------------------


def _minibatch_data():
    rng = np.random.default_rng(2024)
    X = rng.normal(size=(12, 2))
    y = X @ np.array([1.5, -0.5]) + 0.3 * rng.normal(size=12)
    beta = np.array([0.2, 0.7])
    rows = np.array([3, 7, 8, 11])
    return X, y, beta, rows


def minibatch_gradient(fn):
    """``fn(X, y, beta, rows)`` returns the MSE gradient on the rows, -(2/|B|) X_B^T (y_B - X_B beta)."""
    X, y, beta, rows = _minibatch_data()
    answer = call(fn, X.copy(), y.copy(), beta.copy(), rows.copy())
    if isinstance(answer, Feedback):
        return answer
    answer = as_array(answer, "the returned gradient")
    if isinstance(answer, Feedback):
        return answer
    if answer.shape != beta.shape:
        return hint(f"the gradient should have the shape of beta, {beta.shape}; yours has shape {answer.shape}.")
    XB, yB = X[rows], y[rows]
    rB = yB - XB @ beta
    B, n = len(rows), len(y)
    right = -(2.0 / B) * XB.T @ rB
    if _close(answer, right):
        return correct("-(2/|B|) X_B^T (y_B - X_B beta): the MSE gradient of this minibatch.")
    wrong = {
        "sign": (
            -right,
            "the sign is flipped: that points uphill (gradient ascent). The residual is y - X beta.",
        ),
        "all rows": (
            -(2.0 / n) * X.T @ (y - X @ beta),
            "that is the full-batch gradient: use only the rows of the minibatch, X[rows] and y[rows].",
        ),
        "divided by n": (
            -(2.0 / n) * XB.T @ rB,
            "you divided by n, the size of the whole data set: a minibatch average divides by |B| = len(rows).",
        ),
        "sum": (
            -2.0 * XB.T @ rB,
            "that is the sum over the batch: divide by |B| = len(rows) to get the mean.",
        ),
        "half": (
            -(1.0 / B) * XB.T @ rB,
            "the factor 2 is missing: that is the gradient of half the MSE, not of the MSE.",
        ),
    }
    for value, message in wrong.values():
        if _close(answer, value):
            return hint(message)
    if np.allclose(answer, 0):
        return hint("the function returns zeros: compute the residual y_B - X_B beta on the rows first.")
    return hint("compare with -(2/|B|) X_B^T (y_B - X_B beta), where X_B = X[rows] and y_B = y[rows].")


# ----------------------------------------------------------------------------------------------------


def variance_ratio(answer):
    """Var(batch of 16) / Var(batch of 1) of the minibatch gradient: 1/16 (sampling with replacement)."""
    if answer is None:
        return hint("set my_ratio to your prediction: one number, Var(|B| = 16) / Var(|B| = 1).")
    value = as_array(answer, "your ratio")
    if isinstance(value, Feedback):
        return value
    if value.shape != ():
        return hint("give one number: the variance with |B| = 16 divided by the variance with |B| = 1.")
    value = float(value)
    if abs(value - 1 / 16) <= 0.03 / 16:
        return correct("1/16: averaging 16 independent gradients divides the variance by 16.")
    if np.isclose(value, 16, rtol=0.03):
        return hint("that is the ratio the other way round: the larger batch has the SMALLER variance.")
    if np.isclose(value, 1 / 4, rtol=0.03):
        return hint("1/4 is the ratio of the standard deviations (1/sqrt(16)); the variance ratio is its square.")
    if np.isclose(value, 1 / 256, rtol=0.03):
        return hint("too small: the variance of a mean of |B| terms is sigma^2/|B|, not sigma^2/|B|^2.")
    if np.isclose(value, 1.0):
        return hint("averaging does reduce the noise: the variance of a mean of |B| independent terms is smaller.")
    return hint("the variance of a mean of |B| independent gradients is sigma^2 / |B|; take the ratio.")


# ----------------------------------------------------------------------------------------------------

#: The test problem of decaying_schedule: f(x) = h x^2 / 2 with gradient noise N(0, sigma^2), started at x0.
SCHEDULE_PROBLEM = {"h": 1.0, "sigma": 1.0, "x0": 5.0, "steps": 5000, "runs": 500, "seed": 5}


def _schedule_values(schedule, steps):
    if not callable(schedule):
        return hint(f"pass the function itself, schedule(t) -> lr; got {type(schedule).__name__}.")
    values = np.empty(steps)
    try:
        for t in range(steps):
            values[t] = float(schedule(t))
    except Exception as error:  # the learner's code
        return hint(f"schedule({t}) raised {type(error).__name__}: {error}")
    if not np.all(np.isfinite(values)):
        return hint("the schedule returns nan or inf for some t: check for a division by zero at t = 0.")
    if np.any(values < 0):
        return hint(f"the schedule returns a negative learning rate at t = {int(np.argmax(values < 0))}.")
    return values


def _run_schedule(lrs, problem):
    rng = np.random.default_rng(problem["seed"])
    x = np.full(problem["runs"], problem["x0"])
    for lr in lrs:
        g = problem["h"] * x + problem["sigma"] * rng.standard_normal(x.shape)
        x = x - lr * g
        if not np.all(np.abs(x) < 1e6):
            return None
    return x


def decaying_schedule(schedule):
    """``schedule(t) -> lr`` (t = 0, 1, ...) should bring noisy SGD on f = x^2/2 to the minimum.

    The check runs 500 seeded runs of 5000 steps of x <- x - lr_t (x + N(0, 1)) from x0 = 5 and asks for a
    mean squared distance to the minimum below 1e-3 (a constant learning rate of 0.1 stays near 0.05).
    """
    problem = SCHEDULE_PROBLEM
    lrs = _schedule_values(schedule, problem["steps"])
    if isinstance(lrs, Feedback):
        return lrs
    x = _run_schedule(lrs, problem)
    if x is None:
        return hint(
            f"the runs diverged: on this problem (h = 1) steps larger than 2/h = 2 blow up; your first "
            f"learning rate is {lrs[0]:.3g}. Start smaller, e.g. c/(t + t0) with c/t0 below 2."
        )
    if lrs[-1] >= 0.5 * lrs[0]:
        return hint(
            f"the learning rate does not decay (lr_0 = {lrs[0]:.3g}, lr_4999 = {lrs[-1]:.3g}): "
            "with a constant "
            "lr the iterates keep bouncing in a noise floor whose size is proportional to lr."
        )
    msd = float(np.mean(x * x))
    bias = float(abs(np.mean(x)))
    total = float(np.sum(lrs))
    if msd < 1e-3:
        return correct(
            f"after 5000 steps the mean squared distance to the minimum is {msd:.1e}: the steps shrink "
            f"(lr_4999 = {lrs[-1]:.2g}) while their sum keeps growing (here {total:.3g})."
        )
    if bias > 0.1:
        return hint(
            f"the iterates stop short of the minimum (mean x = {bias:.2f} after 5000 steps): "
            "the learning rates "
            f"add up to only {total:.3g}. Decay more slowly, or use a larger constant c in c/(t + t0)."
        )
    late = float(np.sum(lrs[1000:]))
    if lrs[-1] / 2 < msd / 10:
        return hint(
            f"the noise of the first steps is frozen in (mean squared distance {msd:.1e}): the learning rate "
            f"falls so fast that the last 4000 steps add up to only {late:.2g}, "
            "too little to average it away. "
            "Decay more slowly, like c/(t + t0)."
        )
    return hint(
        f"still bouncing: the mean squared distance is {msd:.1e} (want < 1e-3); the last learning rate "
        f"{lrs[-1]:.2g} is still large. Let lr_t keep shrinking towards 0, like c/(t + t0)."
    )
