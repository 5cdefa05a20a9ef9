"""Fitting an autoencoder with compact progress output (one line every few epochs).

The batching pipelines, the linear probe and greedy pretraining live in
:mod:`ae_lib.batching`, :mod:`ae_lib.probes` and :mod:`ae_lib.stacking`, one job each.
"""

from __future__ import annotations

import sys
import time

import keras

from ae_lib.batching import reconstruction_batches
from ae_lib.recipe import VALIDATION_BATCH_SIZE
from ae_lib.validation import (check_bool, check_images, check_optional_positive_int,
                               check_positive_int, check_sequence, fail)


class CompactProgress(keras.callbacks.Callback):
    """Print one line every ``every`` epochs (and after the last one) instead of progress bars.

    Parameters
    ----------
    every : int, default 1
        Print after epochs ``every``, ``2 * every``, ... and always after the last epoch.
    stream : file-like, optional
        Where to print; ``sys.stdout`` by default.
    """

    def __init__(self, every=1, stream=None):
        super().__init__()
        self.every = check_positive_int(every, "every")
        if stream is not None and not callable(getattr(stream, "write", None)):
            fail(TypeError, "stream", "a file-like object with a write method, or None",
                 stream)
        self.stream = stream

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        total = self.params.get("epochs", epoch + 1)
        done = epoch + 1
        if done % self.every and done != total:
            return
        metrics = "  ".join(f"{name} {value:.4f}" for name, value in (logs or {}).items())
        elapsed = time.perf_counter() - self._start
        print(f"epoch {done:>{len(str(total))}}/{total}  {metrics}  ({elapsed:.1f} s)",
              file=self.stream or sys.stdout, flush=True)


def train_autoencoder(model, x_train, x_val=None, *, epochs=10, batch_size=256,
                      print_every=None, shuffle=True, callbacks=()):
    """Fit ``model`` to reconstruct its input, printing a compact line every few epochs.

    The input is its own target: this is ``model.fit(x_train, x_train, ...)`` with the data
    checked first, fed through :func:`~ae_lib.batching.reconstruction_batches` (one copy of
    the data), and per-batch progress bars replaced by :class:`CompactProgress`.

    Parameters
    ----------
    model : keras.Model
        A compiled model whose output has the shape of its input.
    x_train : np.ndarray or tf.Tensor
        Training images, float, values in [0, 1]. A tensor is used as it is (no copy):
        convert a large data set once and share it between runs.
    x_val : np.ndarray or tf.Tensor, optional
        Validation images; when given, ``val_loss`` is reported each epoch, computed in
        batches of ``ae_lib.recipe.VALIDATION_BATCH_SIZE``.
    epochs : int, default 10
    batch_size : int, default 256
    print_every : int, optional
        Print every this many epochs; by default about five lines per run.
    shuffle : bool, default True
    callbacks : sequence of keras.callbacks.Callback
        Extra callbacks.

    Returns
    -------
    keras.callbacks.History
        ``history.history`` maps ``"loss"`` (and ``"val_loss"``) to per-epoch values.
    """
    if not isinstance(model, keras.Model):
        fail(TypeError, "model", "a keras.Model", model)
    if not getattr(model, "compiled", False):
        raise ValueError(
            "model must be compiled. Received: an uncompiled model. Compile it first, for "
            "example model.compile(optimizer='adam', loss='mse').")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size",
                                    fix="Pass a whole number such as 256.")
    print_every = check_optional_positive_int(print_every, "print_every")
    shuffle = check_bool(shuffle, "shuffle")
    callbacks = check_sequence(callbacks, "callbacks", non_empty=False,
                               what="a sequence of keras callbacks")
    for callback in callbacks:
        if not isinstance(callback, keras.callbacks.Callback):
            fail(TypeError, "each entry of callbacks", "a keras.callbacks.Callback", callback)
    x_train = check_images(x_train, "x_train", allow_tensor=True)
    validation_data = None
    if x_val is not None:
        x_val = check_images(x_val, "x_val", allow_tensor=True)
        if x_val.shape[1:] != x_train.shape[1:]:
            raise ValueError(
                f"x_val images must have the shape of x_train images, {x_train.shape[1:]}. "
                f"Received: x_val images of shape {x_val.shape[1:]}.")
        validation_data = (x_val, x_val)
    every = print_every if print_every is not None else max(1, epochs // 5)
    return model.fit(
        reconstruction_batches(x_train, batch_size, shuffle=shuffle),
        validation_data=validation_data, validation_batch_size=VALIDATION_BATCH_SIZE,
        epochs=epochs, verbose=0,
        shuffle=False,  # the pipeline shuffles; Keras would warn that it cannot
        callbacks=[CompactProgress(every), *callbacks])


class SharedTraining:
    """Train many models of one kind through one compiled training function.

    Keras traces a new training graph for every model it fits: about a second of CPU each
    time, which for a small model can cost as much as the training itself. A chapter that
    trains the same model with several seeds pays that every time. ``SharedTraining``
    keeps the first model fitted under each ``key`` as that key's *runner*. To fit a
    later model with the same key, it copies that model's weights and optimizer state into
    the runner, fits the runner (no new trace), and copies the results back; the runner's
    own weights are put back afterwards. Each model ends with the weights and optimizer
    state it would have had if it had been fitted itself: the same updates on the same
    batches (the test suite checks that the weights agree exactly).

    The ``key`` must name everything that the training step reads from Python and not
    from the model's variables: the architecture and the constants of a custom
    ``train_step`` (a ``k`` or a penalty weight, say), the loss, the optimizer's kind and
    ``steps_per_execution``. Models with one key must have the same variables (shapes)
    and the same kind of optimizer; anything else raises ``ValueError``. Callbacks that
    hold a reference to the model (``EarlyStopping(restore_best_weights=True)`` and the
    like) see the runner, so their effect lands on the runner's weights and is copied
    back too.

    Examples
    --------
    >>> shared = SharedTraining()                         # doctest: +SKIP
    >>> for seed in (1, 2, 3):                            # doctest: +SKIP
    ...     set_seed(seed)
    ...     model = build(); model.compile(optimizer="adam", loss="mse")
    ...     shared.fit(model, "dense", data, epochs=6, verbose=0)
    """

    def __init__(self):
        self._runners = {}

    def fit(self, model, key, *args, **kwargs):
        """Fit ``model`` like ``model.fit(*args, **kwargs)``, through ``key``'s runner.

        Parameters
        ----------
        model : keras.Model
            A compiled model whose weights exist.
        key : hashable
            What makes two models share a training function (see the class notes).
        *args, **kwargs
            Passed to ``fit``.

        Returns
        -------
        keras.callbacks.History
        """
        if not isinstance(model, keras.Model):
            fail(TypeError, "model", "a keras.Model", model)
        if not getattr(model, "compiled", False) or model.optimizer is None:
            raise ValueError(
                "model must be compiled. Received: an uncompiled model. Compile it first, "
                "for example model.compile(optimizer='adam', loss='mse').")
        if not model.variables:
            raise ValueError(
                "model must be built (have its weights). Received: a model without "
                "weights. Give it an Input, or call it on a batch first.")
        try:
            hash(key)
        except TypeError:
            fail(TypeError, "key", "a hashable value such as a string or a tuple", key)
        _build_optimizer(model)
        runner = self._runners.get(key)
        if runner is None:
            self._runners[key] = model
            return model.fit(*args, **kwargs)
        if runner is model:
            return model.fit(*args, **kwargs)
        _check_same_kind(runner, model, key)
        own = _state(runner)
        _load(runner, _state(model))
        try:
            history = runner.fit(*args, **kwargs)
            _load(model, _state(runner))
        finally:
            _load(runner, own)
        history.set_model(model)
        return history


def _build_optimizer(model):
    """Create the optimizer's slot variables now (Keras does it lazily at the first fit)."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def _variables(model):
    return [*model.variables, *model.optimizer.variables]


def _state(model):
    return [variable.numpy() for variable in _variables(model)]


def _load(model, values):
    for variable, value in zip(_variables(model), values):
        variable.assign(value)


def _optimizer_settings(model):
    """The optimizer's settings a traced step holds as constants: all but the rate and name.

    The learning rate is a variable, carried with the optimizer's state.
    """
    config = dict(model.optimizer.get_config())
    for key in ("learning_rate", "name"):
        config.pop(key, None)
    return config


def _check_same_kind(runner, model, key):
    if type(runner.optimizer) is not type(model.optimizer):
        raise ValueError(
            f"Models fitted under one key must use the same kind of optimizer. Received: "
            f"{type(model.optimizer).__name__} under key {key!r}, whose first model uses "
            f"{type(runner.optimizer).__name__}. Use another key for this model.")
    settings, expected_settings = (_optimizer_settings(m) for m in (model, runner))
    if settings != expected_settings:
        differ = sorted(k for k in settings if settings[k] != expected_settings.get(k))
        raise ValueError(
            f"Models fitted under one key must use the same optimizer settings (the traced "
            f"step holds them as constants). Received: {differ} differ from key {key!r}'s "
            f"first model. Use another key for this model.")
    shapes = [tuple(variable.shape) for variable in _variables(model)]
    expected = [tuple(variable.shape) for variable in _variables(runner)]
    if shapes != expected:
        raise ValueError(
            f"Models fitted under one key must have the same weights. Received: a model "
            f"with {len(shapes)} variables of other shapes than the {len(expected)} of "
            f"key {key!r}'s first model. Use another key for this model.")
