"""One optimizer on a 1-D or 2-D objective: :func:`descent_explorer` and :func:`step_anatomy`."""

from __future__ import annotations

import numpy as np

from .. import optimizers as _optimizers
from ..descent import descend
from . import plots
from .explorers_base import ExplorerBase
from .explorers_common import (
    _build,
    _check_names,
    _divergence,
    _gap_text,
    _legend_html,
    _lr_text,
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
from .plots import BLACK, BLUE, VERMILLION

__all__ = ["DescentExplorer", "descent_explorer", "step_anatomy"]

_SQRT = "\u221a"


def _arrow_names(cls):
    if issubclass(cls, _optimizers.SGD):
        return ["−lr·g", "momentum", "update"]
    if issubclass(cls, _optimizers.Adam):
        return ["−lr·g", "−lr·m̂", "update"]
    return ["−lr·g", "update"]


_ARROW_COLORS = {"−lr·g": VERMILLION, "momentum": plots.GREEN, "−lr·m̂": plots.GREEN, "update": BLACK}


def _adaptive(cls):
    return issubclass(cls, (_optimizers.Adagrad, _optimizers.RMSprop, _optimizers.Adadelta, _optimizers.Adam))


def step_anatomy(optimizer, x, g, state):
    """Take one step apart: ``(arrows, semi_axes, next_state)``.

    ``arrows`` maps names to vectors from ``x``: ``"−lr·g"`` (plain gradient descent's step), the carried
    ``"momentum"`` (SGD: ``-lr * momentum * b_{t-1}``) or ``"−lr·m̂"`` (Adam's averaged direction), and the
    ``"update"`` actually taken. ``semi_axes`` is, for adaptive methods, the per-coordinate step scale
    ``lr / (sqrt(v) + eps)`` times ``|g|`` (None otherwise). The next state comes from ``optimizer.step``.
    """
    x = np.asarray(x, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    with np.errstate(all="ignore"):
        x_next, new_state = optimizer.step(x, g, state)
        lr = float(np.asarray(getattr(optimizer, "lr", 0.0)))
        arrows = dict.fromkeys(_arrow_names(type(optimizer)), np.zeros_like(x))
        arrows["−lr·g"] = -lr * g
        arrows["update"] = x_next - x
        scale = None
        wd = getattr(optimizer, "weight_decay", 0.0)
        gd = g if isinstance(optimizer, _optimizers.AdamW) else g + wd * x
        try:
            if isinstance(optimizer, _optimizers.SGD):
                if state.t > 0:
                    arrows["momentum"] = -lr * optimizer.momentum * state.buf
            elif isinstance(optimizer, _optimizers.Adagrad):
                t = state.t + 1
                scale = lr / (1 + (t - 1) * optimizer.lr_decay) / (np.sqrt(state.sum + gd * gd) + optimizer.eps)
            elif isinstance(optimizer, _optimizers.RMSprop):
                v = optimizer.alpha * state.v + (1 - optimizer.alpha) * gd * gd
                if optimizer.centered:
                    mean = optimizer.alpha * state.g_avg + (1 - optimizer.alpha) * gd
                    v = v - mean * mean
                scale = lr / (np.sqrt(v) + optimizer.eps)
            elif isinstance(optimizer, _optimizers.Adadelta):
                v = optimizer.rho * state.v + (1 - optimizer.rho) * gd * gd
                scale = lr * np.sqrt(state.u + optimizer.eps) / np.sqrt(v + optimizer.eps)
            elif isinstance(optimizer, _optimizers.Adam):
                b1, b2 = optimizer.betas
                t = state.t + 1
                m = b1 * state.m + (1 - b1) * gd
                v = b2 * state.v + (1 - b2) * gd * gd
                if optimizer.bias_correction:
                    m, v = m / (1 - b1**t), v / (1 - b2**t)
                arrows["−lr·m̂"] = -lr * m
                scale = lr / (np.sqrt(v) + optimizer.eps)
        except AttributeError:  # an optimizer with a different state: show the plain arrows only
            scale = None
        semi = None if scale is None else scale * np.linalg.norm(g)
    return arrows, semi, new_state


# ----------------------------------------------------------------------------------------------------
# descent_explorer
# ----------------------------------------------------------------------------------------------------


class DescentExplorer(ExplorerBase):
    """One optimizer on a 1-D or 2-D objective: hyperparameter sliders, start sliders (and click on the map),
    Play through the iterates, the value curve beside, divergence as a message. See :func:`descent_explorer`.

    Attributes: ``path`` (the current :class:`~course_lib.descent.Path`, None for an invalid setting),
    ``optimizer``, ``fig``, ``sliders``, ``ax_map``, ``ax_value``, ``error`` (the invalid-setting message).
    """

    def __init__(
        self,
        objective,
        optimizer="SGD",
        *,
        x0,
        steps=50,
        params=None,
        fixed=None,
        xlim=None,
        ylim=None,
        show_state=False,
        title=None,
        figsize=None,
        dpi=None,
        canvas="auto",
    ):
        plots._check_objective(objective, (1, 2))
        self.objective = objective
        self.dim = objective.dim
        self.x0 = _start(x0, self.dim)
        _steps(steps)
        self._cls, base = _optimizer_spec(optimizer)
        params = {"lr": (1e-3, 1.0, 0.1, "log")} if params is None else dict(params)
        fixed = dict(fixed or {})
        _check_names(self._cls, params, "params")
        _check_names(self._cls, fixed, "fixed")
        self._base = {**base, **fixed}
        self._hyper = list(params)
        self.xlim, self.ylim = _window(objective, self.x0, xlim, ylim)
        self._scale = _ValueScale(objective, self.x0)
        self.f_star = self._scale.f_star
        self.show_state = bool(show_state)
        self.title = title
        self.path = self.optimizer = self.error = None
        self._states = []
        specs = {**params, **_start_specs(objective, self.x0, self.xlim, self.ylim or self.xlim)}
        self._start_names = list(specs)[len(params) :]
        super().__init__(specs, steps=int(steps), figsize=figsize, dpi=dpi, canvas=canvas)

    # -- building --------------------------------------------------------------------------------------------

    def setup(self):
        fig = self.fig
        self.ax_map, self.ax_value = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        ax = self.ax_map
        if self.dim == 2:
            plots.contour(ax, self.objective, self.xlim, self.ylim)
            (self.line,) = plots.draw_paths(ax, self.x0[None, :])
            self.animate(self.line)
        else:
            self.stairs = plots.tangent_staircase(ax, self.objective, self.x0, xlim=self.xlim)
            if self.ylim is not None:
                ax.set_ylim(self.ylim)
            self.animate(*(self.stairs[k] for k in ("tangents", "moves", "drops", "points")))
        (self.start,) = ax.plot([], [], "s", color=BLACK, ms=7, mec="white", zorder=7, label="start")
        (self.current,) = ax.plot([], [], "o", ms=9, mfc="none", mec=BLACK, mew=1.6, zorder=7)
        self.message = _message(ax)
        self.animate(self.start, self.current, self.message)
        name = getattr(self.objective, "name", "f")
        ax.set_title(self.title or f"{self._cls.__name__} on {name}", fontsize=10)
        self.arrows = None
        if self.show_state:
            y0 = self.x0 if self.dim == 2 else np.array([self.x0[0], 0.0])
            names = _arrow_names(self._cls)
            ellipse = np.zeros(2) if (_adaptive(self._cls) and self.dim == 2) else None
            colors = [_ARROW_COLORS[n] for n in names]
            self.arrows = plots.state_arrows(ax, y0, dict.fromkeys(names, np.zeros(2)), ellipse=ellipse, colors=colors)
            self.arrows.pop("legend").set_zorder(8)
            self.arrow_note = ax.text(
                0.98,
                0.03,
                "",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=8,
                color=BLACK,
                zorder=9,
            )
            self.animate(*self.arrows.values(), self.arrow_note)
        vax = self.ax_value
        self._scale.setup(vax)
        vax.set_xlim(0, self.steps)
        vax.set_xlabel("step t")
        vax.set_title("value per step", fontsize=10)
        vax.grid(True, which="major", alpha=0.3)
        (self.value_line,) = vax.plot([], [], "-", color=BLUE, lw=1.6)
        (self.value_marker,) = vax.plot([], [], "o", color=BLUE, ms=5)
        self.animate(self.value_line, self.value_marker)
        self.on_click(ax, self._clicked)

    def _clicked(self, x, y):
        point = (x, y) if self.dim == 2 else (x,)
        with self.hold():
            for name, value in zip(self._start_names, point):
                widen_to(self.sliders[name], value)

    # -- hooks -----------------------------------------------------------------------------------------------

    def compute(self, values):
        self.x0 = np.array([values[n] for n in self._start_names], dtype=np.float64)
        self._states = []
        try:
            self.optimizer = _build(self._cls, self._base, {n: values[n] for n in self._hyper})
        except ValueError as err:
            self.optimizer, self.path, self.error = None, None, str(err)
            return
        self.error = None
        self.path = descend(self.objective, self.optimizer, self.x0, self.steps)

    def _state(self, k):
        """The optimizer state after k steps (recomputed lazily from the stored iterates)."""
        if not self._states:
            self._grads = self.objective.grad(self.path.xs)  # one vectorized call for every iterate
            self._states.append(self.optimizer.init(self.path.xs[0]))
        while len(self._states) <= k:
            i = len(self._states) - 1
            _, state = self.optimizer.step(self.path.xs[i], self._grads[i], self._states[i])
            self._states.append(state)
        return self._states[k]

    def draw(self, step):
        moving = [self.current, self.start, self.value_line, self.value_marker]
        moving += [self.line] if self.dim == 2 else [self.stairs[k] for k in ("points", "tangents", "moves", "drops")]
        if self.path is None:
            for artist in moving + list((self.arrows or {}).values()):
                artist.set_visible(False)
            _set_message(self.message, f"invalid setting: {self.error}")
            self.readout.value = _legend_html("invalid setting", [("", self.error)])
            return
        for artist in moving:
            artist.set_visible(True)
        path = self.path
        k = _shown(path, step)
        full = _shown(path, path.steps)
        xs = path.xs[: k + 1]
        if self.dim == 2:
            self.line.set_data(xs[:, 0], xs[:, 1])
            here = xs[-1]
            self.start.set_data([self.x0[0]], [self.x0[1]])
        else:
            x_span = np.diff(self.ax_map.get_xlim())[0]
            aspect = x_span / np.diff(self.ax_map.get_ylim())[0]
            points, tangents, moves, drops = plots.staircase_segments(
                self.objective, xs[:, 0], half_width=0.06 * x_span, aspect=aspect
            )
            self.stairs["points"].set_data(points[:, 0], points[:, 1])
            self.stairs["tangents"].set_segments(tangents)
            self.stairs["moves"].set_segments(moves)
            self.stairs["drops"].set_segments(drops)
            here = points[-1]
            self.start.set_data([points[0, 0]], [points[0, 1]])
        self.current.set_data([here[0]], [here[1]])
        shown = self._scale(path.values[: full + 1])
        self.value_line.set_data(np.arange(k + 1), shown[: k + 1])
        self.value_marker.set_data([k], [shown[k]])
        d = _divergence(path)
        if d is None:  # a diverging run may leave the view; the message says why
            self.expand_ylim(self.ax_value, shown.min(), shown.max())
        _set_message(self.message, None if d is None else f"diverged at step {d}: {_lr_text(self.optimizer)}")
        entries = [
            ("x", "(" + ", ".join(f"{v:.4g}" for v in path.xs[k]) + ")"),
            ("f(x)", f"{path.values[k]:.6g}"),
        ]
        if self.f_star is not None:
            entries.append(("f(x) − f*", _gap_text(path.values[k] - self.f_star, self._scale.floor)))
        if d is not None and k >= full:
            entries.append(("diverged at step", str(d)))
        self.readout.value = _legend_html(f"step {k}", entries)
        if self.arrows is not None:
            self._draw_arrows(path.xs[k], k, here)

    def describe(self):
        name = getattr(self.objective, "name", "f")
        settings = ", ".join(f"{n} = {self.values[n]:.3g}" for n in self._hyper)
        head = f"{self._cls.__name__} ({settings}) on {name} from {_point(self.x0)}"
        if self.path is None:
            return f"{head}: invalid setting ({self.error})."
        path, k = self.path, _shown(self.path, self.step)
        where = f"at step {k}, x = {_point(path.xs[k])}"
        if self.f_star is not None:
            where += f", f − f* = {_gap_text(path.values[k] - self.f_star, self._scale.floor)}"
        else:
            where += f", f = {float(path.values[k]):.4g}"
        verdict = _verdict(path, self.f_star, self._scale.floor)
        return f"{head}, {self.steps} steps: the run {verdict}. Shown {where}."

    def _draw_arrows(self, x, k, here):
        state = self._state(k)
        arrows, semi, _ = step_anatomy(self.optimizer, x, self._grads[k], state)
        if self.dim == 1:
            arrows = {n: np.array([v[0], 0.0]) for n, v in arrows.items()}
            semi = None
        else:
            semi = None if semi is None else np.asarray(semi, dtype=np.float64)
        x_span = np.diff(self.ax_map.get_xlim())[0]
        y_span = np.diff(self.ax_map.get_ylim())[0]
        sizes = [np.max(np.abs(v) / (x_span, y_span)) for v in arrows.values()]
        if semi is not None:
            sizes.append(np.max(semi / (x_span, y_span)))
        biggest = max([s for s in sizes if np.isfinite(s)], default=0.0)
        factor = 1.0
        if 0 < biggest < 0.03:
            raw = 0.12 / biggest
            exponent = 10 ** np.floor(np.log10(raw))
            factor = float(max(m for m in (1, 2, 5, 10) if m * exponent <= raw) * exponent)
        plots.set_state_arrows(self.arrows, here, arrows, scale=factor, ellipse=semi)
        for name, vec in arrows.items():
            if not np.any(vec):
                self.arrows[name].set_visible(False)
        self.arrow_note.set_text(f"arrows ×{factor:g}" if factor != 1 else "")


def descent_explorer(
    objective,
    optimizer="SGD",
    *,
    x0,
    steps=50,
    params=None,
    fixed=None,
    xlim=None,
    ylim=None,
    show_state=False,
    title=None,
    **kwargs,
):
    """Explore one optimizer on a 1-D or 2-D objective; returns a :class:`DescentExplorer` (an ipywidgets
    VBox).

    Parameters
    ----------
    objective : Objective
        1-D objectives show the tangent staircase; 2-D ones a contour map (click it to move the start).
    optimizer : str, class or instance
        A name from ``course_lib.optimizers`` ("SGD", "Adam", ...), a class, or an instance (its
        hyperparameters become the fixed ones).
    x0 : array_like
        The start (sliders let the learner move it).
    steps : int
        Steps per run; Play animates them.
    params : dict name -> (lo, hi, default[, "log"]), optional
        Hyperparameter sliders; default ``{"lr": (1e-3, 1.0, 0.1, "log")}``. ``beta1``/``beta2`` set one
        entry of Adam's ``betas``.
    fixed : dict, optional
        Other hyperparameters, fixed (e.g. ``{"momentum": 0.9}``).
    xlim, ylim : optional
        The window; by default it fits the start and the known minima. Zooming is kept across updates.
    show_state : bool
        Arrows at the current iterate: ``−lr·g``, momentum, the update, and for adaptive methods an ellipse of
        the per-axis scale ``lr/(√v+ε)``.
    title : str, optional
        Title of the map.
    **kwargs
        ``figsize``, ``dpi``, ``canvas`` for :class:`ExplorerBase`.
    """
    return DescentExplorer(
        objective,
        optimizer,
        x0=x0,
        steps=steps,
        params=params,
        fixed=fixed,
        xlim=xlim,
        ylim=ylim,
        show_state=show_state,
        title=title,
        **kwargs,
    )
