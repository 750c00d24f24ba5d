r"""Second-order and quasi-Newton methods: Newton-Raphson, a safeguarded Newton, and L-BFGS.

They follow the same pure pattern as :mod:`course_lib.optimizers` (``init(x)``, ``step(x, g, state)``), so
``cl.descend`` runs them, batches included. Unlike first-order rules they need more than the gradient at ``x``:
Newton needs the Hessian, and the line searches need function values, so these optimizers are built *on* an
objective: ``Newton(f)``, ``LBFGS(f)``.

Taught in notebooks/09_newton_lbfgs.ipynb.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from .optimizers import Optimizer, _check

__all__ = ["Newton", "SafeguardedNewton", "LBFGS", "LogisticLoss"]


def _objective(name, objective, need_hessian=False):
    required = ("value", "grad", "dim") + (("hess",) if need_hessian else ())
    missing = [a for a in required if not hasattr(objective, a)]
    if missing:
        raise ValueError(f"{name}: expected an objective with {', '.join(required)}; missing {', '.join(missing)}")
    return objective


def _solve(matrix, vector):
    """Solve ``matrix @ p = vector`` for a batch; singular systems fall back to the pseudo-inverse."""
    try:
        return np.linalg.solve(matrix, vector[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(matrix) @ vector[..., None])[..., 0]


def _backtrack(objective, x, value, slope, direction, lr, c1, shrink, max_backtracks):
    """Armijo backtracking per trajectory: the largest ``a = lr * shrink**k`` with
    ``f(x + a p) <= f(x) + c1 * a * (g . p)``. Returns the new points."""
    a = np.broadcast_to(np.asarray(lr, dtype=np.float64), value.shape).copy()
    pending = np.ones(value.shape, dtype=bool)
    for _ in range(max_backtracks):
        trial = objective.value(x + a[..., None] * direction)
        accepted = trial <= value + c1 * a * slope  # NaN never passes
        pending &= ~accepted
        if not pending.any():
            break
        a = np.where(pending, a * shrink, a)
    a = np.where(pending, 0.0, a)  # no acceptable step: stay put rather than go uphill
    return x + a[..., None] * direction


def _positive_whole(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: expected a positive whole number, got {value!r}")
    return value


class _LineSearch(Optimizer):
    """Shared by the methods that choose their step length by Armijo backtracking (fields ``objective``, ``lr``,
    ``c1``, ``shrink``, ``max_backtracks``).

    Their ``step`` takes an optional ``value``, f at ``x``, which the line search needs: ``descend`` has it
    already and passes it (it checks ``takes_value``), which saves one evaluation of f per step.
    """

    takes_value = True

    def _check_line_search(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "c1", _check("c1", self.c1, 0.0, 1.0, high_open=True))
        set_(self, "shrink", _check("shrink", self.shrink, 0.0, 1.0, high_open=True))
        _positive_whole("max_backtracks", self.max_backtracks)

    def _line_search(self, x, slope, direction, value=None):
        """The point reached along ``direction`` (with ``slope`` = g . direction < 0) by backtracking from lr;
        ``value`` is f at ``x``, evaluated here when not given."""
        f = self.objective
        if value is None:
            value = f.value(x)
        else:
            try:
                value = np.broadcast_to(np.asarray(value, dtype=np.float64), x.shape[:-1])
            except (TypeError, ValueError):
                shape = x.shape[:-1]
                raise ValueError(f"value: expected f at x, numbers of shape {shape}, got {value!r:.60}") from None
        return _backtrack(f, x, value, slope, direction, self.lr, self.c1, self.shrink, self.max_backtracks)


class NewtonState(NamedTuple):
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class Newton(Optimizer):
    r"""x_t = x_{t-1} - lr * (H(x_{t-1}) + damping * I)^{-1} g_t.

    ``lr = 1, damping = 0`` is the pure Newton-Raphson step: it jumps to the stationary point of the local
    quadratic model, which is the minimum only where H is positive definite (so it is drawn to saddles and
    maxima too). ``damping > 0`` is Levenberg's shift toward a short gradient step.
    Taught in notebooks/09_newton_lbfgs.ipynb. Newton (1669), Raphson (1690); Levenberg (1944).
    """

    objective: object
    lr: float = 1.0
    damping: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        _objective("objective", self.objective, need_hessian=True)
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "damping", _check("damping", self.damping, 0.0))

    def init(self, x):
        return NewtonState(t=0)

    def step(self, x, g, state):
        H = self.objective.hess(x) + np.asarray(self.damping)[..., None, None] * np.eye(self.objective.dim)
        return x - self.lr * _solve(H, g), NewtonState(t=state.t + 1)


@dataclasses.dataclass(frozen=True, eq=False)
class SafeguardedNewton(_LineSearch):
    r"""Newton with two safeguards: H's eigenvalues replaced by max(|λ|, min_curvature), so the direction
    always points downhill (saddles repel instead of attract), and an Armijo backtracking line search on the
    step length, so a far-away start cannot overshoot.

    Taught in notebooks/09_newton_lbfgs.ipynb. Nocedal & Wright, Numerical Optimization (2006), ch. 3.4.
    """

    objective: object
    lr: float = 1.0
    min_curvature: float = 1e-3
    c1: float = 1e-4
    shrink: float = 0.5
    max_backtracks: int = 40

    def __post_init__(self):
        set_ = object.__setattr__
        _objective("objective", self.objective, need_hessian=True)
        self._check_line_search()
        set_(self, "min_curvature", _check("min_curvature", self.min_curvature, 0.0))
        if np.any(np.asarray(self.min_curvature) == 0):
            raise ValueError("min_curvature: must be > 0 so that the modified Hessian is invertible")

    def init(self, x):
        return NewtonState(t=0)

    def step(self, x, g, state, value=None):
        eigenvalues, eigenvectors = np.linalg.eigh(self.objective.hess(x))
        curvature = np.maximum(np.abs(eigenvalues), np.asarray(self.min_curvature)[..., None])
        # p = -V diag(1/|λ|) V^T g : a descent direction, since the modified Hessian is positive definite
        coefficients = np.einsum("...ji,...j->...i", eigenvectors, g) / curvature
        direction = -np.einsum("...ij,...j->...i", eigenvectors, coefficients)
        slope = np.einsum("...i,...i->...", g, direction)
        return self._line_search(x, slope, direction, value), NewtonState(t=state.t + 1)


class LBFGSState(NamedTuple):
    s: np.ndarray  # (..., m, dim) past steps x_t - x_{t-1}, newest last
    y: np.ndarray  # (..., m, dim) past gradient changes grad f(x_t) - grad f(x_{t-1})
    x_prev: np.ndarray
    g_prev: np.ndarray
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class LBFGS(_LineSearch):
    r"""Limited-memory BFGS: p = -H_k g from the last ``history_size`` pairs (s, y) by the two-loop recursion,
    then an Armijo backtracking line search along p starting from step ``lr``.

    H_k approximates the inverse Hessian: it satisfies the secant equation H y = s for the newest pair, starts
    from the scaling (s.y / y.y) I, and uses only O(m d) memory. Pairs with s.y <= 0 (no positive curvature)
    are skipped, which keeps H_k positive definite. Taught in notebooks/09_newton_lbfgs.ipynb.
    Nocedal (1980); Liu & Nocedal (1989); Nocedal & Wright (2006), Algorithm 7.4.
    """

    objective: object
    lr: float = 1.0
    history_size: int = 10
    c1: float = 1e-4
    shrink: float = 0.5
    max_backtracks: int = 40

    def __post_init__(self):
        _objective("objective", self.objective)
        self._check_line_search()
        _positive_whole("history_size", self.history_size)

    def init(self, x):
        x = np.asarray(x, dtype=np.float64)
        memory = np.zeros((*x.shape[:-1], self.history_size, x.shape[-1]))
        return LBFGSState(s=memory, y=memory, x_prev=x, g_prev=np.zeros_like(x), t=0)

    def direction(self, g, s, y):
        """The two-loop recursion: returns -H g for the memory (s, y); pairs with s.y <= 0 are ignored."""
        sy = np.einsum("...ki,...ki->...k", s, y)
        valid = sy > 1e-12 * np.maximum(1.0, np.einsum("...ki,...ki->...k", y, y))
        rho = np.where(valid, 1.0 / np.where(valid, sy, 1.0), 0.0)
        q = g.copy()
        alpha = np.zeros(rho.shape)
        for k in reversed(range(rho.shape[-1])):  # newest to oldest
            alpha[..., k] = rho[..., k] * np.einsum("...i,...i->...", s[..., k, :], q)
            q = q - alpha[..., k, None] * y[..., k, :]
        # initial scaling gamma = s.y / y.y from the newest valid pair; before any pair, a unit-length first step
        newest = np.where(valid.any(axis=-1), valid.shape[-1] - 1 - np.argmax(valid[..., ::-1], axis=-1), -1)
        pick = np.maximum(newest, 0)[..., None, None]
        s_new = np.take_along_axis(s, pick, axis=-2)[..., 0, :]
        y_new = np.take_along_axis(y, pick, axis=-2)[..., 0, :]
        yy = np.einsum("...i,...i->...", y_new, y_new)
        first = 1.0 / np.maximum(1.0, np.linalg.norm(g, axis=-1))
        gamma = np.where(newest >= 0, np.einsum("...i,...i->...", s_new, y_new) / np.where(yy > 0, yy, 1.0), first)
        r = gamma[..., None] * q
        for k in range(rho.shape[-1]):  # oldest to newest
            beta = rho[..., k] * np.einsum("...i,...i->...", y[..., k, :], r)
            r = r + s[..., k, :] * (alpha[..., k] - beta)[..., None]
        return -r

    def step(self, x, g, state, value=None):
        s, y = state.s, state.y
        if state.t > 0:  # remember the pair from the previous step, dropping the oldest
            s = np.concatenate([s[..., 1:, :], (x - state.x_prev)[..., None, :]], axis=-2)
            y = np.concatenate([y[..., 1:, :], (g - state.g_prev)[..., None, :]], axis=-2)
        p = self.direction(g, s, y)
        slope = np.einsum("...i,...i->...", g, p)
        uphill = ~(slope < 0)  # numerical trouble: fall back to steepest descent
        if uphill.any():
            p = np.where(uphill[..., None], -g, p)
            slope = np.where(uphill, -np.einsum("...i,...i->...", g, g), slope)
        return self._line_search(x, slope, p, value), LBFGSState(s=s, y=y, x_prev=x, g_prev=g, t=state.t + 1)


class LogisticLoss:
    r"""The mean negative log-likelihood of logistic regression, a problem on which Newton is Fisher scoring:

        f(w) = mean_i [log(1 + e^{z_i}) - y_i z_i],  z = X w,  p = sigmoid(z),
        grad f = X^T (p - y) / n,   hess f = X^T diag(p (1 - p)) X / n.

    The Hessian does not contain y, so it equals its expectation over the labels, the Fisher information:
    Newton's step is the Fisher-scoring step, and it solves a weighted least-squares problem with weights
    p (1 - p) (iteratively reweighted least squares, IRLS). ``X`` is (n, dim) (add a column of ones for an
    intercept), ``y`` holds 0s and 1s. Evaluates any batch ``W`` of shape (..., dim).
    Taught in notebooks/09_newton_lbfgs.ipynb.
    """

    def __init__(self, X, y):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
            raise ValueError(f"X: expected a finite 2-D array of shape (n, dim), got shape {X.shape}")
        if y.shape != (X.shape[0],) or not np.all((y == 0) | (y == 1)):
            raise ValueError(f"y: expected {X.shape[0]} labels, each 0 or 1")
        self.X, self.y = X, y
        self.dim = X.shape[1]
        self.minima = np.empty((0, self.dim))  # not known in closed form

    def __repr__(self):
        return f"LogisticLoss(n={len(self.y)}, dim={self.dim})"

    def _logits(self, W):
        return np.asarray(W, dtype=np.float64) @ self.X.T  # (..., n)

    def value(self, W):
        z = self._logits(W)
        return np.mean(np.logaddexp(0.0, z) - self.y * z, axis=-1)

    def grad(self, W):
        p = 0.5 + 0.5 * np.tanh(0.5 * self._logits(W))  # sigmoid without overflow
        return (p - self.y) @ self.X / len(self.y)

    def value_and_grad(self, W):
        return self.value(W), self.grad(W)

    def hess(self, W):
        p = 0.5 + 0.5 * np.tanh(0.5 * self._logits(W))
        return np.einsum("...n,ni,nj->...ij", p * (1 - p), self.X, self.X) / len(self.y)
