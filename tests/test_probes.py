"""ae_lib.probes.linear_probe: it measures linear separability and refuses what it cannot."""

from __future__ import annotations

import numpy as np
import pytest

from ae_lib.data import load_digits_8x8
from ae_lib.probes import linear_probe


@pytest.fixture(scope="module")
def digits():
    return load_digits_8x8()


@pytest.fixture(scope="module")
def accuracy(digits):
    """One probe on the real digits, shared by the tests below (it trains for 40 epochs)."""
    (x_train, y_train), (x_test, y_test) = digits
    return linear_probe(x_train, y_train, x_test, y_test, epochs=40)


def test_a_linear_probe_separates_digits(accuracy):
    assert accuracy > 0.9


def test_a_linear_probe_cannot_separate_shuffled_labels(digits, accuracy):
    (x_train, y_train), (x_test, y_test) = digits
    shuffled = np.random.default_rng(0).permutation(y_train)
    assert linear_probe(x_train, shuffled, x_test, y_test, epochs=40) < 0.3 < accuracy


def test_a_linear_probe_is_seeded(digits, accuracy):
    # The fixture's probe again (its seed is 0), given as a NumPy integer this time.
    (x_train, y_train), (x_test, y_test) = digits
    assert linear_probe(x_train, y_train, x_test, y_test, epochs=40,
                        seed=np.int64(0)) == accuracy


def test_a_linear_probe_refuses_mismatched_features_and_labels(digits):
    (x_train, y_train), (x_test, y_test) = digits
    with pytest.raises(ValueError, match="test_features must have as many .* 64 and 16"):
        linear_probe(x_train, y_train, x_test[:, :2], y_test)
    with pytest.raises(ValueError, match="train_labels must be one label per row"):
        linear_probe(x_train, y_train[:-1], x_test, y_test)
    with pytest.raises(TypeError, match="test_labels must be an array of integer class"):
        linear_probe(x_train, y_train, x_test, y_test.astype(float))
    with pytest.raises(ValueError, match="test_labels must use only classes that train"):
        linear_probe(x_train[y_train < 9], y_train[y_train < 9], x_test, y_test)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"epochs": 0}, ValueError, "epochs"), ({"learning_rate": -3e-3}, ValueError,
                                            "learning_rate"),
    ({"learning_rate": 0.0}, ValueError, "learning_rate"), ({"batch_size": 0}, ValueError,
                                                            "batch_size"),
    ({"seed": -1}, ValueError, "seed")])
def test_a_linear_probe_refuses_settings_that_would_train_nothing(digits, kwargs, error, name):
    (x_train, y_train), (x_test, y_test) = digits
    with pytest.raises(error, match=f"{name} must be"):
        linear_probe(x_train, y_train, x_test, y_test, **kwargs)


def test_a_linear_probe_refuses_nan_features(digits):
    (x_train, y_train), (x_test, y_test) = digits
    broken = x_train.copy()
    broken[3, 2, 2] = np.nan
    with pytest.raises(ValueError, match="train_features must be finite"):
        linear_probe(broken, y_train, x_test, y_test)


def test_a_ridge_probe_separates_digits_and_not_shuffled_labels(digits):
    from ae_lib.probes import ridge_probe
    (x_train, y_train), (x_test, y_test) = digits
    accuracy = ridge_probe(x_train, y_train, x_test, y_test)
    shuffled = np.random.default_rng(0).permutation(y_train)
    assert accuracy > 0.85
    assert ridge_probe(x_train, shuffled, x_test, y_test) < 0.3
    # The same seed holds out the same examples: the same answer.
    assert ridge_probe(x_train, y_train, x_test, y_test, seed=np.int64(0)) == accuracy


def test_both_probes_refuse_a_test_class_that_training_never_shows(digits):
    from ae_lib.probes import linear_probe, ridge_probe

    (x_train, y_train), (x_test, y_test) = digits
    seen = y_train != 9
    for probe in (linear_probe, ridge_probe):
        with pytest.raises(ValueError, match=r"test classes \[9\] that training never shows"):
            probe(x_train[seen], y_train[seen], x_test, y_test)


def test_a_ridge_probe_works_with_more_features_than_examples(digits):
    from ae_lib.probes import ridge_probe
    (x_train, y_train), (x_test, y_test) = digits
    wide = np.repeat(x_train[:100], 3, axis=1)  # 100 examples, 192 features
    assert ridge_probe(wide, y_train[:100], np.repeat(x_test, 3, axis=1), y_test) > 0.6


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(penalties=[1.0, -2.0]), ValueError, "penalties"),
    (dict(penalties=[]), ValueError, "penalties"),
    (dict(validation_fraction=1.0), ValueError, "validation_fraction"),
    (dict(validation_fraction=0.0001), ValueError, "validation_fraction"),
    (dict(seed=-1), ValueError, "seed"),
])
def test_a_ridge_probe_refuses_bad_settings(digits, kwargs, error, words):
    from ae_lib.probes import ridge_probe
    (x_train, y_train), (x_test, y_test) = digits
    with pytest.raises(error, match=words):
        ridge_probe(x_train, y_train, x_test, y_test, **kwargs)


def _reference_ridge_predictions(train_x, train_y, test_x, penalties, n_classes):
    """Ridge regression solved the slow, obvious way: one primal solve per penalty."""
    mean, spread = train_x.mean(axis=0), train_x.std(axis=0)
    spread[spread < 1e-6] = 1.0
    x, t = (train_x - mean) / spread, (test_x - mean) / spread
    targets = np.eye(n_classes)[train_y]
    targets -= targets.mean(axis=0)
    return [np.argmax(t @ np.linalg.solve(x.T @ x + penalty * np.eye(x.shape[1]),
                                          x.T @ targets), axis=1)
            for penalty in penalties]


@pytest.mark.parametrize("n_examples", [300, 40])  # the primal form, then the dual
def test_ridge_predictions_agree_with_a_direct_solve(n_examples):
    from ae_lib.probes import RIDGE_PENALTIES, _ridge_predict
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 60))
    train_y, test_y = rng.integers(0, 4, n_examples), rng.integers(0, 4, 200)
    train_x = centres[train_y] + 2 * rng.normal(size=(n_examples, 60))
    test_x = centres[test_y] + 2 * rng.normal(size=(200, 60))
    train_x[:, 7] = 1.5  # a constant feature, as dead code units give
    fast = _ridge_predict(train_x, train_y, test_x, RIDGE_PENALTIES, 4)
    slow = _reference_ridge_predictions(train_x, train_y, test_x, RIDGE_PENALTIES, 4)
    for penalty, got, want in zip(RIDGE_PENALTIES, fast, slow):
        # The decision values agree to round-off, so the classes agree (a tie within
        # round-off could flip one; these data have none).
        np.testing.assert_array_equal(got, want, err_msg=f"penalty {penalty}")
    # Different penalties give different predictions: the test can tell them apart.
    assert any((fast[0] != other).any() for other in fast[1:])


def test_ridge_predictions_fall_back_when_cholesky_fails(monkeypatch):
    import scipy.linalg

    from ae_lib import probes
    rng = np.random.default_rng(4)
    train_x, test_x = rng.normal(size=(100, 20)), rng.normal(size=(30, 20))
    train_y = rng.integers(0, 3, 100)
    expected = probes._ridge_predict(train_x, train_y, test_x, [0.5, 50.0], 3)

    def no_factor(*args, **kwargs):
        raise np.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(scipy.linalg, "cho_factor", no_factor)
    fallback = probes._ridge_predict(train_x, train_y, test_x, [0.5, 50.0], 3)
    for got, want in zip(fallback, expected):
        np.testing.assert_array_equal(got, want)
