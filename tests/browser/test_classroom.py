"""A class on one JupyterHub: three learners at once, each pulling the course with an nbgitpuller link.

Starts a real JupyterHub on 127.0.0.1 (configurable-http-proxy from npm, a test-only dummy authenticator with a
shared password, the simple local-process spawner that runs every learner's server as this user in a home of
its own under a temporary folder). The course's notebooks are committed to a temporary git repository, as a
lecturer's copy of the course would be, and served to nbgitpuller as ``file://``. Three learners then log in
concurrently in Chromium, each follows the nbgitpuller link, which starts the learner's server, clones the
course into ``course/`` and opens chapter 00 in JupyterLab; each runs the chapter, moves the slider of its first
widget with the keyboard and sees the figure change. Finally the culling setting the README recommends for
hubs is exercised with short times: once the learners are idle, their kernels are shut down by the server.

Skipped with the reason without Chromium, Playwright, JupyterHub, nbgitpuller or configurable-http-proxy
(``make install-dev`` installs the proxy from npm into ``.venv/chp`` when npm is available).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, REPO, missing_requirement

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LEARNERS = ("learner1", "learner2", "learner3")
PASSWORD = "classroom-test-password"
SERVICE_TOKEN = "classroom-test-service-token-0123456789"
CHAPTER = "00_start_here.ipynb"
CULL_IDLE_SECONDS = 20


def chp_command():
    for candidate in (
        os.environ.get("COURSE_CHP"),
        str(REPO / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"),
        shutil.which("configurable-http-proxy"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing():
    reason = missing_requirement()
    if reason:
        return reason
    for module in ("jupyterhub", "nbgitpuller"):
        try:
            __import__(module)
        except ImportError:
            return f"the Python package {module} is not installed (requirements-dev.txt)"
    if chp_command() is None:
        return "configurable-http-proxy is not installed (make install-dev installs it with npm into .venv/chp)"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def course_repository(tmp: Path) -> Path:
    """A bare git repository holding this checkout's notebooks, as a lecturer's copy of the course."""
    src = tmp / "course-src"
    shutil.copytree(REPO / "notebooks", src / "notebooks")
    git = ["git", "-c", "user.name=Lecturer", "-c", "user.email=lecturer@example.org", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=src, check=True)
    subprocess.run([*git, "add", "."], cwd=src, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Course"], cwd=src, check=True)
    bare = tmp / "course.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(src), str(bare)], check=True)
    return bare


HUB_CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {pid_file!r}
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.args = {args!r}
c.Spawner.environment = {{"PYTHONPATH": {pythonpath!r}}}
c.JupyterHub.services = [{{"name": "classroom-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "classroom-test", "scopes": ["admin:users", "admin:servers", "access:servers"],
      "services": ["classroom-test"]}},
]
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory, artifacts_dir):
    reason = missing()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("hub")
    bare = course_repository(tmp)
    port = free_port()
    args = [
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # The culling the README recommends, with short times so the test sees it: kernels idle this long are
        # shut down by the learner's own server.
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_interval=5",
        "--MappingKernelManager.cull_connected=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    config = tmp / "jupyterhub_config.py"
    config.write_text(
        HUB_CONFIG.format(
            port=port,
            hub_port=free_port(),
            proxy_api_port=free_port(),
            chp=chp_command(),
            pid_file=str(tmp / "proxy.pid"),
            db=tmp / "hub.sqlite",
            cookie=str(tmp / "cookie_secret"),
            password=PASSWORD,
            homes=str(tmp / "homes"),
            singleuser=str(Path(sys.executable).with_name("jupyterhub-singleuser")),
            args=args,
            pythonpath=str(REPO),
            token=SERVICE_TOKEN,
        )
    )
    (tmp / "homes").mkdir()
    log_path = artifacts_dir / "jupyterhub.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(config)],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyterhub exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/hub/api/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyterhub did not answer within 90 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"base": base, "repo": bare, "log": log_path, "pid": proc.pid}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # learners' servers run in sessions of their own: stop any that outlived the hub
        subprocess.run(["pkill", "-f", f"{tmp}/homes"], check=False)
        log.close()


def api(hub, path):
    request = urllib.request.Request(f"{hub['base']}{path}", headers={"Authorization": f"token {SERVICE_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def pull_link(hub):
    """The nbgitpuller link a lecturer hands out: clone the course into ~/course and open chapter 00."""
    query = urllib.parse.urlencode(
        {
            "repo": f"file://{hub['repo']}",
            "branch": "main",
            "urlpath": f"lab/tree/course/notebooks/{CHAPTER}",
            "targetpath": "course",
        }
    )
    return f"{hub['base']}/hub/user-redirect/git-pull?{query}"


RUN_ALL_DONE = """() => {
    const w = window.jupyterapp.shell.currentWidget;
    if (!w || !w.content || !w.sessionContext.session || !w.sessionContext.session.kernel) return false;
    const cells = Array.from(w.content.model.cells)
        .filter(c => c.type === 'code' && c.sharedModel.getSource().trim() !== '');
    const outputs = c => Array.from({length: c.outputs.length}, (_, i) => c.outputs.get(i));
    if (cells.some(c => outputs(c).some(o => o.type === 'error'))) return 'error';
    return w.sessionContext.session.kernel.status === 'idle' && cells.every(c => c.executionCount > 0);
}"""


def one_learner(name, hub, artifacts, results):
    from playwright.sync_api import sync_playwright

    record = {"name": name}
    results[name] = record
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(180_000)
            start = time.monotonic()
            page.goto(f"{hub['base']}/hub/login", wait_until="domcontentloaded")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", PASSWORD)
            page.click("[type=submit]")
            page.wait_for_load_state("domcontentloaded")
            page.goto(pull_link(hub), wait_until="domcontentloaded")
            page.wait_for_function(
                "() => window.jupyterapp && window.jupyterapp.shell && window.jupyterapp.shell.currentWidget"
                " && window.jupyterapp.shell.currentWidget.context"
                f" && window.jupyterapp.shell.currentWidget.context.path.endsWith({json.dumps(CHAPTER)})"
                " && window.jupyterapp.shell.currentWidget.context.isReady",
                timeout=240_000,
            )
            record["opened_s"] = time.monotonic() - start
            page.wait_for_function(
                "() => { const k = window.jupyterapp.shell.currentWidget.sessionContext.session;"
                " return k && k.kernel && k.kernel.status === 'idle'; }"
            )
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            done = page.wait_for_function(RUN_ALL_DONE, polling=500, timeout=300_000).json_value()
            record["ran_s"] = time.monotonic() - start
            assert done is True, f"{name}: Run All stopped on an error"
            # the first slider of the chapter and the figure of the same output area
            area = page.locator(".jp-OutputArea-output:has(.widget-slider)").first
            area.scroll_into_view_if_needed()
            figure = area.locator("canvas, svg.svg-figure, .bqplot").first
            figure.wait_for(state="visible")
            before = figure.screenshot()
            handle = area.locator(".widget-slider .noUi-handle, .widget-slider [role=slider]").first
            handle.click()
            for _ in range(5):
                page.keyboard.press("ArrowRight")
            deadline = time.monotonic() + 60
            changed = False
            while time.monotonic() < deadline and not changed:
                page.wait_for_timeout(300)
                changed = figure.screenshot() != before
            record["figure_changed"] = changed
            record["done_s"] = time.monotonic() - start
            page.screenshot(path=str(artifacts / f"classroom-{name}.png"))
            browser.close()
    except Exception as exc:  # reported by the test with the learner's name
        record["error"] = f"{type(exc).__name__}: {exc}"[:1500]


def print_memory(hub):
    """Private memory (USS) of each learner's server and kernel, and of the hub and its proxy (for the sizing
    table in the README); printed, not asserted."""
    import psutil

    def uss(proc):
        try:
            return proc.memory_full_info().uss / 2**20
        except (psutil.Error, OSError):
            return 0.0

    hub_proc = psutil.Process(hub["pid"])
    rest = uss(hub_proc)
    for child in hub_proc.children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "jupyterhub-singleuser" in line:
            kernels = [k for k in child.children(recursive=True) if "ipykernel" in " ".join(k.cmdline())]
            user = child.environ().get("JUPYTERHUB_USER", "?")
            print(f"  {user}: server {uss(child):.0f} MB, kernel {sum(uss(k) for k in kernels):.0f} MB (private)")
        elif "ipykernel" not in line:
            rest += uss(child)
    print(f"  hub and proxy: {rest:.0f} MB (private)")


def test_three_learners_pull_run_and_move_a_slider_at_once(hub, artifacts_dir):
    results = {}
    threads = [threading.Thread(target=one_learner, args=(n, hub, artifacts_dir, results)) for n in LEARNERS]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    took = time.monotonic() - started
    print(f"\nthree learners at once: {took:.0f} s in all")
    for name in LEARNERS:
        print(f"  {results.get(name)}")
    errors = [f"{n}: {results[n]['error']}" for n in LEARNERS if "error" in results.get(n, {"error": "no result"})]
    assert not errors, "\n".join(errors) + f"\nhub log: {hub['log']}"
    assert all(results[n]["figure_changed"] for n in LEARNERS), results
    for name in LEARNERS:
        # nbgitpuller put the course in the learner's own home
        user = api(hub, f"/hub/api/users/{name}")
        assert user["servers"][""]["ready"], user

    # Culling: the learners are idle now; their kernels are shut down by their servers within the setting.
    def live_kernels():
        counts = {}
        for name in LEARNERS:
            request = urllib.request.Request(
                f"{hub['base']}/user/{name}/api/kernels", headers={"Authorization": f"token {SERVICE_TOKEN}"}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                counts[name] = len(json.load(response))
        return counts

    print_memory(hub)
    first = live_kernels()
    assert all(first.values()), f"every learner should have a kernel before culling: {first}"
    deadline = time.monotonic() + CULL_IDLE_SECONDS + 90
    counts = first
    while time.monotonic() < deadline and any(counts.values()):
        time.sleep(3)
        counts = live_kernels()
    print(f"  kernels before culling {first}, after {counts}")
    assert not any(counts.values()), f"idle kernels were not culled: {counts}"
