"""Every exercise, solved with its solution file, passes its check inside its own notebook.

The chapter notebooks are stored with the exercise stubs, so their checks answer "Not yet". Here each stub is
replaced by its solution file, exactly as ``%load solutions/...`` would do in JupyterLab, the notebook is run
from a fresh kernel, and every check cell must then answer "Correct". This catches a solution whose names do
not match the notebook's check cell, or a check that rejects a right answer in context.
"""

import pathlib
import re

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient comes with JupyterLab; needed to run notebooks")

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LOAD = re.compile(r"^#\s*%load\s+(solutions/\S+\.py)\s*$", re.MULTILINE)


def exercises(path):
    nb = nbformat.read(path, as_version=4)
    return [
        (i, LOAD.search(cell.source).group(1))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and LOAD.search(cell.source)
    ]


CHAPTERS = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if exercises(p)]


def test_every_chapter_after_the_start_has_at_least_two_exercises():
    chapters = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))[1:]
    assert chapters, "no chapter notebooks found"
    for path in chapters:
        assert len(exercises(path)) >= 2, f"{path.name} has fewer than two exercises"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_the_load_line_comes_first_in_every_exercise_cell(path):
    # %load replaces the whole cell with the solution file: anything above or beside it would be lost.
    nb = nbformat.read(path, as_version=4)
    for index, solution in exercises(path):
        assert nb.cells[index].source.lstrip().startswith(f"# %load {solution}"), (
            f"{path.name}, cell {index}: put `# %load {solution}` on the first line and move other code to its own cell"
        )


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_solutions_pass_their_checks_in_the_notebook(path):
    nb = nbformat.read(path, as_version=4)
    found = exercises(path)
    for index, solution in found:
        text = (NOTEBOOKS / solution).read_text(encoding="utf-8")
        nb.cells[index].source = f"# %load {solution}\n{text}"
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    for index, solution in found:
        check_cell = nb.cells[index + 1]
        assert "check." in check_cell.source, f"{path.name}: no check cell after the exercise loading {solution}"
        shown = "".join(
            out.get("data", {}).get("text/plain", "")
            for out in check_cell.outputs
            if out.output_type == "execute_result"
        )
        assert shown.startswith("✅"), f"{path.name}: {solution} does not pass `{check_cell.source.strip()}`: {shown}"
