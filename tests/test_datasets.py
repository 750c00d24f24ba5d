"""The shipped breast-cancer data and its loader: contents, split, stratification, no leak of test statistics."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from course_lib.datasets import Split, load_breast_cancer, read_breast_cancer, split_and_standardize

ROOT = Path(__file__).resolve().parents[1]


def test_the_file_is_the_one_the_readme_describes():
    data = resources.files("course_lib").joinpath("data", "breast_cancer.csv.gz").read_bytes()
    readme = (ROOT / "course_lib" / "data" / "README.md").read_text(encoding="utf-8")
    digest = re.search(r"SHA-256 of `breast_cancer\.csv\.gz`:\s*`([0-9a-f]{64})`", readme)
    assert digest and hashlib.sha256(data).hexdigest() == digest.group(1)
    for words in ("CC BY 4.0", "Wolberg", "Street", "Mangasarian", "UCI Machine Learning Repository"):
        assert words in readme


def test_raw_data_has_the_published_shape_and_class_counts():
    X, y, names = read_breast_cancer()
    assert X.shape == (569, 30) and y.shape == (569,) and len(names) == 30
    assert set(np.unique(y)) == {0.0, 1.0}
    assert int(y.sum()) == 212  # malignant
    assert names[0] == "radius_mean" and names[-1] == "fractal_dimension_worst"
    # the first row of the UCI file (ID 842302) is malignant with mean radius 17.99
    assert X[0, 0] == 17.99 and y[0] == 1.0
    assert np.all(np.isfinite(X)) and np.all(X >= 0)


def test_raw_data_copies_are_independent():
    X, y, _ = read_breast_cancer()
    X[0, 0] = -1.0
    assert read_breast_cancer()[0][0, 0] == 17.99


@pytest.mark.parametrize("fraction", [0.25, 0.2, 0.5])
def test_split_sizes_and_stratification(fraction):
    data = load_breast_cancer(test_fraction=fraction, seed=3)
    assert isinstance(data, Split)
    n_test = round(fraction * 212) + round(fraction * 357)
    assert data.X_test.shape == (n_test, 30) and data.y_test.shape == (n_test,)
    assert data.X_train.shape == (569 - n_test, 30) and data.y_train.shape == (569 - n_test,)
    assert data.y_test.sum() == round(fraction * 212)
    assert data.y_train.sum() == 212 - round(fraction * 212)
    # both parts keep the class balance of the whole data (212 / 569) to within one row
    for y in (data.y_train, data.y_test):
        assert abs(y.mean() - 212 / 569) <= 1 / y.size


def test_train_and_test_rows_partition_the_data():
    X, _, _ = read_breast_cancer()
    data = load_breast_cancer(seed=5)
    rows = np.vstack([data.X_train, data.X_test]) * data.scale + data.mean
    order = lambda A: A[np.lexsort(A.T[::-1])]  # noqa: E731
    np.testing.assert_allclose(order(rows), order(X), rtol=1e-12, atol=1e-9)


def test_training_part_is_standardized_and_test_part_only_approximately():
    data = load_breast_cancer()
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0, rtol=1e-12)
    # the test part is transformed with the TRAINING statistics, so its own mean is not exactly zero
    assert np.abs(data.X_test.mean(axis=0)).max() > 1e-3
    X, _, _ = read_breast_cancer()
    np.testing.assert_allclose(data.mean, X.mean(axis=0), rtol=0.1)  # close to, yet not, the full-data mean
    assert not np.allclose(data.mean, X.mean(axis=0), rtol=1e-9)


def test_changing_test_rows_changes_no_training_statistic():
    X, y, names = read_breast_cancer()
    first = split_and_standardize(X, y, seed=1, feature_names=names)
    # find the test rows (the split depends on the labels and the seed only), then replace them wholesale
    test_rows = np.isin(np.arange(569), _test_rows(X, y, seed=1))
    X_changed = X.copy()
    X_changed[test_rows] = 1e3 * np.random.default_rng(0).standard_normal((test_rows.sum(), 30))
    second = split_and_standardize(X_changed, y, seed=1, feature_names=names)
    np.testing.assert_array_equal(first.mean, second.mean)
    np.testing.assert_array_equal(first.scale, second.scale)
    np.testing.assert_array_equal(first.X_train, second.X_train)
    assert not np.allclose(first.X_test, second.X_test)


def _test_rows(X, y, seed):
    """The rows that go to the test part: mark each row by its index in a spare column and read it back."""
    marked = np.hstack([X, np.arange(X.shape[0], dtype=np.float64)[:, None]])
    split = split_and_standardize(marked, y, seed=seed)
    return np.rint(split.X_test[:, -1] * split.scale[-1] + split.mean[-1]).astype(int)


def test_same_seed_same_split_other_seed_other_split():
    a, b, c = load_breast_cancer(seed=0), load_breast_cancer(seed=0), load_breast_cancer(seed=1)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.mean, c.mean)


def test_constant_feature_keeps_unit_scale():
    X = np.column_stack([np.arange(8.0), np.full(8, 2.0)])
    y = np.array([0, 1] * 4, dtype=float)
    split = split_and_standardize(X, y, test_fraction=0.25, seed=0)
    assert split.scale[1] == 1.0 and np.all(split.X_train[:, 1] == 0.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"test_fraction": 0.0}, "test_fraction"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"test_fraction": "a quarter"}, "test_fraction"),
        ({"test_fraction": float("nan")}, "test_fraction"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
    ],
)
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_breast_cancer(**kwargs)


def test_bad_arrays_are_named():
    with pytest.raises(ValueError, match="X"):
        split_and_standardize(np.ones(5), np.zeros(5))
    with pytest.raises(ValueError, match="y"):
        split_and_standardize(np.ones((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="feature_names"):
        split_and_standardize(np.ones((8, 2)), np.array([0, 1] * 4), feature_names=["a"])
    with pytest.raises(ValueError, match="test_fraction"):
        split_and_standardize(np.ones((4, 2)), np.array([0, 1, 0, 1]), test_fraction=0.1)
