"""Learning-rate schedules as functions ``lr_schedule(t)`` for ``cl.descend`` (t = 0 on the first step).

- :func:`inverse_time`: c / (t + t0), which meets the Robbins-Monro conditions (sum = oo, sum of squares < oo).
- :func:`step_decay`: lr0 times ``factor`` every ``every`` steps (torch's ``StepLR``).
- :func:`cosine`: lr0 (1 + cos(pi t / total)) / 2 down to ``lr_min`` at ``total`` (torch's ``CosineAnnealingLR``).
- :func:`warmup`: a linear ramp over the first ``steps`` steps in front of any schedule (Goyal et al. 2017).

Taught in notebooks/05_sgd.ipynb.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["inverse_time", "step_decay", "cosine", "warmup"]


def _positive(name, value, *, allow_zero=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name}: expected a {'non-negative' if allow_zero else 'positive'} number, got {value!r}")
    return float(value)


def _whole(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name}: expected a whole number >= 1, got {value!r}")
    return int(value)


def inverse_time(c, t0):
    """lr_t = c / (t + t0)."""
    c, t0 = _positive("c", c), _positive("t0", t0)
    return lambda t: c / (t + t0)


def step_decay(lr0, *, every, factor=0.1):
    """lr_t = lr0 * factor ** (t // every)."""
    lr0, every = _positive("lr0", lr0), _whole("every", every)
    factor = _positive("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor: a decay needs 0 < factor < 1, got {factor!r}")
    return lambda t: lr0 * factor ** (t // every)


def cosine(lr0, *, total, lr_min=0.0):
    """lr_t = lr_min + (lr0 - lr_min) (1 + cos(pi min(t, total) / total)) / 2.

    lr0 at t = 0, lr_min from ``total`` on.
    """
    lr0, total = _positive("lr0", lr0), _whole("total", total)
    lr_min = _positive("lr_min", lr_min, allow_zero=True)
    if lr_min > lr0:
        raise ValueError(f"lr_min: must be <= lr0 = {lr0}, got {lr_min!r}")
    return lambda t: lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * min(t, total) / total)) / 2


def warmup(schedule, *, steps):
    """``schedule`` scaled by the ramp (t + 1) / steps for the first ``steps`` steps, unchanged afterwards."""
    if not callable(schedule):
        raise ValueError("schedule: expected a function lr_schedule(t)")
    steps = _whole("steps", steps)
    return lambda t: schedule(t) * min(1.0, (t + 1) / steps)
