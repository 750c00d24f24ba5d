"""Every chapter-07 check accepts the solution file's answer and names each mistake it claims to catch."""

from pathlib import Path

import numpy as np
import pytest

from course_lib import checks as check

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def solution(name):
    namespace = {"np": np}
    exec((SOLUTIONS / name).read_text(), namespace)
    return namespace


def make_adam(
    *,
    correction="power",
    eps_inside=False,
    sqrt=True,
    numerator="m",
    sign=-1,
    m_rule="ema",
    v_rule="ema",
    t_shift=0,
):
    """An Adam update with one deliberate mistake switched on."""

    @np.errstate(all="ignore")
    def update(x, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m_new = {
            "ema": beta1 * m + (1 - beta1) * g,
            "nodamp": beta1 * m + g,
            "swap": (1 - beta1) * m + beta1 * g,
        }[m_rule]
        v_new = {
            "ema": beta2 * v + (1 - beta2) * g**2,
            "abs": beta2 * v + (1 - beta2) * np.abs(g),
            "plain": beta2 * v + (1 - beta2) * g,
        }[v_rule]
        tt = t + t_shift
        if correction == "power":
            m_hat, v_hat = m_new / (1 - beta1**tt), v_new / (1 - beta2**tt)
        elif correction == "seed":
            m_hat, v_hat = m_new / (1 - beta1), v_new / (1 - beta2)
        else:
            m_hat, v_hat = m_new, v_new
        top = m_hat if numerator == "m" else g
        bottom = np.sqrt(v_hat + eps) if eps_inside else (np.sqrt(v_hat) + eps if sqrt else v_hat + eps)
        return x + sign * lr * top / bottom, m_new, v_new

    return update


def test_adam_update_accepts_solution():
    fb = check.adam_update(solution("07_adam_update.py")["adam_update"])
    assert fb.ok, fb.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (make_adam(correction="none"), "bias correction"),
        (make_adam(correction="seed"), "POWER t"),
        (make_adam(eps_inside=True), "outside the square root"),
        (make_adam(sqrt=False), "square root of v_hat"),
        (make_adam(numerator="g"), "not the current gradient"),
        (make_adam(sign=+1), "gradient ascent"),
        (make_adam(m_rule="nodamp"), "(1 - beta1)"),
        (make_adam(m_rule="swap"), "swapped"),
        (make_adam(v_rule="abs"), "not |g|"),
        (make_adam(v_rule="plain"), "not g itself"),
        (make_adam(t_shift=-1), "beta**(t - 1)"),
        (lambda x, g, m, v, t, **k: (x, m, v), "did not move"),
        (lambda x, g, m, v, t, **k: None, "returns None"),
        (lambda x, g, m, v, t, **k: x, "three things"),
        (lambda x, g, m, v, t, **k: (x[:1], m, v), "shape"),
        (lambda x, g, m, v, t, **k: 1 / 0, "ZeroDivisionError"),
        ("not a function", "pass your function"),
    ],
)
def test_adam_update_names_mistakes(wrong, words):
    fb = check.adam_update(wrong)
    assert not fb.ok
    assert words in fb.message, fb.message


def test_bias_correction_accepts_solution():
    ns = solution("07_bias_correction.py")
    fb = check.bias_correction(ns["one_minus"], ns["factor"], ns["t_v"])
    assert fb.ok, fb.message
    assert ns["t_v"] == 4613
    assert 1 / (1 - 0.999**4613) < 1.01 <= 1 / (1 - 0.999**4612)  # the first such t, computed directly
    assert check.bias_correction(ns["one_minus"], ns["factor"]).ok  # t_v stays optional


@pytest.mark.parametrize(
    "t_v, words",
    [
        (44, "the answer for m"),
        (4612, "off by one"),
        (4612.81, "round up"),
        (4603, "not b**t < 0.01"),
        (100, "solve 1 / (1 - 0.999**t) < 1.01"),
        ("4613", "one whole number"),
    ],
)
def test_bias_correction_names_t_v_mistakes(t_v, words):
    fb = check.bias_correction(1 - 0.9**TS, 1 / (1 - 0.9**TS), t_v)
    assert not fb.ok
    assert words in fb.message, fb.message


TS = np.array([1, 2, 5, 10, 100])
RIGHT = 1 - 0.9**TS


@pytest.mark.parametrize(
    "one_minus, factor, words",
    [
        (0.9**TS, 1 / RIGHT, "that is beta1**t"),
        (np.full(5, 0.1), 1 / RIGHT, "needs the power"),
        (1 - 0.9 ** (TS - 1), 1 / RIGHT, "off by one"),
        (1 - 0.9 * TS, 1 / RIGHT, "a power"),
        (RIGHT, RIGHT, "reciprocal"),
        (RIGHT, np.full(5, 10.0), "power-free"),
        (RIGHT, RIGHT * 2, "falls towards 1"),
        (RIGHT[:3], 1 / RIGHT, "one value per t"),
        ("abc", 1 / RIGHT, "number"),
        (np.zeros(5), 1 / RIGHT, "1 - beta1**t for each t"),
    ],
)
def test_bias_correction_names_mistakes(one_minus, factor, words):
    fb = check.bias_correction(one_minus, factor)
    assert not fb.ok
    assert words in fb.message, fb.message


def test_adagrad_effective_lr_accepts_solution():
    fb = check.adagrad_effective_lr(solution("07_adagrad_effective_lr.py")["effective_lr_answer"])
    assert fb.ok, fb.message


G = np.array([[3.0, 0.0], [4.0, 0.0], [0.0, 1.0], [12.0, 0.0]])


@pytest.mark.parametrize(
    "answer, words",
    [
        (0.1 / np.sqrt(np.abs(G).sum(0)), "square each gradient"),
        (0.1 / (G**2).sum(0), "SQUARE ROOT"),
        (0.1 / np.sqrt((G**2).mean(0)), "RMSprop"),
        (0.1 / np.sqrt(0.1 * (G**2).sum(0)), "inside the accumulator"),
        (0.1 / np.abs(G).sum(0), "sum of |g|"),
        (np.array([0.1 / 12, 0.1]), "ALL past"),
        (np.array([0.1, 0.1 / 13]), "swapped"),
        (np.array([0.1 / 12, np.inf]), "nan or inf"),
        (np.array([1.0, 2.0, 3.0]), "shape (2,)"),
        (np.array([1.0, 2.0]), "lr / sqrt"),
    ],
)
def test_adagrad_effective_lr_names_mistakes(answer, words):
    fb = check.adagrad_effective_lr(answer)
    assert not fb.ok
    assert words in fb.message, fb.message
