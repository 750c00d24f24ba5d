"""Figures and the explorer of notebooks/08_weight_decay.ipynb (L2 regularization against decoupled decay).

- :func:`fit_curves`: training and test loss against the regularization strength (over- and underfitting);
  :func:`fit_figure` draws it as a whole figure with the two regimes labelled.
- :func:`settling_panel`: where noisy Adam + L2 and AdamW runs settle, seed by seed, next to the predictions;
  :func:`settling_figure` one panel per noise setting.
- :func:`tuning_heatmap`: test loss over a learning-rate x weight-decay grid, the best weight decay per row
  marked; :func:`tuning_figure` one map per rule with a shared colour bar.
- :class:`SettlingExplorer`: noise levels, lambda and lr as sliders; both optimizers' settling points against
  the formulas.

Compute goes through ``course_lib`` (optimizers, :mod:`course_lib.noise`); these helpers only draw.
"""

from __future__ import annotations

import numpy as np

from .. import optimizers as _opt
from ..noise import adamw_settling_point, l2_settling_point, tail_average
from . import plots
from .explorers import ExplorerBase

__all__ = [
    "fit_curves",
    "fit_figure",
    "settling_panel",
    "settling_figure",
    "tuning_heatmap",
    "tuning_figure",
    "SettlingExplorer",
]

_L2_STYLE = {"color": plots.VERMILLION, "marker": "o"}
_W_STYLE = {"color": plots.BLUE, "marker": "^"}


def fit_curves(ax, lams, train, test, *, best=None):
    """Training loss (solid, circles) and test loss (dashed, squares) against ``lams`` on a log axis; with
    ``best`` (an index) a dotted vertical line marks that lambda. Returns the two lines."""
    lams, train, test = (np.asarray(a, dtype=np.float64) for a in (lams, train, test))
    if not (lams.ndim == 1 and train.shape == lams.shape and test.shape == lams.shape):
        raise ValueError("lams, train, test: expected three 1-D arrays of the same length")
    (a,) = ax.plot(lams, train, "-o", color=plots.BLUE, ms=4, label="training loss")
    (b,) = ax.plot(lams, test, "--s", color=plots.VERMILLION, ms=4, label="test loss")
    if best is not None:
        ax.axvline(lams[int(best)], color="grey", ls=":", lw=1)
    ax.set(xscale="log", xlabel="λ (L2 coefficient)", ylabel="mean log loss")
    ax.legend(fontsize=8)
    return a, b


def _figure(figsize):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=plots.DPI, layout="constrained")


def fit_figure(lams, train, test, *, title=None):
    """:func:`fit_curves` on a new figure, the best test loss's lambda marked, "overfitting" written at the
    small-lambda end and "underfitting" at the large one. Returns the figure."""
    fig = _figure((6.4, 3.0))
    ax = fig.add_subplot()
    best = int(np.argmin(test))
    fit_curves(ax, lams, train, test, best=best)
    ax.legend(loc="upper center", fontsize=8)
    ax.text(0.03, 0.9, "overfitting", fontsize=9, transform=ax.transAxes)
    ax.text(0.8, 0.08, "underfitting", fontsize=9, transform=ax.transAxes)
    ax.set_title(title or f"Best test loss at λ ≈ {np.asarray(lams)[best]:.3f}")
    return fig


def settling_figure(runs, *, lam, noise):
    """One :func:`settling_panel` per noise setting: ``runs`` maps "Adam + L2" and "AdamW" to TailAverage
    results whose batch axis (after the seeds) runs over the rows of ``noise`` (shape (k, 2))."""
    noise = np.asarray(noise, dtype=np.float64)
    if noise.ndim != 2 or noise.shape[1] != 2:
        raise ValueError(f"noise: expected one row of two noise levels per panel, got shape {noise.shape}")
    fig = _figure((4.2 * len(noise) + 1.8, 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(noise)))
    for k, ax in enumerate(axes):
        part = {name: r._replace(per_seed=r.per_seed[:, k], mean=r.mean[k]) for name, r in runs.items()}
        settling_panel(ax, part["Adam + L2"], part["AdamW"], lam=lam, sigma=noise[k])
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
    return fig


def tuning_figure(maps, lrs, grids, *, vmin=None, vmax=None):
    """One :func:`tuning_heatmap` per rule: ``maps`` name -> loss (lrs x lambdas), ``grids`` name -> that
    rule's lambdas; a shared colour bar and one legend under the maps. Returns the figure."""
    fig = _figure((3.5 * len(maps), 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(maps)))
    for ax, (name, loss) in zip(axes, maps.items(), strict=True):
        image = tuning_heatmap(ax, np.ravel(lrs), np.ravel(grids[name]), loss, title=name, vmin=vmin, vmax=vmax)
    fig.colorbar(image, ax=axes, label="test log loss", shrink=0.85)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=8)
    return fig


def settling_panel(ax, l2, adamw, *, lam, sigma, title=None):
    """One panel: per-seed tail averages of Adam + L2 (circles) and AdamW (triangles) in the plane, their
    means (large markers) and the predicted settling points (a black + for Adam + L2, a black x for AdamW).

    ``l2`` and ``adamw`` are :class:`course_lib.noise.TailAverage` results for f = 1/2 ||x - 1||^2 with 2-D
    iterates; ``lam`` and ``sigma`` (two noise levels) give the predictions.
    """
    ax.plot([1.0], [1.0], "*", color=plots.BLACK, ms=9, label="minimum of f")
    for result, style, label in ((l2, _L2_STYLE, "Adam + L2"), (adamw, _W_STYLE, "AdamW")):
        cloud = np.asarray(result.per_seed).reshape(-1, 2)
        ax.plot(*cloud.T, ls="none", ms=3, alpha=0.35, color=style["color"], marker=style["marker"])
        ax.plot(*result.mean, ls="none", ms=9, mec="white", label=f"{label}, mean", **style)
    p_l2 = l2_settling_point(lam) * np.ones(2)
    p_w = adamw_settling_point(lam, sigma)
    ax.plot(*p_l2, "+", color=plots.BLACK, ms=12, mew=2, label="predicted, Adam + L2")
    ax.plot(*p_w, "x", color=plots.BLACK, ms=10, mew=2, label="predicted, AdamW")
    ax.set(xlim=(0, 1.08), ylim=(0, 1.08), xlabel="x (noise σ_x)", ylabel="y (noise σ_y)", aspect="equal")
    ax.set_title(title or f"σ = ({sigma[0]:g}, {sigma[1]:g}), λ = {lam:g}", fontsize=9)
    return p_l2, p_w


def tuning_heatmap(ax, lrs, lams, loss, *, title, vmin=None, vmax=None):
    """Test loss over a grid (rows: ``lrs``, columns: ``lams``) as a colour map with log-spaced ticks; a white
    diamond marks each row's best lambda, a star the best cell. Returns the image."""
    lrs, lams, loss = (np.asarray(a, dtype=np.float64) for a in (lrs, lams, loss))
    if loss.shape != (lrs.size, lams.size):
        raise ValueError(f"loss: expected shape ({lrs.size}, {lams.size}) (lrs x lams), got {loss.shape}")
    shown = np.where(np.isfinite(loss), loss, np.nan)
    image = ax.imshow(shown, origin="lower", aspect="auto", cmap=plots.CMAP, vmin=vmin, vmax=vmax)
    rows = np.arange(lrs.size)
    best = np.nanargmin(shown, axis=1)
    ax.plot(best, rows, "D", color="white", mec=plots.BLACK, ms=6, label="best λ for this lr")
    i, j = np.unravel_index(np.nanargmin(shown), shown.shape)
    ax.plot([j], [i], "*", color="white", mec=plots.BLACK, ms=14, label="best overall")
    ax.set_xticks(range(lams.size), [f"{v:.0e}" for v in lams], rotation=60, fontsize=7)
    ax.set_yticks(rows, [f"{v:.3g}" for v in lrs], fontsize=7)
    ax.set(xlabel="λ (weight_decay)", ylabel="lr", title=title)
    return image


def _pm(result):
    """``(0.331 ± 0.004, 0.946 ± 0.001)``: each mean with its standard error over the seeds."""
    return "(" + ", ".join(f"{m:.3f} ± {max(s, 0.0005):.3f}" for m, s in zip(result.mean, result.se, strict=True)) + ")"


class SettlingExplorer(ExplorerBase):
    """Noisy gradients on f = 1/2 ||x - 1||^2: where Adam + L2 and AdamW settle, against the formulas.

    Sliders: ``noise x`` and ``noise y`` (the gradient noise's standard deviation per coordinate), ``lambda``
    (both optimizers' ``weight_decay``), ``lr``. Every change runs ``seeds`` copies of each optimizer for
    ``steps`` steps from (1, 1) and averages each over the last half (:func:`course_lib.noise.tail_average`).
    Attributes: ``results`` (dict label -> TailAverage), ``predictions`` (dict label -> point), ``fig``,
    ``sliders``.
    """

    LABELS = ("Adam + L2", "AdamW")

    def __init__(self, *, steps=12000, seeds=48, rng=0, figsize=(6.4, 3.6), dpi=80, canvas="auto"):
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 100:
            raise ValueError(f"steps: expected a whole number >= 100, got {steps!r}")
        if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
            raise ValueError(f"seeds: expected a whole number >= 2, got {seeds!r}")
        self.run_steps, self.seeds, self.rng = steps, seeds, rng
        params = {
            "noise x": (0.01, 30.0, 4.0, "log"),
            "noise y": (0.01, 30.0, 0.1, "log"),
            "lambda": (0.01, 2.0, 0.5, "log"),
            "lr": (0.002, 0.03, 0.003, "log"),
        }
        super().__init__(params, steps=0, figsize=figsize, dpi=dpi, canvas=canvas)

    def setup(self):
        self.ax = self.fig.add_subplot()
        self.ax.plot([1.0], [1.0], "*", color=plots.BLACK, ms=9, label="minimum of f")
        self.clouds, self.means, self.marks = {}, {}, {}
        for label, style, mark in zip(self.LABELS, (_L2_STYLE, _W_STYLE), ("+", "x"), strict=True):
            (self.clouds[label],) = self.ax.plot([], [], ls="none", ms=3, alpha=0.35, **style)
            (self.means[label],) = self.ax.plot([], [], ls="none", ms=9, mec="white", label=f"{label}, mean", **style)
            (self.marks[label],) = self.ax.plot(
                [], [], mark, color=plots.BLACK, ms=11, mew=2, label=f"predicted, {label}"
            )
        self.ax.set(xlim=(0, 1.08), ylim=(0, 1.08), xlabel="x", ylabel="y", aspect="equal")
        self.ax.set_title("Where noisy runs settle", fontsize=10)
        self.ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
        self.animate(*self.clouds.values(), *self.means.values(), *self.marks.values())

    def compute(self, v):
        sigma = np.array([v["noise x"], v["noise y"]])
        lam, lr = v["lambda"], v["lr"]
        grad = lambda x: x - 1.0  # noqa: E731 - the gradient of f = 1/2 ||x - 1||^2
        self.sigma, self.lam, self.lr = sigma, lam, lr
        kw = {"steps": self.run_steps, "tail": self.run_steps // 2, "sigma": sigma, "seeds": self.seeds}
        self.results = {
            "Adam + L2": tail_average(grad, _opt.Adam(lr=lr, weight_decay=lam), [1.0, 1.0], rng=self.rng, **kw),
            "AdamW": tail_average(grad, _opt.AdamW(lr=lr, weight_decay=lam), [1.0, 1.0], rng=self.rng, **kw),
        }
        self.predictions = {
            "Adam + L2": l2_settling_point(lam) * np.ones(2),
            "AdamW": adamw_settling_point(lam, sigma),
        }

    def draw(self, step):
        lines = []
        for label in self.LABELS:
            r, p = self.results[label], self.predictions[label]
            self.clouds[label].set_data(*r.per_seed.T)
            self.means[label].set_data([r.mean[0]], [r.mean[1]])
            self.marks[label].set_data([p[0]], [p[1]])
            lines.append(
                f"{label}: {_pm(r)}, predicted ({p[0]:.3f}, {p[1]:.3f})"
                + ("" if np.all(r.settled) else " (not settled yet)")
            )
        self.readout.value = "<br>".join(lines)

    def describe(self):
        s = self.sigma
        parts = []
        for label in self.LABELS:
            r, p = self.results[label], self.predictions[label]
            verdict = "settled" if np.all(r.settled) else "still drifting"
            parts.append(f"{label} averages {_pm(r)} against the predicted ({p[0]:.3f}, {p[1]:.3f}), {verdict}")
        return (
            f"Gradient noise ({s[0]:.3g}, {s[1]:.3g}), lambda {self.lam:.3g}, lr {self.lr:.3g}: "
            + "; ".join(parts)
            + "."
        )
