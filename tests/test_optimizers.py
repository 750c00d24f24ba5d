"""Update rules of course_lib.optimizers: shared properties, hand-computed steps and input validation.

The hand-computed tests use the quadratic f(x) = x1**2 + 2*x2**2, whose gradient is g = (2*x1, 4*x2), and
the start x = (1, -2), where g = (2, -8). Every expected number is written out as arithmetic on these values.
"""

import dataclasses
import math

import numpy as np
import pytest

import course_lib as cl
from course_lib.optimizers import SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop

# One or two settings per rule, covering the branches (momentum, nesterov, centered, weight decay).
EVERY_OPTIMIZER = [
    pytest.param(SGD(lr=0.1), id="SGD"),
    pytest.param(SGD(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01), id="SGD-momentum"),
    pytest.param(SGD(lr=0.1, momentum=0.9, nesterov=True), id="SGD-nesterov"),
    pytest.param(Adagrad(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1), id="Adagrad"),
    pytest.param(RMSprop(), id="RMSprop"),
    pytest.param(RMSprop(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1), id="RMSprop-centered"),
    pytest.param(Adadelta(), id="Adadelta"),
    pytest.param(Adam(lr=0.1), id="Adam"),
    pytest.param(Adam(lr=0.1, bias_correction=False, weight_decay=0.1), id="Adam-uncorrected"),
    pytest.param(AdamW(lr=0.1), id="AdamW"),
]
OPTIMIZER_CLASSES = [SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW]


def quadratic_grad(x):
    """Gradient of f(x) = x1**2 + 2*x2**2 on any batch of points."""
    return np.asarray(x) * np.array([2.0, 4.0])


def state_arrays(state):
    """The array fields of a state, by name."""
    fields = state._asdict() if hasattr(state, "_asdict") else dataclasses.asdict(state)
    return {name: value for name, value in fields.items() if isinstance(value, np.ndarray)}


def frozen_copy(tree):
    """Read-only copies: an in-place update of an input then raises instead of passing silently."""
    if isinstance(tree, np.ndarray):
        copy = tree.copy()
        copy.flags.writeable = False
        return copy
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return type(tree)(*(frozen_copy(v) for v in tree))
    if dataclasses.is_dataclass(tree):
        return dataclasses.replace(tree, **{k: frozen_copy(v) for k, v in state_arrays(tree).items()})
    return tree


# ------------------------------------------------------------------------------------------------------------
# One parametrized test over every rule
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [(), (3,), (4, 5)], ids=["single", "batch3", "batch4x5"])
@pytest.mark.parametrize("opt", EVERY_OPTIMIZER)
def test_every_optimizer_shapes_purity_state_determinism(opt, batch):
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=(*batch, 2))
    state = opt.init(x)

    # The state is a typed record with named fields, never a dict keyed by strings.
    assert not isinstance(state, dict)
    is_namedtuple = isinstance(state, tuple) and hasattr(type(state), "_fields")
    is_frozen_dataclass = dataclasses.is_dataclass(state) and type(state).__dataclass_params__.frozen
    assert is_namedtuple or is_frozen_dataclass, type(state)
    assert state_arrays(state), "the state should hold at least one array (a moment, a buffer, a sum)"

    for _ in range(3):
        g = quadratic_grad(x)
        x_in, g_in, state_in = frozen_copy(x), frozen_copy(g), frozen_copy(state)
        x_keep, g_keep = x.copy(), g.copy()
        keep_state = {k: v.copy() for k, v in state_arrays(state_in).items()}

        x_next, state_next = opt.step(x_in, g_in, state_in)

        # Inputs untouched (the read-only flags would also have raised on an in-place update).
        np.testing.assert_array_equal(x_in, x_keep)
        np.testing.assert_array_equal(g_in, g_keep)
        for name, value in state_arrays(state_in).items():
            np.testing.assert_array_equal(value, keep_state[name], err_msg=f"state.{name} was modified")
        # The new point is a new array, not a view of the inputs that a later update could change.
        assert x_next is not x_in
        assert not np.shares_memory(x_next, x_in)
        assert not np.shares_memory(x_next, g_in)

        # Shapes kept, finite float64 results, same type of state.
        assert x_next.shape == x.shape
        assert x_next.dtype == np.float64
        assert np.all(np.isfinite(x_next))
        assert type(state_next) is type(state)
        for name, value in state_arrays(state_next).items():
            assert value.shape == x.shape, f"state.{name} has shape {value.shape}"
            assert np.all(np.isfinite(value)), f"state.{name} is not finite"

        # Deterministic: the same inputs give bit-identical outputs.
        x_again, state_again = opt.step(x_in, g_in, state_in)
        np.testing.assert_array_equal(x_again, x_next)
        for name, value in state_arrays(state_next).items():
            np.testing.assert_array_equal(state_arrays(state_again)[name], value)

        x, state = x_next, state_next


@pytest.mark.parametrize("opt", EVERY_OPTIMIZER)
def test_batch_rows_are_independent_trajectories(opt):
    """A batch of starts gives the same result as running each start alone."""
    rng = np.random.default_rng(1)
    starts = rng.uniform(-3, 3, size=(4, 2))
    batch, state = starts, opt.init(starts)
    for _ in range(5):
        batch, state = opt.step(batch, quadratic_grad(batch), state)
    for i, start in enumerate(starts):
        x, s = start, opt.init(start)
        for _ in range(5):
            x, s = opt.step(x, quadratic_grad(x), s)
        np.testing.assert_allclose(batch[i], x, rtol=1e-14, atol=0)


@pytest.mark.parametrize("cls", OPTIMIZER_CLASSES)
def test_zero_learning_rate_does_not_move(cls):
    opt = cls(lr=0.0)
    x = np.array([1.0, -2.0])
    point, state = x, opt.init(x)
    for _ in range(4):
        point, state = opt.step(point, quadratic_grad(point), state)
    np.testing.assert_array_equal(point, x)


def test_optimizers_are_exposed_on_the_package():
    for cls in OPTIMIZER_CLASSES:
        assert getattr(cl.optimizers, cls.__name__) is cls


@pytest.mark.parametrize("cls", OPTIMIZER_CLASSES)
def test_hyperparameters_are_frozen(cls):
    opt = cls(lr=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.lr = 0.2


def test_replace_changes_and_validates():
    opt = SGD(lr=0.1, momentum=0.9)
    faster = opt.replace(lr=0.5)
    assert faster.lr == 0.5 and faster.momentum == 0.9
    assert opt.lr == 0.1
    with pytest.raises(ValueError, match="lr"):
        opt.replace(lr=-1.0)


# ------------------------------------------------------------------------------------------------------------
# Hand-computed one- and two-step values
# ------------------------------------------------------------------------------------------------------------

X0 = np.array([1.0, -2.0])  # g(X0) = (2*1, 4*(-2)) = (2, -8)


def two_steps(opt, x0=X0):
    """Run two steps on f = x1**2 + 2*x2**2 and return (x1, x2)."""
    state = opt.init(x0)
    x1, state = opt.step(x0, quadratic_grad(x0), state)
    x2, _ = opt.step(x1, quadratic_grad(x1), state)
    return x1, x2


def close(actual, expected):
    np.testing.assert_allclose(actual, np.array(expected, dtype=np.float64), rtol=1e-12, atol=1e-15)


def test_sgd_plain_by_hand():
    x1, x2 = two_steps(SGD(lr=0.1))
    # x1 = x0 - 0.1*(2, -8) = (0.8, -1.2); g1 = (1.6, -4.8); x2 = x1 - 0.1*g1
    close(x1, [1 - 0.1 * 2, -2 - 0.1 * -8])
    close(x1, [0.8, -1.2])
    close(x2, [0.8 - 0.1 * 1.6, -1.2 - 0.1 * -4.8])
    close(x2, [0.64, -0.72])


def test_sgd_momentum_with_dampening_by_hand():
    x1, x2 = two_steps(SGD(lr=0.1, momentum=0.9, dampening=0.5))
    # step 1: the buffer starts as the first gradient, with no dampening: b1 = (2, -8)
    close(x1, [1 - 0.1 * 2, -2 - 0.1 * -8])  # (0.8, -1.2)
    # step 2: g1 = (1.6, -4.8); b2 = 0.9*b1 + (1 - 0.5)*g1 = (1.8 + 0.8, -7.2 - 2.4) = (2.6, -9.6)
    b2 = [0.9 * 2 + 0.5 * 1.6, 0.9 * -8 + 0.5 * -4.8]
    close(b2, [2.6, -9.6])
    close(x2, [0.8 - 0.1 * 2.6, -1.2 - 0.1 * -9.6])  # (0.54, -0.24)


def test_sgd_momentum_without_dampening_by_hand():
    x1, x2 = two_steps(SGD(lr=0.1, momentum=0.9))
    # b1 = (2, -8); x1 = (0.8, -1.2); g1 = (1.6, -4.8); b2 = 0.9*b1 + g1 = (3.4, -12.0)
    close(x1, [0.8, -1.2])
    close(x2, [0.8 - 0.1 * (0.9 * 2 + 1.6), -1.2 - 0.1 * (0.9 * -8 - 4.8)])  # (0.46, 0.0)


def test_sgd_nesterov_by_hand():
    x1, x2 = two_steps(SGD(lr=0.1, momentum=0.9, nesterov=True))
    # step 1: b1 = g0 = (2, -8); direction = g0 + 0.9*b1 = (3.8, -15.2); x1 = (0.62, -0.48)
    close(x1, [1 - 0.1 * (2 + 0.9 * 2), -2 - 0.1 * (-8 + 0.9 * -8)])
    close(x1, [0.62, -0.48])
    # step 2: g1 = (1.24, -1.92); b2 = 0.9*b1 + g1 = (3.04, -9.12); direction = g1 + 0.9*b2 = (3.976, -10.128)
    close(x2, [0.62 - 0.1 * (1.24 + 0.9 * 3.04), -0.48 - 0.1 * (-1.92 + 0.9 * -9.12)])
    close(x2, [0.2224, 0.5328])


def test_sgd_weight_decay_by_hand():
    x1, x2 = two_steps(SGD(lr=0.1, weight_decay=0.5))
    # step 1: g + 0.5*x = (2 + 0.5, -8 - 1) = (2.5, -9); x1 = (0.75, -1.1)
    close(x1, [1 - 0.1 * 2.5, -2 - 0.1 * -9])
    # step 2: g1 + 0.5*x1 = (1.5 + 0.375, -4.4 - 0.55) = (1.875, -4.95); x2 = (0.5625, -0.605)
    close(x2, [0.75 - 0.1 * 1.875, -1.1 - 0.1 * -4.95])
    close(x2, [0.5625, -0.605])


def test_adagrad_defaults_first_step_moves_each_coordinate_by_lr():
    x1, _ = two_steps(Adagrad())  # lr = 0.01, sum starts at 0
    # s1 = g0**2 = (4, 64); x1 = x0 - 0.01*g0/(sqrt(s1) + 1e-10) = x0 - 0.01*(2/2, -8/8)
    close(x1, [1 - 0.01 * 2 / (2 + 1e-10), -2 - 0.01 * -8 / (8 + 1e-10)])
    close(x1, [0.99, -1.99])


def test_adagrad_lr_decay_and_initial_accumulator_by_hand():
    x1, x2 = two_steps(Adagrad(lr=0.1, lr_decay=0.5, initial_accumulator_value=1.0))
    eps = 1e-10
    # step 1 (t = 1): lr_1 = 0.1/(1 + 0*0.5) = 0.1; s1 = 1 + g0**2 = (5, 65)
    a1 = 1 - 0.1 * 2 / (math.sqrt(5) + eps)
    b1 = -2 - 0.1 * -8 / (math.sqrt(65) + eps)
    close(x1, [a1, b1])
    # step 2 (t = 2): lr_2 = 0.1/(1 + 1*0.5); g1 = (2*a1, 4*b1); s2 = s1 + g1**2
    lr_2 = 0.1 / 1.5
    a2 = a1 - lr_2 * (2 * a1) / (math.sqrt(5 + (2 * a1) ** 2) + eps)
    b2 = b1 - lr_2 * (4 * b1) / (math.sqrt(65 + (4 * b1) ** 2) + eps)
    close(x2, [a2, b2])


def test_adagrad_weight_decay_by_hand():
    x1, _ = two_steps(Adagrad(lr=0.1, weight_decay=0.5))
    # g + 0.5*x = (2.5, -9); s1 = (6.25, 81); x1 = x0 - 0.1*(2.5/2.5, -9/9)
    close(x1, [1 - 0.1 * 2.5 / (2.5 + 1e-10), -2 - 0.1 * -9 / (9 + 1e-10)])


def test_rmsprop_defaults_by_hand():
    x1, x2 = two_steps(RMSprop())  # lr = 0.01, alpha = 0.99, eps = 1e-8
    eps = 1e-8
    # step 1: v1 = 0.01*g0**2 = (0.04, 0.64); sqrt(v1) = (0.2, 0.8); g0/sqrt(v1) = (10, -10)
    close(x1, [1 - 0.01 * 2 / (0.2 + eps), -2 - 0.01 * -8 / (0.8 + eps)])  # about (0.9, -1.9)
    a1, b1 = x1
    # step 2: g1 = (2*a1, 4*b1); v2 = 0.99*v1 + 0.01*g1**2
    va = 0.99 * 0.04 + 0.01 * (2 * a1) ** 2
    vb = 0.99 * 0.64 + 0.01 * (4 * b1) ** 2
    close(x2, [a1 - 0.01 * 2 * a1 / (math.sqrt(va) + eps), b1 - 0.01 * 4 * b1 / (math.sqrt(vb) + eps)])


def test_rmsprop_centered_with_momentum_by_hand():
    x1, x2 = two_steps(RMSprop(lr=0.01, alpha=0.9, momentum=0.5, centered=True))
    eps = 1e-8
    # step 1: v1 = 0.1*g0**2 = (0.4, 6.4); mean1 = 0.1*g0 = (0.2, -0.8)
    # sqrt(v1 - mean1**2) = sqrt(0.36, 5.76) = (0.6, 2.4); buffer b1 = g0/(0.6, 2.4) = (10/3, -10/3)
    ba1, bb1 = 2 / (0.6 + eps), -8 / (2.4 + eps)
    close(x1, [1 - 0.01 * ba1, -2 - 0.01 * bb1])
    a1, b1 = 1 - 0.01 * ba1, -2 - 0.01 * bb1
    # step 2: g1 = (2*a1, 4*b1); v2 = 0.9*v1 + 0.1*g1**2; mean2 = 0.9*mean1 + 0.1*g1;
    # b2 = 0.5*b1 + g1/sqrt(v2 - mean2**2)
    ga, gb = 2 * a1, 4 * b1
    va, vb = 0.9 * 0.4 + 0.1 * ga**2, 0.9 * 6.4 + 0.1 * gb**2
    ma, mb = 0.9 * 0.2 + 0.1 * ga, 0.9 * -0.8 + 0.1 * gb
    ba2 = 0.5 * ba1 + ga / (math.sqrt(va - ma**2) + eps)
    bb2 = 0.5 * bb1 + gb / (math.sqrt(vb - mb**2) + eps)
    close(x2, [a1 - 0.01 * ba2, b1 - 0.01 * bb2])


def test_rmsprop_momentum_not_centered_by_hand():
    x1, x2 = two_steps(RMSprop(lr=0.01, alpha=0.9, momentum=0.5))
    eps = 1e-8
    # step 1: v1 = (0.4, 6.4); b1 = g0/(sqrt(v1) + eps)
    ba1, bb1 = 2 / (math.sqrt(0.4) + eps), -8 / (math.sqrt(6.4) + eps)
    a1, b1 = 1 - 0.01 * ba1, -2 - 0.01 * bb1
    close(x1, [a1, b1])
    ga, gb = 2 * a1, 4 * b1
    ba2 = 0.5 * ba1 + ga / (math.sqrt(0.9 * 0.4 + 0.1 * ga**2) + eps)
    bb2 = 0.5 * bb1 + gb / (math.sqrt(0.9 * 6.4 + 0.1 * gb**2) + eps)
    close(x2, [a1 - 0.01 * ba2, b1 - 0.01 * bb2])


def test_adadelta_by_hand():
    x1, x2 = two_steps(Adadelta())  # lr = 1, rho = 0.9, eps = 1e-6
    eps = 1e-6
    # step 1: v1 = 0.1*g0**2 = (0.4, 6.4); u0 = 0; d1 = sqrt(0 + eps)/sqrt(v1 + eps) * g0; u1 = 0.1*d1**2
    da1 = math.sqrt(eps) / math.sqrt(0.4 + eps) * 2
    db1 = math.sqrt(eps) / math.sqrt(6.4 + eps) * -8
    a1, b1 = 1 - da1, -2 - db1
    close(x1, [a1, b1])
    # step 2: g1 = (2*a1, 4*b1); v2 = 0.9*v1 + 0.1*g1**2; d2 = sqrt(u1 + eps)/sqrt(v2 + eps) * g1
    ga, gb = 2 * a1, 4 * b1
    da2 = math.sqrt(0.1 * da1**2 + eps) / math.sqrt(0.9 * 0.4 + 0.1 * ga**2 + eps) * ga
    db2 = math.sqrt(0.1 * db1**2 + eps) / math.sqrt(0.9 * 6.4 + 0.1 * gb**2 + eps) * gb
    close(x2, [a1 - da2, b1 - db2])


def test_adadelta_lr_and_weight_decay_by_hand():
    x1, _ = two_steps(Adadelta(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.5))
    eps = 1e-4
    # g + 0.5*x = (2.5, -9); v1 = 0.5*(6.25, 81); d1 = sqrt(eps)/sqrt(v1 + eps) * (2.5, -9); x1 = x0 - 0.5*d1
    da1 = math.sqrt(eps) / math.sqrt(0.5 * 6.25 + eps) * 2.5
    db1 = math.sqrt(eps) / math.sqrt(0.5 * 81 + eps) * -9
    close(x1, [1 - 0.5 * da1, -2 - 0.5 * db1])


def test_adam_by_hand():
    x1, x2 = two_steps(Adam(lr=0.1))  # betas (0.9, 0.999), eps 1e-8
    eps = 1e-8
    # step 1: m1 = 0.1*g0 = (0.2, -0.8); v1 = 0.001*g0**2 = (0.004, 0.064)
    # bias correction: m1/(1 - 0.9) = g0, v1/(1 - 0.999) = g0**2,
    # so x1 = x0 - 0.1*g0/(|g0| + eps), about (0.9, -1.9)
    close(x1, [1 - 0.1 * 2 / (2 + eps), -2 - 0.1 * -8 / (8 + eps)])
    a1, b1 = x1
    # step 2: g1 = (2*a1, 4*b1); m2 = 0.9*m1 + 0.1*g1; v2 = 0.999*v1 + 0.001*g1**2
    ga, gb = 2 * a1, 4 * b1
    ma, mb = 0.9 * 0.2 + 0.1 * ga, 0.9 * -0.8 + 0.1 * gb
    va, vb = 0.999 * 0.004 + 0.001 * ga**2, 0.999 * 0.064 + 0.001 * gb**2
    c1, c2 = 1 - 0.9**2, 1 - 0.999**2  # 0.19 and 0.001999
    close(
        x2,
        [
            a1 - 0.1 * (ma / c1) / (math.sqrt(va / c2) + eps),
            b1 - 0.1 * (mb / c1) / (math.sqrt(vb / c2) + eps),
        ],
    )


def test_adam_without_bias_correction_by_hand():
    x1, x2 = two_steps(Adam(lr=0.1, bias_correction=False))
    eps = 1e-8
    # step 1 uses m1 = (0.2, -0.8) and v1 = (0.004, 0.064) as they are:
    # the step is 0.1*0.2/sqrt(0.004), about 0.316
    close(x1, [1 - 0.1 * 0.2 / (math.sqrt(0.004) + eps), -2 - 0.1 * -0.8 / (math.sqrt(0.064) + eps)])
    a1, b1 = x1
    ga, gb = 2 * a1, 4 * b1
    ma, mb = 0.9 * 0.2 + 0.1 * ga, 0.9 * -0.8 + 0.1 * gb
    va, vb = 0.999 * 0.004 + 0.001 * ga**2, 0.999 * 0.064 + 0.001 * gb**2
    close(x2, [a1 - 0.1 * ma / (math.sqrt(va) + eps), b1 - 0.1 * mb / (math.sqrt(vb) + eps)])
    # and the uncorrected first step is larger than the corrected one (0.316 against 0.1)
    corrected, _ = two_steps(Adam(lr=0.1))
    assert abs(x1[0] - 1) > abs(corrected[0] - 1)


def test_adam_weight_decay_is_added_to_the_gradient():
    x1, _ = two_steps(Adam(lr=0.1, betas=(0.5, 0.9), weight_decay=0.5))
    eps = 1e-8
    # g + 0.5*x = (2.5, -9): after bias correction m1_hat = (2.5, -9), v1_hat = (6.25, 81)
    close(x1, [1 - 0.1 * 2.5 / (2.5 + eps), -2 - 0.1 * -9 / (9 + eps)])


def test_adamw_decoupled_decay_by_hand():
    x1, x2 = two_steps(AdamW(lr=0.1, weight_decay=0.5))
    eps = 1e-8
    # step 1: the gradient is taken at x0: g0 = (2, -8). First x0*(1 - 0.1*0.5) = (0.95, -1.9),
    # then the Adam step with g0 (bias corrected: g0/(|g0| + eps)): x1 = (0.85, -1.8)
    close(x1, [1 * (1 - 0.05) - 0.1 * 2 / (2 + eps), -2 * (1 - 0.05) - 0.1 * -8 / (8 + eps)])
    a1, b1 = x1
    # step 2: g1 = (2*a1, 4*b1) at x1 (before its decay); m2, v2 as in Adam
    ga, gb = 2 * a1, 4 * b1
    ma, mb = 0.9 * 0.2 + 0.1 * ga, 0.9 * -0.8 + 0.1 * gb
    va, vb = 0.999 * 0.004 + 0.001 * ga**2, 0.999 * 0.064 + 0.001 * gb**2
    c1, c2 = 1 - 0.9**2, 1 - 0.999**2
    close(
        x2,
        [
            a1 * 0.95 - 0.1 * (ma / c1) / (math.sqrt(va / c2) + eps),
            b1 * 0.95 - 0.1 * (mb / c1) / (math.sqrt(vb / c2) + eps),
        ],
    )


def test_adamw_default_weight_decay_differs_from_adam():
    assert AdamW().weight_decay == pytest.approx(1e-2)
    assert Adam().weight_decay == 0
    adamw, _ = two_steps(AdamW(lr=0.1))
    adam, _ = two_steps(Adam(lr=0.1))
    close(adamw, adam - 0.1 * 1e-2 * X0)  # the decoupled shrink lr*wd*x0 is the only difference on step 1


@pytest.mark.parametrize(
    ("cls", "defaults"),
    [
        (SGD, {"momentum": 0, "dampening": 0, "nesterov": False, "weight_decay": 0}),
        (
            Adagrad,
            {"lr": 1e-2, "lr_decay": 0, "weight_decay": 0, "initial_accumulator_value": 0, "eps": 1e-10},
        ),
        (
            RMSprop,
            {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": False},
        ),
        (Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0}),
        (Adam, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0}),
        (AdamW, {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}),
    ],
)
def test_torch_defaults(cls, defaults):
    opt = cls() if "lr" in defaults else cls(lr=0.1)
    for name, value in defaults.items():
        assert getattr(opt, name) == value, name


# ------------------------------------------------------------------------------------------------------------
# Input validation
# ------------------------------------------------------------------------------------------------------------

BAD = [
    (SGD, {"lr": -0.1}, "lr"),
    (SGD, {"lr": float("nan")}, "lr"),
    (SGD, {"lr": float("inf")}, "lr"),
    (SGD, {"lr": np.array([[0.1], [-0.5]])}, "lr"),
    (SGD, {"lr": 0.1, "momentum": -0.1}, "momentum"),
    (SGD, {"lr": 0.1, "momentum": 1.5}, "momentum"),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": -0.5}, "dampening"),
    (SGD, {"lr": 0.1, "weight_decay": -1e-3}, "weight_decay"),
    (SGD, {"lr": 0.1, "nesterov": True}, "nesterov"),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}, "nesterov"),
    (SGD, {"lr": 0.1, "momentum": np.array([[0.9], [0.0]]), "nesterov": True}, "nesterov"),
    (Adagrad, {"lr": -1.0}, "lr"),
    (Adagrad, {"lr_decay": -0.1}, "lr_decay"),
    (Adagrad, {"weight_decay": -0.1}, "weight_decay"),
    (Adagrad, {"eps": -1e-10}, "eps"),
    (Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    (RMSprop, {"lr": -1e-2}, "lr"),
    (RMSprop, {"alpha": 1.01}, "alpha"),
    (RMSprop, {"alpha": -0.01}, "alpha"),
    (RMSprop, {"eps": -1e-8}, "eps"),
    (RMSprop, {"momentum": 2.0}, "momentum"),
    (RMSprop, {"momentum": -0.5}, "momentum"),
    (RMSprop, {"weight_decay": -1.0}, "weight_decay"),
    (Adadelta, {"lr": -1.0}, "lr"),
    (Adadelta, {"rho": 1.5}, "rho"),
    (Adadelta, {"rho": -0.5}, "rho"),
    (Adadelta, {"eps": -1e-6}, "eps"),
    (Adadelta, {"weight_decay": -1.0}, "weight_decay"),
    (Adam, {"lr": -1e-3}, "lr"),
    (Adam, {"lr": float("nan")}, "lr"),
    (Adam, {"betas": (1.0, 0.999)}, "betas"),
    (Adam, {"betas": (-0.1, 0.999)}, "betas"),
    (Adam, {"betas": (0.9, 1.0)}, "betas"),
    (Adam, {"betas": (0.9, -0.5)}, "betas"),
    (Adam, {"betas": (0.9, float("nan"))}, "betas"),
    (Adam, {"eps": -1e-8}, "eps"),
    (Adam, {"weight_decay": -0.1}, "weight_decay"),
    (AdamW, {"lr": -1e-3}, "lr"),
    (AdamW, {"betas": (1.2, 0.999)}, "betas"),
    (AdamW, {"betas": (0.9, 1.5)}, "betas"),
    (AdamW, {"eps": -1.0}, "eps"),
    (AdamW, {"weight_decay": -1e-2}, "weight_decay"),
    (AdamW, {"weight_decay": np.array([0.1, -0.1])}, "weight_decay"),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "name"), BAD, ids=[f"{c.__name__}-{n}-{i}" for i, (c, _, n) in enumerate(BAD)]
)
def test_bad_hyperparameter_raises_value_error_naming_it(cls, kwargs, name):
    with pytest.raises(ValueError, match=name) as info:
        cls(**kwargs)
    # the message is addressed to a learner: it names the parameter first, not a NumPy internal
    assert "Traceback" not in str(info.value)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (SGD, {"lr": 0.1, "momentun": 0.9}),
        (SGD, {"learning_rate": 0.1}),
        (Adagrad, {"lr_decy": 0.1}),
        (RMSprop, {"beta": 0.9}),
        (Adadelta, {"alpha": 0.9}),
        (Adam, {"beta1": 0.9}),
        (AdamW, {"wd": 0.1}),
    ],
)
def test_misspelt_keyword_raises_type_error(cls, kwargs):
    with pytest.raises(TypeError):
        cls(**kwargs)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (SGD, {"lr": 0.0}),
        (SGD, {"lr": 0.1, "momentum": 1.0}),
        (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 1.0, "weight_decay": 0.0}),
        (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        (Adagrad, {"lr": 0.0, "eps": 0.0}),
        (RMSprop, {"alpha": 0.0, "momentum": 1.0}),
        (RMSprop, {"alpha": 1.0}),
        (Adadelta, {"rho": 0.0}),
        (Adadelta, {"rho": 1.0}),
        (Adam, {"betas": (0.0, 0.0)}),
        (AdamW, {"lr": np.array([[0.1], [0.0]]), "weight_decay": 0.0}),
    ],
)
def test_boundary_values_are_accepted(cls, kwargs):
    cls(**kwargs)


def test_array_learning_rate_is_a_sweep_in_one_call():
    lrs = np.array([[0.1], [0.3]])
    opt = SGD(lr=lrs, momentum=0.5)
    x = np.tile(X0, (2, 1))
    state = opt.init(x)
    for _ in range(3):
        x, state = opt.step(x, quadratic_grad(x), state)
    for i, lr in enumerate(lrs[:, 0]):
        single = SGD(lr=float(lr), momentum=0.5)
        y, s = X0, single.init(X0)
        for _ in range(3):
            y, s = single.step(y, quadratic_grad(y), s)
        np.testing.assert_allclose(x[i], y, rtol=1e-14, atol=0)
