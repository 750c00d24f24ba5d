"""Two hyperparameters swept in one batched run, as a heat map: :func:`sweep_explorer`."""

from __future__ import annotations

import numbers

import matplotlib
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullLocator

from ..descent import Path, descend
from . import plots
from .explorers_base import ExplorerBase
from .explorers_common import (
    _build,
    _check_names,
    _curve_points,
    _divergence,
    _fields,
    _legend_html,
    _message,
    _optimizer_spec,
    _point,
    _set_message,
    _shown,
    _start,
    _steps,
    _SymlogTicks,
    _ValueScale,
    _verdict,
    _window,
)
from .plots import BLACK, VERMILLION, YELLOW

__all__ = ["SweepExplorer", "sweep_explorer"]


def _param_axis(parameter, spec):
    try:
        name, values = spec
        values = np.array(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{parameter}: expected (name, values), got {spec!r}") from None
    if not isinstance(name, str) or values.size == 0 or not np.isfinite(values).all():
        raise ValueError(f"{parameter}: expected a name and at least one finite value, got {spec!r}")
    if np.any(np.diff(values) <= 0):
        raise ValueError(f"{parameter}: the values must be strictly increasing, got {values}")
    return name, values


def _edges(values):
    """Cell edges around sorted-or-not grid values; geometric when the values are positive and log-spaced."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 1:
        return (np.array([v[0] / 2, v[0] * 2]), True) if v[0] > 0 else (np.array([v[0] - 0.5, v[0] + 0.5]), False)
    ratios = v[1:] / v[:-1] if np.all(v > 0) else None
    log = ratios is not None and np.all(ratios > 1) and np.allclose(ratios, ratios[0], rtol=1e-3) and ratios[0] > 1.5
    w = np.log(v) if log else v
    mid = (w[1:] + w[:-1]) / 2
    edges = np.concatenate([[w[0] - (mid[0] - w[0])], mid, [w[-1] + (w[-1] - mid[-1])]])
    return (np.exp(edges) if log else edges), log


class SweepExplorer(ExplorerBase):
    """Final value over a grid of two hyperparameters, from ONE batched :func:`~course_lib.descend` call
    (the hyperparameters are broadcasting arrays); click a cell to see that run's path. See
    :func:`sweep_explorer`.

    Attributes: ``final_values`` (shape ``(ny, nx)``: f after the last step, ``inf`` where the run diverged),
    ``diverged`` (bool, ``(ny, nx)``), ``batch`` (the batched Path), ``path`` (the selected run), ``selected``
    (``(i, j)``), ``x_values``, ``y_values``, ``optimizer`` (with array hyperparameters), ``fig``.
    """

    def __init__(
        self,
        objective,
        optimizer,
        *,
        x0,
        steps,
        x_param=None,
        y_param=None,
        fixed=None,
        xlim=None,
        ylim=None,
        figsize=None,
        dpi=None,
        canvas="auto",
    ):
        plots._check_objective(objective, (1, 2))
        self.objective = objective
        self.dim = objective.dim
        self.x0 = _start(x0, self.dim)
        _steps(steps)
        cls, base = _optimizer_spec(optimizer)
        fields = _fields(cls)
        if x_param is None:
            x_param = ("lr", np.geomspace(1e-3, 1.0, 16))
        if y_param is None:
            if "momentum" in fields:
                y_param = ("momentum", np.linspace(0.0, 0.95, 12))
            elif "betas" in fields:
                y_param = ("beta1", np.linspace(0.0, 0.95, 12))
            else:
                raise ValueError(f"y_param: {cls.__name__} has no momentum; give y_param=(name, values)")
        self.x_name, self.x_values = _param_axis("x_param", x_param)
        self.y_name, self.y_values = _param_axis("y_param", y_param)
        if self.x_name == self.y_name:
            raise ValueError(f"y_param: must differ from x_param, both are {self.x_name!r}")
        fixed = dict(fixed or {})
        _check_names(cls, [self.x_name], "x_param")
        _check_names(cls, [self.y_name], "y_param")
        _check_names(cls, fixed, "fixed")
        ny, nx = self.y_values.size, self.x_values.size
        grid = {self.x_name: self.x_values.reshape(1, nx, 1), self.y_name: self.y_values.reshape(ny, 1, 1)}
        self.optimizer = _build(cls, {**base, **fixed}, grid)
        # One batched run: every (y, x) cell is its own trajectory, all stepped together.
        self.batch = descend(objective, self.optimizer, self.x0, int(steps))
        self.diverged = np.asarray(self.batch.diverged, dtype=bool)
        self.final_values = np.where(self.diverged, np.inf, self.batch.values[-1])
        self._cls = cls
        self._scale = _ValueScale(objective, self.x0)
        self.f_star = self._scale.f_star
        self.xlim, self.ylim = _window(objective, self.x0, xlim, ylim)
        ok = ~self.diverged
        if ok.any():
            score = np.where(ok, self.final_values, np.inf)
            self.best = tuple(int(i) for i in np.unravel_index(np.argmin(score), score.shape))
        else:
            self.best = None
        self.selected = self.best or (0, 0)
        self.path = self._run(*self.selected)
        super().__init__({}, steps=int(steps), figsize=figsize, dpi=dpi, canvas=canvas)

    def _run(self, i, j):
        b = self.batch
        return Path(
            xs=b.xs[:, i, j],
            values=b.values[:, i, j],
            diverged=b.diverged[i, j],
            diverged_at=b.diverged_at[i, j],
        )

    def select(self, i, j):
        """Show the run of cell (row ``i``: ``y_values[i]``, column ``j``: ``x_values[j]``); returns it."""
        for name, v, n in (("i", i, self.y_values.size), ("j", j, self.x_values.size)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not 0 <= v < n:
                raise ValueError(f"{name}: expected a whole number in [0, {n - 1}], got {v!r}")
        self.selected = (int(i), int(j))
        self.path = self._run(*self.selected)
        self.redraw()
        return self.path

    def setup(self):
        self.ax_map, self.ax_heat = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.15]})
        ax, hax = self.ax_map, self.ax_heat
        if self.dim == 2:
            plots.contour(ax, self.objective, self.xlim, self.ylim)
        else:
            plots.function_curve(ax, self.objective, self.xlim, ylim=self.ylim)
        (self.line,) = ax.plot([], [], "-o", color=VERMILLION, lw=1.6, ms=3, mec="white", mew=0.4, zorder=5)
        (self.head,) = ax.plot([], [], "o", ms=9, mfc="none", mec=BLACK, mew=1.6, zorder=6)
        px, py = self.x0 if self.dim == 2 else _curve_points(self.objective, self.x0)
        ax.plot([px], [py], "s", color=BLACK, ms=7, mec="white", zorder=7)
        self.message = _message(ax)
        ax.title.set_fontsize(10)
        # the heat map
        self.x_edges, xlog = _edges(self.x_values)
        self.y_edges, ylog = _edges(self.y_values)
        colour = self._colour_data()
        norm = self._scale.norm(colour, colour[0])
        cmap = matplotlib.colormaps[plots.CMAP].with_extremes(bad="#d0d0d0")
        self.mesh = hax.pcolormesh(self.x_edges, self.y_edges, self._cells(self.steps), cmap=cmap, norm=norm)
        if xlog:
            hax.set_xscale("log")
        if ylog:
            hax.set_yscale("log")
        bar = self.fig.colorbar(self.mesh, ax=hax, pad=0.02)
        if self.f_star is None:
            bar.locator = _SymlogTicks(self._scale.linthresh)
            bar.ax.yaxis.set_minor_locator(NullLocator())
        bar.set_label("f − f*" if self.f_star is not None else "f", fontsize=9)
        hax.set_xlabel(self.x_name)
        hax.set_ylabel(self.y_name)
        hax.set_title(f"after step t (× on grey: diverged); {self.x_values.size}×{self.y_values.size} runs", fontsize=9)
        # a diverged cell carries a cross as well as its grey, so it reads without colour
        (self.crosses,) = hax.plot([], [], "x", color=BLACK, ms=6, mew=1.3, zorder=4)
        if self.best is not None:
            i, j = self.best
            hax.plot([self.x_values[j]], [self.y_values[i]], "*", color=BLACK, mfc=YELLOW, ms=11, zorder=5)
        self.box = hax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=VERMILLION, lw=2.2, zorder=6))
        self.animate(self.line, self.head, self.message, ax.title, self.mesh, self.crosses, self.box)
        self.on_click(hax, self._clicked)

    def _colour_data(self):
        values = self.batch.values
        alive = np.arange(values.shape[0])[:, None, None] < np.where(self.diverged, self.batch.diverged_at, np.inf)
        return self._scale(np.where(alive, values, np.nan))

    def _cells(self, step):
        k = min(int(step), self.batch.steps)
        alive = ~self.diverged | (k < self.batch.diverged_at)
        return np.ma.masked_where(~alive, self._scale(self.batch.values[k]))

    def _clicked(self, x, y):
        j = int(np.clip(np.searchsorted(self.x_edges, x) - 1, 0, self.x_values.size - 1))
        i = int(np.clip(np.searchsorted(self.y_edges, y) - 1, 0, self.y_values.size - 1))
        self.select(i, j)

    def describe(self):
        i, j = self.selected
        runs = f"{self.x_values.size}×{self.y_values.size} runs of {self._cls.__name__} from {_point(self.x0)}"
        if self.best is None:
            best = "every run diverges"
        else:
            bi, bj = self.best
            best = f"best: {self.x_name} {self.x_values[bj]:.3g}, {self.y_name} {self.y_values[bi]:.3g}"
        grey = int(self.diverged.sum())
        chosen = f"{self.x_name} {self.x_values[j]:.3g}, {self.y_name} {self.y_values[i]:.3g}"
        verdict = _verdict(self.path, self.f_star, self._scale.floor)
        return (
            f"Sweep, {runs}, {self.steps} steps: {best}; {grey} diverge (grey, marked ×). "
            f"Selected cell ({chosen}): the run {verdict}."
        )

    def draw(self, step):
        self.mesh.set_array(self._cells(step))
        gone_i, gone_j = np.nonzero(self.diverged & (min(int(step), self.batch.steps) >= self.batch.diverged_at))
        self.crosses.set_data(self.x_values[gone_j], self.y_values[gone_i])
        i, j = self.selected
        self.box.set_bounds(
            self.x_edges[j],
            self.y_edges[i],
            self.x_edges[j + 1] - self.x_edges[j],
            self.y_edges[i + 1] - self.y_edges[i],
        )
        path = self.path
        k = _shown(path, step)
        xs = path.xs[: k + 1]
        px, py = (xs[:, 0], xs[:, 1]) if self.dim == 2 else _curve_points(self.objective, xs[:, 0])
        self.line.set_data(px, py)
        self.head.set_data([px[-1]], [py[-1]])
        self.ax_map.set_title(
            f"{self._cls.__name__}: {self.x_name} = {self.x_values[j]:.3g}, {self.y_name} = {self.y_values[i]:.3g}",
            fontsize=10,
        )
        d = _divergence(path)
        if self.best is None:
            text = "every run diverged: lower the lr"
        elif d is not None:
            text = f"diverged at step {d}: {self.x_name if self.x_name == 'lr' else 'lr'} too large"
        else:
            text = None
        _set_message(self.message, text)
        final = "diverged" if d is not None else f"{float(path.values[-1]):.4g}"
        self.readout.value = _legend_html(
            f"cell ({i}, {j})",
            [
                (self.x_name, f"{self.x_values[j]:.3g}"),
                (self.y_name, f"{self.y_values[i]:.3g}"),
                (f"f at step {k}", f"{float(path.values[k]):.4g}"),
                (f"f after {path.steps} steps", final),
            ],
        )


def sweep_explorer(
    objective, optimizer, *, x0, steps, x_param=None, y_param=None, fixed=None, xlim=None, ylim=None, **kwargs
):
    """Sweep two hyperparameters in one batched run; returns a :class:`SweepExplorer` (an ipywidgets VBox).

    ``x_param``/``y_param``: ``(name, values)``; default ``("lr", 16 log-spaced values in [1e-3, 1])`` and
    ``("momentum", 12 values in [0, 0.95])`` (``beta1`` for Adam-like optimizers). The heat map shows the gap
    to the minimum after each step (Play animates it); diverged cells are grey and marked ×. Click a cell (or call
    ``select(i, j)``) to show that run's path on the map. ``**kwargs``: ``figsize``, ``dpi``, ``canvas``.
    """
    return SweepExplorer(
        objective,
        optimizer,
        x0=x0,
        steps=steps,
        x_param=x_param,
        y_param=y_param,
        fixed=fixed,
        xlim=xlim,
        ylim=ylim,
        **kwargs,
    )
