"""End-to-end: a course notebook with an explorer, run in JupyterLab inside a headless Chromium.

Checks that the ipympl canvas and the slider widgets render, that moving a slider redraws the figure, that the
browser console stays free of errors, and that the same explorer works in presentation mode
(jupyterlab-slideshow). Screenshots go to $BROWSER_ARTIFACTS (default /tmp/course-browser-artifacts).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from .conftest import REPO, missing_requirement

_reason = missing_requirement()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

pytestmark = pytest.mark.browser

NOTEBOOKS = REPO / "notebooks"
PREFERRED = ("00_start_here.ipynb", "01_derivatives.ipynb")
RUN_ALL_TIMEOUT = 90  # seconds for executing every cell of the chosen notebook
REDRAW_TIMEOUT = 30  # seconds for the figure to change after a slider moved
PRESSES = 20  # ArrowRight presses on the slider handle (a slider from the course has about 200 steps)

# Console errors that are understood and harmless; everything else fails the test.
BENIGN_CONSOLE_ERRORS: list[tuple[str, str]] = []

# Slide types jupyterlab-slideshow 0.3.4 places in a deck. A continuation cell has no slide type at all
# (or "", which JupyterLab's own Slide Type menu writes for "-"); the classic notebook's literal "-" is not
# understood and such a cell never appears in presentation mode.
DECK_SLIDE_TYPES = {None, "", "slide", "subslide", "fragment", "notes", "skip"}

FIXTURE_CELLS = [
    ("markdown", "slide", "# Browser check\n\nA gradient-descent explorer in a notebook."),
    ("code", "skip", "%matplotlib widget\nimport course_lib as cl\nimport course_lib.viz as viz"),
    ("markdown", "slide", "## Explorer"),
    (
        "code",
        None,
        'explorer = viz.descent_explorer(cl.objective("x**2 + 3*y**2"), "SGD", x0=(-1.5, 1.0), steps=30)\nexplorer',
    ),
    ("markdown", "slide", "## The end"),
]


# ----------------------------------------------------------------------------------------------- notebooks
def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _has_explorer(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    sources = [_source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    widget_backend = any(re.search(r"%matplotlib\s+(widget|ipympl)", s) for s in sources)
    return widget_backend and any(re.search(r"\w+_explorer\(", s) for s in sources)


def course_notebook() -> Path | None:
    """The notebook to check: $COURSE_BROWSER_NOTEBOOK (a path, or "fixture" for the test's own notebook),
    else the first course notebook that shows an explorer, preferring the opening chapters."""
    chosen = os.environ.get("COURSE_BROWSER_NOTEBOOK")
    if chosen == "fixture":
        return None
    if chosen:
        path = Path(chosen) if Path(chosen).is_absolute() else REPO / chosen
        assert _has_explorer(path), f"COURSE_BROWSER_NOTEBOOK={chosen}: no explorer with %matplotlib widget in it"
        return path
    if not NOTEBOOKS.is_dir():
        return None
    candidates = [NOTEBOOKS / name for name in PREFERRED] + sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in candidates:
        if path.exists() and _has_explorer(path):
            return path
    return None


def _fixture_notebook() -> dict:
    cells = []
    for kind, slide_type, source in FIXTURE_CELLS:
        cell = {"cell_type": kind, "metadata": {}, "source": source}
        if slide_type:
            cell["metadata"]["slideshow"] = {"slide_type": slide_type}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _strip_outputs(nb: dict) -> dict:
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb["metadata"].pop("widgets", None)
    return nb


def prepare_notebook(server, folder: str) -> tuple[str, str, dict]:
    """Put a notebook with an explorer under the server root.

    Returns (path relative to the root, what it is, the notebook as JSON). A course notebook is copied with
    the rest of its folder, outputs stripped, so every figure seen in the browser comes from this run; when no
    course notebook shows an explorer, a small notebook is written instead.
    """
    target = server.root / folder
    source = course_notebook()
    if source is not None:
        shutil.copytree(source.parent, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        nb = _strip_outputs(json.loads((target / source.name).read_text()))
        (target / source.name).write_text(json.dumps(nb, indent=1))
        where = source.relative_to(REPO) if source.is_relative_to(REPO) else source
        return f"{folder}/{source.name}", f"copy of the course notebook {where}", nb
    target.mkdir()
    nb = _fixture_notebook()
    (target / "explorer_check.ipynb").write_text(json.dumps(nb, indent=1))
    return f"{folder}/explorer_check.ipynb", "a notebook written by the test, no course notebook chosen", nb


def cells_hidden_in_deck(nb: dict) -> list[tuple[int, object]]:
    """(index, slide_type) of the cells that presentation mode would never show."""
    return [
        (i, c["metadata"]["slideshow"].get("slide_type"))
        for i, c in enumerate(nb["cells"])
        if isinstance(c["metadata"].get("slideshow"), dict)
        and c["metadata"]["slideshow"].get("slide_type") not in DECK_SLIDE_TYPES
    ]


# ----------------------------------------------------------------------------------------------- page helpers
class ConsoleLog:
    """Everything the page writes to its console, plus uncaught exceptions."""

    def __init__(self, page, name: str, artifacts: Path):
        self.messages: list[tuple[str, str]] = []
        self.path = artifacts / f"{name}-console.txt"
        page.on("console", lambda msg: self.messages.append((msg.type, msg.text)))
        page.on("pageerror", lambda exc: self.messages.append(("pageerror", str(exc))))

    def save(self) -> None:
        self.path.write_text("\n".join(f"[{kind}] {text}" for kind, text in self.messages) + "\n")

    def problems(self) -> tuple[list[str], list[str]]:
        """(unexpected errors, benign errors with their reasons)."""
        unexpected, benign = [], []
        for kind, text in self.messages:
            if kind not in ("error", "pageerror"):
                continue
            reason = next((why for pattern, why in BENIGN_CONSOLE_ERRORS if re.search(pattern, text)), None)
            if reason is None:
                unexpected.append(f"[{kind}] {text}")
            else:
                benign.append(f"[{kind}] {text}  -- ignored: {reason}")
        return unexpected, benign


def open_notebook(page, server, nb_path: str, workspace: str) -> None:
    page.goto(server.url(f"lab/workspaces/{workspace}/tree/{nb_path}") + "&reset", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
    page.wait_for_function(
        """(path) => {
            const w = window.jupyterapp.shell.currentWidget;
            return w && w.context && w.context.path === path && w.context.isReady
                && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                && w.sessionContext.session.kernel.connectionStatus === 'connected'
                && w.sessionContext.session.kernel.status === 'idle';
        }""",
        arg=nb_path,
        timeout=60_000,
    )


def run_all(page, timeout: float = RUN_ALL_TIMEOUT) -> float:
    """Run > Run All Cells through the application's command registry.

    Waits until every code cell ran, or a cell raised (Run All stops there); returns the seconds it took.
    """
    start = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(
            """() => {
                const w = window.jupyterapp.shell.currentWidget;
                // JupyterLab does not send empty code cells to the kernel.
                const cells = Array.from(w.content.model.cells)
                    .filter(c => c.type === 'code' && c.sharedModel.getSource().trim() !== '');
                const outputs = c => Array.from({length: c.outputs.length}, (_, i) => c.outputs.get(i));
                const raised = cells.some(c => outputs(c).some(o => o.type === 'error'));
                const done = cells.every(c => c.executionCount !== null && c.executionCount > 0);
                return w.sessionContext.session.kernel.status === 'idle' && (done || raised);
            }""",
            timeout=timeout * 1000,
            polling=500,
        )
    except Exception as exc:
        pending = page.evaluate(
            """() => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)
                .map((c, i) => [i, c])
                .filter(([i, c]) => c.type === 'code' && !c.executionCount)
                .filter(([i, c]) => c.sharedModel.getSource().trim() !== '')
                .map(([i, c]) => i)"""
        )
        raise AssertionError(f"Run All did not finish within {timeout}s; cells not run yet: {pending}") from exc
    return time.monotonic() - start


def bad_outputs(page) -> list[str]:
    """Error and stderr outputs (tracebacks, warnings) anywhere in the notebook."""
    return page.evaluate(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const found = [];
            for (const cell of Array.from(w.content.model.cells)) {
                if (cell.type !== 'code') continue;
                for (let i = 0; i < cell.outputs.length; i++) {
                    const out = cell.outputs.get(i).toJSON();
                    if (out.output_type === 'error') found.push(out.ename + ': ' + out.evalue);
                    if (out.output_type === 'stream' && out.name === 'stderr') {
                        found.push('stderr: ' + out.text);
                    }
                }
            }
            return found;
        }"""
    )


def explorer_cell(page):
    """The cell whose output holds the ipympl figure together with slider widgets."""
    cell = (
        page.locator(".jp-CodeCell")
        .filter(has=page.locator(".jupyter-matplotlib canvas"))
        .filter(has=page.locator(".widget-slider"))
        .first
    )
    cell.wait_for(state="attached", timeout=30_000)
    return cell


def canvas_digest(canvas) -> str:
    data = canvas.evaluate("(c) => c.toDataURL('image/png')")
    return hashlib.sha256(data.encode()).hexdigest()


def wait_for_drawn_canvas(page, canvas, timeout: float = 30) -> str:
    """Wait until the canvas holds a non-blank image; return its digest."""
    page.wait_for_function(
        """(c) => {
            if (!c.width || !c.height) return false;
            const ctx = c.getContext('2d');
            const px = ctx.getImageData(0, 0, c.width, c.height).data;
            let first = null;
            for (let i = 0; i < px.length; i += 4 * 97) {
                const v = px[i] + ',' + px[i + 1] + ',' + px[i + 2] + ',' + px[i + 3];
                if (first === null) first = v; else if (v !== first) return true;
            }
            return false;
        }""",
        arg=canvas.element_handle(),
        timeout=timeout * 1000,
        polling=250,
    )
    return canvas_digest(canvas)


def wait_for_new_canvas(page, canvas, before: str, timeout: float = REDRAW_TIMEOUT) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        digest = canvas_digest(canvas)
        if digest != before:
            page.wait_for_timeout(500)  # let a burst of redraws settle before the screenshot
            return canvas_digest(canvas)
        page.wait_for_timeout(250)
    return before


def slider_label(slider) -> str:
    label = slider.locator(".widget-label")
    return label.first.inner_text().strip() if label.count() else "?"


def slider_readout(slider) -> str:
    readout = slider.locator(".widget-readout")
    return readout.first.inner_text().strip() if readout.count() else ""


def text_under_figure(cell) -> str:
    """The explorer's HTML line of current values under the figure ("" when it has none)."""
    html = cell.locator(".widget-html")
    return html.last.inner_text().strip() if html.count() else ""


def main_canvas(cell, console: ConsoleLog):
    """The ipympl drawing canvas (the first canvas of the figure; the second one only holds the zoom box),
    once it is visible."""
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas").first
    try:
        canvas.wait_for(state="visible")
    except Exception as exc:
        size = canvas.evaluate("(c) => c.width + 'x' + c.height") if canvas.count() else "missing"
        errors = "\n".join(console.problems()[0]) or "none"
        raise AssertionError(
            f"the explorer's ipympl canvas did not render (canvas {size}); console errors:\n{errors}"
        ) from exc
    return canvas


def report(lines: list[str]) -> None:
    print("\n" + "\n".join(lines))


# ----------------------------------------------------------------------------------------------- tests
def test_explorer_runs_and_redraws(lab_server, browser_context, artifacts_dir):
    nb_path, described, _ = prepare_notebook(lab_server, "lab-check")
    page = browser_context.new_page()
    console = ConsoleLog(page, "lab", artifacts_dir)
    lines = [f"notebook: {nb_path} ({described})"]
    try:
        open_notebook(page, lab_server, nb_path, "lab-check")
        seconds = run_all(page)
        lines.append(f"run all cells: {seconds:.1f}s")
        assert bad_outputs(page) == [], "a cell printed an error or a warning"

        cell = explorer_cell(page)
        cell.scroll_into_view_if_needed()
        canvas = main_canvas(cell, console)
        sliders = cell.locator(".widget-slider")
        assert sliders.count() >= 1
        assert cell.locator(".jupyter-widgets").count() >= 1
        before = wait_for_drawn_canvas(page, canvas)
        text_before = text_under_figure(cell)
        shot_before = artifacts_dir / "lab-explorer-before.png"
        canvas.screenshot(path=str(shot_before))

        slider = sliders.first
        name, value_before = slider_label(slider), slider_readout(slider)
        handle = slider.locator(".noUi-handle").first
        handle.focus()
        for _ in range(PRESSES):
            handle.press("ArrowRight")
            page.wait_for_timeout(50)
        value_after = slider_readout(slider)
        lines.append(f"slider {name!r}: {value_before} -> {value_after} (ArrowRight x{PRESSES} on the focused handle)")
        assert value_after != value_before, "the slider did not move"

        after = wait_for_new_canvas(page, canvas, before)
        shot_after = artifacts_dir / "lab-explorer-after.png"
        canvas.screenshot(path=str(shot_after))
        page.screenshot(path=str(artifacts_dir / "lab-page.png"))
        lines.append(f"screenshots: {shot_before} {shot_after} {artifacts_dir / 'lab-page.png'}")
        assert after != before, f"the figure did not change within {REDRAW_TIMEOUT}s after the slider moved"
        text_after = text_under_figure(cell)
        lines.append(f"text under the figure: {text_before!r} -> {text_after!r}")
        assert text_after != text_before or not text_before, "the values under the figure did not change"
    finally:
        console.save()
        unexpected, benign = console.problems()
        lines.append(f"console log: {console.path} ({len(console.messages)} messages)")
        lines += ["benign console errors:"] + (benign or ["  none"])
        if browser_context.external_requests:
            lines.append(f"refused requests leaving 127.0.0.1: {browser_context.external_requests}")
        report(lines)
        page.close()
    assert unexpected == [], "browser console errors:\n" + "\n".join(unexpected)


def test_explorer_in_presentation_mode(lab_server, browser_context, artifacts_dir):
    nb_path, described, nb = prepare_notebook(lab_server, "deck-check")
    page = browser_context.new_page()
    console = ConsoleLog(page, "deck", artifacts_dir)
    lines = [f"notebook: {nb_path} ({described})"]
    hidden = cells_hidden_in_deck(nb)
    try:
        assert not hidden, (
            f"{len(hidden)} cells have a slide type that jupyterlab-slideshow does not place in the deck, "
            f"so they never appear in presentation mode (index, slide_type): {hidden[:8]}"
            f"{' ...' if len(hidden) > 8 else ''}"
            " -- for a continuation cell remove the 'slideshow' metadata (or set slide_type to \"\")"
        )
        open_notebook(page, lab_server, nb_path, "deck-check")
        seconds = run_all(page)
        lines.append(f"run all cells: {seconds:.1f}s")
        cell = explorer_cell(page)
        cell_index = cell.evaluate(
            "(node) => Array.from(node.parentElement.children).filter(n => n.classList.contains('jp-Cell'))"
            ".indexOf(node)"
        )

        # Back to the top, then start presenting as a lecturer does: the deck button of the notebook toolbar.
        page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
        page.locator(
            ".jp-NotebookPanel-toolbar [data-jp-item-name='deck'] button, "
            ".jp-NotebookPanel-toolbar [data-jp-item-name='deck'] jp-button"
        ).first.click()
        page.wait_for_function("() => document.body.dataset.jpDeckMode === 'presenting'", timeout=15_000)
        page.locator(".jp-Deck-Remote").wait_for(state="visible")
        page.locator(".jp-NotebookPanel.jp-Deck").wait_for(state="attached")

        # Go forward (Space = next fragment, subslide or slide) until the explorer's cell is on screen.
        active = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
        presses = 0
        while "jp-deck-mod-onscreen" not in (cell.get_attribute("class") or "") and presses < 100:
            index_before = page.evaluate(active)
            page.locator(".jp-Notebook .jp-Cell.jp-mod-active").first.focus()
            page.keyboard.press("Space")
            presses += 1
            page.wait_for_timeout(250)
            if page.evaluate(active) == index_before:
                break  # the end of the deck
        lines.append(f"explorer cell #{cell_index} on screen after {presses} presses of Space")
        assert "jp-deck-mod-onscreen" in (cell.get_attribute("class") or ""), "Space never reached the explorer"
        cell.scroll_into_view_if_needed()  # a slide taller than the screen scrolls

        canvas = main_canvas(cell, console)
        slider = cell.locator(".widget-slider").first
        slider.wait_for(state="visible")
        box, viewport = canvas.bounding_box(), page.viewport_size
        assert box and box["width"] > 50 and box["height"] > 50
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] < viewport["width"] and box["y"] < viewport["height"]
        before = wait_for_drawn_canvas(page, canvas)
        text_before = text_under_figure(cell)
        shot = artifacts_dir / "deck-explorer.png"
        page.screenshot(path=str(shot))

        # Drag the slider handle with the mouse, as on a lectern.
        handle = slider.locator(".noUi-handle").first
        hb = handle.bounding_box()
        value_before = slider_readout(slider)
        page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
        page.mouse.down()
        page.mouse.move(hb["x"] + hb["width"] / 2 + 40, hb["y"] + hb["height"] / 2, steps=6)
        page.mouse.up()
        value_after = slider_readout(slider)
        lines.append(f"slider {slider_label(slider)!r} dragged: {value_before} -> {value_after}")
        assert value_after != value_before
        after = wait_for_new_canvas(page, canvas, before)
        shot_after = artifacts_dir / "deck-explorer-after.png"
        page.screenshot(path=str(shot_after))
        lines.append(f"screenshots: {shot} {shot_after}")
        assert after != before, "the figure did not change in presentation mode"
        text_after = text_under_figure(cell)
        lines.append(f"text under the figure: {text_before!r} -> {text_after!r}")
        assert text_after != text_before or not text_before, "the values under the figure did not change"

        # Leave presentation mode with Escape.
        page.locator(".jp-Notebook .jp-Cell.jp-mod-active").first.focus()
        page.keyboard.press("Escape")
        page.wait_for_function("() => document.body.dataset.jpDeckMode === undefined", timeout=15_000)
    finally:
        console.save()
        unexpected, benign = console.problems()
        lines.append(f"console log: {console.path} ({len(console.messages)} messages)")
        lines += ["benign console errors:"] + (benign or ["  none"])
        report(lines)
        page.close()
    assert unexpected == [], "browser console errors:\n" + "\n".join(unexpected)
