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

    assert set(ch04.__all__) == {"weighted_half_sse_gradient", "shifted_feature_fit", "mse_stability_threshold"}


# --- weighted_half_sse_gradient ----------------------------------------------------------------------------


def test_weighted_gradient_solution_passes():
    feedback = check.weighted_half_sse_gradient(run_solution("04_weighted_gradient.py")["my_weighted_grad"])
    assert feedback.ok


def _r(X, y, b):
    return y - X @ b


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda X, y, w, b: X.T @ (w * _r(X, y, b)), "sign is flipped"),
        (lambda X, y, w, b: -X @ (w * _r(X, y, b)), "X.T @ r"),  # missing transpose: shape error
        (lambda X, y, w, b: -(X.T @ _r(X, y, b)) * w, "EXAMPLES"),  # weights applied after the sum
        (lambda X, y, w, b: -X.T @ _r(X, y, b), "weights are missing"),
        (lambda X, y, w, b: -X.T @ (w**2 * _r(X, y, b)), "squared"),
        (lambda X, y, w, b: -X.T @ (np.sqrt(w) * _r(X, y, b)), "linearly"),
        (lambda X, y, w, b: -2 * X.T @ (w * _r(X, y, b)), "1/2 in front cancels"),
        (lambda X, y, w, b: -X.T @ (w * _r(X, y, b)) / len(y), "divided by n"),
        (lambda X, y, w, b: -(2 / len(y)) * X.T @ (w * _r(X, y, b)), "MSE factor"),
        (lambda X, y, w, b: -X.T @ (w * _r(X, y, b)) / w.sum(), "weighted MEAN"),
        (lambda X, y, w, b: np.zeros_like(b), "zeros"),
        (lambda X, y, w, b: (-X.T @ (w * _r(X, y, b)))[:, None], "flat vector"),
        (lambda X, y, w, b: -X.T @ (w * _r(X, y, b)) + 1.0, "largest difference"),
        (lambda X, y, w, b: None, "return"),
        (lambda X, y, w, b: 1 / 0, "ZeroDivisionError"),
        ("not a function", "function itself"),
    ],
)
def test_weighted_gradient_mistakes(fn, words):
    feedback = check.weighted_half_sse_gradient(fn)
    assert not feedback.ok
    assert words in feedback.message


# --- shifted_feature_fit -----------------------------------------------------------------------------------


def test_shifted_feature_solution_passes_and_matches_a_fit():
    X, y = regression.seed_data()
    answer = run_solution("04_shifted_feature.py")["shifted_fit"]
    assert check.shifted_feature_fit(answer).ok
    fitted = np.linalg.lstsq(regression.add_bias(X + [10.0, 0.0]), y, rcond=None)[0]
    assert check.shifted_feature_fit(fitted).ok  # what a fit of the shifted data returns
    np.testing.assert_allclose(fitted, answer, atol=1e-9)


@pytest.mark.parametrize(
    "answer, words",
    [
        ([1, 2, 3], "absorb"),
        ([1, 2, 13], "CANCEL"),
        ([-7, 1, 2], "LAST"),
        ([1, 2, -17], "FIRST feature"),
        ([-9, 2, 3], "slope"),
        ([11, 2, 3], "slope"),
        ([2, 2, -7], "same prediction"),
        ([1, 2], "shape (2,)"),
        (None, "replace None"),
    ],
)
def test_shifted_feature_mistakes(answer, words):
    feedback = check.shifted_feature_fit(answer)
    assert not feedback.ok
    assert words in feedback.message


# --- mse_stability_threshold -------------------------------------------------------------------------------


def test_threshold_solution_passes():
    threshold = run_solution("04_mse_stability_threshold.py")["mse_threshold"]
    assert abs(threshold - 0.12792) < 1e-4
    assert check.mse_stability_threshold(threshold).ok
    assert check.mse_stability_threshold(0.128).ok  # rounded to three digits is accepted


def _eig(with_bias=True):
    X, _ = regression.seed_data()
    A = regression.add_bias(X) if with_bias else X
    return np.linalg.eigvalsh(A.T @ A)


@pytest.mark.parametrize(
    "answer, words",
    [
        (2 / _eig()[-1], "half-SSE"),  # the threshold printed in the chapter, for the other loss
        (1 / _eig()[-1], "full SSE"),
        (8 / _eig()[-1], "keeps a 2"),
        (4 / _eig()[0], "SMALLEST"),
        (4 / _eig(with_bias=False)[-1], "WITHOUT the bias"),
        (4 / (_eig()[0] + _eig()[-1]), "best fixed step"),
        (0.02, "same steps"),
        (0.12, "still converges"),
        (0.3, "eigenvalues"),
        (None, "replace None"),
        ([0.1, 0.2], "one number"),
    ],
)
def test_threshold_mistakes(answer, words):
    feedback = check.mse_stability_threshold(answer)
    assert not feedback.ok
    assert words in feedback.message
