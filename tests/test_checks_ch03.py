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

    assert set(ch03.__all__) == {"bowl_one_step_lr", "bowl_two_steps", "largest_stable_lr"}


# --- bowl_one_step_lr --------------------------------------------------------------------------------------


def test_one_step_lr_solution_passes():
    feedback = check.bowl_one_step_lr(run_solution("03_bowl_one_step_lr.py")["my_lr"])
    assert feedback.ok and "1/2" in feedback.message


@pytest.mark.parametrize(
    "answer, words",
    [
        (1.0, "bounce"),
        (0, "never moves"),
        (1 / 3, "never lands"),
        (2, "curvature"),
        (0.25, "halves"),
        (0.4, "1 - 2*lr = 0.2"),
        (None, "replace None"),
        ("half", "number"),
        ([0.5, 0.5], "one number"),
    ],
)
def test_one_step_lr_mistakes(answer, words):
    feedback = check.bowl_one_step_lr(answer)
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


# --- largest_stable_lr ------------------------------------------------------------------------------------


def test_stable_lr_solution_passes():
    stable_lr = run_solution("03_largest_stable_lr.py")["stable_lr"]
    assert check.largest_stable_lr(stable_lr).ok
    assert check.largest_stable_lr(Fraction(1, 3)).ok


def test_stable_lr_is_really_the_boundary():
    quad = cl.objective("2*x**2 + 2*x*y + 2*y**2")
    lrs = np.array([[0.33], [0.34]])
    path = cl.descend(quad, cl.optimizers.SGD(lr=lrs), [1.0, 0.5], 3000)
    assert path.values[-1, 0] < 1e-10
    assert path.diverged[1]


@pytest.mark.parametrize(
    "answer, words",
    [
        (1.0, "SMALLEST"),
        (1 / 6, "1/L"),
        (0.25, "best FIXED step"),
        (0.5, "diagonal"),
        (2 / 3, "differentiate twice"),
        (0.2, "eigenvalues"),
        (None, "replace None"),
    ],
)
def test_stable_lr_mistakes(answer, words):
    feedback = check.largest_stable_lr(answer)
    assert not feedback.ok
    assert words in feedback.message
