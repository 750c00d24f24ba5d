"""Static drawing functions: each takes an Axes first, draws, and returns its artists.

>>> import course_lib as cl
>>> import course_lib.viz as viz
>>> f = cl.surface("rosenbrock")
>>> path = cl.descend(f, cl.optimizers.Adam(lr=0.05), x0=[-1.5, 2.0], steps=200)
>>> fig, (ax1, ax2) = viz.subplots(ncols=2)
>>> xlim, ylim = viz.auto_limits(path, include=f.minima)
>>> cs = viz.contour(ax1, f, xlim, ylim)
>>> lines = viz.draw_paths(ax1, path)
>>> curve = viz.value_curve(ax2, path.values, gap_to=0.0)

Nothing here calls ``plt.show()``, prints, or changes matplotlib's global settings: every figure gets its
title, axis labels and the Okabe-Ito colours explicitly. Windows and start points always come from the caller
(or from :func:`auto_limits`, which reads them off the data).
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse

__all__ = [
    "PALETTE",
    "LINE_COLORS",
    "LINE_STYLES",
    "MARKERS",
    "SERIES_STYLES",
    "series_style",
    "mark_cells",
    "set_marked_cells",
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
    "staircase_segments",
    "gradient_field",
    "state_arrows",
    "set_state_arrows",
    "f_star",
    "contour_levels",
]

#: The Okabe-Ito colour-blind-safe palette: orange, sky blue, bluish green, yellow, blue, vermillion,
#: reddish purple, black (Okabe & Ito, "Color Universal Design", 2008).
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK = PALETTE
#: The order in which lines take their colours (yellow, hard to see on white, comes last).
LINE_COLORS = [BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW]
#: Colour is never the only cue: compared series also differ in line style (solid, dashed, dash-dot, dotted,
#: long dashes, dash-dot-dot, loose dots, dash-dash-dot) and in marker, so a greyscale print, a projector with
#: washed-out colours or a reader who does not see the colours still tells them apart.
LINE_STYLES = [
    "-",
    (0, (5.0, 2.0)),
    (0, (6.0, 2.0, 1.5, 2.0)),
    (0, (1.2, 1.6)),
    (0, (11.0, 3.0)),
    (0, (6.0, 2.0, 1.5, 2.0, 1.5, 2.0)),
    (0, (1.2, 4.0)),
    (0, (6.0, 2.0, 6.0, 2.0, 1.5, 2.0)),
]
#: Markers in the same order (filled shapes that stay recognisable at 3-5 points). The square and the star
#: are left out: the course marks a start point with a black square and a minimum with a star.
MARKERS = ["o", "^", "D", "v", "P", "X", "p", "h"]
#: One style per series: colour, line style and marker together (``ax.plot(x, y, **SERIES_STYLES[i])``).
SERIES_STYLES = [
    {"color": c, "linestyle": ls, "marker": m} for c, ls, m in zip(LINE_COLORS, LINE_STYLES, MARKERS, strict=True)
]
#: Default figure size (inches) and resolution: small enough to keep notebooks light.
FIGSIZE = (8.0, 3.6)
DPI = 90
#: Sequential colour map for surfaces and heat maps (perceptually uniform, colour-blind safe).
CMAP = "viridis"

_TINY = 1e-300


# ----------------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------------


def subplots(nrows=1, ncols=1, *, figsize=None, dpi=None, **kwargs):
    """``plt.subplots`` with the course's small default size (:data:`FIGSIZE`, :data:`DPI`), laid out."""
    import matplotlib.pyplot as plt

    kwargs.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, figsize=figsize or FIGSIZE, dpi=dpi or DPI, **kwargs)


def _label(ax, title=None, xlabel=None, ylabel=None, *, force=False):
    """Set the title and axis labels; overlays (``force=False``) only fill in the ones still empty."""
    for getter, setter, text in (
        (ax.get_title, ax.set_title, title),
        (ax.get_xlabel, ax.set_xlabel, xlabel),
        (ax.get_ylabel, ax.set_ylabel, ylabel),
    ):
        if text is not None and (force or not getter()):
            setter(text)


def series_style(i, *, colors=None):
    """The style of the ``i``-th of several compared series: ``{"color", "linestyle", "marker"}``.

    Colour, line style and marker all change from one series to the next (after 8 series the marker
    sequence shifts, so series ``i`` and ``i + 8`` still differ). ``colors``: a palette to take the colour
    from instead of :data:`LINE_COLORS`. Use it as ``ax.plot(x, y, **series_style(i))``; pass
    ``marker=None`` or ``markevery=...`` after it to thin the markers on long series.
    """
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
        raise ValueError(f"i: expected a series index >= 0, got {i!r}")
    i = int(i)
    n = len(LINE_STYLES)
    palette = _colors(i + 1, colors)
    return {"color": palette[i], "linestyle": LINE_STYLES[i % n], "marker": MARKERS[(i + i // n) % n]}


def _markevery(length, k, count, per_series=8):
    """About ``per_series`` markers along a series of ``length`` points, staggered between the ``count``
    series so markers of different series do not sit on top of each other."""
    every = max(1, int(length) // per_series)
    return (min(length - 1, (k * every) // max(count, 1)) if length else 0, every)


def _colors(n, colors=None):
    if colors is None:
        return [LINE_COLORS[i % len(LINE_COLORS)] for i in range(n)]
    colors = list(colors)
    if not colors:
        raise ValueError("colors: expected at least one colour")
    return [colors[i % len(colors)] for i in range(n)]


def _names(objective):
    names = [str(v) for v in getattr(objective, "variables", ())]
    return names if len(names) == objective.dim else [f"x{i}" for i in range(objective.dim)]


def _check_objective(objective, dims, parameter="objective"):
    dim = getattr(objective, "dim", None)
    if dim not in dims or not hasattr(objective, "value"):
        want = " or ".join(f"{d}-D" for d in dims)
        raise ValueError(f"{parameter}: expected a {want} Objective (e.g. cl.surface(...)), got {objective!r}")


def _limits(name, lim):
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a pair (low, high), got {lim!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name}: expected finite numbers with low < high, got {lim!r}")
    return lo, hi


def _values(objective, X):
    """Objective values on a grid, with anything non-finite masked (no warnings)."""
    with np.errstate(all="ignore"):
        return np.ma.masked_invalid(np.asarray(objective.value(X), dtype=np.float64))


def f_star(objective):
    """The lowest value over the objective's known minima, or None when it lists none."""
    minima = np.asarray(getattr(objective, "minima", np.empty((0, 1))), dtype=np.float64)
    if minima.size == 0:
        return None
    with np.errstate(all="ignore"):
        values = np.asarray(objective.value(minima), dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.min()) if values.size else None


def _points(data, name):
    """Collect points (rows of the last axis) from a Path, an array or a list/dict of them."""
    if data is None:
        return []
    if hasattr(data, "xs"):
        data = data.xs
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, (list, tuple)) and data and (hasattr(data[0], "xs") or np.ndim(data[0]) >= 1):
        try:
            arrays = [np.asarray(getattr(d, "xs", d), dtype=np.float64) for d in data]
        except (TypeError, ValueError):
            raise ValueError(f"{name}: expected points, a Path or a list of them") from None
        if len({a.shape[-1] if a.ndim else 1 for a in arrays}) == 1:
            return [a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1) for a in arrays]
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected points, a Path or a list of them, got {type(data).__name__}") from None
    if array.ndim == 0:
        array = array.reshape(1, 1)
    return [array.reshape(-1, array.shape[-1])]


# ----------------------------------------------------------------------------------------------------
# Windows
# ----------------------------------------------------------------------------------------------------


def auto_limits(points, *, margin=0.15, include=None, min_aspect=0.5):
    """A window around ``points`` (and ``include``, e.g. ``objective.minima``) with a relative ``margin``.

    ``points`` may be a Path, an array of shape ``(..., dim)`` or a list of those; non-finite rows are
    ignored. Returns ``(xlim, ylim)``; for 1-D points ``ylim`` is None. In 2-D the shorter side is widened to
    at least ``min_aspect`` times the longer one, so a start and a minimum on a line still get a usable map.
    """
    if not (np.isfinite(margin) and margin >= 0):
        raise ValueError(f"margin: expected a number >= 0, got {margin!r}")
    arrays = _points(points, "points") + _points(include, "include")
    dims = {a.shape[-1] for a in arrays}
    if not arrays or len(dims) != 1 or dims.pop() not in (1, 2):
        raise ValueError("points: expected 1-D or 2-D points (last dimension 1 or 2), all of the same dimension")
    rows = np.concatenate(arrays)
    rows = rows[np.all(np.isfinite(rows), axis=1)]
    if rows.size == 0:
        raise ValueError("points: no finite point to fit a window around")
    lo, hi = rows.min(axis=0), rows.max(axis=0)
    span = hi - lo
    scale = np.maximum(np.abs(lo), np.abs(hi))
    flat = span <= 1e-9 * (1.0 + scale)
    # A single point (or a line): give it a window of its own size, at least 1 wide.
    span = np.where(flat, np.maximum(1.0, 0.5 * scale) * 2 / (1 + 2 * margin), span)
    centre = (lo + hi) / 2
    if rows.shape[1] == 2 and min_aspect:
        span = np.maximum(span, min_aspect * span.max())
    half = span * (0.5 + margin)
    limits = [(float(c - h), float(c + h)) for c, h in zip(centre, half)]
    return (limits[0], limits[1]) if len(limits) == 2 else (limits[0], None)


# ----------------------------------------------------------------------------------------------------
# Contour maps and paths
# ----------------------------------------------------------------------------------------------------


def _grid(objective, xlim, ylim, n):
    x = np.linspace(*xlim, n)
    y = np.linspace(*ylim, n)
    X, Y = np.meshgrid(x, y)
    return X, Y, _values(objective, np.stack([X, Y], axis=-1))


def contour_levels(Z, levels=25, *, base=None):
    """Log-spaced levels of ``Z - base``: returns ``(levels, base)``, or ``(None, None)`` if impossible.

    ``base`` defaults to the grid minimum when it lies inside the grid (the surface is bounded below there);
    a surface that keeps falling towards the edge (a saddle) gets None, i.e. linear levels.
    """
    Z = np.ma.masked_invalid(Z)
    if Z.count() < 4:
        return None, None
    if base is None:
        i, j = np.unravel_index(np.ma.argmin(Z), Z.shape)
        if i in (0, Z.shape[0] - 1) or j in (0, Z.shape[1] - 1):
            return None, None
        base = float(Z.min())
    gap = (Z - base).compressed()
    if gap.min() < -1e-9 * (1 + abs(base)) or not np.isfinite(gap.max()):
        return None, None
    hi = float(gap.max())
    if hi <= 0:
        return None, None
    lo = max(float(np.quantile(gap, 0.002)), hi * 1e-7, _TINY)
    if lo >= hi:
        return None, None
    return np.geomspace(lo, hi, int(levels)), base


def contour(
    ax, objective, xlim, ylim, *, levels=25, n=160, log=True, filled=True, show_minima=True, equal_aspect=False
):
    """Contour map of a 2-D objective over ``xlim`` x ``ylim``; returns the ContourSet.

    With ``log=True`` the levels are log-spaced in the gap ``f - f*`` (``f*`` from ``objective.minima``, or
    the grid minimum when it lies inside the window), so narrow valleys keep their detail; a surface unbounded
    in the window (a saddle) falls back to evenly spaced levels. Known minima are marked with a star.
    ``equal_aspect=True`` draws one unit of x as long as one unit of y, so level sets keep their true shape (an
    elongated bowl looks elongated); use it whenever the lesson is the shape of the level sets.
    """
    _check_objective(objective, (2,))
    xlim, ylim = _limits("xlim", xlim), _limits("ylim", ylim)
    if int(levels) < 2:
        raise ValueError(f"levels: expected at least 2 levels, got {levels!r}")
    if int(n) < 4:
        raise ValueError(f"n: expected a grid of at least 4 points a side, got {n!r}")
    X, Y, Z = _grid(objective, xlim, ylim, int(n))
    lv, base = (None, None)
    if log:
        fs = f_star(objective)
        lv, base = contour_levels(Z, levels, base=fs)
        if lv is None and fs is not None:
            lv, base = contour_levels(Z, levels)
    if lv is not None:
        G = np.ma.masked_less_equal(Z - base, 0).filled(lv[0] * 0.5)
        G = np.ma.masked_where(np.ma.getmaskarray(Z), G)
        norm = LogNorm(vmin=lv[0], vmax=lv[-1])
        kwargs = dict(levels=lv, norm=norm)
    else:
        G = Z
        kwargs = dict(levels=int(levels))
    if filled:
        cs = ax.contourf(X, Y, G, cmap=CMAP, alpha=0.35, extend="both" if lv is not None else "neither", **kwargs)
        ax.contour(X, Y, G, colors=BLACK, linewidths=0.4, alpha=0.35, **kwargs)
    else:
        cs = ax.contour(X, Y, G, cmap=CMAP, linewidths=0.9, **kwargs)
    if show_minima:
        minima = np.asarray(objective.minima, dtype=np.float64).reshape(-1, 2)
        inside = (
            (minima[:, 0] >= xlim[0])
            & (minima[:, 0] <= xlim[1])
            & (minima[:, 1] >= ylim[0])
            & (minima[:, 1] <= ylim[1])
        )
        if inside.any():
            ax.plot(*minima[inside].T, "*", color=BLACK, ms=11, mfc=YELLOW, mew=0.8, ls="none", label="minimum")
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    if equal_aspect:
        ax.set_aspect("equal", adjustable="box")
    x, y = _names(objective)
    scale = "log-spaced levels of f − f*" if lv is not None else "levels of f"
    _label(ax, f"{getattr(objective, 'name', 'f')}: {scale}", x, y, force=True)
    return cs


def _path_items(paths, labels):
    """(label, xs of shape (N, 2)) for every trajectory in ``paths``."""
    if hasattr(paths, "xs") or isinstance(paths, np.ndarray):
        paths = [paths]
    elif isinstance(paths, dict):
        if labels is None:
            labels = list(paths)
        paths = list(paths.values())
    elif not isinstance(paths, (list, tuple)):
        raise ValueError(f"paths: expected a Path, an array (steps+1, 2) or a list/dict of them, got {paths!r}")
    if paths and not (hasattr(paths[0], "xs") or np.ndim(paths[0]) >= 2):
        paths = [paths]  # a plain list of points
    items = []
    for k, p in enumerate(paths):
        xs = np.asarray(getattr(p, "xs", p), dtype=np.float64)
        if xs.ndim < 2 or xs.shape[-1] != 2:
            raise ValueError(f"paths: each path needs points of shape (steps+1, ..., 2), got shape {xs.shape}")
        flat = xs.reshape(xs.shape[0], -1, 2)
        label = None if labels is None else str(list(labels)[k])
        for b in range(flat.shape[1]):
            name = label if (label is None or flat.shape[1] == 1) else f"{label} [{b}]"
            items.append((name, flat[:, b]))
    return items


def draw_paths(ax, paths, *, labels=None, colors=None, markers=True):
    """Draw one or several descent paths on a 2-D map; returns one Line2D per trajectory.

    ``paths``: a Path, an array of shape ``(steps+1, 2)``, or a list/dict of them (dict keys become labels);
    a batched Path draws one line per trajectory. Every iterate gets a small marker when ``markers``.
    Several paths differ in line style and marker as well as colour (:func:`series_style`); with
    ``markers=False`` they still carry a few markers, so the style shows even on a short path.
    """
    items = _path_items(paths, labels)
    cols = _colors(len(items), colors)
    several = len(items) > 1
    lines = []
    for k, ((label, xs), color) in enumerate(zip(items, cols)):
        style = series_style(k)
        marker = style["marker"] if (markers or several) else None
        every = None if markers or not several else _markevery(len(xs), k, len(items), per_series=6)
        (line,) = ax.plot(
            xs[:, 0],
            xs[:, 1],
            color=color,
            linestyle=style["linestyle"] if several else "-",
            lw=1.6,
            marker=marker,
            markevery=every,
            ms=3.2 if markers else 4.5,
            mec="white",
            mew=0.4,
            label=label,
            zorder=4,
        )
        lines.append(line)
    if any(label is not None for label, _ in items):
        ax.legend(loc="upper right", fontsize="small", framealpha=0.85)
    _label(ax, "descent paths", "x", "y")
    return lines


def surface3d(ax3d, objective, xlim, ylim, *, path=None, n=60):
    """3-D surface of a 2-D objective (on an Axes made with ``projection="3d"``), with an optional path on it.

    Returns ``{"surface": Poly3DCollection, "path": Line3D or None}``.
    """
    if not hasattr(ax3d, "plot_surface"):
        raise ValueError("ax3d: expected a 3-D Axes, e.g. fig.add_subplot(projection='3d')")
    _check_objective(objective, (2,))
    xlim, ylim = _limits("xlim", xlim), _limits("ylim", ylim)
    X, Y, Z = _grid(objective, xlim, ylim, max(4, int(n)))
    Zf = Z.filled(np.nan)
    surface = ax3d.plot_surface(X, Y, Zf, cmap=CMAP, alpha=0.8, linewidth=0, antialiased=True)
    line = None
    if path is not None:
        ((_, xs),) = _path_items(path, None)[:1]
        zs = _values(objective, xs).filled(np.nan)
        (line,) = ax3d.plot(xs[:, 0], xs[:, 1], zs, "-o", color=VERMILLION, ms=3, lw=1.6, zorder=10)
    ax3d.set_xlim(xlim)
    ax3d.set_ylim(ylim)
    x, y = _names(objective)
    ax3d.set_zlabel(f"f({x}, {y})")
    _label(ax3d, f"{getattr(objective, 'name', 'f')}: surface", x, y, force=True)
    return {"surface": surface, "path": line}


# ----------------------------------------------------------------------------------------------------
# Value curves
# ----------------------------------------------------------------------------------------------------


def _series(values, labels):
    if hasattr(values, "values") and hasattr(values, "xs"):
        values = values.values
    if isinstance(values, dict):
        labels = list(values) if labels is None else list(labels)
        values = [getattr(v, "values", v) if hasattr(v, "xs") else v for v in values.values()]
    elif isinstance(values, (list, tuple)) and values and np.ndim(getattr(values[0], "values", values[0])) >= 1:
        values = [v.values if hasattr(v, "xs") else v for v in values]
    else:
        values = [values]
    out = []
    for v in values:
        try:
            a = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("values: expected a 1-D array of numbers, a Path, or a dict label -> array") from None
        if a.ndim == 0:
            a = a.reshape(1)
        out.append(a.reshape(a.shape[0], -1))
    series = []
    for k, a in enumerate(out):
        label = None if labels is None else str(list(labels)[k])
        for b in range(a.shape[1]):
            series.append((label if a.shape[1] == 1 or label is None else f"{label} [{b}]", a[:, b]))
    return series


def value_curve(ax, values, *, labels=None, log=True, gap_to=None):
    """Objective value per step; returns one Line2D per series.

    ``values``: a 1-D array, a Path, or a dict label -> array/Path. With ``log=True`` the y axis is
    logarithmic:
    it shows ``f - gap_to`` when ``gap_to`` (usually f*) is given, ``f - min f`` when some value is <= 0, else
    ``f`` itself; gaps are floored at 1e-16 of the largest so an exact zero still shows. Several series
    differ in line style and carry a few markers (:func:`series_style`), not only in colour.
    """
    series = _series(values, labels)
    finite = np.concatenate([v[np.isfinite(v)] for _, v in series]) if series else np.empty(0)
    ylabel = "f(x_t)"
    shift = 0.0
    if log:
        if gap_to is not None:
            if not np.isfinite(gap_to):
                raise ValueError(f"gap_to: expected a finite number, got {gap_to!r}")
            shift, ylabel = float(gap_to), "f(x_t) − f*"
        elif finite.size and finite.min() <= 0:
            shift, ylabel = float(finite.min()), "f(x_t) − min f(x_t)"
    lines = []
    with np.errstate(all="ignore"):
        tops = [
            np.nanmax(np.where(np.isfinite(v), np.abs(v - shift), np.nan)) for _, v in series if np.isfinite(v).any()
        ]
        floor = max(max(tops, default=1.0) * 1e-16, _TINY)
        several = len(series) > 1
        for k, ((label, v), color) in enumerate(zip(series, _colors(len(series)))):
            y = np.where(np.isfinite(v), v - shift, np.nan)
            if log:
                y = np.maximum(y, floor)
            style = series_style(k) if several else {"linestyle": "-", "marker": None}
            (line,) = ax.plot(
                np.arange(len(y)),
                y,
                color=color,
                linestyle=style["linestyle"],
                lw=1.6,
                marker=style["marker"],
                markevery=_markevery(len(y), k, len(series)) if several else None,
                ms=4.5,
                mec="white",
                mew=0.4,
                label=label,
            )
            lines.append(line)
    if log:
        ax.set_yscale("log")
    if any(label is not None for label, _ in series):
        ax.legend(loc="upper right", fontsize="small", framealpha=0.85)
    _label(ax, "value per step" + (" (log scale)" if log else ""), "step t", ylabel, force=True)
    return lines


# ----------------------------------------------------------------------------------------------------
# One dimension: tangents and steps
# ----------------------------------------------------------------------------------------------------


def staircase_segments(objective, xs, *, half_width, aspect=1.0):
    """Segments for the tangent staircase of a 1-D path ``xs`` (shape ``(N,)``).

    Returns ``(points, tangents, moves, drops)``: the iterates ``(x_t, f(x_t))``; a tangent segment of about
    ``2 * half_width`` (x units, measured along the line with ``aspect`` = x-span / y-span) centred at each
    iterate; the move along the tangent from ``x_{t-1}`` to ``x_t`` (what the linear model predicts); and the
    vertical drop from that prediction to the true value ``f(x_t)``.
    """
    xs = np.asarray(xs, dtype=np.float64).reshape(-1)
    with np.errstate(all="ignore"):
        f, g = objective.value_and_grad(xs[:, None])
        f, g = np.asarray(f, dtype=np.float64).reshape(-1), np.asarray(g, dtype=np.float64).reshape(-1)
        points = np.stack([xs, f], axis=-1)
        dx = half_width / np.sqrt(1.0 + (g * aspect) ** 2)
        tangents = np.stack([np.stack([xs - dx, f - g * dx], -1), np.stack([xs + dx, f + g * dx], -1)], axis=1)
        step = np.diff(xs)
        predicted = f[:-1] + g[:-1] * step
        moves = np.stack([points[:-1], np.stack([xs[1:], predicted], -1)], axis=1)
        drops = np.stack([np.stack([xs[1:], predicted], -1), points[1:]], axis=1)
    return [np.nan_to_num(a, nan=0.0, posinf=1e300, neginf=-1e300) for a in (points, tangents, moves, drops)]


def function_curve(ax, objective, xlim, *, ylim=None, n=400):
    """A 1-D objective over ``xlim`` with its known minima starred; returns ``{"curve": Line2D, "minima":
    ...}``.

    ``ylim`` defaults to the range of the curve over the window plus a small margin.
    """
    _check_objective(objective, (1,))
    xlim = _limits("xlim", xlim)
    grid = np.linspace(*xlim, max(4, int(n)))
    fg = _values(objective, grid[:, None])
    (curve,) = ax.plot(grid, fg.filled(np.nan), color=BLACK, lw=1.4, label="f(x)")
    minima = np.asarray(objective.minima, dtype=np.float64).reshape(-1)
    minima = minima[(minima >= xlim[0]) & (minima <= xlim[1])]
    stars = None
    if minima.size:
        (stars,) = ax.plot(
            minima,
            _values(objective, minima[:, None]).filled(np.nan),
            "*",
            color=BLACK,
            mfc=YELLOW,
            ms=11,
            ls="none",
            zorder=6,
            label="minimum",
        )
    ax.set_xlim(xlim)
    ax.set_ylim(_pad(fg.compressed(), 0.08) if ylim is None else _limits("ylim", ylim))
    (x,) = _names(objective)
    _label(ax, f"{getattr(objective, 'name', 'f')}", x, f"f({x})", force=True)
    return {"curve": curve, "minima": stars}


def tangent_staircase(ax, objective, xs, *, xlim=None):
    """A 1-D objective with its iterates, the tangent at each, and each step drawn as a move along the tangent
    followed by the drop (or rise) to the true curve. Returns a dict of artists:
    ``curve``, ``minima``, ``points``, ``tangents``, ``moves``, ``drops``.

    ``xs``: a 1-D Path, or the iterates as an array of shape ``(N,)`` or ``(N, 1)``.
    """
    _check_objective(objective, (1,))
    xs = np.asarray(getattr(xs, "xs", xs), dtype=np.float64).reshape(-1)
    if xs.size == 0 or not np.isfinite(xs).all():
        raise ValueError("xs: expected finite iterates of a 1-D objective")
    if xlim is None:
        xlim, _ = auto_limits(xs[:, None], include=objective.minima)
    artists = function_curve(ax, objective, xlim)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    half = 0.06 * (xlim[1] - xlim[0])
    aspect = (xlim[1] - xlim[0]) / (ylim[1] - ylim[0])
    points, tangents, moves, drops = staircase_segments(objective, xs, half_width=half, aspect=aspect)
    tan = LineCollection(tangents, colors=SKY_BLUE, linewidths=1.2, linestyles="--", zorder=3, label="tangent")
    mov = LineCollection(moves, colors=VERMILLION, linewidths=2.4, zorder=4, label="step along the tangent")
    drp = LineCollection(drops, colors=VERMILLION, linewidths=1.0, linestyles=":", zorder=4, label="back to f")
    for c in (tan, mov, drp):
        ax.add_collection(c, autolim=False)
    (pts,) = ax.plot(points[:, 0], points[:, 1], "o", color=BLUE, ms=4.5, mec="white", mew=0.5, zorder=5, label="x_t")
    (x,) = _names(objective)
    _label(ax, f"{getattr(objective, 'name', 'f')}: steps along the tangent", x, f"f({x})", force=True)
    return {**artists, "points": pts, "tangents": tan, "moves": mov, "drops": drp}


def _pad(values, margin):
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    lo, hi = (float(values.min()), float(values.max())) if values.size else (-1.0, 1.0)
    span = hi - lo if hi > lo else max(1.0, abs(hi))
    return lo - margin * span, hi + margin * span


# ----------------------------------------------------------------------------------------------------
# Arrows: the gradient field and the anatomy of one step
# ----------------------------------------------------------------------------------------------------


def gradient_field(ax, objective, xlim, ylim, *, n=15, normalize=True):
    """Arrows of ``-grad f`` (the descent directions) on an ``n`` x ``n`` grid; returns the Quiver.

    With ``normalize`` every arrow has the same length (the direction is the message); otherwise lengths are
    proportional to ``|grad f|``, the longest filling one grid cell.
    """
    _check_objective(objective, (2,))
    xlim, ylim = _limits("xlim", xlim), _limits("ylim", ylim)
    n = int(n)
    if n < 2:
        raise ValueError(f"n: expected at least 2 arrows a side, got {n!r}")
    pad = 0.5 / n
    x = np.linspace(xlim[0] + pad * (xlim[1] - xlim[0]), xlim[1] - pad * (xlim[1] - xlim[0]), n)
    y = np.linspace(ylim[0] + pad * (ylim[1] - ylim[0]), ylim[1] - pad * (ylim[1] - ylim[0]), n)
    X, Y = np.meshgrid(x, y)
    with np.errstate(all="ignore"):
        G = np.asarray(objective.grad(np.stack([X, Y], axis=-1)), dtype=np.float64)
        G = np.where(np.isfinite(G), G, 0.0)
        # Measure directions in axes units so arrows look right whatever the window's aspect.
        sx, sy = (xlim[1] - xlim[0]), (ylim[1] - ylim[0])
        u, v = -G[..., 0] / sx, -G[..., 1] / sy
        norm = np.hypot(u, v)
        length = norm / norm.max() if (not normalize and norm.max() > 0) else np.ones_like(norm)
        cell = 0.8 / n
        scale = np.where(norm > 0, cell * length / np.where(norm > 0, norm, 1.0), 0.0)
    U, V = u * scale * sx, v * scale * sy
    q = ax.quiver(X, Y, U, V, angles="xy", scale_units="xy", scale=1.0, color=BLACK, alpha=0.55, width=0.003)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    x_name, y_name = _names(objective)
    _label(ax, "descent directions −∇f", x_name, y_name)
    return q


#: Width (in axes widths) of the first arrow of :func:`state_arrows`; each later arrow is this much wider,
#: so the arrows differ in width as well as colour.
_ARROW_WIDTH = 0.004
_ARROW_WIDEN = 1.6


def state_arrows(ax, x, arrows, *, scale=1.0, ellipse=None, colors=None, legend=True):
    """Arrows from the current point ``x`` showing why a method moves where it does; returns the artists.

    ``arrows``: dict name -> 2-vector, e.g. ``{"−lr·g": -lr * g, "momentum": ..., "update": x_next - x}``;
    each becomes a Quiver (``scale`` multiplies every vector, to make tiny steps visible). ``ellipse``:
    optional per-axis semi-axes, e.g. ``lr / (sqrt(v) + eps) * |g|`` for an adaptive method: the axis-aligned
    ellipse of all steps it would take for a gradient of this size, so a squashed ellipse shows the
    per-coordinate scaling. Update everything later with :func:`set_state_arrows`.
    """
    x = _vector("x", x)
    if not isinstance(arrows, dict) or not arrows:
        raise ValueError("arrows: expected a dict name -> 2-vector with at least one entry")
    artists = {}
    palette = _colors(len(arrows), colors or [VERMILLION, GREEN, BLACK, SKY_BLUE])
    for k, ((name, vec), color) in enumerate(zip(arrows.items(), palette, strict=True)):
        u, v = _vector(f"arrows[{name!r}]", vec, allow_nonfinite=True) * scale
        # later arrows (e.g. the update, the sum of the others) lie wider and underneath
        artists[name] = ax.quiver(
            [x[0]],
            [x[1]],
            [u],
            [v],
            angles="xy",
            scale_units="xy",
            scale=1.0,
            color=color,
            width=_ARROW_WIDTH * _ARROW_WIDEN**k,
            zorder=6.5 - 0.1 * k,
            label=name,
        )
    if ellipse is not None:
        a, b = np.abs(_vector("ellipse", ellipse, allow_nonfinite=True)) * scale
        artists["ellipse"] = ax.add_patch(
            Ellipse(
                tuple(x),
                2 * a,
                2 * b,
                fill=False,
                ec=PURPLE,
                lw=1.4,
                ls="--",
                zorder=6,
                label="per-axis scale",
            )
        )
    set_state_arrows(artists, x, arrows, scale=scale, ellipse=ellipse)
    if legend:
        # the legend repeats each arrow's width (later arrows are wider), a cue besides colour
        handles = [
            Line2D([], [], color=q.get_facecolor()[0], lw=1.5 * _ARROW_WIDEN**k, label=name)
            for k, (name, q) in enumerate((n, q) for n, q in artists.items() if n != "ellipse")
        ]
        if "ellipse" in artists:
            handles.append(Line2D([], [], color=PURPLE, lw=1.4, ls="--", label="lr/(√v+ε) per axis × |g|"))
        artists["legend"] = ax.legend(handles=handles, loc="lower left", fontsize="x-small", framealpha=0.85)
    _label(ax, "one step, taken apart", "x", "y")
    return artists


def set_state_arrows(artists, x, arrows, *, scale=1.0, ellipse=None):
    """Move the artists made by :func:`state_arrows` to a new point and new vectors (no new artists)."""
    x = _vector("x", x, allow_nonfinite=True)
    ok = np.isfinite(x).all()
    for name, vec in arrows.items():
        if name not in artists:
            continue
        q = artists[name]
        with np.errstate(all="ignore"):
            u, v = _vector(f"arrows[{name!r}]", vec, allow_nonfinite=True) * scale
        good = ok and np.isfinite(u) and np.isfinite(v)
        q.set_offsets([x if ok else (0.0, 0.0)])
        q.set_UVC([u if good else 0.0], [v if good else 0.0])
        q.set_visible(bool(good))
    if "ellipse" in artists:
        e = artists["ellipse"]
        if ellipse is None:
            e.set_visible(False)
        else:
            with np.errstate(all="ignore"):
                a, b = np.abs(_vector("ellipse", ellipse, allow_nonfinite=True)) * scale
            good = ok and np.isfinite(a) and np.isfinite(b)
            e.set_center(tuple(x) if ok else (0.0, 0.0))
            e.set_width(2 * a if good else 0.0)
            e.set_height(2 * b if good else 0.0)
            e.set_visible(bool(good))
    return artists


# ----------------------------------------------------------------------------------------------------
# Heat maps: cells marked by a symbol, not only by a colour
# ----------------------------------------------------------------------------------------------------


def _cell_centres(x_values, y_values, mask):
    x = np.asarray(x_values, dtype=np.float64).reshape(-1)
    y = np.asarray(y_values, dtype=np.float64).reshape(-1)
    m = np.asarray(mask, dtype=bool)
    if m.shape != (y.size, x.size):
        raise ValueError(f"mask: expected shape (len(y_values), len(x_values)) = {(y.size, x.size)}, got {m.shape}")
    i, j = np.nonzero(m)
    return x[j], y[i]


def mark_cells(ax, x_values, y_values, mask, *, marker="x", label="diverged"):
    """Mark the cells of a heat map where ``mask`` is True (e.g. runs that diverged) with a black ``marker``
    at each cell's centre; returns the Line2D. A cell drawn only in a special colour (grey) is lost on a
    greyscale print and hard to tell from a dark colour of the map; the symbol is not.

    ``x_values``, ``y_values``: the cell centres (the values a sweep ran); ``mask``: bool array of shape
    ``(len(y_values), len(x_values))``, as ``pcolormesh`` lays out its cells. Update with
    :func:`set_marked_cells`.
    """
    x, y = _cell_centres(x_values, y_values, mask)
    (line,) = ax.plot(x, y, ls="none", marker=marker, color=BLACK, ms=5, mew=1.3, zorder=5, label=label)
    return line


def set_marked_cells(line, x_values, y_values, mask):
    """Move the marks made by :func:`mark_cells` to the cells where ``mask`` is True now."""
    line.set_data(*_cell_centres(x_values, y_values, mask))
    return line


def _vector(name, vec, *, allow_nonfinite=False):
    try:
        v = np.asarray(vec, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a 2-vector, got {vec!r}") from None
    if v.shape != (2,):
        raise ValueError(f"{name}: expected a 2-vector, got shape {v.shape}")
    if not allow_nonfinite and not np.isfinite(v).all():
        raise ValueError(f"{name}: expected finite numbers, got {vec!r}")
    return v
