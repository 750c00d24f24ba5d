"""Every chapter-02 check accepts the solution file's answer and names each mistake it claims to catch."""

import math
from pathlib import Path

import numpy as np
import pytest

import course_lib as cl
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


def part(c, weight, factor, eps=1e-4):
    """Steps until one coordinate's part of the gradient alone is below eps (a learner's per-coordinate formula)."""
    return 0 if c == 0 else max(0, math.ceil(math.log(eps / abs(weight * c)) / math.log(factor)))


def closed_form(x0, y0, weights=(6, 2), factors=(0.7, 0.9)):
    n = np.arange(3000)
    return int(np.argmax(np.hypot(weights[0] * factors[0] ** n * x0, weights[1] * factors[1] ** n * y0) < 1e-4))


def test_steps_needed_accepts_solution_and_matches_descent():
    steps_needed = solution("02_steps_needed.py")["steps_needed"]
    fb = check.steps_needed(steps_needed)
    assert fb.ok, fb.message
    bowl = cl.objective("3*x**2 + y**2")
    for start in [(1.0, 1.0), (2.5, 1e-6), (-3.0, 0.002), (0.7, -1.9)]:
        path = cl.descend(bowl, cl.optimizers.SGD(lr=0.05), x0=list(start), steps=5000, tol=1e-4)
        assert steps_needed(*start) == path.steps


def test_steps_needed_accepts_a_loop_over_the_factors():
    def loop(x0, y0):
        n = 0
        while math.hypot(6 * x0, 2 * y0) >= 1e-4:
            x0, y0, n = 0.7 * x0, 0.9 * y0, n + 1
        return n

    assert check.steps_needed(loop).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda a, b: closed_form(a, b) + 1, "one too many"),
        (lambda a, b: closed_form(a, b) - 1, "one short"),
        (lambda a, b: closed_form(a, b, factors=(0.85, 0.95)), "1 - 6 lr"),
        (lambda a, b: closed_form(a, b, weights=(1, 1)), "factors 6 and 2"),
        (lambda a, b: part(a, 6, 0.7), "right only where x is slow"),
        (lambda a, b: part(b, 2, 0.9), "take the later"),
        (lambda a, b: math.ceil(math.log(1e-4 / abs(2 * b)) / math.log(0.9)), "on an axis"),
        (lambda a, b: max(part(a, 6, 0.7), part(b, 2, 0.9)), "sqrt(a² + b²)"),
        (lambda a, b: 50, "your count is"),
        (lambda a, b: 50.5, "whole number"),
        (lambda a, b: None, "returns None"),
        (42, "pass your function"),
    ],
)
def test_steps_needed_names_mistakes(wrong, words):
    fb = check.steps_needed(wrong)
    assert not fb.ok
    assert words in fb.message, fb.message


def test_steepest_descent_accepts_solution():
    fb = check.steepest_descent_direction(solution("02_steepest_descent.py")["u"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "u, words",
    [
        ([-2.0, 8.0], "divide by the norm"),
        (np.array([2.0, -8.0]) / np.sqrt(68), "ASCENT"),
        (np.array([-1.0, 2.0]) / np.sqrt(5), "straight at the minimum"),
        (np.array([8.0, -2.0]) / np.sqrt(68), "swapped"),
        (np.array([-2.0, -4.0]) / np.sqrt(20), "direction at (1, 1)"),  # the gradient printed in section 1
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
