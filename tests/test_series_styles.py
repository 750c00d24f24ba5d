"""Colour is never the only cue in the figures the library draws.

Every figure drawn by course_lib.viz.plots, and every explorer as the chapters build it, is walked axes by axes:
two line-like artists (lines, line collections) of different colours must also differ in line style or marker
(or, for artists that are not compared series, in width by at least 1.5×); two arrows of different colours
must differ in width by at least 1.4×. Compared series (several paths, several value curves) must differ in
line style or marker, never in width alone. Heat maps mark special cells (diverged runs) with a symbol.
"""

from __future__ import annotations

import ast
import itertools
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib.viz import plots  # noqa: E402

WIDTH_CUE = 1.5  # a width ratio that counts as a cue between lines that are not compared series
ARROW_WIDTH_CUE = 1.4


# ----------------------------------------------------------------------------------------------- the checker
def _dashes(line) -> tuple:
    """The dash pattern of a Line2D, independent of its width: (offset, on-off sequence) or () for solid."""
    if line.get_linestyle() in ("None", " ", "", "none"):
        return ("no line",)
    offset, seq = line._unscaled_dash_pattern
    return () if not seq else (offset, tuple(seq))


def _marker(line) -> str:
    m = line.get_marker()
    return "" if m in (None, "None", "none", "", " ") else str(m)


def line_like(ax):
    """(name, colour, dashes, marker, width, is_series) of every visible line-like artist with data."""
    found = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        x = np.asarray(line.get_xdata(orig=False), dtype=float)
        if x.size == 0:
            continue
        has_line = _dashes(line) != ("no line",) and x.size >= 2
        if not has_line and not _marker(line):
            continue
        found.append(
            (
                line.get_label(),
                to_rgba(line.get_color()),
                _dashes(line) if has_line else ("no line",),
                _marker(line),
                line.get_linewidth() if has_line else line.get_markersize(),
                getattr(line, "_course_series", False),
            )
        )
    for coll in ax.collections:
        if isinstance(coll, LineCollection) and coll.get_visible() and len(coll.get_segments()):
            colours = {to_rgba(c) for c in coll.get_colors()}
            if len(colours) != 1:
                continue  # a colour-mapped collection encodes a value, not a series
            (offset, seq), *_ = coll.get_linestyle()
            widths = coll.get_linewidths()
            found.append(
                (coll.get_label(), colours.pop(), () if not seq else (offset, tuple(seq)), "", widths[0], False)
            )
    return found


def colour_only_pairs(ax) -> list[str]:
    """Pairs of artists in ``ax`` that differ in colour and in nothing else a greyscale reader can see."""
    bad = []
    items = line_like(ax)
    for a, b in itertools.combinations(items, 2):
        if a[1] == b[1]:
            continue
        if a[2] != b[2] or a[3] != b[3]:
            continue
        series = a[5] and b[5]
        wa, wb = a[4], b[4]
        if not series and max(wa, wb) >= WIDTH_CUE * min(wa, wb):
            continue
        bad.append(f"{a[0]!r} and {b[0]!r} (style {a[2] or 'solid'}, marker {a[3] or 'none'})")
    arrows = [q for q in ax.collections if isinstance(q, Quiver) and q.get_visible()]
    for a, b in itertools.combinations(arrows, 2):
        ca, cb = to_rgba(a.get_facecolor()[0]), to_rgba(b.get_facecolor()[0])
        if ca != cb and max(a.width, b.width) < ARROW_WIDTH_CUE * min(a.width, b.width):
            bad.append(f"arrows {a.get_label()!r} and {b.get_label()!r} differ in colour only")
    return bad


def figure_problems(fig) -> list[str]:
    fig.canvas.draw()
    return [f"axes {ax.get_title()!r}: {pair}" for ax in fig.axes for pair in colour_only_pairs(ax)]


def subplots():
    """A figure on the Agg canvas whatever backend pyplot was switched to by other tests."""
    fig = Figure()
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def as_series(lines):
    for line in lines:
        line._course_series = True
    return lines


@pytest.fixture(autouse=True)
def strict_and_closed():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ----------------------------------------------------------------------------------------------- the checker itself
def test_the_checker_catches_colour_only_series():
    fig, ax = subplots()
    as_series(ax.plot([0, 1], [0, 1], color="C0", label="a") + ax.plot([0, 1], [1, 0], color="C1", label="b"))
    assert len(figure_problems(fig)) == 1
    fig, ax = subplots()
    as_series(
        ax.plot([0, 1], [0, 1], color="C0", lw=1) + ax.plot([0, 1], [1, 0], color="C1", lw=3)
    )  # width alone is not enough between compared series
    assert len(figure_problems(fig)) == 1
    fig, ax = subplots()
    ax.plot([0, 1], [0, 1], color="C0")
    ax.plot([0, 1], [1, 0], color="C1", ls="--")
    assert figure_problems(fig) == []


# ----------------------------------------------------------------------------------------------- the styles
def test_series_styles_differ_in_style_and_marker_for_every_pair():
    styles = [plots.series_style(i) for i in range(24)]
    for i, j in itertools.combinations(range(24), 2):
        a, b = styles[i], styles[j]
        assert (a["linestyle"], a["marker"]) != (b["linestyle"], b["marker"]), (i, j)
    for i in range(8):
        assert plots.SERIES_STYLES[i] == plots.series_style(i)
    assert [s["color"] for s in plots.SERIES_STYLES] == plots.LINE_COLORS
    assert set(plots.LINE_COLORS) == set(plots.PALETTE), "the Okabe-Ito palette stays"
    assert not {"s", "*"} & set(plots.MARKERS), "the start square and the minimum's star mean something else"


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_series_style_rejects_bad_indices(bad):
    with pytest.raises(ValueError, match="i:"):
        plots.series_style(bad)


# ----------------------------------------------------------------------------------------------- plots figures
BOWL = cl.surface("ellipse")


def _runs(n=4, steps=25):
    starts = [(-1.8, 1.2), (1.5, 1.3), (-1.0, -1.2), (1.7, -0.9), (0.2, 1.4), (-1.6, -0.3)][:n]
    return {f"start {k}": cl.descend(BOWL, cl.optimizers.SGD(lr=0.1), x0=s, steps=steps) for k, s in enumerate(starts)}


@pytest.mark.parametrize("markers", [True, False])
@pytest.mark.parametrize("n", [2, 4, 6])
def test_draw_paths_series_differ_beyond_colour(markers, n):
    fig, ax = subplots()
    plots.contour(ax, BOWL, (-2, 2), (-1.5, 1.5))
    lines = as_series(plots.draw_paths(ax, _runs(n), markers=markers))
    assert len(lines) == n
    assert figure_problems(fig) == []
    assert all(_marker(line) for line in lines), "every compared path carries its marker"


def test_draw_paths_of_a_batched_path_differ_beyond_colour():
    batch = cl.descend(BOWL, cl.optimizers.SGD(lr=0.1), x0=np.array([[-1.8, 1.2], [1.5, 1.3], [0.3, -1.2]]), steps=20)
    fig, ax = subplots()
    as_series(plots.draw_paths(ax, batch, markers=False))
    assert figure_problems(fig) == []


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_value_curves_of_several_runs_differ_beyond_colour(n):
    runs = {
        f"lr {0.02 * (k + 1):.2f}": cl.descend(BOWL, cl.optimizers.SGD(lr=0.02 * (k + 1)), x0=(-1.8, 1.2), steps=60)
        for k in range(n)
    }
    fig, ax = subplots()
    lines = as_series(plots.value_curve(ax, runs, gap_to=0.0))
    assert figure_problems(fig) == []
    assert len({_dashes(line) for line in lines}) == n, "each run has its own line style"


def test_a_single_value_curve_stays_a_plain_line():
    fig, ax = subplots()
    (line,) = plots.value_curve(ax, cl.descend(BOWL, cl.optimizers.SGD(lr=0.1), x0=(-1.8, 1.2), steps=30).values)
    assert _dashes(line) == () and _marker(line) == ""


def test_tangent_staircase_parts_differ_beyond_colour():
    f = cl.surface("parabola")
    path = cl.descend(f, cl.optimizers.SGD(lr=0.3), x0=[2.0], steps=6)
    fig, ax = subplots()
    plots.tangent_staircase(ax, f, path)
    assert figure_problems(fig) == []


def test_state_arrows_differ_in_width_as_well_as_colour():
    fig, ax = subplots()
    arrows = {"−lr·g": (-0.3, 0.1), "momentum": (0.1, 0.2), "update": (-0.2, 0.3)}
    artists = plots.state_arrows(ax, (0.0, 0.0), arrows, ellipse=(0.2, 0.1))
    assert figure_problems(fig) == []
    widths = [artists[name].width for name in arrows]
    assert all(b >= ARROW_WIDTH_CUE * a for a, b in itertools.pairwise(widths))
    legend = [h.get_linewidth() for h in artists["legend"].get_lines()][: len(arrows)]
    assert legend == sorted(legend) and legend[-1] > legend[0], "the legend shows the widths too"


def test_mark_cells_marks_exactly_the_masked_cells_with_a_symbol():
    x, y = np.geomspace(0.01, 2.0, 5), np.array([0.0, 0.5, 0.9])
    mask = np.zeros((3, 5), dtype=bool)
    mask[1, 4] = mask[2, 3] = mask[2, 4] = True
    fig, ax = subplots()
    ax.pcolormesh(np.arange(6), np.arange(4), np.ma.masked_where(mask, np.ones((3, 5))))
    line = plots.mark_cells(ax, x, y, mask)
    assert _marker(line) and line.get_linestyle() == "None"
    assert sorted(zip(line.get_xdata(), line.get_ydata())) == sorted([(x[4], y[1]), (x[3], y[2]), (x[4], y[2])])
    plots.set_marked_cells(line, x, y, np.zeros_like(mask))
    assert len(line.get_xdata()) == 0
    with pytest.raises(ValueError, match="mask"):
        plots.mark_cells(ax, x, y, mask.T)


# ----------------------------------------------------------------------------------------------- explorers
def _explorer_cases():
    """Every explorer, built with the calls the chapters use (the list of the browser tests)."""
    try:
        from tests.browser.test_explorers import EXPLORERS, SETUP
    except BaseException:  # noqa: BLE001 - the browser module skips itself when Playwright is missing
        return [], ""
    return EXPLORERS, "\n".join(line for line in SETUP.splitlines() if not line.startswith("%"))


EXPLORER_CASES, EXPLORER_SETUP = _explorer_cases()


def _build(source: str):
    namespace: dict = {}
    exec(EXPLORER_SETUP, namespace)  # noqa: S102 - the course's own explorer calls
    tree = ast.parse(source)
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<explorer>", "exec"), namespace)  # noqa: S102
    return eval(compile(ast.Expression(last.value), "<explorer>", "eval"), namespace)  # noqa: S307


@pytest.mark.parametrize("case", EXPLORER_CASES, ids=[c.name for c in EXPLORER_CASES])
def test_explorer_figures_use_more_than_colour(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # building an explorer under Agg is checked elsewhere
        explorer = _build(case.source)
    fig = getattr(explorer, "fig", None)
    assert fig is not None, f"{case.name}: no figure"
    problems = figure_problems(fig)
    for ax in fig.axes:
        for mesh in ax.collections:
            if type(mesh).__name__ == "QuadMesh":
                data = mesh.get_array()
                if np.ma.is_masked(data) and np.ma.getmaskarray(data).any():
                    marks = [line for line in ax.get_lines() if _marker(line) and _dashes(line) == ("no line",)]
                    n_masked = int(np.ma.getmaskarray(data).sum())
                    if not any(len(line.get_xdata()) >= n_masked for line in marks):
                        problems.append(f"heat map {ax.get_title()!r}: {n_masked} cells shown only in grey")
    assert not problems, f"{case.name}:\n" + "\n".join(problems)
