"""course_lib.regression: data, every loss gradient against finite differences, lstsq, minibatches, chunks."""

import math
import warnings

import numpy as np
import pytest

import course_lib as cl
from course_lib import regression as R

LOSS_NAMES = list(R.LOSSES)


def central_gradient(fun, B, h=1e-6):
    B = np.asarray(B, dtype=np.float64)
    columns = []
    for i in range(B.shape[-1]):
        step = np.zeros(B.shape[-1])
        step[i] = h
        columns.append((fun(B + step) - fun(B - step)) / (2 * h))
    return np.stack(columns, axis=-1)


@pytest.fixture
def data():
    X, y, _ = R.make_data(30, 4, noise=0.5, rng=1)
    return X, y


# ----------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------


def test_seed_data_and_bias_column():
    X, y = R.seed_data()
    assert X.shape == (4, 2)
    np.testing.assert_array_equal(y, [6.0, 8.0, 9.0, 11.0])
    Xa = R.add_bias(X)
    np.testing.assert_array_equal(Xa[:, -1], 1.0)
    np.testing.assert_array_equal(Xa[:, :2], X)
    np.testing.assert_allclose(Xa @ [1.0, 2.0, 3.0], y)


def test_make_data_is_seeded_and_noise_free_when_asked():
    X1, y1, b1 = R.make_data(50, 3, rng=7)
    X2, y2, b2 = R.make_data(50, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(b1, b2)
    np.testing.assert_allclose(y1, X1 @ b1)
    _, y3, _ = R.make_data(50, 3, noise=1.0, rng=7)
    assert np.abs(y3 - y1).max() > 0.1


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: R.make_data(0, 2, rng=0), "n"),
        (lambda: R.make_data(5, 2.5, rng=0), "d"),
        (lambda: R.make_data(5, 2, noise=-1, rng=0), "noise"),
        (lambda: R.make_data(5, 2, rng="seed"), "rng"),
        (lambda: R.add_bias([1.0, 2.0]), "X"),
        (lambda: R.sse(np.ones((3, 2)), np.ones(4), np.ones(2)), "y"),
        (lambda: R.sse(np.ones((3, 2)), np.ones(3), np.ones(3)), "beta"),
        (lambda: R.sse([[1.0, np.nan]], [1.0], [1.0, 1.0]), "X"),
        (lambda: R.least_squares(np.ones((3, 2)), np.ones(3), loss="l1"), "loss"),
        (lambda: R.minibatch_grad(np.ones((3, 2)), np.ones(3), 4), "batch_size"),
        (lambda: R.minibatch_grad(np.ones((3, 2)), np.ones(3), 2, loss="rmse"), "loss"),
        (lambda: list(R.minibatches(5, 0, 0)), "batch_size"),
        (lambda: R.chunked_grad(np.ones((3, 2)), np.ones(3), np.ones(2), 0), "chunk_size"),
    ],
)
def test_bad_input_raises_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        call()


# ----------------------------------------------------------------------------------------------------------
# Losses and gradients
# ----------------------------------------------------------------------------------------------------------


def test_losses_match_their_definitions(data):
    X, y = data
    beta = np.random.default_rng(2).standard_normal(4)
    r = y - X @ beta
    n = len(y)
    assert R.sse(X, y, beta) == pytest.approx(r @ r)
    assert R.half_sse(X, y, beta) == pytest.approx(r @ r / 2)
    assert R.mse(X, y, beta) == pytest.approx(r @ r / n)
    assert R.rmse(X, y, beta) == pytest.approx(math.sqrt(r @ r / n))
    assert R.residual_norm(X, y, beta) == pytest.approx(np.linalg.norm(r))


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_every_gradient_matches_central_differences(data, loss):
    X, y = data
    value, grad, _ = R.LOSSES[loss]
    B = np.random.default_rng(3).standard_normal((5, 4))  # a batch of coefficient vectors
    numeric = central_gradient(lambda b: value(X, y, b), B)
    np.testing.assert_allclose(grad(X, y, B), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_losses_are_vectorized_over_beta(data, loss):
    X, y = data
    value, grad, _ = R.LOSSES[loss]
    B = np.random.default_rng(4).standard_normal((2, 3, 4))
    assert value(X, y, B).shape == (2, 3)
    assert grad(X, y, B).shape == (2, 3, 4)
    np.testing.assert_allclose(grad(X, y, B)[1, 2], grad(X, y, B[1, 2]))


def test_gradient_conventions_relate_as_stated(data):
    X, y = data
    n = len(y)
    beta = np.random.default_rng(5).standard_normal(4)
    g_half = R.half_sse_grad(X, y, beta)
    np.testing.assert_allclose(R.sse_grad(X, y, beta), 2 * g_half)
    np.testing.assert_allclose(R.mse_grad(X, y, beta), 2 * g_half / n)
    np.testing.assert_allclose(R.rmse_grad(X, y, beta), R.residual_norm_grad(X, y, beta) / math.sqrt(n))


@pytest.mark.parametrize("grad", [R.rmse_grad, R.residual_norm_grad])
def test_non_squared_gradients_are_zero_without_warning_at_zero_residual(grad):
    X, y = R.seed_data()
    Xa = R.add_bias(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = grad(Xa, y, np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 4.0]]))
    np.testing.assert_array_equal(g[0], 0.0)
    assert np.all(np.isfinite(g)) and np.linalg.norm(g[1]) > 0.5


# ----------------------------------------------------------------------------------------------------------
# The objective object
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_least_squares_minimum_is_lstsq_and_gradient_vanishes_there(data, loss):
    X, y = data
    f = R.least_squares(X, y, loss=loss)
    expected = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(f.minima[0], expected)
    assert f.dim == 4 and f.minima.shape == (1, 4)
    assert np.linalg.norm(f.grad(f.minima[0])) < 1e-10
    # every direction goes up from the minimum
    for direction in np.eye(4):
        assert f.value(f.minima[0] + 1e-3 * direction) > f.value(f.minima[0])


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_hessian_matches_differences_of_the_gradient(data, loss):
    X, y = data
    f = R.least_squares(X, y, loss=loss)
    B = np.random.default_rng(6).standard_normal((3, 4))
    numeric = np.stack([central_gradient(lambda b, i=i: f.grad(b)[..., i], B) for i in range(4)], axis=-2)
    np.testing.assert_allclose(f.hess(B), numeric, rtol=1e-5, atol=1e-6)


def test_hessian_of_the_norm_refuses_zero_residual():
    X, y = R.seed_data()
    f = R.least_squares(R.add_bias(X), y, loss="norm")
    with pytest.raises(ValueError, match="^B:"):
        f.hess([1.0, 2.0, 3.0])


def test_symbolic_expression_agrees_with_the_numeric_loss():
    X, y = R.seed_data()
    for loss in LOSS_NAMES:
        f = R.least_squares(R.add_bias(X), y, loss=loss)
        point = [0.5, -1.0, 2.0]
        exact = float(f.expr.subs(dict(zip(f.variables, point, strict=True))))
        assert exact == pytest.approx(float(f.value(point)))


def test_descend_on_the_seed_example_recovers_the_coefficients():
    X, y = R.seed_data()
    f = R.least_squares(R.add_bias(X), y)
    path = cl.descend(f, cl.optimizers.SGD(lr=0.01), [10.1, 15.1, -6.5], 5000)
    np.testing.assert_allclose(path.x, [1.0, 2.0, 3.0], atol=1e-5)
    np.testing.assert_allclose(f.grad([10.1, 15.1, -6.5]), [204.3, 278.1, 121.4], atol=1e-9)
    # above 2 / lambda_max the same run diverges
    lam_max = f.eigenvalues()[-1]
    assert 2 / lam_max == pytest.approx(0.06396, abs=1e-4)
    assert cl.descend(f, cl.optimizers.SGD(lr=0.07), [10.1, 15.1, -6.5], 2000).diverged


def test_eigenvalues_only_for_squared_losses():
    X, y = R.seed_data()
    with pytest.raises(ValueError, match="^loss:"):
        R.least_squares(R.add_bias(X), y, loss="rmse").eigenvalues()


# ----------------------------------------------------------------------------------------------------------
# Minibatches and chunks
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (7, 7), (5, 1)])
def test_minibatches_cover_each_example_once_per_epoch(n, batch_size):
    batches = list(R.minibatches(n, batch_size, np.random.default_rng(0)))
    joined = np.concatenate(batches)
    np.testing.assert_array_equal(np.sort(joined), np.arange(n))
    assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
    assert len(batches[-1]) == (n % batch_size or batch_size)
    dropped = list(R.minibatches(n, batch_size, np.random.default_rng(0), drop_last=True))
    assert all(len(b) == batch_size for b in dropped) and len(dropped) == n // batch_size


def test_minibatch_grad_never_repeats_an_example_within_an_epoch():
    # With X = I (one row per example) and beta = 0 the half-SSE batch gradient is nonzero exactly on the rows
    # of the batch, so the gradient reveals which examples each step used.
    eye = np.eye(10)
    rng = np.random.default_rng(1)
    grad_fn = R.minibatch_grad(eye, np.arange(1.0, 11.0), 3, loss="half_sse")
    assert grad_fn.batches_per_epoch == 4
    epochs = []
    for t in range(12):
        g = grad_fn(np.zeros(10), t, rng)
        epochs.append(np.flatnonzero(g))
    for e in range(3):
        used = np.concatenate(epochs[4 * e : 4 * e + 4])
        np.testing.assert_array_equal(np.sort(used), np.arange(10))  # each row exactly once
    assert [len(rows) for rows in epochs[:4]] == [3, 3, 3, 1]  # the last batch is the partial one
    # a fresh permutation each epoch: the three epochs do not all use the same order
    orders = [np.concatenate(epochs[4 * e : 4 * e + 4]).tolist() for e in range(3)]
    assert orders[0] != orders[1] or orders[1] != orders[2]


@pytest.mark.parametrize("loss, batch_size", [("mse", 4), ("sse", 7), ("half_sse", 5)])
def test_minibatch_gradient_is_unbiased(loss, batch_size):
    """The mean over many draws equals the full gradient.

    Tolerance: with D independent draws the mean has standard error sigma / sqrt(D) per coordinate, where
    sigma is the per-draw standard deviation estimated from the same draws. We allow 5 standard errors
    (a false alarm has probability < 1e-5 per coordinate), and also check that 1/10 of that bound would be
    exceeded by a deliberately biased estimator, so the test can fail.
    """
    X, y, _ = R.make_data(23, 3, noise=0.3, rng=2)
    beta = np.array([0.5, -1.0, 2.0])
    full = R.LOSSES[loss][1](X, y, beta)
    rng = np.random.default_rng(3)
    grad_fn = R.minibatch_grad(X, y, batch_size, loss=loss)
    draws = np.array([grad_fn(beta, t, rng) for t in range(6000)])
    mean, se = draws.mean(axis=0), draws.std(axis=0, ddof=1) / math.sqrt(len(draws))
    assert np.all(np.abs(mean - full) < 5 * se)
    # a biased estimator (the sum over the batch instead of the rescaled one) is caught
    assert np.any(np.abs(mean * batch_size / 23 - full) > 5 * se)


def test_minibatch_grad_with_a_full_batch_is_the_full_gradient(data):
    X, y = data
    grad_fn = R.minibatch_grad(X, y, len(y), loss="mse")
    beta = np.ones(4)
    np.testing.assert_allclose(grad_fn(beta, 0, np.random.default_rng(0)), R.mse_grad(X, y, beta))


def test_minibatch_grad_drives_descend():
    X, y, beta_true = R.make_data(200, 3, rng=4)
    f = R.least_squares(X, y, loss="mse")
    grad_fn = R.minibatch_grad(X, y, 20)
    path = cl.descend(f, cl.optimizers.SGD(lr=0.05), np.zeros(3), 400, grad_fn=grad_fn, rng=0)
    # noise-free data: every batch has the same minimum, so even constant-lr SGD converges to it
    np.testing.assert_allclose(path.x, beta_true, atol=1e-3)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("chunk_size", [1, 7, 30, 100])
def test_chunked_gradient_equals_the_full_gradient(data, loss, chunk_size):
    X, y = data
    B = np.random.default_rng(8).standard_normal((2, 4))
    full = R.LOSSES[loss][1](X, y, B)
    np.testing.assert_allclose(R.chunked_grad(X, y, B, chunk_size, loss), full, rtol=1e-12)


def test_computing_layer_imports_no_plotting():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['ipywidgets'] = None\nimport course_lib.regression"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("loss", ["sse", "half_sse", "mse", "rmse", "norm"])
def test_value_and_grad_agrees_with_value_and_grad_separately(loss):
    rng = np.random.default_rng(7)
    X, y, _ = R.make_data(30, 3, noise=0.5, rng=rng)
    problem = R.least_squares(X, y, loss=loss)
    B = rng.normal(size=(4, 5, 3))
    value, grad = problem.value_and_grad(B)
    np.testing.assert_allclose(value, problem.value(B), rtol=1e-13)
    np.testing.assert_allclose(grad, problem.grad(B), rtol=1e-12, atol=1e-12)
    value, grad = problem.value_and_grad(problem.minima[0])  # exact fit impossible with noise; still agrees
    np.testing.assert_allclose(grad, problem.grad(problem.minima[0]), atol=1e-9)
