"""How long does each chapter notebook take to run from a fresh kernel?

Executes every notebooks/NN_*.ipynb (not notebooks/solutions/) with nbclient, one fresh kernel each, in a
temporary copy of the notebooks folder, so the repository is never modified. Prints the seconds per notebook
and the total, and flags any notebook slower than the limit (10 s by default): a chapter that keeps a learner
waiting needs smaller computations.

    make bench
    .venv/bin/python benchmarks/bench_course.py [--limit 10] [notebooks/03_learning_rate.ipynb ...]

The kernel is the "python3" kernel spec as seen from this interpreter; the script checks that the kernel runs
in the same environment (the .venv) before timing anything.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL_NAME = "python3"


def chapter_notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def check_kernel(workdir: Path) -> str:
    """Fail early unless the python3 kernel runs in this interpreter's environment (sys.prefix)."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys; print(sys.prefix)")]
    NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=60, resources={"metadata": {"path": str(workdir)}}).execute()
    kernel_prefix = nb.cells[0].outputs[0]["text"].strip()
    if Path(kernel_prefix).resolve() != Path(sys.prefix).resolve():
        raise SystemExit(
            f"The {KERNEL_NAME!r} kernel ({spec.resource_dir}) runs in {kernel_prefix}, not in {sys.prefix}. "
            "Run this script with the .venv's python (make bench)."
        )
    return kernel_prefix


def run(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to time (default: every chapter)")
    parser.add_argument("--limit", type=float, default=10.0, help="flag notebooks slower than this (seconds)")
    parser.add_argument("--timeout", type=int, default=600, help="per-cell timeout (seconds)")
    args = parser.parse_args(argv)

    selected = [p.resolve() for p in args.notebooks] or chapter_notebooks()
    if not selected:
        print("no notebooks found under notebooks/")
        return 1

    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        # Copy the whole folder so relative paths (data files, %load solutions/...) work as in the repository.
        copy = Path(tmp) / "notebooks"
        shutil.copytree(NOTEBOOK_DIR, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        prefix = check_kernel(copy)
        print(f"kernel {KERNEL_NAME!r} runs in {prefix}")
        print(f"{'notebook':<34}{'seconds':>9}")
        total, slow, failed = 0.0, [], []
        for original in selected:
            path = copy / original.relative_to(NOTEBOOK_DIR)
            try:
                seconds = run(path, args.timeout)
            except Exception as exc:  # report and go on: one broken chapter should not hide the others
                failed.append(original.name)
                print(f"{original.name:<34}{'FAILED':>9}  {type(exc).__name__}: {str(exc).splitlines()[0][:80]}")
                continue
            total += seconds
            flag = f"  SLOW (> {args.limit:g} s)" if seconds > args.limit else ""
            if flag:
                slow.append(original.name)
            print(f"{original.name:<34}{seconds:>9.2f}{flag}")
        print(f"{'total':<34}{total:>9.2f}")

    if slow:
        print(f"{len(slow)} notebook(s) over {args.limit:g} s: {', '.join(slow)}")
    if failed:
        print(f"{len(failed)} notebook(s) failed to run: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
