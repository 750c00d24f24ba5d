"""An explorer for gradient descent on linear least squares (notebooks/04_linear_regression.ipynb).

    import course_lib.viz.explorers_regression as xr
    ex = xr.regression_explorer(X_aug, y, beta0=[10.1, 15.1, -6.5])
    ex            # drag lr (log scale) past 2 / lambda_max to see divergence; play or drag "step"

Left: the coefficient paths beta_j(t) with the least-squares solution as dashed lines. Right: the loss gap
f(beta_t) - f(beta*) on a log scale. Compute is ``cl.descend`` on ``course_lib.regression.least_squares``.
"""

from __future__ import annotations

import numpy as np

from .. import regression
from ..descent import descend
from ..optimizers import SGD
from . import plots
from .explorers import ExplorerBase, _gap_text, _legend_html, _message, _set_message, _verdict

__all__ = ["RegressionExplorer", "regression_explorer"]

_FLOOR = 1e-16


class RegressionExplorer(ExplorerBase):
    """Gradient descent on ``least_squares(X, y, loss)`` with a log-scale lr slider and a step slider.

    Attributes: ``objective`` (the LeastSquares objective), ``path`` (the last run), ``stability_limit``
    (2 / largest Hessian eigenvalue), ``fig``, ``sliders`` ("lr", "step"), ``update()``.
    """

    def __init__(self, X, y, *, beta0, loss="half_sse", steps=5000, lr=(1e-3, 0.1, 0.01), names=None, **kwargs):
        self.objective = regression.least_squares(X, y, loss=loss)
        beta0 = np.asarray(beta0, dtype=np.float64)
        if beta0.shape != (self.objective.dim,) or not np.all(np.isfinite(beta0)):
            raise ValueError(f"beta0: expected {self.objective.dim} finite numbers, got {beta0.tolist()!r}")
        self.beta0 = beta0
        self.beta_star = self.objective.minima[0]
        self.f_star = float(self.objective.value(self.beta_star))
        self.stability_limit = (
            float(2.0 / self.objective.eigenvalues()[-1]) if loss != "rmse" and loss != "norm" else None
        )
        d = self.objective.dim
        self.names = list(names) if names is not None else [f"β{j + 1}" for j in range(d)]
        if len(self.names) != d:
            raise ValueError(f"names: expected {d} names, got {len(self.names)}")
        spec = tuple(lr)
        if len(spec) != 3:
            raise ValueError(f"lr: expected (low, high, default), got {lr!r}")
        kwargs.setdefault("figsize", (8.5, 3.3))
        super().__init__({"lr": (*spec, "log")}, steps=steps, **kwargs)

    def close(self):
        if "sliders" not in self.__dict__:  # construction failed before the widgets existed
            return
        super().close()

    def setup(self):
        ax_b, ax_f = self.fig.subplots(1, 2)
        self.ax_beta, self.ax_value = ax_b, ax_f
        t = np.arange(self.steps + 1)
        colors = plots.LINE_COLORS
        self.beta_lines = []
        every = max(1, self.steps // 8)
        for j, name in enumerate(self.names):
            # each coefficient and its least-squares value share a colour and a marker, so they pair up without
            # colour too; the least-squares value is dashed
            style = {"color": colors[j % len(colors)], "marker": plots.MARKERS[j % len(plots.MARKERS)], "ms": 4}
            ax_b.plot([0, self.steps], [self.beta_star[j]] * 2, ls="--", lw=0.9, **style)
            (line,) = ax_b.plot(t[:1], self.beta0[j : j + 1], lw=1.6, label=name, markevery=every, **style)
            self.beta_lines.append(line)
        span = np.concatenate([self.beta0, self.beta_star])
        pad = 0.25 * (span.max() - span.min()) + 1.0
        ax_b.set_xlim(0, self.steps)
        ax_b.set_ylim(span.min() - pad, span.max() + pad)
        ax_b.set(title="Coefficients (dashed: least squares)", xlabel="step t", ylabel="β_j(t)")
        ax_b.legend(loc="upper right", fontsize="small", ncols=min(3, len(self.names)))
        (self.value_line,) = ax_f.plot(t[:1], [1.0], color=plots.BLUE, lw=1.6)
        (self.marker,) = ax_f.plot([0], [1.0], "o", color=plots.VERMILLION, ms=5)
        ax_f.set_yscale("log")
        ax_f.set_xlim(0, self.steps)
        gap0 = max(float(self.objective.value(self.beta0)) - self.f_star, 1.0)
        ax_f.set_ylim(gap0 * _FLOOR, gap0 * 10)
        ax_f.set(title=f"Loss gap ({self.objective.loss})", xlabel="step t", ylabel="f(β_t) − f*  (log scale)")
        self.message = _message(ax_f)
        self.status = ax_b.text(
            0.02,
            0.03,
            "",
            transform=ax_b.transAxes,
            fontsize=8,
            va="bottom",
            ha="left",
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.6", alpha=0.9),
        )
        self.animate(*self.beta_lines, self.value_line, self.marker, self.message, self.status)

    def describe(self):
        limit = self.stability_limit
        where = "" if limit is None else (f" ({'above' if self.lr >= limit else 'below'} 2/λmax = {limit:.3g})")
        floor = self.ax_value.get_ylim()[0]
        k = min(int(self.step), self.path.steps)
        if bool(self.path.diverged):
            k = min(k, max(int(self.path.diverged_at) - 1, 0))
        return (
            f"Gradient descent on least squares ({self.objective.loss}), lr = {self.lr:.3g}{where}, "
            f"{self.steps} steps: the run {_verdict(self.path, self.f_star, floor)}. "
            f"At step {k}, f − f* = {_gap_text(self.gap[k], floor)}."
        )

    def compute(self, values):
        self.lr = float(values["lr"])
        self.path = descend(self.objective, SGD(lr=self.lr), self.beta0, self.steps)
        self.gap = np.maximum(self.path.values - self.f_star, 0.0)

    def draw(self, step):
        k = min(int(step), self.path.steps)
        diverged_at = int(self.path.diverged_at) if bool(self.path.diverged) else None
        shown = k if diverged_at is None else min(k, max(diverged_at - 1, 0))
        t = np.arange(shown + 1)
        lo, hi = self.ax_beta.get_ylim()
        for j, line in enumerate(self.beta_lines):
            line.set_data(t, np.clip(self.path.xs[: shown + 1, j], lo - 1e3 * (hi - lo), hi + 1e3 * (hi - lo)))
        floor = self.ax_value.get_ylim()[0]
        gap = np.maximum(self.gap[: shown + 1], floor)
        self.value_line.set_data(t, gap)
        self.marker.set_data([shown], [gap[-1]])
        error = np.abs(self.path.xs[shown] - self.beta_star).max()
        floor_b = _FLOOR * max(1.0, float(np.abs(self.beta_star).max()))
        self.status.set_text(
            f"step {shown}: β = [{', '.join(f'{b:.4g}' for b in self.path.xs[shown])}]\n"
            f"max |β − β*| = {_gap_text(error, floor_b)}"
        )
        entries = [(name, f"{b:.4g}") for name, b in zip(self.names, self.path.xs[shown], strict=True)]
        entries.append(("f − f*", _gap_text(self.gap[shown], floor)))
        if diverged_at is not None:
            entries.append(("diverged at step", str(diverged_at)))
        self.readout.value = _legend_html(f"step {shown}", entries)
        text = None
        limit = self.stability_limit
        if diverged_at is not None:
            text = f"diverged at step {diverged_at}: lr = {self.lr:.3g}"
            if limit is not None:
                text += f" > 2/λmax = {limit:.3g}"
        elif limit is not None and self.lr >= limit:
            text = f"lr = {self.lr:.3g} ≥ 2/λmax = {limit:.3g}: no convergence"
        _set_message(self.message, text)


def regression_explorer(X, y, *, beta0, loss="half_sse", steps=5000, lr=(1e-3, 0.1, 0.01), names=None, **kwargs):
    """Explore gradient descent on a least-squares problem; returns a :class:`RegressionExplorer`.

    ``lr`` is the log-scale slider spec ``(low, high, default)``; ``steps`` the run length (Play and the
    "step" slider move along it); ``names`` label the coefficients. ``**kwargs``: ``figsize``, ``dpi``,
    ``canvas``.
    """
    return RegressionExplorer(X, y, beta0=beta0, loss=loss, steps=steps, lr=lr, names=names, **kwargs)
