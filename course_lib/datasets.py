r"""Real data for the course, shipped inside the package: nothing is fetched at run time.

The Wisconsin Diagnostic Breast Cancer data (Street, Wolberg & Mangasarian; UCI Machine Learning Repository,
CC BY 4.0; see ``course_lib/data/README.md``): 569 tumours, 30 features computed from a digitized image of a
fine-needle aspirate, and a binary label, 1 = malignant (212 tumours), 0 = benign (357).

:func:`load_breast_cancer` returns a stratified train/test split, standardized with the mean and standard
deviation of the *training* rows only, so nothing about the test rows leaks into training. Taught in
notebooks/10_training_a_model.ipynb. NumPy only.
"""

from __future__ import annotations

import functools
import gzip
import io
import math
import numbers
from importlib import resources
from typing import NamedTuple

import numpy as np

__all__ = ["Split", "read_breast_cancer", "split_and_standardize", "load_breast_cancer"]

_FILE = "breast_cancer.csv.gz"


class Split(NamedTuple):
    """A standardized train/test split: ``X_train`` (n_train, d), ``y_train`` (n_train,) of 0/1, ``X_test``,
    ``y_test``, ``feature_names`` (d names), and the training statistics ``mean`` and ``scale`` (d each) with
    ``X_standardized = (X_raw - mean) / scale``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple
    mean: np.ndarray
    scale: np.ndarray


@functools.lru_cache(maxsize=1)
def _read():
    raw = resources.files("course_lib").joinpath("data", _FILE).read_bytes()
    text = gzip.decompress(raw).decode("ascii")
    header, _, body = text.partition("\n")
    names = tuple(header.strip().split(","))
    table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.float64)
    X, y = table[:, :-1], table[:, -1]
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y, names[:-1]


def read_breast_cancer():
    """The raw data: ``(X, y, feature_names)`` with X of shape (569, 30) in the original units and y the 0/1
    label (1 = malignant). Fresh writable copies on every call."""
    X, y, names = _read()
    return X.copy(), y.copy(), names


def _fraction(test_fraction):
    if isinstance(test_fraction, (bool, np.bool_)) or not isinstance(test_fraction, numbers.Real):
        raise ValueError(f"test_fraction: expected a number strictly between 0 and 1, got {test_fraction!r}")
    if not (math.isfinite(test_fraction) and 0 < test_fraction < 1):
        raise ValueError(f"test_fraction: expected a number strictly between 0 and 1, got {test_fraction!r}")
    return float(test_fraction)


def _seed(seed):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    return int(seed)


def split_and_standardize(X, y, *, test_fraction=0.25, seed=0, feature_names=None):
    """Split ``(X, y)`` into train and test rows, stratified by label, then standardize both parts with the
    training rows' mean and standard deviation.

    Each class contributes ``round(test_fraction * its count)`` rows to the test part, chosen by a random
    permutation from ``seed``; so the class balance of both parts matches the whole data. A feature that is
    constant on the training rows keeps scale 1 (no division by zero). Returns a :class:`Split`.
    """
    test_fraction = _fraction(test_fraction)
    seed = _seed(seed)
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("X: expected a 2-D array of numbers (n examples by d features)") from None
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0:
        raise ValueError(f"X: expected a 2-D array with at least two rows, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X: every entry must be finite")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y: expected shape ({X.shape[0]},) to match the rows of X, got shape {y.shape}")
    rng = np.random.default_rng(seed)
    test = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        count = int(round(test_fraction * rows.size))
        test.append(rng.permutation(rows)[:count])
    test_mask = np.zeros(X.shape[0], dtype=bool)
    test_mask[np.concatenate(test)] = True
    if test_mask.all() or not test_mask.any():
        raise ValueError(f"test_fraction: {test_fraction} leaves one of the two parts empty")
    # keep each part in a shuffled order (not sorted by label), from the same seeded generator
    train_rows = rng.permutation(np.flatnonzero(~test_mask))
    test_rows = rng.permutation(np.flatnonzero(test_mask))
    mean = X[train_rows].mean(axis=0)
    std = X[train_rows].std(axis=0)
    scale = np.where(std > 0, std, 1.0)
    names = tuple(feature_names) if feature_names is not None else tuple(f"x{i}" for i in range(X.shape[1]))
    if len(names) != X.shape[1]:
        raise ValueError(f"feature_names: expected {X.shape[1]} names, got {len(names)}")
    return Split(
        X_train=(X[train_rows] - mean) / scale,
        y_train=y[train_rows].copy(),
        X_test=(X[test_rows] - mean) / scale,
        y_test=y[test_rows].copy(),
        feature_names=names,
        mean=mean,
        scale=scale,
    )


def load_breast_cancer(*, test_fraction=0.25, seed=0):
    """The breast-cancer data as a standardized, stratified train/test :class:`Split`.

    >>> data = load_breast_cancer()
    >>> data.X_train.shape, data.X_test.shape
    ((427, 30), (142, 30))

    ``y`` is 1 for malignant, 0 for benign. The same ``seed`` always gives the same split.
    """
    X, y, names = _read()
    return split_and_standardize(X, y, test_fraction=test_fraction, seed=seed, feature_names=names)
