r"""Two classifiers with hand-written gradients, batched over parameters so that many models train in one call.

Both models predict the probability ``p = sigmoid(z)`` of label 1 from a logit ``z`` and are trained on the mean
binary cross-entropy (log loss, 로그 손실) over a set ``B`` of rows, plus an optional L2 penalty:

    loss(theta) = (1/|B|) sum_{i in B} [log(1 + e^{z_i}) - y_i z_i]  +  (l2 / 2) ||theta||^2,
    d loss / d z_i = (sigmoid(z_i) - y_i) / |B|.

The penalty covers every parameter, bias included, exactly as torch's ``weight_decay`` does, so a model with
``l2 = lam`` and ``SGD(weight_decay=lam)`` on the model with ``l2 = 0`` take the same steps.

* :class:`LogisticRegression`: ``z = w . x + b``; convex, with a Hessian (chapter 09's Newton applies).
  Parameters ``theta = [w_1 .. w_d, b]`` (the bias last, as :func:`course_lib.regression.add_bias`).
* :class:`MLP`: one hidden layer, ``z = w2 . tanh(W1 x + b1) + b2``; not convex (swapping two hidden units
  gives the same function, so minima come in symmetric copies). Parameters ``[W1 (row-major), b1, w2, b2]``.

Every method takes ``W`` of shape ``(..., dim)``: a batch of independent models. ``idx`` picks the rows of the
minibatch: shape ``(b,)`` (the same rows for every model) or ``(..., b)`` broadcasting against the batch shape
(for example one shuffle per seed). Taught in notebooks/10_training_a_model.ipynb.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .regression import _design

__all__ = ["LogisticRegression", "MLP", "sigmoid", "log_loss"]


def sigmoid(z):
    """1 / (1 + e^{-z}), computed as (1 + tanh(z/2)) / 2: no overflow for any finite z."""
    return 0.5 + 0.5 * np.tanh(0.5 * np.asarray(z, dtype=np.float64))


def log_loss(z, y):
    """Per-example binary cross-entropy from the logit: log(1 + e^z) - y z (= -log p or -log(1-p)), stably."""
    z = np.asarray(z, dtype=np.float64)
    return np.logaddexp(0.0, z) - y * z


def _data(X, y):
    X = np.array(_design(X))  # the checks of regression's design matrices; a copy the model owns
    try:
        y = np.array(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("y: expected a 1-D array of 0/1 labels") from None
    if y.shape != (X.shape[0],):
        raise ValueError(f"y: expected shape ({X.shape[0]},) to match the rows of X, got shape {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y: every label must be 0 or 1")
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def _l2(l2):
    if isinstance(l2, (bool, np.bool_)) or not isinstance(l2, numbers.Real) or not math.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2: expected a number >= 0, got {l2!r}")
    return float(l2)


def _batch_shape(batch_shape):
    shape = (batch_shape,) if isinstance(batch_shape, numbers.Integral) else tuple(batch_shape)
    if not all(isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= 0 for k in shape):
        raise ValueError(f"batch_shape: expected a tuple of whole numbers >= 0, got {batch_shape!r}")
    return tuple(int(k) for k in shape)


class _Classifier:
    """What both models share: data checks, minibatch rows, the loss, the L2 term, accuracy."""

    def __init__(self, X, y, *, l2=0.0):
        self.X, self.y = _data(X, y)
        self.n, self.d = self.X.shape
        self.l2 = _l2(l2)

    # subclasses define dim, _logits(W, X) and _backward(W, X, r, cache)

    def _params(self, W):
        try:
            W = np.asarray(W, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"W: expected an array of numbers of shape (..., {self.dim})") from None
        if W.ndim == 0 or W.shape[-1] != self.dim:
            got = "a scalar" if W.ndim == 0 else f"last dimension {W.shape[-1]}"
            need = f"(..., {self.dim})"
            raise ValueError(f"W: this model has dim = {self.dim} parameters, so W needs shape {need}; got {got}")
        return W

    def _rows(self, idx):
        """``(X_B, y_B)`` for the rows ``idx``: shapes (..., b, d) and (..., b); all rows when idx is None."""
        if idx is None:
            return self.X, self.y
        idx = np.asarray(idx)
        if idx.ndim == 0 or idx.shape[-1] == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"idx: expected a non-empty array of row numbers of shape (..., b), got {idx!r:.80}")
        if idx.min() < 0 or idx.max() >= self.n:
            raise ValueError(f"idx: row numbers must lie in 0 .. {self.n - 1}")
        return self.X[idx], self.y[idx]

    def _with_data(self, X, y):
        if X is None and y is None:
            return self.X, self.y
        if X is None or y is None:
            raise ValueError("X, y: give both (other data) or neither (the model's own data)")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.d:
            raise ValueError(f"X: expected shape (m, {self.d}), got {X.shape}")
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y: expected shape ({X.shape[0]},), got {y.shape}")
        return X, y

    def value_and_grad(self, W, idx=None):
        """Loss and gradient at every model in ``W`` (shape (..., dim)) on the rows ``idx`` (all rows if None).

        Returns shapes ``(...)`` (broadcast with idx's batch shape) and ``(..., dim)``.
        """
        W = self._params(W)
        Xb, yb = self._rows(idx)
        z, cache = self._logits(W, Xb)
        b = Xb.shape[-2]
        value = log_loss(z, yb).mean(axis=-1)
        r = (sigmoid(z) - yb) / b  # d loss / d z, shape (..., b)
        g = self._backward(W, Xb, r, cache)
        if self.l2:
            value = value + 0.5 * self.l2 * np.sum(W * W, axis=-1)
            g = g + self.l2 * W
        return value, g

    def value(self, W, idx=None):
        """The loss only (cheaper: no backward pass), shape (...)."""
        W = self._params(W)
        if idx is None:  # all rows: in chunks of models, so the temporaries stay small
            value = self._scores(W, self.X, self.y)[0]
        else:
            Xb, yb = self._rows(idx)
            value = log_loss(self._logits(W, Xb)[0], yb).mean(axis=-1)
        return value + 0.5 * self.l2 * np.sum(W * W, axis=-1) if self.l2 else value

    # temporaries of one chunk of models on all rows hold at most about this many numbers
    _CHUNK = 1_000_000

    def _scores(self, W, X, y):
        """(mean log loss, accuracy) of every model on the rows (X, y): one forward pass, in chunks of models."""
        flat = W.reshape(-1, self.dim)
        per = max(1, self._CHUNK // (X.shape[0] * getattr(self, "hidden", 1)))
        loss, accuracy = np.empty(len(flat)), np.empty(len(flat))
        for start in range(0, len(flat), per):
            z = self._logits(flat[start : start + per], X)[0]
            loss[start : start + per] = log_loss(z, y).mean(axis=-1)
            accuracy[start : start + per] = np.mean((z > 0) == (y == 1), axis=-1)
        return loss.reshape(W.shape[:-1]), accuracy.reshape(W.shape[:-1])

    def evaluate(self, W, X=None, y=None):
        """``(data_loss, accuracy)`` on ``(X, y)`` (default: the model's data) from one forward pass."""
        X, y = self._with_data(X, y)
        return self._scores(self._params(W), X, y)

    def grad(self, W, idx=None):
        return self.value_and_grad(W, idx)[1]

    def __call__(self, W, idx=None):
        return self.value(W, idx)

    def logits(self, W, X=None):
        """The logit z for every model and every row of ``X`` (the model's own rows if None): shape (..., m)."""
        X, _ = self._with_data(X, np.zeros(len(X)) if X is not None else None)
        return self._logits(self._params(W), X)[0]

    def data_loss(self, W, X=None, y=None):
        """Mean cross-entropy on ``(X, y)`` (default: the model's data), WITHOUT the L2 term: the number to
        compare on held-out data."""
        return self.evaluate(W, X, y)[0]

    def accuracy(self, W, X=None, y=None):
        """Fraction of rows classified correctly (label 1 where z > 0), shape (...)."""
        return self.evaluate(W, X, y)[1]


class LogisticRegression(_Classifier):
    r"""Logistic regression p = sigmoid(w . x + b) with the mean log loss and an optional L2 term.

    Gradient: (1/|B|) X_B^T (p - y) for w, the mean of (p - y) for b, plus l2 * theta.
    Hessian (full data): (1/n) X1^T diag(p(1-p)) X1 + l2 I with X1 = [X, 1]; positive semidefinite, so the loss
    is convex, and strictly convex when l2 > 0. Cox (1958); taught in notebooks/10_training_a_model.ipynb.
    """

    def __init__(self, X, y, *, l2=0.0):
        super().__init__(X, y, l2=l2)
        self.dim = self.d + 1
        self.name = f"logistic regression (n={self.n}, d={self.d}, l2={self.l2:g})"

    def __repr__(self):
        return f"LogisticRegression(n={self.n}, d={self.d}, l2={self.l2!r})"

    def init(self, batch_shape=(), rng=None):
        """Zeros of shape (*batch_shape, dim): a convex model needs no random start (``rng`` is ignored)."""
        return np.zeros((*_batch_shape(batch_shape), self.dim))

    def _logits(self, W, Xb):
        w, b = W[..., : self.d], W[..., self.d]
        z = (Xb @ w[..., None])[..., 0] + b[..., None]
        return z, None

    def _backward(self, W, Xb, r, cache):
        gw = (r[..., None, :] @ Xb)[..., 0, :]  # X_B^T r for every model
        gb = np.broadcast_to(r.sum(axis=-1), gw.shape[:-1])
        return np.concatenate([gw, gb[..., None]], axis=-1)

    def hess(self, W):
        """The Hessian on all rows, shape (..., dim, dim)."""
        W = self._params(W)
        X1 = np.hstack([self.X, np.ones((self.n, 1))])
        p = sigmoid(self._logits(W, self.X)[0])
        weights = p * (1 - p) / self.n  # (..., n)
        H = np.einsum("ni,...n,nj->...ij", X1, weights, X1)
        return H + self.l2 * np.eye(self.dim)


class MLP(_Classifier):
    r"""One hidden layer of ``hidden`` tanh units: h = tanh(W1 x + b1), z = w2 . h + b2, p = sigmoid(z).

    Backpropagation with r = d loss / d z: grad w2 = H^T r, grad b2 = sum r, delta = (r w2^T) * (1 - h^2),
    grad W1 = delta^T X_B, grad b1 = sum of delta over rows. Not convex. Rumelhart, Hinton & Williams (1986).
    """

    def __init__(self, X, y, *, hidden=16, l2=0.0):
        super().__init__(X, y, l2=l2)
        if isinstance(hidden, (bool, np.bool_)) or not isinstance(hidden, numbers.Integral) or hidden < 1:
            raise ValueError(f"hidden: expected a whole number >= 1, got {hidden!r}")
        self.hidden = int(hidden)
        h, d = self.hidden, self.d
        self.dim = h * d + 2 * h + 1
        self.name = f"MLP (n={self.n}, d={d}, hidden={h}, l2={self.l2:g})"

    def __repr__(self):
        return f"MLP(n={self.n}, d={self.d}, hidden={self.hidden}, l2={self.l2!r})"

    def unpack(self, W):
        """Views ``(W1, b1, w2, b2)`` of shapes (..., hidden, d), (..., hidden), (..., hidden), (...)."""
        h, d = self.hidden, self.d
        W1 = W[..., : h * d].reshape(*W.shape[:-1], h, d)
        b1 = W[..., h * d : h * d + h]
        w2 = W[..., h * d + h : h * d + 2 * h]
        return W1, b1, w2, W[..., -1]

    def init(self, batch_shape=(), rng=None):
        """Random start of shape (*batch_shape, dim): every weight and bias uniform in +-1/sqrt(fan_in), as
        torch.nn.Linear starts. ``rng`` (a Generator or an int seed) is required: no hidden randomness."""
        if rng is None:
            raise ValueError("rng: the MLP starts at random; pass a numpy Generator or an integer seed")
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        shape = _batch_shape(batch_shape)
        h, d = self.hidden, self.d
        bounds = np.concatenate([np.full(h * d + h, 1 / math.sqrt(d)), np.full(h + 1, 1 / math.sqrt(h))])
        return rng.uniform(-1.0, 1.0, size=(*shape, self.dim)) * bounds

    def _logits(self, W, Xb):
        W1, b1, w2, b2 = self.unpack(W)
        H = np.tanh(Xb @ np.swapaxes(W1, -1, -2) + b1[..., None, :])  # (..., b, hidden)
        z = np.einsum("...bh,...h->...b", H, w2) + b2[..., None]
        return z, H

    def _backward(self, W, Xb, r, H):
        W1, b1, w2, b2 = self.unpack(W)
        g_w2 = np.einsum("...b,...bh->...h", r, H)
        g_b2 = r.sum(axis=-1)
        delta = r[..., :, None] * w2[..., None, :] * (1.0 - H * H)  # (..., b, hidden)
        g_W1 = np.swapaxes(delta, -1, -2) @ Xb  # (..., hidden, d)
        g_b1 = delta.sum(axis=-2)
        lead = np.broadcast_shapes(g_W1.shape[:-2], g_w2.shape[:-1])
        parts = [
            np.broadcast_to(g_W1, (*lead, *g_W1.shape[-2:])).reshape(*lead, -1),
            np.broadcast_to(g_b1, (*lead, self.hidden)),
            np.broadcast_to(g_w2, (*lead, self.hidden)),
            np.broadcast_to(g_b2, lead)[..., None],
        ]
        return np.concatenate(parts, axis=-1)
