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


# ---------------------------------------------------------------------------------------------------------
# Exercise 1: predict the number of Newton steps
# ---------------------------------------------------------------------------------------------------------
def solution_values(name, *names):
    namespace = {"np": np}
    exec((SOLUTIONS / f"09_{name}.py").read_text(), namespace)
    return tuple(namespace[n] for n in names)


def test_newton_step_count_accepts_the_solution():
    assert check.newton_step_count(*solution_values("newton_step_count", "C", "n_steps")).ok


@pytest.mark.parametrize(
    "C, n_steps, words",
    [
        (10.0, 4, "factor 1/2"),
        (1.0, 4, "not 1 here"),
        (0.2, 4, "upside down"),
        (5 / 3, 4, "differentiate f three times"),
        (7.0, 4, "you gave 7"),
        (5.0, 3, "e_{t+1} = e_t²"),
        (5.0, 5, "one too many"),
        (5.0, 8, "linear rate"),
        (5.0, 2, "step by step"),
        (5.0, 4.0, "whole number"),
        ([5.0, 5.0], 4, "one number"),
        ("five", 4, "number or an array"),
    ],
)
def test_newton_step_count_names_mistakes(C, n_steps, words):
    feedback = check.newton_step_count(C, n_steps)
    assert not feedback.ok
    assert words in feedback.message


# ---------------------------------------------------------------------------------------------------------
# Exercise 2: one Newton step on a new quadratic
# ---------------------------------------------------------------------------------------------------------
def _one_step(H):
    x0 = np.array([1.0, 1.0])
    g0 = np.array([1.0, 15.0])  # the gradient of x² + 3xy + 5y² - 4x + 2y at (1, 1)
    return x0 - np.linalg.solve(np.array(H), g0)


def test_quadratic_minimum_accepts_the_solution_and_it_is_the_exact_minimum():
    (x_min,) = solution_values("quadratic_minimum", "x_min")
    assert check.quadratic_minimum(x_min).ok
    np.testing.assert_allclose(x_min, [46 / 11, -16 / 11])


@pytest.mark.parametrize(
    "answer, words",
    [
        (np.array([35 / 11, -27 / 11]), "add it to the start"),
        (np.array([1 - 35 / 11, 1 + 27 / 11]), "sign is flipped"),
        (np.array([0.0, -14.0]), "gradient step"),
        (_one_step([[1.0, 3.0], [3.0, 5.0]]), "diagonal of H"),
        (_one_step([[2.0, 1.5], [1.5, 10.0]]), "not 3/2"),
        (_one_step([[2.0, 6.0], [6.0, 10.0]]), "not 6"),
        (np.array([4.0, -1.5]), "differentiate f:"),
        (np.zeros(3), "shape (2,)"),
    ],
)
def test_quadratic_minimum_names_mistakes(answer, words):
    feedback = check.quadratic_minimum(answer)
    assert not feedback.ok
    assert words in feedback.message


# ---------------------------------------------------------------------------------------------------------
# Exercise 3: keep or skip a pair, and its scaling
# ---------------------------------------------------------------------------------------------------------
def test_pair_scaling_accepts_the_solution():
    assert check.pair_scaling(solution("pair_scaling", "scaling")).ok


def _scaled(formula, skip=True, s_sign=1.0):
    def scaling(xo, xn, go, gn):
        s, y = s_sign * (xn - xo), gn - go
        if skip and s @ y <= 0:
            return None
        return formula(s, y)

    return scaling


@pytest.mark.parametrize(
    "wrong, words",
    [
        (_scaled(lambda s, y: (s @ y) / (y @ y), skip=False), "came out negative"),
        (_scaled(lambda s, y: abs(s @ y) / (y @ y), skip=False), "must be skipped"),
        (_scaled(lambda s, y: (s @ y) / (y @ y), s_sign=-1.0), "new minus old"),
        (_scaled(lambda s, y: (y @ y) / (s @ y)), "upside down"),
        (_scaled(lambda s, y: (s @ s) / (s @ y)), "Barzilai-Borwein"),
        (_scaled(lambda s, y: (s @ y) / (s @ s)), "curvature itself"),
        (_scaled(lambda s, y: (s @ y) / (y @ y) * np.ones(2)), "not a vector"),
        (_scaled(lambda s, y: 1.0), "you returned 1"),
        (lambda xo, xn, go, gn: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_pair_scaling_names_mistakes(wrong, words):
    feedback = check.pair_scaling(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_pair_scaling_asks_for_the_function():
    assert "without calling it" in check.pair_scaling(0.5).message


# ---------------------------------------------------------------------------------------------------------
# Exercise 4: the two-loop recursion
# ---------------------------------------------------------------------------------------------------------
from course_lib.checks import ch09  # noqa: E402


def test_two_loop_accepts_the_solution_and_the_reference_matches_the_library():
    assert check.two_loop(solution("two_loop", "two_loop")).ok
    s = ch09._S
    y = s @ ch09._A.T
    np.testing.assert_allclose(ch09._two_loop(ch09._G, s, y), ch09._library_product(ch09._G, s, y), rtol=1e-12)


def slip(**switches):
    return lambda g, s, y: ch09._two_loop(g, s, y, **switches)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (slip(first="oldest", second="newest"), "wrong way round"),
        (slip(first="oldest", second="oldest"), "first loop must start at the newest"),
        (slip(first="newest", second="newest"), "second loop must start at the oldest"),
        (slip(rho="missing"), "ρ is missing"),
        (slip(rho="not inverted"), "is the inverse"),
        (slip(gamma="one"), "initial scaling is missing"),
        (slip(gamma="inverted"), "upside down"),
        (slip(gamma="oldest"), "from the newest pair"),
        (lambda g, s, y: -ch09._two_loop(g, s, y), "sign is flipped"),
        (lambda g, s, y: (s[-1] @ y[-1]) / (y[-1] @ y[-1]) * g, "two loops around it are missing"),
        (lambda g, s, y: g, "not the two-loop product"),
        (lambda g, s, y: g[:2], "shaped like g"),
        (lambda g, s, y: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_two_loop_names_each_slip(wrong, words):
    feedback = check.two_loop(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_two_loop_rejects_an_answer_right_only_by_accident_and_a_non_function():
    right = ch09._two_loop(ch09._G, ch09._S, ch09._S @ ch09._A.T)
    feedback = check.two_loop(lambda g, s, y: right)  # a constant that ignores its input
    assert not feedback.ok and "H y must give s_newest" in feedback.message
    assert not check.two_loop(right).ok


def test_two_loop_does_not_let_the_learner_modify_the_fixed_pairs():
    def vandal(g, s, y):
        s *= 2.0
        y *= 2.0
        return ch09._two_loop(g, s / 2.0, y / 2.0)

    assert check.two_loop(vandal).ok
    assert check.two_loop(solution("two_loop", "two_loop")).ok
