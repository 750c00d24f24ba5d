"""Shared pytest configuration for the course.

Notebook part (nbval)
---------------------
`pytest` runs every chapter notebook with nbval (see pyproject.toml) and compares the stored outputs with a
fresh run, after tests/nbval_sanitize.cfg has masked what legitimately changes between runs. Some output
*formats* are not comparable at all and are left out of the comparison here, while the plain-text form of the
same output (always present beside them) is still compared:

- ``text/html``: ipympl's static fallback for a live figure, a ``<div>`` around a base64 PNG of the canvas.
- ``application/vnd.jupyter.widget-view+json`` / ``...widget-state+json``: widget model ids are random.
- ``image/png``, ``image/jpeg``, ``image/svg+xml``: rendered pixels. With the pinned matplotlib they are
  identical run to run on one machine, but they change with the installed fonts and FreeType build, so a
  learner's or CI's machine would fail on pixels that carry no teaching content. The numbers behind every
  figure are asserted in the unit tests and in printed notebook outputs instead.

nbval reads the list from ``IPyNbFile.skip_compare`` when it compares a cell, so the hook extends that tuple
on each notebook collector. The hook lives on a small plugin object registered in ``pytest_configure``: a hook
defined directly in this conftest would only see collectors below ``tests/`` and would miss ``notebooks/``.
Because this file is loaded whenever ``tests/`` is part of the run (plain ``pytest``, ``make test``), run a
single chapter with ``pytest -k 03_learning_rate`` rather than naming the notebook file alone.
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

_NBVAL_PLUGIN_NAME = "course-nbval-skip-compare"


class _NbvalSkipCompare:
    """Adds NBVAL_SKIP_COMPARE to every nbval notebook collector, wherever the notebook lives."""

    @staticmethod
    def pytest_collectstart(collector):
        try:
            from nbval.plugin import IPyNbFile
        except ImportError:  # nbval not installed: nothing to adjust
            return
        if isinstance(collector, IPyNbFile):
            current = tuple(collector.skip_compare)
            collector.skip_compare = current + tuple(m for m in NBVAL_SKIP_COMPARE if m not in current)


def pytest_configure(config):
    # Resolve the sanitizer file against the project root, so pytest also works when started from elsewhere.
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute():
        candidate = Path(config.rootpath, sanitize)
        if candidate.is_file():
            config.option.nbval_sanitize_with = str(candidate)
    if not config.pluginmanager.has_plugin(_NBVAL_PLUGIN_NAME):
        config.pluginmanager.register(_NbvalSkipCompare(), _NBVAL_PLUGIN_NAME)
