"""Figures and widgets for the course: ``import course_lib.viz as viz``.

``plots`` holds drawing functions that take an Axes and return their artists; ``explorers`` holds the
interactive ipywidgets explorers (use ``%matplotlib widget`` in a notebook). The computing layer never imports
this package.
"""

from . import explorers, plots
from .explorers import (
    DescentExplorer,
    ExplorerBase,
    RaceExplorer,
    SweepExplorer,
    descent_explorer,
    make_slider,
    race_explorer,
    step_anatomy,
    sweep_explorer,
)
from .plots import (
    CMAP,
    DPI,
    FIGSIZE,
    LINE_COLORS,
    PALETTE,
    auto_limits,
    contour,
    draw_paths,
    function_curve,
    gradient_field,
    set_state_arrows,
    state_arrows,
    subplots,
    surface3d,
    tangent_staircase,
    value_curve,
)

__all__ = [
    "plots",
    "explorers",
    "PALETTE",
    "LINE_COLORS",
    "FIGSIZE",
    "DPI",
    "CMAP",
    "subplots",
    "auto_limits",
    "contour",
    "draw_paths",
    "surface3d",
    "value_curve",
    "function_curve",
    "tangent_staircase",
    "gradient_field",
    "state_arrows",
    "set_state_arrows",
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
