"""Slider widgets of the explorers: round grids, exact values, names that say what a slider sets.

A browser slider writes back ``min + k * step`` in binary floating point (``-2.22e-16`` where the learner sees
0); the sliders here snap every value to the round numbers of their grid, so what the readout shows is exactly
what the kernel uses. Every control carries an accessible name (its ``tooltip``): what it sets, in words.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from traitlets import validate

__all__ = ["make_slider", "accessible_name", "widen_to"]

# What a slider sets, in words (the last part of a name such as "Adam: lr").
_MEANINGS = {
    "lr": "learning rate",
    "momentum": "momentum coefficient",
    "beta1": "first-moment decay beta1",
    "beta2": "second-moment decay beta2",
    "betas": "moment decays",
    "eps": "epsilon",
    "weight_decay": "weight decay",
    "lambda": "decay coefficient lambda",
    "alpha": "averaging coefficient alpha",
    "rho": "averaging coefficient rho",
    "lr_decay": "learning-rate decay",
    "dampening": "dampening",
    "step": "step shown",
    "batch_size": "batch size",
    "epochs": "number of epochs",
    "seed": "random seed",
    "sigma": "gradient-noise level sigma",
    "noise": "gradient-noise level",
    "cooling": "cool the noise to zero",
    "big": "gradient size before the switch",
    "small": "gradient size after the switch",
    "switch": "step where the gradient size changes",
}


def accessible_name(name, kind="linear"):
    """The name a screen reader announces for the control ``name``: its label and what it sets, e.g.
    ``"lr (learning rate), log scale"``, ``"Adam: lr (learning rate)"`` or ``"x0 (start x)"``."""
    label = str(name)
    last = label.rpartition(": ")[2]
    meaning = _MEANINGS.get(last)
    if meaning is None and len(last) >= 2 and last.endswith("0") and last[:-1].isidentifier():
        meaning = f"start {last[:-1]}"  # the start sliders x0, y0, w0, ...
    text = f"{label} ({meaning})" if meaning and meaning != last else label
    return text + (", log scale" if kind == "log" else "")


def _decimals(step):
    """Decimal places of a round step (1, 2 or 5 times a power of ten)."""
    return max(0, int(-np.floor(np.log10(step) + 1e-9)))


class GridSlider(widgets.FloatSlider):
    """A FloatSlider whose value is always a round number of its grid ``min + k * step`` (or exactly its
    ``default``, which a chapter may give off the grid, e.g. 1/3)."""

    default = None

    @validate("value")
    def _validate_value(self, proposal):
        value = super()._validate_value(proposal)
        step = float(self.step)
        if not (step > 0 and np.isfinite(value)):
            return value
        if self.default is not None and abs(value - self.default) < step / 2:
            return self.default
        k = np.round((value - self.min) / step)
        snapped = round(float(self.min + k * step), _decimals(step))
        return min(max(snapped, self.min), self.max)


class GridLogSlider(widgets.FloatLogSlider):
    """A FloatLogSlider whose value is rounded to the significant digits its grid needs (and shows)."""

    digits = 3
    default = None

    @validate("value")
    def _validate_value(self, proposal):
        value = super()._validate_value(proposal)
        if not (value > 0 and np.isfinite(value)):
            return value
        if self.default is not None and abs(np.log10(value / self.default)) < self.step / 2:
            return self.default
        snapped = float(f"{value:.{self.digits}g}")
        return min(max(snapped, self.base**self.min), self.base**self.max)


def widen_to(slider, value):
    """Widen ``slider``'s range to hold ``value`` (keeping its grid) and set it there (a click on the map)."""
    value = float(value)
    step = float(getattr(slider, "step", 0) or 0)
    if isinstance(slider, GridSlider) and step > 0:
        lo = round(float(np.floor(value / step + 1e-9) * step), _decimals(step))
        hi = round(float(np.ceil(value / step - 1e-9) * step), _decimals(step))
        slider.min, slider.max = min(slider.min, lo), max(slider.max, hi)
    else:
        slider.min, slider.max = min(slider.min, value), max(slider.max, value)
    slider.value = value


def make_slider(name, spec):
    """A widget from a slider spec ``(lo, hi, default)``, ``(lo, hi, default, "log")`` or ``(..., "int")``.

    A ``bool`` gives a checkbox; a ready ipywidgets value widget is returned as it is (given a tooltip, its
    accessible name, if it has none). Linear sliders take a round step (1, 2 or 5 times a power of ten,
    about 200 steps) and values on its grid; log sliders 200 steps per range with the default on the grid.
    """
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="330px")
    if isinstance(spec, widgets.ValueWidget):
        if not getattr(spec, "tooltip", None) and hasattr(spec, "tooltip"):
            spec.tooltip = accessible_name(getattr(spec, "description", "") or name)
        return spec
    if isinstance(spec, (bool, np.bool_)):
        return widgets.Checkbox(
            value=bool(spec), description=name, indent=False, tooltip=accessible_name(name, "checkbox")
        )
    try:
        lo, hi, default, *kind = spec
        lo, hi, default = float(lo), float(hi), float(default)
    except (TypeError, ValueError):
        raise ValueError(f"params[{name!r}]: expected (low, high, default[, 'log' | 'int']), got {spec!r}") from None
    kind = kind[0] if kind else "linear"
    if not (np.isfinite([lo, hi, default]).all() and lo < hi and lo <= default <= hi):
        raise ValueError(f"params[{name!r}]: expected finite low < high with low <= default <= high, got {spec!r}")
    tooltip = accessible_name(name, kind)
    if kind == "log":
        if lo <= 0:
            raise ValueError(f"params[{name!r}]: a log slider needs low > 0, got {spec!r}")
        a, b, d = np.log10(lo), np.log10(hi), np.log10(default)
        step = (b - a) / 200
        # Shift the grid of exponents so that the default is on it (the slider shows exactly that value).
        a = d - np.floor((d - a) / step + 1e-9) * step
        # Enough significant digits that neighbouring grid values stay distinct (at least 3).
        digits = max(3, 2 + int(np.floor(-np.log10(10**step - 1))))
        slider = GridLogSlider(
            value=default,
            base=10,
            min=a,
            max=b,
            step=step,
            description=name,
            readout_format=f".{digits}g",
            style=style,
            layout=layout,
            tooltip=tooltip,
        )
        slider.digits, slider.default = digits, default
        slider.value = default  # exactly the chapter's default, even off the round digits
        return slider
    if kind == "int":
        return widgets.IntSlider(
            value=int(round(default)),
            min=int(np.ceil(lo)),
            max=int(np.floor(hi)),
            description=name,
            style=style,
            layout=layout,
            tooltip=tooltip,
        )
    if kind != "linear":
        raise ValueError(f"params[{name!r}]: the fourth entry must be 'log' or 'int', got {kind!r}")
    # A round step, and a grid of its multiples, so that round defaults (0.9, -1.2, 2.0) are shown exactly.
    raw = (hi - lo) / 200
    unit = 10.0 ** np.floor(np.log10(raw))
    step = float(min(m * unit for m in (1, 2, 5, 10) if m * unit >= raw))
    places = _decimals(step)
    lo_grid = round(float(np.floor(lo / step + 1e-9) * step), places)
    hi_grid = round(float(np.ceil(hi / step - 1e-9) * step), places)
    slider = GridSlider(
        value=default,
        min=lo_grid,
        max=hi_grid,
        step=step,
        description=name,
        readout_format=".3g",
        style=style,
        layout=layout,
        tooltip=tooltip,
    )
    slider.default = default
    slider.value = default  # exactly the chapter's default, even off the grid
    return slider
