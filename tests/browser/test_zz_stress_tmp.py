import time
import pytest
from .test_explorers import EXPLORERS, FIRST_EXPLORER_CELL, explorer_page, mark_cell, wait_for_kernel_match, save_mismatch, _CELL_STATES  # noqa
import re

NAMES = ["effective-lr", "descent-2d", "race", "minibatch", "noise", "sweep"]

@pytest.mark.parametrize("name", NAMES)
def test_stress(explorer_page, artifacts_dir, name):
    page, console, summary = explorer_page
    ex = next(e for e in EXPLORERS if e.name == name)
    index = FIRST_EXPLORER_CELL + EXPLORERS.index(ex)
    count = page.evaluate(_CELL_STATES)["cells"][index]["count"]
    cell = mark_cell(page, index, name)
    output = cell.locator(".jp-Cell-outputArea")
    output.scroll_into_view_if_needed()
    canvas = output.locator(".jupyter-matplotlib-canvas-div canvas").first
    canvas.wait_for(state="visible")
    slider = output.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(ex.slider)}\s*$"))).first
    handle = slider.locator(".noUi-handle").first
    results = []
    for r in range(6):
        handle.focus()
        key = ("ArrowRight", "ArrowLeft")[r % 2] if ex.key == "ArrowRight" else ("ArrowLeft", "ArrowRight")[r % 2]
        for _ in range(25):
            handle.press(key)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'")
        page.wait_for_timeout(500)
        off, e, s = wait_for_kernel_match(page, canvas, count, timeout=3)
        results.append(off)
        if off:
            save_mismatch(artifacts_dir / f"stress-{name}-{r}.png", e, s)
    summary.append(f"stress {name}: {['%.2f%%' % (100 * o) for o in results]}")
    assert not any(results), results
