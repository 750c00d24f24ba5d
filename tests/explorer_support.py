"""Shared by the headless tests of the chapters' explorers: Agg canvas, warnings as errors, slider sweeps."""

import warnings

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def strict():
    """Every warning is an error: an explorer must stay quiet for any slider value."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def slider_values(slider):
    """Both ends and the middle of a slider's range (in its own spacing); both states of a checkbox."""
    if type(slider).__name__ == "FloatLogSlider":
        return [10**slider.min, 10**slider.max, 10 ** ((slider.min + slider.max) / 2)]
    if type(slider).__name__ == "Checkbox":
        return [True, False]
    return [
        slider.min,
        slider.max,
        (slider.min + slider.max) / 2 if isinstance(slider.min, float) else slider.min,
    ]
