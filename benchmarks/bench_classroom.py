"""How many learners can share a machine: kernel-side update time with N learners at once.

Starts N kernel-like processes at the same moment (N = 1, 2, 4, 8, 16 by default), each holding one explorer of
the course (chapter 03's first explorer: gradient descent on the bowl, 20 steps, and the Rosenbrock explorer of
the race chapters, 200 steps of Adam) and moving its learning-rate slider at a learner's pace, two steps a
second. One update is what the kernel does when a slider moves: the explorer recomputes and redraws its figure,
and the figure is encoded as a PNG frame as ipympl does before sending it. Each update is timed on the wall
clock, so it includes the wait for a core when N learners compete for the machine's cores.

Prints, per N, the median and 90th percentile of the update time and the machine's cores, and at the end how
many learners one core serves while the 90th percentile stays at or under 100 ms. These are the CPU figures of
the sizing table in the README ("Teaching with it").

    make bench
    .venv/bin/python benchmarks/bench_classroom.py [--learners 1 2 4 8 16] [--seconds 15]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import time

import numpy as np

P90_TARGET_MS = 100.0
RATE_HZ = 2.0


def learner(start_at, seconds, seed, queue):
    """One learner's kernel: build the explorers, then move a slider twice a second until time is up."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from PIL import Image

    import course_lib as cl
    import course_lib.viz as viz

    warnings.simplefilter("ignore")
    bowl = viz.descent_explorer(
        cl.surface("bowl"), "SGD", x0=[0.0, 0.0], steps=20, params={"lr": (0.01, 1.05, 0.01)}, canvas="agg"
    )
    rosen = viz.descent_explorer(
        cl.surface("rosenbrock"),
        "Adam",
        x0=[-1.5, 2.0],
        steps=200,
        params={"lr": (1e-3, 1.0, 0.05, "log")},
        canvas="agg",
    )
    rng = np.random.default_rng(seed)
    explorers = [(bowl, bowl.sliders["lr"]), (rosen, rosen.sliders["lr"])]
    times = []
    while time.time() < start_at:
        time.sleep(0.01)
    end = start_at + seconds
    k = 0
    next_at = start_at + rng.uniform(0, 1 / RATE_HZ)  # learners do not press in lockstep
    while next_at < end:
        time.sleep(max(0.0, next_at - time.time()))
        explorer, slider = explorers[k % 2]
        lo, hi = slider.min, slider.max
        value = lo + (hi - lo) * rng.uniform(0.1, 0.9)
        begin = time.perf_counter()
        slider.value = value
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(explorer.fig.canvas.buffer_rgba())).save(buffer, format="png")
        times.append((time.perf_counter() - begin) * 1e3)
        k += 1
        next_at += 1 / RATE_HZ
    queue.put(times)


def run(n, seconds):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 8.0 + 0.5 * n  # time for every process to import and build its explorers
    procs = [ctx.Process(target=learner, args=(start_at, seconds, i, queue)) for i in range(n)]
    for p in procs:
        p.start()
    times = []
    for _ in procs:
        times += queue.get(timeout=start_at - time.time() + seconds + 120)
    for p in procs:
        p.join()
    return np.array(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="*", default=[1, 2, 4, 8, 16])
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{cores} cores, load average {load:.1f} before the run; each learner moves a slider {RATE_HZ:g}x a second")
    print(f"{'learners':>8} {'per core':>8} {'updates':>8} {'median ms':>10} {'p90 ms':>8}")
    served = 0
    for n in args.learners:
        times = run(n, args.seconds)
        median, p90 = np.median(times), np.percentile(times, 90)
        print(f"{n:8d} {n / cores:8.1f} {times.size:8d} {median:10.1f} {p90:8.1f}", flush=True)
        if p90 <= P90_TARGET_MS:
            served = max(served, n)
    print(
        f"largest N with p90 <= {P90_TARGET_MS:.0f} ms: {served} learners on {cores} cores, "
        f"about {served / cores:.1f} learners per core"
    )


if __name__ == "__main__":
    main()
