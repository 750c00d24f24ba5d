"""The answer object of every check: a verdict and one friendly sentence."""

from __future__ import annotations

import dataclasses
import html

import numpy as np

__all__ = ["Feedback", "correct", "hint", "as_array", "call"]


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The verdict of a check. ``ok`` is True for a right answer; ``message`` says why, or what to look at."""

    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return ("✅ Correct! " if self.ok else "❌ Not yet. ") + self.message

    def _repr_html_(self):
        colour = "#009E73" if self.ok else "#D55E00"
        return f'<div style="border-left: 4px solid {colour}; padding: 4px 8px">{html.escape(repr(self))}</div>'


def correct(message):
    return Feedback(True, message)


def hint(message):
    return Feedback(False, message)


def as_array(answer, name="answer"):
    """The answer as a float array, or a Feedback explaining why it could not be read."""
    try:
        value = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return hint(f"{name} should be a number or an array of numbers; got {type(answer).__name__}.")
    if not np.all(np.isfinite(value)):
        return hint(f"{name} contains nan or inf: check for a division by zero or a step that blew up.")
    return value


def call(function, *args, **kwargs):
    """The learner's ``function(*args, **kwargs)``, or a Feedback saying what went wrong (not a function, or
    it raised)."""
    if not callable(function):
        return hint(f"pass your function itself (without calling it); got a {type(function).__name__}.")
    try:
        return function(*args, **kwargs)
    except Exception as err:  # the learner's code may raise anything: report it, never crash the notebook
        return hint(f"calling your function raised {type(err).__name__}: {err}")
