"""Interactive explorers: sliders and a Play control over a figure that is drawn once and then only updated.

In a notebook run ``%matplotlib widget`` (ipympl) first; the last expression of a cell displays an explorer::

    import course_lib as cl
    import course_lib.viz as viz
    ex = viz.descent_explorer(cl.surface("rosenbrock"), "Adam", x0=[-1.5, 2.0], steps=200)
    ex            # drag the sliders, click the map to move the start, press play; ex.path holds the run

How they stay smooth: the figure is built once (under ``plt.ioff()``, so it appears only inside the explorer);
contours, curves and labels are drawn once as a background, and every interaction only changes the data of the
moving artists (paths, markers, arrows, messages) and blits them on top. The browser receives only the pixels
that changed (see ``explorers_frames``). Zoom and pan are kept. Without ipympl (tests, benchmarks, scripts) the
same code runs on an Agg canvas and can be driven by setting slider values.

This module gathers the families, one module each over a shared base:

- ``explorers_base``: :class:`ExplorerBase` (sliders, Play, canvas, blitting, the text description);
  ``explorers_sliders``: :func:`make_slider`; ``explorers_frames``: what is sent to the browser;
  ``explorers_access``: keyboard and screen-reader support in the browser;
- ``explorers_descent``: :func:`descent_explorer`, :func:`step_anatomy`;
- ``explorers_race``: :func:`race_explorer`; ``explorers_sweep``: :func:`sweep_explorer`;
- ``explorers_common``: the pieces they share (optimizer specs, windows, the value scale, messages).

Compute stays in the computing layer (``cl.descend`` and the optimizers); explorers only call it and draw.
"""

from __future__ import annotations

from .explorers_base import ExplorerBase
from .explorers_common import (
    _BETAS,
    _FLOOR,
    _build,
    _check_names,
    _curve_points,
    _divergence,
    _fields,
    _gap_text,
    _legend_html,
    _lr_text,
    _message,
    _minima,
    _optimizer_spec,
    _point,
    _scale_functions,
    _set_message,
    _shown,
    _start,
    _start_specs,
    _SymlogTicks,
    _ValueScale,
    _verdict,
    _window,
)
from .explorers_descent import DescentExplorer, descent_explorer, step_anatomy
from .explorers_race import RaceExplorer, race_explorer
from .explorers_sliders import make_slider
from .explorers_sweep import SweepExplorer, sweep_explorer

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

# Names kept importable from here for the chapters' own explorer modules.
_SHARED = (
    _BETAS,
    _FLOOR,
    _build,
    _check_names,
    _curve_points,
    _divergence,
    _fields,
    _gap_text,
    _legend_html,
    _lr_text,
    _message,
    _minima,
    _optimizer_spec,
    _point,
    _scale_functions,
    _set_message,
    _shown,
    _start,
    _start_specs,
    _SymlogTicks,
    _ValueScale,
    _verdict,
    _window,
)
