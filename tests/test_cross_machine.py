"""The stored notebook outputs hold on other machines: the notebook suite under other CPU kernels.

A learner's laptop computes with other kernels than the machine that stored the outputs: OpenBLAS picks its
matrix kernels per core type (Prescott, Haswell, SkylakeX, Zen, ...), and NumPy dispatches its loops to the
widest SIMD instructions the CPU has. The results agree to round-off, not bit for bit, so a stored output that
prints round-off digits (``8.9e-15`` against ``9.8e-15``) fails elsewhere. This module simulates other machines
on this one and runs the whole notebook suite (nbval) under each:

- ``OPENBLAS_CORETYPE=Prescott``: an old generic x86 kernel set;
- ``OPENBLAS_CORETYPE=Haswell`` or ``SkylakeX``: whichever of the two this machine does not pick by default;
- ``NPY_DISABLE_CPU_FEATURES``: every SIMD extension NumPy would dispatch to on this CPU, taken from NumPy's
  own list for this CPU, so NumPy runs its baseline loops (on any architecture).

Each setting is first checked to take effect (the core name OpenBLAS reports, the features NumPy reports), so
a setting that silently does nothing fails instead of passing. Settings that do not apply to this machine (a
NumPy without OpenBLAS, a CPU with nothing beyond NumPy's baseline) are skipped with the reason.

Run only this check: ``make test PYTEST_ARGS=tests/test_cross_machine.py`` (about a minute per setting).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Printed by a fresh interpreter: the OpenBLAS core NumPy uses (or null) and NumPy's dispatch features.
PROBE = r"""
import ctypes, glob, json, os
import numpy as np
from numpy._core import _multiarray_umath as mu

core = None
libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*"))
libs += glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
for path in libs:
    lib = ctypes.CDLL(path)
    for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
                 "openblas_get_corename"):
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = ctypes.c_char_p
            core = fn().decode()
            break
    if core:
        break
features = mu.__cpu_features__
print(json.dumps({
    "core": core,
    "dispatch": list(mu.__cpu_dispatch__),
    "enabled": [f for f in mu.__cpu_dispatch__ if features.get(f)],
}))
"""


def probe(extra_env=None):
    env = {**os.environ, **(extra_env or {})}
    for key in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES"):
        if extra_env is None or key not in extra_env:
            env.pop(key, None)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


NATIVE = probe()


def _settings():
    """(id, environment, reason to skip or None) for each simulated machine."""
    settings = []
    core = NATIVE["core"]
    no_blas = None if core else "this NumPy does not use OpenBLAS (no core name to change)"
    settings.append(("openblas-Prescott", {"OPENBLAS_CORETYPE": "Prescott"}, no_blas))
    modern = "Haswell" if core != "Haswell" else "SkylakeX"
    settings.append((f"openblas-{modern}", {"OPENBLAS_CORETYPE": modern}, no_blas))
    enabled = NATIVE["enabled"]
    no_simd = None if enabled else "NumPy dispatches to no SIMD extension beyond its baseline on this CPU"
    settings.append(("numpy-baseline-simd", {"NPY_DISABLE_CPU_FEATURES": " ".join(enabled)}, no_simd))
    return settings


SETTINGS = _settings()


def _check_took_effect(env):
    seen = probe(env)
    if "OPENBLAS_CORETYPE" in env:
        # OpenBLAS names the kernel set it loaded; a forced type differs from the native one (Prescott loads
        # the generic "Katmai" set, so compare with the native name, not with the requested one).
        assert seen["core"] != NATIVE["core"], f"OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']} changed nothing"
    if "NPY_DISABLE_CPU_FEATURES" in env:
        assert not seen["enabled"], f"NumPy still dispatches to {seen['enabled']}"
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("env, skip", [(e, s) for _, e, s in SETTINGS], ids=[i for i, _, _ in SETTINGS])
def test_notebook_suite_passes_on_a_simulated_machine(env, skip):
    if skip:
        pytest.skip(skip)
    seen = _check_took_effect(env)
    print(f"\nnative: OpenBLAS core {NATIVE['core']}, NumPy SIMD {NATIVE['enabled']}")
    print(f"simulated: OpenBLAS core {seen['core']}, NumPy SIMD {seen['enabled']} ({env})")
    run_env = {**os.environ, **env}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider", "-o", "addopts="]
        + ["--nbval", "--nbval-current-env", "--nbval-sanitize-with=tests/nbval_sanitize.cfg"]
        + ["--nbval-cell-timeout=600", "--nbval-kernel-startup-timeout=120"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    tail = "\n".join(done.stdout.splitlines()[-60:])
    assert done.returncode == 0, f"notebook suite under {env} failed:\n{tail}\n{done.stderr[-2000:]}"
    assert " passed" in tail and "no tests ran" not in tail, tail


def test_probe_reads_this_machine():
    # The probe must see NumPy's feature lists; the OpenBLAS core is None only where NumPy has no OpenBLAS.
    assert NATIVE["dispatch"] is not None
    assert set(NATIVE["enabled"]) <= set(NATIVE["dispatch"])
