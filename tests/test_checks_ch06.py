"""The chapter 06 checks accept the solutions in notebooks/solutions/ and name each common mistake."""

from pathlib import Path

import numpy as np
import pytest

from course_lib import checks as check
from course_lib.checks import ch06

SOLUTIONS = Path(__file__).resolve().parent.parent / "notebooks" / "solutions"


def solution(name):
    namespace = {}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_checks_are_exported():
    assert set(ch06.__all__) == {"momentum_step", "effective_step", "polyak_parameters"}
    for name in ch06.__all__:
        assert getattr(check, name) is getattr(ch06, name)


# --- exercise 1: the momentum update ------------------------------------------------------------------------


def test_momentum_step_accepts_the_solution():
    feedback = check.momentum_step(solution("06_momentum_step.py")["my_momentum_step"])
    assert feedback.ok, feedback


def test_momentum_step_agrees_with_the_library():
    """The check's right answer is course_lib's SGD with momentum (after the first step)."""
    from course_lib.optimizers import SGD, SGDState

    x, g, buf = np.array([1.0, -2.0]), np.array([0.5, 3.0]), np.array([-0.4, 1.2])
    x_lib, state = SGD(lr=0.1, momentum=0.8).step(x, g, SGDState(buf=buf, t=1))
    x_sol, buf_sol = solution("06_momentum_step.py")["my_momentum_step"](x, g, buf, 0.1, 0.8)
    np.testing.assert_allclose(x_sol, x_lib)
    np.testing.assert_allclose(buf_sol, state.buf)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, g, b, lr, beta: (x, b), "nothing moved"),
        (lambda x, g, b, lr, beta: (x - lr * (b + beta * g), b + beta * g), "OLD momentum"),
        (lambda x, g, b, lr, beta: (x - lr * (beta * b + (1 - beta) * g), beta * b + (1 - beta) * g), "EMA"),
        (lambda x, g, b, lr, beta: (x - (beta * b + lr * g), beta * b + lr * g), "inside the buffer"),
        (lambda x, g, b, lr, beta: (x + lr * (beta * b + g), beta * b + g), "uphill"),
        (lambda x, g, b, lr, beta: (x - lr * b, beta * b + g), "OLD buffer"),
        (lambda x, g, b, lr, beta: (x - lr * (g + beta * (beta * b + g)), beta * b + g), "Nesterov"),
        (lambda x, g, b, lr, beta: (x - lr * g, beta * b + g), "plain gradient"),
        (lambda x, g, b, lr, beta: x - lr * g, "pair"),
        (lambda x, g, b, lr, beta: (x * 0, b * 0), "update buf"),
        (lambda x, g, b, lr, beta: undefined_name, "NameError"),  # noqa: F821
    ],
)
def test_momentum_step_names_the_mistake(wrong, words):
    feedback = check.momentum_step(wrong)
    assert not feedback.ok
    assert words in feedback.message


# --- exercise 2: the effective step size --------------------------------------------------------------------


def test_effective_step_accepts_the_solution():
    assert check.effective_step(solution("06_effective_step.py")["my_effective_step"]).ok


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda lr, b: lr * (1 - b), "EMA"),
        (lambda lr, b: lr * b, "geometric series"),
        (lambda lr, b: lr / b if b else np.inf, "nan or inf"),
        (lambda lr, b: lr / (1 - b) ** 2, "too many"),
        (lambda lr, b: lr * (1 + b), "two terms"),
        (lambda lr, b: lr, "changes the step"),
        (lambda lr, b: 0.0, "sum the series"),
        (lambda lr, b: [lr, b], "one number"),
    ],
)
def test_effective_step_names_the_mistake(wrong, words):
    feedback = check.effective_step(wrong)
    assert not feedback.ok
    assert words in feedback.message


def test_effective_step_lr_over_beta_is_named_when_beta_is_nonzero():
    # lr / beta would divide by zero at beta = 0; a learner guarding that case still gets the specific hint
    feedback = check.effective_step(lambda lr, b: lr / b if b else lr)
    assert not feedback.ok and "not by beta" in feedback.message


# --- exercise 3: Polyak's parameters ------------------------------------------------------------------


def test_polyak_parameters_accepts_the_solution():
    feedback = check.polyak_parameters(solution("06_polyak_parameters.py")["my_polyak_parameters"])
    assert feedback.ok, feedback


def good_lr(mu, L):
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2


def good_m(mu, L):
    return ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda mu, L: (good_m(mu, L), good_lr(mu, L)), "swapped"),
        (lambda mu, L: (good_lr(mu, L), (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))), "Nesterov"),
        (lambda mu, L: (good_lr(mu, L), (L - mu) / (L + mu)), "square roots"),
        (lambda mu, L: (2 / (mu + L), good_m(mu, L)), "plain gradient descent"),
        (lambda mu, L: (1 / L, good_m(mu, L)), "safe step"),
        (lambda mu, L: (1 / (np.sqrt(L) + np.sqrt(mu)) ** 2, good_m(mu, L)), "factor 4"),
        (lambda mu, L: (4 / (L + mu), good_m(mu, L)), "lr uses L and mu"),
        (lambda mu, L: (good_lr(mu, L), ((np.sqrt(L) + np.sqrt(mu)) / (np.sqrt(L) - np.sqrt(mu))) ** 2), "inverted"),
        (lambda mu, L: (0.5, 0.5), "lr should be"),
        (lambda mu, L: good_lr(mu, L), "pair"),
        (lambda mu, L: (None, 0.5), "nan"),
    ],
)
def test_polyak_parameters_names_the_mistake(wrong, words):
    feedback = check.polyak_parameters(wrong)
    assert not feedback.ok
    assert words in feedback.message
