"""Long stochastic runs in segments, so that memory holds one segment of the trajectory at a time.

``descend`` keeps every iterate: 500 runs x 3,000 steps is 12 MB of positions and 12 MB of values, per run
of the cell. When only a summary is needed (a running mean, "ever crossed"), :func:`descend_segments` yields
the run as consecutive :class:`~course_lib.descent.Path` pieces; each piece starts where the previous one
ended. For an optimizer without state (plain SGD) and a ``grad_fn`` that draws from the same generator, the
pieces are exactly the slices of one long ``descend`` call: the step counter ``t`` passed to ``grad_fn`` and
``lr_schedule`` continues across pieces.

Used in notebooks/05_sgd.ipynb.
"""

from __future__ import annotations

import numbers

import numpy as np

from .descent import descend
from .optimizers import SGD

__all__ = ["descend_segments"]


def descend_segments(objective, optimizer, x0, steps, *, segment, grad_fn=None, lr_schedule=None, rng=None, **kw):
    """Yield ``descend`` paths of at most ``segment`` steps each, ``steps`` steps in total.

    Only stateless optimizers are accepted (``SGD`` without momentum): a momentum buffer would restart at
    every segment, which would change the method.
    """
    if not (isinstance(optimizer, SGD) and np.all(np.asarray(optimizer.momentum) == 0)):
        raise ValueError("optimizer: descend_segments needs plain SGD (momentum = 0); its state would restart")
    if isinstance(segment, bool) or not isinstance(segment, numbers.Integral) or segment < 1:
        raise ValueError(f"segment: expected a whole number of steps >= 1, got {segment!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps: expected a whole number >= 0, got {steps!r}")
    rng = np.random.default_rng(rng)  # one generator for all pieces: the draws continue
    x, done = x0, 0
    while done < steps:
        n = min(int(segment), steps - done)
        offset = done
        g = None if grad_fn is None else (lambda x_, t, r, o=offset: grad_fn(x_, t + o, r))
        s = None if lr_schedule is None else (lambda t, o=offset: lr_schedule(t + o))
        piece = descend(objective, optimizer, x, n, grad_fn=g, lr_schedule=s, rng=rng, **kw)
        yield piece
        x, done = piece.x, done + n
