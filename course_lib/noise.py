r"""Runs with noisy gradients: where an optimizer settles when every gradient carries zero-mean noise.

With noise an optimizer never stops; it jitters around a point. What it "converges to" is the time-average of
its iterates once the start is forgotten. :func:`tail_average` runs many independent copies (one per seed) of
``x_t = step(x_{t-1}, grad(x_{t-1}) + sigma * z_t)`` with ``z_t`` standard normal, averages each copy over its
last ``tail`` steps, and reports the mean over copies with its standard error: a prediction can then be held
against a measurement, with the measurement's uncertainty in plain view.

The loop draws its noise in blocks and never stores the trajectory, so a long run over many seeds costs little
memory. Taught in notebooks/08_weight_decay.ipynb (the decoupled weight decay of Loshchilov & Hutter, 2019).
NumPy only.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from .descent import _leaves

__all__ = [
    "TailAverage",
    "gaussian_noise",
    "tail_average",
    "stable_digits",
    "l2_settling_point",
    "adamw_settling_point",
]


def _whole(name, value, low):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}: expected a whole number >= {low}, got {value!r}")
    return int(value)


def _sigma(sigma):
    try:
        sigma = np.asarray(sigma, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"sigma: expected a number or an array of numbers >= 0, got {sigma!r}") from None
    if not np.all(np.isfinite(sigma)) or np.any(sigma < 0):
        raise ValueError(f"sigma: every noise level must be finite and >= 0, got {sigma!r}")
    return sigma


def _grad(grad):
    if hasattr(grad, "grad") and hasattr(grad, "dim"):  # an Objective
        return grad.grad
    if not callable(grad):
        raise ValueError(f"grad: expected an objective or a function x -> gradient, got {grad!r}")
    return grad


def gaussian_noise(grad, sigma):
    """A ``grad_fn(x, t, rng)`` for :func:`course_lib.descend`: ``grad(x) + sigma * z``, z standard normal.

    ``grad`` is an objective (its ``.grad`` is used) or a function of ``x``; ``sigma`` a number or one noise
    level per coordinate (it broadcasts against ``x``). The noise has mean zero, so the expected gradient is
    the exact one.
    """
    grad, sigma = _grad(grad), _sigma(sigma)

    def grad_fn(x, t, rng):
        return grad(x) + sigma * rng.standard_normal(np.shape(x))

    return grad_fn


class TailAverage(NamedTuple):
    """The result of :func:`tail_average`.

    ``per_seed``: each copy's average over the tail, shape ``(seeds, ..., dim)``; ``mean`` and ``se``: the
    mean over copies and its standard error (std / sqrt(seeds)), shape ``(..., dim)``; ``drift``: the mean of
    the tail's second half minus that of its first half (near 0, within a few ``drift_se``, once the runs
    have settled); ``checkpoints``: dict step -> iterates at that step, shape ``(seeds, ..., dim)``.
    """

    mean: np.ndarray
    se: np.ndarray
    per_seed: np.ndarray
    drift: np.ndarray
    drift_se: np.ndarray
    checkpoints: dict

    @property
    def settled(self):
        """True where the drift across the tail is within 4 standard errors of zero (or below 1e-12)."""
        return np.abs(self.drift) <= np.maximum(4 * self.drift_se, 1e-12)


def tail_average(grad, optimizer, x0, *, steps, tail, sigma=0.0, seeds=64, rng=0, checkpoints=(), block=500):
    """Run ``seeds`` noisy copies of ``optimizer`` for ``steps`` steps; average each over its last ``tail``.

    Parameters
    ----------
    grad : objective or callable
        The exact gradient, ``grad(x)`` for ``x`` of shape ``(seeds, ..., dim)``.
    optimizer : an optimizer of :mod:`course_lib.optimizers`
        Array hyperparameters broadcast against ``(..., dim)`` as usual, so a sweep is one run.
    x0 : array_like, shape (dim,) or (..., dim)
        The start of every copy.
    steps, tail : int
        ``1 <= tail <= steps``; with an even ``tail`` the drift compares its two halves.
    sigma : number or array
        Noise level, one number or one per coordinate (broadcast against ``x``).
    seeds : int
        The number of independent copies (>= 2, for a standard error).
    rng : numpy Generator or int
        The source of all the noise (an int makes the run reproducible).
    checkpoints : iterable of int
        Steps at which to keep the iterates (e.g. to show a run is still moving).
    """
    grad, sigma = _grad(grad), _sigma(sigma)
    steps = _whole("steps", steps, 1)
    tail = _whole("tail", tail, 1)
    if tail > steps:
        raise ValueError(f"tail: must be <= steps = {steps}, got {tail}")
    seeds = _whole("seeds", seeds, 2)
    block = _whole("block", block, 1)
    wanted = {_whole("checkpoints", c, 0) for c in checkpoints}
    if any(c > steps for c in wanted):
        raise ValueError(f"checkpoints: every step must lie in 0 .. {steps}, got {sorted(wanted)}")
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "step")):
        raise ValueError(f"optimizer: expected an optimizer such as cl.optimizers.Adam(lr=0.01), got {optimizer!r}")
    try:
        x = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"x0: expected numbers, got {x0!r}") from None
    if x.ndim == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0: expected a finite point of shape (dim,) or (..., dim), got {x0!r}")
    shapes = [np.shape(h) for h in _leaves(getattr(optimizer, "hyperparameters", {}).values())]
    try:
        shape = (seeds, *np.broadcast_shapes(x.shape, sigma.shape, *shapes))
    except ValueError:
        raise ValueError(
            f"x0: shape {x.shape} does not broadcast with sigma {sigma.shape} and the hyperparameters {shapes}"
        ) from None
    rng = np.random.default_rng(rng)
    x = np.array(np.broadcast_to(x, shape))
    state = optimizer.init(x)
    half = tail // 2
    first, second = np.zeros(shape), np.zeros(shape)  # sums over the tail's two halves
    kept = {0: x.copy()} if 0 in wanted else {}
    start = steps - tail  # the iterates x_{start+1} .. x_steps are averaged
    with np.errstate(all="ignore"):
        for t0 in range(0, steps, block):
            n = min(block, steps - t0)
            noise = rng.standard_normal((n, *shape)) * sigma
            for k in range(n):
                x, state = optimizer.step(x, grad(x) + noise[k], state)
                t = t0 + k + 1
                if t > start:
                    if t - start <= half:
                        first += x
                    else:
                        second += x
                if t in wanted:
                    kept[t] = x.copy()
    if not np.all(np.isfinite(first + second)):
        raise ValueError("optimizer: the noisy runs diverged (non-finite iterates); lower lr or sigma")
    per_seed = (first + second) / tail
    mean = per_seed.mean(axis=0)
    se = per_seed.std(axis=0, ddof=1) / math.sqrt(seeds)
    if half:
        diff = second / (tail - half) - first / half
        drift, drift_se = diff.mean(axis=0), diff.std(axis=0, ddof=1) / math.sqrt(seeds)
    else:
        drift, drift_se = np.zeros_like(mean), np.full_like(mean, np.inf)
    return TailAverage(mean=mean, se=se, per_seed=per_seed, drift=drift, drift_se=drift_se, checkpoints=kept)


def stable_digits(mean, se):
    """``mean`` as text, rounded to the last decimal that a change of seed moves by one unit at most.

    The last digit shown is a place at least 4 standard errors wide (so ``0.1641`` with a standard error of
    0.0015 prints as ``0.16``, and ``0.94617`` with 0.0001 as ``0.946``); at most 4 decimals. A mean near a
    rounding boundary may still round either way under another seed. Works element-wise on arrays and returns a
    string such as ``(0.16, 0.946)`` for a vector.
    """
    mean, se = np.broadcast_arrays(np.asarray(mean, dtype=np.float64), np.asarray(se, dtype=np.float64))
    if np.any(~np.isfinite(se)) or np.any(se < 0):
        raise ValueError(f"se: expected finite standard errors >= 0, got {se!r}")

    def one(m, s):
        decimals = 4 if s == 0 else int(min(4, max(0, math.floor(-math.log10(4 * s)))))
        return f"{m:.{decimals}f}"

    if mean.ndim == 0:
        return one(float(mean), float(se))
    return "(" + ", ".join(one(float(m), float(s)) for m, s in zip(mean.ravel(), se.ravel(), strict=True)) + ")"


def _positive_array(name, value):
    try:
        value = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected numbers >= 0, got {value!r}") from None
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        raise ValueError(f"{name}: expected finite numbers >= 0, got {value!r}")
    return value


def l2_settling_point(lam):
    """Where Adam + L2 (or SGD + L2) settles on f = 1/2 ||x - 1||^2 with zero-mean gradient noise: the root of
    grad f + lam x = 0, x = 1 / (1 + lam) on every coordinate, whatever the noise."""
    return 1.0 / (1.0 + _positive_array("lam", lam))


def adamw_settling_point(lam, sigma, *, leading_order=False):
    r"""Where AdamW (torch's form) settles on f = 1/2 ||x - 1||^2 when coordinate i's gradient carries noise of
    standard deviation ``sigma_i``: the root of grad f_i + lam sqrt(v_i) x_i = 0 with v_i = sigma_i**2 +
    (grad f_i)**2, the second moment Adam's v-hat tracks. ``leading_order=True`` drops (grad f_i)**2:
    x_i = 1 / (1 + lam sigma_i). Solved by bisection on [0, 1] (the left side is -1 at 0, >= 0 at 1). Assumes v-hat
    changes slowly (beta2 near 1) and a small learning rate, so x_i's own jitter adds little to v_i.
    """
    lam, sigma = np.broadcast_arrays(_positive_array("lam", lam), _positive_array("sigma", sigma))
    if leading_order:
        return 1.0 / (1.0 + lam * sigma)
    lo, hi = np.zeros(lam.shape), np.ones(lam.shape)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        residual = (mid - 1.0) + lam * np.sqrt(sigma**2 + (mid - 1.0) ** 2) * mid
        lo, hi = np.where(residual < 0, mid, lo), np.where(residual < 0, hi, mid)
    return 0.5 * (lo + hi)
