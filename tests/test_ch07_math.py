"""Formulas stated in notebooks/07_adaptive_methods.ipynb, checked numerically or symbolically."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.optimizers import SGD, Adadelta, Adagrad, Adam, AdamEpsInRoot, RMSprop, SeedAdam


def test_adagrad_first_step_is_lr_times_sign():
    x = np.array([0.0, 0.0])
    g = np.array([-14.0, -6.0])
    x1, _ = Adagrad(lr=0.5, eps=0.0).step(x, g, Adagrad().init(x))
    assert np.allclose(x1, 0.5 * np.sign(-g))


def test_rmsprop_effective_lr_rises_when_gradients_shrink():
    opt = RMSprop(lr=0.01, alpha=0.9, eps=0.0)
    x, state = np.zeros(1), opt.init(np.zeros(1))
    rates = []
    for g in [10.0] * 50 + [0.1] * 150:
        x_new, state = opt.step(x, np.array([g]), state)
        rates.append(((x - x_new) / g)[0])
        x = x_new
    assert rates[49] == pytest.approx(0.01 / np.sqrt(100 * (1 - 0.9**50)))
    assert rates[-1] == pytest.approx(0.1, rel=1e-3)
    assert np.all(np.diff(rates[50:]) > 0)


def test_ema_effective_window_weight():
    for rho in (0.9, 0.99):
        n = int(round(1 / (1 - rho)))
        weight = sum((1 - rho) * rho**k for k in range(n))
        assert weight == pytest.approx(1 - rho**n)
        assert abs(weight - (1 - np.exp(-1))) < 0.02


def test_adadelta_first_step_is_set_by_eps():
    x, g = np.zeros(1), np.array([4.0])
    opt = Adadelta(eps=1e-6)
    x1, _ = opt.step(x, g, opt.init(x))
    assert -x1[0] == pytest.approx(np.sqrt(1e-6) / np.sqrt(0.1 * 16 + 1e-6) * 4)


def test_units_ratios_by_scaling():
    """Steps in x units after a change of unit x = c z: SGD scales by c**2, RMSprop by c, Newton by 1."""
    f = cl.objective("3*(x - 2)**2")
    for c in (0.1, 10.0):
        fz = cl.objective(f"3*({c}*z - 2)**2")
        x0 = np.array([0.5])
        gx, gz = f.grad(x0), fz.grad(x0 / c)
        assert (c * 0.01 * gz) / (0.01 * gx) == pytest.approx(c**2)
        rms_x = RMSprop(lr=0.01, eps=0.0).step(x0, gx, RMSprop().init(x0))[0] - x0
        rms_z = RMSprop(lr=0.01, eps=0.0).step(x0 / c, gz, RMSprop().init(x0))[0] - x0 / c
        assert c * rms_z / rms_x == pytest.approx(c)
        newton_x = gx / f.hess(x0)[..., 0]
        newton_z = gz / fz.hess(x0 / c)[..., 0]
        assert c * newton_z / newton_x == pytest.approx(1.0)


def test_bias_correction_closed_form_and_monte_carlo():
    b1, t, i = sp.symbols("beta_1 t i", positive=True)
    closed = sp.simplify(sp.summation((1 - b1) * b1 ** (t - i), (i, 1, t)))
    assert sp.simplify(closed - (1 - b1**t)) == 0
    for tt in (1, 2, 3, 10):
        assert sum((1 - 0.9) * 0.9 ** (tt - k) for k in range(1, tt + 1)) == pytest.approx(1 - 0.9**tt)
    rng = np.random.default_rng(1)
    opt, x = Adam(), np.zeros((200_000, 1))
    state = opt.init(x)
    for _ in range(10):
        _, state = opt.step(x, 0.5 + 2.0 * rng.standard_normal(x.shape), state)
    assert state.m.mean() == pytest.approx((1 - 0.9**10) * 0.5, abs=0.005)


def test_uncorrected_first_step_and_seed_ratios():
    x, g = np.zeros(1), np.array([0.7])
    step = -Adam(lr=1.0, eps=0.0, bias_correction=False).step(x, g, Adam().init(x))[0][0]
    assert step == pytest.approx(0.1 / np.sqrt(0.001))
    linear = cl.objective("3*x/10 + 2*y")
    seed = np.abs(np.diff(cl.descend(linear, SeedAdam(lr=1e-3), [0.0, 0.0], 5000).xs[:, 0])) / 1e-3
    assert seed[1] == pytest.approx(1.9 / np.sqrt(1.999), rel=1e-6)
    assert seed[9] == pytest.approx((1 - 0.9**10) / 0.1 / np.sqrt((1 - 0.999**10) / 0.001), rel=1e-6)
    assert seed[-1] == pytest.approx(np.sqrt(0.001) / 0.1, rel=0.01)


@pytest.mark.parametrize("size", [1.0, 1e-4, 1e-6, 1e-8])
def test_eps_position_first_step(size):
    x, g = np.zeros(1), np.array([size])
    out = -Adam(lr=1.0).step(x, g, Adam().init(x))[0][0]
    inside = -AdamEpsInRoot(lr=1.0).step(x, g, Adam().init(x))[0][0]
    assert out == pytest.approx(size / (size + 1e-8))
    assert inside == pytest.approx(size / np.sqrt(size**2 + 1e-8))


def test_adam_constant_gradient_steps_are_lr():
    linear = cl.objective("3*x/10 + 2*y")
    steps = np.abs(np.diff(cl.descend(linear, Adam(lr=1e-3, eps=0.0), [0.0, 0.0], 100).xs, axis=0))
    assert np.allclose(steps, 1e-3)


def test_steep_rare_caps_the_sgd_learning_rate_at_2_over_L():
    # notebooks/07_adaptive_methods.ipynb, cells 6-7: f = 10(x-7)^2 + (y-3)^2/10 has Hessian diag(20, 0.2), so SGD
    # "must stay below 2/L = 0.1 with L = 20": SGD(lr=0.09) converges (in x), lr 0.11 diverges.
    steep_rare = cl.objective("10*(x - 7)**2 + (y - 3)**2/10")
    np.testing.assert_allclose(steep_rare.hess(np.array([0.0, 0.0])), np.diag([20.0, 0.2]), rtol=1e-12)
    L = np.linalg.eigvalsh(steep_rare.hess(np.array([0.0, 0.0]))).max()
    assert 2 / L == pytest.approx(0.1)

    def rare_y(x, t, rng):  # the notebook's gradient: y seen 1 step in 10
        return steep_rare.grad(x) * np.array([1.0, 1.0 if t % 10 == 0 else 0.0])

    for grad_fn in (rare_y, None):
        ok = cl.descend(steep_rare, SGD(lr=0.09), [0.0, 0.0], 300, grad_fn=grad_fn)
        bad = cl.descend(steep_rare, SGD(lr=0.11), [0.0, 0.0], 300, grad_fn=grad_fn)
        assert not ok.diverged and abs(ok.x[0] - 7) < 1e-10
        err = np.abs(ok.xs[:, 1] - 3)
        assert np.all(np.diff(err) <= 0) and err[-1] < err[0]  # the shallow coordinate creeps in, never away
        assert bad.diverged
        err_bad = np.abs(bad.xs[: bad.diverged_at, 0] - 7)
        assert err_bad[-1] > 1e3 * err_bad[0]  # |1 - 0.11 * 20| = 1.2 per step


def test_adam_step_after_a_long_silence_exceeds_lr():
    # notebooks/07_adaptive_methods.ipynb, cell 24 (pitfall E14): "For gradients of steady size |step| <~ lr; a
    # gradient that returns after a long silence can reach (1-b1)/sqrt(1-b2) lr ~ 3.16 lr (Kingma & Ba, 2.1)".
    lr, eps = 1e-3, 1e-8
    b1, b2 = Adam().betas
    assert (1 - b1) / np.sqrt(1 - b2) == pytest.approx(3.16, abs=0.005)

    opt = Adam(lr=lr)
    x, state, steps = np.zeros(1), opt.init(np.zeros(1)), []
    for t in range(1, 5001):
        g = np.array([1.0 if t in (1, 5000) else 0.0])
        x_new, state = opt.step(x, g, state)
        steps.append(abs(x_new - x)[0])
        x = x_new
    steps = np.array(steps)
    assert steps[0] == pytest.approx(lr * 1.0 / (1.0 + eps), rel=1e-12)  # first step = lr |g|/(|g| + eps) ~ lr
    assert 3.0 * lr < steps[-1] < 3.17 * lr  # t = 5000: about 3.14 lr
    assert steps[1:-1].max() < lr  # in the silence only the fading momentum moves x

    # steady gradients: every step is lr |g|/(|g| + eps) <= lr
    g_const = np.array([1.0, 0.2, 1e-3])
    x, state = np.zeros(3), opt.init(np.zeros(3))
    for _ in range(5000):
        x_new, state = opt.step(x, g_const, state)
        step = np.abs(x_new - x)
        assert np.all(step <= lr * (1 + 1e-6))
        x = x_new
    np.testing.assert_allclose(step, lr * g_const / (g_const + eps), rtol=1e-9)


def test_eps_position_for_a_constant_gradient_and_the_stored_table():
    # notebooks/07_adaptive_methods.ipynb, cells 37-38 (pitfall E43): with eps outside the root the step is
    # lr |g|/(|g| + eps) (close to lr while |g| >> eps, half at |g| = eps), inside it is lr |g|/sqrt(g^2 + eps) (the two
    # agree for |g| >> sqrt(eps) = 1e-4; inside shrinks like |g|/sqrt(eps) below it). Stored table (step/lr):
    #   |g| = 1, 1e-4, 1e-6, 1e-8 -> outside 1.000000 0.999900 0.990099 0.500000,
    #                                inside  1.000000 0.707107 0.010000 0.000100
    eps = 1e-8
    sizes = np.array([1.0, 1e-2, 1e-4, 1e-6, 1e-8])
    outside_formula = sizes / (sizes + eps)
    inside_formula = sizes / np.sqrt(sizes**2 + eps)
    stored = {1.0: (1.000000, 1.000000), 1e-4: (0.999900, 0.707107), 1e-6: (0.990099, 0.010000), 1e-8: (0.5, 0.0001)}
    for size, (out_printed, in_printed) in stored.items():
        k = int(np.flatnonzero(sizes == size)[0])
        assert outside_formula[k] == pytest.approx(out_printed, abs=5e-7)
        assert inside_formula[k] == pytest.approx(in_printed, abs=5e-7)

    # the optimizers, over 200 steps of the constant gradient (bias correction makes every step the same)
    for cls, formula in ((Adam, outside_formula), (AdamEpsInRoot, inside_formula)):
        opt = cls(lr=1.0)
        x, state = np.zeros(sizes.size), opt.init(np.zeros(sizes.size))
        for _ in range(200):
            x_new, state = opt.step(x, sizes, state)
            np.testing.assert_allclose(x - x_new, formula, rtol=1e-9)
            x = x_new
    assert outside_formula[-1] == pytest.approx(0.5, abs=1e-15)  # exactly half at |g| = eps
    assert np.all(outside_formula[:-1] > 0.99)  # close to lr down to |g| = 100 eps
    assert abs(outside_formula[1] - inside_formula[1]) < 1e-4  # |g| = 100 sqrt(eps): the two agree
    np.testing.assert_allclose(inside_formula[3:], sizes[3:] / np.sqrt(eps), rtol=1e-3)  # ~ |g|/sqrt(eps)


# ---------------------------------------------------------------------------------------------------------------
# Seed 003's three claims about Adagrad (section 1)
# ---------------------------------------------------------------------------------------------------------------


def test_an_adagrad_step_is_at_most_lr_per_coordinate_while_a_gradient_step_is_unbounded():
    rng = np.random.default_rng(3)
    grads = rng.standard_normal((200, 3)) * np.geomspace(1e-3, 1e3, 200)[:, None]
    for opt in (Adagrad(lr=0.7), Adagrad(lr=0.7, initial_accumulator_value=2.0)):
        x, state = np.zeros(3), opt.init(np.zeros(3))
        for g in grads:
            x_new, state = opt.step(x, g, state)
            assert np.all(np.abs(x_new - x) <= 0.7 * (1 + 1e-12))
            x = x_new
    step = SGD(lr=0.7).step(np.zeros(3), grads[-1], SGD().init(np.zeros(3)))[0]
    assert np.abs(step).max() > 100 * 0.7  # the bound is Adagrad's, not every rule's


def test_adagrad_on_the_bowl_never_diverges_but_a_timid_lr_is_never_made_up():
    # the notebook's table: nine learning rates from 0.01 to 100, 2000 steps from (-4, 1) on (x^2 + 25 y^2)/2
    bowl = cl.surface("ill_conditioned")
    lrs = np.geomspace(0.01, 100, 9)[:, None]
    ada = cl.descend(bowl, Adagrad(lr=lrs), [-4.0, 1.0], 2000)
    sgd = cl.descend(bowl, SGD(lr=lrs), [-4.0, 1.0], 2000)
    arrived = (np.linalg.norm(ada.xs, axis=-1) < 1e-6).any(axis=0)
    assert not ada.diverged.any()
    assert arrived.tolist() == [False] * 3 + [True] * 6  # eta <= 0.1 never arrives; 0.32 ... 100 all do
    assert (lrs[:, 0] < 2 / 25).tolist() == (~sgd.diverged).tolist()  # SGD: converges below 2/L, diverges above


def test_adagrad_cools_for_good_after_large_early_gradients_convex_or_not():
    wall = cl.objective("exp(-2*x) + (x - 20)**2/200")
    assert np.all(wall.hess(np.linspace(-5, 40, 50)[:, None]) > 0)  # convex
    assert abs(wall.grad(np.array([-3.0]))[0]) > 800 > 0.5 > abs(wall.grad(np.array([1.0]))[0])
    far = cl.descend(wall, Adagrad(lr=10.0), [-3.0], 1000)
    near = cl.descend(wall, Adagrad(lr=10.0), [1.0], 1000)
    rms = cl.descend(wall, RMSprop(lr=10.0), [-3.0], 1000)
    assert abs(far.x[0] - 20) > 5  # large early gradients: stuck far away
    assert abs(near.x[0] - 20) < 1e-10  # small early gradients: arrives
    assert abs(rms.x[0] - 20) < 1e-10  # RMSprop forgets the wall
    s = (wall.grad(far.xs[:-1]) ** 2).sum()
    assert 10 / np.sqrt(s) == pytest.approx(10 / np.sqrt(807.1**2), rel=0.01)  # about 0.012, set by the first step


# ---------------------------------------------------------------------------------------------------------------
# Diagonal preconditioners (section 5)
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [Adagrad(lr=1.0, eps=0.0), RMSprop(lr=0.1, eps=0.0), Adam(lr=0.1, eps=0.0)])
def test_adaptive_paths_ignore_a_constant_factor_in_a_coordinates_gradient(rule):
    aligned = cl.objective("(x**2 + 100*y**2)/2")
    round_bowl = cl.objective("(x**2 + y**2)/2")
    a = cl.descend(aligned, rule, [3.0, 1.0], 50)
    b = cl.descend(round_bowl, rule, [3.0, 1.0], 50)
    np.testing.assert_allclose(a.xs, b.xs, rtol=1e-12, atol=1e-14)
    with_eps = rule.replace(eps=1e-1)  # eps breaks the invariance (it is not scaled with the gradient)
    assert not np.allclose(
        cl.descend(aligned, with_eps, [3.0, 1.0], 50).xs, cl.descend(round_bowl, with_eps, [3.0, 1.0], 50).xs
    )
    sgd = SGD(lr=0.015)
    assert not np.allclose(cl.descend(aligned, sgd, [3.0, 1.0], 50).xs, cl.descend(round_bowl, sgd, [3.0, 1.0], 50).xs)


def _steps_to(f, rule, threshold=1e-8, steps=300):
    p = cl.descend(f, rule, [3.0, 1.0], steps)
    below = np.where(p.diverged, False, p.values < threshold)
    return np.where(below.any(axis=0), below.argmax(axis=0), 10**9).min()


def test_a_diagonal_preconditioner_fixes_axis_aligned_but_not_rotated_ill_conditioning():
    aligned = cl.objective("(x**2 + 100*y**2)/2")
    rotated = cl.objective("((x + y)**2 + 100*(x - y)**2)/4")
    np.testing.assert_allclose(np.linalg.eigvalsh(rotated.hess(np.zeros(2))), [1.0, 100.0])
    grid = np.geomspace(1e-3, 30, 19)[:, None]
    for rule in (Adagrad(lr=grid), RMSprop(lr=grid), Adam(lr=grid, betas=(0.0, 0.999))):
        assert _steps_to(aligned, rule) < 30  # along the axes: a few dozen steps at most
        assert _steps_to(rotated, rule) == 10**9  # turned: not within 300 steps at any lr of the grid
    assert _steps_to(aligned, SGD(lr=grid)) == _steps_to(rotated, SGD(lr=grid)) == 10**9
    adam = Adam(lr=grid)  # with momentum, Adam copes with both
    assert _steps_to(aligned, adam) < 300 and _steps_to(rotated, adam) < 300


# ---------------------------------------------------------------------------------------------------------------
# Reddi et al.'s counterexample and AMSGrad (section 6)
# ---------------------------------------------------------------------------------------------------------------


def _online(rule, steps=3000, C=3.0):
    x, state, xs, moves = np.zeros(1), rule.init(np.zeros(1)), [], []
    for t in range(1, steps + 1):
        g = np.array([C if t % 3 == 1 else -1.0])
        x_new, state = rule.replace(lr=rule.lr / np.sqrt(t)).step(x, g, state)
        x_new = np.clip(x_new, -1.0, 1.0)
        moves.append((x_new - x)[0] * np.sqrt(t) / rule.lr)
        x = x_new
        xs.append(x[0])
    return np.array(xs), np.array(moves)


def test_adam_ends_at_the_worst_point_and_amsgrad_at_the_best():
    adam, adam_moves = _online(Adam(lr=0.5, betas=(0.0, 0.1)))
    ams, ams_moves = _online(Adam(lr=0.5, betas=(0.0, 0.1), amsgrad=True))
    slow, _ = _online(Adam(lr=0.5, betas=(0.0, 0.999)))
    assert adam[-300:].mean() > 0.99  # x = +1: the worst point of [-1, 1] for the average loss x
    assert ams[-300:].mean() < -0.99 and slow[-300:].mean() < -0.99
    np.testing.assert_allclose(adam_moves[3:6], [-1.05, 0.76, 0.97], atol=0.006)  # one cycle: net drift up
    assert adam_moves[3:6].sum() > 0 > ams_moves[3:6].sum()
    np.testing.assert_allclose(ams_moves[3:6], [-1.05, 0.35, 0.35], atol=0.006)


def test_amsgrad_keeps_the_largest_v_and_adam_forgets_it():
    rule = Adam(lr=0.1, betas=(0.0, 0.1), amsgrad=True)
    x, state = np.zeros(1), rule.init(np.zeros(1))
    v_max = []
    for t in range(1, 30):
        x, state = rule.step(x, np.array([3.0 if t % 3 == 1 else -1.0]), state)
        v_max.append(state.v_max[0])
        assert state.v_max[0] >= state.v[0]
    assert np.all(np.diff(v_max) >= 0)
    assert state.v[0] < 0.5 * state.v_max[0]  # plain v has forgotten the large gradient


# ---------------------------------------------------------------------------------------------------------------
# The race (section 7): styles and steps to escape
# ---------------------------------------------------------------------------------------------------------------


def test_race_styles_tell_sgd_and_adam_apart_in_every_channel():
    from course_lib.viz.races import RACE_STYLES, race_style

    sgd, adam = race_style("SGD"), race_style("Adam (lr 0.05)")
    assert all(sgd[k] != adam[k] for k in ("color", "linestyle", "marker"))
    names = ["SGD", "Adam", "momentum", "Adagrad", "RMSprop", "Adadelta"]
    styles = [tuple(map(str, (RACE_STYLES[n]["linestyle"], RACE_STYLES[n]["marker"]))) for n in names]
    assert len(set(styles)) == len(names)  # distinct without colour
    assert race_style("unknown", 0) != race_style("unknown", 1)
    with pytest.raises(ValueError, match="label"):
        race_style(3)


def test_race_figure_draws_every_method_and_checks_steps():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.viz.races import race_figure

    problems = {"saddle": (cl.surface("saddle"), [-1.5, 0.05], (-2, 2), (-2, 2))}
    fig = plt.figure(layout="constrained")
    runs = race_figure(fig, problems, lambda title: {"SGD": SGD(lr=2e-3), "Adam": Adam(lr=0.05)}, steps=50)
    assert set(runs["saddle"]) == {"SGD", "Adam"} and len(fig.axes[0].lines) == 2
    assert len(fig.legends) == 1
    with pytest.raises(ValueError, match="steps"):
        race_figure(plt.figure(), problems, lambda title: {}, steps=0)
    plt.close("all")


def test_sgd_escapes_the_saddle_only_later_and_adaptive_methods_early():
    saddle = cl.surface("saddle")
    escape = {}
    for name, rule in {"SGD": SGD(lr=2e-3), "Adagrad": Adagrad(lr=0.5), "Adam": Adam(lr=0.05)}.items():
        out = np.abs(cl.descend(saddle, rule, [-1.5, 0.05], 2000).xs[:, 1]) > 2
        escape[name] = int(out.argmax()) if out.any() else None
    assert escape["Adagrad"] == 5 and escape["Adam"] == 35
    # SGD is not stuck for good: |y| grows by (1 + 2 lr) per step, so it leaves after log(40)/log(1.004) steps
    assert escape["SGD"] > 300 and escape["SGD"] == int(np.ceil(np.log(2 / 0.05) / np.log(1.004)))


# ---------------------------------------------------------------------------------------------------------------
# Conditions on section 3's units argument and section 6's AMSGrad claims
# ---------------------------------------------------------------------------------------------------------------


def test_one_adadelta_step_from_a_given_history_is_unit_free_but_a_run_from_u0_zero_is_not():
    from course_lib.optimizers import AdadeltaState

    c, rho = 10.0, 0.9
    f = cl.objective("3*(x - 2)**2")
    fz = cl.objective(f"3*({c}*z - 2)**2")  # the same function with x = c z
    x0 = np.array([0.5])
    gx, gz = f.grad(x0), fz.grad(x0 / c)
    # holds: eps = 0 and a history (u in x**2 units, v in g**2 units) carried over to z units
    u, v = np.array([0.04]), np.array([9.0])
    rule = Adadelta(rho=rho, eps=0.0)
    step_x = rule.step(x0, gx, AdadeltaState(v=v, u=u, t=1))[0] - x0
    step_z = rule.step(x0 / c, gz, AdadeltaState(v=c**2 * v, u=u / c**2, t=1))[0] - x0 / c
    assert c * step_z[0] == pytest.approx(step_x[0], rel=1e-12)
    # fails: a real run from u_0 = 0, where eps sets the first step's size in whatever unit x has
    run_x = cl.descend(f, Adadelta(), x0=x0, steps=50).xs[:, 0]
    run_z = cl.descend(fz, Adadelta(), x0=x0 / c, steps=50).xs[:, 0]
    assert abs(run_x[1] - run_x[0]) == pytest.approx(np.sqrt(1e-6 / (1 - rho)), rel=1e-3)
    assert abs(c * run_z[1] - c * run_z[0]) > 5 * abs(run_x[1] - run_x[0])  # not the same path in x units


def _effective_lrs(rule, grads):
    x, state, rates = np.zeros(1), rule.init(np.zeros(1)), []
    for g in grads:
        x_new, state = rule.step(x, np.array([g]), state)
        rates.append(((x - x_new) / g)[0])
        x = x_new
    return np.array(rates)


def test_amsgrad_effective_lr_never_grows_without_bias_correction_but_can_with_it():
    grads = [10.0] + [0.1] * 2999  # one large gradient, then small ones: v_max stays at its first value
    plain = _effective_lrs(Adam(lr=0.01, betas=(0.0, 0.999), eps=0.0, amsgrad=True, bias_correction=False), grads)
    assert np.all(np.diff(plain) <= 1e-12 * plain[:-1])  # up to round-off in (x - x_new) / g
    torch_like = _effective_lrs(Adam(lr=0.01, betas=(0.0, 0.999), eps=0.0, amsgrad=True), grads)
    assert torch_like[-1] > 20 * torch_like[0]  # the correction 1 - b2**t fades and the rate grows
    assert torch_like.max() / torch_like.min() <= 1 / np.sqrt(1 - 0.999) + 1e-9  # by at most 1/sqrt(1 - b2)


def test_reddi_counterexample_ends_at_plus_one_with_and_without_bias_correction():
    with_corr, _ = _online(Adam(lr=0.5, betas=(0.0, 0.1)))
    without, _ = _online(Adam(lr=0.5, betas=(0.0, 0.1), bias_correction=False))
    assert with_corr[-300:].mean() > 0.99 and without[-300:].mean() > 0.99
    assert 1 - 0.1**2 == pytest.approx(0.99)
