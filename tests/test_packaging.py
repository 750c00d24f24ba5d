"""Packaging: exact pins that agree wherever they are written, and a course_lib that installs and imports."""

from __future__ import annotations

import importlib.metadata
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[0-9][0-9A-Za-z.+!-]*)$")
# The modules that must be importable with NumPy and SymPy alone.
CORE_MODULES = ("objectives", "optimizers", "descent")


def requirement_lines(path: Path) -> list[str]:
    """The non-blank, non-comment lines of a requirements file, with trailing comments removed."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def pins(path: Path, *, allow_editable: bool = False) -> dict[str, str]:
    result = {}
    for line in requirement_lines(path):
        if allow_editable and line == "-e .":
            continue
        match = PIN.match(line)
        assert match, f"{path.relative_to(ROOT)}: {line!r} is not an exact `name==version` pin"
        name = canonicalize_name(match["name"])
        assert name not in result, f"{path.relative_to(ROOT)} pins {name} twice"
        result[name] = match["version"]
    return result


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def computing_modules() -> list[str]:
    """Every module of course_lib outside course_lib.viz (found on disk: a new module is covered at once)."""
    package = ROOT / "course_lib"
    names = ["course_lib"]
    for info in pkgutil.walk_packages([str(package)], prefix="course_lib."):
        if info.name == "course_lib.viz" or info.name.startswith("course_lib.viz."):
            continue
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("filename", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_is_an_exact_pin(filename):
    assert pins(ROOT / filename), f"{filename} pins nothing"


def test_binder_requirements_repeat_the_runtime_pins_only():
    """binder/requirements.txt is installed before repo2docker copies the repository, so it holds the pins
    and nothing that needs the checkout; binder/postBuild installs course_lib (tests/test_binder.py)."""
    binder = ROOT / "binder" / "requirements.txt"
    assert pins(binder) == pins(ROOT / "requirements.txt")
    assert "-e ." not in requirement_lines(binder)


def test_binder_runtime_is_python_3_11():
    assert (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_runtime_pins_include_the_course_stack():
    runtime = pins(ROOT / "requirements.txt")
    for name in ("jupyterlab", "ipywidgets", "ipympl", "matplotlib", "numpy", "sympy", "nbval", "pytest"):
        assert name in runtime, f"requirements.txt does not pin {name}"


def test_dev_pins_hold_the_test_tools_and_do_not_contradict_runtime_pins():
    runtime = pins(ROOT / "requirements.txt")
    dev = pins(ROOT / "requirements-dev.txt")
    for name in ("hypothesis", "ruff", "torch", "playwright"):
        assert name in dev, f"requirements-dev.txt does not pin {name}"
    assert dev["torch"] == "2.13.0"
    both = sorted(set(runtime) & set(dev))
    assert all(runtime[n] == dev[n] for n in both), f"pinned differently in the two files: {both}"


def test_pyproject_declares_ranges_that_admit_the_pins():
    project = pyproject()["project"]
    assert project["name"] == "course_lib"
    assert SpecifierSet(project["requires-python"]) == SpecifierSet(">=3.11")
    runtime = pins(ROOT / "requirements.txt")
    declared = {canonicalize_name(Requirement(d).name): Requirement(d) for d in project["dependencies"]}
    assert set(declared) == {"numpy", "sympy"}, "the computing layer depends on NumPy and SymPy only"
    for name, req in declared.items():
        assert str(req.specifier), f"{name} needs a version range in pyproject.toml"
        assert not any(s.operator in ("==", "===") for s in req.specifier), f"{name}: a range, not a pin"
        assert Version(runtime[name]) in req.specifier, f"pinned {name}=={runtime[name]} is outside {req}"


def test_pytest_runs_notebooks_with_nbval_and_skips_solutions():
    options = pyproject()["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests", "notebooks"]
    addopts = options["addopts"]
    assert "--nbval" in addopts and "--nbval-lax" not in addopts
    sanitize = [a.split("=", 1)[1] for a in addopts if a.startswith("--nbval-sanitize-with=")]
    assert sanitize and (ROOT / sanitize[0]).is_file()
    assert "solutions" in options["norecursedirs"]


def test_solution_folder_is_never_collected(tmp_path):
    """Collect a copy of the notebooks folder that holds a notebook under solutions/: it must not appear."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    solution_nb = notebooks / "solutions" / "99_probe.ipynb"
    solution_nb.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)]
        + ["--collect-only", "-q", "-p", "no:cacheprovider", str(notebooks)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 5), result.stdout + result.stderr
    assert "99_probe" not in result.stdout
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert nb.name in result.stdout, f"{nb.name} was not collected by nbval"


def test_runtime_environment_matches_the_pins():
    """The interpreter running the tests has exactly the pinned runtime versions (stored outputs need it)."""
    mismatched = {}
    for name, version in pins(ROOT / "requirements.txt").items():
        installed = Version(importlib.metadata.version(name))
        if Version(installed.public) != Version(version):
            mismatched[name] = (version, str(installed))
    assert not mismatched, f"pinned vs installed: {mismatched}; run `make test` to reinstall"


def test_course_lib_is_installed_from_this_checkout():
    import course_lib

    assert Path(course_lib.__file__).resolve().parent == ROOT / "course_lib"


def test_core_modules_exist():
    modules = computing_modules()
    missing = [m for m in CORE_MODULES if f"course_lib.{m}" not in modules]
    assert not missing, f"course_lib lacks {missing}"


def test_computing_modules_import_without_the_plotting_stack():
    """Every computing module imports in a fresh interpreter; none of them pulls in matplotlib or widgets."""
    modules = computing_modules()
    code = (
        "import importlib, json, sys, traceback, warnings\n"
        "warnings.simplefilter('error')\n"
        "errors = {}\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        errors[name] = traceback.format_exc(limit=3)\n"
        "heavy = sorted(m for m in ('matplotlib', 'ipywidgets', 'ipympl', 'torch') if m in sys.modules)\n"
        "print(json.dumps({'errors': errors, 'heavy': heavy}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert not report["errors"], "\n".join(f"{k}:\n{v}" for k, v in report["errors"].items())
    assert report["heavy"] == [], f"importing the computing layer loaded {report['heavy']}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_makefile_targets_use_the_venv():
    def dry_run(*args):
        out = subprocess.run(["make", "-n", *args], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert "-m pytest" in dry_run("test")
    lab = dry_run("lab", "PORT=8899")
    assert "--ip=127.0.0.1" in lab and "--port=8899" in lab and "notebooks/00_start_here.ipynb" in lab
    execute = dry_run("execute")
    assert "--execute --inplace" in execute and "store_widget_state=True" in execute
