"""Checks of chapter 04: the solution files pass, and each common mistake gets its specific hint."""

from pathlib import Path

import numpy as np
import pytest

import course_lib as cl
from course_lib import checks as check
from course_lib import regression

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def run_solution(name):
    X, _ = regression.seed_data()
    namespace = {"np": np, "cl": cl, "X_aug": regression.add_bias(X)}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_all_lists_the_checks():
    from course_lib.checks import ch04

    assert set(ch04.__all__) == {"half_sse_gradient", "bias_column", "regression_stable_lr"}


# --- half_sse_gradient -------------------------------------------------------------------------------------


def test_gradient_solution_passes():
    feedback = check.half_sse_gradient(run_solution("04_half_sse_gradient.py")["my_half_sse_grad"])
    assert feedback.ok


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda X, y, b: X.T @ (y - X @ b), "gradient ascent"),  # missing minus sign
        (lambda X, y, b: -X @ (y - X @ b), "X.T @ r"),  # missing transpose: shape error
        (lambda X, y, b: -(2 / len(y)) * X.T @ (y - X @ b), "MSE gradient"),
        (lambda X, y, b: -2 * X.T @ (y - X @ b), "full SSE"),
        (lambda X, y, b: -X.T @ (y - X @ b) / len(y), "divided by n"),
        (lambda X, y, b: (2 / len(y)) * X.T @ (y - X @ b), "flipped sign"),
        (lambda X, y, b: np.zeros_like(b), "zeros"),
        (lambda X, y, b: (-X.T @ (y - X @ b))[:, None], "flat vector"),
        (lambda X, y, b: -X.T @ (y - X @ b) + 1.0, "largest difference"),
        (lambda X, y, b: None, "return"),
        (lambda X, y, b: 1 / 0, "ZeroDivisionError"),
        ("not a function", "function itself"),
    ],
)
def test_gradient_mistakes(fn, words):
    feedback = check.half_sse_gradient(fn)
    assert not feedback.ok
    assert words in feedback.message


# --- bias_column -------------------------------------------------------------------------------------------


def test_bias_solution_passes():
    assert check.bias_column(run_solution("04_bias_column.py")["my_add_bias"]).ok
    assert check.bias_column(regression.add_bias).ok


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda X: X, "unchanged"),
        (lambda X: np.hstack([np.ones((len(X), 1)), X]), "FIRST"),
        (lambda X: np.vstack([X, np.ones((1, X.shape[1]))]), "ROW"),
        (lambda X: np.hstack([X, np.zeros((len(X), 1))]), "zeros"),
        (lambda X: np.hstack([X, np.ones((len(X), 2))]), "shape (5, 3)"),
        (lambda X: np.hstack([2 * X, np.ones((len(X), 1))]), "keep X's columns"),
    ],
)
def test_bias_mistakes(fn, words):
    feedback = check.bias_column(fn)
    assert not feedback.ok
    assert words in feedback.message


# --- regression_stable_lr ----------------------------------------------------------------------------------


def test_stable_lr_solution_passes():
    stable_lr = run_solution("04_regression_stable_lr.py")["stable_lr"]
    assert abs(stable_lr - 0.06396) < 1e-4
    assert check.regression_stable_lr(stable_lr).ok
    assert check.regression_stable_lr(0.064).ok  # rounded to three digits is accepted


def _eig(with_bias=True):
    X, _ = regression.seed_data()
    A = regression.add_bias(X) if with_bias else X
    return np.linalg.eigvalsh(A.T @ A)


@pytest.mark.parametrize(
    "answer, words",
    [
        (2 / _eig()[0], "lambda_min"),
        (1 / _eig()[-1], "half the limit"),
        (2 / (0.5 * _eig()[-1]), "MSE"),
        (2 / _eig(with_bias=False)[-1], "WITHOUT the bias"),
        (2 / (_eig()[0] + _eig()[-1]), "best fixed step"),
        (0.01, "eigenvalues"),
        (None, "replace None"),
        ([0.1, 0.2], "one number"),
    ],
)
def test_stable_lr_mistakes(answer, words):
    feedback = check.regression_stable_lr(answer)
    assert not feedback.ok
    assert words in feedback.message
