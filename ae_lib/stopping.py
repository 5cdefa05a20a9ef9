"""Training until a validation split says stop (early stopping), and restarting for the next run.

:func:`fit_to_validation` trains one compiled classifier to a criterion chosen on held-out
data; :func:`fit_to_best` does the same for a reconstruction model, one compiled call per
epoch.
:func:`restart` puts a compiled model back to given starting weights and a fresh optimizer, so
that the runs of a comparison (several seeds, several learning rates) can share one model
and its compiled training step instead of tracing a new one each.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from ae_lib.batching import labelled_batches
from ae_lib.recipe import VALIDATION_BATCH_SIZE
from ae_lib.validation import (check_bool, check_images, check_labels, check_number,
                               check_positive_int, check_positive_number, check_seed, fail)


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


def fit_to_best(model, images, val_images, *, batch_size=32, patience=4, min_delta=0.0,
                max_epochs=300, shuffle=True, seed=None):
    """Train a compiled reconstruction model until its validation loss stops improving.

    The rule is Keras's ``EarlyStopping(patience=patience, min_delta=min_delta,
    restore_best_weights=True)`` on ``val_loss``: an epoch improves on the best so far if
    its validation loss is lower by more than ``min_delta``; training stops after
    ``patience`` epochs without an improvement, or after ``max_epochs``, and the weights
    of the best epoch are restored. Each epoch is *one* compiled call that runs every
    training step (the batches gathered from a shuffled order) and then measures the
    validation loss; for the course's small models this takes about half the time of
    ``fit`` with the callback, which re-creates its data iterators every epoch. The loss
    is the model's compiled one (``model.compute_loss``, regularisation included), the
    input being its own target.

    Parameters
    ----------
    model : keras.Model
        Compiled (an optimizer and a loss), with outputs of its inputs' shape.
    images, val_images : np.ndarray or tf.Tensor
        Training and validation data, shape (N, ...), finite numbers. A tensor is used
        as it is; convert a data set once to share it between runs.
    batch_size, patience, max_epochs : int
        All above 0. The last batch of an epoch may be smaller.
    min_delta : float, default 0.0
        At least 0.
    shuffle : bool, default True
        Draw a new order of the training images every epoch.
    seed : int, optional
        Seeds the order; by default it is drawn from NumPy's global generator, which
        :func:`ae_lib.repro.set_seed` fixes.

    Returns
    -------
    dict
        ``"epochs"`` (epochs run), ``"best_epoch"`` (from 1), ``"val_loss"`` (the best
        epoch's, whose weights the model now has), ``"stopped_early"`` (True when the
        patience ran out before ``max_epochs``) and ``"history"`` (``{"loss": [...],
        "val_loss": [...]}``, one value per epoch).
    """
    if not isinstance(model, keras.Model):
        fail(TypeError, "model", "a compiled keras.Model", model)
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", False):
        raise ValueError("model must be compiled before fit_to_best. Received: a model "
                         "without an optimizer; call model.compile(optimizer=..., "
                         "loss='mse') first.")
    images = _data_tensor(images, "images")
    val_images = _data_tensor(val_images, "val_images")
    if val_images.shape[1:] != images.shape[1:]:
        raise ValueError(f"val_images must have the shape of images, {images.shape[1:]}, "
                         f"after the first axis. Received: {val_images.shape[1:]}.")
    batch_size, patience, max_epochs = (
        check_positive_int(value, name) for value, name in (
            (batch_size, "batch_size"), (patience, "patience"), (max_epochs, "max_epochs")))
    min_delta = check_number(min_delta, "min_delta", low=0.0)
    shuffle = check_bool(shuffle, "shuffle")
    seed = np.random.randint(2**31) if seed is None else check_seed(seed)
    run_epoch = _compiled_epoch(model, images, val_images, batch_size)
    order = np.random.default_rng(seed)
    count = int(images.shape[0])
    history = {"loss": [], "val_loss": []}
    best, best_epoch, best_weights, wait = None, 0, None, 0
    for epoch in range(max_epochs):
        rows = order.permutation(count) if shuffle else np.arange(count)
        loss, val_loss = (float(value) for value in run_epoch(tf.constant(rows, tf.int32)))
        history["loss"].append(loss)
        history["val_loss"].append(val_loss)
        wait += 1
        if best is None or val_loss + min_delta < best:
            best, best_epoch, best_weights, wait = val_loss, epoch, model.get_weights(), 0
        elif wait >= patience:
            break
    stopped_early = wait >= patience
    model.set_weights(best_weights)
    return {"epochs": len(history["loss"]), "best_epoch": best_epoch + 1,
            "val_loss": best, "stopped_early": stopped_early, "history": history}


def _data_tensor(data, name):
    checked = check_images(data, name, value_range=None, min_ndim=1, allow_tensor=True)
    return tf.convert_to_tensor(checked, dtype=tf.float32)


def _compiled_epoch(model, images, val_images, batch_size):
    """One tf.function: every training step of an epoch, then the validation loss."""
    model(images[:1])  # builds the weights, if they are not built yet
    model.optimizer.build(model.trainable_variables)
    count, val_count = int(images.shape[0]), int(val_images.shape[0])
    steps = math.ceil(count / batch_size)
    val_batch = min(val_count, VALIDATION_BATCH_SIZE)

    @tf.function
    def run_epoch(rows):
        total = tf.constant(0.0)
        for step in tf.range(steps):
            batch = tf.gather(images, rows[step * batch_size:(step + 1) * batch_size])
            with tf.GradientTape() as tape:
                loss = model.compute_loss(x=batch, y=batch, y_pred=model(batch, training=True),
                                          training=True)
            gradients = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply(gradients, model.trainable_variables)
            total += loss * tf.cast(tf.shape(batch)[0], tf.float32)
        val_total = tf.constant(0.0)
        for start in range(0, val_count, val_batch):  # unrolled: a few large batches
            batch = val_images[start:start + val_batch]
            val_loss = model.compute_loss(x=batch, y=batch, y_pred=model(batch, training=False),
                                          training=False)
            val_total += val_loss * tf.cast(tf.shape(batch)[0], tf.float32)
        return total / count, val_total / val_count

    return run_epoch
