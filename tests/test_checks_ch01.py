"""Every chapter-01 check accepts the solution file's answer and names each mistake it claims to catch."""

from pathlib import Path

import numpy as np
import pytest

from course_lib import checks as check

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def solution(name):
    namespace = {}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_central_difference_accepts_solution():
    fb = check.central_difference(solution("01_central_difference.py")["central_difference"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda f, x, h: (f(x + h) - f(x)) / h, "forward difference"),
        (lambda f, x, h: (f(x) - f(x - h)) / h, "backward difference"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / h, "2*h"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "MULTIPLIES"),
        (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "sign is flipped"),
        (lambda f, x, h: None, "returns None"),
        (lambda f, x, h: 1 / 0, "ZeroDivisionError"),
        (lambda f, x, h: np.array([1.0, 2.0]), "one number"),
        (lambda f, x, h: float("nan"), "nan"),
        (lambda f, x, h: 0.0, "central difference is"),
    ],
)
def test_central_difference_names_mistakes(wrong, words):
    fb = check.central_difference(wrong)
    assert not fb.ok
    assert words in fb.message


def test_central_difference_rejects_non_callable():
    fb = check.central_difference(0.5)
    assert not fb.ok and "function itself" in fb.message


def test_gd_update_accepts_solution():
    fb = check.gd_update(solution("01_gd_update.py")["gd_update"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, lr, g: x + lr * g, "gradient ascent"),
        (lambda x, lr, g: x - g, "learning rate is missing"),
        (lambda x, lr, g: -lr * g, "returned the step"),
        (lambda x, lr, g: lr * g, "x - lr*g"),
        (lambda x, lr, g: g - lr * x, "swapped"),
        (lambda x, lr, g: 0.0, "expected x - lr*g"),
    ],
)
def test_gd_update_names_mistakes(wrong, words):
    fb = check.gd_update(wrong)
    assert not fb.ok
    assert words in fb.message


def test_iteration_count_accepts_solution_and_matches_a_loop():
    n = solution("01_iteration_count.py")["n_steps"]
    assert check.iteration_count(n).ok
    # an independent count: run the update and stop on |f'(x)| <= eps
    x, k = 1.5, 0
    while abs(2 * x + 2) > 1e-5:
        x -= 0.01 * (2 * x + 2)
        k += 1
    assert k == n


@pytest.mark.parametrize(
    "offset_or_formula, words",
    [
        (-1, "round UP"),
        (+1, "count the updates"),
        ("ln099", "not 1 - lr"),
        ("no2", "keep the factor 2"),
        ("x0", "x* = -1"),
        (3, "solve for the first t"),
    ],
)
def test_iteration_count_names_mistakes(offset_or_formula, words):
    import math

    right = solution("01_iteration_count.py")["n_steps"]
    formulas = {
        "ln099": math.ceil(math.log(1e-5 / 5) / math.log(0.99)),
        "no2": math.ceil(math.log(1e-5 / 2.5) / math.log(0.98)),
        "x0": math.ceil(math.log(1e-5 / 3) / math.log(0.98)),
    }
    if isinstance(offset_or_formula, int):
        n = right + offset_or_formula
    else:
        n = formulas[offset_or_formula]
    fb = check.iteration_count(n)
    assert not fb.ok
    assert words in fb.message


def test_iteration_count_rejects_fractions():
    assert "whole number" in check.iteration_count(649.5).message


def test_one_step_lr_accepts_solution():
    fb = check.one_step_lr(solution("01_one_step_lr.py")["my_lr"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "lr, words",
    [
        (1 / 3, "edge of stability"),
        (0.05, "too small"),
        (0.25, "too large"),
        (0.167, "close, but"),  # 1/6 read off the explorer's rounded slider
        (0.166, "close, but"),
        (0.5, "diverge"),
        (0.0, "must be positive"),
        (-0.1, "must be positive"),
        ([0.1, 0.2], "one number"),
        ("fast", "number"),
    ],
)
def test_one_step_lr_names_mistakes(lr, words):
    fb = check.one_step_lr(lr)
    assert not fb.ok
    assert words in fb.message
