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
        (0.001, "same number"),
        (0.001 * 0.05, "multiplied by lr"),
        (0.05 / 0.001, "upside down"),
        (0.001 / 0.1, "no factor 2"),
        ([0.02, 0.02], "one number"),
        ("x", "number"),
        (3.0, "match the coefficients"),
    ],
)
def test_l2_coefficient_names_mistakes(answer, words):
    fb = check.l2_coefficient(answer)
    assert not fb.ok
    assert words in fb.message, fb.message


def make_adamw(mode):
    def update(x, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
        if mode == "l2":
            g = g + weight_decay * x
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


def test_decay_per_coordinate_accepts_solution():
    ns = solution("08_decay_per_coordinate.py")
    fb = check.decay_per_coordinate(ns["rates"], ns["less_decayed"])
    assert fb.ok, fb.message
    assert check.decay_per_coordinate(ns["rates"], 0).ok


RIGHT = np.array([1e-4, 1e-2])


@pytest.mark.parametrize(
    "rates, choice, words",
    [
        (np.array([1e-3, 1e-3]), "x", "AdamW's rate"),
        (np.array([1e-5, 1e-1]), "x", "square ROOT"),
        (np.array([1e-2, 1e-4]), "x", "does not multiply"),
        (np.array([1e-2, 1.0]), "x", "multiplied by lr"),
        (np.array([5.0, 5.0]), "x", "lr * lambda / sqrt(v_hat)"),
        (RIGHT, "y", "smaller rate"),
        (RIGHT, "z", '"x" or "y"'),
        (np.ones(3), "x", "shape (2,)"),
    ],
)
def test_decay_per_coordinate_names_mistakes(rates, choice, words):
    fb = check.decay_per_coordinate(rates, choice)
    assert not fb.ok
    assert words in fb.message, fb.message
