"""The chapter 05 checks accept the solutions in notebooks/solutions/ and name each common mistake."""

from pathlib import Path

import numpy as np
import pytest

from course_lib import checks as check
from course_lib.checks import ch05

SOLUTIONS = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"


def solution(name):
    namespace = {}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_checks_are_exported():
    assert set(ch05.__all__) == {"minibatch_gradient", "variance_ratio", "decaying_schedule"}
    for name in ch05.__all__:
        assert getattr(check, name) is getattr(ch05, name)


# --- exercise 1: the minibatch gradient -------------------------------------------------------------------


def test_minibatch_gradient_accepts_the_solution():
    feedback = check.minibatch_gradient(solution("05_minibatch_gradient.py")["my_minibatch_grad"])
    assert feedback.ok, feedback


def test_minibatch_gradient_accepts_another_correct_spelling():
    def mine(X, y, beta, rows):
        return np.mean([-2 * X[i] * (y[i] - X[i] @ beta) for i in rows], axis=0)

    assert check.minibatch_gradient(mine).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda X, y, b, r: 2 / len(r) * X[r].T @ (y[r] - X[r] @ b), "ascent"),
        (lambda X, y, b, r: -2 / len(y) * X.T @ (y - X @ b), "full-batch"),
        (lambda X, y, b, r: -2 / len(y) * X[r].T @ (y[r] - X[r] @ b), "divided by n"),
        (lambda X, y, b, r: -2 * X[r].T @ (y[r] - X[r] @ b), "sum"),
        (lambda X, y, b, r: -1 / len(r) * X[r].T @ (y[r] - X[r] @ b), "half the MSE"),
        (lambda X, y, b, r: np.zeros(2), "zeros"),
        (lambda X, y, b, r: np.zeros(3), "shape"),
        (lambda X, y, b, r: 1 / 0, "ZeroDivisionError"),
        (lambda X, y, b, r: X[r] @ b, "shape"),
        (lambda X, y, b, r: np.array([1.0, 2.0]), "compare with"),
        ("not a function", "function itself"),
    ],
)
def test_minibatch_gradient_names_the_mistake(wrong, words):
    feedback = check.minibatch_gradient(wrong)
    assert not feedback.ok
    assert words in feedback.message


# --- exercise 2: the variance ratio -------------------------------------------------------------------------


def test_variance_ratio_accepts_the_solution_and_the_finite_population_value():
    assert check.variance_ratio(solution("05_variance_ratio.py")["my_ratio"]).ok
    assert check.variance_ratio(1 / 16 * (1000 - 16) / (1000 - 1)).ok  # without replacement, n = 1000


@pytest.mark.parametrize(
    "wrong, words",
    [
        (16, "other way round"),
        (0.25, "standard deviations"),
        (1 / 256, "too small"),
        (1, "does reduce"),
        (0.5, "sigma^2 / |B|"),
        ("a lot", "number"),
        (None, "prediction"),
        (np.nan, "nan"),
        ([1, 2], "one number"),
    ],
)
def test_variance_ratio_names_the_mistake(wrong, words):
    feedback = check.variance_ratio(wrong)
    assert not feedback.ok
    assert words in feedback.message


# --- exercise 3: a decaying schedule ------------------------------------------------------------------------


def test_decaying_schedule_accepts_the_solution_and_other_good_schedules():
    assert check.decaying_schedule(solution("05_decaying_schedule.py")["my_schedule"]).ok
    assert check.decaying_schedule(lambda t: 2 / (t + 10)).ok
    assert check.decaying_schedule(lambda t: 0.01 / (1 + t / 1000)).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda t: 0.1, "does not decay"),
        (lambda t: 5.0 / (1 + t / 1000), "diverged"),
        (lambda t: 0.1 / (t + 1), "stop short"),
        (lambda t: 1 / (t + 1) ** 2, "frozen in"),
        (lambda t: 0.1 * 0.9995**t, "still bouncing"),
        (lambda t: -0.1 / (t + 1), "negative"),
        (lambda t: 1 / t, "division by zero"),
        (lambda t: [][t], "IndexError"),
        (0.1, "function itself"),
    ],
)
def test_decaying_schedule_names_the_mistake(wrong, words):
    with np.errstate(divide="ignore"):
        feedback = check.decaying_schedule(wrong)
    assert not feedback.ok
    assert words in feedback.message
