"""Shared pytest configuration for the course.

Notebook part (nbval)
---------------------
`pytest` runs every chapter notebook with nbval (see pyproject.toml) and compares the stored outputs with a
fresh run, after tests/nbval_sanitize.cfg has masked what legitimately changes between runs. Some output
*formats* are not comparable at all and are left out of the comparison here, while the plain-text form of the
same output (always present beside them) is still compared:

- ``text/html``: ipympl's static fallback for a live figure, a ``<div>`` around a base64 PNG of the canvas.
- ``application/vnd.jupyter.widget-view+json`` / ``...widget-state+json``: widget model ids are random.
  The ``text/plain`` beside a widget view is its Python repr (``DescentExplorer(children=(GridBox(...``, cut
  at 110 characters), which changes with any layout detail; it is compared as a fixed ``<widget view>``, so a
  widget that disappears from a cell still fails, while its layout does not.
- ``image/png``, ``image/jpeg``, ``image/svg+xml``: rendered pixels. With the pinned matplotlib they are
  identical run to run on one machine, but they change with the installed fonts and FreeType build, so a
  learner's or CI's machine would fail on pixels that carry no teaching content. The numbers behind every
  figure are asserted in the unit tests and in printed notebook outputs instead.

nbval reads the list from ``IPyNbFile.skip_compare`` when it compares a cell, so ``pytest_collectstart``
extends that tuple on each notebook collector, and ``pytest_itemcollected`` wraps each cell's comparison for
the widget reprs. The hooks live on a small plugin object registered in ``pytest_configure``. This file sits at
the project root, so it is loaded for every run: plain ``pytest``, ``make test``, or a single notebook such as
``pytest notebooks/03_learning_rate.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

NBVAL_SKIP_COMPARE = (
    "text/html",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "image/png",
    "image/jpeg",
    "image/svg+xml",
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_TEXT = "<widget view>"

_NBVAL_PLUGIN_NAME = "course-nbval-compare"


def _widget_text_masked(outputs):
    """The outputs with the text/plain repr of each widget view replaced by WIDGET_TEXT (as copies)."""
    import nbformat

    masked = []
    for out in outputs:
        data = out.get("data") if hasattr(out, "get") else None
        if data and WIDGET_VIEW in data and "text/plain" in data:
            out = nbformat.from_dict({**out, "data": {**data, "text/plain": WIDGET_TEXT}})
        masked.append(out)
    return masked


class _NbvalCompare:
    """Adjusts nbval's comparison for every notebook, wherever it lives (see the module docstring)."""

    @staticmethod
    def pytest_collectstart(collector):
        try:
            from nbval.plugin import IPyNbFile
        except ImportError:  # nbval not installed: nothing to adjust
            return
        if isinstance(collector, IPyNbFile):
            current = tuple(collector.skip_compare)
            collector.skip_compare = current + tuple(m for m in NBVAL_SKIP_COMPARE if m not in current)

    @staticmethod
    def pytest_itemcollected(item):
        try:
            from nbval.plugin import IPyNbCell
        except ImportError:
            return
        if isinstance(item, IPyNbCell):
            compare = item.compare_outputs

            def compare_outputs(test, ref, skip_compare=None):
                return compare(_widget_text_masked(test), _widget_text_masked(ref), skip_compare)

            item.compare_outputs = compare_outputs


def pytest_configure(config):
    # Resolve the sanitizer file against the project root, so pytest also works when started from elsewhere.
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute():
        candidate = Path(config.rootpath, sanitize)
        if candidate.is_file():
            config.option.nbval_sanitize_with = str(candidate)
    if not config.pluginmanager.has_plugin(_NBVAL_PLUGIN_NAME):
        config.pluginmanager.register(_NbvalCompare(), _NBVAL_PLUGIN_NAME)
