"""Training a classifier until a validation split says stop, and restarting it for the next run.

:func:`fit_to_validation` trains one compiled model to a criterion chosen on held-out data.
:func:`restart` puts a compiled model back to given starting weights and a fresh optimizer, so
that the runs of a comparison (several seeds, several learning rates) can share one model
and its compiled training step instead of tracing a new one each.
"""

from __future__ import annotations

import math

import keras

from ae_lib.batching import labelled_batches
from ae_lib.recipe import VALIDATION_BATCH_SIZE
from ae_lib.validation import (check_images, check_labels, check_positive_int,
                               check_positive_number, fail)


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


def restart(model, weights, *, learning_rate=None):
    """Put a compiled model back to ``weights`` and a fresh optimizer, keeping its compiled steps.

    Every new model that is compiled and trained makes TensorFlow trace its training and
    evaluation steps anew: on a CPU about 2 s for the course's small classifiers, more than
    the training itself for a short run. When the runs of a comparison differ only in their
    starting weights (seeds, a pretrained start) and learning rate, build and compile one
    model and restart it before each run. Its weights become ``weights``; every variable of
    its optimizer gets the value a new optimizer with the same settings starts from (step 0,
    moments 0, Adagrad's accumulators at their initial value); its metrics are reset. Training
    it afterwards gives what a new model built with ``weights`` and compiled the same way
    would give, with nothing traced again.

    Parameters
    ----------
    model : keras.Model
        Compiled (it has an optimizer).
    weights : keras.Model or list of np.ndarray
        The starting weights: a model of the same architecture (for example a freshly built
        one, which costs no tracing), or a list such as ``get_weights()`` returns.
    learning_rate : float, optional
        A new learning rate for the optimizer (above 0); by default it keeps its own.

    Returns
    -------
    keras.Model
        ``model``, restarted.
    """
    if not isinstance(model, keras.Model):
        fail(TypeError, "model", "a compiled keras.Model", model)
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("model must be compiled before restart. Received: a model without "
                         "an optimizer; call model.compile(optimizer=..., loss=...) first.")
    if isinstance(weights, keras.Model):
        weights = weights.get_weights()
    if not isinstance(weights, (list, tuple)):
        fail(TypeError, "weights", "a keras.Model or a list of arrays (get_weights())",
             weights)
    expected = [tuple(variable.shape) for variable in model.weights]
    received = [tuple(getattr(array, "shape", ())) for array in weights]
    if received != expected:
        raise ValueError(
            f"weights must match the model's weights, shapes {expected}. Received: shapes "
            f"{received}. Pass a model of the same architecture, or its get_weights().")
    if learning_rate is not None:
        learning_rate = check_positive_number(learning_rate, "learning_rate",
                                              fix="Pass a step such as 1e-3.")
    model.set_weights(weights)
    if optimizer.built:
        fresh = optimizer.__class__.from_config(optimizer.get_config())
        fresh.build(model.trainable_variables)
        if [v.shape for v in fresh.variables] != [v.shape for v in optimizer.variables]:
            raise ValueError("model's optimizer state does not match a fresh optimizer "
                             "built on its weights; compile the model anew instead.")
        for variable, initial in zip(optimizer.variables, fresh.variables):
            variable.assign(initial)
    if learning_rate is not None:
        optimizer.learning_rate = learning_rate
    model.reset_metrics()
    return model
