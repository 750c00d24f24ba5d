"""The explorer and figures of notebooks/10_training_a_model.ipynb (training a classifier on real data).

- :class:`TrainingExplorer`: pick an optimizer, its learning rate (log slider), batch size, momentum and weight
  decay; the model is trained for the race's budget of epochs on three seeds at once, and the training loss,
  test loss and test accuracy per epoch (medians over the seeds) update live, beside the race's tuned run of
  the same optimizer (dotted) and with its tuned lr named.
- Figure helpers (``lr_sweep_figure``, ``race_curves_figure``, ``decay_heatmaps``) that keep plotting code out
  of the notebook.

The computation is done by :mod:`course_lib.training`; these only draw.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from ..optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from ..training import train
from . import plots
from .explorers import ExplorerBase
from .plots import BLACK, BLUE, VERMILLION

__all__ = ["TrainingExplorer", "make_optimizer", "lr_sweep_figure", "race_curves_figure", "decay_heatmaps"]

_NAMES = ("SGD", "SGD + momentum", "Nesterov", "Adagrad", "RMSprop", "Adam", "AdamW")


def make_optimizer(name, lr, momentum, weight_decay):
    """The explorer's optimizer: ``momentum`` is SGD's or RMSprop's momentum coefficient and Adam's beta1
    (Adagrad has none); ``weight_decay`` is an L2 term, decoupled for AdamW. "SGD" ignores momentum and
    "SGD + momentum" and "Nesterov" use it (Nesterov needs momentum > 0)."""
    if name == "SGD":
        return SGD(lr=lr, weight_decay=weight_decay)
    if name == "SGD + momentum":
        return SGD(lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "Nesterov":
        return SGD(lr=lr, momentum=max(momentum, 1e-3), nesterov=True, weight_decay=weight_decay)
    if name == "Adagrad":
        return Adagrad(lr=lr, weight_decay=weight_decay)
    if name == "RMSprop":
        return RMSprop(lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "Adam":
        return Adam(lr=lr, betas=(min(momentum, 0.999), 0.999), weight_decay=weight_decay)
    if name == "AdamW":
        return AdamW(lr=lr, betas=(min(momentum, 0.999), 0.999), weight_decay=weight_decay)
    raise ValueError(f"optimizer: expected one of {list(_NAMES)}, got {name!r}")


def _plain_log(axis, subs=(1.0,)):
    """A log axis with labelled ticks at ``subs`` times the powers of ten, as plain text ("0.01", "1e-06"), and
    no minor ticks: few ticks draw fast, and a short axis stays readable."""
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())


def _median(a):
    return np.median(a, axis=-1)


class TrainingExplorer(ExplorerBase):
    """Train ``model`` live with one optimizer and see the training and test curves per epoch.

    ``race``: a :class:`course_lib.training.RaceResult` on the same model, scored on ``test``; its epochs,
    batch size and weight decay are the starting settings, its tuned lr per optimizer is named and its tuned
    run is drawn dotted. Controls: ``optimizer``, ``lr`` (log), ``batch_size``, ``momentum``, ``weight_decay``.
    Attributes after each update: ``run`` (the :class:`course_lib.training.Run`, seeds on the last axis),
    ``final`` (dict of the medians after the last epoch: ``train_loss``, ``test_loss``, ``test_accuracy``),
    ``tuned_lr`` (the race's tuned lr of the chosen optimizer).
    """

    def __init__(self, model, race, *, test, optimizer="Adam", seeds=(0, 1, 2), **kwargs):
        if optimizer not in race.names:
            raise ValueError(f"optimizer: expected one of {list(race.names)}, got {optimizer!r}")
        self.model, self.race = model, race
        try:
            X_test, y_test = test
        except (TypeError, ValueError):
            raise ValueError("test: expected the pair (X_test, y_test) the race was scored on") from None
        self.test = (X_test, y_test)
        self.seeds = tuple(seeds)
        self.epochs = race.epochs
        self.starts = np.stack([self._start(s) for s in self.seeds])
        choice = widgets.Dropdown(options=list(race.names), value=optimizer, description="optimizer")
        choice.tooltip = "optimizer"
        params = {
            "optimizer": choice,
            "lr": (1e-4, 10.0, race.tuned_lr[optimizer], "log"),
            "batch_size": (4, model.n, race.batch_size, "int"),
            "momentum": (0.0, 0.99, 0.9),
            "weight_decay": (0.0, 0.1, race.weight_decay),
        }
        super().__init__(params, **kwargs)

    def _start(self, seed):
        try:
            return self.model.init(rng=np.random.default_rng(seed))
        except TypeError:
            return self.model.init()

    def setup(self):
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        epochs = np.arange(self.epochs + 1)
        self.epochs_axis = epochs
        ax = self.ax_loss
        ax.set(title="loss per epoch (median of 3 seeds)", xlabel="epoch", ylabel="loss", yscale="log")
        _plain_log(ax.yaxis, subs=(1.0, 2.0, 5.0))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, self.epochs)
        ax.set_ylim(0.05, 1.0)
        (self.train_line,) = ax.plot([], [], "-", color=BLUE, marker="o", ms=3, label="training loss (with L2 term)")
        (self.test_line,) = ax.plot([], [], "--", color=VERMILLION, marker="s", ms=3, label="test loss")
        (self.tuned_line,) = ax.plot([], [], ":", color=BLACK, lw=1.5, label="race's tuned run (training)")
        self.animate(self.train_line, self.test_line, self.tuned_line)
        ax.legend(loc="upper right", fontsize=7)
        ax = self.ax_acc
        ax.set(title="test accuracy per epoch", xlabel="epoch", ylabel="test accuracy (%)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, self.epochs)
        ax.set_ylim(50, 100)
        (self.acc_line,) = ax.plot([], [], "--", color=VERMILLION, marker="s", ms=3, label="this run")
        (self.tuned_acc,) = ax.plot([], [], ":", color=BLACK, lw=1.5, label="race's tuned run")
        self.animate(self.acc_line, self.tuned_acc)
        ax.legend(loc="lower right", fontsize=7)
        self.message = ax.text(0.03, 0.05, "", transform=ax.transAxes, fontsize=8)
        self.animate(self.message)

    def compute(self, v):
        name = v["optimizer"]
        opt = make_optimizer(name, v["lr"], v["momentum"], v["weight_decay"])
        self.run = train(self.model, opt, self.starts, epochs=self.epochs, batch_size=int(v["batch_size"]),
                         seeds=self.seeds, test=self.test, penalty=v["weight_decay"])  # fmt: skip
        self.final = {
            "train_loss": float(_median(self.run.train_loss[-1])),
            "test_loss": float(_median(self.run.test_loss[-1])),
            "test_accuracy": float(_median(self.run.test_accuracy[-1])),
        }
        self.tuned_lr = self.race.tuned_lr[name]
        self.tuned = self.race.tuned(name)

    def draw(self, step):
        e = self.epochs_axis
        floor = 1e-3
        self.train_line.set_data(e, np.maximum(_median(self.run.train_loss), floor))
        self.test_line.set_data(e, np.clip(_median(self.run.test_loss), floor, 1e3))
        self.tuned_line.set_data(e, _median(self.tuned["train_loss"]))
        self.acc_line.set_data(e, 100 * _median(self.run.test_accuracy))
        shown = np.concatenate([_median(self.run.train_loss), _median(self.run.test_loss)])
        shown = shown[np.isfinite(shown)]
        if shown.size:
            self.expand_ylim(self.ax_loss, max(floor, float(shown.min())), min(1e3, float(shown.max())), margin=0.2)
        self.tuned_acc.set_data(e, 100 * _median(self.tuned["test_accuracy"]))
        v = self.values
        f = self.final
        diverged = int(self.run.diverged.sum())
        state = f"diverged on {diverged} of {len(self.seeds)} seeds; " if diverged else ""
        self.message.set_text(f"{state}test accuracy {100 * f['test_accuracy']:.1f}%")
        self.readout.value = (
            f"{v['optimizer']}, lr {v['lr']:.3g} (race's tuned lr {self.tuned_lr:.3g}), batch {v['batch_size']}: "
            f"{state}after {self.epochs} epochs training loss {_fmt(f['train_loss'])}, test loss "
            f"{_fmt(f['test_loss'])}, test accuracy {100 * f['test_accuracy']:.1f}% "
            f"(medians of {len(self.seeds)} seeds)"
        )


def _fmt(x):
    return "inf (diverged)" if not np.isfinite(x) else f"{x:.3g}"


# ----------------------------------------------------------------------------------------------------
# Static figures
# ----------------------------------------------------------------------------------------------------


def lr_sweep_figure(result, *, title):
    """Median final training loss against lr, one line per optimizer, the tuned lr circled."""
    fig = Figure(figsize=(8.0, 3.6), dpi=plots.DPI, layout="constrained")
    ax = fig.add_subplot()
    median = np.median(result.train_loss, axis=-1)
    for k, name in enumerate(result.names):
        style = plots.series_style(k)
        y = np.where(np.isfinite(median[k]), median[k], np.nan)
        ax.loglog(result.lrs, y, label=name, ms=4, **style)
        b = result.best[k]
        ax.plot(result.lrs[b], median[k, b], "o", ms=11, mfc="none", mec=style["color"], mew=1.5)
    ax.set(title=title, xlabel="learning rate η (log scale)", ylabel="training loss after the budget")
    _plain_log(ax.xaxis)
    _plain_log(ax.yaxis, subs=(1.0, 2.0, 5.0))
    finite = median[np.isfinite(median)]
    ax.set_ylim(0.8 * finite.min(), min(10.0, 1.2 * finite.max()))
    ax.legend(fontsize=7, ncols=2, loc="upper center")
    ax.grid(True, which="major", alpha=0.3)
    return fig


def race_curves_figure(result, *, f_star=None, passes=None, title):
    """Training loss per epoch at each optimizer's tuned lr (median over seeds); with ``f_star`` the gap
    f - f* on a log scale. Reference runs (L-BFGS) are added, each at its iteration number or, if ``passes``
    maps its name to the passes over the data used to reach each iterate, at those passes (an epoch is one
    pass, so the budgets compare)."""
    fig = Figure(figsize=(8.0, 3.6), dpi=plots.DPI, layout="constrained")
    ax = fig.add_subplot()
    epochs = np.arange(result.epochs + 1)
    curves = {name: np.median(result.tuned(name)["train_loss"], axis=-1) for name in result.names}
    for name, run in result.reference.items():
        curves[name] = run.train_loss
    passes = dict(passes or {})
    for name, x in passes.items():
        if name not in result.reference or len(x) != len(result.reference[name].train_loss):
            raise ValueError(f"passes: expected one count per iterate of a reference run, got {name!r}")
    for k, (name, y) in enumerate(curves.items()):
        x = np.asarray(passes[name], dtype=float) if name in passes else epochs[: len(y)]
        y = y - f_star if f_star is not None else y
        # a full-batch reference is drawn in black, solid and thick: it is the yardstick, not a contestant
        style = plots.series_style(k) if name in result.names else {"color": BLACK, "linestyle": "-", "lw": 2.5}
        ax.semilogy(x, np.maximum(y, 1e-12), label=name, ms=4, markevery=4, **style)
    ylabel = "training loss − optimum" if f_star is not None else "training loss"
    ax.set(title=title, xlabel="epoch (passes over the training rows)", ylabel=ylabel)
    _plain_log(ax.yaxis, subs=(1.0,) if f_star is not None else (1.0, 2.0, 5.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, ncols=2)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def decay_heatmaps(grids, *, title):
    """Side-by-side heat maps of the median test loss over lr x weight decay, one per :class:`DecayGrid`;
    the best cell of each row (lr) is dotted and the overall best is starred."""
    fig = Figure(figsize=(8.5, 3.6), dpi=plots.DPI, layout="constrained")
    axes = fig.subplots(1, len(grids), sharey=True)
    vmin = min(float(g.test_loss.min()) for g in grids)
    vmax = min(1.0, max(float(np.nanmax(np.where(np.isfinite(g.test_loss), g.test_loss, np.nan))) for g in grids))
    norm = LogNorm(vmin=vmin, vmax=max(vmax, 1.01 * vmin))  # a log scale shows the differences near the best
    image = None
    for ax, g in zip(np.atleast_1d(axes), grids):
        image = ax.imshow(np.clip(g.test_loss, vmin, vmax).T, origin="lower", cmap=plots.CMAP, norm=norm, aspect="auto")
        rows = np.arange(g.lrs.size)
        ax.plot(rows, g.best_decay, "o", color="white", mec=BLACK, ms=5, label="best λ at each η")
        ax.plot(*g.best, "*", color="white", mec=BLACK, ms=14, label="best overall")
        ax.set_xticks(rows, [f"{v:.0e}" for v in g.lrs], rotation=45, fontsize=7)
        ax.set_yticks(np.arange(g.decays.size), [f"{v:.0e}" for v in g.decays], fontsize=7)
        ax.set(title=g.method, xlabel="learning rate η")
    np.atleast_1d(axes)[0].set_ylabel("weight decay λ")
    np.atleast_1d(axes)[0].legend(fontsize=7, loc="upper left")
    bar = fig.colorbar(image, ax=axes, label="test loss (median of seeds, log scale)")
    _plain_log(bar.ax.yaxis, subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0))
    fig.suptitle(title)
    return fig
