"""Accessibility of what the course shows, checked in JupyterLab inside a headless Chromium.

- A static figure (``course_lib.viz.static.show``) reaches the page as an ``<img>`` with its alt text, from a
  stored notebook (untrusted, as opened from GitHub or a clone) and after a run.
- Every chapter, after Run All: the axe-core engine (the copy shipped by the pinned ``axe-playwright-python``)
  checks the notebook's cells against WCAG 2.2 A and AA and axe's best practices, and the test fails on any
  violation in what the course puts there (rendered Markdown, outputs, figures, widgets). JupyterLab's own
  interface is excluded by the selectors in ``JUPYTERLAB_UI`` (prompts, collapsers, cell toolbars, code
  editors, the notebook footer) and by checking the cells rather than the cell list that holds them;
  everything else inside the notebook is the course's. Besides axe, each chapter counts images without alt
  text and sliders without an accessible name; both must be 0.

The table of findings per chapter is printed at the end (run with ``-s``) and written to
``$BROWSER_ARTIFACTS/a11y-report.txt``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from collections import Counter

import pytest

from .conftest import REPO, missing_requirement

_reason = missing_requirement()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

from .test_lab import _strip_outputs, bad_outputs, open_notebook, run_all  # noqa: E402 - after the skip, as test_lab.py does

pytestmark = pytest.mark.browser

CHAPTERS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FOLDER = "a11y-check"
RUN_ALL_TIMEOUT = 150  # seconds for one chapter
# The rule sets checked: WCAG 2.0-2.2 A and AA, and axe's best practices (e.g. no empty table header);
# COURSE_AXE_TAGS=wcag2a,wcag2aa narrows them.
AXE_TAGS = os.environ.get("COURSE_AXE_TAGS", "wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22aa,best-practice").split(",")
# JupyterLab's own interface inside a notebook panel: not the course's to fix, so not checked here.
JUPYTERLAB_UI = [
    ".jp-InputPrompt",
    ".jp-OutputPrompt",
    ".jp-Collapser",
    ".jp-cell-toolbar",
    ".jp-InputArea-editor",
    ".jp-Notebook-footer",
    ".jp-Placeholder",
]
REPORT: dict[str, dict] = {}


def axe_script() -> str:
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        pytest.skip("axe-playwright-python is not installed (it is pinned in requirements-dev.txt)")
    return AXE_SCRIPT


@pytest.fixture(scope="module")
def chapters_folder(lab_server):
    """The chapters, outputs stripped (every output checked comes from this run), with their solutions."""
    folder = lab_server.root / FOLDER
    folder.mkdir()
    for path in CHAPTERS:
        (folder / path.name).write_text(json.dumps(_strip_outputs(json.loads(path.read_text())), indent=1))
    shutil.copytree(REPO / "notebooks" / "solutions", folder / "solutions")
    return folder


@pytest.fixture(scope="module", autouse=True)
def findings_table(artifacts_dir):
    """Print (and save) the findings of every chapter checked, whatever the verdicts."""
    yield
    if not REPORT:
        return
    tags = ",".join(AXE_TAGS)
    lines = ["", f"accessibility findings after Run All (axe-core, tags {tags}; JupyterLab's interface excluded)"]
    lines.append(f"{'chapter':24s} {'axe violations (rule: nodes)':60s} {'img w/o alt':>11s} {'unnamed sliders':>15s}")
    totals: Counter = Counter()
    for name, found in REPORT.items():
        rules = ", ".join(f"{rule}: {n}" for rule, n in sorted(found["axe"].items())) or "none"
        lines.append(
            f"{name:24s} {rules:60s} {found['img_no_alt']:>5d} of {found['images']:<3d}"
            f" {found['unnamed_sliders']:>7d} of {found['sliders']:<3d}"
        )
        totals.update(found["axe"])
        totals["(images without alt)"] += found["img_no_alt"]
        totals["(sliders without a name)"] += found["unnamed_sliders"]
    lines.append("totals: " + (", ".join(f"{k}: {v}" for k, v in sorted(totals.items())) or "none"))
    text = "\n".join(lines)
    print(text)
    (artifacts_dir / "a11y-report.txt").write_text(text + "\n")


# ----------------------------------------------------------------------------------------------- page helpers
def render_every_cell(page) -> None:
    """Scroll through the notebook so lazily rendered cells and widget views are attached and drawn."""
    page.evaluate(
        """async () => {
            const panel = window.jupyterapp.shell.currentWidget.content;
            for (let i = 0; i < panel.widgets.length; i += 3) {
                panel.scrollToItem(i);
                await new Promise((r) => setTimeout(r, 30));
            }
            panel.scrollToItem(0);
        }"""
    )
    # Widget views render asynchronously: wait until their number stops changing.
    page.wait_for_function(
        """() => {
            const n = document.querySelectorAll('.jp-Notebook .jupyter-widgets, .jp-Notebook img').length;
            const last = window.__a11yViews;
            window.__a11yViews = n;
            return n === last && !document.querySelector('.jp-Notebook .jupyter-widgets-loading');
        }""",
        polling=1000,
        timeout=60_000,
    )


def notebook_selector(page) -> str:
    node_id = page.evaluate(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            if (!w.content.node.id) w.content.node.id = 'a11y-notebook-' + Date.now();
            return w.content.node.id;
        }"""
    )
    return f"#{node_id}"


def run_axe(page, include: str) -> list[dict]:
    """axe-core's violations inside ``include`` (JupyterLab's own interface excluded)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    # The cells, not the notebook's own list: JupyterLab gives its cell list role="feed", whose required
    # children (articles) its cells do not declare; that is JupyterLab's markup, not the course's.
    context = {
        "include": [[f"{include} .jp-Cell"]],
        "exclude": [[f"{include} {sel}"] for sel in JUPYTERLAB_UI],
    }
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("([context, options]) => window.axe.run(context, options)", [context, options])
    return result["violations"]


_IMAGES_WITHOUT_ALT = """(root) => Array.from(document.querySelectorAll(root + ' img'))
    .filter((img) => !(img.getAttribute('alt') || '').trim())
    .map((img) => (img.closest('.jp-Cell') ? 'cell ' + Array.from(img.closest('.jp-Notebook').children)
        .filter((n) => n.classList.contains('jp-Cell')).indexOf(img.closest('.jp-Cell')) : '?')
        + ': ' + (img.getAttribute('src') || '').slice(0, 40))"""

_SLIDERS_WITHOUT_NAME = """(root) => Array.from(document.querySelectorAll(root + ' [role="slider"], '
        + root + ' input[type="range"]'))
    .filter((el) => {
        const label = (el.getAttribute('aria-label') || '').trim() || (el.getAttribute('title') || '').trim();
        const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
        const labelled = ids.map((id) => document.getElementById(id)).filter(Boolean)
            .map((n) => n.textContent.trim()).join(' ');
        const forLabel = el.id ? Array.from(document.querySelectorAll('label[for="' + el.id + '"]'))
            .map((n) => n.textContent.trim()).join(' ') : '';
        return !label && !labelled && !forLabel && !(el.closest('label') || {textContent: ''}).textContent.trim();
    })
    .map((el) => (el.closest('.widget-slider, .widget-hslider') || el).textContent.trim().slice(0, 40))"""


def summarize(violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        targets = ", ".join(
            " ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"][:3]
        )
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} -- e.g. {targets[:200]}")
    return lines


# ----------------------------------------------------------------------------------------------- tests
ALT = "Descent path of plain gradient descent on a bowl: it zigzags across the narrow valley to the minimum."


def _stored_figure_notebook() -> dict:
    """A notebook whose stored output is a static figure made by course_lib (no kernel needed to show it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.viz.static import show

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2, 3], [3, 1, 0.5, 0.2], "-o")
    data, metadata = show(fig, alt=ALT)._repr_mimebundle_()
    data = {**data, "image/png": base64.b64encode(data["image/png"]).decode()}
    source = (
        "import matplotlib.pyplot as plt\nfrom course_lib.viz.static import show\n"
        "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([0, 1, 2, 3], [3, 1, 0.5, 0.2], '-o')\n"
        f"show(fig, alt={ALT!r})"
    )
    output = {"output_type": "execute_result", "execution_count": 1, "data": data, "metadata": metadata}
    cell = {"id": "figure", "cell_type": "code", "metadata": {}, "source": source, "execution_count": 1}
    cell["outputs"] = [output]
    return {
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def figure_images(page) -> list[dict]:
    page.wait_for_function(
        "() => { const i = document.querySelector('.jp-OutputArea-output img'); return i && i.complete; }",
        timeout=30_000,
    )
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map((img) => ({
            alt: img.getAttribute('alt'), width: img.naturalWidth,
            renderer: img.closest('.jp-RenderedMarkdown') ? 'markdown'
                : img.closest('.jp-RenderedImage') ? 'image' : 'other',
            text: img.closest('.jp-OutputArea-output').innerText.trim(),
        }))"""
    )


def test_static_figure_img_has_alt_text(lab_server, browser_context):
    folder = lab_server.root / "alt-check"
    folder.mkdir()
    (folder / "figure.ipynb").write_text(json.dumps(_stored_figure_notebook(), indent=1))
    page = browser_context.new_page()
    try:
        open_notebook(page, lab_server, "alt-check/figure.ipynb", "alt-check")
        stored = figure_images(page)  # as stored: an untrusted notebook, no kernel output yet
        run_all(page, timeout=60)
        page.wait_for_timeout(500)
        fresh = figure_images(page)  # produced by the kernel in this session (trusted)
    finally:
        page.close()
    for when, found in (("stored", stored), ("after a run", fresh)):
        assert len(found) == 1, f"{when}: expected one figure image, found {found}"
        (img,) = found
        assert img["alt"] == ALT, f"{when}: the <img> carries alt={img['alt']!r}"
        assert img["width"] > 50, f"{when}: the image did not load"
        assert img["text"] == "", f"{when}: text shown next to the figure: {img['text']!r}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_outputs_pass_axe(lab_server, browser_context, chapters_folder, artifacts_dir, path):
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        open_notebook(page, lab_server, f"{FOLDER}/{path.name}", f"a11y-{path.stem}")
        run_all(page, timeout=RUN_ALL_TIMEOUT)
        errors = bad_outputs(page)
        render_every_cell(page)
        root = notebook_selector(page)
        violations = run_axe(page, root)
        no_alt = page.evaluate(_IMAGES_WITHOUT_ALT, root)
        unnamed = page.evaluate(_SLIDERS_WITHOUT_NAME, root)
        sliders = page.evaluate(
            "(r) => document.querySelectorAll(r + ' [role=slider], ' + r + ' input[type=range]').length", root
        )
        images = page.evaluate("(r) => document.querySelectorAll(r + ' img').length", root)
        (artifacts_dir / f"a11y-{path.stem}.json").write_text(json.dumps(violations, indent=1))
    finally:
        page.close()
    REPORT[path.stem] = {
        "axe": {v["id"]: len(v["nodes"]) for v in violations},
        "img_no_alt": len(no_alt),
        "unnamed_sliders": len(unnamed),
        "sliders": sliders,
        "images": images,
    }
    assert errors == [], f"{path.name}: a cell printed an error or a warning: {errors}"
    problems = summarize(violations)
    problems += [f"image without alt text: {where}" for where in no_alt]
    problems += ["slider without an accessible name: " + repr(re.sub(r"\s+", " ", s)) for s in unnamed]
    assert not problems, f"{path.name}: {len(problems)} accessibility problems:\n" + "\n".join(problems)
