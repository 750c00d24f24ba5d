"""Explorers and figures of notebooks/06_momentum.ipynb.

- :class:`NoiseExplorer`: SGD with momentum on a 2-D quadratic with noisy gradients; many seeded runs, the
  cloud of where they are, one path, and its Polyak-Ruppert average; the measured spread against the formula.
- :func:`stationary_spread`: the stationary E[(x - x*)^2] of momentum SGD on a quadratic with additive
  gradient noise.
- Figure helpers (``distance_figure``, ``cloud_figure``) that keep plotting code out of the notebook.
"""

from __future__ import annotations

import numpy as np

from ..descent import descend
from ..optimizers import SGD
from . import plots
from .explorers import ExplorerBase, _legend_html
from .plots import BLACK, BLUE, ORANGE, VERMILLION

__all__ = ["NoiseExplorer", "stationary_spread", "distance_figure", "cloud_figure"]


def stationary_spread(lr, momentum, curvature, sigma):
    r"""Long-run E[(x - x*)^2] of x_t = x_{t-1} - lr (h x_{t-1} + xi_t) + beta (x_{t-1} - x_{t-2}), xi ~ N(0, s^2):

    lr s^2 (1 + beta) / (h (1 - beta) (2 (1 + beta) - lr h)), with s = sigma (infinite when unstable).

    Derived with SymPy in notebooks/06_momentum.ipynb; ``curvature`` may be an array (one value per axis).
    """
    lr, beta, h = (np.asarray(a, dtype=np.float64) for a in (lr, momentum, curvature))
    denominator = h * (1 - beta) * (2 * (1 + beta) - lr * h)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = lr * sigma**2 * (1 + beta) / denominator
    return np.where((denominator > 0) & (lr * h > 0), value, np.inf)


class NoiseExplorer(ExplorerBase):
    """Noisy SGD with momentum on ``f(x, y) = (h1 x^2 + h2 y^2) / 2``: the cloud of ``runs`` particles at the
    last step, one particle's path, and its running (Polyak-Ruppert) average from ``average_from`` on.

    Sliders: ``lr`` (log), ``momentum``, ``noise``. Attributes: ``path`` (all runs), ``average`` (the running
    average of run 0), ``spread`` (measured mean of |x|^2 over the last half of the steps and all runs),
    ``predicted`` (the formula of :func:`stationary_spread`, summed over both axes).
    """

    def __init__(self, curvatures=(1.0, 4.0), *, x0=(2.0, 1.5), runs=200, steps=400, seed=0, **kwargs):
        from .. import objective as make_objective

        self.h = np.asarray(curvatures, dtype=np.float64)
        if self.h.shape != (2,) or np.any(self.h <= 0):
            raise ValueError(f"curvatures: expected two positive numbers, got {curvatures!r}")
        self.f = make_objective(f"({self.h[0]}*x**2 + {self.h[1]}*y**2)/2")
        self.x0 = np.broadcast_to(np.asarray(x0, dtype=np.float64), (int(runs), 2))
        self.run_steps, self.seed = int(steps), seed
        params = {"lr": (0.003, 0.6, 0.1, "log"), "momentum": (0.0, 0.99, 0.0), "noise": (0.0, 3.0, 1.0)}
        super().__init__(params, **kwargs)

    def setup(self):
        ax, self.ax_gap = self.fig.subplots(1, 2)
        self.lim = 1.3 * float(np.max(np.abs(self.x0)))
        plots.contour(ax, self.f, (-self.lim, self.lim), (-self.lim, self.lim), levels=12)
        ax.set(title="noisy descent: cloud, one path, its average", xlabel="x", ylabel="y")
        self.cloud = ax.scatter([], [], s=6, color=ORANGE, alpha=0.6, label="all runs, last step")
        (self.line,) = ax.plot([], [], "-", color=VERMILLION, lw=0.8, label="one run")
        (self.avg,) = ax.plot([], [], "-", color=BLACK, lw=2, label="its running average")
        self.animate(self.cloud, self.line, self.avg)
        ax.legend(loc="upper right", fontsize=7)
        self.ax_gap.set_yscale("log")
        self.ax_gap.set(title="mean squared distance to the minimum", xlabel="step", ylabel="E |x − x*|²")
        (self.gap,) = self.ax_gap.plot([], [], color=VERMILLION, label="iterates (all runs)")
        (self.gap_avg,) = self.ax_gap.plot([], [], color=BLACK, ls="--", label="running averages")
        self.level = self.ax_gap.axhline(1.0, color=BLUE, ls="--", lw=1, label="predicted floor")
        self.animate(self.gap, self.gap_avg, self.level)
        self.ax_gap.set_xlim(0, self.run_steps)
        self.ax_gap.set_ylim(1e-3, 1e2)  # a typical range, so the fixed layout leaves room for its tick labels
        self.ax_gap.legend(loc="upper right", fontsize=7)
        self.message = self.ax_gap.text(0.03, 0.05, "", transform=self.ax_gap.transAxes, fontsize=8)
        self.animate(self.message)

    def compute(self, v):
        noise = float(v["noise"])

        def grad_fn(x, t, rng):
            return self.f.grad(x) + noise * rng.standard_normal(x.shape)

        opt = SGD(lr=v["lr"], momentum=v["momentum"])
        self.path = descend(self.f, opt, self.x0, self.run_steps, grad_fn=grad_fn, rng=self.seed, bound=100)
        counts = np.arange(1, self.path.steps + 2)[:, None, None]
        self.averages = np.cumsum(self.path.xs, axis=0) / counts
        self.average = self.averages[:, 0]
        half = self.path.steps // 2
        self.spread = float(np.mean(np.sum(self.path.xs[half:] ** 2, axis=-1)))
        self.predicted = float(np.sum(stationary_spread(v["lr"], v["momentum"], self.h, noise)))

    def draw(self, step):
        xs = self.path.xs
        self.cloud.set_offsets(np.clip(xs[-1], -10 * self.lim, 10 * self.lim))
        self.line.set_data(*xs[:, 0].T)
        self.avg.set_data(*self.average.T)
        tiny = 1e-12
        gap = np.maximum(np.mean(np.sum(xs**2, axis=-1), axis=1), tiny)
        gap_avg = np.maximum(np.mean(np.sum(self.averages**2, axis=-1), axis=1), tiny)
        steps = np.arange(self.path.steps + 1)
        self.gap.set_data(steps, gap)
        self.gap_avg.set_data(steps, gap_avg)
        finite = np.isfinite(self.predicted) and self.predicted > 0
        self.level.set_ydata([self.predicted if finite else tiny] * 2)
        self.level.set_visible(bool(finite))
        lo = min(gap.min(), gap_avg.min(), self.predicted if finite else np.inf)
        self.expand_ylim(self.ax_gap, lo, max(gap.max(), gap_avg.max()))
        if self.path.diverged.any():
            text = f"{int(self.path.diverged.sum())} runs diverged: lower lr (or momentum)"
        else:
            shown = f"{self.predicted:.3g}" if finite else "none (unstable)"
            text = f"floor: measured {self.spread:.3g}, predicted {shown}"
        self.message.set_text(text)
        diverged = int(self.path.diverged.sum())
        self.readout.value = _legend_html(
            f"{self.x0.shape[0]} runs, {self.run_steps} steps",
            [
                ("measured floor", "diverged" if diverged else f"{self.spread:.3g}"),
                ("predicted floor", f"{self.predicted:.3g}" if finite else "none (unstable)"),
                ("averages at the end", f"{float(gap_avg[-1]):.3g}"),
            ],
        )

    def describe(self):
        v = self.values
        diverged = int(self.path.diverged.sum())
        finite = np.isfinite(self.predicted) and self.predicted > 0
        if diverged:
            state = f"{diverged} runs diverge: lower lr or momentum"
        else:
            predicted = f"{self.predicted:.3g}" if finite else "none (unstable)"
            state = (
                f"the iterates settle in a cloud with mean squared distance {self.spread:.3g} "
                f"(predicted {predicted}); the running averages get much closer"
            )
        return (
            f"Noisy SGD with momentum on a quadratic: lr {v['lr']:.3g}, momentum {v['momentum']:.3g}, noise "
            f"{v['noise']:.3g}, {self.x0.shape[0]} runs of {self.run_steps} steps: {state}."
        )


def distance_figure(curves, *, title, ylabel="‖x − x*‖ / ‖x₀ − x*‖"):
    """Distance to the minimum against the step: ``curves`` maps label -> 1-D array."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.0), dpi=plots.DPI, layout="constrained")
    ax = fig.add_subplot()
    for i, (label, d) in enumerate(curves.items()):
        ax.semilogy(np.maximum(d, 1e-16), color=plots.LINE_COLORS[i], label=label, lw=1.3)
    ax.set(title=title, xlabel="step", ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig


def cloud_figure(clouds, *, lim, title):
    """Side-by-side scatter plots of end points: ``clouds`` maps label -> array (runs, 2); minimum at 0."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.3 * len(clouds), 2.6), dpi=plots.DPI, layout="constrained")
    axes = fig.subplots(1, len(clouds), sharex=True, sharey=True)
    for i, (ax, (label, pts)) in enumerate(zip(np.atleast_1d(axes), clouds.items(), strict=True)):
        ax.scatter(pts[:, 0], pts[:, 1], s=4, color=plots.LINE_COLORS[i], alpha=0.5)
        ax.plot([0], [0], "*", color=BLACK, mfc="none", ms=9)  # hollow: the points stay visible
        ax.set(title=label, xlabel="x", xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
        ax.title.set_fontsize(8)
    np.atleast_1d(axes)[0].set_ylabel("y")
    fig.suptitle(title, fontsize=10)
    return fig
