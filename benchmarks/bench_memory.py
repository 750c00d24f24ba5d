"""How much memory does the course hold: per chapter kernel, and while a learner walks the whole course?

Two measurements, printed as tables (no pass/fail; the budget is printed beside each figure):

1. **Each chapter's kernel peak**: every notebooks/NN_*.ipynb runs top to bottom in a fresh kernel (nbclient,
   a temporary copy of the notebooks folder), and the kernel reports its own peak resident memory
   (``getrusage(RUSAGE_SELF).ru_maxrss``). Budget: 250 MB per chapter.
2. **The walk**: JupyterLab from this environment with the shipped settings (``binder/overrides.json``,
   installed by ``make lab`` and Binder's postBuild: a notebook's kernel shuts down when its tab closes), in
   headless Chromium. For each chapter in order, as a learner does: open it, Run All, save, close the tab,
   move on. A sampler adds up the resident memory of every live kernel process of the server every 0.2 s; the
   largest sum over the walk is printed. Budget: 700 MB of live kernels, which leaves room for the server in
   Binder's guaranteed 1 GB. ``--keep-kernels`` walks without the shipped setting (kernels stay alive after
   their tab closes, JupyterLab's default) for comparison.

    .venv/bin/python benchmarks/bench_memory.py [--skip-walk] [--keep-kernels] [notebooks/05_sgd.ipynb ...]

The walk needs Chromium (``/usr/bin/chromium`` or ``COURSE_CHROMIUM``) and the playwright package; without them
it is skipped with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
CHAPTER_BUDGET_MB = 250
WALK_BUDGET_MB = 700
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "course-memory-bench"
PEAK_CELL = (
    "import resource as _r, sys as _s\n"
    "print(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if _s.platform == 'darwin' else 1024))"
)


def chapters(paths):
    return [Path(p).resolve() for p in paths] if paths else sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def chapter_peaks(paths):
    """(name, peak MB, seconds) per chapter, each in a fresh kernel."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="course-memory-") as tmp:
        work = Path(tmp) / "notebooks"
        shutil.copytree(NOTEBOOK_DIR, work)
        for path in paths:
            nb = nbformat.read(work / path.name, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
            start = time.perf_counter()
            client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(work)}})
            client.execute()
            seconds = time.perf_counter() - start
            text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
            rows.append((path.stem, float(text.split()[-1]), seconds))
            print(f"  {path.stem:<28} {rows[-1][1]:7.0f} MB  ({seconds:.1f} s)", flush=True)
    return rows


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _overrides_installed():
    target = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    shipped = json.loads((ROOT / "binder" / "overrides.json").read_text())
    try:
        installed = json.loads(target.read_text())
    except (OSError, ValueError):
        return target, False
    return target, all(installed.get(k) == v for k, v in shipped.items())


class Sampler(threading.Thread):
    """Adds up the resident memory of the server's kernel processes every 0.2 s; keeps the largest sum."""

    def __init__(self, server_pid):
        super().__init__(daemon=True)
        import psutil

        self.server = psutil.Process(server_pid)
        self.peak_mb = 0.0
        self.peak_kernels = 0
        self.now_mb = 0.0
        self.now_kernels = 0
        self.stop = threading.Event()

    def kernels(self):
        found = []
        for child in self.server.children(recursive=True):
            try:
                if "ipykernel" in " ".join(child.cmdline()):
                    found.append(child)
            except Exception:
                pass
        return found

    def sample(self):
        total, count = 0.0, 0
        for proc in self.kernels():
            try:
                total += proc.memory_info().rss / 2**20
                count += 1
            except Exception:
                pass
        self.now_mb, self.now_kernels = total, count
        if total > self.peak_mb:
            self.peak_mb, self.peak_kernels = total, count

    def run(self):
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.2)


def walk(paths, keep_kernels):
    """Open, run, save and close each chapter in JupyterLab; return rows and the peak of live kernel memory."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("  skipped: the playwright package is not installed")
        return None
    if not CHROMIUM.exists():
        print(f"  skipped: no Chromium at {CHROMIUM}")
        return None
    target, ok = _overrides_installed()
    if not keep_kernels and not ok:
        print(
            f"  skipped: the shipped settings are not installed at {target} (run `make lab` once, or copy "
            "binder/overrides.json there)"
        )
        return None
    home = Path(tempfile.mkdtemp(prefix="course-walk-"))
    root = home / "root"
    shutil.copytree(NOTEBOOK_DIR, root / "notebooks")
    settings = home / "settings"
    if keep_kernels:
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"kernelShutdown": False}))
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    port = _free_port()
    cmd = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={TOKEN}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "lab.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    rows = []
    sampler = None
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except Exception:
                time.sleep(0.5)
        sampler = Sampler(proc.pid)
        sampler.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
            page.set_default_timeout(120_000)
            page.goto(f"{base}/lab?token={TOKEN}&reset", wait_until="domcontentloaded")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
            page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
            page.wait_for_function("() => window.jupyterapp.commands.hasCommand('docmanager:open')")
            for path in paths:
                nb_path = f"notebooks/{path.name}"
                start = time.perf_counter()
                page.evaluate("(p) => { window.jupyterapp.commands.execute('docmanager:open', {path: p}); }", nb_path)
                page.wait_for_function(
                    """(p) => { const w = window.jupyterapp.shell.currentWidget;
                        return w && w.context && w.context.path === p && w.context.isReady && w.sessionContext
                          && w.sessionContext.session && w.sessionContext.session.kernel
                          && w.sessionContext.session.kernel.status === 'idle'; }""",
                    arg=nb_path,
                )
                page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
                page.wait_for_function(
                    """() => { const w = window.jupyterapp.shell.currentWidget;
                        const cells = Array.from(w.content.model.cells)
                          .filter(c => c.type === 'code' && c.sharedModel.getSource().trim() !== '');
                        return w.sessionContext.session.kernel.status === 'idle'
                          && cells.every(c => c.executionCount > 0); }""",
                    polling=500,
                )
                page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
                page.wait_for_timeout(500)
                sampler.sample()
                open_mb, open_kernels = sampler.now_mb, sampler.now_kernels
                page.evaluate("() => { window.jupyterapp.commands.execute('application:close'); }")
                page.wait_for_timeout(3000)
                sampler.sample()
                rows.append(
                    (path.stem, open_mb, open_kernels, sampler.now_mb, sampler.now_kernels, time.perf_counter() - start)
                )
                r = rows[-1]
                print(
                    f"  {r[0]:<28} open: {r[1]:6.0f} MB in {r[2]} kernel(s)   after closing: {r[3]:6.0f} MB in "
                    f"{r[4]} kernel(s)   ({r[5]:.0f} s)",
                    flush=True,
                )
            browser.close()
    finally:
        if sampler is not None:
            sampler.stop.set()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except Exception:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
        shutil.rmtree(home, ignore_errors=True)
    return rows, sampler.peak_mb, sampler.peak_kernels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--skip-walk", action="store_true", help="only the per-chapter kernel peaks")
    parser.add_argument("--skip-chapters", action="store_true", help="only the walk")
    parser.add_argument("--keep-kernels", action="store_true", help="walk with JupyterLab's default (no shutdown)")
    args = parser.parse_args(argv)
    paths = chapters(args.notebooks)
    if not args.skip_chapters:
        print(f"Kernel peak per chapter (fresh kernel, top to bottom; budget {CHAPTER_BUDGET_MB} MB):")
        rows = chapter_peaks(paths)
        worst = max(rows, key=lambda r: r[1])
        over = [r[0] for r in rows if r[1] > CHAPTER_BUDGET_MB]
        print(f"  largest: {worst[0]} {worst[1]:.0f} MB; over budget: {', '.join(over) if over else 'none'}")
    if not args.skip_walk:
        mode = "JupyterLab's default, kernels kept" if args.keep_kernels else "shipped settings"
        print(f"\nWalk through the course in JupyterLab ({mode}; budget {WALK_BUDGET_MB} MB of live kernels):")
        result = walk(paths, args.keep_kernels)
        if result is not None:
            _, peak, kernels = result
            verdict = "within" if peak <= WALK_BUDGET_MB else "OVER"
            print(
                f"  most live kernel memory during the walk: {peak:.0f} MB in {kernels} kernel(s) ({verdict} "
                f"the {WALK_BUDGET_MB} MB budget)"
            )


if __name__ == "__main__":
    main()
