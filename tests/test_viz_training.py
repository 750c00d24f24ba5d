"""Headless tests of course_lib.viz.explorers_training (Agg canvas, warnings are errors)."""

import dataclasses

import numpy as np
import pytest
from explorer_support import strict  # noqa: F401 (the fixture is used automatically)

from course_lib.datasets import load_breast_cancer
from course_lib.models import MLP, LogisticRegression
from course_lib.training import decay_grid, race
from course_lib.viz.explorers_training import (
    TrainingExplorer,
    decay_heatmaps,
    lr_sweep_figure,
    make_optimizer,
    race_curves_figure,
)

DATA = load_breast_cancer(seed=0)
TEST = (DATA.X_test, DATA.y_test)


@pytest.fixture(scope="module")
def logistic_race():
    model = LogisticRegression(DATA.X_train, DATA.y_train)
    return model, race(model, lrs=np.logspace(-4, 1, 11), seeds=(0, 1), epochs=4, batch_size=64, test=TEST,
                       weight_decay=0.01)  # fmt: skip


def test_explorer_starts_at_the_tuned_lr_and_marks_the_tuned_run(logistic_race):
    model, result = logistic_race
    ex = TrainingExplorer(model, result, test=TEST, optimizer="Adam", canvas="agg")
    assert ex.sliders["lr"].value == pytest.approx(result.tuned_lr["Adam"], rel=1e-3)
    assert ex.sliders["batch_size"].value == 64 and ex.sliders["weight_decay"].value == 0.01
    assert ex.run.train_loss.shape == (5, 3)
    # the dotted line is the race's tuned Adam run (median over its seeds)
    np.testing.assert_allclose(ex.tuned_line.get_ydata(), np.median(result.tuned("Adam")["train_loss"], axis=-1))
    assert "tuned lr" in ex.readout.value and "Adam" in ex.readout.value
    # at the race's settings and seeds the explorer reproduces the race's number for its own seeds 0 and 1
    ex2 = TrainingExplorer(model, result, test=TEST, optimizer="Adam", seeds=(0, 1), canvas="agg")
    np.testing.assert_allclose(ex2.run.train_loss[-1], result.tuned("Adam")["train_loss"][-1], rtol=1e-9)


def test_explorer_every_optimizer_and_slider_end(logistic_race):
    model, result = logistic_race
    ex = TrainingExplorer(model, result, test=TEST, canvas="agg")
    for name in result.names:
        ex.sliders["optimizer"].value = name
        assert ex.tuned_lr == result.tuned_lr[name]
        for lr in (1e-4, 10.0):
            ex.sliders["lr"].value = lr
            assert np.all(np.isfinite(ex.run.W))
    for slider in ("batch_size", "momentum", "weight_decay"):
        s = ex.sliders[slider]
        for value in (s.min, s.max):
            s.value = value
            assert np.all(np.isfinite(ex.run.W)), slider
    ex.fig.canvas.draw()


def test_explorer_reports_a_bad_setting_in_words(logistic_race):
    model, result = logistic_race
    ex = TrainingExplorer(model, result, test=TEST, optimizer="SGD + momentum", canvas="agg")
    with ex.hold():
        ex.sliders["lr"].value = 10.0
        ex.sliders["momentum"].value = 0.99
        ex.sliders["batch_size"].value = 4
    assert ex.final["train_loss"] > 10 * result.train_loss.min()
    assert f"training loss {ex.final['train_loss']:.3g}" in ex.readout.value
    assert "nan" not in ex.readout.value and "test accuracy" in ex.message.get_text()


def test_controls_have_accessible_names(logistic_race):
    model, result = logistic_race
    ex = TrainingExplorer(model, result, test=TEST, canvas="agg")
    for name, widget in ex.sliders.items():
        assert widget.tooltip, name
    assert "learning rate" in ex.sliders["lr"].tooltip


def test_explorer_rejects_bad_input(logistic_race):
    model, result = logistic_race
    with pytest.raises(ValueError, match="optimizer"):
        TrainingExplorer(model, result, test=TEST, optimizer="Adamax", canvas="agg")
    with pytest.raises(ValueError, match="test"):
        TrainingExplorer(model, result, test=None, canvas="agg")
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("Adamax", 0.1, 0.9, 0.0)


def test_mlp_explorer_starts_from_random_points():
    model = MLP(DATA.X_train, DATA.y_train, hidden=3)
    result = race(model, lrs=[1e-3, 1e-2, 1e-1], seeds=(0,), epochs=1, batch_size=100, test=TEST,
                  optimizers=["Adam", "SGD"], warn=False)  # fmt: skip
    ex = TrainingExplorer(model, result, test=TEST, optimizer="SGD", canvas="agg")
    assert not np.allclose(ex.starts[0], ex.starts[1])


def test_static_figures_build(logistic_race):
    model, result = logistic_race
    assert lr_sweep_figure(result, title="t").axes[0].get_xscale() == "log"
    fig = race_curves_figure(result, f_star=0.08, title="t")
    assert fig.axes[0].get_yscale() == "log"
    ref = dataclasses.replace(result.run, train_loss=np.array([0.7, 0.2, 0.1]))
    with_ref = result.with_reference("L-BFGS", ref)
    fig = race_curves_figure(with_ref, f_star=0.08, passes={"L-BFGS": [1, 3, 5]}, title="t")
    assert list(fig.axes[0].lines[-1].get_xdata()) == [1, 3, 5]  # drawn at its passes, not its iterations
    with pytest.raises(ValueError, match="passes"):
        race_curves_figure(with_ref, passes={"L-BFGS": [1, 3]}, title="t")
    grids = [decay_grid(model, m, lrs=[0.01, 0.1], decays=[0.0, 0.1], seeds=(0,), epochs=1, batch_size=100,
                        test=TEST) for m in ("Adam + L2", "AdamW")]  # fmt: skip
    fig = decay_heatmaps(grids, title="t")
    assert len(fig.axes) == 3  # two maps and the colour bar
