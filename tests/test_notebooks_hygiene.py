"""Notebook hygiene: what nbval does not check about the stored, executed chapter notebooks.

nbval (run by plain `pytest`) re-executes every notebook and compares outputs. These tests look at the files
themselves: executed top to bottom from a fresh kernel, free of errors and warnings, small, titled, navigable,
listed in the README; and they check that the nbval settings (sanitizer, skipped formats) do what they claim.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_BYTES = 2 * 1024 * 1024
# A cell that continues the current slide has no slide type: jupyterlab-slideshow hides a literal "-".
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def navigation_lines(text: str) -> list[str]:
    """Navigation lines, e.g. `[← 02 Gradients](02_gradients.ipynb) | [Contents](00_start_here.ipynb) | ...`:
    at least two links separated by `|`, one of them to a notebook or the README; table rows do not count."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") or "|" not in stripped:
            continue
        targets = [t for _, t in LINK.findall(stripped)]
        if len(targets) >= 2 and any(t.split("#")[0].endswith((".ipynb", "README.md")) for t in targets):
            found.append(stripped)
    return found


def test_there_are_notebooks_and_the_start_notebook_is_one():
    assert (NOTEBOOK_DIR / "00_start_here.ipynb") in NOTEBOOKS


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, read(request.param)


def test_file_name_and_size(notebook):
    path, _ = notebook
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: name it NN_slug.ipynb"
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size / 1e6:.2f} MB; keep notebooks under 2 MB"


def test_valid_notebook_with_python3_kernel(notebook):
    path, nb = notebook
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"


def test_executed_once_from_top_to_bottom(notebook):
    path, nb = notebook
    cells = code_cells(nb)
    empty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not c.source.strip()]
    assert not empty, f"{path.name}: empty code cells at positions {empty}; delete them"
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts}; re-run it from a fresh kernel with `make execute`"
    )


def test_no_errors_and_no_warnings_in_outputs(notebook):
    path, nb = notebook
    problems = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {index}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                problems.append(f"cell {index}: stderr shows {out.text.strip().splitlines()[0]!r}")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# A number below 1e-12 written with its digits (8.9e-15, 1.7763568394002505e-15): at that size a computed quantity
# is round-off, and its digits change with the CPU's BLAS kernels and SIMD loops. Print a bound (< 1e-12) or a
# verdict instead. A bare power of ten (1e-13, an input such as a step size h) is not a computed digit string (a
# computed 1e-16 printed with one digit slips through: that is what the cross-machine run is for).
ROUND_OFF_DIGITS = re.compile(r"(?<![<≤\w.])(?<![<≤] )[-+]?(?:\d\.\d+|[2-9])e-(?:1[3-9]|[2-9]\d|\d{3})\b")


def output_texts(cell):
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            yield out.text
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                yield data.get("text/plain", "")


def test_no_round_off_digits_in_stored_outputs(notebook):
    path, nb = notebook
    problems = []
    for index, cell in enumerate(nb.cells):
        for text in output_texts(cell):
            for match in ROUND_OFF_DIGITS.finditer(text):
                line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end()) % (len(text) + 1)]
                problems.append(f"cell {index}: {match.group()} in {line.strip()[:100]!r}")
    assert not problems, f"{path.name} prints round-off digits (print a bound instead):\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("max|beta - beta*| after 3000 steps = 8.9e-15", True),
        ("largest difference: 8.881784197001252e-16", True),
        ("reaches x = -3.7e-21 in 7 steps", True),
        ("max |difference| < 1e-12", False),
        ("error below 1e-13 (round-off)", False),
        ("h = 1e-13: error 2.4e-03", False),
        ("distance 1.9e-11", False),
        ("max |difference| over the whole path: 6e-16", True),
    ],
)
def test_round_off_pattern(text, flagged):
    assert bool(ROUND_OFF_DIGITS.search(text)) is flagged


def test_first_cell_is_a_title(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name}: the first cell must be a markdown title"
    first_line = next(line for line in first.source.splitlines() if line.strip())
    assert re.match(r"# \S", first_line), f"{path.name}: the first cell must start with a `# Title` line"


def test_navigation_bar_at_top_and_bottom_with_working_links(notebook):
    path, nb = notebook
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    top = [line for c in markdown[:2] for line in navigation_lines(c.source)]
    bottom = navigation_lines(markdown[-1].source) if markdown else []
    assert top, f"{path.name}: no navigation line (previous | contents | next) in the first two markdown cells"
    assert bottom, f"{path.name}: the last markdown cell should repeat the navigation line"
    broken = []
    for line in top + bottom:
        for _, target in LINK.findall(line):
            if re.match(r"[a-z]+://", target):
                continue
            file_part = target.split("#")[0]
            if file_part and not (path.parent / file_part).exists():
                broken.append(target)
    assert not broken, f"{path.name}: navigation links to missing files {sorted(set(broken))}"


def test_widget_state_is_stored_for_widget_outputs(notebook):
    """A notebook showing widgets stores their state, so nbviewer and Binder render them before a run."""
    path, nb = notebook
    views = {
        out.data[WIDGET_VIEW]["model_id"]
        for c in code_cells(nb)
        for out in c.outputs
        if out.get("data", {}).get(WIDGET_VIEW)
    }
    if not views:
        pytest.skip(f"{path.name} shows no widgets")
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    missing = sorted(views - set(state))
    assert not missing, f"{path.name}: widget state missing for {len(missing)} views; run `make execute`"


def test_slide_metadata_values_are_valid(notebook):
    path, nb = notebook
    bad = [
        (i, c.metadata["slideshow"].get("slide_type"))
        for i, c in enumerate(nb.cells)
        if "slideshow" in c.metadata and c.metadata["slideshow"].get("slide_type") not in SLIDE_TYPES
    ]
    assert not bad, f"{path.name}: invalid slide types {bad}"


def readme_chapter_table() -> dict[str, str]:
    """Notebook file name -> the chapter number written in the README's chapter table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Chapters", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for _, target in LINK.findall(line):
            if target.startswith("notebooks/") and target.endswith(".ipynb"):
                rows[Path(target).name] = cells[0]
    return rows


def test_readme_chapter_table_lists_every_notebook():
    table = readme_chapter_table()
    unlisted = [p.name for p in NOTEBOOKS if p.name not in table]
    assert not unlisted, f"README.md's chapter table does not list {unlisted}"
    wrong_number = {name: number for name, number in table.items() if not name.startswith(number + "_")}
    assert not wrong_number, f"README.md's chapter numbers disagree with the file names: {wrong_number}"


# --- the nbval settings ---------------------------------------------------------------------------------


def sanitize(text: str) -> str:
    patterns = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def test_sanitizer_patterns_all_load():
    cfg = (ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    assert len(get_sanitize_patterns(cfg)) == cfg.count("\nregex: ")


@pytest.mark.parametrize(
    ("run_a", "run_b"),
    [
        ("<function f at 0x7f3a2b1c9d30>", "<function f at 0x7f11aa05e8b0>"),
        (
            "CPU times: user 1.2 ms, sys: 35 µs, total: 1.24 ms\nWall time: 2.01 s",
            "CPU times: user 980 µs, sys: 0 ns, total: 980 µs\nWall time: 1.5 ms",
        ),
        (
            "1.23 µs ± 4.5 ns per loop (mean ± std. dev. of 7 runs, 1,000,000 loops each)",
            "2.5 µs ± 10 ns per loop (mean ± std. dev. of 7 runs, 100,000 loops each)",
        ),
        ("descent took 0.0123", "descent took 0.9"),
        ("50/50 [00:01<00:00, 45.3it/s]", "50/50 [00:02<00:00, 21.07it/s]"),
        (
            '{"model_id": "3f2a9c0d8e7b4a61b2c3d4e5f6a7b8c9"}',
            '{"model_id": "0aa19b2cc4d84e0f9a1b2c3d4e5f6071"}',
        ),
        ("session 123e4567-e89b-12d3-a456-426614174000", "session 9f1c2d3e-4b5a-6789-abcd-ef0123456789"),
        ("saved at 2025-03-01 10:22:33.123", "saved at 2026-11-24 23:01:02"),
    ],
)
def test_sanitizer_masks_what_changes_between_runs(run_a, run_b):
    assert run_a != run_b
    assert sanitize(run_a) == sanitize(run_b)


@pytest.mark.parametrize(
    "result",
    [
        "converged after 605 steps, took 605 steps",
        "lr = 0.5: f = 0.000000 after 1 step",
        "x = [7. 3.]  f(x) = 58.0",
        "2 saddle points, 3 minima, 8 seeds",
        "error < 1e-3 from iteration 3162",
        "0x1",
    ],
)
def test_sanitizer_leaves_computed_results_alone(result):
    assert sanitize(result) == result


def _probe_notebook(stored_plain: str) -> nbformat.NotebookNode:
    """A cell whose fresh output has text/plain 'PLAIN' and text/html '<b>fresh</b>', one printing an address
    and one showing a widget; the stored outputs differ in html, address, widget id and widget repr."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    html_cell = nbformat.v4.new_code_cell(
        "from IPython.display import display\ndisplay({'text/plain': 'PLAIN', 'text/html': '<b>fresh</b>'}, raw=True)"
    )
    html_cell.execution_count = 1
    html_cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": stored_plain, "text/html": "<b>stale</b>"})
    ]
    address_cell = nbformat.v4.new_code_cell("print(object())")
    address_cell.execution_count = 2
    address_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="<object object at 0x7f00dead0000>\n")]
    widget_cell = nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=3)")
    widget_cell.execution_count = 3
    widget_cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={
                "text/plain": "IntSlider(value=7, description='an older layout')",
                WIDGET_VIEW: {"model_id": "0" * 32, "version_major": 2, "version_minor": 0},
            },
            execution_count=3,
        )
    ]
    nb.cells = [html_cell, address_cell, widget_cell]
    return nb


def _run_nbval(notebook_path: Path, *, with_conftest: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
    command += ["-p", "no:cacheprovider", "-q"]
    if with_conftest:
        command.append(str(ROOT / "conftest.py"))
    command.append(str(notebook_path))
    # With the conftest, run from the notebook's folder: the sanitizer path must resolve against the root.
    cwd = notebook_path.parent if with_conftest else ROOT
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd)


def test_nbval_compares_text_but_skips_html_addresses_and_widget_details(tmp_path):
    """Run nbval (with this repository's settings) on a probe notebook in a temporary folder."""
    matching = tmp_path / "matching.ipynb"
    nbformat.write(_probe_notebook(stored_plain="PLAIN"), matching)
    result = _run_nbval(matching)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout

    # Control: without the root conftest.py, nbval compares text/html and the widget's repr, and fails on both.
    result = _run_nbval(matching, with_conftest=False)
    assert result.returncode == 1 and "2 failed" in result.stdout, result.stdout[-3000:]
    assert "mismatch 'text/html'" in result.stdout and "mismatch 'text/plain'" in result.stdout

    differing = tmp_path / "differing.ipynb"
    nbformat.write(_probe_notebook(stored_plain="STALE"), differing)
    result = _run_nbval(differing)
    assert result.returncode == 1, "a changed text/plain output must fail the notebook test"
    assert "Cell outputs differ" in result.stdout and "1 failed" in result.stdout

    # A cell whose widget no longer appears fails, although the widget's repr itself is not compared.
    vanished = _probe_notebook(stored_plain="PLAIN")
    vanished.cells[2].source = "import ipywidgets\nslider = ipywidgets.IntSlider(value=3)"
    vanished_path = tmp_path / "vanished.ipynb"
    nbformat.write(vanished, vanished_path)
    result = _run_nbval(vanished_path)
    assert result.returncode == 1 and "1 failed" in result.stdout, result.stdout[-3000:]


def test_widget_state_check_reads_real_notebook_metadata():
    """Guard for test_widget_state_is_stored_for_widget_outputs: the metadata key it reads is the one
    nbconvert writes (`store_widget_state=True`)."""
    with_widgets = [p for p in NOTEBOOKS if WIDGET_VIEW in p.read_text(encoding="utf-8")]
    if not with_widgets:
        pytest.skip("no stored notebook shows widgets yet")
    metadata = json.loads(with_widgets[0].read_text(encoding="utf-8"))["metadata"]
    assert WIDGET_STATE in metadata.get("widgets", {})
