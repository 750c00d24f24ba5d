"""What a learner sees: keypress on a slider -> the figure's pixels change, in JupyterLab in Chromium.

JupyterLab is started from this checkout, a headless Chromium (the system one, through Playwright) opens a
notebook with every explorer set-up of the course (the notebook of tests/browser/test_explorers.py), runs it,
and presses the arrow keys on each explorer's slider:

- at device pixel ratio 1 and 2;
- on the same machine, and through a link emulator: a user-space TCP proxy between the browser and JupyterLab
  that delays every chunk by 40 ms in each direction (80 ms round trip) and serialises it at 10 Mbit/s towards
  the browser, 5 Mbit/s back (validated below by timing a round trip and a 1 MB transfer through it);
- for each way of sending frames (``course_lib/viz/explorers_frames.py``: ``robust``, the default; ``full``,
  every frame whole, the former design; ``rest``, plain differences and a whole frame at rest).

Per explorer it prints the median and 90th percentile of keypress -> first redraw of the canvas, and the
kilobytes the page received per press (every WebSocket frame); then the burst check: 10 presses 30 ms apart,
and the canvas must end equal, pixel for pixel (channels within 16/255), to a fresh full redraw of the final
state made in the kernel, within 500 ms of the last key on the link.

    python benchmarks/bench_remote.py                       # every design, configuration and explorer
    python benchmarks/bench_remote.py --designs robust --configs local-2,link-2 --presses 8

Timings depend on the machine and its load; this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib.util
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
TOKEN = "course-bench-token"
DELAY = 0.040  # seconds, each direction
DOWN = 10e6 / 8  # bytes per second towards the browser
UP = 5e6 / 8  # bytes per second towards the server
MISMATCH_LEVEL = 16


# ----------------------------------------------------------------------------------------------- the link
class Link:
    """A TCP proxy on 127.0.0.1 that adds ``delay`` each way and caps the rate of each direction."""

    def __init__(self, target_port, delay=DELAY, down=DOWN, up=UP):
        self.target_port, self.delay, self.down, self.up = target_port, delay, down, up
        self.loop = asyncio.new_event_loop()
        self.port = None
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)

        async def start():
            server = await asyncio.start_server(self._client, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    async def _client(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, self.up), self._pipe(up_reader, writer, self.down))

    async def _pipe(self, reader, writer, rate):
        queue: asyncio.Queue = asyncio.Queue()
        free = [0.0]  # when the emulated wire is free again

        async def deliver():
            while True:
                when, data = await queue.get()
                if data is None:
                    break
                wait = when - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            writer.close()

        task = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                now = self.loop.time()
                done = max(now, free[0]) + len(data) / rate  # serialised at the link's rate
                free[0] = done
                await queue.put((done + self.delay, data))
        except (ConnectionError, OSError):
            pass
        await queue.put((0.0, None))
        await task


def validate_link():
    """Round trip of a small message and a 1 MB download through the link, against an echo server."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]

    def echo():
        conn, _ = srv.accept()
        with conn:
            while data := conn.recv(65536):
                if data.startswith(b"BIG"):
                    conn.sendall(b"x" * 1_000_000)
                else:
                    conn.sendall(data)

    threading.Thread(target=echo, daemon=True).start()
    link = Link(port)
    with socket.create_connection(("127.0.0.1", link.port)) as s:
        rtts = []
        for _ in range(5):
            t = time.perf_counter()
            s.sendall(b"ping")
            s.recv(16)
            rtts.append(time.perf_counter() - t)
        t = time.perf_counter()
        s.sendall(b"BIG")
        got = 0
        while got < 1_000_000:
            got += len(s.recv(65536))
        big = time.perf_counter() - t
    srv.close()
    return statistics.median(rtts), big


# ----------------------------------------------------------------------------------------------- server
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(root: Path, home: Path):
    port = free_port()
    env = dict(os.environ)
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "mpl"),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    env.pop("JUPYTER_TOKEN", None)
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={TOKEN}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "lab.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=2):
                return proc, port
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("jupyter lab did not start")


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ----------------------------------------------------------------------------------------------- the page
def load_explorer_checks():
    path = REPO / "tests" / "browser" / "test_explorers.py"
    sys.path.insert(0, str(REPO))
    spec = importlib.util.spec_from_file_location("tests.browser.test_explorers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_INSTRUMENT = """() => {
    if (window.__bench) return;
    window.__bench = {keys: [], draws: []};
    document.addEventListener('keydown', () => window.__bench.keys.push(performance.now()), true);
    const proto = CanvasRenderingContext2D.prototype;
    const orig = proto.drawImage;
    proto.drawImage = function (...args) {
        orig.apply(this, args);
        const c = this.canvas;
        if (c && c.closest && c.closest('.jupyter-matplotlib-canvas-div')) {
            window.__bench.draws.push([performance.now(), c.closest('.jp-Cell').dataset.courseExplorer || '']);
        }
    };
}"""

_FRESH_FIGURE = """\
import base64 as _b64, io as _io
_f = Out[{count}].fig
with _io.BytesIO() as _buf:
    _f.savefig(_buf, format="png", dpi=_f.dpi)
    print(_b64.b64encode(_buf.getvalue()).decode())
del _b64, _io, _buf, _f
"""


def png_pixels(data):
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


class Received:
    """Bytes of every WebSocket frame the page receives."""

    def __init__(self, page):
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload):
        self.total += len(payload) if payload is not None else 0


def settle(page, name, quiet=0.7, timeout=15.0, since=None):
    """Wait until the explorer's canvas has not been redrawn for ``quiet`` seconds and the kernel is idle;
    with ``since`` (a page time), also until it was redrawn after that time (or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(
            """([name, since]) => {
                const d = window.__bench.draws.filter(x => x[1] === name);
                const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status;
                const fresh = since === null || d.some(x => x[0] > since);
                return [d.length ? performance.now() - d[d.length - 1][0] : 1e9, k, fresh];
            }""",
            [name, since],
        )
        if state[0] > quiet * 1000 and state[1] == "idle" and state[2]:
            return
        page.wait_for_timeout(100)


def measure_explorer(page, checks, explorer, index, count, received, presses, burst):
    name = explorer.name
    cell = checks.mark_cell(page, index, name)
    output = cell.locator(".jp-Cell-outputArea")
    output.scroll_into_view_if_needed()
    canvas = output.locator(".jupyter-matplotlib-canvas-div canvas").first
    canvas.wait_for(state="visible", timeout=60_000)
    sliders = output.locator(".widget-slider")
    import re

    exact = re.compile(rf"^\s*{re.escape(explorer.slider)}\s*$")
    slider = sliders.filter(has=page.locator(".widget-label", has_text=exact)).first
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    settle(page, name, quiet=1.2)
    back = "ArrowLeft" if explorer.key == "ArrowRight" else "ArrowRight"
    latencies, sizes = [], []
    for i in range(presses):
        key = explorer.key if i % 2 == 0 else back
        before_bytes = received.total
        mark = page.evaluate("() => performance.now()")
        handle.press(key)
        settle(
            page, name, quiet=1.2, since=mark
        )  # longer than the frames' QUIET: every press starts from a settled canvas
        first = page.evaluate(
            """([name, mark]) => {
                const keys = window.__bench.keys.filter(t => t >= mark);
                const d = window.__bench.draws.filter(x => x[1] === name && x[0] > keys[0]);
                return keys.length && d.length ? d[0][0] - keys[0] : null;
            }""",
            [name, mark],
        )
        if first is not None:
            latencies.append(first)
        sizes.append(received.total - before_bytes)
    result = {"latencies": latencies, "bytes": sizes}
    if burst:
        mark = page.evaluate("() => performance.now()")
        for _ in range(10):
            handle.press(explorer.key)
            page.wait_for_timeout(30)
        settle(page, name, quiet=1.5, timeout=30, since=mark)
        last = page.evaluate(
            """([name, mark]) => {
                const keys = window.__bench.keys.filter(t => t >= mark);
                const d = window.__bench.draws.filter(x => x[1] === name && x[0] > mark);
                return [keys.length ? keys[keys.length - 1] : null, d.length ? d[d.length - 1][0] : null];
            }""",
            [name, mark],
        )
        out = page.evaluate(checks._RUN_IN_KERNEL, _FRESH_FIGURE.format(count=count)).strip()
        fresh = png_pixels(base64.b64decode(out))
        shown = checks.browser_figure(canvas)
        if fresh.shape != shown.shape:
            share = 1.0
        else:
            share = float(np.mean(np.abs(fresh.astype(int) - shown.astype(int)).max(axis=-1) > MISMATCH_LEVEL))
        result["burst"] = {
            "after_last_key_ms": (last[1] - last[0]) if None not in last else None,
            "differing_pixels": share,
        }
    return result


def run_config(pw, checks, lab_port, root, design, dpr, link, explorers, presses):
    folder = root / f"bench-{design}-{dpr}-{'link' if link else 'local'}"
    folder.mkdir()
    nb = checks._notebook()
    nb["cells"].insert(
        1,
        {
            "id": "bench-design",
            "cell_type": "code",
            "metadata": {},
            "source": f'import course_lib.viz.explorers_base as _eb\n_eb.FRAMES = "{design}"',
            "execution_count": None,
            "outputs": [],
        },
    )
    (folder / "all.ipynb").write_text(json.dumps(nb))
    port = link.port if link else lab_port
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    context = pw.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1400, "height": 1000},
        device_scale_factor=dpr,
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    received = Received(page)
    results = {}
    try:
        page.add_init_script(f"({_INSTRUMENT})()")
        nb_path = f"{folder.name}/all.ipynb"
        page.goto(
            f"http://127.0.0.1:{port}/lab/workspaces/{folder.name}/tree/{nb_path}?token={TOKEN}&reset",
            wait_until="domcontentloaded",
        )
        page.wait_for_function(
            """(path) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                return w && w.context && w.context.path === path && w.sessionContext.session
                    && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }""",
            arg=nb_path,
            timeout=120_000,
        )
        checks.run_all_cells(page, timeout=300)
        states = page.evaluate(checks._CELL_STATES)["cells"]
        for explorer in explorers:
            index = checks.EXPLORERS.index(explorer) + checks.FIRST_EXPLORER_CELL + 1  # + the design cell
            count = states[index]["count"]
            try:
                results[explorer.name] = measure_explorer(
                    page, checks, explorer, index, count, received, presses, burst=True
                )
            except Exception as err:  # noqa: BLE001 - report and go on with the next explorer
                results[explorer.name] = {"error": f"{type(err).__name__}: {err}"[:200]}
    finally:
        context.close()
    return results


def p90(values):
    return float(np.percentile(values, 90)) if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", default="robust,full,rest")
    parser.add_argument("--configs", default="local-1,local-2,link-1,link-2")
    parser.add_argument("--explorers", default="", help="comma-separated names (default: all)")
    parser.add_argument("--presses", type=int, default=8)
    parser.add_argument("--json", default="", help="also write the raw results to this file")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}; nothing measured")
        return
    checks = load_explorer_checks()
    names = [n for n in args.explorers.split(",") if n]
    explorers = [e for e in checks.EXPLORERS if not names or e.name in names]
    rtt, big = validate_link()
    print(
        f"link emulator: round trip {1000 * rtt:.0f} ms (expected {2000 * DELAY:.0f}), 1 MB down in {big:.2f} s "
        f"(expected {1e6 / DOWN + 2 * DELAY:.2f} s at {8 * DOWN / 1e6:.0f} Mbit/s)"
    )
    home = Path(tempfile.mkdtemp(prefix="bench-lab-"))
    root = home / "root"
    root.mkdir()
    proc, lab_port = start_lab(root, home)
    link = Link(lab_port)
    from playwright.sync_api import sync_playwright

    all_results = {}
    try:
        with sync_playwright() as pw:
            for design in args.designs.split(","):
                for config in args.configs.split(","):
                    where, dpr = config.split("-")
                    started = time.monotonic()
                    res = run_config(
                        pw,
                        checks,
                        lab_port,
                        root,
                        design,
                        int(dpr),
                        link if where == "link" else None,
                        explorers,
                        args.presses,
                    )
                    all_results[f"{design} {config}"] = res
                    print(f"\n== design {design}, {where}, pixel ratio {dpr} ({time.monotonic() - started:.0f} s)")
                    print(f"{'explorer':20s} {'median ms':>9s} {'p90 ms':>7s} {'KB/press':>9s}  burst")
                    for name, r in res.items():
                        if "error" in r:
                            print(f"{name:20s} error: {r['error']}")
                            continue
                        lat, kb = r["latencies"], np.array(r["bytes"]) / 1024
                        b = r.get("burst", {})
                        after = b.get("after_last_key_ms")
                        share = b.get("differing_pixels")
                        verdict = "equal" if share == 0 else f"DIFFERS {100 * share:.2f}%"
                        burst = (
                            f"{verdict}, last redraw {after:.0f} ms after the last key"
                            if after is not None
                            else "no redraw"
                        )
                        med = statistics.median(lat) if lat else float("nan")
                        print(f"{name:20s} {med:9.0f} {p90(lat):7.0f} {np.median(kb):9.1f}  {burst}")
                    sys.stdout.flush()
    finally:
        stop(proc)
    if args.json:
        Path(args.json).write_text(json.dumps(all_results, indent=1))


if __name__ == "__main__":
    main()
