"""Static figures of notebooks/06_momentum.ipynb: why momentum accelerates, and comparisons of methods.

- :func:`radius_map_figure`: the heavy ball's spectral radius over (lr h, beta), with the stability boundary,
  the critical-damping curve and marked settings.
- :func:`rate_profile_figure`: the spectral radius against the curvature h in [mu, L] for several settings.
- :func:`distance_figure`: distance to the minimum per step; every series has its own line style and marker.

The numbers come from :mod:`course_lib.momentum_analysis`; these functions only draw.
"""

from __future__ import annotations

import numpy as np

from ..momentum_analysis import critical_momentum
from . import plots

__all__ = ["radius_map_figure", "rate_profile_figure", "distance_figure"]

STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v")]


def _figure(figsize=(6.5, 3.0)):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=plots.DPI, layout="constrained")


def _style(i):
    ls, marker = STYLES[i % len(STYLES)]
    return {"color": plots.LINE_COLORS[i % len(plots.LINE_COLORS)], "ls": ls, "marker": marker}


def radius_map_figure(lr_h, betas, radius, *, marks=None, title="heavy ball: spectral radius per direction"):
    """``radius`` has shape (len(betas), len(lr_h)); ``marks`` maps label -> (lr_h, beta) points to mark."""
    fig = _figure((6.5, 3.6))
    ax = fig.add_subplot()
    shown = np.minimum(radius, 1.2)
    mesh = ax.pcolormesh(lr_h, betas, shown, cmap=plots.CMAP, shading="auto", vmin=0, vmax=1.2)
    fig.colorbar(mesh, ax=ax, label="spectral radius (capped at 1.2)")
    ax.contour(lr_h, betas, radius, levels=[1.0], colors="white", linewidths=1.5)
    a = np.linspace(0, 4, 400)
    ax.plot(a, critical_momentum(a), color="white", ls="--", lw=1.2, label="critical damping β = (1 − √(ηh))²")
    for i, (label, (x, b)) in enumerate((marks or {}).items()):
        ax.plot(
            [x],
            [b],
            ls="none",
            marker=STYLES[i % len(STYLES)][1],
            ms=8,
            mec="black",
            color=plots.PALETTE[i % len(plots.PALETTE)],
            label=label,
        )
    ax.set(
        title=title,
        xlabel="ηh (step times curvature)",
        ylabel="momentum β",
        xlim=(lr_h[0], lr_h[-1]),
        ylim=(betas[0], betas[-1]),
    )
    ax.legend(fontsize=7, loc="upper center", framealpha=0.85)
    return fig


def rate_profile_figure(h, curves, *, title="per-step contraction along each direction"):
    """``curves`` maps label -> spectral radius at each curvature in ``h`` (a log x axis)."""
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, r) in enumerate(curves.items()):
        ax.semilogx(h, r, label=label, lw=1.5, ms=4, markevery=max(1, len(h) // 12), **_style(i))
    ax.set(title=title, xlabel="curvature h of the direction", ylabel="spectral radius")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig


def distance_figure(curves, *, title, ylabel="‖x − x*‖ / ‖x₀ − x*‖"):
    """Distance to the minimum against the step: ``curves`` maps label -> 1-D array."""
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, d) in enumerate(curves.items()):
        ax.semilogy(np.maximum(d, 1e-16), label=label, lw=1.3, ms=4, markevery=max(1, len(d) // 15), **_style(i))
    ax.set(title=title, xlabel="step", ylabel=ylabel)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig
