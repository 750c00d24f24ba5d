"""course_lib.noise: noisy runs averaged over their tails, the settling points, and the digit rule."""

import numpy as np
import pytest

import course_lib as cl
from course_lib.noise import (
    adamw_settling_point,
    gaussian_noise,
    l2_settling_point,
    stable_digits,
    tail_average,
)
from course_lib.optimizers import SGD, Adam


def grad(x):
    return x - 1.0


def test_tail_average_of_sgd_on_a_quadratic_is_the_minimum_within_its_standard_error():
    r = tail_average(grad, SGD(lr=0.05), [0.0, 3.0], steps=3000, tail=2000, sigma=1.0, seeds=64, rng=0)
    assert r.mean.shape == (2,) and r.per_seed.shape == (64, 2)
    assert np.all(np.abs(r.mean - 1.0) < 4 * r.se)
    assert r.settled.all()


def test_same_seed_same_result_and_objective_or_function_alike():
    f = cl.objective("(x - 1)**2/2 + (y - 1)**2/2")
    a = tail_average(grad, Adam(lr=0.01), [0.0, 0.0], steps=500, tail=100, sigma=0.5, seeds=4, rng=7)
    b = tail_average(f, Adam(lr=0.01), [0.0, 0.0], steps=500, tail=100, sigma=0.5, seeds=4, rng=7)
    np.testing.assert_allclose(a.per_seed, b.per_seed, rtol=1e-12)


def test_block_size_does_not_change_the_run():
    kw = {"steps": 700, "tail": 300, "sigma": (2.0, 0.1), "seeds": 3, "rng": 1}
    a = tail_average(grad, Adam(lr=0.01), [0.0, 0.0], block=500, **kw)
    b = tail_average(grad, Adam(lr=0.01), [0.0, 0.0], block=64, **kw)
    np.testing.assert_array_equal(a.per_seed, b.per_seed)


def test_settled_flags_a_run_still_moving_and_passes_a_settled_one():
    moving = tail_average(grad, SGD(lr=1e-4), [0.0, 0.0], steps=2000, tail=2000, sigma=0.01, seeds=8, rng=0)
    assert not moving.settled.any()
    done = tail_average(grad, SGD(lr=0.1), [0.0, 0.0], steps=2000, tail=1000, sigma=0.01, seeds=8, rng=0)
    assert done.settled.all()


def test_checkpoints_and_array_hyperparameters_broadcast():
    lrs = np.array([[0.01], [0.1]])
    r = tail_average(grad, SGD(lr=lrs), [0.0, 0.0], steps=50, tail=10, seeds=2, checkpoints=(0, 10, 50))
    assert r.mean.shape == (2, 2) and set(r.checkpoints) == {0, 10, 50}
    assert np.array_equal(r.checkpoints[0], np.zeros((2, 2, 2)))
    expected = np.array([[1 - 0.99**10] * 2, [1 - 0.9**10] * 2])  # no noise: plain gradient descent
    np.testing.assert_allclose(r.checkpoints[10][0], expected, rtol=1e-12)
    assert r.checkpoints[10][0, 0, 0] < r.checkpoints[10][0, 1, 0]  # the larger lr gets closer


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"steps": 0, "tail": 1}, "steps"),
        ({"steps": 10, "tail": 11}, "tail"),
        ({"steps": 10, "tail": 5, "seeds": 1}, "seeds"),
        ({"steps": 10, "tail": 5, "sigma": -1.0}, "sigma"),
        ({"steps": 10, "tail": 5, "sigma": "a"}, "sigma"),
        ({"steps": 10, "tail": 5, "checkpoints": (11,)}, "checkpoints"),
        ({"steps": 10, "tail": 5, "block": 0}, "block"),
        ({"steps": 10.5, "tail": 5}, "steps"),
    ],
)
def test_bad_arguments_raise_naming_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        tail_average(grad, SGD(lr=0.1), [0.0, 0.0], **kwargs)


def test_bad_objective_optimizer_start_and_divergence_raise():
    with pytest.raises(ValueError, match="grad"):
        tail_average(3.0, SGD(lr=0.1), [0.0], steps=5, tail=2)
    with pytest.raises(ValueError, match="optimizer"):
        tail_average(grad, "sgd", [0.0], steps=5, tail=2)
    with pytest.raises(ValueError, match="x0"):
        tail_average(grad, SGD(lr=0.1), [np.nan], steps=5, tail=2)
    with pytest.raises(ValueError, match="x0"):
        tail_average(grad, SGD(lr=np.ones((3, 1))), np.zeros((2, 2)), steps=5, tail=2)
    with pytest.raises(ValueError, match="diverged"):
        tail_average(grad, SGD(lr=5.0), [0.0], steps=2000, tail=2, seeds=2)


def test_gaussian_noise_is_unbiased_with_the_given_spread():
    fn = gaussian_noise(grad, [2.0, 0.0])
    rng = np.random.default_rng(0)
    draws = np.array([fn(np.zeros(2), t, rng) for t in range(4000)])
    assert np.all(draws[:, 1] == -1.0)
    assert abs(draws[:, 0].mean() + 1.0) < 0.1 and abs(draws[:, 0].std() - 2.0) < 0.1
    path = cl.descend(cl.objective("(x - 1)**2/2"), SGD(lr=0.1), [0.0], 10, grad_fn=gaussian_noise(grad, 0.0))
    assert path.x[0] == pytest.approx(1 - 0.9**10)
    with pytest.raises(ValueError, match="sigma"):
        gaussian_noise(grad, -1)


def test_settling_point_formulas():
    assert l2_settling_point([0.0, 1.0]) == pytest.approx([1.0, 0.5])
    x = adamw_settling_point(0.5, np.array([0.0, 0.1, 4.0, 10.0]))
    assert x[0] == pytest.approx(1.0)  # no noise: no decay at the settling point
    residual = (x - 1) + 0.5 * np.sqrt(np.array([0.0, 0.1, 4.0, 10.0]) ** 2 + (x - 1) ** 2) * x
    assert np.abs(residual).max() < 1e-12
    assert adamw_settling_point(0.5, 4.0, leading_order=True) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="lam"):
        l2_settling_point(-1)
    with pytest.raises(ValueError, match="sigma"):
        adamw_settling_point(0.5, [np.inf])


@pytest.mark.parametrize(
    "mean, se, text",
    [
        (0.16412, 0.0015, "0.16"),
        (0.94617, 0.0001, "0.946"),
        (0.66571, 0.005, "0.7"),
        (0.5, 0.0, "0.5000"),
        (12.3, 2.0, "12"),
    ],
)
def test_stable_digits(mean, se, text):
    assert stable_digits(mean, se) == text


def test_stable_digits_vector_and_bad_se():
    assert stable_digits([0.16412, 0.94617], [0.0015, 0.0001]) == "(0.16, 0.946)"
    with pytest.raises(ValueError, match="se"):
        stable_digits(0.5, -1.0)
