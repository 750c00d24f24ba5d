"""Other forms of momentum (HeavyBall, NesterovLookahead, EMAMomentum): hand-computed steps, equivalences.

Hand-computed values use f(x) = x1**2 + 2*x2**2 (gradient (2*x1, 4*x2)) from x = (1, -2), where g = (2, -8).
The equivalences are checked on whole trajectories, against course_lib's SGD and against torch.optim.SGD.
"""

import numpy as np
import pytest

import course_lib as cl
from course_lib.optimizers import SGD, EMAMomentum, HeavyBall, NesterovLookahead

X0 = np.array([1.0, -2.0])


def grad(x):
    return np.asarray(x) * np.array([2.0, 4.0])


def two_steps(opt, x=X0):
    state = opt.init(x)
    xs = [x]
    for _ in range(2):
        x, state = opt.step(x, grad(x), state)
        xs.append(x)
    return xs, state


# ----------------------------------------------------------------------------------------------------
# Two steps by hand
# ----------------------------------------------------------------------------------------------------


def test_heavy_ball_two_steps_by_hand():
    xs, state = two_steps(HeavyBall(lr=0.1, momentum=0.5))
    # step 1 is plain GD: (1, -2) - 0.1 * (2, -8)
    np.testing.assert_allclose(xs[1], [0.8, -1.2])
    # step 2: x1 - 0.1 * (1.6, -4.8) + 0.5 * (x1 - x0) = (0.8 - 0.16 - 0.1, -1.2 + 0.48 + 0.4)
    np.testing.assert_allclose(xs[2], [0.54, -0.32])
    np.testing.assert_allclose(state.x_prev, [0.8, -1.2])
    assert state.t == 2


def test_nesterov_lookahead_two_steps_by_hand():
    xs, state = two_steps(NesterovLookahead(lr=0.1, momentum=0.5))
    # v1 = 0.1 * (2, -8); W1 = (0.8, -1.2); look-ahead x1 = W1 - 0.5 * v1 = (0.7, -0.8)
    np.testing.assert_allclose(xs[1], [0.7, -0.8])
    # gradient at the look-ahead point (1.4, -3.2); v2 = 0.5 * (0.2, -0.8) + 0.1 * (1.4, -3.2) = (0.24, -0.72)
    np.testing.assert_allclose(state.v, [0.24, -0.72])
    np.testing.assert_allclose(state.w, [0.56, -0.48])  # W2 = W1 - v2
    np.testing.assert_allclose(xs[2], [0.44, -0.12])  # W2 - 0.5 * v2


def test_ema_momentum_two_steps_by_hand():
    xs, state = two_steps(EMAMomentum(lr=0.1, beta=0.5))
    # m1 = 0.5 * 0 + 0.5 * (2, -8) = (1, -4); x1 = (0.9, -1.6)
    np.testing.assert_allclose(xs[1], [0.9, -1.6])
    # g1 = (1.8, -6.4); m2 = 0.5 * (1, -4) + 0.5 * (1.8, -6.4) = (1.4, -5.2); x2 = x1 - 0.1 * m2
    np.testing.assert_allclose(state.m, [1.4, -5.2])
    np.testing.assert_allclose(xs[2], [0.76, -1.08])


# ----------------------------------------------------------------------------------------------------
# Shared properties
# ----------------------------------------------------------------------------------------------------

FORMS = [
    HeavyBall(lr=0.1, momentum=0.9),
    HeavyBall(lr=0.1, momentum=0.9, rescale=True),
    NesterovLookahead(lr=0.1, momentum=0.9),
    EMAMomentum(lr=0.1, beta=0.9),
]


@pytest.mark.parametrize("opt", FORMS, ids=lambda o: type(o).__name__)
def test_pure_batched_and_rows_independent(opt):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 2))
    x_keep = x.copy()
    state = opt.init(x)
    x.flags.writeable = False
    for _ in range(3):
        g = grad(x)
        g.flags.writeable = False
        x, state = opt.step(x, g, state)
        assert x.shape == (4, 2) and np.all(np.isfinite(x))
        x.flags.writeable = False
    whole = x
    for i in range(4):
        xi, si = x_keep[i], opt.init(x_keep[i])
        for _ in range(3):
            xi, si = opt.step(xi, grad(xi), si)
        np.testing.assert_allclose(whole[i], xi, rtol=0, atol=1e-15)


@pytest.mark.parametrize("cls", [HeavyBall, NesterovLookahead, EMAMomentum])
def test_zero_learning_rate_stays_put(cls):
    path = cl.descend(cl.surface("ellipse"), cls(lr=0.0), X0, steps=5)
    np.testing.assert_array_equal(path.xs, np.broadcast_to(X0, path.xs.shape))


@pytest.mark.parametrize(
    "cls, kwargs, name",
    [
        (HeavyBall, {"lr": -0.1}, "lr"),
        (HeavyBall, {"momentum": 1.5}, "momentum"),
        (HeavyBall, {"momentum": -0.1}, "momentum"),
        (HeavyBall, {"rescale": "yes"}, "rescale"),
        (NesterovLookahead, {"lr": -1}, "lr"),
        (NesterovLookahead, {"momentum": 2.0}, "momentum"),
        (EMAMomentum, {"lr": float("nan")}, "lr"),
        (EMAMomentum, {"beta": 1.0}, "beta"),
        (EMAMomentum, {"beta": -0.5}, "beta"),
    ],
)
def test_bad_hyperparameters_raise_naming_them(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


def test_misspelt_keyword_raises():
    with pytest.raises(TypeError):
        HeavyBall(lr=0.1, beta=0.9)


# ----------------------------------------------------------------------------------------------------
# Equivalences
# ----------------------------------------------------------------------------------------------------

ELLIPSE = cl.objective("x**2 + 10*y**2")


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_heavy_ball_equals_sgd_momentum_for_a_constant_lr(beta):
    a = cl.descend(ELLIPSE, HeavyBall(lr=0.02, momentum=beta), [1.0, 1.0], steps=200)
    b = cl.descend(ELLIPSE, SGD(lr=0.02, momentum=beta), [1.0, 1.0], steps=200)
    np.testing.assert_allclose(a.xs, b.xs, rtol=0, atol=1e-12)


def test_heavy_ball_under_a_schedule_needs_the_rescaled_momentum():
    def schedule(t):
        return 0.05 / (1 + 0.1 * t)

    run = {
        name: cl.descend(ELLIPSE, opt, [1.0, 1.0], steps=100, lr_schedule=schedule).xs
        for name, opt in {
            "sgd": SGD(lr=0.05, momentum=0.9),
            "hb": HeavyBall(lr=0.05, momentum=0.9),
            "hb_rescaled": HeavyBall(lr=0.05, momentum=0.9, rescale=True),
        }.items()
    }
    assert np.max(np.abs(run["hb"] - run["sgd"])) > 1e-2  # the naive form drifts away
    np.testing.assert_allclose(run["hb_rescaled"], run["sgd"], rtol=0, atol=1e-12)


def test_nesterov_lookahead_records_the_points_of_sgd_nesterov():
    f = cl.surface("rosenbrock")
    a = cl.descend(f, NesterovLookahead(lr=1e-3, momentum=0.9), [-1.0, 1.5], steps=300)
    b = cl.descend(f, SGD(lr=1e-3, momentum=0.9, nesterov=True), [-1.0, 1.5], steps=300)
    np.testing.assert_allclose(a.xs, b.xs, rtol=0, atol=1e-10)


def test_nesterov_state_holds_the_real_iterate_of_the_lookahead_formula():
    """W_{t+1} = W_t - b dW_{t-1} - lr grad(W_t - b dW_{t-1}), with dW_{t-1} = W_{t-1} - W_t (dW_0 = 0)."""
    lr, b = 0.05, 0.8
    opt = NesterovLookahead(lr=lr, momentum=b)
    x, state = X0, opt.init(X0)
    w, dw = X0.copy(), np.zeros(2)
    for _ in range(30):
        x, state = opt.step(x, grad(x), state)
        w_next = w - b * dw - lr * grad(w - b * dw)
        w, dw = w_next, w - w_next
        np.testing.assert_allclose(state.w, w, rtol=0, atol=1e-13)
        np.testing.assert_allclose(x, w - b * dw, rtol=0, atol=1e-13)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_ema_momentum_is_sgd_momentum_with_lr_times_one_minus_beta(beta):
    a = cl.descend(ELLIPSE, EMAMomentum(lr=0.05, beta=beta), [1.0, 1.0], steps=200)
    b = cl.descend(ELLIPSE, SGD(lr=0.05 * (1 - beta), momentum=beta), [1.0, 1.0], steps=200)
    np.testing.assert_allclose(a.xs, b.xs, rtol=0, atol=1e-12)


def test_ema_momentum_vs_torch_dampening_differs_only_by_the_first_gradient():
    """SGD(momentum=b, dampening=b) starts its buffer at g_1 (undamped): the buffers differ by b**t * g_1."""
    beta, lr = 0.9, 0.1
    rng = np.random.default_rng(3)
    gs = rng.normal(size=(25, 3))
    ema, sgd = EMAMomentum(lr=lr, beta=beta), SGD(lr=lr, momentum=beta, dampening=beta)
    x_e = x_s = np.zeros(3)
    s_e, s_s = ema.init(x_e), sgd.init(x_s)
    for t, g in enumerate(gs, start=1):
        x_e, s_e = ema.step(x_e, g, s_e)
        x_s, s_s = sgd.step(x_s, g, s_s)
        np.testing.assert_allclose(s_s.buf - s_e.m, beta**t * gs[0], rtol=0, atol=1e-13)
    # the positions differ by lr * sum_t beta**t * g_1
    expected = lr * sum(beta**t for t in range(1, 26)) * gs[0]
    np.testing.assert_allclose(x_e - x_s, expected, rtol=0, atol=1e-12)


def test_against_torch():
    torch = pytest.importorskip("torch")

    def torch_run(steps, **kwargs):
        w = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], **kwargs)
        out = [w.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            (w[0] ** 2 + 2 * w[1] ** 2).backward()
            opt.step()
            out.append(w.detach().numpy().copy())
        return np.array(out)

    f = cl.objective("x**2 + 2*y**2")
    hb = cl.descend(f, HeavyBall(lr=0.1, momentum=0.7), X0, steps=40).xs
    np.testing.assert_allclose(hb, torch_run(40, lr=0.1, momentum=0.7), rtol=0, atol=1e-12)
    nag = cl.descend(f, NesterovLookahead(lr=0.1, momentum=0.7), X0, steps=40).xs
    np.testing.assert_allclose(nag, torch_run(40, lr=0.1, momentum=0.7, nesterov=True), rtol=0, atol=1e-12)
    ema = cl.descend(f, EMAMomentum(lr=0.1, beta=0.7), X0, steps=40).xs
    np.testing.assert_allclose(ema, torch_run(40, lr=0.1 * 0.3, momentum=0.7), rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------------
# The velocity forms of notebooks/06_momentum.ipynb (sections 1 and 5)
# ----------------------------------------------------------------------------------------------------


def test_velocity_form_is_torch_form_with_v_equal_minus_lr_times_buffer():
    f = cl.surface("ill_conditioned")
    lr, beta = 0.07, 0.7
    torch_xs = cl.descend(f, SGD(lr=lr, momentum=beta), [-9.0, 1.5], 40).xs
    x, v, xs = np.array([-9.0, 1.5]), np.zeros(2), [np.array([-9.0, 1.5])]
    for _ in range(40):
        v = beta * v - lr * f.grad(x)
        x = x + v
        xs.append(x)
    np.testing.assert_allclose(np.array(xs), torch_xs, rtol=1e-12, atol=1e-12)


def test_nesterov_velocity_form_look_ahead_points_are_torchs_iterates():
    rosen = cl.surface("rosenbrock")
    t_form = cl.descend(rosen, SGD(lr=1e-3, momentum=0.9, nesterov=True), [-1.5, 2.0], 500).xs
    x, v = np.array([-1.5, 2.0]), np.zeros(2)
    for t in range(500):
        v = 0.9 * v - 1e-3 * rosen.grad(x + 0.9 * v)
        x = x + v
        np.testing.assert_allclose(x + 0.9 * v, t_form[t + 1], rtol=1e-10, atol=1e-12)
