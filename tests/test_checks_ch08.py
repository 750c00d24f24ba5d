"""Every chapter-08 check accepts the solution file's answer and names each mistake it claims to catch."""

from pathlib import Path

import numpy as np
import pytest

from course_lib import checks as check

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def solution(name):
    namespace = {"np": np}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def test_l2_coefficient_accepts_solution():
    fb = check.l2_coefficient(solution("08_l2_coefficient.py")["lam_l2"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "answer, words",
    [
        (0.001 / 0.05, "without momentum"),
        (0.001 / (0.05 * 0.1), "upside down"),
        (0.001 * 0.9 / 0.05, "beta where 1 - beta"),
        (0.001, "same number"),
        (0.001 * 0.1, "divide by lr"),
        (0.001 * 0.1 * 0.05, "multiplied by lr"),
        ([0.002, 0.002], "one number"),
        ("x", "number"),
        (3.0, "fixed point"),
    ],
)
def test_l2_coefficient_names_mistakes(answer, words):
    fb = check.l2_coefficient(answer)
    assert not fb.ok
    assert words in fb.message, fb.message


def make_adamw(mode):
    def update(x, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        if mode in ("l2", "both"):
            g = g + weight_decay * x
        if mode == "both":
            x = x * (1 - lr * weight_decay)
        if mode == "seed":
            x = x * (1 - weight_decay)
        if mode == "sign":
            x = x * (1 + lr * weight_decay)
        m_new = beta1 * m + (1 - beta1) * g
        v_new = beta2 * v + (1 - beta2) * g**2
        step = lr * (m_new / (1 - beta1**t)) / (np.sqrt(v_new / (1 - beta2**t)) + eps)
        x_new = x - step
        if mode == "after":
            x_new = x_new * (1 - lr * weight_decay)
        if mode == "moments":
            return x_new * (1 - lr * weight_decay) + lr * weight_decay * step * 0, m, v
        return x_new, m_new, v_new

    return update


def test_adamw_update_starter_is_adam_with_l2():
    notebook = (SOLUTIONS.parent / "08_weight_decay.ipynb").read_text()
    assert "g = g + weight_decay * x  # L2" in notebook  # the exercise starts from torch's Adam(weight_decay)
    assert check.adamw_update(make_adamw("l2")).message.count("Adam with L2") == 1


def test_adamw_update_accepts_solution():
    fb = check.adamw_update(solution("08_adamw_update.py")["adamw_update"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (make_adamw("plain"), "plain Adam"),
        (make_adamw("l2"), "Adam with L2"),
        (make_adamw("seed"), "multiplies the decay by lr"),
        (make_adamw("after"), "BEFORE"),
        (make_adamw("both"), "so is the L2 term"),
        (make_adamw("sign"), "towards 0"),
        (lambda x, g, m, v, t, **k: x, "three things"),
        (lambda x, g, m, v, t, **k: 1 / 0, "ZeroDivisionError"),
        (42, "pass your function"),
        (lambda x, g, m, v, t, **k: (x * 0, m, v), "x_new = x * (1 - lr"),
    ],
)
def test_adamw_update_names_mistakes(wrong, words):
    fb = check.adamw_update(wrong)
    assert not fb.ok
    assert words in fb.message, fb.message


def test_adamw_update_right_x_wrong_moments():
    right = solution("08_adamw_update.py")["adamw_update"]

    def stale(x, g, m, v, t, **k):
        x_new, _, _ = right(x, g, m, v, t, **k)
        return x_new, m, v

    fb = check.adamw_update(stale)
    assert not fb.ok and "m_new or v_new" in fb.message


def test_settling_point_accepts_solution_and_the_refined_root():
    ns = solution("08_settling_point.py")
    fb = check.settling_point(ns["settle"], ns["more_decayed"])
    assert fb.ok, fb.message
    from course_lib.noise import adamw_settling_point

    assert check.settling_point(adamw_settling_point(0.2, [5.0, 0.5]), "x").ok
    assert check.settling_point(ns["settle"], 0).ok


LAM, SIGMA = 0.2, np.array([5.0, 0.5])


@pytest.mark.parametrize(
    "settle, choice, words",
    [
        (np.full(2, 1 / 1.2), "x", "Adam + L2"),
        (1 / (1 + LAM / SIGMA), "x", "divided by sigma"),
        (1 / (1 + LAM * SIGMA**2), "x", "not sigma**2"),
        (1 / (1 + SIGMA), "x", "lambda is missing"),
        (1 - LAM * SIGMA, "x", "first term"),
        (LAM * SIGMA / (1 + LAM * SIGMA), "x", "how far"),
        (np.array([0.3, 0.3]), "x", "solve for x_i"),
        (1 / (1 + LAM * SIGMA), "y", "more decayed"),
        (1 / (1 + LAM * SIGMA), "z", '"x" or "y"'),
        (np.ones(3), "x", "shape (2,)"),
        ("abc", "x", "number"),
    ],
)
def test_settling_point_names_mistakes(settle, choice, words):
    fb = check.settling_point(settle, choice)
    assert not fb.ok
    assert words in fb.message, fb.message
