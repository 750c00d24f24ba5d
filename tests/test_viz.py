"""course_lib.viz: drawing functions and explorers, run headless on the Agg canvas.

The explorers are driven the way a learner drives them (slider values, clicks, the step slider), with every
warning turned into an error: moving any slider anywhere in its range, diverging runs included, must neither
warn nor raise.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

import course_lib as cl  # noqa: E402
import course_lib.viz as viz  # noqa: E402
from course_lib.viz import explorers  # noqa: E402

OPT = cl.optimizers


def new_axes(**kwargs):
    fig = Figure(figsize=viz.FIGSIZE, dpi=viz.DPI)
    FigureCanvasAgg(fig)
    return fig.add_subplot(**kwargs)


def labelled(ax):
    return bool(ax.get_title()) and bool(ax.get_xlabel()) and bool(ax.get_ylabel())


def slider_values(slider, n=6):
    """n values across a slider's whole range (log sliders log-spaced), both ends included."""
    if isinstance(slider, widgets.FloatLogSlider):
        return list(slider.base ** np.linspace(slider.min, slider.max, n))
    if isinstance(slider, widgets.IntSlider):
        return sorted({int(v) for v in np.linspace(slider.min, slider.max, n).round()})
    if isinstance(slider, widgets.Checkbox):
        return [not slider.value, slider.value]
    return list(np.linspace(slider.min, slider.max, n))


@pytest.fixture
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ----------------------------------------------------------------------------------------------------
# plots
# ----------------------------------------------------------------------------------------------------


def test_palette_is_okabe_ito():
    assert viz.PALETTE == [
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    ]
    assert set(viz.LINE_COLORS) == set(viz.PALETTE)


@pytest.mark.parametrize("name", ["bowl", "rosenbrock", "saddle", "himmelblau"])
def test_contour_returns_contourset_with_labels(name, strict):
    f = cl.surface(name)
    ax = new_axes()
    cs = viz.contour(ax, f, (-3, 3), (-2, 4))
    assert isinstance(cs, ContourSet)
    assert labelled(ax) and ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-2, 4)
    levels = np.asarray(cs.levels)
    if name == "saddle":  # unbounded below in the window: evenly spaced levels of f
        assert np.allclose(np.diff(levels), np.diff(levels)[0])
    else:  # log-spaced levels of the gap f - f*
        ratios = levels[1:] / levels[:-1]
        assert np.all(levels > 0) and np.allclose(ratios, ratios[0])
    ax.figure.canvas.draw()


def test_contour_rejects_bad_input():
    ax = new_axes()
    with pytest.raises(ValueError, match="objective"):
        viz.contour(ax, cl.surface("parabola"), (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="xlim"):
        viz.contour(ax, cl.surface("bowl"), (1, -1), (-1, 1))


def test_draw_paths_accepts_paths_arrays_dicts_and_batches(strict):
    f = cl.surface("bowl")
    one = cl.descend(f, OPT.SGD(lr=0.1), [0.0, 0.0], 10)
    batch = cl.descend(f, OPT.SGD(lr=np.array([[0.05], [0.2], [0.4]])), [0.0, 0.0], 10)
    ax = new_axes()
    assert len(viz.draw_paths(ax, one)) == 1
    assert len(viz.draw_paths(ax, one.xs)) == 1
    assert len(viz.draw_paths(ax, batch)) == 3
    lines = viz.draw_paths(ax, {"a": one, "b": one.xs[:5]})
    assert [line.get_label() for line in lines] == ["a", "b"]
    assert all(isinstance(line, Line2D) for line in lines)
    assert np.array_equal(lines[1].get_xydata(), one.xs[:5])
    assert labelled(ax) and ax.get_legend() is not None
    with pytest.raises(ValueError, match="paths"):
        viz.draw_paths(ax, np.zeros((4, 3)))


def test_surface3d(strict):
    f = cl.surface("himmelblau")
    path = cl.descend(f, OPT.Adam(lr=0.1), [0.0, 0.0], 20)
    ax = new_axes(projection="3d")
    artists = viz.surface3d(ax, f, (-5, 5), (-5, 5), path=path, n=30)
    assert artists["surface"] is not None and artists["path"] is not None
    assert labelled(ax) and ax.get_zlabel()
    ax.figure.canvas.draw()
    with pytest.raises(ValueError, match="ax3d"):
        viz.surface3d(new_axes(), f, (-5, 5), (-5, 5))


def test_value_curve_log_gap_and_shift(strict):
    ax = new_axes()
    values = np.array([5.0, 2.0, 1.0, 1.0])
    (line,) = viz.value_curve(ax, values, gap_to=1.0)
    y = line.get_ydata()
    assert ax.get_yscale() == "log" and labelled(ax) and "f*" in ax.get_ylabel()
    assert np.allclose(y[:2], [4.0, 1.0]) and np.all(y > 0)  # the exact zero is floored, still on the plot
    ax = new_axes()
    lines = viz.value_curve(ax, {"a": np.array([3.0, -1.0, -2.0]), "b": np.array([1.0, 0.5, 0.0])})
    assert [line.get_label() for line in lines] == ["a", "b"]
    assert np.allclose(lines[0].get_ydata()[:2], [5.0, 1.0])  # shifted by the overall minimum -2
    assert all(np.all(line.get_ydata() > 0) for line in lines)
    ax = new_axes()
    (line,) = viz.value_curve(ax, values, log=False)
    assert ax.get_yscale() == "linear" and np.array_equal(line.get_ydata(), values)


def test_tangent_staircase(strict):
    f = cl.surface("parabola")
    path = cl.descend(f, OPT.SGD(lr=0.3), [2.0], 6)
    ax = new_axes()
    artists = viz.tangent_staircase(ax, f, path)
    assert {"curve", "points", "tangents", "moves", "drops"} <= set(artists)
    assert len(artists["moves"].get_segments()) == 6 and len(artists["tangents"].get_segments()) == 7
    # a move follows the tangent: from (x_t, f(x_t)) to (x_{t+1}, f(x_t) + f'(x_t) (x_{t+1} - x_t))
    (x0, f0), (x1, pred) = artists["moves"].get_segments()[0]
    assert np.isclose(pred, f0 + (2 * x0 + 2) * (x1 - x0))
    assert labelled(ax)
    with pytest.raises(ValueError, match="objective"):
        viz.tangent_staircase(ax, cl.surface("bowl"), path)


def test_function_curve_and_subplots(strict):
    ax = new_axes()
    artists = viz.function_curve(ax, cl.surface("double_well"), (-2, 2))
    assert isinstance(artists["curve"], Line2D) and len(artists["minima"].get_xdata()) == 2
    assert labelled(ax) and ax.get_xlim() == (-2, 2)
    fig, axes = viz.subplots(ncols=2)
    try:
        assert len(axes) == 2 and tuple(fig.get_size_inches()) == viz.FIGSIZE and fig.dpi == viz.DPI
    finally:
        plt.close(fig)


def test_gradient_field_points_downhill(strict):
    f = cl.surface("ellipse")
    ax = new_axes()
    q = viz.gradient_field(ax, f, (-2, 2), (-2, 2), n=7)
    assert isinstance(q, Quiver) and labelled(ax)
    points = q.get_offsets()
    arrows = np.stack([q.U, q.V], axis=-1)
    assert np.all(np.sum(arrows * -f.grad(points), axis=-1) >= 0)


def test_state_arrows_and_their_update(strict):
    ax = new_axes()
    artists = viz.state_arrows(ax, [1.0, 2.0], {"−lr·g": [0.5, 0.0], "update": [0.2, 0.1]}, ellipse=[0.3, 0.1])
    assert isinstance(artists["−lr·g"], Quiver) and "ellipse" in artists and "legend" in artists
    viz.set_state_arrows(artists, [0.0, 0.0], {"−lr·g": [np.nan, 1.0], "update": [1.0, 1.0]}, ellipse=[0.5, 0.5])
    assert not artists["−lr·g"].get_visible()  # a non-finite arrow is hidden, never drawn as NaN
    assert np.allclose(artists["update"].get_offsets(), [[0.0, 0.0]])
    assert np.isclose(artists["ellipse"].get_width(), 1.0)
    assert labelled(ax)
    ax.figure.canvas.draw()


def test_auto_limits():
    xlim, ylim = viz.auto_limits(np.array([[0.0, 0.0], [7.0, 3.0]]))
    assert xlim[0] < 0 and xlim[1] > 7 and ylim[0] < 0 and ylim[1] > 3
    xlim, ylim = viz.auto_limits(np.array([[1.0]]), include=np.array([[-1.0]]))
    assert ylim is None and xlim[0] < -1 < 1 < xlim[1]
    xlim, ylim = viz.auto_limits([[2.0, 2.0]])  # a single point still gets a window
    assert xlim[0] < 2 < xlim[1] and ylim[0] < 2 < ylim[1]
    with pytest.raises(ValueError, match="points"):
        viz.auto_limits(np.full((3, 2), np.nan))


# ----------------------------------------------------------------------------------------------------
# explorers: build, drive every slider, divergence, clicks, zoom
# ----------------------------------------------------------------------------------------------------

RACE = {
    "SGD": OPT.SGD(lr=0.05),
    "momentum": OPT.SGD(lr=0.05, momentum=0.9),
    "RMSprop": OPT.RMSprop(lr=0.05),
    "Adam": OPT.Adam(lr=0.1),
}


def make(kind, dim):
    f = cl.surface("bowl" if dim == 2 else "double_well")
    x0 = [1.0, -1.0] if dim == 2 else [1.8]
    if kind == "descent":
        return viz.descent_explorer(
            f,
            "SGD",
            x0=x0,
            steps=25,
            params={"lr": (1e-3, 3.0, 0.1, "log"), "momentum": (0.0, 0.99, 0.5)},
            show_state=True,
            canvas="agg",
        )
    if kind == "race":
        return viz.race_explorer(f, RACE, x0=x0, steps=25, canvas="agg")
    return viz.sweep_explorer(
        f,
        "SGD",
        x0=x0,
        steps=25,
        x_param=("lr", np.geomspace(1e-3, 3.0, 6)),
        y_param=("momentum", np.linspace(0, 0.9, 4)),
        canvas="agg",
    )


def results(ex):
    """Identities of the runs an explorer currently shows (a new run is a new Path object)."""
    if isinstance(ex, viz.RaceExplorer):
        return tuple(id(p) for p in ex.paths.values())
    return id(ex.path)


@pytest.mark.parametrize("dim", [1, 2])
@pytest.mark.parametrize("kind", ["descent", "race", "sweep"])
def test_explorer_builds_and_every_slider_is_safe(kind, dim, strict, capsys):
    before = plt.get_fignums()
    ex = make(kind, dim)
    assert isinstance(ex, widgets.VBox) and isinstance(ex, viz.ExplorerBase)
    assert plt.get_fignums() == before  # not registered with pyplot: never shown twice
    assert ex.fig.axes and all(ax.get_title() for ax in ex.fig.axes if ax.get_label() != "<colorbar>")
    for name, slider in ex.sliders.items():
        for value in slider_values(slider):
            before, changed = results(ex), slider.value != value
            slider.value = value
            assert ex._background is not None  # the figure was drawn and the background cached
            if name != "step" and changed:  # a hyperparameter or the start: a new run
                assert results(ex) != before
        slider.value = slider_values(slider)[len(slider_values(slider)) // 2]
    assert capsys.readouterr() == ("", "")  # explorers never print
    ex.close()


def test_descent_path_updates_and_divergence_message(strict):
    f = cl.surface("bowl")
    ex = viz.descent_explorer(f, "SGD", x0=[0.0, 0.0], steps=30, params={"lr": (1e-3, 5.0, 0.1, "log")}, canvas="agg")
    small = ex.path
    assert not ex.message.get_visible()
    assert np.allclose(ex.line.get_xydata(), small.xs)
    ex.sliders["lr"].value = 5.0  # |1 - 2 lr| = 9: diverges
    assert ex.path is not small and bool(ex.path.diverged)
    assert ex.message.get_visible() and ex.message.get_text().startswith(f"diverged at step {int(ex.path.diverged_at)}")
    assert "lr" in ex.message.get_text()
    assert np.isfinite(ex.line.get_xydata()).all() and np.isfinite(ex.value_line.get_xydata()).all()
    ex.sliders["lr"].value = 0.01
    assert not bool(ex.path.diverged) and not ex.message.get_visible()
    assert not np.allclose(ex.path.xs, small.xs)


def test_descent_value_curve_is_gap_on_log_scale(strict):
    f = cl.surface("bowl")
    ex = viz.descent_explorer(f, "Adam", x0=[0.0, 0.0], steps=20, canvas="agg")
    assert ex.ax_value.get_yscale() == "log"
    assert np.allclose(ex.value_line.get_ydata(), np.maximum(ex.path.values - 0.0, 1e-300))
    saddle = viz.descent_explorer(cl.surface("saddle"), "SGD", x0=[1.0, 0.1], steps=20, canvas="agg")
    assert saddle.ax_value.get_yscale() == "symlog"  # no minimum known: f itself


def test_descent_play_click_and_zoom(strict):
    f = cl.surface("rosenbrock")
    ex = viz.descent_explorer(f, "Adam", x0=[-1.5, 2.0], steps=40, show_state=True, canvas="agg")
    ex.sliders["step"].value = 5
    assert len(ex.line.get_xdata()) == 6 and np.allclose(ex.current.get_xydata()[0], ex.path.xs[5])
    assert ex.arrows["update"].get_visible()
    assert np.allclose(ex.arrows["update"].get_offsets()[0], ex.path.xs[5])
    ex.ax_map.set_xlim(-1.0, 0.0)  # the learner zooms
    ex.click(ex.ax_map, -0.5, 1.5)  # ... and clicks a new start
    assert np.allclose(ex.path.xs[0], [-0.5, 1.5]) and np.isclose(ex.sliders["x0"].value, -0.5)
    ex.sliders["lr"].value = 0.01
    assert ex.ax_map.get_xlim() == (-1.0, 0.0)  # the zoom is kept


def test_a_slider_change_blits_instead_of_redrawing(strict):
    ex = viz.descent_explorer(cl.surface("ellipse"), "SGD", x0=[2.0, 1.0], steps=30, canvas="agg")
    ex.sliders["lr"].value = 0.2  # the fastest run: the value axis widens once to hold it (a full redraw)
    calls = []
    draw = ex.fig.canvas.draw
    ex.fig.canvas.draw = lambda: (calls.append(1), draw())
    for lr in (0.05, 0.1, 0.2):
        ex.sliders["lr"].value = lr
    ex.sliders["step"].value = 3
    assert calls == []  # only the moving artists were redrawn onto the cached background
    assert all(artist.get_animated() for artist in (ex.line, ex.value_line, ex.message))


def test_descent_invalid_setting_is_a_message(strict):
    ex = viz.descent_explorer(
        cl.surface("bowl"),
        "SGD",
        x0=[0.0, 0.0],
        steps=10,
        params={"momentum": (0.0, 0.9, 0.5)},
        fixed={"lr": 0.1, "nesterov": True},
        canvas="agg",
    )
    ex.sliders["momentum"].value = 0.0  # Nesterov needs momentum > 0
    assert ex.path is None and ex.message.get_visible() and "nesterov" in ex.message.get_text()
    ex.sliders["momentum"].value = 0.5
    assert ex.path is not None and not ex.message.get_visible()


def test_descent_rejects_bad_arguments():
    f = cl.surface("bowl")
    with pytest.raises(ValueError, match="x0"):
        viz.descent_explorer(f, x0=[0.0], canvas="agg")
    with pytest.raises(ValueError, match="optimizer"):
        viz.descent_explorer(f, "Adamm", x0=[0.0, 0.0], canvas="agg")
    with pytest.raises(ValueError, match="params"):
        viz.descent_explorer(f, "SGD", x0=[0.0, 0.0], params={"beta1": (0, 0.9, 0.5)}, canvas="agg")
    with pytest.raises(ValueError, match="params"):
        viz.descent_explorer(f, "SGD", x0=[0.0, 0.0], params={"lr": (1.0, 0.1, 0.5)}, canvas="agg")


def test_race_diverging_member_and_values(strict):
    f = cl.surface("bowl")
    ex = viz.race_explorer(f, RACE, x0=[0.0, 0.0], steps=30, canvas="agg")
    assert set(ex.paths) == set(RACE) and not ex.message.get_visible()
    first = ex.paths["SGD"]
    slider = ex.sliders["SGD: lr"]
    slider.value = slider.base**slider.max  # lr = 5: diverges
    assert ex.paths["SGD"] is not first and bool(ex.paths["SGD"].diverged)
    assert ex.paths["Adam"] is ex.paths["Adam"]  # the others are not recomputed
    assert ex.message.get_visible() and "SGD at step" in ex.message.get_text()
    assert "SGD" in ex.readout.value and "diverged" in ex.readout.value
    ex.sliders["step"].value = 10
    assert "step 10" in ex.readout.value
    assert f"{float(ex.paths['Adam'].values[10]):.4g}" in ex.readout.value
    ex.sliders["step"].value = 30
    ex.sliders["SGD: lr"].value = 0.05
    assert not ex.message.get_visible()


def test_race_start_moves_every_run(strict):
    ex = viz.race_explorer(cl.surface("himmelblau"), RACE, x0=[0.0, 0.0], steps=10, canvas="agg")
    ex.click(ex.ax_map, 1.0, -1.0)
    assert all(np.allclose(p.xs[0], [1.0, -1.0]) for p in ex.paths.values())


def test_sweep_grid_equals_separate_runs(strict):
    f = cl.surface("ill_conditioned")
    lrs, moms = np.geomspace(1e-3, 0.2, 5), np.linspace(0.0, 0.9, 4)
    ex = viz.sweep_explorer(
        f,
        "SGD",
        x0=[-4.0, 1.5],
        steps=40,
        x_param=("lr", lrs),
        y_param=("momentum", moms),
        fixed={"dampening": 0.0},
        canvas="agg",
    )
    assert ex.final_values.shape == (4, 5) and ex.batch.xs.shape == (41, 4, 5, 2)
    for i, j in [(0, 1), (3, 4)]:
        alone = cl.descend(f, OPT.SGD(lr=lrs[j], momentum=moms[i]), [-4.0, 1.5], 40)
        assert np.allclose(ex.batch.xs[:, i, j], alone.xs)
        expected = np.inf if alone.diverged else alone.values[-1]
        assert ex.final_values[i, j] == pytest.approx(expected)
        path = ex.select(i, j)
        assert np.allclose(path.xs, alone.xs) and bool(path.diverged) == bool(alone.diverged)
        last = int(alone.diverged_at) - 1 if alone.diverged else 40  # a diverged run is drawn to its last good point
        assert np.allclose(ex.line.get_xydata(), alone.xs[: last + 1])
    with pytest.raises(ValueError, match="j"):
        ex.select(0, 5)


def test_sweep_click_selects_cell_and_reports_divergence(strict):
    f = cl.surface("bowl")
    lrs = np.array([0.01, 0.1, 2.0])
    ex = viz.sweep_explorer(
        f, "SGD", x0=[0.0, 0.0], steps=20, x_param=("lr", lrs), y_param=("momentum", [0.0, 0.5]), canvas="agg"
    )
    assert ex.diverged[:, 2].all() and not ex.diverged[:, :2].any()
    ex.click(ex.ax_heat, 2.0, 0.0)
    assert ex.selected == (0, 2) and ex.message.get_visible() and "diverged" in ex.message.get_text()
    ex.click(ex.ax_heat, 0.1, 0.5)
    assert ex.selected == (1, 1) and not ex.message.get_visible()


def test_sweep_all_diverged(strict):
    ex = viz.sweep_explorer(
        cl.surface("bowl"),
        "SGD",
        x0=[1.0, 1.0],
        steps=20,
        x_param=("lr", [2.0, 4.0]),
        y_param=("momentum", [0.0, 0.2]),
        canvas="agg",
    )
    assert ex.diverged.all() and np.isinf(ex.final_values).all()
    assert ex.message.get_visible() and "every run diverged" in ex.message.get_text()
    ex.sliders["step"].value = 0
    ex.sliders["step"].value = 20


def test_image_canvas_renders_png(strict):
    ex = viz.descent_explorer(cl.surface("bowl"), "SGD", x0=[0.0, 0.0], steps=5, canvas="image")
    assert ex._view in ex.children and bytes(ex._view.value).startswith(b"\x89PNG")
    old = bytes(ex._view.value)
    ex.sliders["lr"].value = 0.5
    assert bytes(ex._view.value) != old


def test_step_anatomy_adds_up():
    f = cl.surface("ellipse")
    x = np.array([1.0, 1.0])
    opt = OPT.SGD(lr=0.1, momentum=0.9)
    state = opt.init(x)
    x1, state = opt.step(x, f.grad(x), state)
    arrows, semi, _ = viz.step_anatomy(opt, x1, f.grad(x1), state)
    assert semi is None
    assert np.allclose(arrows["−lr·g"] + arrows["momentum"], arrows["update"])  # update = -lr g - lr mu b
    rms = OPT.RMSprop(lr=0.01, alpha=0.9)
    g = f.grad(x)
    arrows, semi, _ = viz.step_anatomy(rms, x, g, rms.init(x))
    scale = 0.01 / (np.sqrt(0.1) * np.abs(g) + 1e-8)  # v_1 = (1 - alpha) g**2
    assert np.allclose(semi, scale * np.linalg.norm(g))
    assert np.allclose(arrows["update"], -scale * g)


def test_explorer_base_subclass_example(strict):
    """The example in ExplorerBase's docstring, verbatim in spirit: noisy gradient descent."""

    class NoisyDescent(viz.ExplorerBase):
        def __init__(self, f, x0, steps=100):
            self.f, self.x0 = f, np.asarray(x0, float)
            super().__init__({"lr": (1e-3, 1, 0.05, "log"), "noise": (0, 3, 1)}, steps=steps, canvas="agg")

        def setup(self):
            ax = self.fig.add_subplot()
            viz.contour(ax, self.f, *viz.auto_limits(self.x0, include=self.f.minima))
            (self.line,) = self.animate(*viz.draw_paths(ax, self.x0[None]))

        def compute(self, v):
            def noisy(x, t, rng):
                return self.f.grad(x) + v["noise"] * rng.standard_normal(x.shape)

            self.path = cl.descend(self.f, cl.optimizers.SGD(lr=v["lr"]), self.x0, self.steps, grad_fn=noisy, rng=0)

        def draw(self, step):
            self.line.set_data(*self.path.xs[: step + 1].T)

    ex = NoisyDescent(cl.surface("bowl"), [0.0, 0.0], steps=20)
    quiet = ex.path
    ex.sliders["noise"].value = 0.0
    assert not np.allclose(ex.path.xs, quiet.xs)
    assert np.allclose(ex.path.xs, cl.descend(cl.surface("bowl"), OPT.SGD(lr=0.05), [0.0, 0.0], 20).xs)
    ex.sliders["step"].value = 4
    assert len(ex.line.get_xdata()) == 5


def test_computing_layer_does_not_import_viz():
    code = (
        "import sys, course_lib, course_lib.objectives, course_lib.optimizers, course_lib.descent\n"
        "bad = [m for m in ('course_lib.viz', 'matplotlib', 'ipywidgets', 'ipympl') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_explorers_module_exports():
    for name in ("descent_explorer", "race_explorer", "sweep_explorer", "ExplorerBase"):
        assert getattr(viz, name) is getattr(explorers, name)


def test_ipympl_canvas_is_the_view_and_blits(strict):
    pytest.importorskip("ipympl")
    from ipympl.backend_nbagg import Canvas

    ex = viz.descent_explorer(cl.surface("bowl"), "Adam", x0=[0.0, 0.0], steps=20, show_state=True, canvas="widget")
    assert isinstance(ex.fig.canvas, Canvas) and ex.fig.canvas in ex.children
    assert ex._background is not None and ex.fig.canvas._data_url  # drawn once: a saved notebook shows a PNG
    before = ex.fig.canvas._data_url
    ex.sliders["lr"].value = 0.5
    ex.sliders["step"].value = 3
    assert ex.fig.canvas._data_url != before  # the blitted frame went out to the (absent) browser
    ex.close()
