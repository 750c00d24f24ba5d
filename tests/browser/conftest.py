"""Fixtures for the end-to-end checks in a real browser.

A JupyterLab server from this virtualenv is started on 127.0.0.1 with a throw-away root directory, settings
and workspaces, and a headless Chromium (the Debian package, not a Playwright download) drives it. Nothing
here needs a network beyond loopback.

JupyterHub and Binder serve JupyterLab under a URL prefix (``/user/<name>/``). The explorer checks run twice,
on a server at the root and on one started with ``--ServerApp.base_url=/user/learner/`` (test ids ``[root]``
and ``[prefix]``); every other browser check runs at the root. ``COURSE_LAB_BASE_URL=/user/x/`` serves the
root variant under that prefix as well, so the whole suite can run prefixed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "course-browser-test-token"
SERVER_START_TIMEOUT = 90  # seconds
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", "/tmp/course-browser-artifacts"))
# Server variants: name -> URL prefix. "prefix" is how JupyterHub and Binder serve a learner's server.
BASE_URLS = {"root": os.environ.get("COURSE_LAB_BASE_URL", "/"), "prefix": "/user/learner/"}
# The checks that also run under the prefix: (test module, test name or None for the whole module).
PREFIXED_CHECKS = {("test_lab.py", "test_explorer_runs_and_redraws"), ("test_explorers.py", None)}


def missing_requirement() -> str | None:
    """Why the browser checks cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set COURSE_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed in this environment"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jupyter_executable() -> str:
    candidate = Path(sys.executable).with_name("jupyter")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("jupyter")
    if found is None:
        pytest.fail("cannot find the jupyter command next to the running Python or on PATH")
    return found


def _normalized_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    return prefix


class LabServer:
    """A running `jupyter lab` process and how to reach it (``prefix``: its URL prefix, "/" or "/user/x/")."""

    def __init__(self, root: Path, port: int, proc: subprocess.Popen, log_path: Path, prefix: str = "/"):
        self.root = root
        self.port = port
        self.proc = proc
        self.log_path = log_path
        self.prefix = _normalized_prefix(prefix)
        self.origin = f"http://127.0.0.1:{port}"
        self.base_url = self.origin + self.prefix.rstrip("/")
        self.token = TOKEN

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-n:])


def _wait_until_up(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    status_url = server.url("api/status")
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {server.proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(status_url, timeout=2) as response:
                if response.status == 200:
                    json.load(response)
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer on {server.base_url} within {timeout}s:\n{server.log_tail()}")


def _assert_only_under_prefix(server: LabServer) -> None:
    """The prefix is in effect: the API answers under it and not at the bare origin."""
    try:
        with urllib.request.urlopen(f"{server.origin}/api/status?token={server.token}", timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 404, f"a server started with base_url={server.prefix} also answers at / (HTTP {status})"


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and the kernels it started (they share its process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers such as kernels that ignored SIGTERM
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser artifacts (screenshots, server log): {ARTIFACTS}")
    return ARTIFACTS


def pytest_generate_tests(metafunc):
    """Every test that uses the server runs on the root variant; the checks in PREFIXED_CHECKS also run on
    the server under the URL prefix."""
    if "lab_server" not in metafunc.fixturenames:
        return
    module = Path(str(metafunc.definition.fspath)).name
    prefixed = (module, None) in PREFIXED_CHECKS or (module, metafunc.definition.originalname) in PREFIXED_CHECKS
    variants = ["root", "prefix"] if prefixed else ["root"]
    metafunc.parametrize("lab_server", variants, indirect=True, scope="session")


@pytest.fixture(scope="session")
def lab_server(request, tmp_path_factory, artifacts_dir):
    """`jupyter lab` on 127.0.0.1 with a temporary root, settings and workspaces; always shut down.

    Parametrized (see pytest_generate_tests) by the variant name: "root" or "prefix" (BASE_URLS)."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    variant = getattr(request, "param", "root")
    prefix = _normalized_prefix(BASE_URLS[variant])
    home = tmp_path_factory.mktemp(f"lab-home-{variant}")
    root = home / "root"
    root.mkdir()
    settings = home / "settings"
    # No news feed, no update check: the course must run offline and without pop-ups.
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = dict(os.environ)
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    env.pop("JUPYTER_TOKEN", None)
    port = _free_port()
    cmd = [
        _jupyter_executable(),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.base_url={prefix}",
        f"--IdentityProvider.token={TOKEN}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = artifacts_dir / ("jupyter-lab.log" if variant == "root" else f"jupyter-lab-{variant}.log")
    log = open(log_path, "w")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = LabServer(root, port, proc, log_path, prefix)
    try:
        _wait_until_up(server, SERVER_START_TIMEOUT)
        if prefix != "/":
            _assert_only_under_prefix(server)
        print(f"jupyter lab at {server.base_url}/ (root {root}, log {log_path})")
        yield server
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="session")
def browser_context(artifacts_dir):
    """A headless Chromium with a fresh profile; requests that leave 127.0.0.1 are refused and recorded."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="course-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
            device_scale_factor=1,
        )
        context.set_default_timeout(30_000)
        context.external_requests = []

        def refuse(route):
            context.external_requests.append(route.request.url)
            route.abort()

        context.route(lambda url: not url.startswith(("http://127.0.0.1", "data:", "blob:")), refuse)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
