"""Headless tests of course_lib.viz.explorers_sgd (Agg canvas, warnings are errors)."""

import numpy as np
import pytest
from explorer_support import slider_values, strict  # noqa: F401 (the fixture is used automatically)

import course_lib as cl
from course_lib import regression as reg
from course_lib.viz.explorers_sgd import (
    AnnealingExplorer,
    MinibatchExplorer,
    escape_figure,
    loglog_figure,
    loglog_slope,
    noisy_gradient,
    passes_figure,
)


@pytest.fixture(scope="module")
def regression_data():
    X, y, _ = reg.make_data(60, 2, noise=1.0, rng=3)
    return X, y


def test_minibatch_explorer_paths_and_step_counts(regression_data):
    X, y = regression_data
    ex = MinibatchExplorer(X, y, beta0=[-2.0, 2.5], epochs=2, batch_size=10, canvas="agg")
    assert ex.path.steps == 2 * 6 and ex.full_path.steps == 2
    assert ex.path.xs.shape == (13, 2)
    np.testing.assert_array_equal(ex.path.xs[0], [-2.0, 2.5])
    # full batch: plain gradient descent on the MSE
    gd = cl.descend(ex.objective, cl.optimizers.SGD(lr=ex.sliders["lr"].value), [-2.0, 2.5], 2)
    np.testing.assert_allclose(ex.full_path.xs, gd.xs)
    # batch size n: SGD takes the full-batch steps too
    ex.sliders["batch_size"].value = 60
    np.testing.assert_allclose(ex.path.xs, ex.full_path.xs, atol=1e-12)


def test_minibatch_explorer_sweeps_every_slider(regression_data):
    X, y = regression_data
    ex = MinibatchExplorer(X, y, beta0=[0.0, 0.0], canvas="agg")
    for name, slider in ex.sliders.items():
        for value in slider_values(slider):
            slider.value = value
            assert np.isfinite(ex.path.xs).all(), name
    ex.sliders["lr"].value = 10 ** ex.sliders["lr"].max  # 3.0 > 2/L: diverges
    assert ex.path.diverged.any() or ex.full_path.diverged.any()
    assert "diverged" in ex.message.get_text()
    ex.fig.canvas.draw()


def test_minibatch_explorer_rejects_bad_input(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="beta0"):
        MinibatchExplorer(X, y, beta0=[0.0], canvas="agg")
    with pytest.raises(ValueError, match="X"):
        MinibatchExplorer(np.ones((10, 3)), np.ones(10), beta0=[0.0, 0.0], canvas="agg")


def test_annealing_explorer_escape_grows_with_noise_and_sweeps():
    well = cl.surface("double_well")
    ex = AnnealingExplorer(well, x0=well.minima[1, 0], barrier=0.0754, particles=200, steps=400, canvas="agg")
    ex.sliders["sigma"].value = 0.0
    assert ex.fraction_global == 0.0
    assert np.allclose(ex.final, well.minima[1, 0], atol=1e-6)
    ex.sliders["sigma"].value = 4.0
    assert ex.fraction_global > 0.3
    for name, slider in ex.sliders.items():
        for value in slider_values(slider):
            slider.value = value
            assert ex.final.shape == (200,), name
    with ex.hold():
        ex.sliders["lr"].value = 0.1
        ex.sliders["sigma"].value = 6.0
    assert 0 <= ex.fraction_global <= 1
    ex.fig.canvas.draw()


def test_annealing_explorer_cooling_settles_the_particles():
    well = cl.surface("double_well")
    ex = AnnealingExplorer(well, x0=well.minima[1, 0], barrier=0.0754, particles=200, steps=400, canvas="agg")
    ex.sliders["sigma"].value = 3.0
    ex.sliders["cooling"].value = True
    minima = well.minima[:, 0]
    nearest = np.min(np.abs(ex.final[:, None] - minima[None]), axis=1)
    assert np.all(nearest < 1e-2)  # cooled to zero noise: every particle sits in a minimum


def test_noisy_gradient_validates_and_is_seeded():
    f = cl.objective("x**2/2")
    with pytest.raises(ValueError, match="sigma"):
        noisy_gradient(f, -1.0)
    with pytest.raises(ValueError, match="cool_until"):
        noisy_gradient(f, 1.0, cool_until=0)
    g = noisy_gradient(f, 2.0)
    a = g(np.zeros((5, 1)), 0, np.random.default_rng(1))
    b = g(np.zeros((5, 1)), 0, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    cooled = noisy_gradient(f, 2.0, cool_until=10)
    np.testing.assert_array_equal(cooled(np.ones((3, 1)), 10, np.random.default_rng(0)), np.ones((3, 1)))


def test_static_figures():
    x = np.array([1, 2, 4, 8])
    assert np.isclose(loglog_slope(x, 3.0 / x), -1.0)
    fig = loglog_figure(x, {"a": (1 / x, "o")}, title="t", xlabel="x", ylabel="y")
    assert fig.axes[0].get_title() == "t"
    fig = escape_figure([0, 1], [0, 0.5], [0, 0.4])
    assert fig.axes[0].get_xlabel()
    fig = passes_figure({"a": (np.arange(3), np.array([1.0, 0.1, 0.0]))})
    assert fig.axes[0].get_yscale() == "log"
