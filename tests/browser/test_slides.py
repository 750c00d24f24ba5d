"""Every slide of every chapter fits a 1280×720 screen at 100 % zoom in presentation mode.

Each chapter is copied (outputs stripped), run with Run All (a lecturer runs the cells, so figures and explorers
take their real size), and presented with jupyterlab-slideshow, started from the notebook toolbar's deck
button as test_lab.py does. The test then visits every slide (each cell that starts a slide or subslide, plus
the first cell) by making its last cell the active one, which is where the deck shows the slide with all its
fragments, and measures the cells on screen: the slide fits when its last cell ends inside the visible height
of the deck and no cell is wider than the screen. Overflowing slides are listed with the chapter and the
index of the cell that starts them; screenshots of them go to $BROWSER_ARTIFACTS as
``slides-<chapter>-cell<index>.png``.
"""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import REPO, missing_requirement

_reason = missing_requirement()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

from .test_lab import _strip_outputs, bad_outputs, open_notebook, run_all  # noqa: E402 - after the skip, as test_lab.py does

pytestmark = pytest.mark.browser

CHAPTERS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FOLDER = "slides-check"
SCREEN = {"width": 1280, "height": 720}
RUN_ALL_TIMEOUT = 150  # seconds for one chapter
HIDDEN = {"skip", "notes"}  # cells presentation mode never shows
STARTS = {"slide", "subslide"}
REPORT: dict[str, list[str]] = {}


def slide_type(cell: dict):
    meta = cell.get("metadata", {}).get("slideshow")
    return meta.get("slide_type") if isinstance(meta, dict) else None


def slides(nb: dict) -> list[list[int]]:
    """The cells shown on each slide (subslides count as slides), in order; hidden cells left out."""
    groups: list[list[int]] = []
    for i, cell in enumerate(nb["cells"]):
        kind = slide_type(cell)
        if kind in HIDDEN:
            continue
        if kind in STARTS or not groups:
            groups.append([])
        groups[-1].append(i)
    return [g for g in groups if g]


@pytest.fixture(scope="module")
def slides_folder(lab_server):
    folder = lab_server.root / FOLDER
    folder.mkdir()
    for path in CHAPTERS:
        (folder / path.name).write_text(json.dumps(_strip_outputs(json.loads(path.read_text())), indent=1))
    shutil.copytree(REPO / "notebooks" / "solutions", folder / "solutions")
    return folder


@pytest.fixture(scope="module", autouse=True)
def overflow_table(artifacts_dir):
    yield
    if not REPORT:
        return
    lines = ["", f"slides that do not fit {SCREEN['width']}x{SCREEN['height']} (chapter, first cell, size):"]
    for chapter, found in REPORT.items():
        lines += [f"  {chapter}: {item}" for item in found] or [f"  {chapter}: every slide fits"]
    text = "\n".join(lines)
    print(text)
    (artifacts_dir / "slides-report.txt").write_text(text + "\n")


_MEASURE = """(cells) => {
    const panel = window.jupyterapp.shell.currentWidget.content;
    const nodes = cells.map((i) => panel.widgets[i].node);
    const outer = panel.node.querySelector('.jp-WindowedPanel-outer') || panel.node;
    const box = outer.getBoundingClientRect();
    const visibleBottom = Math.min(box.bottom, window.innerHeight);
    const onscreen = nodes.filter((n) => n.classList.contains('jp-deck-mod-onscreen'));
    const rects = onscreen.map((n) => n.getBoundingClientRect());
    const top = Math.min(...rects.map((r) => r.top));
    const bottom = Math.max(...rects.map((r) => r.bottom));
    const wide = onscreen.map((n) => Math.max(n.scrollWidth,
            ...Array.from(n.querySelectorAll('.jp-OutputArea-output, .jp-RenderedMarkdown, .jp-InputArea'))
                .map((c) => c.scrollWidth)))
    return {
        onscreen: onscreen.length,
        top: top + outer.scrollTop - box.top,
        height: bottom - top,
        overflowBottom: bottom + outer.scrollTop - visibleBottom,
        visibleHeight: visibleBottom - box.top,
        width: Math.max(...wide),
        screenWidth: window.innerWidth,
    };
}"""


PRESENTING = "() => document.body.dataset.jpDeckMode === 'presenting'"


def start_presenting(page) -> None:
    """Start presentation mode with the toolbar's deck button, as a lecturer does (the deck remembers that it
    was presenting across page loads; then it is on already, and a click would turn it off)."""
    page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    page.wait_for_timeout(500)
    if not page.evaluate(PRESENTING):
        page.locator(
            ".jp-NotebookPanel-toolbar [data-jp-item-name='deck'] button, "
            ".jp-NotebookPanel-toolbar [data-jp-item-name='deck'] jp-button"
        ).first.click()
    page.wait_for_function(PRESENTING, timeout=15_000)
    page.locator(".jp-NotebookPanel.jp-Deck").wait_for(state="attached")


def stop_presenting(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('deck:stop')")
    page.wait_for_function("() => document.body.dataset.jpDeckMode === undefined", timeout=15_000)


def show_slide(page, cells: list[int]) -> None:
    """Make the slide's last cell active (the deck then shows the slide with every fragment revealed)."""
    page.evaluate(
        """(i) => {
            const panel = window.jupyterapp.shell.currentWidget.content;
            panel.activeCellIndex = i;
            const outer = panel.node.querySelector('.jp-WindowedPanel-outer');
            if (outer) outer.scrollTop = 0;
        }""",
        cells[-1],
    )
    page.wait_for_function(
        "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].node"
        ".classList.contains('jp-deck-mod-onscreen')",
        arg=cells[-1],
        timeout=10_000,
    )
    page.wait_for_timeout(300)  # layout and the fade of fragments


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_slide_fits_the_screen(lab_server, browser_context, slides_folder, artifacts_dir, path):
    nb = json.loads((slides_folder / path.name).read_text())
    page = browser_context.new_page()
    page.set_viewport_size(SCREEN)
    overflowing: list[str] = []
    try:
        open_notebook(page, lab_server, f"{FOLDER}/{path.name}", f"slides-{path.stem}")
        run_all(page, timeout=RUN_ALL_TIMEOUT)
        errors = bad_outputs(page)
        start_presenting(page)
        for cells in slides(nb):
            show_slide(page, cells)
            m = page.evaluate(_MEASURE, cells)
            too_tall = m["overflowBottom"] > 1
            too_wide = m["width"] > m["screenWidth"]
            if too_tall or too_wide:
                what = []
                if too_tall:
                    what.append(f"{m['top'] + m['height']:.0f} px tall of {m['visibleHeight']:.0f}")
                if too_wide:
                    what.append(f"{m['width']:.0f} px wide")
                overflowing.append(f"cell {cells[0]} ({len(cells)} cells): " + ", ".join(what))
                page.screenshot(path=str(artifacts_dir / f"slides-{path.stem}-cell{cells[0]}.png"))
        stop_presenting(page)
    finally:
        page.close()
    REPORT[path.stem] = overflowing
    assert errors == [], f"{path.name}: a cell printed an error or a warning: {errors}"
    assert not overflowing, (
        f"{path.name}: {len(overflowing)} slides do not fit {SCREEN['width']}x{SCREEN['height']} "
        "(split them with a new slide or subslide):\n" + "\n".join(overflowing)
    )
