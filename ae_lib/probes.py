"""Linear probes: how linearly separable the classes are in a representation."""

from __future__ import annotations

import keras
import numpy as np

from ae_lib.recipe import STEPS_PER_EXECUTION
from ae_lib.repro import set_seed
from ae_lib.validation import (check_array, check_labels, check_positive_int,
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
    train_x, test_x = (check_array(features, name, min_ndim=1, dtype=np.float32)
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
    unseen = sorted(set(np.unique(test_y)) - set(np.unique(train_y)))
    if unseen:
        raise ValueError(
            f"test_labels must use only classes that train_labels has. Received: test "
            f"classes {unseen} that training never shows; the probe could never predict "
            "them.")
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
