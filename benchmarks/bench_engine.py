"""Engine benchmark: one batched cl.descend call against torch.optim.Adam on the same work.

Adam (lr = 1e-2) on the Beale surface from 40,000 start points (uniform in [-4.5, 4.5]^2, seeded) for
200 steps. course_lib runs all trajectories in one ``cl.descend`` call; torch drives one float64 tensor of
shape (40000, 2) through autograd of the Beale formula (loss = f(X).sum(); zero_grad; backward; step) and
records the iterates and values of every step, as ``Path`` does. Both run on the same number of threads, in
the same process. Each figure is the best of 3 runs, after a full-size warm-up of every engine.

A third engine is a yardstick, not a competitor: the same work as NumPy code written by hand for this one
workload (``run_numpy_by_hand``). It shows how far any NumPy engine could go on this machine.

    .venv/bin/python benchmarks/bench_engine.py [--points N] [--steps N] [--repeats N] [--default-threads]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import course_lib as cl  # noqa: E402

TARGET = 4.0  # torch seconds / course_lib seconds


def timed(run):
    """Wall-clock seconds, CPU seconds of this process, and the result of one call."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - start, time.process_time() - start_cpu, result


def blas_threads():
    """The size of NumPy's BLAS thread pool, if it can be read (the benchmark itself uses no BLAS call)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            if os.environ.get(name):
                return f"{os.environ[name]} (from {name})"
        return "unknown (threadpoolctl is not installed)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return ", ".join(f"{p['num_threads']} ({p['internal_api']})" for p in pools) or "none found"


def run_course_lib(x0, steps):
    return cl.descend(cl.surface("beale"), cl.optimizers.Adam(lr=1e-2), x0, steps)


def run_numpy_by_hand(x0, steps, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    """The same work as NumPy code written for this one workload, as a yardstick for what NumPy can do here.

    Beale's value and gradient are written out by hand in 31 passes (Horner form for the gradient), Adam updates
    preallocated arrays in place in torch's order of operations, every result goes into a buffer made once,
    and nothing is validated or checked for divergence. No general engine can beat it by much: it does only
    the passes over the data that the arithmetic needs.
    """
    n = x0.shape[0]
    p = np.ascontiguousarray(x0.T)  # (2, n): the x row and the y row
    m, v, g, tmp = (np.zeros_like(p) for _ in range(4))
    xs, values = np.empty((steps + 1, n, 2)), np.empty((steps + 1, n))
    u, w, z, r1, r2, r3, h, s = np.empty((8, n))
    x, y = p
    xs[0] = x0
    for t in range(steps + 1):
        np.multiply(x, y, out=u)  # x y
        np.multiply(u, y, out=w)  # x y^2
        np.multiply(w, y, out=z)  # x y^3
        np.subtract(u, x, out=r1)
        r1 += 1.5
        np.subtract(w, x, out=r2)
        r2 += 2.25
        np.subtract(z, x, out=r3)
        r3 += 2.625
        f = values[t]
        np.multiply(r1, r1, out=f)
        np.multiply(r2, r2, out=h)
        f += h
        np.multiply(r3, r3, out=h)
        f += h
        if t == steps:
            break
        # df/dx = 2 [y (r1 + y (r2 + y r3)) - (r1 + r2 + r3)]
        np.multiply(r3, y, out=h)
        h += r2
        h *= y
        h += r1
        h *= y
        np.add(r1, r2, out=s)
        s += r3
        h -= s
        np.add(h, h, out=g[0])
        # df/dy = 2 x (r1 + y (2 r2 + 3 y r3))
        np.multiply(r3, y, out=h)
        h *= 3
        h += r2
        h += r2
        h *= y
        h += r1
        h *= x
        np.add(h, h, out=g[1])
        # Adam, in place
        np.subtract(g, m, out=tmp)
        tmp *= 1 - beta1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1 - beta2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp /= np.sqrt(1 - beta2 ** (t + 1))
        tmp += eps
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1 - beta1 ** (t + 1))
        p -= tmp
        xs[t + 1] = p.T
    return xs, values


def beale_torch(p):
    x, y = p[..., 0], p[..., 1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def run_torch(torch, x0, steps):
    X = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([X], lr=1e-2)
    xs = torch.empty((steps + 1, *X.shape), dtype=torch.float64)
    values = torch.empty((steps + 1, X.shape[0]), dtype=torch.float64)
    xs[0] = X.detach()
    for t in range(steps):
        opt.zero_grad()
        f = beale_torch(X)
        values[t] = f.detach()
        f.sum().backward()
        opt.step()
        xs[t + 1] = X.detach()
    with torch.no_grad():
        values[steps] = beale_torch(X)
    return xs, values


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=40_000)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--default-threads",
        action="store_true",
        help="also time torch on its default thread count (reference)",
    )
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    x0 = rng.uniform(-4.5, 4.5, size=(args.points, 2))
    n, steps = args.points, args.steps
    print(f"workload: Adam(lr=1e-2) on beale, {n:,} start points in [-4.5, 4.5]^2, {steps} steps, float64")
    if hasattr(os, "getloadavg"):
        print(f"load average before the runs: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    try:
        import torch
    except ImportError:
        torch = None

    # NumPy's element-wise ufuncs, which are all the engine uses, run on one thread.
    numpy_threads = 1
    print(f"threads: numpy {numpy_threads} (element-wise ufuncs are single-threaded; BLAS pool: {blas_threads()})")
    if torch is not None:
        default_torch_threads = torch.get_num_threads()
        torch.set_num_threads(numpy_threads)
        print(f"threads: torch.set_num_threads({numpy_threads}) (its default here is {default_torch_threads})")

    engines = {"course_lib": lambda: run_course_lib(x0, steps), "numpy by hand": lambda: run_numpy_by_hand(x0, steps)}
    if torch is not None:
        engines["torch.optim.Adam"] = lambda: run_torch(torch, x0, steps)
    # Warm-up: one full-size run of every engine before any timing. The C allocator's state depends on what
    # ran before (large freed blocks raise glibc's mmap threshold), and it changes the cost of NumPy's large
    # temporaries by up to about 1.6x here, so an engine timed before the other had warmed up would lose.
    for run in engines.values():
        run()
    # Best of `repeats`, the engines interleaved so that a burst of other load hits both.
    best = {name: [np.inf, np.inf, None] for name in engines}
    for _ in range(args.repeats):
        for name, run in engines.items():
            wall, cpu, result = timed(run)
            best[name][0] = min(best[name][0], wall)
            best[name][1] = min(best[name][1], cpu)
            best[name][2] = result

    seconds, cpu, path = best["course_lib"]
    print(
        f"course_lib: {seconds:.3f} s ({n / seconds:,.0f} traj/s)  "
        f"[CPU {cpu:.3f} s; diverged: {int(path.diverged.sum())}]"
    )
    hand_seconds, hand_cpu, (hand_xs, _) = best["numpy by hand"]
    print(
        f"numpy by hand (yardstick, see run_numpy_by_hand): {hand_seconds:.3f} s ({n / hand_seconds:,.0f} traj/s)  "
        f"[CPU {hand_cpu:.3f} s; max |x - x_course_lib| = {np.abs(hand_xs - path.xs).max():.1e}]"
    )
    if torch is None:
        print("torch.optim.Adam: skipped (torch is not installed)")
        return 0
    torch_seconds, torch_cpu, (xs, values) = best["torch.optim.Adam"]
    print(f"torch.optim.Adam: {torch_seconds:.3f} s ({n / torch_seconds:,.0f} traj/s)  [CPU {torch_cpu:.3f} s]")

    difference = np.abs(xs.numpy() - path.xs)
    agree = np.abs(values.numpy() - path.values) / (1 + np.abs(path.values))
    print(
        f"same work: max |x_torch - x_course_lib| = {difference.max():.2e} "
        f"(median {np.median(difference[-1]):.1e} at the last step), max relative value gap {agree.max():.2e}"
    )

    ratio = torch_seconds / seconds
    verdict = "met" if ratio >= TARGET else "not met"
    print(f"ratio: {ratio:.1f}x (target >= {TARGET:g}x: {verdict})")
    print(f"ratio of CPU seconds (less sensitive to other load on the machine): {torch_cpu / cpu:.1f}x")
    print(
        f"yardstick: NumPy written by hand for this workload reaches {torch_seconds / hand_seconds:.1f}x "
        f"against torch; course_lib runs at {hand_seconds / seconds:.0%} of its speed"
    )

    if args.default_threads and default_torch_threads != numpy_threads:
        torch.set_num_threads(default_torch_threads)
        run_torch(torch, x0, steps)
        free_seconds = min(timed(lambda: run_torch(torch, x0, steps))[0] for _ in range(args.repeats))
        print(
            f"for reference, torch on its default {default_torch_threads} threads: {free_seconds:.3f} s "
            f"({n / free_seconds:,.0f} traj/s), ratio {free_seconds / seconds:.1f}x (not the compared figure)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
