"""Linear probes: how linearly separable the classes are in a representation."""

from __future__ import annotations

import keras
import numpy as np
import scipy.linalg

from ae_lib.recipe import STEPS_PER_EXECUTION
from ae_lib.repro import set_seed
from ae_lib.validation import (check_array, check_labels, check_number, check_numbers,
                               check_positive_int,
                               check_positive_number, check_seed)


def linear_probe(train_features, train_labels, test_features, test_labels, *, epochs=30,
                 batch_size=256, learning_rate=3e-3, seed=0):
    """Test accuracy of a softmax classifier trained on fixed features (a "linear probe").

    The features are standardised with the training set's mean and spread, then a single
    ``Dense(n_classes, softmax)`` layer is trained with Adam on the cross-entropy. The
    accuracy tells how linearly separable the classes are in that representation: raw
    pixels, or an autoencoder's codes.

    Parameters
    ----------
    train_features, test_features : np.ndarray
        Shapes (N, ...) and (M, ...) with the same feature shape, finite numbers;
        flattened here.
    train_labels, test_labels : array_like of int
        Class indices from 0, one per example. Every test class must occur in training.
    epochs : int, default 30
    batch_size : int, default 256
    learning_rate : float, default 3e-3
        Of Adam, above 0.
    seed : int, default 0
        Seeds the initial weights and the order of examples.

    Returns
    -------
    float
        The fraction of ``test_features`` classified correctly.
    """
    train_x, train_y, test_x, test_y = _check_probe_inputs(
        train_features, train_labels, test_features, test_labels, np.float32)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    learning_rate = check_positive_number(learning_rate, "learning_rate",
                                          fix="Pass a small step such as 3e-3.")
    seed = check_seed(seed)
    mean, spread = train_x.mean(axis=0), train_x.std(axis=0) + 1e-6
    set_seed(seed)
    classifier = keras.Sequential([keras.Input((train_x.shape[1],)),
                                   keras.layers.Dense(int(train_y.max()) + 1,
                                                      activation="softmax")])
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                       steps_per_execution=STEPS_PER_EXECUTION)
    classifier.fit((train_x - mean) / spread, train_y, epochs=epochs, batch_size=batch_size,
                   verbose=0)
    # A direct call, not predict(): a new classifier per call would make predict retrace
    # its graph every time, and TensorFlow warns about that.
    scores = classifier((test_x - mean) / spread, training=False)
    return float(np.mean(np.argmax(keras.ops.convert_to_numpy(scores), axis=1) == test_y))


#: The ridge penalties :func:`ridge_probe` chooses from (on standardised features).
RIDGE_PENALTIES = (1.0, 10.0, 100.0, 1e3, 1e4, 1e5)


def ridge_probe(train_features, train_labels, test_features, test_labels, *,
                penalties=RIDGE_PENALTIES, validation_fraction=0.2, seed=0):
    """Test accuracy of a ridge-regression classifier on fixed features, penalty chosen on held-out labels.

    A closed-form linear probe, fast enough to repeat over seeds: the features are
    standardised with the training set's mean and spread, a linear map to one-hot targets
    is fitted by ridge regression for each penalty in ``penalties``, the penalty that
    classifies a held-out ``validation_fraction`` of the training examples best is kept,
    and the map is refitted with it on all training examples. The test set is used only
    for the returned accuracy.

    Parameters
    ----------
    train_features, test_features : np.ndarray
        Shapes (N, ...) and (M, ...) with the same feature shape, finite numbers;
        flattened here.
    train_labels, test_labels : array_like of int
        Class indices from 0, one per example. Every test class must occur in training.
    penalties : sequence of float, default :data:`RIDGE_PENALTIES`
        Candidate ridge penalties, each above 0.
    validation_fraction : float, default 0.2
        The share of training examples held out to choose the penalty, above 0 and below 1.
    seed : int, default 0
        Seeds which training examples are held out.

    Returns
    -------
    float
        The fraction of ``test_features`` classified correctly.
    """
    train_x, train_y, test_x, test_y = _check_probe_inputs(
        train_features, train_labels, test_features, test_labels, np.float64)
    penalties = check_numbers(penalties, "penalties", low=0.0)
    if min(penalties) <= 0:
        raise ValueError(f"penalties must all be above 0. Received: {list(penalties)}.")
    validation_fraction = check_number(validation_fraction, "validation_fraction", low=0.0,
                                       high=1.0, low_open=True, high_open=True)
    seed = check_seed(seed)
    n_held = int(round(validation_fraction * len(train_x)))
    if n_held < 1 or n_held >= len(train_x):
        raise ValueError(
            f"validation_fraction must leave at least one example on each side. Received: "
            f"validation_fraction={validation_fraction} of {len(train_x)} examples.")
    order = np.random.default_rng(seed).permutation(len(train_x))
    held, fit = order[:n_held], order[n_held:]
    n_classes = int(max(train_y.max(), test_y.max())) + 1
    held_predictions = _ridge_predict(train_x[fit], train_y[fit], train_x[held], penalties,
                                      n_classes)
    held_accuracy = [np.mean(predicted == train_y[held]) for predicted in held_predictions]
    best = penalties[int(np.argmax(held_accuracy))]
    predicted = _ridge_predict(train_x, train_y, test_x, [best], n_classes)[0]
    return float(np.mean(predicted == test_y))


def _check_probe_inputs(train_features, train_labels, test_features, test_labels, dtype):
    """A probe's inputs, checked: features flattened to rows of ``dtype``, labels as ints.

    Every test class must occur in training: a probe could never predict it.
    """
    train_x, test_x = (check_array(features, name, min_ndim=1, dtype=dtype)
                       for features, name in ((train_features, "train_features"),
                                              (test_features, "test_features")))
    train_x, test_x = (x.reshape(len(x), -1) for x in (train_x, test_x))
    train_y = check_labels(train_labels, "train_labels", length=len(train_x),
                           per="row of train_features")
    test_y = check_labels(test_labels, "test_labels", length=len(test_x),
                          per="row of test_features")
    if train_x.shape[1] != test_x.shape[1]:
        raise ValueError(
            f"test_features must have as many numbers per example as train_features. "
            f"Received: train and test features differ in size: {train_x.shape[1]} and "
            f"{test_x.shape[1]} numbers per example.")
    unseen = sorted(int(c) for c in set(np.unique(test_y)) - set(np.unique(train_y)))
    if unseen:
        raise ValueError(
            f"test_labels must use only classes that train_labels has. Received: test "
            f"classes {unseen} that training never shows; the probe could never predict "
            "them.")
    return train_x, train_y, test_x, test_y


def _ridge_predict(train_x, train_y, test_x, penalties, n_classes):
    """Class predictions of ridge regression onto one-hot targets, one array per penalty.

    The Gram matrix is formed once: of the features (p by p) when there are more examples
    than features, of the examples (n by n, the dual form) otherwise. Each penalty then
    costs one Cholesky solve, about a thirtieth of the eigendecomposition that would serve
    all penalties at once; a penalty too small for the Cholesky factor to exist in floating
    point falls back to that eigendecomposition, with negative round-off eigenvalues
    clipped to 0.
    """
    mean, spread = train_x.mean(axis=0), train_x.std(axis=0)
    spread[spread < 1e-6] = 1.0  # a constant feature stays 0 (and harmless) after centring
    x, t = (train_x - mean) / spread, (test_x - mean) / spread
    targets = np.eye(n_classes)[train_y]
    targets -= targets.mean(axis=0)
    n, p = x.shape
    if n >= p:  # weights = (x.T x + a I)^-1 x.T targets
        gram, right, left = x.T @ x, x.T @ targets, t
    else:  # the dual form: weights = x.T (x x.T + a I)^-1 targets
        gram, right, left = x @ x.T, targets, t @ x.T
    predictions = []
    for penalty in penalties:
        try:
            factor = scipy.linalg.cho_factor(gram + penalty * np.eye(len(gram)),
                                             check_finite=False)
            solution = scipy.linalg.cho_solve(factor, right, check_finite=False)
        except np.linalg.LinAlgError:
            values, vectors = np.linalg.eigh(gram)
            values = np.clip(values, 0.0, None)
            solution = vectors @ ((vectors.T @ right) / (values + penalty)[:, None])
        predictions.append(np.argmax(left @ solution, axis=1))
    return predictions
