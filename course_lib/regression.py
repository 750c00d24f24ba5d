r"""Linear least squares for the course: data, the four loss conventions, analytic gradients, minibatches.

Taught in notebooks/04_linear_regression.ipynb (losses, gradients, the bias column, conditioning) and used by
the stochastic-gradient chapter (minibatches, chunked full gradients).

Notation: ``X`` is the ``(n, d)`` design matrix, ``y`` the ``n`` targets, ``beta`` the ``d`` coefficients and
``r = y - X beta`` the residual. Every loss is a function of ``beta`` and is vectorized over batches of
coefficient vectors: ``beta`` of shape ``(..., d)`` gives losses of shape ``(...)`` and gradients of shape
``(..., d)``. The conventions, always named explicitly:

=================  ==========================  ================================
name               loss                         gradient
=================  ==========================  ================================
``sse``            ||r||^2                      -2 X^T r
``half_sse``       ||r||^2 / 2                  -X^T r
``mse``            ||r||^2 / n                  -(2/n) X^T r
``rmse``           ||r|| / sqrt(n)              -X^T r / (n * rmse)
``norm``           ||r||                        -X^T r / ||r||
=================  ==========================  ================================

RMSE and the norm are not differentiable where the residual is exactly zero (a cone tip). Their gradient
functions return 0 there (a valid subgradient) without any warning; see :func:`rmse_grad`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import sympy as sp

__all__ = [
    "LOSSES",
    "seed_data",
    "add_bias",
    "make_data",
    "symbolic_problem",
    "sse",
    "half_sse",
    "mse",
    "rmse",
    "residual_norm",
    "sse_grad",
    "half_sse_grad",
    "mse_grad",
    "rmse_grad",
    "residual_norm_grad",
    "LeastSquares",
    "least_squares",
    "minibatches",
    "minibatch_grad",
    "chunked_grad",
]


# ----------------------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------------------


def _design(X):
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X: expected a 2-D array of numbers (n examples by d features)") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X: expected a non-empty 2-D array of shape (n, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X: every entry must be finite")
    return X


def _targets(y, n):
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("y: expected a 1-D array of numbers") from None
    if y.shape != (n,):
        raise ValueError(f"y: expected shape ({n},) to match the {n} rows of X, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y: every entry must be finite")
    return y


def _coefficients(beta, d):
    try:
        beta = np.asarray(beta, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("beta: expected an array of numbers of shape (..., d)") from None
    if beta.ndim == 0 or beta.shape[-1] != d:
        got = "a scalar" if beta.ndim == 0 else f"last dimension {beta.shape[-1]}"
        raise ValueError(f"beta: X has d = {d} columns, so beta needs shape (..., {d}); got {got}")
    return beta


def _count(name, value, low=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name}: expected a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name}: must be >= {low}, got {value}")
    return int(value)


def _generator(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng: expected a numpy Generator or an integer seed, got {rng!r}")


def _residual(X, y, beta):
    """``X, y, beta`` validated and the residual ``r = y - X beta`` of shape ``(..., n)``."""
    X = _design(X)
    y = _targets(y, X.shape[0])
    beta = _coefficients(beta, X.shape[1])
    return X, y, beta, y - beta @ X.T


def _safe_divide(numerator, denominator):
    """numerator / denominator[..., None], and 0 where the denominator is exactly 0 (no warning)."""
    denominator = np.asarray(denominator)[..., None]
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, 0.0)


# ----------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------


def seed_data():
    """The course's small example: X = [[1,1],[1,2],[2,2],[2,3]] and y = X @ [1, 2] + 3 = [6, 8, 9, 11].

    With the bias column appended (:func:`add_bias`) the exact coefficients are beta = [1, 2, 3]
    (w1, w2, intercept). Taught in notebooks/04_linear_regression.ipynb.
    """
    X = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 3.0]])
    y = X @ np.array([1.0, 2.0]) + 3.0
    return X, y


def add_bias(X):
    """X with a column of ones appended LAST, so beta = [w_1, ..., w_d, intercept].

    The model X_aug @ beta = X @ w + b then fits an intercept b with the same linear algebra.
    """
    X = _design(X)
    return np.hstack([X, np.ones((X.shape[0], 1))])


def make_data(n, d, *, noise=0.0, rng):
    """Synthetic data: X ~ N(0, 1) of shape (n, d), beta_true ~ N(0, 1), y = X beta_true + noise * N(0, 1).

    Returns ``(X, y, beta_true)``. ``rng`` is a numpy Generator or an integer seed (required: no hidden
    randomness).
    """
    n = _count("n", n)
    d = _count("d", d)
    if not (isinstance(noise, numbers.Real) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise: expected a number >= 0, got {noise!r}")
    rng = _generator(rng)
    X = rng.standard_normal((n, d))
    beta_true = rng.standard_normal(d)
    y = X @ beta_true + noise * rng.standard_normal(n)
    return X, y, beta_true


def symbolic_problem(n, d):
    """A fully symbolic least-squares problem for SymPy derivations: ``(X, y, beta, r)`` as SymPy matrices.

    ``X`` is ``n`` by ``d`` with entries ``X11 .. Xnd``, ``y`` holds ``y1 .. yn``, ``beta`` holds
    ``beta1 .. betad`` (all real symbols) and ``r = y - X beta``. Taught in notebooks/04_linear_regression.ipynb,
    where the gradient formulas and the normal equations are derived on it.
    """
    n = _count("n", n)
    d = _count("d", d)
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"X{i + 1}{j + 1}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i + 1}", real=True))
    beta = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"beta{j + 1}", real=True))
    return X, y, beta, y - X * beta


# ----------------------------------------------------------------------------------------------------------
# Losses and their gradients
# ----------------------------------------------------------------------------------------------------------


def sse(X, y, beta):
    r"""Sum of squared errors ||y - X beta||^2 for every coefficient vector in ``beta`` (shape (..., d))."""
    _, _, _, r = _residual(X, y, beta)
    return np.sum(r * r, axis=-1)


def half_sse(X, y, beta):
    r"""Half the sum of squared errors, ||y - X beta||^2 / 2: the loss whose gradient is exactly -X^T r."""
    return 0.5 * sse(X, y, beta)


def mse(X, y, beta):
    r"""Mean squared error ||y - X beta||^2 / n."""
    return sse(X, y, beta) / np.shape(X)[0]


def rmse(X, y, beta):
    r"""Root mean squared error sqrt(||r||^2 / n) = ||r|| / sqrt(n), r = y - X beta (not the L2 norm)."""
    return np.sqrt(mse(X, y, beta))


def residual_norm(X, y, beta):
    r"""The Euclidean norm of the residual ||y - X beta||_2 (no 1/n inside: that would be RMSE)."""
    return np.sqrt(sse(X, y, beta))


def sse_grad(X, y, beta):
    r"""Gradient of SSE: -2 X^T (y - X beta), shape (..., d)."""
    X, _, _, r = _residual(X, y, beta)
    return -2.0 * (r @ X)


def half_sse_grad(X, y, beta):
    r"""Gradient of half SSE: -X^T (y - X beta)."""
    X, _, _, r = _residual(X, y, beta)
    return -(r @ X)


def mse_grad(X, y, beta):
    r"""Gradient of MSE: -(2/n) X^T (y - X beta)."""
    X, _, _, r = _residual(X, y, beta)
    return -(2.0 / X.shape[0]) * (r @ X)


def rmse_grad(X, y, beta):
    r"""Gradient of RMSE: -X^T r / (n * rmse) = -X^T r / (sqrt(n) * ||r||), with r = y - X beta.

    At a coefficient vector with exactly zero residual RMSE has a kink (a cone tip) and no gradient; this
    function returns 0 there (0 is a subgradient, and it is where the minimum is), silently, without NaN.
    """
    X, _, _, r = _residual(X, y, beta)
    n = X.shape[0]
    norm = np.sqrt(np.sum(r * r, axis=-1))
    return -_safe_divide(r @ X, math.sqrt(n) * norm)


def residual_norm_grad(X, y, beta):
    r"""Gradient of the norm ||y - X beta||: -X^T r / ||r||; 0 where r = 0 exactly (see :func:`rmse_grad`)."""
    X, _, _, r = _residual(X, y, beta)
    norm = np.sqrt(np.sum(r * r, axis=-1))
    return -_safe_divide(r @ X, norm)


#: Loss name -> (value function, gradient function, a short formula).
LOSSES = {
    "sse": (sse, sse_grad, "||y - X beta||^2"),
    "half_sse": (half_sse, half_sse_grad, "||y - X beta||^2 / 2"),
    "mse": (mse, mse_grad, "||y - X beta||^2 / n"),
    "rmse": (rmse, rmse_grad, "||y - X beta|| / sqrt(n)"),
    "norm": (residual_norm, residual_norm_grad, "||y - X beta||"),
}

# The squared losses are c * ||r||^2 with this c(n): their gradient is -2 c X^T r and their Hessian 2 c X^T X.
_SQUARED_SCALE = {"sse": lambda n: 1.0, "half_sse": lambda n: 0.5, "mse": lambda n: 1.0 / n}


def _loss_name(loss, allowed=tuple(LOSSES)):
    if not isinstance(loss, str) or loss not in allowed:
        raise ValueError(f"loss: expected one of {', '.join(map(repr, allowed))}, got {loss!r}")
    return loss


# ----------------------------------------------------------------------------------------------------------
# The objective object for cl.descend
# ----------------------------------------------------------------------------------------------------------


class LeastSquares:
    """A least-squares objective in ``beta`` that :func:`course_lib.descend` can run on.

    Attributes: ``X``, ``y``, ``loss`` (the convention's name), ``dim`` (= d), ``name``, ``minima`` (the
    least-squares solution from ``np.linalg.lstsq``, shape (1, d)), ``variables`` and ``expr`` (SymPy symbols
    beta_1..beta_d and the loss as a SymPy expression, built on first use). Methods ``value``, ``grad``,
    ``value_and_grad`` and ``hess`` take ``beta`` of shape ``(..., d)``.
    """

    def __init__(self, X, y, loss="half_sse"):
        self.X = _design(X)
        self.y = _targets(y, self.X.shape[0])
        self.X.flags.writeable = False
        self.y.flags.writeable = False
        self.loss = _loss_name(loss)
        self.n, self.dim = self.X.shape
        self.name = f"{self.loss} of a linear model (n={self.n}, d={self.dim})"
        solution = np.linalg.lstsq(self.X, self.y, rcond=None)[0]
        self._minima = solution.reshape(1, self.dim)
        self._minima.flags.writeable = False
        self._value, self._grad, self.formula = LOSSES[self.loss]
        self._expr = None

    def __repr__(self):
        return f"LeastSquares(loss={self.loss!r}, n={self.n}, d={self.dim})"

    @property
    def minima(self):
        """The least-squares solution (``np.linalg.lstsq``), shape (1, d), read-only."""
        return self._minima

    @property
    def variables(self):
        return tuple(sp.symbols(f"beta_1:{self.dim + 1}", real=True))

    @property
    def expr(self):
        """The loss as a SymPy expression in ``variables`` (exact rationals for integer data)."""
        if self._expr is None:
            beta = sp.Matrix(self.variables)
            X = sp.Matrix(self.X.tolist()).applyfunc(sp.nsimplify)
            y = sp.Matrix(self.y.tolist()).applyfunc(sp.nsimplify)
            r = y - X * beta
            total = sum(ri**2 for ri in r)
            forms = {
                "sse": total,
                "half_sse": total / 2,
                "mse": total / self.n,
                "rmse": sp.sqrt(total / self.n),
                "norm": sp.sqrt(total),
            }
            self._expr = forms[self.loss]
        return self._expr

    def value(self, B):
        """The loss at every coefficient vector of ``B`` (shape (..., d)); returns shape (...)."""
        return self._value(self.X, self.y, B)

    def grad(self, B):
        """The analytic gradient at every coefficient vector of ``B``; returns shape (..., d)."""
        return self._grad(self.X, self.y, B)

    def value_and_grad(self, B):
        """``(value, grad)`` from one residual, with X and y checked once at construction (fast in a loop)."""
        B = _coefficients(B, self.dim)
        r = self.y - B @ self.X.T
        sq = np.sum(r * r, axis=-1)
        xr = r @ self.X  # X^T r for every coefficient vector
        if self.loss in _SQUARED_SCALE:
            c = _SQUARED_SCALE[self.loss](self.n)
            return c * sq, -2.0 * c * xr
        norm = np.sqrt(sq)
        scale = math.sqrt(self.n) if self.loss == "rmse" else 1.0
        return norm / scale, -_safe_divide(xr, scale * norm)

    def __call__(self, B):
        return self.value(B)

    def hess(self, B):
        """The Hessian, shape (..., d, d).

        Squared losses: the constant 2 c X^T X (c = 1, 1/2, 1/n). RMSE and the norm:
        (X^T X - g g^T) / ||r|| with g = X^T r / ||r|| (divided by sqrt(n) for RMSE); it does not exist
        where the residual is zero, and a ValueError says so.
        """
        B = _coefficients(B, self.dim)
        gram = self.X.T @ self.X
        if self.loss in _SQUARED_SCALE:
            H = 2.0 * _SQUARED_SCALE[self.loss](self.n) * gram
            return np.array(np.broadcast_to(H, (*B.shape[:-1], self.dim, self.dim)))
        r = self.y - B @ self.X.T
        norm = np.sqrt(np.sum(r * r, axis=-1))
        if np.any(norm == 0):
            raise ValueError("B: the Hessian of the norm/RMSE does not exist where the residual is zero")
        g = (r @ self.X) / norm[..., None]
        H = (gram - g[..., :, None] * g[..., None, :]) / norm[..., None, None]
        return H / math.sqrt(self.n) if self.loss == "rmse" else H

    def eigenvalues(self):
        """Eigenvalues of the (constant) Hessian of a squared loss, ascending: mu = first, L = last."""
        if self.loss not in _SQUARED_SCALE:
            raise ValueError(f"loss: {self.loss!r} has no constant Hessian; use 'sse', 'half_sse' or 'mse'")
        return np.linalg.eigvalsh(2.0 * _SQUARED_SCALE[self.loss](self.n) * (self.X.T @ self.X))


def least_squares(X, y, loss="half_sse"):
    """The objective beta -> loss(y - X beta) for ``cl.descend``; ``loss`` is one of "sse", "half_sse",
    "mse", "rmse", "norm" (see the table in this module's docstring).

    >>> X, y = seed_data()
    >>> f = least_squares(add_bias(X), y)
    >>> f.minima.round(6)
    array([[1., 2., 3.]])
    """
    return LeastSquares(X, y, loss)


# ----------------------------------------------------------------------------------------------------------
# Minibatches and chunks
# ----------------------------------------------------------------------------------------------------------


def minibatches(n, batch_size, rng, *, drop_last=False):
    """Index arrays for ONE epoch: a fresh random permutation of range(n) cut into consecutive batches.

    Sampling is without replacement, so no example appears twice in an epoch. When ``batch_size`` does not
    divide ``n`` the last batch is smaller (``n % batch_size`` examples); ``drop_last=True`` skips it instead.
    """
    n = _count("n", n)
    batch_size = _count("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size: must be <= n = {n}, got {batch_size}")
    order = _generator(rng).permutation(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start : start + batch_size]


def _mean_xr(X, y, beta):
    """(1/|B|) X_B^T r_B over the rows given: an unbiased estimate of (1/n) X^T r when the rows are random."""
    r = y - beta @ X.T
    return (r @ X) / X.shape[0]


def minibatch_grad(X, y, batch_size, *, loss="mse", drop_last=False):
    """A ``grad_fn(beta, t, rng)`` for ``cl.descend``: the gradient of ``loss`` on one minibatch.

    Within an epoch the minibatches are drawn WITHOUT replacement: at the first call of each epoch
    (``t // batches_per_epoch`` changes, and at ``t = 0``) a fresh permutation is drawn from ``rng`` and cut
    into batches; call ``t`` uses batch ``t % batches_per_epoch``. The last batch of an epoch is smaller when
    ``batch_size`` does not divide n (``drop_last=True`` skips it). Each batch is a uniformly random subset,
    so the estimate is unbiased: E[grad_fn(beta)] equals the full gradient of ``loss`` exactly. For "mse" it
    is -(2/|B|) X_B^T r_B; for "sse" and "half_sse" the batch sum is scaled by n/|B|. RMSE and the norm are
    not sums over examples (no unbiased minibatch estimate), so they are refused. A batch of coefficient
    vectors ``(..., d)`` shares the same minibatch at each step.
    """
    X = _design(X)
    y = _targets(y, X.shape[0])
    loss = _loss_name(loss, ("sse", "half_sse", "mse"))
    n, d = X.shape
    batch_size = _count("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size: must be <= n = {n}, got {batch_size}")
    per_epoch = n // batch_size if drop_last else -(-n // batch_size)
    factor = -2.0 * n * _SQUARED_SCALE[loss](n)  # gradient = factor * (1/n) X^T r
    state = {"epoch": None, "batches": None}

    def grad_fn(beta, t, rng):
        beta = _coefficients(beta, d)
        epoch, position = divmod(int(t), per_epoch)
        if t == 0 or epoch != state["epoch"]:
            state["batches"] = list(minibatches(n, batch_size, rng, drop_last=drop_last))
            state["epoch"] = epoch
        rows = state["batches"][position]
        return factor * _mean_xr(X[rows], y[rows], beta)

    grad_fn.batches_per_epoch = per_epoch
    grad_fn.loss = loss
    return grad_fn


def chunked_grad(X, y, beta, chunk_size, loss="mse"):
    """The FULL gradient of ``loss``, accumulated over row chunks of at most ``chunk_size`` rows.

    Only one chunk of X is used at a time: X^T r and ||r||^2 are sums over examples, so the partial sums add
    up to the full-batch gradient (up to rounding). Memory is no reason to give up full-batch gradients.
    """
    X = _design(X)
    y = _targets(y, X.shape[0])
    loss = _loss_name(loss)
    beta = _coefficients(beta, X.shape[1])
    chunk_size = _count("chunk_size", chunk_size)
    n = X.shape[0]
    xr = np.zeros(beta.shape)
    squares = np.zeros(beta.shape[:-1])
    for start in range(0, n, chunk_size):
        Xc, yc = X[start : start + chunk_size], y[start : start + chunk_size]
        rc = yc - beta @ Xc.T
        xr = xr + rc @ Xc
        squares = squares + np.sum(rc * rc, axis=-1)
    if loss in _SQUARED_SCALE:
        return -2.0 * _SQUARED_SCALE[loss](n) * xr
    norm = np.sqrt(squares) * (math.sqrt(n) if loss == "rmse" else 1.0)
    return -_safe_divide(xr, norm)
