"""Reference trajectories: course_lib's optimizers against torch.optim, in float64, to a relative 1e-10.

Two comparisons on named surfaces:
- the same gradient (course_lib's, at course_lib's point) is fed to both: only the update rules are compared;
- torch computes its own gradient by autograd of the same formula: the objective's derivative is checked too.
"""

import numpy as np
import pytest

import course_lib as cl
from course_lib import optimizers as opt_lib

torch = pytest.importorskip("torch", reason="torch is the reference implementation for these comparisons")


STEPS = 60
RTOL, ATOL = 1e-10, 1e-12

# The formulas as torch functions of a tensor of shape (..., 2).
TORCH_FORMULAS = {
    "rosenbrock": lambda p: (1 - p[..., 0]) ** 2 + 100 * (p[..., 1] - p[..., 0] ** 2) ** 2,
    "beale": lambda p: (
        (1.5 - p[..., 0] + p[..., 0] * p[..., 1]) ** 2
        + (2.25 - p[..., 0] + p[..., 0] * p[..., 1] ** 2) ** 2
        + (2.625 - p[..., 0] + p[..., 0] * p[..., 1] ** 3) ** 2
    ),
    "ellipse": lambda p: p[..., 0] ** 2 + 2 * p[..., 1] ** 2,
}
STARTS = {"rosenbrock": [-1.2, 1.0], "beale": [1.0, 1.5], "ellipse": [3.0, -2.0]}
# The settings are moderate on purpose: in the autograd comparison the two gradients may differ in the last
# bit, and an aggressive run (Adam with lr = 0.05 and betas = (0.5, 0.9) on rosenbrock, say) amplifies that
# difference step after step until it passes 1e-10; the same run with shared gradients agrees to rounding.
# Plain gradient descent needs a step size suited to each surface's curvature
SGD_LR = {"rosenbrock": 1e-4, "beale": 1e-3, "ellipse": 0.05}

CONFIGS = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"weight_decay": 0.1}),
    ("SGD", {"momentum": 0.5, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"momentum": 0.8, "dampening": 0.5, "weight_decay": 0.05}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    (
        "Adagrad",
        {"lr": 0.1, "weight_decay": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-6},
    ),
    ("RMSprop", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2, "alpha": 0.9}),
    ("RMSprop", {"lr": 1e-2, "centered": True}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.9}),
    ("RMSprop", {"lr": 1e-3, "centered": True, "momentum": 0.9}),
    ("RMSprop", {"lr": 1e-2, "weight_decay": 0.1, "centered": True, "momentum": 0.5, "eps": 1e-6}),
    ("Adadelta", {}),
    ("Adadelta", {"rho": 0.95}),
    ("Adadelta", {"weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5, "eps": 1e-4}),
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 1e-2, "weight_decay": 0.1}),
    ("Adam", {"lr": 1e-2, "eps": 1e-6, "betas": (0.5, 0.9)}),
    ("AdamW", {"lr": 1e-2}),
    ("AdamW", {"lr": 1e-2, "weight_decay": 0.1}),
    ("AdamW", {"lr": 5e-2, "betas": (0.5, 0.9), "weight_decay": 0.5}),
]


def config_id(config):
    name, kwargs = config
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


def hyperparameters(name, kwargs, surface):
    if name == "SGD":
        return {"lr": SGD_LR[surface], **kwargs}
    return dict(kwargs)


def torch_optimizer(name, kwargs, param):
    return getattr(torch.optim, name)([param], **kwargs)


@pytest.mark.parametrize("surface", sorted(TORCH_FORMULAS))
@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_same_gradients_give_the_same_updates(config, surface):
    name, kwargs = config
    kwargs = hyperparameters(name, kwargs, surface)
    f = cl.surface(surface)
    ours = getattr(opt_lib, name)(**kwargs)
    x = np.array(STARTS[surface])
    state = ours.init(x)
    param = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    reference = torch_optimizer(name, kwargs, param)
    for step in range(STEPS):
        g = f.grad(x)
        param.grad = torch.tensor(g, dtype=torch.float64)
        reference.step()
        x, state = ours.step(x, g, state)
        np.testing.assert_allclose(x, param.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=f"step {step + 1}")
    assert np.all(np.isfinite(x))
    assert not np.allclose(x, STARTS[surface]), "the run should move"


@pytest.mark.parametrize("surface", sorted(TORCH_FORMULAS))
@pytest.mark.parametrize("config", CONFIGS, ids=[config_id(c) for c in CONFIGS])
def test_descend_matches_torch_autograd_of_the_formula(config, surface):
    name, kwargs = config
    kwargs = hyperparameters(name, kwargs, surface)
    f = cl.surface(surface)
    path = cl.descend(f, getattr(opt_lib, name)(**kwargs), STARTS[surface], steps=STEPS)
    assert not path.diverged

    param = torch.tensor(STARTS[surface], dtype=torch.float64, requires_grad=True)
    reference = torch_optimizer(name, kwargs, param)
    xs, values = [param.detach().clone()], []
    for _ in range(STEPS):
        reference.zero_grad()
        loss = TORCH_FORMULAS[surface](param)
        loss.backward()
        values.append(loss.item())
        reference.step()
        xs.append(param.detach().clone())
    values.append(TORCH_FORMULAS[surface](param).item())

    np.testing.assert_allclose(path.xs, torch.stack(xs).numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(path.values, values, rtol=RTOL, atol=ATOL)


def torch_run(name, kwargs, surface, x0, steps):
    param = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    reference = torch_optimizer(name, kwargs, param)
    for _ in range(steps):
        reference.zero_grad()
        TORCH_FORMULAS[surface](param).backward()
        reference.step()
    return param.detach().numpy()


SWEEPS = [
    ("SGD", "lr", np.array([[1e-4], [5e-4], [1e-3]]), {"momentum": 0.9}),
    ("SGD", "momentum", np.array([[0.0], [0.5], [0.9]]), {"lr": 5e-4}),
    ("Adagrad", "lr", np.array([[0.01], [0.1], [0.5]]), {}),
    ("RMSprop", "lr", np.array([[1e-3], [1e-2]]), {"centered": True, "momentum": 0.5}),
    ("RMSprop", "alpha", np.array([[0.9], [0.99]]), {"lr": 1e-2}),
    ("Adadelta", "lr", np.array([[0.5], [1.0], [2.0]]), {}),
    ("Adam", "lr", np.array([[1e-3], [1e-2], [1e-1]]), {}),
    ("AdamW", "lr", np.array([[1e-3], [1e-2], [1e-1]]), {"weight_decay": 0.1}),
    ("AdamW", "weight_decay", np.array([[0.0], [0.1], [1.0]]), {"lr": 1e-2}),
]


@pytest.mark.parametrize(("name", "key", "values", "others"), SWEEPS, ids=[f"{s[0]}-{s[1]}" for s in SWEEPS])
def test_array_hyperparameter_sweep_equals_separate_runs(name, key, values, others):
    surface, steps = "rosenbrock", 50
    x0 = np.array(STARTS[surface])
    cls = getattr(opt_lib, name)
    batched = cl.descend(cl.surface(surface), cls(**{key: values}, **others), np.tile(x0, (len(values), 1)), steps)
    assert batched.xs.shape == (steps + 1, len(values), 2)
    for i, value in enumerate(values[:, 0]):
        alone = cl.descend(cl.surface(surface), cls(**{key: float(value)}, **others), x0, steps)
        np.testing.assert_allclose(batched.xs[:, i], alone.xs, rtol=1e-14, atol=0)
        reference = torch_run(name, {key: float(value), **others}, surface, x0, steps)
        np.testing.assert_allclose(batched.xs[-1, i], reference, rtol=RTOL, atol=ATOL)
    # the sweep really varies: different settings end at different points
    assert not np.allclose(batched.xs[-1, 0], batched.xs[-1, -1])


def test_sweep_broadcasts_from_a_single_start():
    """x0 of shape (dim,) with lr of shape (k, 1) runs k trajectories."""
    lrs = np.array([[0.01], [0.1]])
    path = cl.descend(cl.surface("ellipse"), opt_lib.Adam(lr=lrs), STARTS["ellipse"], steps=20)
    assert path.xs.shape == (21, 2, 2)
    for i, lr in enumerate(lrs[:, 0]):
        reference = torch_run("Adam", {"lr": float(lr)}, "ellipse", STARTS["ellipse"], 20)
        np.testing.assert_allclose(path.xs[-1, i], reference, rtol=RTOL, atol=ATOL)


# AMSGrad (taught in chapter 07): the running maximum of v, against torch's amsgrad=True.
AMSGRAD_CONFIGS = [
    ("Adam", {"lr": 1e-2, "amsgrad": True}),
    ("Adam", {"lr": 5e-2, "betas": (0.5, 0.9), "eps": 1e-6, "amsgrad": True}),
    ("Adam", {"lr": 1e-2, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 1e-2, "amsgrad": True}),
    ("AdamW", {"lr": 5e-2, "betas": (0.5, 0.9), "weight_decay": 0.5, "amsgrad": True}),
]


@pytest.mark.parametrize("surface", sorted(TORCH_FORMULAS))
@pytest.mark.parametrize("config", AMSGRAD_CONFIGS, ids=[config_id(c) for c in AMSGRAD_CONFIGS])
def test_amsgrad_matches_torch(config, surface):
    name, kwargs = config
    f = cl.surface(surface)
    ours = getattr(opt_lib, name)(**kwargs)
    x = np.array(STARTS[surface])
    state = ours.init(x)
    param = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    reference = torch_optimizer(name, kwargs, param)
    for step in range(STEPS):
        g = f.grad(x)
        param.grad = torch.tensor(g, dtype=torch.float64)
        reference.step()
        x, state = ours.step(x, g, state)
        np.testing.assert_allclose(x, param.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=f"step {step + 1}")
    torch_state = reference.state[param]
    np.testing.assert_allclose(state.v_max, torch_state["max_exp_avg_sq"].numpy(), rtol=RTOL, atol=ATOL)


def test_amsgrad_differs_from_adam_once_v_falls():
    """The two agree while v only grows; after a large gradient is followed by small ones they part."""
    grads = [np.array([10.0])] + [np.array([0.1])] * 20
    runs = {}
    for amsgrad in (False, True):
        opt = opt_lib.Adam(lr=0.1, betas=(0.9, 0.9), amsgrad=amsgrad)
        x, state, xs = np.zeros(1), opt.init(np.zeros(1)), []
        for g in grads:
            x, state = opt.step(x, g, state)
            xs.append(x[0])
        runs[amsgrad] = np.array(xs)
    assert runs[False][0] == runs[True][0]
    assert abs(runs[False][-1] - runs[True][-1]) > 1e-2


@pytest.mark.parametrize("variant", ["SeedAdam", "AdamEpsInRoot"])
def test_amsgrad_is_refused_by_teaching_variants(variant):
    with pytest.raises(ValueError, match="amsgrad"):
        getattr(opt_lib, variant)(amsgrad=True)
    with pytest.raises(ValueError, match="amsgrad"):
        opt_lib.Adam(amsgrad="yes")
