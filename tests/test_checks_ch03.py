"""Checks of chapter 03: the solution files pass, and each common mistake gets its specific hint."""

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import course_lib as cl
from course_lib import checks as check

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def run_solution(name):
    namespace = {"np": np, "cl": cl, "Fraction": Fraction, "quad": cl.objective("2*x**2 + 2*x*y + 2*y**2")}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_all_lists_the_checks():
    from course_lib.checks import ch03

    assert set(ch03.__all__) == {"bowl_steps_to_tolerance", "bowl_two_steps", "stability_threshold"}


# --- bowl_steps_to_tolerance -------------------------------------------------------------------------------


def test_steps_solution_passes():
    steps = run_solution("03_steps_from_formula.py")["steps_needed"]
    assert steps == 6
    feedback = check.bowl_steps_to_tolerance(steps)
    assert feedback.ok and "0.04" in feedback.message
    assert check.bowl_steps_to_tolerance(6.0).ok


def test_steps_answer_agrees_with_a_run():
    path = cl.descend(cl.surface("bowl"), cl.optimizers.SGD(lr=0.4), [0.0, 0.0], 10)
    assert np.argmax(path.values < 1e-6) == 6


@pytest.mark.parametrize(
    "answer, words",
    [
        (5, "round UP"),  # floor instead of ceil, or the start value 58 forgotten
        (7, "one too many"),
        (12, "SQUARED"),  # f shrinks by 0.2 per step instead of 0.04
        (11, "SQUARED"),
        (18, "1 - lr = 0.6"),  # the factor 2 of the gradient dropped
        (35, "1 - lr = 0.6"),
        (10, "DISTANCE"),
        (5.553, "round up"),
        (5.5, "whole number"),
        (0, "positive"),
        (None, "replace None"),
        ("six", "number"),
        ([6, 6], "one number"),
        (3, "f_t = 58"),
    ],
)
def test_steps_mistakes(answer, words):
    feedback = check.bowl_steps_to_tolerance(answer)
    assert not feedback.ok
    assert words in feedback.message


# --- bowl_two_steps ----------------------------------------------------------------------------------------


def test_two_steps_solution_passes():
    point = run_solution("03_bowl_two_steps.py")["two_steps"]
    assert point == (Fraction(56, 9), Fraction(8, 3))
    assert check.bowl_two_steps(point).ok


def test_two_steps_agrees_with_descend():
    path = cl.descend(cl.surface("bowl"), cl.optimizers.SGD(lr=1 / 3), [0.0, 0.0], 2)
    np.testing.assert_allclose(path.xs[2], [56 / 9, 8 / 3])


@pytest.mark.parametrize(
    "answer, words",
    [
        ((Fraction(49, 9), Fraction(8, 3)), "dropped the factor 2"),
        ((Fraction(14, 3), Fraction(2)), "ONE step"),
        ((Fraction(182, 27), Fraction(26, 9)), "THREE steps"),
        ((Fraction(-112, 9), Fraction(-16, 3)), "gradient ascent"),
        ((7, 3), "minimum"),
        ((56 / 9, 8 / 3), "floats"),
        ((Fraction(1), Fraction(1)), "x <- x - lr * 2"),
        (None, "replace None"),
        ((Fraction(1),), "pair"),
        (("56/9", "8/3"), "Fraction"),
        (5, "pair"),
    ],
)
def test_two_steps_mistakes(answer, words):
    feedback = check.bowl_two_steps(answer)
    assert not feedback.ok
    assert words in feedback.message


# --- stability_threshold ------------------------------------------------------------------------------


def test_threshold_solution_passes():
    threshold = run_solution("03_stability_threshold.py")["threshold_lr"]
    assert check.stability_threshold(threshold).ok
    assert check.stability_threshold(Fraction(1, 3)).ok


def test_threshold_is_where_convergence_stops():
    quad = cl.objective("2*x**2 + 2*x*y + 2*y**2")
    lrs = np.array([[0.33], [1 / 3], [0.34]])
    path = cl.descend(quad, cl.optimizers.SGD(lr=lrs), [1.0, 0.5], 3000)
    assert path.values[-1, 0] < 1e-10
    assert path.values[-1, 1] > 0.1  # at the threshold itself: a two-point cycle
    assert path.diverged[2]


@pytest.mark.parametrize(
    "answer, words",
    [
        (1.0, "SMALLEST"),
        (1 / 6, "1/L"),
        (0.25, "best FIXED step"),
        (0.5, "diagonal"),
        (2 / 3, "differentiate twice"),
        (0.33, "still converges"),
        (0.34, "already diverges"),
        (0.1, "eigenvalues"),
        (None, "replace None"),
    ],
)
def test_threshold_mistakes(answer, words):
    feedback = check.stability_threshold(answer)
    assert not feedback.ok
    assert words in feedback.message
