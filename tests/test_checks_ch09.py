"""The chapter 09 checks accept the solutions and name each common mistake."""

import pathlib

import numpy as np
import pytest

from course_lib import checks as check

SOLUTIONS = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def solution(name, function):
    namespace = {"np": np}
    exec((SOLUTIONS / f"09_{name}.py").read_text(), namespace)
    return namespace[function]


def test_newton_step_1d_accepts_the_solution():
    assert check.newton_step_1d(solution("newton_step", "newton_step")).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, d1, d2: x + d1 / d2, "wrong sign"),
        (lambda x, d1, d2: x - d2 / d1, "upside down"),
        (lambda x, d1, d2: x - d1, "gradient step"),
        (lambda x, d1, d2: -d1 / d2, "new point"),
        (lambda x, d1, d2: x, "the Newton update is"),
        (lambda x, d1, d2: 1 / 0, "ZeroDivisionError"),
        (lambda x, d1, d2: float("nan"), "nan"),
    ],
)
def test_newton_step_1d_names_mistakes(wrong, words):
    feedback = check.newton_step_1d(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_newton_step_1d_asks_for_the_function():
    assert "without calling it" in check.newton_step_1d(3.0).message


def test_newton_direction_accepts_the_solution():
    assert check.newton_direction(solution("newton_direction", "direction")).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda H, g: np.linalg.solve(H, g), "sign is flipped"),
        (lambda H, g: -H @ g, "multiplied by H"),
        (lambda H, g: -g / np.diag(H), "diagonal"),
        (lambda H, g: -g, "gradient direction"),
        (lambda H, g: np.zeros(3), "shape"),
        (lambda H, g: np.ones(2), "expected"),
    ],
)
def test_newton_direction_names_mistakes(wrong, words):
    feedback = check.newton_direction(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_newton_direction_does_not_let_the_learner_modify_the_inputs_of_later_checks():
    def sloppy(H, g):
        H *= 0  # modifies its argument, then fails
        return g

    assert not check.newton_direction(sloppy).ok
    assert check.newton_direction(solution("newton_direction", "direction")).ok


def test_secant_pair_accepts_the_solution():
    assert check.secant_pair(solution("secant_pair", "pair")).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda xo, xn, go, gn: (gn - go, xn - xo), "swapped"),
        (lambda xo, xn, go, gn: (xo - xn, go - gn), "new minus old"),
        (lambda xo, xn, go, gn: xn - xo, "two arrays"),
        (lambda xo, xn, go, gn: (xn, gn), "s = x_new - x_old"),
    ],
)
def test_secant_pair_names_mistakes(wrong, words):
    feedback = check.secant_pair(wrong)
    assert not feedback.ok
    assert words in feedback.message
