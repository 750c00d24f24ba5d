"""``descend``: run an optimizer on an objective, for one trajectory or a whole batch at once.

>>> import course_lib as cl
>>> path = cl.descend(cl.surface("bowl"), cl.optimizers.SGD(lr=0.5), x0=[0.0, 0.0], steps=3)
>>> path.xs[1]
array([7., 3.])

Divergence never floods the screen with RuntimeWarnings: a trajectory whose iterate or value stops being finite,
or runs further than ``bound`` times its start from the origin, is frozen at its last good point and flagged
in ``Path.diverged`` and ``Path.diverged_at``.
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np

__all__ = ["Path", "descend"]


@dataclasses.dataclass(frozen=True, eq=False)
class Path:
    """The record of a descent run.

    Attributes
    ----------
    xs : ndarray, shape (steps + 1, ..., dim)
        The iterates; ``xs[0]`` is the start.
    values : ndarray, shape (steps + 1, ...)
        The objective at each iterate.
    diverged : ndarray of bool, batch shape
        True for trajectories that blew up (they are frozen at their last finite iterate).
    diverged_at : ndarray of int, batch shape
        The step at which each trajectory blew up, -1 where it never did.
    """

    xs: np.ndarray
    values: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray

    @property
    def steps(self):
        """The number of steps taken (``len(xs) - 1``; fewer than asked when ``tol`` stopped early)."""
        return self.xs.shape[0] - 1

    @property
    def x(self):
        """The last iterate, shape ``(..., dim)``."""
        return self.xs[-1]

    @property
    def value(self):
        """The objective at the last iterate, batch-shaped."""
        return self.values[-1]

    def __repr__(self):
        batch = self.xs.shape[1:-1]
        where = f", batch {batch}" if batch else ""
        return f"Path(steps={self.steps}{where}, diverged={int(np.sum(self.diverged))})"


def _steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise ValueError(f"steps: expected a whole number of steps, got {steps!r}")
    if steps < 0:
        raise ValueError(f"steps: must be >= 0, got {steps}")
    return int(steps)


def _start(objective, optimizer, x0):
    try:
        x = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"x0: expected numbers, got {x0!r}") from None
    if x.ndim == 0 and objective.dim == 1:
        x = x[None]
    if x.ndim == 0 or x.shape[-1] != objective.dim:
        got = "a scalar" if x.ndim == 0 else f"last dimension {x.shape[-1]}"
        raise ValueError(f"x0: the objective has dimension {objective.dim}, but x0 has {got}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0: every coordinate must be finite")
    # Array hyperparameters (a sweep) may add batch dimensions: every trajectory gets its own copy of the start.
    shapes = [np.shape(h) for h in _leaves(optimizer.hyperparameters.values())]
    try:
        shape = np.broadcast_shapes(x.shape, *shapes)
    except ValueError:
        raise ValueError(
            f"x0: shape {x.shape} does not broadcast with the optimizer's array hyperparameters {shapes}"
        ) from None
    return np.array(np.broadcast_to(x, shape))


def _scheduled(optimizer, lr_schedule, t):
    """The optimizer with the learning rate the schedule gives for step ``t`` (validated as usual)."""
    try:
        return optimizer.replace(lr=lr_schedule(t))
    except ValueError as err:
        raise ValueError(f"lr_schedule: at step t = {t}: {err}") from None


def _max_abs(x):
    """max |x| over the last axis, a column at a time (a NumPy reduction over a short last axis is slow).
    NaN propagates, so the result is finite exactly when every entry is."""
    largest = np.abs(x[..., 0])
    for i in range(1, x.shape[-1]):
        largest = np.maximum(largest, np.abs(x[..., i]))
    return largest


def _healthy(x, value, g, smallest_limit):
    """A fast whole-batch test, True when no trajectory can have diverged; False sends the step to the exact
    per-trajectory test. It uses reductions only: NaN fails every comparison, and a sum is finite only when every
    term is (an overflowing sum of finite terms merely takes the exact test)."""
    return bool(
        -smallest_limit <= x.min() and x.max() <= smallest_limit and np.isfinite(value.sum()) and np.isfinite(g.sum())
    )


def _leaves(values):
    for v in values:
        if isinstance(v, tuple):
            yield from _leaves(v)
        elif isinstance(v, np.ndarray):
            yield v


def descend(objective, optimizer, x0, steps, tol=None, *, grad_fn=None, lr_schedule=None, rng=None, bound=1e6):
    """Run ``optimizer`` on ``objective`` from ``x0`` for ``steps`` steps and return the :class:`Path`.

    Parameters
    ----------
    objective : Objective
        Anything with ``value_and_grad(X)`` and ``dim``, e.g. ``cl.surface("rosenbrock")``.
    optimizer : an optimizer of :mod:`course_lib.optimizers`
    x0 : array_like, shape (dim,) or (..., dim)
        One start or a batch of starts; a list is fine. Never modified.
    steps : int
        The number of steps (>= 0).
    tol : float, optional
        Stop early once every trajectory's gradient norm is below ``tol`` (diverged ones are ignored).
    grad_fn : callable, optional
        ``grad_fn(x, t, rng) -> g`` replaces the exact gradient, e.g. a minibatch gradient or a noisy one. It is
        called once per step, at ``x`` = the point after ``t`` steps, for ``t = 0, ..., steps - 1``: the last
        point gets no gradient, since no step follows it.
    lr_schedule : callable, optional
        ``lr_schedule(t) -> lr`` for the step that starts from the point after ``t`` steps, ``t = 0, 1, ...``
        (a decaying schedule, say): the first step uses ``lr_schedule(0)``, as torch's ``LambdaLR`` counts.
    rng : numpy Generator or int seed, optional
        Passed to ``grad_fn`` (made with ``np.random.default_rng(rng)``).
    bound : float
        A trajectory counts as diverged once ``max|x| > bound * (1 + max|x0|)``.
    """
    if not (hasattr(objective, "value_and_grad") and hasattr(objective, "dim")):
        raise ValueError(
            f"objective: expected an objective such as cl.surface('bowl') or cl.objective('x**2'), got {objective!r}"
        )
    if isinstance(optimizer, type):
        raise ValueError(f"optimizer: pass an instance such as {optimizer.__name__}(lr=0.1), not the class itself")
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "step") and hasattr(optimizer, "hyperparameters")):
        raise ValueError(f"optimizer: expected an optimizer such as cl.optimizers.SGD(lr=0.1), got {optimizer!r}")
    steps = _steps(steps)
    if tol is not None and not (isinstance(tol, numbers.Real) and np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol: expected a positive number or None, got {tol!r}")
    if not (isinstance(bound, numbers.Real) and bound > 0):
        raise ValueError(f"bound: expected a positive number, got {bound!r}")
    if grad_fn is not None and not callable(grad_fn):
        raise ValueError("grad_fn: expected a function grad_fn(x, t, rng)")
    if lr_schedule is not None and not callable(lr_schedule):
        raise ValueError("lr_schedule: expected a function lr_schedule(t)")
    x = _start(objective, optimizer, x0)
    rng = np.random.default_rng(rng)
    limit = bound * (1.0 + _max_abs(x))
    smallest_limit = limit.min()

    with np.errstate(all="ignore"):

        def evaluate(point, t):
            if grad_fn is None:
                return objective.value_and_grad(point)
            value = objective.value(point)
            if t == steps:  # the last point: no step uses its gradient, so none is drawn
                return value, np.zeros_like(point)
            try:
                g = np.broadcast_to(np.asarray(grad_fn(point, t, rng), dtype=np.float64), point.shape)
            except (TypeError, ValueError) as err:
                raise ValueError(f"grad_fn: must return numbers of the points' shape {point.shape} ({err})") from None
            return value, g

        value, g = evaluate(x, 0)
        diverged = ~np.isfinite(value)
        diverged_at = np.where(diverged, 0, -1)
        state = optimizer.init(x)
        takes_value = getattr(optimizer, "takes_value", False)
        xs = np.empty((steps + 1, *x.shape))
        values = np.empty((steps + 1, *value.shape))
        xs[0], values[0] = x, value
        done = steps
        for t in range(steps):
            if tol is not None and np.all(diverged | (np.linalg.norm(g, axis=-1) < tol)):
                done = t
                break
            opt = optimizer if lr_schedule is None else _scheduled(optimizer, lr_schedule, t)
            if takes_value:  # a line search needs f(x), which is already here
                x_new, state = opt.step(x, g, state, value=value)
            else:
                x_new, state = opt.step(x, g, state)
            value_new, g_new = evaluate(x_new, t + 1)
            if diverged.any() or not _healthy(x_new, value_new, g_new, smallest_limit):
                bad = ~(_max_abs(x_new) <= limit) | ~np.isfinite(value_new) | ~np.isfinite(_max_abs(g_new))
                diverged_at = np.where(bad & ~diverged, t + 1, diverged_at)
                diverged = diverged | bad
                keep = diverged[..., None]
                x_new = np.where(keep, x, x_new)
                value_new = np.where(diverged, value, value_new)
                g_new = np.where(keep, 0.0, g_new)
            x, value, g = x_new, value_new, g_new
            xs[t + 1], values[t + 1] = x, value
        if done < steps:
            xs, values = xs[: done + 1].copy(), values[: done + 1].copy()
    return Path(
        xs=xs,
        values=values,
        diverged=np.asarray(diverged, dtype=bool),
        diverged_at=np.asarray(diverged_at, dtype=np.int64),
    )
