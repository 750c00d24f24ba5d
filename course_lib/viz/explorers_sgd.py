"""Explorers and figures of notebooks/05_sgd.ipynb (stochastic gradient descent).

- :class:`MinibatchExplorer`: batch size and learning rate of minibatch SGD on a least-squares problem; the
  path of two coefficients over the loss contours beside the full-batch path, and the loss per data pass.
- :class:`AnnealingExplorer`: many particles started in the shallow minimum of a 1-D double well, descending
  with gradient noise of a chosen size (optionally cooled to zero); where they end, as a histogram.
- Figure helpers (``loglog_fit``, ``escape_figure``, ...) that keep plotting code out of the notebook.

The computation is done by ``course_lib.descend`` and ``course_lib.regression``; these classes only draw.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import regression as reg
from ..descent import descend
from ..optimizers import SGD
from . import plots
from .explorers import ExplorerBase, _gap_text, _legend_html
from .plots import BLACK, BLUE, GREEN, ORANGE, VERMILLION

__all__ = [
    "MinibatchExplorer",
    "AnnealingExplorer",
    "noisy_gradient",
    "loglog_slope",
    "loglog_figure",
    "escape_figure",
    "passes_figure",
]


def noisy_gradient(objective, sigma, *, cool_until=None):
    """``grad_fn(x, t, rng)`` for ``descend``: the exact gradient plus N(0, sigma^2) noise per coordinate.

    ``sigma`` may be an array broadcasting against the batch (one noise level per group of runs). With
    ``cool_until=T`` the noise is cooled linearly, sigma_t = sigma * max(0, 1 - t/T) (simulated annealing).
    """
    sigma = np.asarray(sigma, dtype=np.float64)
    if np.any(sigma < 0) or not np.all(np.isfinite(sigma)):
        raise ValueError(f"sigma: expected finite values >= 0, got {sigma!r}")
    if cool_until is not None and not cool_until > 0:
        raise ValueError(f"cool_until: expected a positive number of steps, got {cool_until!r}")

    def grad_fn(x, t, rng):
        scale = sigma if cool_until is None else sigma * max(0.0, 1.0 - t / cool_until)
        return objective.grad(x) + scale * rng.standard_normal(np.shape(x))

    return grad_fn


# ----------------------------------------------------------------------------------------------------
# Minibatch explorer
# ----------------------------------------------------------------------------------------------------


class MinibatchExplorer(ExplorerBase):
    """Minibatch SGD on the MSE of a 2-coefficient linear model, with the full-batch path for comparison.

    Sliders: ``batch_size`` (1..n), ``lr`` (log), ``epochs`` and ``seed``. Attributes after each update:
    ``path`` (SGD, one step per minibatch), ``full_path`` (full-batch GD, one step per epoch), ``objective``.
    """

    def __init__(self, X, y, *, beta0, epochs=3, lr=0.05, batch_size=10, xlim=None, ylim=None, **kwargs):
        self.objective = reg.least_squares(X, y, loss="mse")
        if self.objective.dim != 2:
            raise ValueError(f"X: the explorer draws two coefficients, so X needs 2 columns, not {self.objective.dim}")
        self.beta0 = np.asarray(beta0, dtype=np.float64)
        if self.beta0.shape != (2,):
            raise ValueError(f"beta0: expected two coefficients, got shape {self.beta0.shape}")
        n = self.objective.n
        self.xlim, self.ylim = xlim, ylim
        self.f_star = float(self.objective.value(self.objective.minima[0]))
        params = {
            "batch_size": (1, n, min(batch_size, n), "int"),
            "lr": (1e-3, 3.0, lr, "log"),
            "epochs": (1, 10, epochs, "int"),
            "seed": (0, 20, 0, "int"),
        }
        super().__init__(params, **kwargs)

    def setup(self):
        ax, self.ax_loss = self.fig.subplots(1, 2)
        include = np.vstack([self.objective.minima, self.beta0[None]])
        if self.xlim is None or self.ylim is None:
            xlim, ylim = plots.auto_limits(include, margin=0.4)
            self.xlim, self.ylim = self.xlim or xlim, self.ylim or ylim
        plots.contour(ax, self.objective, self.xlim, self.ylim, levels=15)
        ax.set_xlim(self.xlim)
        ax.set_ylim(self.ylim)
        ax.set(title="minibatch SGD vs full batch", xlabel="β₁", ylabel="β₂")
        (self.sgd_line,) = ax.plot([], [], "-", color=VERMILLION, lw=1, label="SGD (one step per batch)")
        (self.gd_line,) = ax.plot([], [], "o-", color=BLACK, ms=3, lw=1.5, label="full batch (one per epoch)")
        self.animate(self.sgd_line, self.gd_line)
        ax.legend(loc="upper right", fontsize=7)
        self.ax_loss.set(title="loss gap per data pass", xlabel="data passes (epochs)", ylabel="MSE − MSE*")
        self.ax_loss.set_yscale("log")
        self.ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
        (self.sgd_curve,) = self.ax_loss.plot([], [], color=VERMILLION, lw=1, label="SGD")
        (self.gd_curve,) = self.ax_loss.plot([], [], "o-", color=BLACK, ms=3, label="full batch")
        self.animate(self.sgd_curve, self.gd_curve)
        self.ax_loss.legend(loc="upper right", fontsize=7)
        self.message = self.ax_loss.text(0.03, 0.05, "", transform=self.ax_loss.transAxes, fontsize=8)
        self.animate(self.message)

    def compute(self, v):
        batch, epochs = int(v["batch_size"]), int(v["epochs"])
        grad_fn = reg.minibatch_grad(self.objective.X, self.objective.y, batch, loss="mse")
        per_epoch = grad_fn.batches_per_epoch
        opt = SGD(lr=v["lr"])
        self.path = descend(self.objective, opt, self.beta0, epochs * per_epoch, grad_fn=grad_fn, rng=int(v["seed"]))
        self.full_path = descend(self.objective, opt, self.beta0, epochs)
        self.passes = np.arange(self.path.steps + 1) / per_epoch

    def draw(self, step):
        gap = np.maximum(self.path.values - self.f_star, 1e-16)
        full_gap = np.maximum(self.full_path.values - self.f_star, 1e-16)
        self.sgd_line.set_data(*self.path.xs.T)
        self.gd_line.set_data(*self.full_path.xs.T)
        self.sgd_curve.set_data(self.passes, gap)
        self.gd_curve.set_data(np.arange(self.full_path.steps + 1), full_gap)
        self.ax_loss.set_xlim(0, max(1, self.full_path.steps))
        both = np.concatenate([gap, full_gap])
        self.expand_ylim(self.ax_loss, both.min(), both.max())
        if self.path.diverged.any() or self.full_path.diverged.any():
            text = "diverged: lower the learning rate"
        else:
            text = f"{self.path.steps} SGD steps vs {self.full_path.steps} full-batch steps"
        self.message.set_text(text)
        floor = 1e-16 * max(1.0, float(gap[0]))
        self.readout.value = _legend_html(
            f"after {self.full_path.steps} epochs",
            [
                ("SGD steps", str(self.path.steps)),
                ("SGD: MSE − MSE*", "diverged" if self.path.diverged.any() else _gap_text(gap[-1], floor)),
                (
                    "full batch: MSE − MSE*",
                    "diverged" if self.full_path.diverged.any() else _gap_text(full_gap[-1], floor),
                ),
            ],
        )

    def describe(self):
        v = self.values
        gap = self.path.values[-1] - self.f_star
        full = self.full_path.values[-1] - self.f_star
        floor = 1e-16 * max(1.0, float(self.path.values[0] - self.f_star))
        if self.path.diverged.any():
            sgd = "diverges"
        else:
            sgd = f"ends at MSE − MSE* = {_gap_text(gap, floor)}"
        batch = "diverges" if self.full_path.diverged.any() else f"ends at {_gap_text(full, floor)}"
        return (
            f"Minibatch SGD, batch size {int(v['batch_size'])}, lr {v['lr']:.3g}, {int(v['epochs'])} epochs "
            f"({self.path.steps} steps, seed {int(v['seed'])}): SGD {sgd}; full-batch gradient descent "
            f"({self.full_path.steps} steps) {batch}. SGD's path wanders around the minimum; the full-batch "
            "path is smooth."
        )


# ----------------------------------------------------------------------------------------------------
# Annealing explorer
# ----------------------------------------------------------------------------------------------------


class AnnealingExplorer(ExplorerBase):
    """Particles on a 1-D objective, descending with noisy gradients; a histogram of where they end.

    Sliders: ``sigma`` (the gradient-noise level), ``lr`` (log), ``cooling`` (checkbox: cool the noise
    linearly to 0 over the first 80% of the steps). Attributes: ``path`` (all particles), ``final`` (end
    points), ``fraction_global`` (the share ending on the side of the global minimum, split at ``barrier``).
    """

    def __init__(self, objective, *, x0, barrier, particles=500, steps=800, xlim=(-1.8, 1.8), seed=0, **kwargs):
        if objective.dim != 1:
            raise ValueError("objective: the annealing explorer needs a 1-D objective")
        self.objective, self.barrier, self.xlim, self.seed = objective, float(barrier), xlim, seed
        self.global_min = float(objective.minima[0, 0])
        self.x0 = np.full((int(particles), 1), float(x0))
        self.run_steps = int(steps)
        params = {"sigma": (0.0, 6.0, 3.0), "lr": (0.005, 0.1, 0.05, "log"), "cooling": False}
        super().__init__(params, **kwargs)

    def setup(self):
        self.ax_curve, self.ax_hist = self.fig.subplots(1, 2)
        plots.function_curve(self.ax_curve, self.objective, self.xlim)
        self.ax_curve.axvline(self.barrier, color=BLACK, ls=":", lw=1)
        self.ax_curve.set(title="where the particles end", xlabel="x", ylabel="f(x)")
        self.dots = self.ax_curve.scatter([], [], s=12, color=VERMILLION, alpha=0.3, zorder=3)
        self.ax_curve.plot([self.x0[0, 0]], [float(self.objective.value(self.x0[:1])[0])], "o", color=BLUE, ms=8)
        self.animate(self.dots)
        self.bins = np.linspace(*self.xlim, 61)
        counts = np.zeros(len(self.bins) - 1)
        self.bars = self.ax_hist.bar(self.bins[:-1], counts, width=np.diff(self.bins), align="edge", color=GREEN)
        self.animate(*self.bars)
        self.ax_hist.axvline(self.barrier, color=BLACK, ls=":", lw=1)
        self.ax_hist.set(title="histogram of end points", xlabel="x", ylabel="share of particles", xlim=self.xlim)
        self.ax_hist.set_ylim(0, 0.2)
        self.message = self.ax_hist.text(0.03, 0.9, "", transform=self.ax_hist.transAxes, fontsize=8, color=ORANGE)
        self.animate(self.message)

    def compute(self, v):
        cool = 0.8 * self.run_steps if v["cooling"] else None
        grad_fn = noisy_gradient(self.objective, v["sigma"], cool_until=cool)
        self.path = descend(
            self.objective, SGD(lr=v["lr"]), self.x0, self.run_steps, grad_fn=grad_fn, rng=self.seed, bound=10
        )
        self.final = self.path.xs[-1, :, 0]
        alive = ~self.path.diverged
        on_global_side = (self.final < self.barrier) == (self.global_min < self.barrier)
        self.fraction_global = float(np.mean(on_global_side & alive))

    def draw(self, step):
        x = self.final[:, None]
        self.dots.set_offsets(np.column_stack([self.final, self.objective.value(x)]))
        counts, _ = np.histogram(np.clip(self.final, *self.xlim), bins=self.bins)
        share = counts / max(1, len(self.final))
        for bar, h in zip(self.bars, share, strict=True):
            bar.set_height(h)
        self.expand_ylim(self.ax_hist, 0.0, max(0.05, float(share.max())))
        text = f"{100 * self.fraction_global:.0f}% end in the deeper well"
        if self.path.diverged.any():
            text += f"; {int(self.path.diverged.sum())} diverged"
        self.message.set_text(text)
        self.readout.value = _legend_html(
            f"{len(self.final)} particles, {self.run_steps} steps",
            [
                ("in the deeper well", f"{100 * self.fraction_global:.0f}%"),
                ("diverged", str(int(self.path.diverged.sum()))),
            ],
        )

    def describe(self):
        v = self.values
        cooling = "cooled linearly to zero over 80% of the steps" if v["cooling"] else "constant"
        diverged = int(self.path.diverged.sum())
        return (
            f"Noisy gradient descent on a double well: {len(self.final)} particles start in the shallow minimum, "
            f"lr {v['lr']:.3g}, gradient noise σ = {v['sigma']:.3g} ({cooling}), {self.run_steps} steps. "
            f"{100 * self.fraction_global:.0f}% end in the deeper well"
            + (f"; {diverged} diverge." if diverged else ".")
        )


# ----------------------------------------------------------------------------------------------------
# Static figures
# ----------------------------------------------------------------------------------------------------


def loglog_slope(x, y):
    """The slope of the least-squares line through (log x, log y)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def loglog_figure(x, series, *, title, xlabel, ylabel, fig=None):
    """A log-log plot of several series (dict label -> (y, style)) against ``x``; returns the figure."""
    from matplotlib.figure import Figure

    fig = fig or Figure(figsize=(6.5, 3.0), dpi=plots.DPI, layout="constrained")
    ax = fig.add_subplot()
    for i, (label, (y, style)) in enumerate(series.items()):
        ax.loglog(x, y, style, color=plots.LINE_COLORS[i], label=label, ms=5)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def escape_figure(sigmas, ever, end):
    """Escape from the shallow minimum against the noise level: ever crossed / ends in the deep well."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.0), dpi=plots.DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(sigmas, 100 * np.asarray(ever), "o-", color=BLUE, label="crossed the barrier at least once")
    ax.plot(sigmas, 100 * np.asarray(end), "s--", color=VERMILLION, label="in the deeper well at the end")
    ax.set(title="escaping the shallow minimum", xlabel="gradient-noise level σ", ylabel="% of runs")
    ax.set_ylim(-3, 103)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig


def passes_figure(curves, *, title="loss against data passes"):
    """Loss gap against data passes: ``curves`` maps label -> (passes, gap)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.0), dpi=plots.DPI, layout="constrained")
    ax = fig.add_subplot()
    for i, (label, (passes, gap)) in enumerate(curves.items()):
        ax.semilogy(passes, np.maximum(gap, 1e-16), color=plots.LINE_COLORS[i], label=label, lw=1.2)
    ax.set(title=title, xlabel="data passes (epochs)", ylabel="MSE − MSE*")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig
