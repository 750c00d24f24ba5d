"""Training benchmark: chapter 10's full race as one batched run, against a Python loop over its configurations.

The race: 7 optimizers x 11 learning rates x 5 seeds = 385 models of logistic regression (31 parameters) or of
the one-hidden-layer MLP (8 units, 257 parameters) on the breast-cancer training rows, 20 epochs of minibatches
of 32 (14 steps an epoch), scored on the training and test rows after every epoch: ``course_lib.training.race``.
The loop does the same work one configuration at a time: for each optimizer, lr and seed one call of
``course_lib.training.train`` on a single model, with the same start, minibatches and scoring. Both give the same
numbers at every tuned lr (checked here); above it a few MLP runs are chaotic, and the order of the
floating-point sums, which differs between one model and a batch, decides where they end. A model-step is one
parameter update of one model. Figures only, no pass or fail.

    .venv/bin/python benchmarks/bench_training.py [--model logistic|mlp|both] [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_lib.datasets import load_breast_cancer  # noqa: E402
from course_lib.models import MLP, LogisticRegression  # noqa: E402
from course_lib.training import RACE, race, train  # noqa: E402

LRS = np.logspace(-4, 1, 11)
SEEDS = (0, 1, 2, 3, 4)
EPOCHS, BATCH, DECAY = 20, 32, 0.01


def best_of(repeats, run):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def batched(model, test):
    return race(model, lrs=LRS, seeds=SEEDS, epochs=EPOCHS, batch_size=BATCH, test=test, weight_decay=DECAY)


def looped(model, test):
    """Every (optimizer, lr, seed) trained on its own: final training losses of shape (7, 11, 5)."""
    final = np.empty((len(RACE), LRS.size, len(SEEDS)))
    for k, make in enumerate(RACE.values()):
        for i, lr in enumerate(LRS):
            for j, seed in enumerate(SEEDS):
                try:
                    W0 = model.init(rng=np.random.default_rng(seed))
                except TypeError:
                    W0 = model.init()
                run = train(model, make(lr, DECAY), W0, epochs=EPOCHS, batch_size=BATCH, seeds=seed, test=test,
                            penalty=DECAY)  # fmt: skip
                final[k, i, j] = run.train_loss[-1]
    return final


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("logistic", "mlp", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs of the batched race")
    args = parser.parse_args(argv)
    data = load_breast_cancer(seed=0)
    test = (data.X_test, data.y_test)
    models = {
        "logistic": LogisticRegression(data.X_train, data.y_train),
        "mlp": MLP(data.X_train, data.y_train, hidden=8),
    }
    names = list(models) if args.model == "both" else [args.model]
    print(f"race: {len(RACE)} optimizers x {LRS.size} lrs x {len(SEEDS)} seeds, {EPOCHS} epochs of batches of {BATCH}")
    for name in names:
        model = models[name]
        batch_seconds, result = best_of(args.repeats, lambda m=model: batched(m, test))
        loop_seconds, final = best_of(1, lambda m=model: looped(m, test))
        # the same numbers at every tuned lr; above it some MLP runs are chaotic (round-off grows to O(1))
        tuned = np.array([final[k, b] - result.train_loss[k, b] for k, b in enumerate(result.best)])
        tuned_same = np.allclose(tuned, 0.0, atol=1e-9)
        differ = int(np.sum(~np.isclose(final, result.train_loss, rtol=1e-6, atol=1e-12, equal_nan=True)))
        steps = result.model_steps
        print(f"\n{name} ({model.dim} parameters), {steps:,} model-steps")
        print(f"  one batched run:       {batch_seconds:8.2f} s   {steps / batch_seconds:12,.0f} model-steps/s")
        print(f"  loop over the configs: {loop_seconds:8.2f} s   {steps / loop_seconds:12,.0f} model-steps/s")
        print(f"  loop / batched:        {loop_seconds / batch_seconds:8.1f} x")
        print(f"  same final losses at every tuned lr: {tuned_same}; configurations differing by more than 1e-6:"
              f" {differ} of {final.size} (runs above the tuned lr, where round-off is amplified)")  # fmt: skip


if __name__ == "__main__":
    main()
