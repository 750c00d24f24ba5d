"""Figures and explorers for the adaptive-methods chapters (notebooks/07_adaptive_methods.ipynb and
notebooks/08_weight_decay.ipynb).

- :func:`effective_lr` feeds a fixed sequence of gradients to an optimizer and reports the step taken per
  unit of gradient, ``(x_{t-1} - x_t) / g_t``: for Adagrad and RMSprop this is exactly their effective
  learning rate ``lr / (sqrt(s_t) + eps)``.
- :class:`EffectiveLrExplorer`: gradients of one size for a while, then another size; how Adagrad, RMSprop and
  Adam rescale their steps.
- :class:`DecayExplorer`: Adam with an L2 term against AdamW on one surface, with lambda and lr sliders.
- :func:`race_panels`: static small multiples of several optimizers on several surfaces.

Compute goes through ``course_lib`` (optimizers and ``descend``); these helpers only draw.
"""

from __future__ import annotations

import numpy as np

from .. import optimizers as _opt
from ..descent import descend
from . import plots
from .explorers import ExplorerBase, _legend_html

__all__ = ["effective_lr", "gradient_schedule", "EffectiveLrExplorer", "DecayExplorer", "race_panels"]


def gradient_schedule(big, small, switch, steps):
    """Gradients of shape ``(steps, 1)``: ``big`` for the first ``switch`` steps, then ``small``."""
    if not (np.isfinite(big) and np.isfinite(small) and big > 0 and small > 0):
        raise ValueError(f"big, small: expected positive gradient sizes, got {big!r}, {small!r}")
    steps, switch = int(steps), int(switch)
    if steps < 1 or not 0 <= switch <= steps:
        raise ValueError(f"switch: expected 0 <= switch <= steps (steps >= 1), got switch={switch}, steps={steps}")
    g = np.full((steps, 1), float(small))
    g[:switch] = big
    return g


def effective_lr(optimizer, grads):
    """Step per unit gradient, ``(x_{t-1} - x_t) / g_t``, when ``optimizer`` is fed the gradients ``grads``.

    ``grads`` has shape ``(steps, ...)``; every entry must be non-zero. The iterate starts at 0 and the
    gradient does not depend on it, so the result shows how the optimizer's own state rescales the
    gradient over time.
    """
    grads = np.asarray(grads, dtype=np.float64)
    if grads.ndim < 1 or grads.shape[0] < 1 or not np.all(np.isfinite(grads)) or np.any(grads == 0):
        raise ValueError("grads: expected a non-empty array of finite, non-zero gradients (steps first)")
    x = np.zeros(grads.shape[1:])
    state = optimizer.init(x)
    out = np.empty_like(grads)
    for t, g in enumerate(grads):
        x_new, state = optimizer.step(x, g, state)
        out[t] = (x - x_new) / g
        x = x_new
    return out


def _style(i, colors):
    """Colour, line style and marker of the i-th compared series (colour is never the only cue)."""
    if hasattr(plots, "series_style"):
        return plots.series_style(i, colors=colors)
    return {"color": colors[i % len(colors)], "linestyle": ["-", "--", "-.", ":"][i % 4], "marker": "osD^"[i % 4]}


class _Explorer(ExplorerBase):
    """ExplorerBase that tolerates being closed after a constructor argument was rejected."""

    def close(self):
        if hasattr(self, "sliders"):
            super().close()


class EffectiveLrExplorer(_Explorer):
    """Effective learning rate of Adagrad, RMSprop and Adam when the gradient size changes once.

    Sliders: ``big`` (gradient size before the switch), ``small`` (after), ``switch`` (the step where it
    changes), ``lr`` (shared), ``alpha`` (RMSprop's averaging coefficient). Attributes: ``curves`` (dict
    label -> array of the step per unit gradient), ``grads``, ``fig``, ``sliders``.
    """

    LABELS = ("Adagrad", "RMSprop", "Adam")

    def __init__(self, steps=150, *, figsize=(7.0, 3.2), dpi=80, canvas="auto"):
        self.n = int(steps)
        params = {
            "big": (0.1, 100.0, 10.0, "log"),
            "small": (1e-3, 10.0, 0.1, "log"),
            "switch": (0, self.n, 50, "int"),
            "lr": (1e-3, 1.0, 0.01, "log"),
            "alpha": (0.5, 0.999, 0.9),
        }
        super().__init__(params, figsize=figsize, dpi=dpi, canvas=canvas)

    def setup(self):
        self.ax = self.fig.add_subplot()
        self.ax.set_yscale("log")
        self.ax.set_xlim(1, self.n)
        self.ax.set_xlabel("step t")
        self.ax.set_ylabel("step per unit gradient")
        self.ax.set_ylim(1e-5, 1e-1)  # typical range: the layout is fixed once, with room for these tick labels
        self.ax.set_title("Effective learning rate when the gradients shrink")
        colors = plots.LINE_COLORS
        styles = [_style(i, colors) for i in range(len(self.LABELS))]
        self.lines = {
            label: self.ax.plot([], [], lw=2, label=label, markevery=(0.04 * i, 0.15), ms=5, **styles[i])[0]
            for i, label in enumerate(self.LABELS)
        }
        self.marker = self.ax.axvline(1, color=plots.BLACK, ls=":", lw=1)
        self.ax.legend(loc="upper left", fontsize=8)
        self.animate(*self.lines.values(), self.marker)

    def compute(self, v):
        self.grads = gradient_schedule(v["big"], v["small"], v["switch"], self.n)
        opts = {
            "Adagrad": _opt.Adagrad(lr=v["lr"]),
            "RMSprop": _opt.RMSprop(lr=v["lr"], alpha=v["alpha"]),
            "Adam": _opt.Adam(lr=v["lr"]),
        }
        self.curves = {label: effective_lr(opt, self.grads)[:, 0] for label, opt in opts.items()}

    def draw(self, step):
        t = np.arange(1, self.n + 1)
        for label, line in self.lines.items():
            line.set_data(t, self.curves[label])
        self.marker.set_xdata([self.values["switch"] + 0.5] * 2)
        values = np.concatenate(list(self.curves.values()))
        limits = (10 ** np.floor(np.log10(values.min())), 10 ** np.ceil(np.log10(values.max())))
        if not np.allclose(self.ax.get_ylim(), limits):
            self.ax.set_ylim(limits)  # whole decades: the scale changes only when a curve leaves it
            self.invalidate()
        switch = int(self.values["switch"])
        self.readout.value = _legend_html(
            "step per unit gradient, before the switch → at the end",
            [(label, f"{c[max(switch - 1, 0)]:.3g} → {c[-1]:.3g}") for label, c in self.curves.items()],
            dict(zip(self.LABELS, plots.LINE_COLORS, strict=False)),
        )

    def describe(self):
        v = self.values
        switch = int(v["switch"])
        parts = [f"{label} {c[max(switch - 1, 0)]:.3g} then {c[-1]:.3g}" for label, c in self.curves.items()]
        return (
            f"Effective learning rate (step per unit gradient) with lr {v['lr']:.3g}: gradients of size "
            f"{v['big']:.3g} until step {switch}, then {v['small']:.3g}; RMSprop's alpha {v['alpha']:.3g}. "
            "Before the switch and at the end: " + "; ".join(parts) + "."
        )


class DecayExplorer(_Explorer):
    """Adam with an L2 term (``Adam(weight_decay=λ)``) against AdamW (``AdamW(weight_decay=λ)``).

    Sliders: ``lambda`` (the shared coefficient), ``lr``. Both runs start at ``x0`` and take ``steps``
    steps; the map shows both paths. Attributes: ``paths`` (dict label -> Path), ``fig``, ``sliders``.
    """

    LABELS = ("Adam + L2", "AdamW")

    def __init__(self, objective, *, x0, steps=300, xlim=None, ylim=None, figsize=(7.0, 3.4), dpi=80, canvas="auto"):
        plots._check_objective(objective, (2,))
        self.objective = objective
        self.x0 = np.asarray(x0, dtype=np.float64)
        if self.x0.shape != (2,) or not np.all(np.isfinite(self.x0)):
            raise ValueError(f"x0: expected a finite 2-vector, got {x0!r}")
        if xlim is None or ylim is None:
            auto = plots.auto_limits(self.x0[None], include=objective.minima, margin=0.3)
            xlim, ylim = xlim or auto[0], ylim or auto[1]
        self.xlim, self.ylim = xlim, ylim
        params = {"lambda": (1e-3, 10.0, 0.5, "log"), "lr": (1e-3, 0.3, 0.01, "log")}
        super().__init__(params, steps=steps, figsize=figsize, dpi=dpi, canvas=canvas)

    def setup(self):
        self.ax = self.fig.add_subplot()
        plots.contour(self.ax, self.objective, self.xlim, self.ylim, levels=20)
        self.ax.set_title("Adam + L2 versus AdamW (same λ)")
        colors = (plots.VERMILLION, plots.BLUE)
        self.lines, self.ends = {}, {}
        for i, (label, color) in enumerate(zip(self.LABELS, colors, strict=True)):
            style = _style(i, colors)
            (self.lines[label],) = self.ax.plot([], [], color=color, ls=style["linestyle"], lw=1.8, label=label)
            (self.ends[label],) = self.ax.plot([], [], style["marker"], color=color, ms=7, mec="white")
        self.text = self.ax.text(
            0.02,
            0.03,
            "",
            transform=self.ax.transAxes,
            fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.8, "lw": 0},
        )
        self.ax.legend(loc="upper right", fontsize=8)
        self.animate(*self.lines.values(), *self.ends.values(), self.text)

    def compute(self, v):
        lam, lr = v["lambda"], v["lr"]
        self.paths = {
            "Adam + L2": descend(self.objective, _opt.Adam(lr=lr, weight_decay=lam), self.x0, self.steps),
            "AdamW": descend(self.objective, _opt.AdamW(lr=lr, weight_decay=lam), self.x0, self.steps),
        }

    def draw(self, step):
        lines = []
        for label, path in self.paths.items():
            k = min(step, path.steps)
            self.lines[label].set_data(*path.xs[: k + 1].T)
            self.ends[label].set_data([path.xs[k, 0]], [path.xs[k, 1]])
            flag = " (diverged)" if path.diverged else ""
            lines.append(f"{label}: ({path.xs[k, 0]:.3f}, {path.xs[k, 1]:.3f}){flag}")
        self.text.set_text(f"step {step}\n" + "\n".join(lines))
        entries = []
        for label, path in self.paths.items():
            k = min(step, path.steps)
            entries.append((label, "diverged" if path.diverged else f"({path.xs[k, 0]:.3f}, {path.xs[k, 1]:.3f})"))
        self.readout.value = _legend_html(f"step {step}", entries)

    def describe(self):
        v = self.values
        k = min(int(self.step), self.steps)
        parts = []
        for label, path in self.paths.items():
            end = "diverges" if path.diverged else f"is at ({path.xs[k, 0]:.3f}, {path.xs[k, 1]:.3f})"
            parts.append(f"{label} {end}")
        return (
            f"Adam with an L2 term against AdamW, λ = {v['lambda']:.3g}, lr {v['lr']:.3g}, from "
            f"({self.x0[0]:.3g}, {self.x0[1]:.3g}); at step {k}: " + "; ".join(parts) + "."
        )


def race_panels(fig, problems, make_optimizers, steps):
    """Small multiples: one contour panel per problem with every optimizer's path; returns the dict of paths.

    ``problems``: dict title -> (objective, x0, xlim, ylim); ``make_optimizers``: function of the title
    returning a dict label -> optimizer. The figure ``fig`` gets one row of panels.
    """
    axes = fig.subplots(1, len(problems))
    axes = np.atleast_1d(axes)
    runs = {}
    for ax, (title, (objective, x0, xlim, ylim)) in zip(axes, problems.items(), strict=True):
        plots.contour(ax, objective, xlim, ylim, levels=18, n=90)
        paths = {label: descend(objective, opt, x0, steps) for label, opt in make_optimizers(title).items()}
        plots.draw_paths(ax, {k: p.xs for k, p in paths.items()}, markers=False)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_title(title, fontsize=9)
        if ax is not axes[0] and ax.get_legend() is not None:
            ax.get_legend().remove()
        runs[title] = paths
    return runs
