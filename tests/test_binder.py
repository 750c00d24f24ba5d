"""Binder: the image builds the pinned environment once and reuses it for every commit that keeps the pins.

repo2docker renders the Dockerfile without building it (``--no-build --debug``; no Docker needed). The layer
order decides what a commit rebuilds: every layer after ``COPY src/`` (the whole repository) is rebuilt on any
change, so the pinned install must come before it and course_lib (which changes with the repository) after it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def repo2docker() -> str | None:
    candidate = Path(sys.executable).with_name("jupyter-repo2docker")
    return str(candidate) if candidate.exists() else shutil.which("jupyter-repo2docker")


@pytest.fixture(scope="module")
def dockerfile() -> str:
    exe = repo2docker()
    if exe is None:
        pytest.skip("jupyter-repo2docker is not installed (it is pinned in requirements-dev.txt)")
    result = subprocess.run(
        [exe, "--no-build", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"},  # proves Docker is not used
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "FROM " in output, f"repo2docker printed no Dockerfile:\n{output[-2000:]}"
    return output


def instruction_index(lines: list[str], pattern: str) -> int:
    found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    assert found, f"no Dockerfile line matches {pattern!r}"
    return found[0]


def test_binder_python_is_3_11(dockerfile):
    assert re.search(r"conda environment for python=3\.11\b", dockerfile), "repo2docker did not pick Python 3.11"
    assert "environment.py-3.11" in dockerfile.replace("-2e", ".").replace("-2d", "-")


def test_pinned_install_comes_before_the_repository_is_copied(dockerfile):
    lines = dockerfile.splitlines()
    copy_pins = instruction_index(lines, r"^COPY .*src/binder/requirements\.txt ")
    install = instruction_index(lines, r"^RUN .*pip install .*-r \"?binder/requirements\.txt")
    copy_repo = instruction_index(lines, r"^COPY .*\bsrc/ ")
    post_build = instruction_index(lines, r"^RUN \./binder/postBuild\b")
    assert copy_pins < install < copy_repo < post_build, (copy_pins, install, copy_repo, post_build)
    # Only the requirements file is copied before the install: any other repository file there would make
    # every commit that touches it rebuild the environment.
    early_copies = [line for line in lines[:copy_repo] if re.match(r"^COPY .*\bsrc/", line)]
    assert early_copies == [lines[copy_pins]], early_copies


def test_binder_requirements_hold_only_the_runtime_pins():
    from tests.test_packaging import pins, requirement_lines

    binder = BINDER / "requirements.txt"
    assert not any(line.startswith("-") or line in (".", "./") for line in requirement_lines(binder)), (
        "binder/requirements.txt holds only `name==version` pins; course_lib is installed by binder/postBuild"
    )
    assert pins(binder) == pins(ROOT / "requirements.txt")


def test_post_build_is_an_executable_bash_script_that_stops_on_errors():
    script = BINDER / "postBuild"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash\n")
    assert re.search(r"^set -e", text, re.MULTILINE)
    assert script.stat().st_mode & stat.S_IXUSR, "binder/postBuild must be executable"
    assert json.loads((BINDER / "overrides.json").read_text(encoding="utf-8"))
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)


def _run_post_build(tmp_path: Path, pip_exit: int) -> tuple[subprocess.CompletedProcess, list[str], Path]:
    """Run binder/postBuild from a copy of the repository root with a stand-in `python` that records its
    arguments (and exits with ``pip_exit``), as repo2docker runs it: from the repository's folder."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(BINDER, repo / "binder")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    fake = bin_dir / "python"
    fake.write_text(f'#!/bin/bash\nprintf "%s\\n" "$*" >> "{calls}"\nexit {pip_exit}\n')
    fake.chmod(0o755)
    prefix = tmp_path / "prefix"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "NB_PYTHON_PREFIX": str(prefix), "HOME": str(tmp_path)}
    result = subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    recorded = calls.read_text().splitlines() if calls.exists() else []
    return result, recorded, prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def test_post_build_installs_course_lib_without_dependencies(tmp_path):
    result, calls, overrides = _run_post_build(tmp_path, pip_exit=0)
    assert result.returncode == 0, result.stderr
    installs = [c.split() for c in calls if c.startswith("-m pip install")]
    assert len(installs) == 1, calls
    args = installs[0]
    assert "--no-deps" in args and args[-1] == ".", f"postBuild must run `pip install --no-deps .`, ran {args}"
    assert not any(a in ("-e", "--editable") for a in args), "an editable install would point into the image's copy"
    assert json.loads(overrides.read_text()) == json.loads((BINDER / "overrides.json").read_text())


def test_post_build_fails_when_the_install_fails(tmp_path):
    result, calls, overrides = _run_post_build(tmp_path, pip_exit=1)
    assert result.returncode != 0, "set -e must stop the build when installing course_lib fails"
    assert not overrides.exists(), "postBuild went on after a failed install"
