"""The shared base of every explorer: sliders, a Play control, the canvas, blitting and the frames sent to the
browser, the text description beside the figure, and keyboard and screen-reader support.

See :class:`ExplorerBase`; the explorer families live in ``explorers_descent``, ``explorers_race``,
``explorers_sweep`` and the chapters' own modules.
"""

from __future__ import annotations

import contextlib
import html
import numbers
import os

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import ConstrainedLayoutEngine

from .explorers_common import _expand_ylim
from .explorers_frames import _canvas_mode, _new_figure, data_url, png_bytes
from .explorers_sliders import make_slider

__all__ = ["ExplorerBase", "make_slider"]

#: How frames reach the browser (see explorers_frames); the benchmark compares the designs.
FRAMES = os.environ.get("COURSE_EXPLORER_FRAMES", "robust")


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
    ``describe()`` (optional) returns one or two plain sentences on the current state (method, settings, where
    the run ends, whether it converges, diverges or oscillates); they are shown beside the figure in
    ``self.summary`` and read out by screen readers once a change settles. The default names the figure and
    the slider settings.
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
        self.fig = _new_figure(figsize, dpi, self._mode, FRAMES)
        self._animated = []
        self._layers = []  # the moving artists in drawing order (set after setup)
        self._background = None
        self._background_key = None
        self._hold = 0
        self._pending = False
        self._ylims = {}
        self._drawn = False
        self._needs_full = False
        #: A line of text under the figure (current values), cheap to update at every frame.
        self.readout = widgets.HTML(layout=widgets.Layout(min_height="1.6em"))
        #: The text description of the figure's current state (see ``describe``), beside the figure.
        self.summary = widgets.HTML(layout=widgets.Layout(min_height="1.6em", max_width="760px"))
        self.summary.add_class("course-explorer-status")
        self.add_class("course-explorer")
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
                tooltip="play (animate the run step by step)",
            )
            step = widgets.IntSlider(
                value=self.steps,
                min=0,
                max=self.steps,
                description="step",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="330px"),
                tooltip="step (the step shown)",
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
        self._order_layers()
        self.fig.canvas.mpl_connect("draw_event", self._on_draw)
        for slider in self.sliders.values():
            slider.observe(self._on_value, names="value")
        self.refresh()  # the artists hold the first frame already
        self._describe()
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
        self._describe()

    def describe(self):
        """One or two sentences on the current state, shown beside the figure and read out by screen
        readers (override in an explorer; the default names the figure and the settings)."""
        titles = [ax.get_title() for ax in self.fig.axes if ax.get_title()]
        settings = ", ".join(f"{name} = {_shown_value(s.value)}" for name, s in self.sliders.items())
        what = "; ".join(titles) if titles else type(self).__name__
        return f"{what}. Settings: {settings}." if settings else f"{what}."

    def _describe(self):
        try:
            with np.errstate(all="ignore"):
                text = self.describe()
        except Exception as err:  # the description must never break the figure
            text = f"(no description: {type(err).__name__})"
        value = f'<div style="font-size:12px;line-height:1.4">{html.escape(str(text or ""))}</div>'
        if self.summary.value != value:
            self.summary.value = value

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
        scale, and leaves a view the user zoomed alone. A change costs one full redraw. Returns True if changed."""
        if _expand_ylim(ax, lo, hi, margin, self._ylims):
            self.invalidate()
            return True
        return False

    def close(self):
        """Close the widgets (and the canvas)."""
        parts = [
            *getattr(self, "sliders", {}).values(),
            getattr(self, "play", None),
            getattr(self, "readout", None),
            getattr(self, "summary", None),
            getattr(self, "_access", None),
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
        rows.append(self.summary)
        if self._mode == "widget":
            from .explorers_access import AccessBridge

            label = "; ".join(ax.get_title() for ax in self.fig.axes if ax.get_title()) or "figure"
            self._access = AccessBridge(figure_label=label)
            rows.append(self._access)
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

    def _on_draw(self, event):
        canvas = self.fig.canvas
        if canvas.is_saving():
            return  # savefig draws animated artists itself
        renderer = event.renderer
        if renderer is getattr(canvas, "renderer", None):
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = self._key()
        with np.errstate(all="ignore"):
            for artist in self._layers:
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
                    canvas._data_url = data_url(canvas)
                self._drawn = True
        else:
            canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in self._layers:
                artist.draw(renderer)
            canvas.blit(self.fig.bbox)
        if self._mode == "image":
            self._push_image()

    def _push_image(self):
        if not hasattr(self, "_view"):
            w, h = self.fig.bbox.size
            self._view = widgets.Image(format="png", layout=widgets.Layout(width=f"{int(w)}px", height=f"{int(h)}px"))
        self._view.value = png_bytes(self.fig.canvas)

    def _order_layers(self):
        """Make the blitted figure equal, pixel for pixel, to a full redraw (what a saved or exported figure
        shows). Blitting draws the moving artists over a background of the static ones, so a static artist
        meant to lie above a moving one (a legend, the start marker, the best cell's star) would be covered:
        such artists are redrawn on top at every frame, in z-order. Spines and axes (ticks, labels) stay in
        the background and the moving artists are lifted just above them, as blitting draws them anyway."""
        from matplotlib.axis import Axis
        from matplotlib.spines import Spine

        animated = set(map(id, self._animated))
        for ax in self.fig.axes:
            moving = [a for a in self._animated if a.axes is ax]
            if not moving:
                continue
            children = ax.get_children()
            frame = [c for c in children if isinstance(c, (Spine, Axis))]
            top = max((c.get_zorder() for c in frame), default=-np.inf)
            for artist in moving:
                if artist.get_zorder() <= top:
                    artist.set_zorder(top + 0.01 + 1e-3 * artist.get_zorder())
            lowest = min(a.get_zorder() for a in moving)
            for child in children:
                if id(child) in animated or child is ax.patch or child in frame:
                    continue
                if child.get_zorder() >= lowest:
                    child.set_animated(True)
                    self._animated.append(child)
                    animated.add(id(child))
        axes_rank = {id(ax): i for i, ax in enumerate(self.fig.axes)}
        order = {id(a): i for i, a in enumerate(self._animated)}
        self._layers = sorted(
            self._animated,
            key=lambda a: (axes_rank.get(id(a.axes), -1), a.get_zorder(), order[id(a)]),
        )

    def _freeze_layout(self):
        """Lay the figure out once (constrained layout), then keep the positions fixed: fast redraws."""
        engine = self.fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            engine.execute(self.fig)
            self.fig.set_layout_engine("none")


def _shown_value(value):
    """A slider value as its readout shows it."""
    if isinstance(value, (bool, np.bool_)):
        return "on" if value else "off"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    return str(value)
