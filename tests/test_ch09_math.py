"""Numerical checks of the statements of notebooks/09_newton_lbfgs.ipynb."""

import numpy as np

import course_lib as cl
from course_lib.second_order import LBFGS, Newton


def test_newton_converges_quadratically_near_the_rosenbrock_minimum():
    f = cl.surface("rosenbrock")
    errors = np.linalg.norm(cl.descend(f, Newton(f), [-1.2, 1.0], 7).xs - [1.0, 1.0], axis=-1)
    close = errors[3:7]  # once inside the basin of the quadratic model
    ratios = close[1:] / close[:-1] ** 2
    assert np.all(ratios < 10)  # e_{t+1} <= C e_t**2 with a moderate constant
    assert close[-1] < 1e-10


def test_the_newton_map_of_sqrt_one_plus_x_squared_is_minus_x_cubed():
    f = cl.objective("sqrt(1 + x**2)")
    x = np.linspace(-1.4, 1.4, 29)[:, None]
    step = Newton(f).step(x, f.grad(x), Newton(f).init(x))[0]
    np.testing.assert_allclose(step, -(x**3), atol=1e-12)


def test_newton_on_a_one_dimensional_quadratic_is_a_gradient_step_with_lr_one_over_curvature():
    for a in (0.5, 2.0, 7.0):
        f = cl.objective(f"{a} * x**2 / 2")
        x = np.array([3.0])
        newton = Newton(f).step(x, f.grad(x), Newton(f).init(x))[0]
        gd = cl.optimizers.SGD(lr=1 / a)
        np.testing.assert_allclose(newton, gd.step(x, f.grad(x), gd.init(x))[0], atol=1e-12)


def test_one_newton_step_solves_any_positive_definite_quadratic():
    f = cl.surface("ill_conditioned")
    starts = np.random.default_rng(0).uniform(-5, 5, (20, 2))
    np.testing.assert_allclose(cl.descend(f, Newton(f), starts, 1).x, 0.0, atol=1e-12)


def test_lbfgs_beats_gradient_descent_on_the_seed_regression():
    from course_lib import regression

    X, y = regression.seed_data()
    problem = regression.least_squares(regression.add_bias(X), y, loss="half_sse")
    lbfgs = cl.descend(problem, LBFGS(problem), [10.1, 15.1, -6.5], 100, tol=1e-8)
    gd = cl.descend(problem, cl.optimizers.SGD(lr=0.01), [10.1, 15.1, -6.5], 20_000, tol=1e-8)
    np.testing.assert_allclose(lbfgs.x, [1.0, 2.0, 3.0], atol=1e-7)
    assert lbfgs.steps * 100 < gd.steps
