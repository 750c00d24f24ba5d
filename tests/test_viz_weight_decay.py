"""Headless tests of course_lib.viz.weight_decay (Agg canvas, warnings are errors)."""

import numpy as np
import pytest
from explorer_support import strict  # noqa: F401 (the fixture is used automatically)

from course_lib.noise import tail_average
from course_lib.optimizers import Adam, AdamW
from course_lib.viz import plots
from course_lib.viz.weight_decay import (
    SettlingExplorer,
    fit_curves,
    fit_figure,
    settling_figure,
    settling_panel,
    tuning_figure,
    tuning_heatmap,
)


def test_fit_curves_draws_two_distinct_series_and_validates():
    fig, ax = plots.subplots()
    lams = np.geomspace(1e-3, 1, 5)
    a, b = fit_curves(ax, lams, lams, 2 * lams, best=2)
    assert a.get_linestyle() != b.get_linestyle() and a.get_marker() != b.get_marker()
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="lams"):
        fit_curves(ax, lams, lams[:3], lams)


def test_settling_panel_marks_predictions():
    fig, ax = plots.subplots()
    kw = {"steps": 300, "tail": 100, "sigma": (4.0, 0.1), "seeds": 3, "rng": 0}
    l2 = tail_average(lambda x: x - 1.0, Adam(lr=0.01, weight_decay=0.5), [1.0, 1.0], **kw)
    w = tail_average(lambda x: x - 1.0, AdamW(lr=0.01, weight_decay=0.5), [1.0, 1.0], **kw)
    p_l2, p_w = settling_panel(ax, l2, w, lam=0.5, sigma=(4.0, 0.1))
    assert np.allclose(p_l2, 2 / 3) and p_w[0] < 0.34 < 0.94 < p_w[1]
    labels = [line.get_label() for line in ax.get_lines()]
    assert "predicted, AdamW" in labels and "Adam + L2, mean" in labels


def test_tuning_heatmap_marks_each_rows_best_and_rejects_wrong_shapes():
    fig, ax = plots.subplots()
    loss = np.array([[0.3, 0.2, 0.4], [0.5, 0.6, 0.1]])
    tuning_heatmap(ax, [0.01, 0.1], [1e-3, 1e-2, 1e-1], loss, title="t")
    rows = [line for line in ax.get_lines() if line.get_label() == "best λ for this lr"][0]
    assert list(rows.get_xdata()) == [1, 2] and list(rows.get_ydata()) == [0, 1]
    with pytest.raises(ValueError, match="loss"):
        tuning_heatmap(ax, [0.01], [1e-3, 1e-2, 1e-1], loss, title="t")


def test_settling_explorer_runs_reports_and_rejects_bad_settings():
    ex = SettlingExplorer(steps=600, seeds=4, canvas="agg")
    try:
        assert set(ex.results) == {"Adam + L2", "AdamW"}
        assert "predicted" in ex.readout.value and "Gradient noise (4, 0.1)" in ex.describe()
        ex.sliders["noise x"].value = 1.0
        assert ex.sigma[0] == pytest.approx(1.0)
        assert np.allclose(ex.predictions["AdamW"][0], 0.654, atol=1e-3)
    finally:
        ex.close()
    for bad in ({"steps": 10}, {"seeds": 1}, {"steps": 1.5}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            SettlingExplorer(canvas="agg", **bad)


@pytest.mark.parametrize("end", ["low", "high"])
def test_settling_explorer_quiet_and_finite_at_every_slider_end(end):
    ex = SettlingExplorer(steps=400, seeds=3, canvas="agg")
    try:
        values = {"low": (0.01, 0.01, 0.01, 0.002), "high": (30.0, 30.0, 2.0, 0.03)}[end]
        with ex.hold():
            for name, value in zip(("noise x", "noise y", "lambda", "lr"), values, strict=True):
                ex.sliders[name].value = value
        ex.compute(ex.values)
        for result in ex.results.values():
            assert np.all(np.isfinite(result.per_seed))
    finally:
        ex.close()


def test_figure_builders_return_figures_with_the_expected_panels():
    lams = np.geomspace(1e-3, 1, 5)
    fig = fit_figure(lams, lams, 2 * lams - lams**2 * 0 + (lams - 0.1) ** 2)
    assert len(fig.axes) == 1 and "Best test loss" in fig.axes[0].get_title()
    kw = {"steps": 200, "tail": 50, "sigma": np.array([[4.0, 0.1], [1.0, 1.0]]), "seeds": 3, "rng": 0}
    runs = {
        "Adam + L2": tail_average(lambda x: x - 1.0, Adam(lr=0.01, weight_decay=0.5), np.ones((2, 2)), **kw),
        "AdamW": tail_average(lambda x: x - 1.0, AdamW(lr=0.01, weight_decay=0.5), np.ones((2, 2)), **kw),
    }
    fig = settling_figure(runs, lam=0.5, noise=kw["sigma"])
    assert len(fig.axes) == 2
    with pytest.raises(ValueError, match="noise"):
        settling_figure(runs, lam=0.5, noise=[4.0, 0.1])
    maps = {"a": np.ones((2, 3)), "b": np.arange(6.0).reshape(2, 3)}
    fig = tuning_figure(maps, [0.01, 0.1], {"a": [1, 2, 3], "b": [1, 2, 3]})
    assert len(fig.axes) == 3  # two maps and the colour bar
