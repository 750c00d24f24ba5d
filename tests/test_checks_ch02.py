"""Every chapter-02 check accepts the solution file's answer and names each mistake it claims to catch."""

from pathlib import Path

import numpy as np
import pytest

from course_lib import checks as check

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def solution(name):
    namespace = {}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_gradient_by_hand_accepts_solution():
    fb = check.gradient_by_hand(solution("02_gradient_by_hand.py")["grad_f"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda p: -np.array([2 * p[0] * p[1] - 2, p[0] ** 2 + 6 * p[1]]), "signs are flipped"),
        (lambda p: np.array([p[0] ** 2 + 6 * p[1], 2 * p[0] * p[1] - 2]), "swapped"),
        (lambda p: np.array([2 * p[0] - 2, p[0] ** 2 + 6 * p[1]]), "keep it"),
        (lambda p: np.array([2 * p[0] * p[1], p[0] ** 2 + 6 * p[1]]), "contributes -2"),
        (lambda p: np.array([2 * p[0] * p[1] - 2, 6 * p[1]]), "held constant"),
        (lambda p: np.array([2 * p[0] * p[1] - 2, p[0] ** 2 + 3 * p[1]]), "6 y"),
        (lambda p: np.array([2 * p[0] * p[1] - 2, 0.0]), "∂f/∂x is right; ∂f/∂y is not"),
        (lambda p: np.array([0.0, p[0] ** 2 + 6 * p[1]]), "∂f/∂y is right; ∂f/∂x is not"),
        (lambda p: np.zeros(2), "both entries"),
        (lambda p: 1.0, "shape"),
        (lambda p: None, "returns None"),
        (lambda p: p.nonexistent, "AttributeError"),
    ],
)
def test_gradient_by_hand_names_mistakes(wrong, words):
    fb = check.gradient_by_hand(wrong)
    assert not fb.ok
    assert words in fb.message


def test_ellipse_steps_accepts_solution_and_closed_form():
    n = solution("02_ellipse_steps.py")["n_steps"]
    assert check.ellipse_steps(n).ok
    # the x-part alone predicts the same count from this start
    import math

    assert n == math.ceil(math.log(1e-5 / 2.4) / math.log(0.98))


@pytest.mark.parametrize(
    "n, words",
    [
        (615, "path.steps"),
        (613, "one short"),
        (314, "y-part alone"),
        (304, "0.96 is the y-factor"),
        (579, "factors 2 and 4"),
        (100, "not 100"),
        (1.5, "whole number"),
    ],
)
def test_ellipse_steps_names_mistakes(n, words):
    fb = check.ellipse_steps(n)
    assert not fb.ok
    assert words in fb.message


def test_steepest_descent_accepts_solution():
    fb = check.steepest_descent_direction(solution("02_steepest_descent.py")["u"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "u, words",
    [
        ([-2.0, -4.0], "divide by the norm"),
        (np.array([2.0, 4.0]) / np.sqrt(20), "ASCENT"),
        (np.array([-1.0, -1.0]) / np.sqrt(2), "straight at the minimum"),
        (np.array([-4.0, -2.0]) / np.sqrt(20), "swapped"),
        ([3.0, 0.0], "length 3"),
        ([0.0, -1.0], "negate it"),
        ([1.0, 2.0, 3.0], "two numbers"),
        ([np.nan, 1.0], "nan"),
    ],
)
def test_steepest_descent_names_mistakes(u, words):
    fb = check.steepest_descent_direction(u)
    assert not fb.ok
    assert words in fb.message
