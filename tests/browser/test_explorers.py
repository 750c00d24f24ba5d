"""End-to-end: every explorer of the course, in JupyterLab inside a headless Chromium.

One notebook is written to the server's temporary root: ``%matplotlib widget`` and the imports, then one cell per
explorer, built with the same calls as the chapter that shows it (smaller step counts, to stay quick). The
notebook runs with Run All; then, for each explorer, inside that cell's output area only: the ipympl canvas and
the sliders render, the canvas holds a drawing, one slider is moved with the arrow keys on its focused handle,
and the canvas pixels must change. Screenshots of the output area before and after go to $BROWSER_ARTIFACTS
(default /tmp/course-browser-artifacts) as ``explorers-<name>-before.png`` / ``-after.png``. The last test
checks the browser console of the whole run (same rules as test_lab.py).
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
from dataclasses import dataclass

import numpy as np
import pytest

from .conftest import missing_requirement

_reason = missing_requirement()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

from .test_lab import (  # noqa: E402 - after the skip, as test_lab.py itself does
    REDRAW_TIMEOUT,
    ConsoleLog,
    canvas_digest,
    open_notebook,
    slider_label,
    slider_readout,
    wait_for_drawn_canvas,
    wait_for_new_canvas,
)

pytestmark = pytest.mark.browser

FOLDER = "explorers-check"
NOTEBOOK = "all_explorers.ipynb"
RUN_ALL_TIMEOUT = 150  # seconds for every cell of the notebook
RENDER_TIMEOUT = 30  # seconds for one explorer's canvas and sliders to appear
PRESSES = 20  # arrow-key presses on the chosen slider (a course slider has about 200 steps)
MATCH_TIMEOUT = 10  # seconds for the browser's canvas to equal the kernel's figure once the kernel is idle
MISMATCH_LEVEL = 16  # a pixel differs when a channel differs by more than this (0..255)

SETUP = """\
%matplotlib widget
import numpy as np
import sympy as sp

import course_lib as cl
import course_lib.viz as viz
from course_lib import regression
from course_lib.optimizers import SGD, Adadelta, Adagrad, Adam, RMSprop
from course_lib.second_order import LBFGS, Newton, SafeguardedNewton
from course_lib.viz.explorers_adaptive import DecayExplorer, EffectiveLrExplorer
from course_lib.viz.explorers_momentum import NoiseExplorer
from course_lib.viz.explorers_regression import regression_explorer
from course_lib.viz.explorers_sgd import AnnealingExplorer, MinibatchExplorer"""


@dataclass(frozen=True)
class Explorer:
    name: str  # test id and screenshot name
    chapter: str  # where the course builds it this way
    source: str  # the cell
    slider: str  # the label of the slider to move
    key: str = "ArrowRight"  # the key pressed on its handle


EXPLORERS = [
    Explorer(
        "descent-1d",
        "00_start_here",
        'explorer = viz.descent_explorer(\n    cl.surface("parabola"), "SGD", x0=[2.0], steps=15,'
        ' params={"lr": (0.01, 1.1, 0.1, "log")}\n)\nexplorer',
        "lr",
    ),
    Explorer(
        "descent-2d",
        "02_gradients",
        'ellipse = cl.surface("ellipse")\nexplorer = viz.descent_explorer(\n    ellipse,\n    "SGD",\n'
        '    x0=[-1.8, 1.2],\n    steps=40,\n    params={"lr": (0.01, 0.6, 0.1)},\n    xlim=(-2, 2),\n'
        '    ylim=(-1.5, 1.5),\n    title="Gradient descent on x² + 2y²",\n)\nexplorer',
        "lr",
    ),
    Explorer(
        "descent-show-state",
        "06_momentum",
        'bowl = cl.surface("ill_conditioned")\nbeta_explorer = viz.descent_explorer(\n    bowl,\n    "SGD",\n'
        "    x0=[-9.0, 1.5],\n    steps=30,\n    show_state=True,\n"
        '    params={"lr": (0.005, 0.2, 0.03, "log"), "momentum": (0.0, 0.99, 0.5)},\n'
        '    title="SGD with momentum on (x² + 25y²)/2",\n)\nbeta_explorer',
        "momentum",
    ),
    Explorer(
        "race",
        "03_learning_rate",
        'ellipse = cl.surface("ellipse")\nrace_lrs = {"1/L = 0.25": 0.25, "2/(mu+L) = 1/3": 1 / 3, "0.45": 0.45}\n'
        "opts = {label: cl.optimizers.SGD(lr=lr) for label, lr in race_lrs.items()}\n"
        "viz.race_explorer(ellipse, opts, x0=[2.0, 1.5], steps=40)",
        "1/L = 0.25: lr",
    ),
    Explorer(
        "race-adaptive",
        "07_adaptive_methods",
        'contestants = {\n    "SGD": SGD(lr=2e-3),\n    "momentum": SGD(lr=2e-3, momentum=0.9),\n'
        '    "Adagrad": Adagrad(lr=0.5),\n    "RMSprop": RMSprop(lr=0.01),\n    "Adadelta": Adadelta(),\n'
        '    "Adam": Adam(lr=0.05),\n}\nrace = viz.race_explorer(\n    cl.surface("rosenbrock"), contestants,'
        " x0=[-1.5, 2.0], steps=100, xlim=(-2, 2), ylim=(-1, 3)\n)\nrace",
        "Adam: lr",
    ),
    Explorer(
        "race-second-order",
        "09_newton_lbfgs",
        'rosen = cl.surface("rosenbrock")\nrace = viz.race_explorer(\n    rosen,\n    {\n'
        '        "GD (lr 1e-3)": cl.optimizers.SGD(lr=1e-3),\n        "Adam (lr 0.05)": cl.optimizers.Adam(lr=0.05),\n'
        '        "Newton": Newton(rosen),\n        "Safeguarded Newton": SafeguardedNewton(rosen),\n'
        '        "L-BFGS": LBFGS(rosen),\n    },\n    x0=[-1.2, 1.0],\n    steps=40,\n    xlim=(-1.6, 1.6),\n'
        "    ylim=(-0.6, 1.8),\n)\nrace",
        "Adam (lr 0.05): lr",
    ),
    Explorer(
        "sweep",
        "03_learning_rate",
        'viz.sweep_explorer(\n    cl.surface("bowl"),\n    cl.optimizers.SGD(lr=0.1),\n    x0=[0.0, 0.0],\n'
        '    steps=30,\n    x_param=("lr", np.geomspace(1e-2, 2.0, 16)),\n'
        '    y_param=("momentum", [0.0, 0.3, 0.6, 0.9]),\n)',
        "step",  # the sweep's only slider; it starts at the last step
        "ArrowLeft",
    ),
    Explorer(
        "regression",
        "04_linear_regression",
        "X, y = regression.seed_data()\nX_aug = regression.add_bias(X)\nstart = np.array([10.1, 15.1, -6.5])\n"
        'regression_explorer(X_aug, y, beta0=start, steps=500, lr=(1e-3, 0.1, 0.01), names=["w1", "w2", "b"])',
        "lr",
    ),
    Explorer(
        "minibatch",
        "05_sgd",
        "X2, y2, _ = regression.make_data(200, 2, noise=1.0, rng=3)\n"
        "explorer = MinibatchExplorer(X2, y2, beta0=[-2.0, 2.5], epochs=3, lr=0.05, batch_size=10)\nexplorer",
        "batch_size",
    ),
    Explorer(
        "annealing",
        "05_sgd",
        'well = cl.surface("double_well")\n'
        "barrier = float(sp.nsolve(sp.diff(well.expr, well.variables[0]), 0.0))  # the local maximum\n"
        "annealing = AnnealingExplorer(well, x0=well.minima[1, 0], barrier=barrier, particles=100, steps=200)\n"
        "annealing",
        "sigma",
    ),
    Explorer(
        "noise",
        "06_momentum",
        "noise_explorer = NoiseExplorer(curvatures=(1.0, 4.0), x0=(2.0, 1.5), runs=50, steps=100)\nnoise_explorer",
        "lr",
    ),
    Explorer(
        "effective-lr",
        "07_adaptive_methods",
        "lr_explorer = EffectiveLrExplorer(steps=150)\nlr_explorer",
        "big",
    ),
    Explorer(
        "decay",
        "08_weight_decay",
        'f = cl.objective("50*(x - 1)**2 + (y - 1)**2/2")\n'
        "decay_explorer = DecayExplorer(f, x0=[0.0, 0.0], steps=200, xlim=(-0.1, 1.2), ylim=(-0.1, 1.2))\n"
        "decay_explorer",
        "lambda",
    ),
    Explorer(
        "training",
        "10_training_a_model",
        "from course_lib.datasets import load_breast_cancer\nfrom course_lib.models import LogisticRegression\n"
        "from course_lib.training import race\nfrom course_lib.viz.explorers_training import TrainingExplorer\n"
        "data = load_breast_cancer(seed=0)\ntest = (data.X_test, data.y_test)\n"
        "logistic = LogisticRegression(data.X_train, data.y_train)\n"
        "result = race(logistic, lrs=np.logspace(-4, 1, 11), seeds=(0, 1, 2, 3, 4), epochs=20, batch_size=32,"
        " test=test, weight_decay=0.01)\n"
        'explorer = TrainingExplorer(logistic, result, test=test, optimizer="SGD")\nexplorer',
        "lr",
    ),
]
FIRST_EXPLORER_CELL = 1  # cell 0 is SETUP


def _notebook() -> dict:
    def code(source, tags=()):
        return {
            "id": f"cell-{len(cells)}",
            "cell_type": "code",
            "metadata": {"tags": list(tags)},
            "source": source,
            "execution_count": None,
            "outputs": [],
        }

    # "raises-exception": Run All goes on past a failing explorer, so every other explorer is still checked.
    cells: list[dict] = []
    cells.append(code(SETUP))
    for e in EXPLORERS:
        cells.append(code(f"# {e.name} ({e.chapter})\n{e.source}", ["raises-exception"]))
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


# ----------------------------------------------------------------------------------------------- page helpers
_CELL_STATES = """() => {
    const w = window.jupyterapp.shell.currentWidget;
    return {
        kernel: w.sessionContext.session.kernel.status,
        cells: Array.from(w.content.model.cells).map(c => {
            const outs = Array.from({length: c.outputs.length}, (_, i) => c.outputs.get(i).toJSON());
            return {
                count: c.executionCount,
                problems: outs.flatMap(o => o.output_type === 'error' ? [o.ename + ': ' + o.evalue]
                    : (o.output_type === 'stream' && o.name === 'stderr') ? ['stderr: ' + o.text] : []),
            };
        }),
    };
}"""


def run_all_cells(page, timeout: float = RUN_ALL_TIMEOUT) -> float:
    """Run All, then wait until every cell ran (or, after an error, nothing moved for a few seconds)."""
    start = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    last, still_since = None, time.monotonic()
    while time.monotonic() - start < timeout:
        page.wait_for_timeout(500)
        state = page.evaluate(_CELL_STATES)
        counts = [c["count"] for c in state["cells"]]
        idle = state["kernel"] == "idle"
        if idle and all(counts):
            return time.monotonic() - start
        if counts != last:
            last, still_since = counts, time.monotonic()
        errors = any(c["problems"] for c in state["cells"])
        if idle and errors and time.monotonic() - still_since > 5:
            return time.monotonic() - start  # the tests below name the cells that failed or did not run
    pending = [i for i, c in enumerate(page.evaluate(_CELL_STATES)["cells"]) if not c["count"]]
    raise AssertionError(f"Run All did not finish within {timeout}s; cells not run yet: {pending}")


def mark_cell(page, index: int, name: str):
    """Tag cell ``index`` in the DOM with the explorer's name; return a locator for that cell only."""
    page.evaluate(
        "([i, name]) => { window.jupyterapp.shell.currentWidget.content.widgets[i].node"
        ".dataset.courseExplorer = name; }",
        [index, name],
    )
    return page.locator(f'.jp-Cell[data-course-explorer="{name}"]')


def canvas_ink(canvas) -> float:
    """Share of sampled canvas pixels that are not (almost) white: a rough measure of how much is drawn."""
    return canvas.evaluate(
        """(c) => {
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let ink = 0, n = 0;
            for (let i = 0; i < px.length; i += 4 * 7) {
                n++;
                if (px[i + 3] > 0 && (px[i] < 235 || px[i + 1] < 235 || px[i + 2] < 235)) ink++;
            }
            return n ? ink / n : 0;
        }"""
    )


_KERNEL_FIGURE = """\
import base64 as _b64, io as _io
from PIL import Image as _Image
with _io.BytesIO() as _png:
    _Image.fromarray(np.asarray(Out[{count}].fig.canvas.get_renderer().buffer_rgba())).save(_png, format="png")
    print(_b64.b64encode(_png.getvalue()).decode())
del _b64, _io, _Image, _png
"""

_RUN_IN_KERNEL = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, silent: false, store_history: false});
    let out = '';
    future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') out += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
    };
    await future.done;
    return out;
}"""


def _png_pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


def kernel_figure(page, count: int) -> np.ndarray:
    """The explorer's figure as the kernel has drawn it (its Agg buffer): what the browser should show.

    ``count`` is the execution count of the explorer's cell; the explorer is ``Out[count]``. The code runs
    without history, so the notebook does not change."""
    out = page.evaluate(_RUN_IN_KERNEL, _KERNEL_FIGURE.format(count=count)).strip()
    assert not out.startswith("ERROR"), f"reading the figure in the kernel failed: {out}"
    return _png_pixels(base64.b64decode(out))


def browser_figure(canvas) -> np.ndarray:
    url = canvas.evaluate("(c) => c.toDataURL('image/png')")
    return _png_pixels(base64.b64decode(url.split(",", 1)[1]))


def wait_for_kernel_match(page, canvas, count: int, timeout: float = MATCH_TIMEOUT):
    """Wait until the browser's canvas shows the kernel's figure; return (share of differing pixels, the
    kernel's pixels, the browser's pixels) from the last comparison."""
    deadline = time.monotonic() + timeout
    while True:
        # both sides are read again each time: a redraw the browser asked for may still be on its way
        expected = kernel_figure(page, count)
        shown = browser_figure(canvas)
        if shown.shape != expected.shape:
            share = 1.0
        else:
            share = float(np.mean(np.abs(shown.astype(int) - expected.astype(int)).max(axis=-1) > MISMATCH_LEVEL))
        if share == 0.0 or time.monotonic() > deadline:
            return share, expected, shown
        page.wait_for_timeout(250)


def save_mismatch(path, expected: np.ndarray, shown: np.ndarray) -> None:
    """Kernel figure | browser canvas | differing pixels (red), side by side."""
    from PIL import Image

    if expected.shape != shown.shape:
        Image.fromarray(shown).save(path)
        return
    marks = np.full_like(expected, 255)
    marks[np.abs(shown.astype(int) - expected.astype(int)).max(axis=-1) > MISMATCH_LEVEL] = (220, 0, 0, 255)
    Image.fromarray(np.concatenate([expected, shown, marks], axis=1)).save(path)


# ----------------------------------------------------------------------------------------------- fixture
@pytest.fixture(scope="module")
def explorer_page(lab_server, browser_context, artifacts_dir):
    """The notebook of every explorer, opened in JupyterLab and run once; shared by the tests below."""
    folder = lab_server.root / FOLDER
    folder.mkdir()
    (folder / NOTEBOOK).write_text(json.dumps(_notebook(), indent=1))
    nb_path = f"{FOLDER}/{NOTEBOOK}"
    page = browser_context.new_page()
    console = ConsoleLog(page, "explorers", artifacts_dir)
    summary: list[str] = []
    started = time.monotonic()
    try:
        open_notebook(page, lab_server, nb_path, "explorers-check")
        seconds = run_all_cells(page)
        summary.append(f"notebook {lab_server.root / nb_path}: Run All {seconds:.1f}s")
        summary.append(f"screenshots: {artifacts_dir}/explorers-<name>-before.png, -after.png")
        yield page, console, summary
    finally:
        page.screenshot(path=str(artifacts_dir / "explorers-page.png"))
        console.save()
        summary.append(f"console log: {console.path} ({len(console.messages)} messages)")
        summary.append(f"whole check: {time.monotonic() - started:.1f}s")
        print("\n" + "\n".join(summary))
        page.close()


# ----------------------------------------------------------------------------------------------- tests
def test_setup_cell(explorer_page):
    page, _, _ = explorer_page
    setup = page.evaluate(_CELL_STATES)["cells"][0]
    assert setup["count"], "the import cell did not run"
    assert setup["problems"] == [], f"the import cell printed an error or a warning: {setup['problems']}"


@pytest.mark.parametrize("explorer", EXPLORERS, ids=[e.name for e in EXPLORERS])
def test_explorer_renders_and_redraws(explorer_page, artifacts_dir, explorer):
    page, console, summary = explorer_page
    name, index = explorer.name, FIRST_EXPLORER_CELL + EXPLORERS.index(explorer)
    what = f"explorer {name!r} (cell {index}, as in {explorer.chapter})"
    started = time.monotonic()
    state = page.evaluate(_CELL_STATES)["cells"][index]
    assert state["count"], f"{what}: the cell did not run (an earlier cell failed or Run All timed out)"
    assert state["problems"] == [], f"{what}: the cell printed an error or a warning: {state['problems']}"

    cell = mark_cell(page, index, name)
    output = cell.locator(".jp-Cell-outputArea")
    output.scroll_into_view_if_needed()
    canvas = output.locator(".jupyter-matplotlib-canvas-div canvas").first
    sliders = output.locator(".widget-slider")
    try:
        canvas.wait_for(state="visible", timeout=RENDER_TIMEOUT * 1000)
        sliders.first.wait_for(state="visible", timeout=RENDER_TIMEOUT * 1000)
    except Exception as exc:
        size = canvas.evaluate("(c) => c.width + 'x' + c.height") if canvas.count() else "missing"
        errors = "\n".join(console.problems()[0]) or "none"
        raise AssertionError(
            f"{what}: the ipympl canvas or the sliders did not render within {RENDER_TIMEOUT}s "
            f"(canvas {size}, {sliders.count()} sliders); console errors so far:\n{errors}"
        ) from exc
    output.scroll_into_view_if_needed()
    size = canvas.evaluate("(c) => [c.width, c.height]")
    assert size[0] >= 200 and size[1] >= 150, f"{what}: the canvas is only {size[0]}x{size[1]} pixels"
    try:
        before = wait_for_drawn_canvas(page, canvas)
    except Exception as exc:
        raise AssertionError(f"{what}: the canvas stayed blank (one colour) for 30s") from exc
    ink_before = canvas_ink(canvas)
    shot_before = artifacts_dir / f"explorers-{name}-before.png"
    output.screenshot(path=str(shot_before))
    off_before, expected, shown = wait_for_kernel_match(page, canvas, state["count"])
    if off_before:
        save_mismatch(artifacts_dir / f"explorers-{name}-before-mismatch.png", expected, shown)
    before = canvas_digest(canvas)

    labels = [slider_label(sliders.nth(i)) for i in range(sliders.count())]
    exact = re.compile(rf"^\s*{re.escape(explorer.slider)}\s*$")
    slider = sliders.filter(has=page.locator(".widget-label", has_text=exact)).first
    assert slider.count(), f"{what}: no slider labelled {explorer.slider!r}; its sliders are {labels}"
    value_before = slider_readout(slider)
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(PRESSES):
        handle.press(explorer.key)
        page.wait_for_timeout(40)
    value_after = slider_readout(slider)
    assert value_after != value_before, (
        f"{what}: slider {explorer.slider!r} did not move ({value_before}) after {PRESSES}x {explorer.key}"
    )
    wait_for_new_canvas(page, canvas, before)
    # then settle: the kernel may still be answering the last key presses
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=REDRAW_TIMEOUT * 1000,
    )
    off_after, expected, shown = wait_for_kernel_match(page, canvas, state["count"])
    after = canvas_digest(canvas)
    ink_after = canvas_ink(canvas)
    shot_after = artifacts_dir / f"explorers-{name}-after.png"
    output.screenshot(path=str(shot_after))
    mismatch = artifacts_dir / f"explorers-{name}-after-mismatch.png"
    if off_after:
        save_mismatch(mismatch, expected, shown)
    summary.append(
        f"{name:20s} {explorer.chapter:22s} {explorer.slider!r}: {value_before} -> {value_after}; "
        f"canvas {size[0]}x{size[1]}, ink {ink_before:.1%} -> {ink_after:.1%}; "
        f"{'changed' if after != before else 'UNCHANGED'}; differs from the kernel's figure "
        f"{off_before:.2%} before, {off_after:.2%} after; {time.monotonic() - started:.1f}s"
    )
    assert after != before, (
        f"{what}: the canvas pixels did not change within {REDRAW_TIMEOUT}s after slider {explorer.slider!r} "
        f"moved {value_before} -> {value_after}; see {shot_before} and {shot_after}"
    )
    assert off_before == 0, (
        f"{what}: before any slider moved, {off_before:.2%} of the canvas pixels differ from the figure drawn "
        f"in the kernel; see {artifacts_dir / f'explorers-{name}-before-mismatch.png'} (kernel | browser | diff)"
    )
    assert off_after == 0, (
        f"{what}: after slider {explorer.slider!r} moved {value_before} -> {value_after}, {off_after:.2%} of the "
        f"canvas pixels differ from the figure drawn in the kernel (stale or lost frames); see {mismatch} "
        "(kernel | browser | diff)"
    )
    state = page.evaluate(_CELL_STATES)["cells"][index]
    assert state["problems"] == [], f"{what}: moving the slider printed an error or a warning: {state['problems']}"


def test_console_clean(explorer_page, browser_context):
    """Last: the browser console of the whole run, after every explorer was moved."""
    _, console, summary = explorer_page
    unexpected, benign = console.problems()
    summary += ["benign console errors:"] + (benign or ["  none"])
    if browser_context.external_requests:
        summary.append(f"refused requests leaving 127.0.0.1: {browser_context.external_requests}")
    assert unexpected == [], "browser console errors:\n" + "\n".join(unexpected)


# ----------------------------------------------------------------------------------------------- keyboard
_ACTIVE = """(root) => {
    const a = document.activeElement;
    const slider = a && a.closest('.widget-slider');
    const label = slider && slider.querySelector('.widget-label');
    return {
        inside: root.contains(a),
        canvas: !!(a && a.closest('.jupyter-matplotlib-canvas-div')),
        tag: a ? a.tagName.toLowerCase() : '',
        role: a ? (a.getAttribute('role') || '') : '',
        name: a ? (a.getAttribute('aria-label') || a.getAttribute('title')
                   || (a.labels && a.labels[0] ? a.labels[0].textContent : '') || '').trim() : '',
        slider: label ? label.textContent.trim() : null,
        id: a ? a.id : '',
        valuetext: a ? (a.getAttribute('aria-valuetext') || '') : '',
        readout: slider ? slider.querySelector('.widget-readout').textContent.trim() : '',
    };
}"""

_SENTINEL = """(root) => {
    // focusable elements just before and just after the explorer: a walk starts at one and must reach the other
    for (const id of ['course-walk-start', 'course-walk-end']) {
        const old = document.getElementById(id);
        if (old) old.remove();
    }
    const before = document.createElement('button');
    before.id = 'course-walk-start';
    before.textContent = 'before the explorer';
    const after = document.createElement('button');
    after.id = 'course-walk-end';
    after.textContent = 'after the explorer';
    root.parentElement.insertBefore(before, root);
    root.parentElement.insertBefore(after, root.nextSibling);
    before.focus();
    return document.activeElement === before;
}"""

_FOCUS_END = """() => {
    const end = document.getElementById('course-walk-end');
    end.focus();
    return document.activeElement === end;
}"""


def keyboard_walk(page, cell, explorer, what, wait_idle) -> str:
    """Tab enters the explorer and reaches every control, each with a name that says what it sets (a slider's
    value as its readout shows it); the arrow keys on the chosen slider move its value and the figure; Tab
    leaves past the figure (no trap) and Shift+Tab comes back. Returns a summary line."""
    root = cell.locator(".course-explorer").first
    root.wait_for(state="attached", timeout=RENDER_TIMEOUT * 1000)
    root.scroll_into_view_if_needed()
    # the mouse away from every figure: ipympl shows a figure's toolbar only while the mouse is over it
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    handle_root = root.element_handle()
    page.wait_for_function(
        "(r) => r.querySelector('.noUi-handle[aria-label]') !== null", arg=handle_root, timeout=RENDER_TIMEOUT * 1000
    )
    assert page.evaluate(_SENTINEL, handle_root), f"{what}: could not place the focus before the explorer"
    n_sliders = root.locator(".widget-slider").count()
    visited, left = [], None
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate(_ACTIVE, handle_root)
        if not info["inside"]:
            left = info
            break
        visited.append(info)
    assert visited, f"{what}: Tab from just before the explorer did not enter it"
    assert left is not None, f"{what}: 80 Tab presses did not leave the explorer (a keyboard trap); last: {visited[-1]}"
    assert not any(v["canvas"] for v in visited), f"{what}: the figure's canvas takes a Tab stop"
    unnamed = [v for v in visited if not v["name"]]
    assert unnamed == [], f"{what}: controls without an accessible name: {unnamed}"
    handles = [v for v in visited if v["role"] == "slider"]
    assert len(handles) == n_sliders, f"{what}: Tab reached {len(handles)} of {n_sliders} sliders"
    for v in handles:
        assert v["slider"] in v["name"], f"{what}: slider {v['slider']!r} is announced as {v['name']!r}"
        assert v["valuetext"] == v["readout"], (
            f"{what}: slider {v['slider']!r} announces {v['valuetext']!r} but shows {v['readout']!r}"
        )
    assert left["id"] == "course-walk-end", f"{what}: Tab left the explorer to <{left['tag']}>, not to what follows"
    # Shift+Tab from just after the explorer walks back through the same controls and out before it
    assert page.evaluate(_FOCUS_END), f"{what}: could not place the focus after the explorer"
    back, out = [], None
    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        info = page.evaluate(_ACTIVE, handle_root)
        if not info["inside"]:
            out = info
            break
        back.append(info)
    assert out is not None and out["id"] == "course-walk-start", f"{what}: Shift+Tab did not leave before it: {out}"
    assert len(back) == len(visited), f"{what}: {len(visited)} Tab stops forwards, {len(back)} backwards"
    # from the start again, Tab to the chosen slider; its arrow keys move the value and the figure
    page.evaluate(_SENTINEL, handle_root)
    for _ in range(80):
        page.keyboard.press("Tab")
        info = page.evaluate(_ACTIVE, handle_root)
        if info["slider"] == explorer.slider and info["role"] == "slider":
            break
    else:
        raise AssertionError(f"{what}: Tab never reached slider {explorer.slider!r}")
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas").first
    wait_idle()
    before, value_before = canvas_digest(canvas), info["readout"]
    for _ in range(3):
        page.keyboard.press(explorer.key)
        page.wait_for_timeout(60)
    after = page.evaluate(_ACTIVE, handle_root)
    assert after["slider"] == explorer.slider, f"{what}: the arrow keys moved the focus away from the slider"
    assert after["readout"] != value_before, f"{what}: the arrow keys did not move slider {explorer.slider!r}"
    wait_for_new_canvas(page, canvas, before)
    assert canvas_digest(canvas) != before, f"{what}: the figure did not change after the arrow keys"
    status = cell.locator(".course-explorer-status").first.inner_text().strip()
    assert status, f"{what}: no text description beside the figure"
    page.evaluate("() => ['course-walk-start', 'course-walk-end'].forEach(i => document.getElementById(i)?.remove())")
    return (
        f"{explorer.name:20s} keyboard: {len(visited)} Tab stops, {len(handles)} sliders named, left to "
        f"<{left['tag']}>; {explorer.slider!r} {value_before} -> {after['readout']}"
    )


@pytest.mark.parametrize("explorer", EXPLORERS, ids=[e.name for e in EXPLORERS])
def test_keyboard_walk(explorer_page, explorer):
    """In JupyterLab: see keyboard_walk."""
    page, _, summary = explorer_page
    index = FIRST_EXPLORER_CELL + EXPLORERS.index(explorer)
    what = f"explorer {explorer.name!r} (cell {index}, as in {explorer.chapter})"
    cell = mark_cell(page, index, explorer.name)

    def wait_idle():
        page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=REDRAW_TIMEOUT * 1000,
        )

    summary.append(keyboard_walk(page, cell, explorer, what, wait_idle))


# ----------------------------------------------------------------------------------------------- Notebook 7
@pytest.fixture(scope="module")
def notebook7_page(lab_server, browser_context, artifacts_dir):
    """The same notebook in Jupyter Notebook 7 (served by the same server), run once with Run > Run All Cells."""
    pytest.importorskip("notebook", reason="Jupyter Notebook 7 (the notebook package) is not installed")
    folder = lab_server.root / f"{FOLDER}-nb7"
    folder.mkdir()
    (folder / NOTEBOOK).write_text(json.dumps(_notebook(), indent=1))
    page = browser_context.new_page()
    console = ConsoleLog(page, "explorers-nb7", artifacts_dir)
    try:
        page.goto(lab_server.url(f"notebooks/{folder.name}/{NOTEBOOK}"), wait_until="domcontentloaded")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=90_000)
        page.wait_for_function(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-KernelStatus, "
            ".jp-Toolbar-kernelStatus') !== null",
            timeout=90_000,
        )
        page.wait_for_timeout(2000)  # the kernel connects
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        n_code = len(_notebook()["cells"])
        page.wait_for_function(
            r"""(n) => {
                const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
                    .map(p => p.textContent.trim());
                return prompts.length === n && prompts.every(t => /^\[\d+\]:$/.test(t));
            }""",
            arg=n_code,
            timeout=RUN_ALL_TIMEOUT * 1000,
            polling=500,
        )
        yield page
    finally:
        console.save()
        page.close()


@pytest.mark.parametrize("explorer", EXPLORERS, ids=[e.name for e in EXPLORERS])
def test_keyboard_walk_notebook7(notebook7_page, explorer):
    """In Jupyter Notebook 7 (after Run All): see keyboard_walk. Notebook 7 handles its shortcuts before a
    focused slider sees the key; the explorers keep the keys of their controls for the controls."""
    page = notebook7_page
    index = FIRST_EXPLORER_CELL + EXPLORERS.index(explorer)
    what = f"explorer {explorer.name!r} in Notebook 7 (cell {index}, as in {explorer.chapter})"
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    keyboard_walk(page, cell, explorer, what, lambda: page.wait_for_timeout(500))
