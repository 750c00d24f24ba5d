"""Every section of every chapter runs after the setup cell alone.

A lecturer skips sections, and a learner comes back to a chapter in the middle. So no section may depend on a
variable, function or SymPy symbol that an earlier section defined. For each chapter this test starts one
kernel and, for each section (a markdown cell that opens with a ``## `` heading starts one), wipes the user
namespace (``%reset -f``), runs the setup cell (the chapter's first code cell) and then only that section's code
cells, and fails on any error or warning the section prints.
"""

from __future__ import annotations

import queue
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def sections(nb):
    """(setup source, [(title, [code sources])]) of a chapter notebook."""
    setup = None
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("## "):
            found.append((cell.source.lstrip().splitlines()[0][3:].strip(), []))
        elif cell.cell_type == "code":
            if setup is None:
                setup = cell.source
            elif found:
                found[-1][1].append(cell.source)
    return setup, [(title, codes) for title, codes in found if codes]


def test_sections_are_found():
    setup, found = sections(nbformat.read(ROOT / "notebooks" / "03_learning_rate.ipynb", as_version=4))
    assert setup is not None and "import" in setup
    assert len(found) >= 3


class Kernel:
    def __init__(self):
        from jupyter_client.manager import start_new_kernel

        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"))

    def run(self, code, timeout=300):
        """Run ``code``; return the problems it reported (errors, warnings on stderr)."""
        problems = []

        def hook(msg):
            kind = msg["msg_type"]
            content = msg["content"]
            if kind == "error":
                problems.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "stream" and content["name"] == "stderr" and content["text"].strip():
                problems.append(f"stderr: {content['text'].strip()[:300]}")

        try:
            reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook, allow_stdin=False)
        except (TimeoutError, queue.Empty):
            return [f"timed out after {timeout} s"]
        if reply["content"]["status"] != "ok" and not problems:
            problems.append(f"status {reply['content']['status']}")
        return problems

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_section_runs_after_the_setup_cell_alone(path):
    setup, found = sections(nbformat.read(path, as_version=4))
    assert setup is not None, "no setup cell"
    kernel = Kernel()
    failures = []
    try:
        for title, codes in found:
            problems = kernel.run("%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt")
            problems += kernel.run(setup)
            for index, code in enumerate(codes):
                problems += kernel.run(code)
                if problems:
                    where = f"section {title!r}, code cell {index + 1} of the section"
                    failures.append(f"{where}:\n  " + "\n  ".join(problems))
                    break
    finally:
        kernel.close()
    assert not failures, f"{path.name}: sections that need an earlier section:\n" + "\n".join(failures)
