"""Static race figures: several optimizers on several surfaces, each method in a style of its own.

Every method keeps one style across all panels and chapters, and the styles differ in line style and marker as
well as colour (Okabe-Ito), so the figure reads in greyscale and under colour-vision deficiencies. In particular
SGD (blue, solid, circles) and Adam (vermillion, dashed, squares) never look alike.
"""

from __future__ import annotations

import numpy as np

from ..descent import descend
from . import plots

__all__ = ["RACE_STYLES", "race_style", "race_figure"]

_B, _O, _G, _P, _S, _V, _K, _Y = (
    plots.BLUE,
    plots.ORANGE,
    plots.GREEN,
    plots.PURPLE,
    plots.SKY_BLUE,
    plots.VERMILLION,
    plots.BLACK,
    plots.YELLOW,
)

# label -> matplotlib style. The first six follow the order in which the chapters list the methods (SGD, Adam,
# momentum, Adagrad, RMSprop, Adadelta), so a live race that styles its lines by position looks the same.
RACE_STYLES = {
    "SGD": {"color": _B, "linestyle": "-", "marker": "o"},
    "Adam": {"color": _V, "linestyle": (0, (5.0, 2.0)), "marker": "s"},
    "momentum": {"color": _G, "linestyle": (0, (6.0, 2.0, 1.5, 2.0)), "marker": "^"},
    "Adagrad": {"color": _P, "linestyle": (0, (1.2, 1.6)), "marker": "D"},
    "RMSprop": {"color": _O, "linestyle": (0, (11.0, 3.0)), "marker": "v"},
    "Adadelta": {"color": _S, "linestyle": (0, (6.0, 2.0, 1.5, 2.0, 1.5, 2.0)), "marker": "P"},
    "AMSGrad": {"color": _K, "linestyle": (0, (1.2, 4.0)), "marker": "X"},
}
RACE_STYLES["GD"] = RACE_STYLES["SGD"]
_SPARE = [
    {"color": _K, "linestyle": (0, (6.0, 2.0, 6.0, 2.0, 1.5, 2.0)), "marker": "p"},
    {"color": _Y, "linestyle": "-", "marker": "*"},
    {"color": _B, "linestyle": (0, (2.0, 2.0)), "marker": "h"},
]


def race_style(label, index=0):
    """The style of a method: by its label's first word (``"Adam (lr 0.05)"`` is Adam), else a spare one."""
    if not isinstance(label, str):
        raise ValueError(f"label: expected a string, got {label!r}")
    key = label if label in RACE_STYLES else label.split(" ")[0].rstrip(",:")
    if key in RACE_STYLES:
        return dict(RACE_STYLES[key])
    return dict(_SPARE[index % len(_SPARE)])


def race_figure(fig, problems, make_optimizers, steps, *, marks=8):
    """One contour panel per problem with every optimizer's path; returns the dict title -> {label: Path}.

    ``problems``: dict title -> (objective, x0, xlim, ylim); ``make_optimizers``: function of the title
    returning a dict label -> optimizer; ``marks``: about how many markers each path carries (they are spread
    evenly along it, so a marker also shows the pace of a method). One legend for the whole figure, at its right.
    """
    if not problems:
        raise ValueError("problems: expected at least one problem")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps: expected a whole number >= 1, got {steps!r}")
    axes = np.atleast_1d(fig.subplots(1, len(problems)))
    runs, handles = {}, {}
    for ax, (title, (objective, x0, xlim, ylim)) in zip(axes, problems.items(), strict=True):
        plots.contour(ax, objective, xlim, ylim, levels=18, n=90)
        paths = {label: descend(objective, opt, x0, steps) for label, opt in make_optimizers(title).items()}
        for i, (label, path) in enumerate(paths.items()):
            style = race_style(label, i)
            (line,) = ax.plot(
                path.xs[:, 0],
                path.xs[:, 1],
                lw=1.6,
                ms=4.5,
                markevery=max(1, steps // marks),
                mec="white",
                mew=0.5,
                label=label,
                zorder=4,
                **style,
            )
            handles.setdefault(label, line)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set(xlabel="x", ylabel="y" if ax is axes[0] else None)
        ax.set_title(title, fontsize=9)
        runs[title] = paths
    fig.legend(list(handles.values()), list(handles), loc="outside right upper", fontsize=8)
    return runs
