"""Headless tests of course_lib.viz.explorers_adaptive (Agg canvas, warnings are errors)."""

import numpy as np
import pytest
from explorer_support import slider_values, strict  # noqa: F401 (the fixture is used automatically)

import course_lib as cl
from course_lib.optimizers import Adagrad, Adam, RMSprop
from course_lib.viz.explorers_adaptive import (
    DecayExplorer,
    EffectiveLrExplorer,
    effective_lr,
    gradient_schedule,
    race_panels,
)


def test_effective_lr_matches_adagrad_and_rmsprop_formulas():
    g = gradient_schedule(10.0, 0.1, 50, 120)
    s = np.cumsum(g[:, 0] ** 2)
    assert np.allclose(effective_lr(Adagrad(lr=0.01, eps=0.0), g)[:, 0], 0.01 / np.sqrt(s))
    v, expected = 0.0, []
    for gt in g[:, 0]:
        v = 0.9 * v + 0.1 * gt**2
        expected.append(0.01 / (np.sqrt(v) + 1e-8))
    curve = effective_lr(RMSprop(lr=0.01, alpha=0.9), g)[:, 0]
    assert np.allclose(curve, expected)
    assert curve[-1] > 30 * curve[49]  # RMSprop's rate grows again once the gradients shrink


@pytest.mark.parametrize("bad", [np.zeros((3, 1)), np.array([[1.0], [np.nan]]), np.zeros((0, 1))])
def test_effective_lr_rejects_bad_gradients(bad):
    with pytest.raises(ValueError, match="grads"):
        effective_lr(Adam(), bad)


def test_gradient_schedule_validates():
    with pytest.raises(ValueError, match="switch"):
        gradient_schedule(1.0, 0.1, 20, 10)
    with pytest.raises(ValueError, match="small"):
        gradient_schedule(1.0, -0.1, 2, 10)


def test_effective_lr_explorer_sweeps_every_slider():
    ex = EffectiveLrExplorer(steps=80, canvas="agg")
    for slider in ex.sliders.values():
        lo, hi = (slider.min, slider.max)
        values = [10**lo, 10**hi] if type(slider).__name__ == "FloatLogSlider" else [lo, hi]
        for value in values:
            slider.value = value
            assert set(ex.curves) == {"Adagrad", "RMSprop", "Adam"}
            for curve in ex.curves.values():
                assert curve.shape == (80,) and np.all(np.isfinite(curve)) and np.all(curve > 0)
    ex.close()


def test_decay_explorer_paths_and_sliders_including_divergence():
    f = cl.objective("50*(x - 1)**2 + (y - 1)**2/2")
    ex = DecayExplorer(f, x0=[0.0, 0.0], steps=200, xlim=(-0.2, 1.3), ylim=(-0.2, 1.3), canvas="agg")
    l2, w = ex.paths["Adam + L2"], ex.paths["AdamW"]
    assert np.allclose(l2.xs[0], [0, 0]) and np.allclose(w.xs[0], [0, 0])
    assert not np.allclose(l2.x, w.x, atol=1e-2)
    for name in ("lambda", "lr"):
        slider = ex.sliders[name]
        for value in (10**slider.min, 10**slider.max):
            slider.value = value
            for path in ex.paths.values():
                assert path.xs.shape == (201, 2)
                assert np.all(np.isfinite(path.xs))
    ex.sliders["step"].value = 0
    assert "step 0" in ex.text.get_text()
    ex.close()


def test_decay_explorer_validates():
    with pytest.raises(ValueError, match="x0"):
        DecayExplorer(cl.surface("bowl"), x0=[1.0, 2.0, 3.0], canvas="agg")


def test_race_panels_draws_one_panel_per_problem():
    from matplotlib.figure import Figure

    fig = Figure()
    problems = {
        "bowl": (cl.surface("bowl"), [0.0, 0.0], (-1, 8), (-1, 4)),
        "ellipse": (cl.surface("ellipse"), [2.0, 1.0], (-3, 3), (-2, 2)),
    }
    runs = race_panels(fig, problems, lambda title: {"Adam": Adam(lr=0.1), "Adagrad": Adagrad(lr=0.5)}, 50)
    assert len(fig.axes) >= 2 and set(runs) == set(problems)
    assert runs["bowl"]["Adam"].xs.shape == (51, 2)
