"""The chapter 10 checks accept the solutions and name each common mistake."""

import pathlib

import numpy as np
import pytest

from course_lib import checks as check

SOLUTIONS = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def solution(name, function):
    namespace = {"np": np}
    exec((SOLUTIONS / f"10_{name}.py").read_text(), namespace)
    return namespace[function]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_logistic_gradient_accepts_the_solution():
    assert check.logistic_gradient(solution("logistic_gradient", "gradient")).ok


def test_logistic_gradient_agrees_with_the_library_model():
    from course_lib.models import LogisticRegression

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((9, 4)), (rng.random(9) < 0.5).astype(float)
    w, b = rng.standard_normal(4), 0.7
    g_w, g_b = solution("logistic_gradient", "gradient")(w, b, X, y)
    np.testing.assert_allclose(np.append(g_w, g_b), LogisticRegression(X, y).grad(np.append(w, b)), rtol=1e-12)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda w, b, X, y: (X.T @ (y - sigmoid(X @ w + b)) / len(y), np.mean(y - sigmoid(X @ w + b))), "sign"),
        (lambda w, b, X, y: (X.T @ (sigmoid(X @ w + b) - y), np.sum(sigmoid(X @ w + b) - y)), "SUM"),
        (lambda w, b, X, y: (X.T @ (X @ w + b - y) / len(y), np.mean(X @ w + b - y)), "logit"),
        (
            lambda w, b, X, y: (
                X.T @ ((sigmoid(X @ w + b) - y) * sigmoid(X @ w + b) * (1 - sigmoid(X @ w + b))) / len(y),
                0.0,
            ),
            "squared error",
        ),
        (lambda w, b, X, y: (X.T @ (sigmoid(X @ w + b) - y) / len(y), 0.0), "bias"),
        (lambda w, b, X, y: X.T @ (sigmoid(X @ w + b) - y) / len(y), "two things"),
        (lambda w, b, X, y: (X @ w, 0.0), "shape (3,)"),
        (lambda w, b, X, y: (w, 0.0), "should be"),
        (lambda w, b, X, y: (np.zeros(3), 0.0), "zeros"),
        (lambda w, b, X, y: 1 / 0, "ZeroDivisionError"),
        (lambda w, b, X, y: (np.full(3, np.nan), 0.0), "nan"),
    ],
)
def test_logistic_gradient_names_mistakes(wrong, words):
    feedback = check.logistic_gradient(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_pick_lr_accepts_the_solution():
    assert check.pick_lr(solution("pick_lr", "pick")).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda losses, lrs: np.argmin(np.median(losses, axis=1)), "index"),
        (lambda losses, lrs: lrs[np.argmin(losses.mean(axis=1))], "MEAN"),
        (lambda losses, lrs: lrs[np.argmin(losses.min(axis=1))], "luckiest"),
        (lambda losses, lrs: lrs[np.argmax(np.median(losses, axis=1))], "argmin"),
        (lambda losses, lrs: 1.0, "follow the data"),
        (lambda losses, lrs: lrs, "one learning rate"),
        (lambda losses, lrs: lrs[np.argmin(np.median(losses, axis=0))], "axis 0"),
        (lambda losses, lrs: 0.5, "medians over the seeds"),
        (lambda losses, lrs: lrs[0], "first lr of the grid"),
        (lambda losses, lrs: "fast", "should be a number"),
    ],
)
def test_pick_lr_names_mistakes(wrong, words):
    feedback = check.pick_lr(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_checks_reject_a_value_instead_of_a_function():
    assert "function itself" in check.logistic_gradient(3.0).message
    assert "function itself" in check.pick_lr([0.1]).message
