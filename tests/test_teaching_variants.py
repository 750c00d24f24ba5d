"""Teaching variants of course_lib.optimizers (the seeds' mistakes and the eps-inside-the-root conventions).

Each variant is checked against a hand-written formula, against the torch-semantics optimizer it modifies
(where they must agree and where they must differ), for purity, batching and input validation.
"""

import numpy as np
import pytest

import course_lib as cl
from course_lib.optimizers import (
    SGD,
    Adagrad,
    AdagradEpsInRoot,
    Adam,
    AdamEpsInRoot,
    DecoupledSGD,
    RMSprop,
    RMSpropEpsInRoot,
    SeedAdagrad,
    SeedAdam,
)

BOWL = cl.surface("bowl")


def frozen(a):
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


# ------------------------------------------------------------------------------------------------ SeedAdagrad


def test_seed_adagrad_first_steps_by_hand():
    opt = SeedAdagrad(value_fn=BOWL.value, lr=0.5, eps=0.0)
    x = np.zeros(2)
    state = opt.init(x)
    x1, state = opt.step(x, BOWL.grad(x), state)
    # f(0, 0) = 49 + 9 = 58; c = 0.5 * 58 = 29; step = 0.5 / sqrt(29) * 58 in both coordinates
    assert np.allclose(x1, -0.5 / np.sqrt(29) * 58 * np.ones(2))
    f1 = (x1[0] - 7) ** 2 + (x1[1] - 3) ** 2
    x2, state = opt.step(x1, BOWL.grad(x1), state)
    assert np.allclose(state.sum, 29 + 0.5 * f1)
    assert np.allclose(x2, x1 - 0.5 / np.sqrt(29 + 0.5 * f1) * f1)
    assert state.t == 2


def test_seed_adagrad_ignores_the_gradient_and_diverges_on_the_bowl():
    opt = SeedAdagrad(value_fn=BOWL.value, lr=0.5)
    state = opt.init(np.zeros(2))
    a, _ = opt.step(np.zeros(2), np.array([1.0, 2.0]), state)
    b, _ = opt.step(np.zeros(2), np.array([-5.0, 9.0]), state)
    assert np.array_equal(a, b)
    path = cl.descend(BOWL, opt, [0.0, 0.0], 60)
    assert path.diverged
    correct = cl.descend(BOWL, Adagrad(lr=0.5), [0.0, 0.0], 2000)
    assert np.allclose(correct.x, [7.0, 3.0], atol=1e-6)


def test_seed_adagrad_batches_and_purity():
    opt = SeedAdagrad(value_fn=BOWL.value, lr=np.array([[0.1], [0.5]]))
    x = frozen([[0.0, 0.0], [1.0, 2.0]])
    state = opt.init(x)
    x1, state1 = opt.step(x, frozen(BOWL.grad(x)), state)
    for i, lr in enumerate([0.1, 0.5]):
        single = SeedAdagrad(value_fn=BOWL.value, lr=lr)
        xi, _ = single.step(x[i], BOWL.grad(x[i]), single.init(x[i]))
        assert np.allclose(x1[i], xi)
    assert np.all(state.sum == 0)


def test_seed_adagrad_negative_accumulator_gives_nan_flagged_by_descend():
    f = cl.objective("x**2 + y**2 - 10")
    path = cl.descend(f, SeedAdagrad(value_fn=f.value, lr=0.1), [1.0, 1.0], 5)
    assert path.diverged and path.diverged_at == 1


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"value_fn": None}, "value_fn"),
        ({"value_fn": 3.0}, "value_fn"),
        ({"value_fn": BOWL.value, "lr": -1}, "lr"),
    ],
)
def test_seed_adagrad_validates(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SeedAdagrad(**kwargs)


# ------------------------------------------------------------------------------------------------ SeedAdam


def seed_adam_ratio(t, beta1=0.9, beta2=0.999):
    return (1 - beta1**t) / (1 - beta1) / np.sqrt((1 - beta2**t) / (1 - beta2))


def run_steps(opt, g, steps):
    x = np.zeros_like(g)
    state = opt.init(x)
    sizes = []
    for _ in range(steps):
        x_new, state = opt.step(x, g, state)
        sizes.append(np.abs(x_new - x))
        x = x_new
    return np.array(sizes)


def test_seed_adam_step_ratio_with_constant_gradient():
    g = np.array([0.3, -2.0])
    correct = run_steps(Adam(lr=0.01, eps=0.0), g, 3000)
    seed = run_steps(SeedAdam(lr=0.01, eps=0.0), g, 3000)
    assert np.allclose(correct, 0.01)  # a constant gradient gives steps of exactly lr
    ratio = seed[:, 0] / correct[:, 0]
    assert ratio[0] == pytest.approx(1.0)
    assert ratio[1] == pytest.approx(1.9 / np.sqrt(1.999))
    assert ratio[9] == pytest.approx(seed_adam_ratio(10))
    assert 1.34 < ratio[1] < 1.35 and 2.06 < ratio[9] < 2.07
    assert ratio[-1] == pytest.approx(np.sqrt(0.001) / 0.1, rel=0.06)


def test_seed_adam_keeps_adam_state_and_weight_decay():
    opt = SeedAdam(lr=0.1, weight_decay=0.5)
    x, g = frozen([1.0, -2.0]), frozen([2.0, -8.0])
    x1, s1 = opt.step(x, g, opt.init(x))
    assert np.allclose(s1.m, 0.1 * (g + 0.5 * x))
    with pytest.raises(ValueError, match="betas"):
        SeedAdam(betas=(1.0, 0.9))


# ------------------------------------------------------------------------------------- eps in the root


@pytest.mark.parametrize("magnitude", [1.0, 1e-4, 1e-6, 1e-8])
def test_eps_inside_versus_outside_first_step(magnitude):
    g = np.array([magnitude, -magnitude])
    x = np.zeros(2)
    eps = 1e-8
    outside = Adam(lr=1.0, eps=eps).step(x, g, Adam().init(x))[0]
    inside = AdamEpsInRoot(lr=1.0, eps=eps).step(x, g, Adam().init(x))[0]
    assert np.allclose(-outside, np.sign(g) * magnitude / (magnitude + eps))
    assert np.allclose(-inside, np.sign(g) * magnitude / np.sqrt(magnitude**2 + eps))
    for opt_out, opt_in in [(RMSprop(lr=1.0, eps=eps), RMSpropEpsInRoot(lr=1.0, eps=eps))]:
        v = 0.01 * magnitude**2
        step_out = opt_out.step(x, g, opt_out.init(x))[0]
        step_in = opt_in.step(x, g, opt_in.init(x))[0]
        assert np.allclose(-step_out, g / (np.sqrt(v) + eps))
        assert np.allclose(-step_in, g / np.sqrt(v + eps))
    a_out = Adagrad(lr=1.0, eps=eps).step(x, g, Adagrad().init(x))[0]
    a_in = AdagradEpsInRoot(lr=1.0, eps=eps).step(x, g, Adagrad().init(x))[0]
    assert np.allclose(-a_out, g / (np.abs(g) + eps))
    assert np.allclose(-a_in, g / np.sqrt(g**2 + eps))


def test_eps_inside_agrees_for_large_gradients_and_differs_for_tiny_ones():
    x = np.zeros(2)
    big, tiny = np.array([3.0, -1.0]), np.array([1e-6, -1e-6])
    for out_cls, in_cls in [(Adam, AdamEpsInRoot), (RMSprop, RMSpropEpsInRoot), (Adagrad, AdagradEpsInRoot)]:
        o, i = out_cls(lr=0.1), in_cls(lr=0.1)
        assert np.allclose(o.step(x, big, o.init(x))[0], i.step(x, big, i.init(x))[0], rtol=1e-6)
        assert not np.allclose(o.step(x, tiny, o.init(x))[0], i.step(x, tiny, i.init(x))[0], rtol=0.1)


def test_rmsprop_eps_inside_centered_and_momentum_branches():
    opt = RMSpropEpsInRoot(lr=0.1, alpha=0.9, eps=1e-4, momentum=0.5, centered=True)
    x, g = frozen([1.0, -2.0]), frozen([2.0, -8.0])
    x1, s = opt.step(x, g, opt.init(x))
    v, avg = 0.1 * g**2, 0.1 * g
    assert np.allclose(x1, x - 0.1 * g / np.sqrt(v - avg**2 + 1e-4))
    assert np.allclose(s.buf, g / np.sqrt(v - avg**2 + 1e-4))


def test_adam_eps_inside_without_bias_correction():
    opt = AdamEpsInRoot(lr=0.1, bias_correction=False, eps=1e-4)
    x, g = np.zeros(2), np.array([2.0, -8.0])
    x1, _ = opt.step(x, g, opt.init(x))
    assert np.allclose(x1, -0.1 * 0.1 * g / np.sqrt(0.001 * g**2 + 1e-4))


# ------------------------------------------------------------------------------------- DecoupledSGD


def test_decoupled_sgd_equals_l2_sgd_with_rescaled_coefficient():
    lr, lam = 0.05, 0.01
    f = cl.objective("(x - 3)**2 + 4*(y + 1)**2")
    a = cl.descend(f, DecoupledSGD(lr=lr, weight_decay=lam), [1.0, 2.0], 200)
    b = cl.descend(f, SGD(lr=lr, weight_decay=lam / lr), [1.0, 2.0], 200)
    c = cl.descend(f, SGD(lr=lr, weight_decay=lam), [1.0, 2.0], 200)
    assert np.max(np.abs(a.xs - b.xs)) < 1e-12
    assert np.max(np.abs(a.xs - c.xs)) > 0.1


def test_decoupled_sgd_by_hand_and_validation():
    opt = DecoupledSGD(lr=0.1, weight_decay=0.2)
    x, g = frozen([1.0, -2.0]), frozen([2.0, -8.0])
    x1, s = opt.step(x, g, opt.init(x))
    assert np.allclose(x1, 0.8 * x - 0.1 * g) and s.t == 1
    with pytest.raises(ValueError, match="weight_decay"):
        DecoupledSGD(weight_decay=1.5)
    with pytest.raises(ValueError, match="lr"):
        DecoupledSGD(lr=-0.1)
