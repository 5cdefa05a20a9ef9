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
