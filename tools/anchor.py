"""Time to quality: the course's training recipe against the TensorFlow tutorial's setup.

The reference is the tutorial exactly: ``Autoencoder(64)`` (784 -> 64 -> 784, ReLU code,
sigmoid output), Adam at its default rate, ``fit(x_train, x_train)`` on NumPy arrays for
10 epochs at Keras's default batch of 32, one step per compiled call, validated on the
test set after every epoch at the same batch size. Each candidate changes one thing (or
adds one thing to the recipe so far), trains the same model from the same seed, and stops
when its validation MSE reaches the reference's final one (or after a maximum number of
epochs). Wall time and the process's CPU time are recorded at every epoch end.

``python -m tools.anchor`` prints the results as JSON (``tools/bench.py`` runs it in a
fresh process, so that no other model shares its memory or its threads);
``python -m tools.anchor --onednn`` runs the reference and the recipe with TensorFlow's
oneDNN rewrites on (TensorFlow's own default on x86, which ae_lib turns off).
"""

from __future__ import annotations

import json
import resource
import sys
import time

REFERENCE_EPOCHS, REFERENCE_BATCH = 10, 32
#: The name of the course recipe's row.
RECIPE = "+ batch 64 (the course recipe)"
#: A run "reaches" the reference's error within this relative tolerance: runs whose
#: losses are the same up to float rounding must count as reaching it.
TARGET_TOLERANCE = 1e-5
LATENT = 64
#: A row is faster or slower than another only beyond this relative margin: repeated
#: ``make bench`` runs on the course's 2-core machine moved single rows by up to 15 %.
NOISE = 0.15


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def candidates():
    """(name, settings, role, reason) in the order they are raced.

    ``role`` says how a row's verdict is decided from the measurements (:func:`verdict`):
    ``"reference"`` (the tutorial), ``"speed"`` (added to the rows before it; kept if it
    is faster than the row before), ``"memory"`` (added for peak memory, kept whatever its
    speed, which is reported) and ``"alternative"`` (tried against the recipe; kept only if
    it beats it, which would mean the recipe should change).
    """
    from ae_lib.recipe import STEPS_PER_EXECUTION as spe
    from ae_lib.recipe import VALIDATION_BATCH_SIZE as validation

    return [
        ("reference (the tutorial)", dict(batch=32, steps=1, validation_batch=None,
                                           epochs=REFERENCE_EPOCHS), "reference", ""),
        (f"+ {spe} steps per call", dict(batch=32, steps=spe, validation_batch=None,
                                         epochs=REFERENCE_EPOCHS), "speed",
         "the same losses, epoch by epoch"),
        (f"+ validation in batches of {validation:,}",
         dict(batch=32, steps=spe, validation_batch=validation,
              epochs=REFERENCE_EPOCHS), "speed", "the same losses, a cheaper validation pass"),
        ("+ the images as one tensor, batches gathered in the graph",
         dict(batch=32, steps=spe, validation_batch=validation, pipeline=True,
              epochs=REFERENCE_EPOCHS), "memory",
         "the images held once, not copied per fit (ae_lib.batching)"),
        (RECIPE,
         dict(batch=64, steps=spe, validation_batch=validation, pipeline=True, epochs=20,
              to_target=True), "speed", "half the steps, enough updates per epoch"),
        ("recipe, batch 128", dict(batch=128, steps=spe, validation_batch=validation,
                                   pipeline=True, epochs=25, to_target=True), "alternative",
         "fewer updates per epoch"),
        ("recipe, batch 64, rate x1.4",
         dict(batch=64, steps=spe, validation_batch=validation, pipeline=True, epochs=20,
              rate=1.4e-3, to_target=True), "alternative", "a larger rate"),
        ("recipe, one call per epoch",
         dict(batch=64, steps=938, validation_batch=validation, pipeline=True, epochs=20,
              to_target=True), "alternative", "fewer calls per epoch"),
    ]


def verdict(role, reason, run, before, recipe):
    """(kept, why) for one row, decided by the measurements, never written in advance.

    ``run`` is the row's result, ``before`` the previous row's (for added settings) and
    ``recipe`` the course recipe's (for alternatives); each has ``seconds`` and
    ``reached``.
    """
    if role == "reference":
        return None, ""
    if role == "alternative":
        against = f"{run['seconds']:.1f} s against the recipe's {recipe['seconds']:.1f} s"
        if not run["reached"]:
            return False, f"{reason}: did not reach the error in {run['epochs']} epochs"
        effect = change(run["seconds"], recipe["seconds"])
        if effect == "faster":
            return True, f"{reason}: faster than the recipe ({against}); adopt it"
        return False, f"{reason}: {effect} ({against})"
    effect = change(run["seconds"], before["seconds"])
    times = f"{before['seconds']:.1f} s before, {run['seconds']:.1f} s with it"
    if role == "memory":
        return True, f"{reason}; kept for memory, {effect} here ({times})"
    return effect != "slower", f"{reason}; {effect} ({times})"


def change(seconds, against):
    """"faster", "slower" or "no clear difference", beyond the :data:`NOISE` margin."""
    if seconds < (1 - NOISE) * against:
        return "faster"
    if seconds > (1 + NOISE) * against:
        return "slower"
    return f"no clear difference (within {NOISE:.0%})"


def reached(val_mse, target):
    """Whether ``val_mse`` reaches ``target``, up to float rounding."""
    return val_mse <= target * (1 + TARGET_TOLERANCE)


def race(x_train, x_test, settings, target=None, seed=0):
    """Train ``Autoencoder(64)`` with ``settings``; a list of (wall s, CPU s, val MSE)."""
    import keras

    from ae_lib.models import Autoencoder
    from ae_lib.repro import set_seed

    set_seed(seed)
    model = Autoencoder(LATENT)
    model.compile(optimizer=keras.optimizers.Adam(settings.get("rate", 1e-3)), loss="mse",
                  steps_per_execution=settings["steps"])
    log = []
    wall, cpu = time.perf_counter(), _cpu_seconds()

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.append((time.perf_counter() - wall, _cpu_seconds() - cpu,
                        float(logs["val_loss"])))
            if target is not None and reached(logs["val_loss"], target):
                self.model.stop_training = True

    if settings.get("pipeline"):
        from ae_lib.batching import reconstruction_batches

        data = dict(x=reconstruction_batches(x_train, settings["batch"]))
    else:
        data = dict(x=x_train, y=x_train, batch_size=settings["batch"], shuffle=True)
    model.fit(**data, epochs=settings["epochs"], validation_data=(x_test, x_test),
              validation_batch_size=settings["validation_batch"], verbose=0,
              callbacks=[Clock()])
    return log


def run(names=None):
    import ae_lib  # noqa: F401  (before TensorFlow: quiet logs)
    from ae_lib.data import load_fashion_mnist

    import tensorflow as tf

    (x_train, _), (x_test, _) = load_fashion_mnist()
    train_tensor = tf.convert_to_tensor(x_train)  # once, shared by the pipeline runs
    results, target = {}, None
    for name, settings, role, reason in candidates():
        if names is not None and name not in names:
            continue
        log = race(train_tensor if settings.get("pipeline") else x_train, x_test, settings,
                   target if settings.get("to_target") else None)
        if target is None:
            target = log[-1][2]
        results[name] = dict(
            batch=settings["batch"], steps_per_execution=settings["steps"],
            rate=settings.get("rate", 1e-3), epochs=len(log), seconds=log[-1][0],
            cpu_seconds=log[-1][1], val_mse=log[-1][2], reached=reached(log[-1][2], target),
            val_losses=[v for _, _, v in log], role=role, reason=reason)
    return judged(results)


def judged(results):
    """``results`` with each row's ``kept`` and ``why`` decided by :func:`verdict`."""
    before = None
    for run in results.values():
        run["kept"], run["why"] = verdict(run["role"], run["reason"], run, before,
                                          results.get(RECIPE))
        before = run
    return results


if __name__ == "__main__":
    if "--onednn" in sys.argv:
        json.dump(run([candidates()[0][0], RECIPE]), sys.stdout, indent=2)
    else:
        json.dump(run(), sys.stdout, indent=2)
    print()
