"""The two classifiers: hand-written gradients against finite differences on random batches of parameters,
minibatch rows, the L2 term, the logistic Hessian, and errors that name the bad argument."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from course_lib.datasets import load_breast_cancer
from course_lib.models import MLP, LogisticRegression, log_loss, sigmoid

DATA = load_breast_cancer()


def make(kind, l2=0.0):
    if kind == "logistic":
        return LogisticRegression(DATA.X_train, DATA.y_train, l2=l2)
    return MLP(DATA.X_train, DATA.y_train, hidden=5, l2=l2)


def finite_difference(model, W, idx, h=1e-6):
    fd = np.zeros_like(W)
    for k in range(model.dim):
        e = np.zeros(model.dim)
        e[k] = h
        fd[..., k] = (model.value(W + e, idx) - model.value(W - e, idx)) / (2 * h)
    return fd


@pytest.mark.parametrize("kind", ["logistic", "mlp"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("rows", ["all", "shared", "per_model"])
def test_gradient_matches_finite_differences_on_random_parameter_batches(kind, l2, rows):
    rng = np.random.default_rng(7)
    model = make(kind, l2)
    W = rng.standard_normal((3, 2, model.dim))
    idx = {"all": None, "shared": rng.integers(0, model.n, 16), "per_model": rng.integers(0, model.n, (2, 16))}[rows]
    value, g = model.value_and_grad(W, idx)
    assert value.shape == (3, 2) and g.shape == W.shape
    np.testing.assert_allclose(value, model.value(W, idx), rtol=1e-13)
    fd = finite_difference(model, W, idx)
    assert np.abs(g - fd).max() < 1e-6 * (1 + np.abs(g).max())


@pytest.mark.parametrize("kind", ["logistic", "mlp"])
def test_batched_call_equals_one_model_at_a_time(kind):
    rng = np.random.default_rng(1)
    model = make(kind, 0.1)
    W = rng.standard_normal((4, model.dim))
    idx = rng.integers(0, model.n, (4, 10))
    value, g = model.value_and_grad(W, idx)
    for k in range(4):
        v_k, g_k = model.value_and_grad(W[k], idx[k])
        np.testing.assert_allclose(value[k], v_k, rtol=1e-12)
        np.testing.assert_allclose(g[k], g_k, rtol=1e-10, atol=1e-14)


def test_minibatch_gradients_average_to_the_full_gradient():
    model = make("mlp")
    W = model.init((2,), rng=3)
    order = np.random.default_rng(0).permutation(model.n)
    full = model.grad(W)
    parts = [model.grad(W, order[i : i + 61]) * len(order[i : i + 61]) for i in range(0, model.n, 61)]
    np.testing.assert_allclose(sum(parts) / model.n, full, rtol=1e-9, atol=1e-14)


def test_logistic_gradient_is_the_sympy_derivative():
    """d/dw of log(1 + e^z) - y z with z = w.x + b is (sigmoid(z) - y) x, as the code computes."""
    w1, w2, b, x1, x2, y = sp.symbols("w1 w2 b x1 x2 y", real=True)
    z = w1 * x1 + w2 * x2 + b
    loss = sp.log(1 + sp.exp(z)) - y * z
    p = 1 / (1 + sp.exp(-z))
    for var, factor in ((w1, x1), (w2, x2), (b, 1)):
        assert sp.simplify(sp.diff(loss, var) - (p - y) * factor) == 0


def test_logistic_hessian_matches_finite_differences_of_the_gradient():
    model = make("logistic", 0.05)
    W = np.random.default_rng(2).standard_normal((2, model.dim)) * 0.3
    H = model.hess(W)
    h = 1e-6
    for k in range(0, model.dim, 5):
        e = np.zeros(model.dim)
        e[k] = h
        column = (model.grad(W + e) - model.grad(W - e)) / (2 * h)
        np.testing.assert_allclose(H[..., :, k], column, rtol=1e-5, atol=1e-8)
    assert np.all(np.linalg.eigvalsh(H) >= 0.05 - 1e-12)  # convex, and l2-strongly convex


def test_mlp_is_not_convex():
    """Swapping two hidden units gives the same function; the midpoint of two such copies is worse than both."""
    model = make("mlp")
    W = model.init(rng=0) * 4
    W1, b1, w2, b2 = (np.array(a) for a in model.unpack(W))
    swap = [1, 0, 2, 3, 4]
    W_swapped = np.concatenate([W1[swap].ravel(), b1[swap], w2[swap], [b2]])
    assert model.value(W) == pytest.approx(model.value(W_swapped), rel=1e-12)
    assert model.value(0.5 * (W + W_swapped)) > model.value(W) + 1e-3


def test_l2_in_the_model_equals_weight_decay_in_the_gradient():
    plain, penalized = make("logistic"), make("logistic", 0.2)
    W = np.random.default_rng(0).standard_normal(plain.dim)
    np.testing.assert_allclose(penalized.grad(W), plain.grad(W) + 0.2 * W, rtol=1e-12)
    assert penalized.data_loss(W) == pytest.approx(plain.value(W), rel=1e-12)


def test_loss_is_stable_for_huge_logits():
    z = np.array([-800.0, 0.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(log_loss(z, np.array([1.0, 1.0, 0.0])), [800.0, np.log(2.0), 800.0])
        np.testing.assert_allclose(sigmoid(z), [0.0, 0.5, 1.0])


def test_accuracy_counts_correct_signs():
    model = LogisticRegression([[1.0], [-1.0], [2.0]], [1, 0, 0])
    assert model.accuracy(np.array([1.0, 0.0])) == pytest.approx(2 / 3)
    assert model.accuracy(np.array([[1.0, 0.0], [-1.0, 0.0]])).tolist() == pytest.approx([2 / 3, 1 / 3])


def test_init_shapes_and_randomness():
    mlp = make("mlp")
    assert mlp.init((3, 2), rng=0).shape == (3, 2, mlp.dim)
    assert np.array_equal(mlp.init(rng=4), mlp.init(rng=4))
    assert np.all(make("logistic").init(5) == 0)
    with pytest.raises(ValueError, match="rng"):
        mlp.init()


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: LogisticRegression(np.ones(3), [0, 1, 0]), "X"),
        (lambda: LogisticRegression(np.ones((3, 2)), [0, 1]), "y"),
        (lambda: LogisticRegression(np.ones((3, 2)), [0, 2, 1]), "y"),
        (lambda: LogisticRegression(np.ones((3, 2)), [0, 1, 1], l2=-1.0), "l2"),
        (lambda: MLP(np.ones((3, 2)), [0, 1, 1], hidden=0), "hidden"),
        (lambda: make("logistic").value(np.zeros(5)), "W"),
        (lambda: make("logistic").value(np.zeros(31), idx=[0, 1000]), "idx"),
        (lambda: make("logistic").value(np.zeros(31), idx=[0.5]), "idx"),
        (lambda: make("logistic").accuracy(np.zeros(31), DATA.X_test), "X, y"),
    ],
)
def test_bad_input_is_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()
