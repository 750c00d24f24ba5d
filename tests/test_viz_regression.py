"""The regression explorer, driven headlessly (Agg canvas, warnings as errors)."""

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import regression as R  # noqa: E402
from course_lib.viz import explorers_regression as xr  # noqa: E402


@pytest.fixture
def explorer():
    X, y = R.seed_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = xr.regression_explorer(R.add_bias(X), y, beta0=[10.1, 15.1, -6.5], steps=1500, canvas="agg")
    yield ex
    ex.close()


def test_default_run_matches_descend_and_the_stability_limit(explorer):
    assert explorer.stability_limit == pytest.approx(2 / 31.2685, rel=1e-4)
    assert explorer.path.xs.shape == (1501, 3)
    assert not explorer.path.diverged
    assert 1e-3 < np.abs(explorer.path.x - [1, 2, 3]).max() < 0.2  # 1500 steps at lr = 0.01: not there yet


def test_lr_slider_across_its_range_including_divergence(explorer):
    slider = explorer.sliders["lr"]
    limit = explorer.stability_limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lr in [10**slider.min, 0.003, 0.01, 0.03, 0.06, 0.063, 0.0645, 0.07, 0.085, 10**slider.max]:
            slider.value = lr
            message = explorer.message.get_text() if explorer.message.get_visible() else ""
            if lr < limit:
                assert not explorer.path.diverged and message == ""
                assert explorer.path.value < explorer.path.values[0]
            else:
                assert explorer.path.diverged and "diverged" in message and "2/λmax" in message
            explorer.fig.canvas.draw()


def test_step_slider_moves_the_drawing(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for step in (0, 1, 1000, 1500):
            explorer.sliders["step"].value = step
            x, _ = explorer.beta_lines[0].get_data()
            assert len(x) == step + 1
            assert f"step {step}:" in explorer.status.get_text()
        explorer.sliders["lr"].value = 0.1  # diverges at step 20: the drawing stops at the last good point
        explorer.sliders["step"].value = 1500
        x, _ = explorer.beta_lines[0].get_data()
        assert len(x) == int(explorer.path.diverged_at)


def test_other_losses_and_bad_input():
    X, y, _ = R.make_data(40, 2, noise=0.1, rng=0)
    ex = xr.regression_explorer(X, y, beta0=[0.0, 0.0], loss="rmse", steps=50, canvas="agg", lr=(1e-3, 1.0, 0.1))
    assert ex.stability_limit is None and ex.path.steps == 50
    ex.close()
    with pytest.raises(ValueError, match="^beta0:"):
        xr.regression_explorer(X, y, beta0=[0.0], canvas="agg")
    with pytest.raises(ValueError, match="^names:"):
        xr.regression_explorer(X, y, beta0=[0.0, 0.0], names=["a"], canvas="agg")
    with pytest.raises(ValueError, match="^loss:"):
        xr.regression_explorer(X, y, beta0=[0.0, 0.0], loss="huber", canvas="agg")
