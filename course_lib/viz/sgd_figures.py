"""Static figures of notebooks/05_sgd.ipynb that compare series: each series differs in colour AND in line
style and marker, so the figures read in grey scale and for colour-blind readers (the prose names the series).

- :func:`per_pass_figure`: loss gap per data pass (one point per pass, so noisy runs stay comparable).
- :func:`timing_figure`: time per example of one gradient call against the batch size.
- :func:`schedules_figure`: learning-rate schedules against the step.
"""

from __future__ import annotations

import numpy as np

from . import plots

__all__ = ["STYLES", "per_pass_figure", "timing_figure", "schedules_figure"]

#: (line style, marker) per series, in the order of ``plots.LINE_COLORS``.
STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v"), ("--", "x")]


def _figure(figsize=(6.5, 3.0)):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=plots.DPI, layout="constrained")


def _style(i):
    ls, marker = STYLES[i % len(STYLES)]
    return {"color": plots.LINE_COLORS[i % len(plots.LINE_COLORS)], "ls": ls, "marker": marker}


def per_pass_figure(curves, *, title, ylabel="MSE − MSE* (one value per pass)"):
    """``curves`` maps label -> (passes, gap): one value per data pass, drawn on a log scale."""
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, (passes, gap)) in enumerate(curves.items()):
        ax.semilogy(
            passes, np.maximum(gap, 1e-16), label=label, lw=1.3, ms=4, markevery=max(1, len(gap) // 15), **_style(i)
        )
    ax.set(title=title, xlabel="data passes (epochs)", ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig


def timing_figure(sizes, per_example, *, title="cost of one gradient call, per example"):
    """Time per example (seconds) against the batch size, log-log, with the 1/|B| line of a constant call cost."""
    sizes, per_example = np.asarray(sizes, dtype=float), np.asarray(per_example, dtype=float)
    fig = _figure()
    ax = fig.add_subplot()
    ax.loglog(sizes, per_example * 1e6, label="measured", lw=1.5, ms=5, **_style(0))
    ax.loglog(sizes, per_example[0] * 1e6 / sizes, label="if a call cost the same at every |B|", lw=1.2, **_style(1))
    ax.set(title=title, xlabel="batch size |B|", ylabel="µs per example")
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def schedules_figure(schedules, steps, *, title="learning-rate schedules"):
    """``schedules`` maps label -> lr_schedule(t); each is drawn for t = 0 .. steps - 1."""
    t = np.arange(steps)
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, schedule) in enumerate(schedules.items()):
        ax.plot(t, [schedule(k) for k in t], label=label, lw=1.4, ms=4, markevery=max(1, steps // 12), **_style(i))
    ax.set(title=title, xlabel="step t", ylabel="learning rate η_t")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig
