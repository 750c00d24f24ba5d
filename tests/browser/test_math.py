"""Every course notebook opened in JupyterLab inside a headless Chromium: all of its math typesets.

A formula that MathJax cannot parse shows up on screen as red error text (an ``mjx-merror`` node) instead of the
formula, and an unknown macro as its own name in red. This test opens each notebook (outputs stripped: only the
markdown matters here), waits until every markdown cell is rendered and MathJax has finished, and fails on any
such node, quoting the text around it; display math left as raw ``$$`` text fails too.
"""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import REPO, missing_requirement
from .test_lab import _strip_outputs, open_notebook

_reason = missing_requirement()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _markdown_cells(nb: dict) -> int:
    return sum(cell["cell_type"] == "markdown" for cell in nb["cells"])


def _math_sources(nb: dict) -> int:
    """How many markdown cells contain math at all (a $ that is not inside a code span is close enough)."""
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        prose = "".join(part for i, part in enumerate(text.split("`")) if i % 2 == 0)
        count += "$" in prose
    return count


@pytest.fixture(scope="module")
def math_folder(lab_server):
    folder = lab_server.root / "math-check"
    folder.mkdir()
    for path in NOTEBOOKS:
        nb = _strip_outputs(json.loads(path.read_text()))
        (folder / path.name).write_text(json.dumps(nb, indent=1))
    shutil.copytree(REPO / "notebooks" / "solutions", folder / "solutions")
    return folder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_formula_typesets(lab_server, browser_context, math_folder, path):
    nb = json.loads((math_folder / path.name).read_text())
    page = browser_context.new_page()
    try:
        open_notebook(page, lab_server, f"math-check/{path.name}", f"math-{path.stem}")
        # Every markdown cell rendered (JupyterLab may render lazily: scroll through the notebook to be sure).
        expected = _markdown_cells(nb)
        page.evaluate(
            """async () => {
                const panel = window.jupyterapp.shell.currentWidget.content;
                for (let i = 0; i < panel.widgets.length; i += 5) {
                    panel.activeCellIndex = i;
                    panel.scrollToItem(i);
                    await new Promise((r) => setTimeout(r, 20));
                }
                panel.activeCellIndex = 0;
            }"""
        )
        page.wait_for_function(
            """(n) => document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown').length >= n""",
            arg=expected,
            timeout=60_000,
        )
        # MathJax typesets asynchronously: wait until the count of typeset formulas stops changing.
        page.wait_for_function(
            """() => {
                const n = document.querySelectorAll('mjx-container').length;
                const last = window.__mathCount;
                window.__mathCount = n;
                return n > 0 && n === last;
            }""",
            polling=1000,
            timeout=60_000,
        )
        formulas = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        # Parse errors become mjx-merror nodes; an unknown macro is printed by name in red instead.
        errors = page.evaluate(
            """() => Array.from(document.querySelectorAll('mjx-merror, mjx-container [style*="color: red"]'))
              .map((node) => {
                const container = node.closest('mjx-container');
                const source = container && container.parentElement
                    ? container.parentElement.textContent.slice(0, 160) : '';
                return (node.getAttribute('data-mjx-error') || node.textContent) + '  in: ' + source;
            })"""
        )
        raw = page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown'))
                .map((el) => el.cloneNode(true))
                .map((el) => { el.querySelectorAll('code, pre, mjx-container').forEach((c) => c.remove()); return el; })
                .map((el) => el.textContent)
                .filter((text) => text.includes('$$'))
                .map((text) => text.slice(0, 160))"""
        )
    finally:
        page.close()
    assert formulas >= _math_sources(nb), f"only {formulas} formulas typeset in {path.name}"
    assert errors == [], f"MathJax errors in {path.name}:\n" + "\n".join(errors)
    assert raw == [], f"display math left as raw text in {path.name}:\n" + "\n".join(raw)
