"""Time-to-quality of chapter 3's model against the TensorFlow tutorial's reference setup.

The reference is the tutorial's: ``Autoencoder(64)`` (784 -> 64 -> 784, ReLU code, sigmoid
output), Adam at its default rate, ``fit(x_train, x_train)`` on NumPy arrays for 10 epochs
at Keras's default batch of 32, validated on the test set. Each other setting trains the
same model, from the same seed, until its validation MSE reaches the reference's final one
(or a maximum number of epochs), and records the wall time when it got there.

``python -m tools.anchor`` prints the results as JSON (``tools/bench.py`` runs it in a
fresh process, so that no other model shares its memory or its threads).
"""

from __future__ import annotations

import json
import sys
import time

REFERENCE_EPOCHS, REFERENCE_BATCH = 10, 32
LATENT = 64
# (name, batch size, learning rate, maximum epochs, input pipeline)
CANDIDATES = (
    ("batch 64", 64, 1e-3, 20, "tf.data"),
    ("batch 256", 256, 1e-3, 20, "tf.data"),
    ("batch 256, rate x3", 256, 3e-3, 15, "tf.data"),
)
# Same batch as the reference, through ae_lib's tf.data pipeline: is the pipeline faster?
PIPELINE_CHECK_EPOCHS = 2


def _timed_fit(model, data, epochs, x_test, target=None, **fit_kwargs):
    """Fit, recording (seconds since start, val MSE) at each epoch end; stop at target."""
    import keras

    log = []
    start = time.perf_counter()

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.append((time.perf_counter() - start, float(logs["val_loss"])))
            if target is not None and logs["val_loss"] <= target:
                self.model.stop_training = True

    x, y = data if isinstance(data, tuple) else (data, None)
    model.fit(x, y, epochs=epochs, validation_data=(x_test, x_test), verbose=0,
              callbacks=[Clock()], **fit_kwargs)
    return log


def _model(learning_rate):
    import keras

    from ae_lib.models import Autoencoder

    model = Autoencoder(LATENT)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


def run():
    import ae_lib  # noqa: F401  (before TensorFlow: quiet logs)
    from ae_lib.data import load_fashion_mnist
    from ae_lib.repro import set_seed
    from ae_lib.batching import reconstruction_batches

    (x_train, _), (x_test, _) = load_fashion_mnist()
    results = {}

    set_seed(0)
    reference = _timed_fit(_model(1e-3), (x_train, x_train), REFERENCE_EPOCHS, x_test,
                           batch_size=REFERENCE_BATCH, shuffle=True)
    target = reference[-1][1]
    results["reference"] = dict(batch=REFERENCE_BATCH, rate=1e-3, pipeline="NumPy arrays",
                                epochs=len(reference), seconds=reference[-1][0],
                                val_mse=target, reached=True)

    import tensorflow as tf

    x_train_tensor = tf.convert_to_tensor(x_train)
    for name, batch, rate, max_epochs, pipeline in CANDIDATES:
        set_seed(0)
        log = _timed_fit(_model(rate), reconstruction_batches(x_train_tensor, batch),
                         max_epochs, x_test, target=target, shuffle=False)
        results[name] = dict(batch=batch, rate=rate, pipeline=pipeline, epochs=len(log),
                             seconds=log[-1][0], val_mse=log[-1][1],
                             reached=log[-1][1] <= target, max_epochs=max_epochs)

    set_seed(0)
    log = _timed_fit(_model(1e-3), reconstruction_batches(x_train_tensor, REFERENCE_BATCH),
                     PIPELINE_CHECK_EPOCHS, x_test, shuffle=False)
    results["pipeline check"] = dict(
        batch=REFERENCE_BATCH, seconds_per_epoch_tf_data=log[-1][0] / len(log),
        seconds_per_epoch_arrays=reference[-1][0] / len(reference))
    return results


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    print()
