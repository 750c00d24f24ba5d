"""course_lib.descend: the Path it returns, input checks, early stopping, divergence and the hooks."""

import warnings

import numpy as np
import pytest

import course_lib as cl
from course_lib.optimizers import SGD, Adam

BOWL = cl.surface("bowl")  # (x-7)**2 + (y-3)**2, gradient 2*(x - (7, 3))
CENTRE = np.array([7.0, 3.0])


def gd_on_bowl(x0, lr, steps):
    """Plain gradient descent on the bowl by its closed form: x_t - c = (1 - 2 lr)**t (x0 - c)."""
    t = np.arange(steps + 1).reshape(-1, *([1] * np.ndim(x0)))
    return CENTRE + (1 - 2 * lr) ** t * (np.asarray(x0, dtype=np.float64) - CENTRE)


# ------------------------------------------------------------------------------------------------------------
# Shapes and the start
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [(), (3,), (2, 4)], ids=["single", "batch3", "batch2x4"])
def test_path_shapes(batch):
    x0 = np.random.default_rng(0).uniform(-2, 2, size=(*batch, 2))
    path = cl.descend(cl.surface("rosenbrock"), Adam(lr=0.01), x0, steps=7)
    assert isinstance(path, cl.Path)
    assert path.xs.shape == (8, *batch, 2)
    assert path.values.shape == (8, *batch)
    assert np.shape(path.diverged) == batch
    assert np.shape(path.diverged_at) == batch
    np.testing.assert_array_equal(path.xs[0], x0)
    np.testing.assert_allclose(path.values, cl.surface("rosenbrock").value(path.xs), rtol=1e-14)
    assert not np.any(path.diverged)
    np.testing.assert_array_equal(path.diverged_at, -1)


def test_path_follows_the_optimizer_step_by_step():
    f = cl.surface("beale")
    opt = Adam(lr=0.05)
    x0 = np.array([[1.0, 1.0], [-2.0, 0.5]])
    path = cl.descend(f, opt, x0, steps=20)
    x, state = x0, opt.init(x0)
    for k in range(1, 21):
        x, state = opt.step(x, f.grad(x), state)
        np.testing.assert_allclose(path.xs[k], x, rtol=1e-13, atol=1e-15)


def test_gradient_descent_on_the_bowl_matches_the_closed_form():
    path = cl.descend(BOWL, SGD(lr=0.1), [0.0, 0.0], steps=30)
    np.testing.assert_allclose(path.xs, gd_on_bowl([0.0, 0.0], 0.1, 30), rtol=1e-12, atol=1e-12)


def test_list_x0_is_accepted_and_x0_is_not_modified():
    x0 = np.array([[0.0, 0.0], [10.0, -4.0]])
    keep = x0.copy()
    path = cl.descend(BOWL, SGD(lr=0.1, momentum=0.9), x0, steps=10)
    np.testing.assert_array_equal(x0, keep)
    assert not np.shares_memory(path.xs, x0)
    from_list = cl.descend(BOWL, SGD(lr=0.1, momentum=0.9), [[0.0, 0.0], [10.0, -4.0]], steps=10)
    np.testing.assert_array_equal(from_list.xs, path.xs)
    # integers are fine too
    from_ints = cl.descend(BOWL, SGD(lr=0.1, momentum=0.9), [[0, 0], [10, -4]], steps=10)
    np.testing.assert_array_equal(from_ints.xs, path.xs)


def test_one_dimensional_objective():
    path = cl.descend(cl.surface("parabola"), SGD(lr=0.25), [[3.0], [-5.0]], steps=40)
    assert path.xs.shape == (41, 2, 1)
    np.testing.assert_allclose(path.xs[-1], [[-1.0], [-1.0]], atol=1e-10)


def test_zero_steps():
    path = cl.descend(BOWL, SGD(lr=0.1), [1.0, 2.0], steps=0)
    assert path.xs.shape == (1, 2)
    assert path.values.shape == (1,)
    np.testing.assert_array_equal(path.xs[0], [1.0, 2.0])
    assert path.values[0] == pytest.approx(36.0 + 1.0)


@pytest.mark.parametrize("x0", [[np.nan, 0.0], [0.0, np.inf], [[0.0, 0.0], [-np.inf, 1.0]]])
def test_non_finite_start_raises_naming_x0(x0):
    with pytest.raises(ValueError, match="x0"):
        cl.descend(BOWL, SGD(lr=0.1), x0, steps=3)


@pytest.mark.parametrize("x0", [[0.0, 0.0, 0.0], [[1.0], [2.0]], np.zeros((2, 3))])
def test_wrong_last_dimension_raises(x0):
    with pytest.raises(ValueError, match="dimension"):
        cl.descend(BOWL, SGD(lr=0.1), x0, steps=3)


@pytest.mark.parametrize("steps", [-1, -10])
def test_negative_steps_raise_naming_steps(steps):
    with pytest.raises(ValueError, match="steps"):
        cl.descend(BOWL, SGD(lr=0.1), [0.0, 0.0], steps=steps)


# ------------------------------------------------------------------------------------------------------------
# Early stopping
# ------------------------------------------------------------------------------------------------------------


def gradient_norms(f, xs):
    return np.linalg.norm(f.grad(xs), axis=-1)


def test_tol_stops_early_once_every_gradient_is_small():
    f = cl.surface("ellipse")
    x0 = np.array([[3.0, -2.0], [0.5, 0.5], [-1.0, 4.0]])
    tol = 1e-6
    path = cl.descend(f, SGD(lr=0.1), x0, steps=1000, tol=tol)
    assert path.xs.shape[0] < 1001
    assert path.values.shape[0] == path.xs.shape[0]
    norms = gradient_norms(f, path.xs)
    assert np.all(norms[-1] < tol)
    # it stopped at the first such step, not later
    assert np.any(norms[-2] >= tol)
    # without tol the same run goes on, through the same points
    full = cl.descend(f, SGD(lr=0.1), x0, steps=1000)
    np.testing.assert_array_equal(full.xs[: path.xs.shape[0]], path.xs)


def test_tol_ignores_diverged_trajectories():
    # a learning-rate sweep in one call: lr = 0.1 converges on the bowl, lr = 1.5 diverges
    opt = SGD(lr=np.array([[0.1], [1.5]]))
    x0 = np.array([[8.0, 3.0], [8.0, 3.0]])
    tol = 1e-6
    path = cl.descend(BOWL, opt, x0, steps=500, tol=tol)
    np.testing.assert_array_equal(path.diverged, [False, True])
    assert path.xs.shape[0] < 501
    end = gradient_norms(BOWL, path.xs[-1])
    assert end[0] < tol


def test_tol_that_is_met_at_the_start_gives_a_single_point():
    path = cl.descend(BOWL, SGD(lr=0.1), [7.0, 3.0], steps=50, tol=1e-8)
    assert path.xs.shape == (1, 2)


# ------------------------------------------------------------------------------------------------------------
# Divergence
# ------------------------------------------------------------------------------------------------------------


def first_escape(x0, lr, bound=1e6, horizon=200):
    """The first step whose iterate leaves max|x| <= bound*(1 + max|x0|), from the closed form."""
    xs = gd_on_bowl(x0, lr, horizon)
    limit = bound * (1 + np.abs(x0).max())
    return int(np.argmax(np.abs(xs).max(axis=-1) > limit))


def test_gradient_descent_with_too_large_lr_is_flagged_and_frozen():
    x0 = np.array([8.0, 3.0])  # x_t - c = (-2)**t (x0 - c) with lr = 1.5
    at = first_escape(x0, 1.5)
    assert 10 < at < 60  # about log2(1e6 * 9) = 23 steps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = cl.descend(BOWL, SGD(lr=1.5), x0, steps=60)
    assert path.diverged.shape == () and bool(path.diverged)
    assert int(path.diverged_at) == at
    # exact iterates up to the last good one, then frozen at it
    np.testing.assert_allclose(path.xs[:at], gd_on_bowl(x0, 1.5, at - 1), rtol=1e-12)
    np.testing.assert_array_equal(path.xs[at:], np.broadcast_to(path.xs[at - 1], path.xs[at:].shape))
    np.testing.assert_array_equal(path.xs[at:], np.broadcast_to(path.xs[at], path.xs[at:].shape))
    assert np.all(np.isfinite(path.xs)) and np.all(np.isfinite(path.values))
    np.testing.assert_array_equal(path.values[at:], path.values[at - 1])


def test_mixed_batch_one_diverges_one_does_not():
    x0 = np.array([[8.0, 3.0], [0.0, 0.0]])
    opt = SGD(lr=np.array([[1.5], [0.1]]))
    path = cl.descend(BOWL, opt, x0, steps=60)
    np.testing.assert_array_equal(path.diverged, [True, False])
    assert path.diverged_at[0] == first_escape(x0[0], 1.5)
    assert path.diverged_at[1] == -1
    np.testing.assert_allclose(path.xs[:, 1], gd_on_bowl(x0[1], 0.1, 60), rtol=1e-12, atol=1e-12)
    at = path.diverged_at[0]
    np.testing.assert_array_equal(path.xs[at:, 0], np.broadcast_to(path.xs[at, 0], path.xs[at:, 0].shape))


def test_bound_is_a_parameter():
    x0 = np.array([8.0, 3.0])
    path = cl.descend(BOWL, SGD(lr=1.5), x0, steps=60, bound=10.0)
    assert int(path.diverged_at) == first_escape(x0, 1.5, bound=10.0)


def test_each_trajectory_has_its_own_bound():
    # On -(x**2 + y**2), SGD multiplies x by 1 + 2 lr each step. The near start's bound is 10 * 1.5 = 15: it
    # passes it at step 5 (0.5 * 2**5 = 16). The far start's bound is 10 * 1001: it runs past 15 from the start
    # but stays inside its own bound for 20 steps (1000 * 1.1**20 = 6727), so it must not be flagged.
    x0 = np.array([[0.5, 0.0], [1000.0, 3.0]])
    opt = SGD(lr=np.array([[0.5], [0.05]]))
    path = cl.descend(cl.objective("-x**2 - y**2"), opt, x0, steps=20, bound=10.0)
    np.testing.assert_array_equal(path.diverged_at, [5, -1])
    np.testing.assert_allclose(path.xs[:, 1], x0[1] * 1.1 ** np.arange(21)[:, None], rtol=1e-12)


def test_huge_but_finite_values_are_not_divergence():
    # Every value is finite, near the float64 maximum: their sum overflows, yet nothing has diverged.
    f = cl.objective("1e307 * (1 + x**2)")
    x0 = np.zeros((40, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = cl.descend(f, SGD(lr=0.0), x0, steps=3)
    assert not np.any(path.diverged)
    np.testing.assert_array_equal(path.values, 1e307)


@pytest.mark.parametrize(
    ("name", "opt"),
    [
        ("rosenbrock", SGD(lr=1e3)),
        ("rosenbrock", SGD(lr=0.5, momentum=0.99, nesterov=True)),
        ("beale", SGD(lr=10.0)),
        ("saddle", SGD(lr=1.0)),
        ("himmelblau", Adam(lr=1e6)),
    ],
)
def test_no_warning_escapes_on_blow_up(name, opt):
    f = cl.surface(name)
    x0 = np.random.default_rng(1).uniform(-3, 3, size=(50, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = cl.descend(f, opt, x0, steps=200)
    assert np.all(np.isfinite(path.xs))
    assert np.all(np.isfinite(path.values))
    if name != "himmelblau":  # Adam's step is bounded by about lr, so its run may stay under the bound
        assert np.all(path.diverged)
    assert np.all((path.diverged_at > 0) == path.diverged)


def test_overflow_to_inf_is_caught():
    # x**8 overflows float64 around |x| ~ 1e38, far below any bound scaled from the start
    f = cl.objective("x**8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = cl.descend(f, SGD(lr=1.0), [[2.0], [0.01]], steps=10, bound=1e300)
    np.testing.assert_array_equal(path.diverged, [True, False])
    assert np.all(np.isfinite(path.xs)) and np.all(np.isfinite(path.values))


# ------------------------------------------------------------------------------------------------------------
# Hooks: grad_fn and lr_schedule
# ------------------------------------------------------------------------------------------------------------


def test_grad_fn_replaces_the_exact_gradient():
    calls = []

    def toward_one(x, t, rng):
        calls.append(t)
        return 2 * (x - 1.0)  # the gradient of |x - (1, 1)|**2, not of the bowl

    path = cl.descend(BOWL, SGD(lr=0.25), [0.0, 0.0], steps=40, grad_fn=toward_one)
    np.testing.assert_allclose(path.xs[-1], [1.0, 1.0], atol=1e-10)
    # values still come from the objective
    np.testing.assert_allclose(path.values, BOWL.value(path.xs), rtol=1e-14)
    assert calls == list(range(40))  # once per step, at the point the step starts from


def test_grad_fn_receives_the_rng_and_seeded_noise_is_reproducible():
    received = []

    def noisy(x, t, rng):
        received.append(rng)
        return BOWL.grad(x) + rng.normal(scale=0.5, size=x.shape)

    rng = np.random.default_rng(3)
    a = cl.descend(BOWL, SGD(lr=0.05), np.zeros((4, 2)), steps=30, grad_fn=noisy, rng=rng)
    assert all(r is rng for r in received)
    b = cl.descend(BOWL, SGD(lr=0.05), np.zeros((4, 2)), steps=30, grad_fn=noisy, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.xs, b.xs)
    c = cl.descend(BOWL, SGD(lr=0.05), np.zeros((4, 2)), steps=30, grad_fn=noisy, rng=np.random.default_rng(4))
    assert not np.array_equal(a.xs, c.xs)
    exact = cl.descend(BOWL, SGD(lr=0.05), np.zeros((4, 2)), steps=30)
    assert not np.allclose(a.xs, exact.xs)
    # the noise is independent between trajectories of the batch
    assert not np.allclose(a.xs[-1, 0], a.xs[-1, 1])


def test_lr_schedule_sets_each_step():
    asked = []

    def schedule(t):
        asked.append(t)
        return 0.1 if t < 5 else 0.0

    path = cl.descend(BOWL, SGD(lr=0.3), [0.0, 0.0], steps=12, lr_schedule=schedule)
    assert asked == list(range(12))
    np.testing.assert_allclose(path.xs[:6], gd_on_bowl([0.0, 0.0], 0.1, 5), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(path.xs[6:], np.broadcast_to(path.xs[5], (7, 2)))


def test_lr_schedule_matches_a_manual_loop_with_replace():
    f = cl.surface("rosenbrock")
    opt = Adam(lr=0.1)

    def schedule(t):
        return 0.05 / (1 + 0.1 * t)

    path = cl.descend(f, opt, [-1.2, 1.0], steps=30, lr_schedule=schedule)
    x, state = np.array([-1.2, 1.0]), opt.init(np.array([-1.2, 1.0]))
    for t in range(30):
        x, state = opt.replace(lr=schedule(t)).step(x, f.grad(x), state)
    np.testing.assert_allclose(path.xs[-1], x, rtol=1e-13)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda f: cl.descend("x**2", cl.optimizers.SGD(lr=0.1), [0.0], 3), "objective"),
        (lambda f: cl.descend(f, None, [0.0, 0.0], 3), "optimizer"),
        (lambda f: cl.descend(f, cl.optimizers.SGD, [0.0, 0.0], 3), "not the class"),
        (lambda f: cl.descend(f, cl.optimizers.SGD(lr=0.1), [0.0, 0.0], 3, lr_schedule=lambda t: -1.0), "lr_schedule"),
        (
            lambda f: cl.descend(f, cl.optimizers.SGD(lr=0.1), [0.0, 0.0], 3, grad_fn=lambda x, t, r: np.zeros(5)),
            "grad_fn",
        ),
        (lambda f: f.grad("hello"), "X"),
    ],
)
def test_misuse_gets_an_error_that_names_the_parameter(call, words):
    with pytest.raises(ValueError, match=words):
        call(cl.surface("bowl"))
