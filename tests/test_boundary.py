"""The computing layer imports NumPy and SymPy only: it must import with plotting and widget stacks blocked.

Each check runs in a fresh interpreter (modules already imported by pytest or by other tests would hide a
stray import). A meta-path finder placed first on sys.meta_path refuses the blocked top-level packages.
"""

import json
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_lib"
BLOCKED = ["matplotlib", "ipywidgets", "ipympl", "IPython"]
GRAPHICAL = {"viz"}  # the only part of course_lib allowed to use the blocked packages

BLOCKER = textwrap.dedent(
    """
    import importlib, importlib.abc, json, sys

    BLOCKED = set(json.loads(sys.argv[1]))
    ATTEMPTS = []  # every blocked import that was tried, even one caught by a try/except ImportError

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                ATTEMPTS.append(name)
                raise ImportError(f"{name} is blocked: the computing layer must not import it")
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def computing_modules(directory=PACKAGE, prefix="course_lib."):
    """Every module of course_lib (subpackages included) but the graphical package; none is imported."""
    names = []
    for info in pkgutil.iter_modules([str(directory)]):
        if info.name in GRAPHICAL and directory == PACKAGE:
            continue
        names.append(prefix + info.name)
        if info.ispkg:
            names.extend(computing_modules(directory / info.name, f"{prefix}{info.name}."))
    return sorted(names)


def run_blocked(body):
    code = BLOCKER + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", code, json.dumps(BLOCKED)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_expected_computing_modules_exist():
    names = computing_modules()
    for required in ["course_lib.objectives", "course_lib.optimizers", "course_lib.descent"]:
        assert required in names


def test_blocker_works():
    """Negative control: in the same set-up, importing a blocked package fails."""
    result = run_blocked(
        """
        for name in BLOCKED:
            try:
                __import__(name)
            except ImportError as err:
                print("blocked", name)
            else:
                raise SystemExit(f"{name} was imported despite the blocker")
        """
    )
    assert result.returncode == 0, result.stderr
    for name in BLOCKED:
        assert f"blocked {name}" in result.stdout


@pytest.fixture(scope="module")
def imports():
    """Import every computing module, one after the other, in one blocked interpreter; report per module."""
    result = run_blocked(
        f"""
        import traceback
        report = {{}}
        for module in {computing_modules()!r}:
            del ATTEMPTS[:]
            try:
                importlib.import_module(module)
                error = None
            except BaseException:
                error = traceback.format_exc()
            report[module] = {{"error": error, "attempts": list(ATTEMPTS)}}
        print(json.dumps(report))
        """
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", computing_modules())
def test_computing_module_imports_without_graphics(module, imports):
    entry = imports[module]
    assert entry["error"] is None, f"importing {module} with {BLOCKED} blocked failed:\n{entry['error']}"
    assert not entry["attempts"], f"{module} tried to import {entry['attempts']}"


def test_package_import_and_a_small_run_without_graphics():
    result = run_blocked(
        """
        import course_lib as cl
        path = cl.descend(cl.surface("bowl"), cl.optimizers.SGD(lr=0.1), [0.0, 0.0], steps=5)
        assert path.xs.shape == (6, 2)
        f = cl.objective("(x-7)**2 + (y-3)**2")
        assert float(f.value([7.0, 3.0])) == 0.0
        leaked = [m for m in sys.modules if m.split(".")[0] in BLOCKED or m.startswith("course_lib.viz")]
        assert not leaked, leaked
        assert not ATTEMPTS, ATTEMPTS
        print("ok")
        """
    )
    assert result.returncode == 0, f"import course_lib with {BLOCKED} blocked failed:\n{result.stderr}"
    assert result.stdout.strip().endswith("ok")
