"""Several optimizers from one start, animated together: :func:`race_explorer`."""

from __future__ import annotations

import numpy as np

from ..descent import descend
from . import plots
from .explorers_base import ExplorerBase
from .explorers_common import (
    _build,
    _check_names,
    _curve_points,
    _divergence,
    _legend_html,
    _message,
    _optimizer_spec,
    _point,
    _set_message,
    _shown,
    _start,
    _start_specs,
    _steps,
    _ValueScale,
    _verdict,
    _window,
)
from .explorers_sliders import widen_to
from .plots import BLACK

__all__ = ["RaceExplorer", "race_explorer"]


def _labelled(optimizers):
    if isinstance(optimizers, dict):
        items = list(optimizers.items())
    elif isinstance(optimizers, (list, tuple)):
        items, seen = [], {}
        for opt in optimizers:
            name = type(opt).__name__
            seen[name] = seen.get(name, 0) + 1
            items.append((name if seen[name] == 1 else f"{name} {seen[name]}", opt))
    else:
        raise ValueError(f"optimizers: expected a dict label -> optimizer, got {type(optimizers).__name__}")
    if not items:
        raise ValueError("optimizers: expected at least one optimizer")
    out = {}
    for label, opt in items:
        cls, _ = _optimizer_spec(opt, f"optimizers[{label!r}]")
        if isinstance(opt, (str, type)):
            opt = cls()
        out[str(label)] = opt
    return out


class RaceExplorer(ExplorerBase):
    """Several optimizers from one start on one objective, animated together. See :func:`race_explorer`.

    Attributes: ``paths`` (dict label -> Path, None for an invalid setting), ``optimizers`` (the current
    instances), ``fig``, ``sliders``, ``ax_map``, ``ax_value``, ``legend``.
    """

    def __init__(
        self,
        objective,
        optimizers,
        *,
        x0,
        steps=200,
        params=None,
        xlim=None,
        ylim=None,
        figsize=None,
        dpi=None,
        canvas="auto",
    ):
        plots._check_objective(objective, (1, 2))
        self.objective = objective
        self.dim = objective.dim
        self._base = _labelled(optimizers)
        self.x0 = _start(x0, self.dim)
        _steps(steps)
        params = dict(params or {})
        unknown = set(params) - set(self._base)
        if unknown:
            raise ValueError(f"params: unknown labels {sorted(unknown)}; the optimizers are {list(self._base)}")
        specs, self._hyper = {}, {}
        for label, opt in self._base.items():
            given = params.get(label)
            if given is None:
                lr = float(getattr(opt, "lr", 0.0))
                given = {"lr": (lr / 100, lr * 100, lr, "log")} if lr > 0 else {}
            _check_names(type(opt), given, f"params[{label!r}]")
            self._hyper[label] = list(given)
            specs.update({f"{label}: {h}": spec for h, spec in given.items()})
        self.xlim, self.ylim = _window(objective, self.x0, xlim, ylim)
        self._scale = _ValueScale(objective, self.x0)
        self.f_star = self._scale.f_star
        specs_start = _start_specs(objective, self.x0, self.xlim, self.ylim or self.xlim)
        self._start_names = list(specs_start)
        self.paths, self.optimizers, self.errors, self._cache = {}, {}, {}, {}
        super().__init__({**specs, **specs_start}, steps=int(steps), figsize=figsize, dpi=dpi, canvas=canvas)

    def setup(self):
        self.ax_map, self.ax_value = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        ax, vax = self.ax_map, self.ax_value
        styles = [_series_style(i) for i in range(len(self._base))]
        colors = [st["color"] for st in styles]
        if self.dim == 2:
            plots.contour(ax, self.objective, self.xlim, self.ylim)
        else:
            plots.function_curve(ax, self.objective, self.xlim, ylim=self.ylim)
        ax.set_title(f"race on {getattr(self.objective, 'name', 'f')}", fontsize=10)
        self.lines, self.heads, self.value_lines = {}, {}, {}
        # colour, line style and marker all differ between runs: colour is never the only cue
        n = len(self._base)
        for i, (label, st) in enumerate(zip(self._base, styles, strict=True)):
            color, ls, mk = st["color"], st["linestyle"], st["marker"]
            (self.lines[label],) = ax.plot(
                [], [], color=color, ls=ls, marker=mk, lw=1.5, ms=3.6, mec="white", mew=0.3, zorder=4
            )
            (self.heads[label],) = ax.plot([], [], mk, color=color, ms=8.5, mec=BLACK, mew=1.0, zorder=6)
            (self.value_lines[label],) = vax.plot(
                [], [], color=color, ls=ls, marker=mk, ms=4.5, markevery=(0.03 * i / n, 0.12), lw=1.5, label=label
            )
        (self.start,) = ax.plot([], [], "s", color=BLACK, ms=7, mec="white", zorder=7)
        self.message = _message(ax)
        self._scale.setup(vax)
        vax.set_xlim(0, self.steps)
        vax.set_xlabel("step t")
        vax.set_title("value per step", fontsize=10)
        vax.grid(True, which="major", alpha=0.3)
        # values fall over the steps, so the lower left (early steps, low values) is the emptiest corner
        self.legend = vax.legend(loc="lower left", fontsize=7.5, framealpha=0.8)
        self._colors = dict(zip(self._base, colors, strict=True))
        self._markers = {label: st["marker"] for label, st in zip(self._base, styles, strict=True)}
        self.animate(*self.lines.values(), *self.heads.values(), *self.value_lines.values(), self.start, self.message)
        self.on_click(ax, self._clicked)

    def _clicked(self, x, y):
        with self.hold():
            for name, value in zip(self._start_names, (x, y) if self.dim == 2 else (x,)):
                widen_to(self.sliders[name], value)

    def compute(self, values):
        self.x0 = np.array([values[n] for n in self._start_names], dtype=np.float64)
        for label, base in self._base.items():
            changes = {h: values[f"{label}: {h}"] for h in self._hyper[label]}
            key = (tuple(changes.items()), tuple(self.x0))
            if label in self._cache and self._cache[label] == key:
                continue
            self._cache[label] = key
            try:
                opt = _build(type(base), base.hyperparameters, changes)
            except ValueError as err:
                self.optimizers[label], self.paths[label], self.errors[label] = None, None, str(err)
                continue
            self.errors.pop(label, None)
            self.optimizers[label] = opt
            self.paths[label] = descend(self.objective, opt, self.x0, self.steps)

    def describe(self):
        parts = []
        for label in self._base:
            path = self.paths.get(label)
            if path is None:
                parts.append(f"{label}: invalid setting")
                continue
            lr = getattr(self.optimizers.get(label), "lr", None)
            setting = f" (lr {float(lr):.3g})" if lr is not None and np.ndim(lr) == 0 else ""
            parts.append(f"{label}{setting} {_verdict(path, self.f_star, getattr(self._scale, 'floor', 0.0))}")
        name = getattr(self.objective, "name", "f")
        return f"Race on {name} from {_point(self.x0)}, {self.steps} steps: " + "; ".join(parts) + "."

    def draw(self, step):
        lo, hi, notes = np.inf, -np.inf, []
        if self.dim == 2:
            self.start.set_data([self.x0[0]], [self.x0[1]])
        else:
            self.start.set_data(*_curve_points(self.objective, self.x0))
        entries = []
        for label in self._base:
            path = self.paths.get(label)
            line, head, vline = self.lines[label], self.heads[label], self.value_lines[label]
            if path is None:
                for artist in (line, head, vline):
                    artist.set_visible(False)
                entries.append((label, "invalid setting"))
                notes.append(f"{label}: invalid setting")
                continue
            for artist in (line, head, vline):
                artist.set_visible(True)
            k = _shown(path, step)
            full = _shown(path, path.steps)
            xs = path.xs[: k + 1]
            px, py = (xs[:, 0], xs[:, 1]) if self.dim == 2 else _curve_points(self.objective, xs[:, 0])
            line.set_data(px, py)
            head.set_data([px[-1]], [py[-1]])
            shown = self._scale(path.values[: full + 1])
            vline.set_data(np.arange(k + 1), shown[: k + 1])
            d = _divergence(path)
            if d is None:  # diverging runs may leave the view; the message says why
                lo, hi = min(lo, shown.min()), max(hi, shown.max())
            if d is not None and k >= full:
                entries.append((label, f"diverged at step {d}"))
                notes.append(f"{label} at step {d}")
            else:
                entries.append((label, f"f = {float(path.values[k]):.4g}"))
        self.readout.value = _legend_html(f"step {min(int(step), self.steps)}", entries, self._colors, self._markers)
        if np.isfinite(lo):
            self.expand_ylim(self.ax_value, lo, hi)
        _set_message(self.message, ("diverged: " + ", ".join(notes) + "\n(lr too large)") if notes else None)


def _series_style(i):
    """Colour, line style and marker of the i-th run (the course's shared series styles)."""
    if hasattr(plots, "series_style"):
        return plots.series_style(i)
    styles = ["-", "--", "-.", ":"]
    markers = ["o", "s", "^", "D", "v", "P", "X", "p"]
    return {"color": plots._colors(i + 1)[i], "linestyle": styles[i % 4], "marker": markers[i % 8]}


def race_explorer(objective, optimizers, *, x0, steps=200, xlim=None, ylim=None, params=None, **kwargs):
    """Race several optimizers from one start; returns a :class:`RaceExplorer` (an ipywidgets VBox).

    ``optimizers``: dict label -> optimizer instance (or a list; labels are the class names). Each gets a
    log-scale ``"<label>: lr"`` slider around its own lr (``params={label: {name: spec}}`` to choose other
    sliders). The start moves with the ``x0``/``y0`` sliders or a click on the map; Play animates all runs
    together and the legend shows each one's current value. ``**kwargs``: ``figsize``, ``dpi``, ``canvas``.
    """
    return RaceExplorer(objective, optimizers, x0=x0, steps=steps, params=params, xlim=xlim, ylim=ylim, **kwargs)
