r"""Training many models at once, and a fair race between optimizers on a real data set.

* :func:`epoch_batches`: the row numbers of one epoch's minibatches, a fresh shuffle per epoch and per seed.
* :class:`Stacked`: several optimizers side by side over slices of one batch axis, so that SGD, Adam and the
  rest step in the same loop over one shared gradient call.
* :func:`train`: minibatch training of a whole batch of models ``W`` of shape (..., dim) for a number of
  epochs, recording the training loss and the test loss and accuracy after every epoch; divergent models are
  frozen and flagged, never a wall of warnings.
* :func:`race`: every optimizer of :data:`RACE`, each over a log-spaced lr grid and several seeds, at the
  same budget of epochs: ONE batched run (configurations x seeds on the batch axis). The tuned lr of each
  optimizer is the grid point with the lowest median training loss; a tuned lr on the grid's edge raises a
  :class:`GridEdgeWarning`, since the best lr may then lie outside the grid.
* :func:`full_batch_run`: a full-batch method (L-BFGS, Newton) on the same model, for reference.
* :func:`decay_grid`: the test loss over an lr x weight-decay grid for Adam + L2 or AdamW, one batched run.

Taught in notebooks/10_training_a_model.ipynb.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time
import warnings

import numpy as np

from .descent import descend
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

__all__ = [
    "RACE",
    "GridEdgeWarning",
    "Stacked",
    "Run",
    "RaceResult",
    "DecayGrid",
    "epoch_batches",
    "steps_per_epoch",
    "train",
    "race",
    "full_batch_run",
    "decay_grid",
]


class GridEdgeWarning(UserWarning):
    """The best learning rate of a sweep is the smallest or the largest on the grid: widen the grid."""


#: The racing optimizers: name -> ``make(lr, weight_decay)``. ``weight_decay`` is an L2 term added to the
#: gradient (torch's meaning) for all of them except AdamW, where it is decoupled: x <- x (1 - lr wd) first.
RACE = {
    "SGD": lambda lr, wd: SGD(lr=lr, weight_decay=wd),
    "SGD + momentum": lambda lr, wd: SGD(lr=lr, momentum=0.9, weight_decay=wd),
    "Nesterov": lambda lr, wd: SGD(lr=lr, momentum=0.9, nesterov=True, weight_decay=wd),
    "Adagrad": lambda lr, wd: Adagrad(lr=lr, weight_decay=wd),
    "RMSprop": lambda lr, wd: RMSprop(lr=lr, weight_decay=wd),
    "Adam": lambda lr, wd: Adam(lr=lr, weight_decay=wd),
    "AdamW": lambda lr, wd: AdamW(lr=lr, weight_decay=wd),
}


# ----------------------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------------------


def _whole(name, value, low=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}: expected a whole number >= {low}, got {value!r}")
    return int(value)


def _seeds(seeds):
    """An int (one shuffle shared by every model) or a sequence of distinct ints (one per slot of the last
    batch axis)."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, (bool, np.bool_)):
        return int(seeds)
    try:
        values = [int(s) for s in seeds if isinstance(s, numbers.Integral) and not isinstance(s, bool)]
        ok = len(values) == len(seeds) and len(values) > 0
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"seeds: expected an integer or a non-empty sequence of integers, got {seeds!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"seeds: the seeds must differ from each other, got {seeds!r}")
    return tuple(values)


def _grid(name, values):
    try:
        grid = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a 1-D array of positive numbers") from None
    if grid.ndim != 1 or grid.size < 1 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise ValueError(f"{name}: expected a non-empty 1-D array of numbers >= 0, got {values!r}")
    if np.any(np.diff(grid) <= 0):
        raise ValueError(f"{name}: the grid must be strictly increasing")
    return grid


# ----------------------------------------------------------------------------------------------------------
# Minibatches
# ----------------------------------------------------------------------------------------------------------


def steps_per_epoch(n, batch_size):
    """ceil(n / batch_size): the last, smaller batch of an epoch is kept."""
    return -(-_whole("n", n) // _whole("batch_size", batch_size))


def epoch_batches(n, batch_size, rngs):
    """The minibatches of ONE epoch: for every generator in ``rngs`` a fresh permutation of range(n), cut into
    consecutive batches of ``batch_size`` rows (the last one smaller when batch_size does not divide n).

    Yields index arrays of shape ``(len(rngs), b)``: row k is generator k's batch. Sampling is without
    replacement, so every row appears exactly once per epoch and per generator.
    """
    n = _whole("n", n)
    batch_size = _whole("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size: must be <= n = {n}, got {batch_size}")
    orders = np.stack([rng.permutation(n) for rng in rngs])
    for start in range(0, n, batch_size):
        yield orders[:, start : start + batch_size]


# ----------------------------------------------------------------------------------------------------------
# Several optimizers on one batch
# ----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class Stacked(Optimizer):
    """Optimizers side by side: ``groups`` is a sequence of ``(optimizer, count)``; the first ``count`` models
    along axis 0 of ``x`` belong to the first optimizer, the next ones to the second, and so on.

    Each optimizer's array hyperparameters broadcast against its own slice (shape ``(count, ..., dim)``).
    """

    groups: tuple

    def __post_init__(self):
        try:
            groups = tuple((opt, _whole("count", count)) for opt, count in self.groups)
        except (TypeError, ValueError) as err:
            raise ValueError(f"groups: expected a sequence of (optimizer, count) pairs ({err})") from None
        if not groups or not all(hasattr(opt, "init") and hasattr(opt, "step") for opt, _ in groups):
            raise ValueError("groups: expected a non-empty sequence of (optimizer, count) pairs")
        object.__setattr__(self, "groups", groups)

    @property
    def size(self):
        return sum(count for _, count in self.groups)

    def _slices(self, x):
        if x.shape[0] != self.size:
            raise ValueError(f"x: Stacked expects {self.size} models along axis 0, got {x.shape[0]}")
        start = 0
        for opt, count in self.groups:
            yield opt, slice(start, start + count)
            start += count

    def init(self, x):
        return tuple(opt.init(x[part]) for opt, part in self._slices(x))

    def step(self, x, g, state):
        moved, states = [], []
        for (opt, part), s in zip(self._slices(x), state):
            x_part, s = opt.step(x[part], g[part], s)
            moved.append(x_part)
            states.append(s)
        return np.concatenate(moved, axis=0), tuple(states)


# ----------------------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Run:
    """What :func:`train` returns. Histories have one entry per epoch, the start included: shape
    ``(epochs + 1, ...)`` for models of batch shape ``(...)``; NaN-free (a diverged model's training and test
    loss read inf from the epoch it diverged).

    ``train_loss`` is the model's full-data loss (its L2 term included) plus ``penalty``/2 ||W||^2;
    ``test_loss`` is the mean cross-entropy on the test rows (no penalty); ``test_accuracy`` a fraction.
    """

    W: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray | None
    test_accuracy: np.ndarray | None
    diverged: np.ndarray
    steps: int
    seconds: float


def _initial(W0, dim):
    try:
        W = np.array(W0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"W0: expected an array of numbers of shape (..., {dim})") from None
    if W.ndim == 0 or W.shape[-1] != dim:
        raise ValueError(f"W0: the model has dim = {dim}, so W0 needs shape (..., {dim}); got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError("W0: every entry must be finite")
    return W


def train(model, optimizer, W0, *, epochs, batch_size, seeds=0, test=None, penalty=0.0, bound=1e6, history=True):
    """Train every model of ``W0`` (shape (..., dim)) with ``optimizer`` for ``epochs`` epochs of minibatches.

    ``seeds``: an int gives one shuffle for all models; a sequence of S ints gives each slot of the LAST batch
    axis its own shuffle (``W0`` of shape (..., S, dim)), so seeds x configurations run in one call.
    ``test``: ``(X_test, y_test)``, scored after every epoch. ``penalty``: an L2 strength added to the recorded
    training loss, for when the optimizer applies it as ``weight_decay`` rather than the model as ``l2``.
    A model whose parameters leave ``|w| <= bound`` or stop being finite is frozen and flagged as diverged.
    ``history=False`` scores the models only at the start and at the end (histories of length 2): faster.
    """
    epochs = _whole("epochs", epochs, low=0)
    batch_size = _whole("batch_size", batch_size)
    if batch_size > model.n:
        raise ValueError(f"batch_size: must be <= the {model.n} training rows, got {batch_size}")
    seeds = _seeds(seeds)
    if not (isinstance(penalty, numbers.Real) and math.isfinite(penalty) and penalty >= 0):
        raise ValueError(f"penalty: expected a number >= 0, got {penalty!r}")
    if not (isinstance(bound, numbers.Real) and bound > 0):
        raise ValueError(f"bound: expected a positive number, got {bound!r}")
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "step")):
        raise ValueError(f"optimizer: expected an optimizer such as SGD(lr=0.1), got {optimizer!r}")
    W = _initial(W0, model.dim)
    if isinstance(seeds, tuple):
        if W.ndim < 2 or W.shape[-2] != len(seeds):
            raise ValueError(f"W0: with {len(seeds)} seeds, W0 needs shape (..., {len(seeds)}, {model.dim})")
        rngs = [np.random.default_rng(s) for s in seeds]
    else:
        rngs = [np.random.default_rng(seeds)]
    batch = W.shape[:-1]
    shape = (epochs + 1 if history else 2, *batch)
    train_loss = np.empty(shape)
    test_loss = np.empty(shape) if test is not None else None
    test_accuracy = np.empty(shape) if test is not None else None
    diverged = np.zeros(batch, dtype=bool)

    def record(epoch):
        loss = model.value(W) + (0.5 * penalty * np.sum(W * W, axis=-1) if penalty else 0.0)
        train_loss[epoch] = np.where(diverged, np.inf, loss)
        if test is not None:
            loss, accuracy = model.evaluate(W, *test)
            test_loss[epoch] = np.where(diverged, np.inf, loss)
            test_accuracy[epoch] = accuracy

    start = time.perf_counter()
    steps = 0
    with np.errstate(all="ignore"):
        record(0)
        if not history and epochs == 0:
            record(1)
        state = optimizer.init(W)
        for epoch in range(1, epochs + 1):
            for idx in epoch_batches(model.n, batch_size, rngs):
                _, g = model.value_and_grad(W, idx if len(rngs) > 1 else idx[0])
                W_new, state = optimizer.step(W, g, state)
                if not (np.isfinite(W_new.sum()) and np.abs(W_new).max() <= bound):
                    bad = ~(np.abs(W_new) <= bound).all(axis=-1)  # NaN fails the comparison
                    diverged |= bad
                    W_new = np.where(bad[..., None], W, W_new)
                W = W_new
                steps += 1
            if history or epoch == epochs:
                record(epoch if history else 1)
    return Run(
        W=W,
        train_loss=train_loss,
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        diverged=diverged,
        steps=steps,
        seconds=time.perf_counter() - start,
    )


# ----------------------------------------------------------------------------------------------------------
# The race
# ----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RaceResult:
    """The outcome of :func:`race`. Arrays are indexed ``[optimizer, lr, seed]`` (final values after the
    budget) or ``[epoch, optimizer, lr, seed]`` (histories).

    ``best[k]`` is the index into ``lrs`` of optimizer k's tuned lr (lowest median training loss over seeds);
    ``on_edge[k]`` is true when that is the first or last grid point. ``reference`` holds full-batch runs
    (name -> :class:`Run`) added by :func:`full_batch_run`, if any.
    """

    names: tuple
    lrs: np.ndarray
    seeds: tuple
    epochs: int
    batch_size: int
    weight_decay: float
    run: Run
    best: tuple
    on_edge: tuple
    model_steps: int
    reference: dict = dataclasses.field(default_factory=dict)

    def with_reference(self, name, run):
        """A copy with the full-batch ``run`` (one history entry per iteration) listed as ``name``."""
        return dataclasses.replace(self, reference={**self.reference, name: run})

    @property
    def train_loss(self):
        return self.run.train_loss[-1]

    @property
    def test_accuracy(self):
        return self.run.test_accuracy[-1]

    @property
    def test_loss(self):
        return self.run.test_loss[-1]

    @property
    def tuned_lr(self):
        """Optimizer name -> its tuned lr."""
        return {name: float(self.lrs[b]) for name, b in zip(self.names, self.best)}

    def tuned(self, name):
        """The histories of optimizer ``name`` at its tuned lr: a dict of arrays of shape (epochs + 1, seeds)."""
        k = self.names.index(name)
        b = self.best[k]
        return {
            "train_loss": self.run.train_loss[:, k, b],
            "test_loss": self.run.test_loss[:, k, b],
            "test_accuracy": self.run.test_accuracy[:, k, b],
        }

    def summary(self):
        """One row per optimizer (then per reference run): name, tuned lr, and the median, min and max over
        seeds of the final training loss and test accuracy."""
        rows = []
        for k, name in enumerate(self.names):
            b = self.best[k]
            loss, acc = self.train_loss[k, b], self.test_accuracy[k, b]
            rows.append(_row(name, self.lrs[b], loss, acc, self.on_edge[k]))
        for name, run in self.reference.items():
            rows.append(_row(name, None, run.train_loss[-1], run.test_accuracy[-1], False))
        return rows

    def table(self, loss_digits=3):
        """The summary as aligned text; losses to ``loss_digits`` significant digits, accuracy in %."""
        header = f"{'optimizer':<15} {'tuned lr':>9}  {'train loss: median [min, max]':<32}"
        lines = [header + " test accuracy %: median [min, max]"]
        for r in self.summary():
            lr = "-" if r["lr"] is None else f"{r['lr']:.3g}"
            low, high = _g(r["loss_min"], loss_digits), _g(r["loss_max"], loss_digits)
            loss = f"{_g(r['loss_median'], loss_digits)} [{low}, {high}]"
            acc = f"{100 * r['acc_median']:.1f} [{100 * r['acc_min']:.1f}, {100 * r['acc_max']:.1f}]"
            flag = "  (lr on the grid's edge)" if r["on_edge"] else ""
            lines.append(f"{r['name']:<15} {lr:>9}  {loss:<32} {acc}{flag}")
        return "\n".join(lines)


def _g(value, digits):
    return "diverged" if not np.isfinite(value) else f"{value:.{digits}g}"


def _row(name, lr, loss, acc, on_edge):
    loss = np.atleast_1d(loss)
    acc = np.atleast_1d(acc)
    return {
        "name": name,
        "lr": None if lr is None else float(lr),
        "loss_median": float(np.median(loss)),
        "loss_min": float(loss.min()),
        "loss_max": float(loss.max()),
        "acc_median": float(np.median(acc)),
        "acc_min": float(acc.min()),
        "acc_max": float(acc.max()),
        "on_edge": bool(on_edge),
    }


def _starts(model, seeds):
    """One start per seed, shape (S, dim): random for the MLP, zeros for the convex model."""
    try:
        return np.stack([model.init(rng=np.random.default_rng(s)) for s in seeds])
    except TypeError:
        return np.stack([model.init() for _ in seeds])


def race(
    model,
    *,
    lrs,
    seeds=(0, 1, 2, 3, 4),
    epochs,
    batch_size,
    test,
    weight_decay=0.0,
    optimizers=None,
    warn=True,
):
    """Race the optimizers on ``model`` at an equal budget of ``epochs``, each over the lr grid ``lrs`` and
    every seed in ``seeds``, in ONE batched call of :func:`train` (optimizers x lrs x seeds models).

    Every configuration of a seed starts from the same point and sees the same minibatches (the seed fixes
    both), so differences come from the optimizers alone. ``weight_decay`` is passed to every optimizer (an
    L2 term; decoupled for AdamW) and is included in the recorded training loss. ``optimizers``: names from
    :data:`RACE` (default all) or a dict name -> make(lr, weight_decay). The tuned lr minimises the median
    final training loss; a :class:`GridEdgeWarning` is issued when it lies on the grid's edge (``warn``).
    """
    lrs = _grid("lrs", lrs)
    if np.any(lrs <= 0):
        raise ValueError("lrs: every learning rate must be > 0")
    seeds = _seeds(seeds)
    seeds = (seeds,) if isinstance(seeds, int) else seeds
    if optimizers is None:
        optimizers = RACE
    elif not isinstance(optimizers, dict):
        unknown = [name for name in optimizers if name not in RACE]
        if unknown:
            raise ValueError(f"optimizers: unknown {unknown}; choose from {list(RACE)}")
        optimizers = {name: RACE[name] for name in optimizers}
    if not (isinstance(weight_decay, numbers.Real) and math.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay: expected a number >= 0, got {weight_decay!r}")
    names = tuple(optimizers)
    G, L, S = len(names), lrs.size, len(seeds)
    lr_column = lrs[:, None, None]  # broadcasts against one optimizer's slice (L, S, dim)
    stacked = Stacked(tuple((optimizers[name](lr_column, float(weight_decay)), L) for name in names))
    W0 = np.broadcast_to(_starts(model, seeds), (G * L, S, model.dim))
    # AdamW's decay is not an L2 term in its gradient, yet its training loss is scored on the same objective
    run = train(model, stacked, W0, epochs=epochs, batch_size=batch_size, seeds=seeds, test=test,
                penalty=float(weight_decay))  # fmt: skip
    run = dataclasses.replace(
        run,
        W=run.W.reshape(G, L, S, -1),
        train_loss=run.train_loss.reshape(-1, G, L, S),
        test_loss=run.test_loss.reshape(-1, G, L, S),
        test_accuracy=run.test_accuracy.reshape(-1, G, L, S),
        diverged=run.diverged.reshape(G, L, S),
    )
    median = np.median(run.train_loss[-1], axis=-1)  # (G, L); inf where most seeds diverged
    best = tuple(int(np.argmin(m)) for m in median)
    on_edge = tuple(b in (0, L - 1) for b in best)
    if warn:
        for name, b, edge in zip(names, best, on_edge):
            if edge:
                side = "smallest" if b == 0 else "largest"
                warnings.warn(
                    f"{name}: the best lr {lrs[b]:.3g} is the {side} on the grid; the optimum may lie outside it",
                    GridEdgeWarning,
                    stacklevel=2,
                )
    return RaceResult(
        names=names,
        lrs=lrs,
        seeds=seeds,
        epochs=epochs,
        batch_size=batch_size,
        weight_decay=float(weight_decay),
        run=run,
        best=best,
        on_edge=on_edge,
        model_steps=run.steps * G * L * S,
    )


class _Counting:
    """A model wrapper that counts full passes over the data (value or gradient evaluations)."""

    def __init__(self, model):
        self.model, self.dim, self.passes = model, model.dim, 0

    def value(self, W):
        self.passes += 1
        return self.model.value(W)

    def grad(self, W):
        return self.value_and_grad(W)[1]

    def value_and_grad(self, W):
        self.passes += 1
        return self.model.value_and_grad(W)


def full_batch_run(model, make_optimizer, W0, *, iterations, test=None):
    """Run a full-batch method for ``iterations`` steps: ``make_optimizer(objective)``, e.g.
    ``lambda f: LBFGS(f)``. Returns ``(run, passes)``: a :class:`Run` with one history entry per iteration and
    the number of full passes over the training data it used (gradients plus line-search values)."""
    iterations = _whole("iterations", iterations, low=0)
    counting = _Counting(model)
    W0 = _initial(W0, model.dim)
    start = time.perf_counter()
    path = descend(counting, make_optimizer(counting), W0, steps=iterations)
    seconds = time.perf_counter() - start
    xs = path.xs
    return Run(
        W=xs[-1],
        train_loss=model.value(xs),
        test_loss=None if test is None else model.data_loss(xs, *test),
        test_accuracy=None if test is None else model.accuracy(xs, *test),
        diverged=path.diverged,
        steps=iterations,
        seconds=seconds,
    ), counting.passes


# ----------------------------------------------------------------------------------------------------------
# Weight decay: lr x lambda
# ----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DecayGrid:
    """Final test loss over an lr x weight-decay grid, median over seeds: ``test_loss[i, j]`` for ``lrs[i]``
    and ``decays[j]``; ``best_decay[i]`` the index of the best decay at lr i; ``best`` the overall (i, j)."""

    method: str
    lrs: np.ndarray
    decays: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray
    best_decay: np.ndarray
    best: tuple
    model_steps: int


def decay_grid(model, method, *, lrs, decays, seeds=(0, 1, 2), epochs, batch_size, test):
    """The final test loss of ``method`` ("Adam + L2" or "AdamW") on every (lr, weight decay) pair of the two
    grids, median over ``seeds``: one batched run of lrs x decays x seeds models."""
    makers = {"Adam + L2": Adam, "AdamW": AdamW}
    if method not in makers:
        raise ValueError(f"method: expected one of {list(makers)}, got {method!r}")
    lrs = _grid("lrs", lrs)
    decays = _grid("decays", decays)
    seeds = _seeds(seeds)
    seeds = (seeds,) if isinstance(seeds, int) else seeds
    L, D, S = lrs.size, decays.size, len(seeds)
    lr = np.repeat(lrs, D)[:, None, None]
    wd = np.tile(decays, L)[:, None, None]
    W0 = np.broadcast_to(_starts(model, seeds), (L * D, S, model.dim))
    run = train(model, makers[method](lr=lr, weight_decay=wd), W0, epochs=epochs, batch_size=batch_size,
                seeds=seeds, test=test, history=False)  # fmt: skip
    test_loss = np.median(run.test_loss[-1].reshape(L, D, S), axis=-1)
    test_accuracy = np.median(run.test_accuracy[-1].reshape(L, D, S), axis=-1)
    best = np.unravel_index(int(np.argmin(test_loss)), test_loss.shape)
    return DecayGrid(
        method=method,
        lrs=lrs,
        decays=decays,
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        best_decay=np.argmin(test_loss, axis=1),
        best=(int(best[0]), int(best[1])),
        model_steps=run.steps * L * D * S,
    )
