"""Interactive explorers: sliders and a Play control over a figure that is drawn once and then only updated.

In a notebook run ``%matplotlib widget`` (ipympl) first; the last expression of a cell displays an explorer::

    import course_lib as cl
    import course_lib.viz as viz
    ex = viz.descent_explorer(cl.surface("rosenbrock"), "Adam", x0=[-1.5, 2.0], steps=200)
    ex            # drag the sliders, click the map to move the start, press play; ex.path holds the run

How they stay smooth: the figure is built once (under ``plt.ioff()``, so it appears only inside the explorer);
contours, curves and labels are drawn once as a background, and every interaction only changes the data of the
moving artists (paths, markers, arrows, messages) and blits them on top. Zoom and pan are kept. Without ipympl
(tests, benchmarks, scripts) the same code runs on an Agg canvas and can be driven by setting slider values.

Compute stays in the computing layer (``cl.descend`` and the optimizers); explorers only call it and draw.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import io
import numbers
import warnings

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm, SymLogNorm
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Rectangle
from matplotlib.ticker import Locator, NullLocator

from .. import optimizers as _optimizers
from ..descent import Path, descend
from . import plots
from .plots import BLACK, BLUE, VERMILLION, YELLOW

__all__ = [
    "ExplorerBase",
    "DescentExplorer",
    "RaceExplorer",
    "SweepExplorer",
    "descent_explorer",
    "race_explorer",
    "sweep_explorer",
    "make_slider",
    "step_anatomy",
]

_WIDGET_BACKENDS = {"widget", "ipympl", "module://ipympl.backend_nbagg"}
_INLINE_BACKENDS = {"inline", "module://matplotlib_inline.backend_inline"}
_FLOOR = 1e-16  # gaps are floored at this fraction of the starting gap (round-off level)


# ----------------------------------------------------------------------------------------------------
# Canvas and sliders
# ----------------------------------------------------------------------------------------------------


def _canvas_mode(canvas):
    if canvas not in ("auto", "widget", "image", "agg"):
        raise ValueError(f"canvas: expected 'auto', 'widget', 'image' or 'agg', got {canvas!r}")
    if canvas != "auto":
        return canvas
    backend = str(matplotlib.get_backend()).lower()
    if backend in _WIDGET_BACKENDS:
        return "widget"
    if backend in _INLINE_BACKENDS:
        return "image"
    return "agg"


def _new_figure(figsize, dpi, mode):
    """A figure that pyplot does not manage (no global registry, never shown twice), on the right canvas."""
    import matplotlib.pyplot as plt

    with plt.ioff():
        fig = Figure(figsize=figsize or plots.FIGSIZE, dpi=dpi or plots.DPI, layout="constrained")
        if mode == "widget":
            from ipympl.backend_nbagg import Canvas, FigureManager

            with warnings.catch_warnings():
                # ipympl's toolbar hands its canvas on to traitlets, which calls that deprecated (not ours)
                warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
                canvas = Canvas(fig)
                FigureManager(canvas, 0)
            canvas.header_visible = False
            canvas.toolbar_position = "left"
        else:
            FigureCanvasAgg(fig)
    return fig


def make_slider(name, spec):
    """A widget from a slider spec ``(lo, hi, default)``, ``(lo, hi, default, "log")`` or ``(..., "int")``.

    A ``bool`` gives a checkbox; a ready ipywidgets value widget is returned as it is.
    """
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="330px")
    if isinstance(spec, widgets.ValueWidget):
        return spec
    if isinstance(spec, (bool, np.bool_)):
        return widgets.Checkbox(value=bool(spec), description=name, indent=False)
    try:
        lo, hi, default, *kind = spec
        lo, hi, default = float(lo), float(hi), float(default)
    except (TypeError, ValueError):
        raise ValueError(f"params[{name!r}]: expected (low, high, default[, 'log' | 'int']), got {spec!r}") from None
    kind = kind[0] if kind else "linear"
    if not (np.isfinite([lo, hi, default]).all() and lo < hi and lo <= default <= hi):
        raise ValueError(f"params[{name!r}]: expected finite low < high with low <= default <= high, got {spec!r}")
    if kind == "log":
        if lo <= 0:
            raise ValueError(f"params[{name!r}]: a log slider needs low > 0, got {spec!r}")
        a, b, d = np.log10(lo), np.log10(hi), np.log10(default)
        step = (b - a) / 200
        # Shift the grid of exponents so that the default is on it (the slider shows exactly that value).
        a = d - np.floor((d - a) / step + 1e-9) * step
        return widgets.FloatLogSlider(
            value=default,
            base=10,
            min=a,
            max=b,
            step=step,
            description=name,
            readout_format=".3g",
            style=style,
            layout=layout,
        )
    if kind == "int":
        return widgets.IntSlider(
            value=int(round(default)),
            min=int(np.ceil(lo)),
            max=int(np.floor(hi)),
            description=name,
            style=style,
            layout=layout,
        )
    if kind != "linear":
        raise ValueError(f"params[{name!r}]: the fourth entry must be 'log' or 'int', got {kind!r}")
    # A round step, and a grid of its multiples, so that round defaults (0.9, -1.2, 2.0) are shown exactly.
    raw = (hi - lo) / 200
    step = min(m * 10.0 ** np.floor(np.log10(raw)) for m in (1, 2, 5, 10) if m * 10.0 ** np.floor(np.log10(raw)) >= raw)
    lo_grid = np.floor(lo / step + 1e-9) * step
    return widgets.FloatSlider(
        value=default,
        min=lo_grid if lo_grid >= lo - step else lo,
        max=hi,
        step=step,
        description=name,
        readout_format=".3g",
        style=style,
        layout=layout,
    )


# ----------------------------------------------------------------------------------------------------
# The base class
# ----------------------------------------------------------------------------------------------------


class ExplorerBase(widgets.VBox):
    """Base of every explorer: sliders from specs, a Play control, the canvas, and blitting.

    A subclass implements three hooks; the base class calls them and keeps the figure fast:

    - ``setup()``: build axes and artists once on ``self.fig``; pass every artist that will move to
      ``self.animate(...)`` (they are then drawn on top of a cached background, never re-plotted).
    - ``compute(values)``: ``values`` maps slider names to their values; compute and store results.
    - ``draw(step)``: move the animated artists (``set_data``, ``set_offsets``, ...) to show ``step``.

    After ``compute`` and ``draw`` the base class blits; call ``self.invalidate()`` in ``draw`` when something
    static changed and a full redraw is needed. Helpers: ``self.values`` and ``self.step`` (current slider
    values), ``self.readout`` (an HTML line under the figure, cheap to update every frame),
    ``on_click(ax, fn)`` and ``click(ax, x, y)``, ``expand_ylim(ax, lo, hi)``, ``hold()`` (several slider
    changes, one update).
    The figure is laid out once after ``setup`` (constrained layout), then positions stay fixed.
    Example, a 10-line explorer of gradient descent with noisy gradients::

        class NoisyDescent(viz.ExplorerBase):
            def __init__(self, f, x0, steps=100):
                self.f, self.x0 = f, np.asarray(x0, float)
                super().__init__({"lr": (1e-3, 1, 0.05, "log"), "noise": (0, 3, 1)}, steps=steps)
            def setup(self):
                ax = self.fig.add_subplot()
                viz.contour(ax, self.f, *viz.auto_limits(self.x0, include=self.f.minima))
                (self.line,) = self.animate(*viz.draw_paths(ax, self.x0[None]))
            def compute(self, v):
                noisy = lambda x, t, rng: self.f.grad(x) + v["noise"] * rng.standard_normal(x.shape)
                self.path = cl.descend(self.f, cl.optimizers.SGD(lr=v["lr"]), self.x0, self.steps,
                                       grad_fn=noisy, rng=0)
            def draw(self, step):
                self.line.set_data(*self.path.xs[: step + 1].T)

    Parameters
    ----------
    params : dict name -> spec, optional
        Slider specs for :func:`make_slider`; they become ``self.sliders``.
    steps : int
        With ``steps > 0`` a Play control and a ``step`` slider (``self.sliders["step"]``) animate 0..steps.
    figsize, dpi : optional
        Defaults :data:`plots.FIGSIZE`, :data:`plots.DPI`.
    canvas : "auto", "widget", "image" or "agg"
        "auto" picks the ipympl canvas under ``%matplotlib widget``, a refreshed PNG image under the inline
        backend, and a plain Agg canvas elsewhere (tests, scripts).
    """

    def __init__(self, params=None, *, steps=0, figsize=None, dpi=None, canvas="auto"):
        super().__init__()
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
            raise ValueError(f"steps: expected a whole number >= 0, got {steps!r}")
        self.steps = int(steps)
        self._mode = _canvas_mode(canvas)
        self.fig = _new_figure(figsize, dpi, self._mode)
        self._animated = []
        self._background = None
        self._background_key = None
        self._hold = 0
        self._pending = False
        self._ylims = {}
        self._drawn = False
        self._needs_full = False
        #: A line of text under the figure (current values), cheap to update at every frame.
        self.readout = widgets.HTML(layout=widgets.Layout(min_height="1.6em"))
        self.sliders = {name: make_slider(name, spec) for name, spec in (params or {}).items()}
        self.play = None
        if self.steps:
            self.play = widgets.Play(
                value=self.steps,
                min=0,
                max=self.steps,
                step=1,
                interval=max(60, min(250, 6000 // self.steps)),
                description="play",
                show_repeat=False,
            )
            step = widgets.IntSlider(
                value=self.steps,
                min=0,
                max=self.steps,
                description="step",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="330px"),
            )
            widgets.jslink((self.play, "value"), (step, "value"))
            self.sliders["step"] = step
        with np.errstate(all="ignore"):
            self.setup()
            # The first data goes in before the layout is frozen, so tick labels that only data brings (a log
            # axis's exponents, the last epoch at the right edge) are given their room.
            self.compute(self.values)
            self.draw(self.step)
        self._freeze_layout()
        self.fig.canvas.mpl_connect("draw_event", self._on_draw)
        for slider in self.sliders.values():
            slider.observe(self._on_value, names="value")
        self.refresh()  # the artists hold the first frame already
        self.children = self._layout()

    # -- hooks -----------------------------------------------------------------------------------------------

    def setup(self):
        """Build axes and artists on ``self.fig`` (called once)."""

    def compute(self, values):
        """Recompute results from ``values`` (slider name -> value)."""

    def draw(self, step):
        """Update the animated artists to show ``step`` (the Play position, else ``self.steps``)."""

    # -- public helpers --------------------------------------------------------------------------------------

    @property
    def values(self):
        """The current slider values (without the step slider)."""
        return {name: s.value for name, s in self.sliders.items() if name != "step"}

    @property
    def step(self):
        """The step shown (the Play/step slider position, or ``steps`` without one)."""
        return self.sliders["step"].value if "step" in self.sliders else self.steps

    def update(self):
        """Recompute from the sliders and redraw."""
        with np.errstate(all="ignore"):
            self.compute(self.values)
        self.redraw()

    def redraw(self):
        """Redraw the moving artists for the current step (no recompute)."""
        with np.errstate(all="ignore"):
            self.draw(self.step)
        self.refresh()

    def animate(self, *artists):
        """Mark artists as moving: left out of the background, drawn on top at every update. Returns them."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        return artists

    def invalidate(self):
        """Ask for a full redraw at the next refresh (after changing something static such as axis limits)."""
        self._needs_full = True

    @contextlib.contextmanager
    def hold(self):
        """Change several sliders at once with a single recompute at the end."""
        self._hold += 1
        try:
            yield self
        finally:
            self._hold -= 1
            if not self._hold and self._pending:
                self._pending = False
                self.update()

    def on_click(self, ax, callback):
        """Call ``callback(x, y)`` (data coordinates) on a left click in ``ax``, unless pan/zoom is active."""

        def handler(event):
            if event.inaxes is not ax or event.button != 1 or event.xdata is None or event.ydata is None:
                return
            toolbar = getattr(self.fig.canvas, "toolbar", None)
            if toolbar is not None and str(getattr(toolbar, "mode", "")):
                return
            callback(float(event.xdata), float(event.ydata))

        return self.fig.canvas.mpl_connect("button_press_event", handler)

    def click(self, ax, x, y):
        """Simulate a learner's left click at data coordinates ``(x, y)`` of ``ax`` (for scripts and
        tests)."""
        from matplotlib.backend_bases import MouseButton, MouseEvent

        px, py = ax.transData.transform((x, y))
        MouseEvent("button_press_event", self.fig.canvas, px, py, button=MouseButton.LEFT)._process()

    def expand_ylim(self, ax, lo, hi, *, margin=1.0):
        """Widen ``ax``'s y-limits to include ``[lo, hi]`` plus ``margin`` (in scale units: decades on a log
        axis; a fraction of the span on a linear one). Never shrinks, so runs stay comparable on one
        scale, and
        leaves a view the user zoomed alone. A change costs one full redraw. Returns True if changed."""
        current = ax.get_ylim()
        last = self._ylims.get(id(ax), current)
        if not np.allclose(current, last, rtol=1e-9, atol=0):
            return False
        forward, inverse = _scale_functions(ax)
        with np.errstate(all="ignore"):
            a, b = sorted(forward([lo, hi]))
            ca, cb = sorted(forward(current))
        self._ylims[id(ax)] = current
        if not (np.isfinite(a) and np.isfinite(b)) or (a >= ca and b <= cb):
            return False
        if ax.get_yscale() != "log":  # linear or symlog: a margin proportional to the span
            margin = margin * 0.05 * max(b - a, cb - ca)
        na, nb = min(ca, a - margin), max(cb, b + margin)
        if ax.get_yscale() == "log":
            na, nb = np.floor(na), np.ceil(nb)
        with np.errstate(all="ignore"):
            new = tuple(inverse([na, nb]))
        if not np.isfinite(new).all():
            return False
        ax.set_ylim(new)
        self._ylims[id(ax)] = ax.get_ylim()
        self.invalidate()
        return True

    def close(self):
        """Close the widgets (and the canvas)."""
        parts = [
            *getattr(self, "sliders", {}).values(),
            getattr(self, "play", None),
            getattr(self, "readout", None),
        ]
        parts.append(getattr(self, "_view", None))
        fig = getattr(self, "fig", None)
        if fig is not None and isinstance(fig.canvas, widgets.Widget):
            parts.append(fig.canvas)
        for w in parts:
            if w is not None:
                w.close()
        super().close()

    # -- machinery -------------------------------------------------------------------------------------------

    def _layout(self):
        hyper = [s for name, s in self.sliders.items() if name != "step"]
        rows = []
        if hyper:
            rows.append(widgets.GridBox(hyper, layout=widgets.Layout(grid_template_columns="repeat(2, 340px)")))
        if self.play is not None:
            rows.append(widgets.HBox([self.play, self.sliders["step"]]))
        if self._mode == "widget":
            rows.append(self.fig.canvas)
        elif self._mode == "image":
            rows.append(self._view)
        rows.append(self.readout)
        return rows

    def _on_value(self, change):
        if self._hold:
            self._pending = True
        elif change["owner"] is self.sliders.get("step"):
            self.redraw()
        else:
            self.update()

    def _key(self):
        return (tuple(self.fig.bbox.bounds), tuple(tuple(ax.viewLim.bounds) for ax in self.fig.axes))

    def _full_frames(self):
        """Send the browser whole frames, never differences. ipympl's front end keeps only the newest frame
        that arrived while the previous one was still loading, so a lost difference frame (after a quick
        burst of slider changes) would leave stale pixels on screen until the next full redraw."""
        if self._mode == "widget":
            self.fig.canvas._force_full = True  # matplotlib's web canvas: the next frame is complete

    def _on_draw(self, event):
        canvas = self.fig.canvas
        if canvas.is_saving():
            return  # savefig draws animated artists itself
        self._full_frames()
        renderer = event.renderer
        if renderer is getattr(canvas, "renderer", None):
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = self._key()
        with np.errstate(all="ignore"):
            for artist in self._animated:
                artist.draw(renderer)

    def refresh(self):
        """Put the current state on screen: blit onto the cached background, or a full redraw when needed."""
        with np.errstate(all="ignore"):
            self._refresh()

    def _refresh(self):
        canvas = self.fig.canvas
        full = self._needs_full or self._background is None or self._background_key != self._key()
        self._needs_full = False
        if full:
            self._background = None
            if self._mode == "widget" and self._drawn:
                canvas.draw_idle()  # the browser asks for the draw when it is ready
            else:
                # The first draw is synchronous: it caches the background. Agg only: an ipympl draw before
                # the browser shows the canvas leaves it blank (0x0) in JupyterLab. An ipympl canvas keeps a
                # PNG of it as a data URL, which is what a saved notebook shows where no kernel is running.
                FigureCanvasAgg.draw(canvas)
                if self._mode == "widget":
                    import base64

                    from PIL import Image

                    with io.BytesIO() as png:
                        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(png, format="png")
                        encoded = base64.b64encode(png.getvalue()).decode()
                    canvas._data_url = "data:image/png;base64," + encoded
                self._drawn = True
        else:
            canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in self._animated:
                artist.draw(renderer)
            self._full_frames()
            canvas.blit(self.fig.bbox)
        if self._mode == "image":
            self._push_image()

    def _push_image(self):
        from PIL import Image

        if not hasattr(self, "_view"):
            w, h = self.fig.bbox.size
            self._view = widgets.Image(format="png", layout=widgets.Layout(width=f"{int(w)}px", height=f"{int(h)}px"))
        pixels = np.asarray(self.fig.canvas.get_renderer().buffer_rgba())
        with io.BytesIO() as buffer:
            Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
            self._view.value = buffer.getvalue()

    def _freeze_layout(self):
        """Lay the figure out once (constrained layout), then keep the positions fixed: fast redraws."""
        engine = self.fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            engine.execute(self.fig)
            self.fig.set_layout_engine("none")


def _scale_functions(ax):
    """(forward, inverse) of ``ax``'s y scale, e.g. log10 and 10**x for a log axis."""
    scale = ax.get_yscale()
    if scale == "linear":
        return (lambda v: np.asarray(v, dtype=np.float64)), (lambda v: np.asarray(v, dtype=np.float64))
    if scale == "log":
        return (lambda v: np.log10(np.asarray(v, dtype=np.float64))), (lambda v: 10.0 ** np.asarray(v))
    transform = ax.yaxis.get_transform()
    inverted = transform.inverted()
    return (
        lambda v: transform.transform(np.reshape(np.asarray(v, dtype=np.float64), (-1, 1))).ravel(),
        lambda v: inverted.transform(np.reshape(np.asarray(v, dtype=np.float64), (-1, 1))).ravel(),
    )


# ----------------------------------------------------------------------------------------------------
# Shared pieces: optimizers, starts, windows, values
# ----------------------------------------------------------------------------------------------------

_BETAS = {"beta1": 0, "beta2": 1}


def _optimizer_spec(optimizer, name="optimizer"):
    """(class, base hyperparameters) from a class name, a class or an instance."""
    if isinstance(optimizer, str):
        cls = getattr(_optimizers, optimizer, None)
        if not (isinstance(cls, type) and hasattr(cls, "step") and hasattr(cls, "init")):
            known = [n for n in getattr(_optimizers, "__all__", []) if isinstance(getattr(_optimizers, n), type)]
            known = [n for n in known if hasattr(getattr(_optimizers, n), "step")]
            raise ValueError(f"{name}: unknown optimizer {optimizer!r}; available: {', '.join(known)}")
        return cls, {}
    if isinstance(optimizer, type):
        if not (hasattr(optimizer, "step") and hasattr(optimizer, "init") and dataclasses.is_dataclass(optimizer)):
            raise ValueError(f"{name}: expected an optimizer class with init/step, got {optimizer!r}")
        return optimizer, {}
    if hasattr(optimizer, "step") and hasattr(optimizer, "init") and dataclasses.is_dataclass(optimizer):
        return type(optimizer), dict(optimizer.hyperparameters)
    raise ValueError(f"{name}: expected an optimizer name, class or instance, got {optimizer!r}")


def _fields(cls):
    return {f.name: f for f in dataclasses.fields(cls)}


def _check_names(cls, names, parameter):
    fields = _fields(cls)
    for n in names:
        if n in _BETAS and "betas" in fields:
            continue
        if n not in fields:
            raise ValueError(
                f"{parameter}: {cls.__name__} has no hyperparameter {n!r}; it has {', '.join(fields)}"
                + (" (and beta1, beta2)" if "betas" in fields else "")
            )


def _build(cls, base, changes):
    """``cls(**base, **changes)`` where ``beta1``/``beta2`` set one entry of ``betas``."""
    kwargs = dict(base)
    betas = None
    for name, value in changes.items():
        if name in _BETAS:
            if betas is None:
                default = kwargs.get("betas", _fields(cls)["betas"].default)
                betas = list(default)
            betas[_BETAS[name]] = value
        else:
            kwargs[name] = value
    if betas is not None:
        kwargs["betas"] = tuple(betas)
    return cls(**kwargs)


def _start(x0, dim, name="x0"):
    try:
        x = np.array(x0, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {dim} number(s), got {x0!r}") from None
    if x.size != dim:
        raise ValueError(f"{name}: the objective has dimension {dim}, but {name} has {x.size} coordinate(s)")
    if not np.isfinite(x).all():
        raise ValueError(f"{name}: every coordinate must be finite, got {x0!r}")
    return x


def _minima(objective):
    m = np.asarray(getattr(objective, "minima", np.empty((0, objective.dim))), dtype=np.float64)
    return m.reshape(-1, objective.dim)


def _window(objective, x0, xlim, ylim):
    """The plotting window: given limits, else a window around the start and the known minima."""
    minima = _minima(objective)
    include = minima if minima.size else -x0[None, :]  # no minimum known: centre the window on the origin
    auto_x, auto_y = plots.auto_limits(x0[None, :], include=include, margin=0.25, min_aspect=0.8)
    xlim = plots._limits("xlim", xlim) if xlim is not None else auto_x
    if objective.dim == 1:
        if ylim is not None:
            return xlim, plots._limits("ylim", ylim)
        # the values between the start and the minima set the height; the curve may leave the view beyond them
        points = np.concatenate([x0, minima.ravel()])
        lo, hi = (points.min(), points.max()) if np.ptp(points) > 0 else xlim
        grid = np.linspace(max(lo, xlim[0]), min(hi, xlim[1]), 200)
        return xlim, plots._pad(plots._values(objective, grid[:, None]).compressed(), 0.15)
    return xlim, (plots._limits("ylim", ylim) if ylim is not None else auto_y)


def _start_specs(objective, x0, xlim, ylim):
    specs = {}
    for i, (var, lim) in enumerate(zip(plots._names(objective), (xlim, ylim))):
        lo, hi = min(lim[0], x0[i]), max(lim[1], x0[i])
        specs[f"{var}0"] = (lo, hi, x0[i])
    return specs


class _SymlogTicks(Locator):
    """Ticks for a symlog axis: 0 and signed powers of ten outside the linear band, at most ``n`` of them."""

    def __init__(self, linthresh, n=7):
        self.linthresh, self.n = linthresh, n

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((vmin, vmax))
        first = int(np.ceil(np.log10(self.linthresh * 10)))
        top = int(np.floor(np.log10(max(abs(vmin), abs(vmax), self.linthresh * 10))))
        powers = 10.0 ** np.arange(first, top + 1)
        ticks = np.concatenate([-powers[::-1], [0.0], powers])
        ticks = ticks[(ticks >= vmin) & (ticks <= vmax)]
        stride = max(1, int(np.ceil(len(ticks) / self.n)))
        zero = int(np.argmin(np.abs(ticks))) if ticks.size else 0
        return ticks[(np.arange(ticks.size) - zero) % stride == 0]


class _ValueScale:
    """How values are shown: the gap f - f* on a log axis when a minimum is known, else f on a symlog axis."""

    def __init__(self, objective, x0):
        self.f_star = plots.f_star(objective)
        with np.errstate(all="ignore"):
            f0 = float(np.asarray(objective.value(x0[None, :])).reshape(-1)[0])
        f0 = f0 if np.isfinite(f0) else 1.0
        if self.f_star is not None:
            gap0 = abs(f0 - self.f_star)
            self.floor = max(gap0, 1.0) * _FLOOR
            # One scale for every run, so runs compare: 8 decades below the starting gap to 100x above it.
            # expand_ylim widens it (never shrinks) when a run goes further, down to the round-off floor.
            top = np.ceil(np.log10(max(gap0, self.floor * 1e6)))
            self.ylim = (10 ** max(top - 8, np.floor(np.log10(self.floor))), 10 ** (top + 2))
            self.label = "f(x_t) − f*  (log scale)"
        else:
            size = max(abs(f0), 1e-8)
            self.linthresh = size * 0.1
            self.ylim = (-10 * size, 10 * size)
            self.label = "f(x_t)  (symlog scale)"

    def setup(self, ax):
        if self.f_star is not None:
            ax.set_yscale("log")
        else:
            ax.set_yscale("symlog", linthresh=self.linthresh)
            ax.yaxis.set_major_locator(_SymlogTicks(self.linthresh))
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(self.ylim)
        ax.set_ylabel(self.label)

    def __call__(self, values):
        values = np.asarray(values, dtype=np.float64)
        if self.f_star is None:
            return values
        with np.errstate(all="ignore"):
            return np.maximum(values - self.f_star, self.floor)

    def norm(self, data, start):
        """A colour scale for shown values ``data``: from the best value to ten times the starting one."""
        data = np.asarray(data, dtype=np.float64)
        data = data[np.isfinite(data)]
        start = float(np.max(np.asarray(start, dtype=np.float64)))
        if self.f_star is not None:
            hi = max(start * 10, self.floor * 10)
            lo = min(max(data.min(), hi * 1e-16), hi / 10) if data.size else self.floor
            return LogNorm(vmin=lo, vmax=hi, clip=True)
        lo, hi = (data.min(), max(data.max(), start)) if data.size else (-1.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 1.0, hi + 1.0
        return SymLogNorm(linthresh=self.linthresh, vmin=lo, vmax=hi, clip=True)


def _shown(path, step):
    """Index of the last iterate to show at ``step``: a diverged run stops at its last good point."""
    k = min(int(step), path.steps)
    if bool(np.asarray(path.diverged)):
        k = min(k, max(int(path.diverged_at) - 1, 0))
    return k


def _divergence(path):
    return int(path.diverged_at) if bool(np.asarray(path.diverged)) else None


def _lr_text(optimizer):
    lr = getattr(optimizer, "lr", None)
    return f"lr = {float(lr):.3g} too large" if lr is not None and np.ndim(lr) == 0 else "steps too large"


def _message(ax):
    return ax.text(
        0.02,
        0.97,
        "",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=9,
        color=VERMILLION,
        fontweight="bold",
        zorder=10,
        visible=False,
        bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=VERMILLION, alpha=0.92),
    )


def _set_message(text_artist, text):
    text_artist.set_text(text or "")
    text_artist.set_visible(bool(text))


def _curve_points(objective, xs):
    """(x, f(x)) pairs for drawing a 1-D path on the curve."""
    with np.errstate(all="ignore"):
        f = np.asarray(objective.value(xs.reshape(-1, 1)), dtype=np.float64).reshape(-1)
    return xs.reshape(-1), f


# ----------------------------------------------------------------------------------------------------
# Why a method moves where it does
# ----------------------------------------------------------------------------------------------------

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
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"steps: expected a whole number >= 1, got {steps!r}")
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
                slider = self.sliders[name]
                slider.min, slider.max = min(slider.min, value), max(slider.max, value)
                slider.value = value

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
            entries.append(("f(x) − f*", f"{path.values[k] - self.f_star:.3g}"))
        if d is not None and k >= full:
            entries.append(("diverged at step", str(d)))
        self.readout.value = _legend_html(f"step {k}", entries)
        if self.arrows is not None:
            self._draw_arrows(path.xs[k], k, here)

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


# ----------------------------------------------------------------------------------------------------
# race_explorer
# ----------------------------------------------------------------------------------------------------


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
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"steps: expected a whole number >= 1, got {steps!r}")
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
        colors = plots._colors(len(self._base))
        if self.dim == 2:
            plots.contour(ax, self.objective, self.xlim, self.ylim)
        else:
            plots.function_curve(ax, self.objective, self.xlim, ylim=self.ylim)
        ax.set_title(f"race on {getattr(self.objective, 'name', 'f')}", fontsize=10)
        self.lines, self.heads, self.value_lines = {}, {}, {}
        for (label, _), color in zip(self._base.items(), colors):
            (self.lines[label],) = ax.plot([], [], "-o", color=color, lw=1.5, ms=2.8, mec="white", mew=0.3, zorder=4)
            (self.heads[label],) = ax.plot([], [], "o", color=color, ms=8, mec=BLACK, mew=1.0, zorder=6)
            (self.value_lines[label],) = vax.plot([], [], "-", color=color, lw=1.5, label=label)
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
        self.animate(*self.lines.values(), *self.heads.values(), *self.value_lines.values(), self.start, self.message)
        self.on_click(ax, self._clicked)

    def _clicked(self, x, y):
        with self.hold():
            for name, value in zip(self._start_names, (x, y) if self.dim == 2 else (x,)):
                slider = self.sliders[name]
                slider.min, slider.max = min(slider.min, value), max(slider.max, value)
                slider.value = value

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
        self.readout.value = _legend_html(f"step {min(int(step), self.steps)}", entries, self._colors)
        if np.isfinite(lo):
            self.expand_ylim(self.ax_value, lo, hi)
        _set_message(self.message, ("diverged: " + ", ".join(notes) + "\n(lr too large)") if notes else None)


def _legend_html(title, entries, colors=None):
    """A one-line legend: (a coloured square,) the label and its current value for every entry."""
    colors = colors or {}
    items = "".join(
        '<span style="margin-right:1.2em;white-space:nowrap">'
        + (f'<span style="color:{colors[label]}">&#9632;</span> ' if label in colors else "")
        + f"{html.escape(label)}: <b>{html.escape(text)}</b></span>"
        for label, text in entries
    )
    style = "font-family:monospace;font-size:12px;line-height:1.5"
    return f'<div style="{style}">{html.escape(title)} &nbsp; {items}</div>'


def race_explorer(objective, optimizers, *, x0, steps=200, xlim=None, ylim=None, params=None, **kwargs):
    """Race several optimizers from one start; returns a :class:`RaceExplorer` (an ipywidgets VBox).

    ``optimizers``: dict label -> optimizer instance (or a list; labels are the class names). Each gets a
    log-scale ``"<label>: lr"`` slider around its own lr (``params={label: {name: spec}}`` to choose other
    sliders). The start moves with the ``x0``/``y0`` sliders or a click on the map; Play animates all runs
    together and the legend shows each one's current value. ``**kwargs``: ``figsize``, ``dpi``, ``canvas``.
    """
    return RaceExplorer(objective, optimizers, x0=x0, steps=steps, params=params, xlim=xlim, ylim=ylim, **kwargs)


# ----------------------------------------------------------------------------------------------------
# sweep_explorer
# ----------------------------------------------------------------------------------------------------


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
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
            raise ValueError(f"steps: expected a whole number >= 1, got {steps!r}")
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
        hax.set_title(f"after step t (grey: diverged); {self.x_values.size}×{self.y_values.size} runs", fontsize=9)
        if self.best is not None:
            i, j = self.best
            hax.plot([self.x_values[j]], [self.y_values[i]], "*", color=BLACK, mfc=YELLOW, ms=11, zorder=5)
        self.box = hax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=VERMILLION, lw=2.2, zorder=6))
        self.animate(self.line, self.head, self.message, ax.title, self.mesh, self.box)
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

    def draw(self, step):
        self.mesh.set_array(self._cells(step))
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
    to the minimum after each step (Play animates it); grey cells diverged. Click a cell (or call
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
