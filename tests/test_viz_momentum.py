"""Headless tests of course_lib.viz.explorers_momentum (Agg canvas, warnings are errors)."""

import numpy as np
import pytest
from explorer_support import slider_values, strict  # noqa: F401 (the fixture is used automatically)

from course_lib.viz.explorers_momentum import (
    NoiseExplorer,
    cloud_figure,
    distance_figure,
    stationary_spread,
)


def test_noise_explorer_floor_matches_the_formula():
    ex = NoiseExplorer(runs=150, steps=300, canvas="agg")
    assert ex.path.xs.shape == (301, 150, 2)
    assert np.isclose(ex.spread, ex.predicted, rtol=0.15)
    with ex.hold():
        ex.sliders["lr"].value = 0.01
        ex.sliders["momentum"].value = 0.9
    assert np.isclose(ex.spread, ex.predicted, rtol=0.2)
    assert "floor" in ex.message.get_text()


def test_noise_explorer_sweeps_every_slider_including_unstable_settings():
    ex = NoiseExplorer(runs=50, steps=150, canvas="agg")
    for name, slider in ex.sliders.items():
        for value in slider_values(slider):
            slider.value = value
            assert ex.path.xs.shape[1:] == (50, 2), name
    with ex.hold():
        ex.sliders["lr"].value = 10 ** ex.sliders["lr"].max  # 0.6 with h = 4 and no momentum: lr h > 2
        ex.sliders["momentum"].value = 0.0
        ex.sliders["noise"].value = 3.0
    assert not np.isfinite(ex.predicted) and ex.path.diverged.any()
    assert "diverged" in ex.message.get_text()
    ex.sliders["noise"].value = 0.0
    assert ex.spread >= 0
    ex.fig.canvas.draw()


def test_noise_explorer_average_is_the_running_mean():
    ex = NoiseExplorer(runs=20, steps=50, canvas="agg")
    xs = ex.path.xs[:, 0]
    np.testing.assert_allclose(ex.average[-1], xs.mean(axis=0))
    np.testing.assert_allclose(ex.average[9], xs[:10].mean(axis=0))


def test_noise_explorer_validates():
    with pytest.raises(ValueError, match="curvatures"):
        NoiseExplorer(curvatures=(1.0, -1.0), canvas="agg")


def test_stationary_spread_reduces_to_plain_sgd():
    lr, h, sigma = 0.1, 2.0, 1.5
    assert np.isclose(stationary_spread(lr, 0.0, h, sigma), lr * sigma**2 / (h * (2 - lr * h)))
    assert np.all(stationary_spread(0.1, 0.5, np.array([1.0, 4.0]), 1.0) > 0)


def test_static_figures():
    fig = distance_figure({"a": np.array([1.0, 0.1, 0.0])}, title="d")
    assert fig.axes[0].get_yscale() == "log"
    fig = cloud_figure({"a": np.zeros((5, 2)), "b": np.ones((5, 2))}, lim=2.0, title="c")
    assert len(fig.axes) == 2
