"""Training a classifier until a validation split says stop (early stopping)."""

from __future__ import annotations

import math

import keras

from ae_lib.batching import labelled_batches
from ae_lib.recipe import VALIDATION_BATCH_SIZE
from ae_lib.validation import check_images, check_labels, check_positive_int, fail


def fit_to_validation(model, images, labels, val_images, val_labels, *, batch_size=32,
                      steps_per_round=20, patience=3, max_rounds=40):
    """Train a compiled classifier until its validation accuracy stops improving.

    Training runs in rounds of at least ``steps_per_round`` batches (at least one pass over
    the data); after each round the accuracy on the validation split is measured. Training
    stops once it has not improved for ``patience`` rounds, or after ``max_rounds``, and
    the weights of the best round are restored. So every arm of a comparison trains to a
    criterion chosen on held-out data, not to a fixed budget.

    Parameters
    ----------
    model : keras.Model
        Compiled with a sparse categorical loss and ``metrics=["accuracy"]``.
    images, val_images : np.ndarray or tf.Tensor
        Training and validation inputs, shape (N, ...), finite numbers.
    labels, val_labels : array_like of int
        Class indices, one per image.
    batch_size, steps_per_round, patience, max_rounds : int
        All above 0.

    Returns
    -------
    dict
        ``"rounds"`` (rounds run), ``"best_round"`` (from 1) and ``"val_accuracy"`` (the
        best round's, whose weights the model now has).
    """
    if not isinstance(model, keras.Model):
        fail(TypeError, "model", "a compiled keras.Model", model)
    if getattr(model, "optimizer", None) is None:
        raise ValueError("model must be compiled before fit_to_validation. Received: a "
                         "model without an optimizer; call model.compile(optimizer=..., "
                         "loss=..., metrics=['accuracy']) first.")
    images = check_images(images, "images", value_range=None, min_ndim=1, allow_tensor=True)
    val_images = check_images(val_images, "val_images", value_range=None, min_ndim=1,
                              allow_tensor=True)
    labels = check_labels(labels, "labels", length=len(images), per="image")
    val_labels = check_labels(val_labels, "val_labels", length=len(val_images), per="image")
    batch_size, steps_per_round, patience, max_rounds = (
        check_positive_int(value, name) for value, name in (
            (batch_size, "batch_size"), (steps_per_round, "steps_per_round"),
            (patience, "patience"), (max_rounds, "max_rounds")))
    steps = max(steps_per_round, math.ceil(len(images) / batch_size))
    stop = keras.callbacks.EarlyStopping("val_accuracy", mode="max", patience=patience,
                                         restore_best_weights=True)
    history = model.fit(labelled_batches(images, labels, batch_size).repeat(),
                        steps_per_epoch=steps, epochs=max_rounds,
                        validation_data=(val_images, val_labels),
                        validation_batch_size=VALIDATION_BATCH_SIZE, callbacks=[stop],
                        verbose=0, shuffle=False).history  # the pipeline shuffles
    if "val_accuracy" not in history:
        raise ValueError("model must be compiled with metrics=['accuracy']: the stopping "
                         "criterion is the validation accuracy.")
    accuracies = history["val_accuracy"]
    best = max(range(len(accuracies)), key=accuracies.__getitem__)
    return {"rounds": len(accuracies), "best_round": best + 1,
            "val_accuracy": float(accuracies[best])}
