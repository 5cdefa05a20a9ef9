"""Bad inputs over the whole public API of ae_lib, as a table.

Each case calls one public function, class or method with one bad argument (the others
valid) and expects a clear error before any TensorFlow work: the exception's type
(``TypeError`` for a wrong type, ``ValueError`` for a wrong value) and a message that names
the argument. A second table holds valid inputs that were once refused or wrong, and must
now work. A last test checks that every public name of every module has cases.

Run as a script (``python tests/test_bad_inputs.py``) to print how many cases give a clear
error, a wrong or unclear one, or none at all: useful against another version of ae_lib.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import pathlib
import sys
from dataclasses import dataclass

import numpy as np
import pytest

import ae_lib  # noqa: F401  (first: it quiets TensorFlow)

MODULES = ["data", "repro", "models", "regularizers", "noise", "batching", "training",
           "probes", "stacking", "metrics", "plotting", "widgets", "codes", "anomaly"]
# Public names that take no inputs to check, or are not functions of the course's API.
NOT_CALLABLE_API = {"DataNotFoundError", "DataIntegrityError", "DisplayFigure",
                    "keras_divides_activity_penalties"}


def api(name):
    """A public object by name, from the module that now holds it (or ae_lib.training)."""
    for module in MODULES:
        try:
            found = importlib.import_module(f"ae_lib.{module}")
        except ImportError:
            continue
        if hasattr(found, name) and getattr(getattr(found, name), "__module__", "") == \
                found.__name__:
            return getattr(found, name)
    for module in MODULES:  # an older layout: the name may be re-exported elsewhere
        with contextlib.suppress(ImportError):
            found = importlib.import_module(f"ae_lib.{module}")
            if hasattr(found, name):
                return getattr(found, name)
    raise LookupError(name)


def call(name, *args, **kwargs):
    return api(name)(*args, **kwargs)


RNG = np.random.default_rng(0)
IMAGES = RNG.random((4, 28, 28), dtype=np.float32)
DIGITS = RNG.random((20, 8, 8), dtype=np.float32)
LABELS = np.arange(20) % 4
CODES = RNG.random((4, 3), dtype=np.float32)
RAW = IMAGES * 255
WITH_NAN = IMAGES.copy()
WITH_NAN[0, 0, 0] = np.nan
WITH_INF = IMAGES.copy()
WITH_INF[1, 2, 3] = np.inf
EMPTY = IMAGES[:0]
STRINGS = np.array([["a", "b"], ["c", "d"]])


@functools.cache
def model():
    autoencoder = api("Autoencoder")(4)
    autoencoder.compile(optimizer="adam", loss="mse")
    return autoencoder


@functools.cache
def dense_layer():
    import keras

    layer = keras.layers.Dense(3)
    layer.build((None, 5))
    return layer


def identity(images):
    return images


@dataclass
class Case:
    api: str       # the public name the case exercises
    label: str     # the bad argument, as code
    run: object    # a thunk
    error: type    # TypeError or ValueError (or a subclass)
    argument: str  # the name the message must contain

    def __str__(self):
        return f"{self.api}({self.label})"


CASES = []


def add(api_name, label, run, error, argument):
    CASES.append(Case(api_name, label, run, error, argument))


# Batteries of bad values for each kind of argument: (value, expected exception).
def bad_positive_ints(optional=False, low=1):
    values = [(-1, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError),
              (np.float64(2.0), TypeError)]
    if low >= 1:
        values.insert(0, (0, ValueError))
    if not optional:
        values.append((None, TypeError))
    return values


BAD_SEEDS = [(-1, ValueError), (2**32, ValueError), (2.5, TypeError), ("a", TypeError),
             (None, TypeError), (True, TypeError)]
BAD_FRACTIONS = [(1.5, ValueError), (-0.1, ValueError), (float("nan"), ValueError),
                 (float("inf"), ValueError), ("0.1", TypeError), (True, TypeError),
                 (None, TypeError)]
BAD_POSITIVE_NUMBERS = [(0, ValueError), (-1e-3, ValueError), (float("nan"), ValueError),
                        (float("inf"), ValueError), ("0.1", TypeError), (True, TypeError),
                        (None, TypeError)]
BAD_IMAGES = [(RAW, ValueError, "0-255 pixels"), (WITH_NAN, ValueError, "NaN"),
              (WITH_INF, ValueError, "inf"), (EMPTY, ValueError, "empty"),
              (STRINGS, TypeError, "strings"), (None, TypeError, "None")]
BAD_BOOLS = [("yes", TypeError), (None, TypeError), (2, TypeError)]


def battery(api_name, argument, bad_values, make_call):
    """One case per bad value: ``make_call(value)`` calls the API with it."""
    for entry in bad_values:
        value, error = entry[:2]
        label = entry[2] if len(entry) > 2 else repr(value)
        add(api_name, f"{argument}={label}", functools.partial(make_call, value), error,
            argument)


def array_battery(api_name, argument, make_call, bad=BAD_IMAGES, skip=()):
    battery(api_name, argument, [(value, error, label) for value, error, label in bad
                                 if label not in skip], make_call)


# ---------------------------------------------------------------------------- data

for loader in ("load_fashion_mnist", "load_mnist"):
    battery(loader, "n_train", bad_positive_ints(optional=True) + [(60_001, ValueError)],
            lambda v, loader=loader: call(loader, n_train=v, download=False))
    battery(loader, "n_test", bad_positive_ints(optional=True) + [(10_001, ValueError)],
            lambda v, loader=loader: call(loader, n_test=v, download=False))
    battery(loader, "seed", BAD_SEEDS,
            lambda v, loader=loader: call(loader, n_train=100, seed=v, download=False))
    battery(loader, "path", [(5, TypeError), (["/tmp"], TypeError)],
            lambda v, loader=loader: call(loader, path=v))
    battery(loader, "download", BAD_BOOLS, lambda v, loader=loader: call(loader, download=v))
battery("find_fashion_mnist", "path", [(5, TypeError), (b"/tmp", TypeError)],
        lambda v: call("find_fashion_mnist", path=v))
battery("find_fashion_mnist", "download", BAD_BOOLS,
        lambda v: call("find_fashion_mnist", download=v))
battery("load_digits_8x8", "test_fraction",
        [(0, ValueError), (1, ValueError), *BAD_FRACTIONS],
        lambda v: call("load_digits_8x8", test_fraction=v))
battery("load_digits_8x8", "seed", BAD_SEEDS, lambda v: call("load_digits_8x8", seed=v))
battery("balanced_subset", "images", [(5, TypeError), (None, TypeError)],
        lambda v: call("balanced_subset", v, LABELS, 8))
battery("balanced_subset", "labels",
        [(LABELS.astype(float), TypeError), (LABELS[:-1], ValueError), (-LABELS, ValueError),
         (LABELS.reshape(4, 5), ValueError), ("abc", TypeError)],
        lambda v: call("balanced_subset", DIGITS, v, 8))
battery("balanced_subset", "n", bad_positive_ints() + [(21, ValueError)],
        lambda v: call("balanced_subset", DIGITS, LABELS, v))
battery("balanced_subset", "seed", BAD_SEEDS,
        lambda v: call("balanced_subset", DIGITS, LABELS, 8, seed=v))


def _offline_with(value):
    before = os.environ.get("AE_LIB_OFFLINE")
    os.environ["AE_LIB_OFFLINE"] = value
    try:
        return call("offline")
    finally:
        if before is None:
            del os.environ["AE_LIB_OFFLINE"]
        else:
            os.environ["AE_LIB_OFFLINE"] = before


battery("offline", "AE_LIB_OFFLINE", [("maybe", ValueError), ("2", ValueError)],
        _offline_with)

# --------------------------------------------------------------------------- repro

battery("set_seed", "seed", BAD_SEEDS, lambda v: call("set_seed", v))

# -------------------------------------------------------------------------- models

battery("Autoencoder", "latent_dim", bad_positive_ints(), lambda v: call("Autoencoder", v))
battery("Autoencoder", "image_shape",
        [(28, TypeError), ((28, 0), ValueError), ((28, 2.5), TypeError), ("28x28", TypeError),
         ((), ValueError), (None, TypeError)],
        lambda v: call("Autoencoder", 4, image_shape=v))
battery("Autoencoder", "code_regularizer", [(0.01, ValueError), ("nonsense", ValueError)],
        lambda v: call("Autoencoder", 4, code_regularizer=v))
battery("Autoencoder", "code_activation", [("relux", ValueError), (5, ValueError)],
        lambda v: call("Autoencoder", 4, code_activation=v))
battery("TiedAutoencoder", "latent_dim", bad_positive_ints(),
        lambda v: call("TiedAutoencoder", v))
battery("TiedAutoencoder", "output_activation", [("sigmoidd", ValueError)],
        lambda v: call("TiedAutoencoder", 4, output_activation=v))
battery("TiedAutoencoder", "image_shape", [(28, TypeError), ((0, 28), ValueError)],
        lambda v: call("TiedAutoencoder", 4, image_shape=v))


def _flattened():
    return IMAGES.reshape(4, 784)


for method in ("fit", "evaluate"):
    array_battery(f"Autoencoder.{method}", "x",
                  lambda v, method=method: getattr(model(), method)(v, IMAGES, verbose=0))
    battery(f"Autoencoder.{method}", "x", [(_flattened(), ValueError, "flattened")],
            lambda v, method=method: getattr(model(), method)(v, v, verbose=0))
    array_battery(f"Autoencoder.{method}", "y",
                  lambda v, method=method: getattr(model(), method)(IMAGES, v, verbose=0),
                  skip=("None",))
    battery(f"Autoencoder.{method}", "y", [(None, ValueError, "missing")],
            lambda v, method=method: getattr(model(), method)(IMAGES, v, verbose=0))
    battery(f"Autoencoder.{method}", "batch_size", bad_positive_ints(optional=True),
            lambda v, method=method: getattr(model(), method)(IMAGES, IMAGES, batch_size=v,
                                                              verbose=0))
battery("Autoencoder.fit", "epochs", bad_positive_ints(),
        lambda v: model().fit(IMAGES, IMAGES, epochs=v, verbose=0))
battery("Autoencoder.fit", "validation_data",
        [((WITH_NAN, WITH_NAN), ValueError), ((RAW, RAW), ValueError),
         ((EMPTY, EMPTY), ValueError)],
        lambda v: model().fit(IMAGES, IMAGES, validation_data=v, verbose=0))
array_battery("Autoencoder.predict", "x", lambda v: model().predict(v, verbose=0))
battery("Autoencoder.predict", "x",
        [(_flattened(), ValueError, "flattened"), (IMAGES[0], ValueError, "one image")],
        lambda v: model().predict(v, verbose=0))
battery("Autoencoder.predict", "batch_size", bad_positive_ints(optional=True),
        lambda v: model().predict(IMAGES, batch_size=v, verbose=0))
array_battery("Autoencoder.encode", "images", lambda v: model().encode(v))
battery("Autoencoder.encode", "batch_size", bad_positive_ints(),
        lambda v: model().encode(IMAGES, batch_size=v))
battery("Autoencoder.decode", "codes",
        [(CODES, ValueError, "3 numbers for 4"), (np.full((2, 4), np.nan), ValueError, "NaN"),
         (np.zeros((0, 4)), ValueError, "empty"), ("codes", TypeError, "a string")],
        lambda v: model().decode(v))
battery("Autoencoder.decode", "batch_size", bad_positive_ints(),
        lambda v: model().decode(np.zeros((2, 4), np.float32), batch_size=v))
battery("TiedDense", "tied_to", [(None, TypeError), ("dense", TypeError)],
        lambda v: call("TiedDense", v))
battery("TiedDense", "activation", [("relux", ValueError)],
        lambda v: call("TiedDense", dense_layer(), activation=v))
battery("TiedDense", "use_bias", BAD_BOOLS, lambda v: call("TiedDense", dense_layer(),
                                                           use_bias=v))
battery("apply_in_batches", "layer", [(None, TypeError), ("model", TypeError)],
        lambda v: call("apply_in_batches", v, IMAGES))
array_battery("apply_in_batches", "inputs", lambda v: call("apply_in_batches", identity, v),
              skip=("0-255 pixels",))
battery("apply_in_batches", "batch_size", bad_positive_ints(),
        lambda v: call("apply_in_batches", identity, IMAGES, batch_size=v))
battery("linear_autoencoder", "n_features", bad_positive_ints(),
        lambda v: call("linear_autoencoder", v, 4))
battery("linear_autoencoder", "latent_dim", bad_positive_ints(),
        lambda v: call("linear_autoencoder", 784, v))
battery("linear_autoencoder", "name", [(5, TypeError), (None, TypeError)],
        lambda v: call("linear_autoencoder", 784, 4, name=v))

# -------------------------------------------------------------------- regularizers

battery("L1Activity", "weight", [(-1e-4, ValueError), *BAD_FRACTIONS[2:]],
        lambda v: call("L1Activity", v))
battery("KLSparsity", "rho", [(0, ValueError), (1, ValueError), *BAD_FRACTIONS],
        lambda v: call("KLSparsity", rho=v))
battery("KLSparsity", "beta", [(-1, ValueError), *BAD_FRACTIONS[2:]],
        lambda v: call("KLSparsity", beta=v))

# --------------------------------------------------------------------------- noise

BAD_KINDS = [("speckle", ValueError), (5, TypeError), (None, TypeError)]
array_battery("corrupt", "images", lambda v: call("corrupt", v, "gaussian", 0.1))
battery("corrupt", "kind", BAD_KINDS, lambda v: call("corrupt", IMAGES, v, 0.1))
battery("corrupt", "level", BAD_FRACTIONS, lambda v: call("corrupt", IMAGES, "masking", v))
battery("corrupt", "seed", BAD_SEEDS, lambda v: call("corrupt", IMAGES, "masking", 0.1, seed=v))
array_battery("noisy_batches", "images", lambda v: call("noisy_batches", v, 2, "masking", 0.1),
              skip=("None",))
battery("noisy_batches", "batch_size", bad_positive_ints(),
        lambda v: call("noisy_batches", IMAGES, v, "masking", 0.1))
battery("noisy_batches", "kind", BAD_KINDS, lambda v: call("noisy_batches", IMAGES, 2, v, 0.1))
battery("noisy_batches", "level", BAD_FRACTIONS,
        lambda v: call("noisy_batches", IMAGES, 2, "gaussian", v))
battery("noisy_batches", "seed", BAD_SEEDS,
        lambda v: call("noisy_batches", IMAGES, 2, "gaussian", 0.1, seed=v))
battery("noisy_batches", "shuffle", BAD_BOOLS,
        lambda v: call("noisy_batches", IMAGES, 2, "gaussian", 0.1, shuffle=v))
battery("check_noise_level", "kind", BAD_KINDS, lambda v: call("check_noise_level", v, 0.1))
battery("check_noise_level", "level", BAD_FRACTIONS,
        lambda v: call("check_noise_level", "masking", v))

# ------------------------------------------------------------------------ batching

for pipeline, extra in (("reconstruction_batches", ()), ("labelled_batches", (LABELS[:4],))):
    array_battery(pipeline, "images",
                  lambda v, pipeline=pipeline, extra=extra: call(pipeline, v, *extra, 2),
                  skip=("0-255 pixels",))
    battery(pipeline, "batch_size", bad_positive_ints(),
            lambda v, pipeline=pipeline, extra=extra: call(pipeline, IMAGES, *extra, v))
    battery(pipeline, "shuffle", BAD_BOOLS,
            lambda v, pipeline=pipeline, extra=extra: call(pipeline, IMAGES, *extra, 2,
                                                           shuffle=v))
battery("labelled_batches", "labels",
        [(LABELS[:4].astype(float), TypeError), (LABELS[:3], ValueError),
         (-LABELS[:4], ValueError), (None, TypeError), ("0123", TypeError)],
        lambda v: call("labelled_batches", IMAGES, v, 2))

# ------------------------------------------------------------------------ training

battery("CompactProgress", "every", bad_positive_ints(), lambda v: call("CompactProgress", v))
battery("CompactProgress", "stream", [(5, TypeError), ("out.txt", TypeError)],
        lambda v: call("CompactProgress", 1, stream=v))


def _train(**kwargs):
    arguments = {"model": model(), "x_train": IMAGES, **kwargs}
    return call("train_autoencoder", arguments.pop("model"), arguments.pop("x_train"),
                **arguments)


battery("train_autoencoder", "model", [(None, TypeError), ("model", TypeError)],
        lambda v: _train(model=v))
battery("train_autoencoder", "model",
        [(None, ValueError, "an uncompiled model")],
        lambda v: _train(model=api("Autoencoder")(4)))
array_battery("train_autoencoder", "x_train", lambda v: _train(x_train=v))
array_battery("train_autoencoder", "x_val", lambda v: _train(x_val=v), skip=("None",))
battery("train_autoencoder", "x_val", [(DIGITS, ValueError, "8 x 8 images")],
        lambda v: _train(x_val=v))


def _small(width=3, optimizer="adam"):
    import keras
    network = keras.Sequential([keras.Input((4,)), keras.layers.Dense(width),
                                keras.layers.Dense(4)])
    network.compile(optimizer=optimizer, loss="mse")
    return network


def _shared_twice(second, key="k"):
    """Fit a first small model under ``key``, then ``second`` under the same key."""
    shared = api("SharedTraining")()
    data = np.ones((8, 4), "float32")
    shared.fit(_small(), "k", data, data, epochs=1, verbose=0)
    return shared.fit(second, key, data, data, epochs=1, verbose=0)


battery("SharedTraining", "model", [(None, TypeError), ("model", TypeError)],
        lambda v: api("SharedTraining")().fit(v, "k"))
battery("SharedTraining", "model", [(None, ValueError, "an uncompiled model")],
        lambda v: api("SharedTraining")().fit(api("Autoencoder")(4), "k"))
battery("SharedTraining", "key", [([1, 2], TypeError), ({"k": 1}, TypeError)],
        lambda v: api("SharedTraining")().fit(_small(), v))
battery("SharedTraining", "model",
        [(None, ValueError, "other weights under one key"),
         ("sgd", ValueError, "another optimizer under one key")],
        lambda v: _shared_twice(_small(5) if v is None else _small(optimizer=v)))
battery("train_autoencoder", "epochs", bad_positive_ints(), lambda v: _train(epochs=v))
battery("train_autoencoder", "batch_size", bad_positive_ints(), lambda v: _train(batch_size=v))
battery("train_autoencoder", "print_every", bad_positive_ints(optional=True),
        lambda v: _train(print_every=v))
battery("train_autoencoder", "shuffle", BAD_BOOLS, lambda v: _train(shuffle=v))
battery("train_autoencoder", "callbacks", [(5, TypeError), ([print], TypeError)],
        lambda v: _train(callbacks=v))

# -------------------------------------------------------------------------- probes

FEATURES = RNG.random((20, 6), dtype=np.float32)


def _probe(**kwargs):
    arguments = {"train_features": FEATURES, "train_labels": LABELS,
                 "test_features": FEATURES, "test_labels": LABELS, **kwargs}
    return call("linear_probe", *(arguments.pop(key) for key in (
        "train_features", "train_labels", "test_features", "test_labels")), **arguments)


NAN_FEATURES = FEATURES.copy()
NAN_FEATURES[3, 3] = np.nan
for side in ("train", "test"):
    battery("linear_probe", f"{side}_features",
            [(NAN_FEATURES, ValueError), (FEATURES[:0], ValueError), (STRINGS, TypeError),
             (None, TypeError)],
            lambda v, side=side: _probe(**{f"{side}_features": v}))
    battery("linear_probe", f"{side}_labels",
            [(LABELS.astype(float), TypeError), (LABELS[:-1], ValueError),
             (-LABELS, ValueError), (None, TypeError)],
            lambda v, side=side: _probe(**{f"{side}_labels": v}))
battery("linear_probe", "test_features", [(FEATURES[:, :2], ValueError, "2 of 6 features")],
        lambda v: _probe(test_features=v))
battery("linear_probe", "test_labels", [(LABELS + 1, ValueError, "an unseen class")],
        lambda v: _probe(test_labels=v))
battery("linear_probe", "epochs", bad_positive_ints(), lambda v: _probe(epochs=v))
battery("linear_probe", "batch_size", bad_positive_ints(), lambda v: _probe(batch_size=v))
battery("linear_probe", "learning_rate", BAD_POSITIVE_NUMBERS,
        lambda v: _probe(learning_rate=v))
battery("linear_probe", "seed", BAD_SEEDS, lambda v: _probe(seed=v))


def _ridge(**kwargs):
    arguments = {"train_features": FEATURES, "train_labels": LABELS,
                 "test_features": FEATURES, "test_labels": LABELS, **kwargs}
    return call("ridge_probe", *(arguments.pop(key) for key in (
        "train_features", "train_labels", "test_features", "test_labels")), **arguments)


for side in ("train", "test"):
    battery("ridge_probe", f"{side}_features",
            [(NAN_FEATURES, ValueError), (FEATURES[:0], ValueError), (STRINGS, TypeError),
             (None, TypeError)],
            lambda v, side=side: _ridge(**{f"{side}_features": v}))
    battery("ridge_probe", f"{side}_labels",
            [(LABELS.astype(float), TypeError), (LABELS[:-1], ValueError),
             (-LABELS, ValueError), (None, TypeError)],
            lambda v, side=side: _ridge(**{f"{side}_labels": v}))
battery("ridge_probe", "test_features", [(FEATURES[:, :2], ValueError, "2 of 6 features")],
        lambda v: _ridge(test_features=v))
battery("ridge_probe", "penalties",
        [((), ValueError), ((1.0, 0.0), ValueError), ((-1.0,), ValueError),
         ((float("nan"),), ValueError), (("1",), TypeError), (None, TypeError)],
        lambda v: _ridge(penalties=v))
battery("ridge_probe", "validation_fraction",
        [(0, ValueError), (1, ValueError), (0.01, ValueError, "0.01 of 20 examples"),
         *BAD_FRACTIONS], lambda v: _ridge(validation_fraction=v))
battery("ridge_probe", "seed", BAD_SEEDS, lambda v: _ridge(seed=v))

# ------------------------------------------------------------------------ stacking


def _pretrain(**kwargs):
    arguments = {"layer_sizes": (4,), "x": DIGITS, "verbose": False, **kwargs}
    return call("greedy_pretrain", arguments.pop("layer_sizes"), arguments.pop("x"),
                **arguments)


battery("greedy_pretrain", "layer_sizes",
        [((), ValueError), ((12, 0), ValueError), (12, TypeError), ("12", TypeError),
         ((2.5,), TypeError), (None, TypeError)],
        lambda v: _pretrain(layer_sizes=v))
array_battery("greedy_pretrain", "x", lambda v: _pretrain(x=v))
battery("greedy_pretrain", "activation", [("relux", ValueError)],
        lambda v: _pretrain(activation=v))
battery("greedy_pretrain", "epochs", bad_positive_ints(), lambda v: _pretrain(epochs=v))
battery("greedy_pretrain", "batch_size", bad_positive_ints(), lambda v: _pretrain(batch_size=v))
battery("greedy_pretrain", "learning_rate", BAD_POSITIVE_NUMBERS,
        lambda v: _pretrain(learning_rate=v))
battery("greedy_pretrain", "noise", [("gaussian", TypeError), (("gaussian",), TypeError),
                                     (0.3, TypeError)],
        lambda v: _pretrain(noise=v))
battery("greedy_pretrain", "kind", [(("speckle", 0.1), ValueError)],
        lambda v: _pretrain(noise=v))
battery("greedy_pretrain", "level", [(("masking", 3.0), ValueError),
                                     (("masking", "0.3"), TypeError)],
        lambda v: _pretrain(noise=v))
battery("greedy_pretrain", "activation", [("relu", ValueError, "relu with noise")],
        lambda v: _pretrain(activation=v, noise=("masking", 0.3)))
battery("greedy_pretrain", "seed", BAD_SEEDS + [(2**32 - 1, ValueError)],
        lambda v: _pretrain(seed=v))
battery("greedy_pretrain", "verbose", BAD_BOOLS, lambda v: _pretrain(verbose=v))

# ------------------------------------------------------------------------- metrics

BAD_ARRAYS = [(WITH_NAN, ValueError, "NaN"), (WITH_INF, ValueError, "inf"),
              (EMPTY, ValueError, "empty"), (STRINGS, TypeError, "strings"),
              (None, TypeError, "None")]
for metric in ("mse", "per_example_mse", "psnr"):
    for position, name in enumerate(("originals", "reconstructions")):
        array_battery(metric, name, lambda v, metric=metric, position=position: call(
            metric, *((v, IMAGES) if position == 0 else (IMAGES, v))), bad=BAD_ARRAYS)
    battery(metric, "reconstructions", [(IMAGES[:3], ValueError, "3 of 4 images")],
            lambda v, metric=metric: call(metric, IMAGES, v))
battery("psnr", "data_range", BAD_POSITIVE_NUMBERS,
        lambda v: call("psnr", IMAGES, IMAGES * 0.5, data_range=v))
for position, name in enumerate(("inputs", "outputs")):
    array_battery("pattern_correlation", name, lambda v, position=position: call(
        "pattern_correlation", *((v, IMAGES) if position == 0 else (IMAGES, v))),
        bad=BAD_ARRAYS)
battery("pattern_correlation", "outputs", [(np.zeros_like(IMAGES), ValueError, "constant")],
        lambda v: call("pattern_correlation", IMAGES, v))
for position, name in enumerate(("clean", "noisy", "denoised")):
    array_battery("residual_cosine", name, lambda v, position=position: call(
        "residual_cosine", *[v if i == position else IMAGES for i in range(3)]),
        bad=BAD_ARRAYS)
    if position:
        battery("residual_cosine", name, [(IMAGES[:3], ValueError, "3 of 4 images")],
                lambda v, position=position: call(
                    "residual_cosine", *[v if i == position else IMAGES for i in range(3)]))
array_battery("frequency_band_errors", "originals",
              lambda v: call("frequency_band_errors", v, IMAGES), bad=BAD_ARRAYS)
battery("frequency_band_errors", "originals", [(_flattened(), ValueError, "flattened")],
        lambda v: call("frequency_band_errors", v, v))
battery("frequency_band_errors", "n_bands", bad_positive_ints(),
        lambda v: call("frequency_band_errors", IMAGES, IMAGES, n_bands=v))
array_battery("pca", "data", lambda v: call("pca", v, 2), bad=BAD_ARRAYS)
battery("pca", "data", [(IMAGES[:1], ValueError, "one example"),
                        (np.arange(5.0), ValueError, "a vector")],
        lambda v: call("pca", v, 1))
battery("pca", "n_components", bad_positive_ints() + [(5, ValueError)],
        lambda v: call("pca", IMAGES, v))
_MEAN, _COMPONENTS, _ = api("pca")(IMAGES, 2)
array_battery("pca_reconstruct", "data",
              lambda v: call("pca_reconstruct", v, _MEAN, _COMPONENTS), bad=BAD_ARRAYS)
battery("pca_reconstruct", "mean", [(_MEAN[:10], ValueError), (None, TypeError)],
        lambda v: call("pca_reconstruct", IMAGES, v, _COMPONENTS))
battery("pca_reconstruct", "components", [(_COMPONENTS[:, :10], ValueError),
                                          (_COMPONENTS * np.nan, ValueError)],
        lambda v: call("pca_reconstruct", IMAGES, _MEAN, v))
BASIS = RNG.normal(size=(10, 3))
NAN_BASIS = BASIS.copy()
NAN_BASIS[0, 0] = np.nan
for position, name in enumerate(("basis_a", "basis_b")):
    battery("principal_angles", name,
            [(NAN_BASIS, ValueError), (BASIS[:, 0], ValueError), (np.ones((10, 2)), ValueError),
             (BASIS[:9], ValueError), (None, TypeError)],
            lambda v, position=position: call(
                "principal_angles", *((v, BASIS) if position == 0 else (BASIS, v))))
battery("angles_to_subspace", "vectors",
        [(NAN_BASIS.T, ValueError), (np.zeros((1, 10)), ValueError), (np.ones((1, 9)),
                                                                       ValueError)],
        lambda v: call("angles_to_subspace", v, BASIS))
battery("angles_to_subspace", "basis", [(NAN_BASIS, ValueError), (np.ones((10, 2)),
                                                                  ValueError)],
        lambda v: call("angles_to_subspace", BASIS.T, v))

# ------------------------------------------------------------------------ plotting

battery("reconstruction_grid", "originals",
        [(WITH_NAN, ValueError), (_flattened(), ValueError), (None, TypeError)],
        lambda v: call("reconstruction_grid", v, IMAGES, n=2))
battery("reconstruction_grid", "reconstructions", [(IMAGES[:3], ValueError)],
        lambda v: call("reconstruction_grid", IMAGES, v, n=2))
battery("reconstruction_grid", "reconstructions", [((), ValueError, "none")],
        lambda v: call("reconstruction_grid", IMAGES, *v, n=2))
battery("reconstruction_grid", "n", bad_positive_ints() + [(5, ValueError)],
        lambda v: call("reconstruction_grid", IMAGES, IMAGES, n=v))
battery("reconstruction_grid", "labels", [([0], ValueError), ([0.5, 1.5], TypeError)],
        lambda v: call("reconstruction_grid", IMAGES, IMAGES, n=2, labels=v))
battery("reconstruction_grid", "class_names", [(["only one"], ValueError)],
        lambda v: call("reconstruction_grid", IMAGES, IMAGES, n=2, labels=[0, 1],
                       class_names=v))
battery("reconstruction_grid", "row_titles", [(["one"], ValueError), ([1, 2], TypeError)],
        lambda v: call("reconstruction_grid", IMAGES, IMAGES, n=2, row_titles=v))
battery("image_grid", "images", [(WITH_NAN, ValueError), (EMPTY, ValueError),
                                 (_flattened(), ValueError)],
        lambda v: call("image_grid", v))
battery("image_grid", "n_cols", bad_positive_ints(), lambda v: call("image_grid", IMAGES,
                                                                    n_cols=v))
battery("image_grid", "titles", [(["a"], ValueError)],
        lambda v: call("image_grid", IMAGES, titles=v))
battery("image_grid", "panel_size", BAD_POSITIVE_NUMBERS,
        lambda v: call("image_grid", IMAGES, panel_size=v))
battery("image_grid", "signed", BAD_BOOLS, lambda v: call("image_grid", IMAGES, signed=v))
battery("class_code_heatmap", "codes", [(CODES * np.nan, ValueError), (CODES[:, 0], ValueError)],
        lambda v: call("class_code_heatmap", v, [0, 1, 0, 1], ["a", "b"]))
battery("class_code_heatmap", "labels", [([0, 1], ValueError), ([0.0, 1, 0, 1], TypeError)],
        lambda v: call("class_code_heatmap", CODES, v, ["a", "b"]))
battery("class_code_heatmap", "class_names", [(["a"], ValueError), (None, TypeError)],
        lambda v: call("class_code_heatmap", CODES, [0, 1, 0, 1], v))
battery("matrix_heatmap", "matrix", [(np.arange(3.0), ValueError), (CODES * np.nan, ValueError),
                                     ("matrix", TypeError)],
        lambda v: call("matrix_heatmap", v))
battery("matrix_heatmap", "vmin", [("low", TypeError), (float("nan"), ValueError)],
        lambda v: call("matrix_heatmap", CODES, vmin=v))
battery("matrix_heatmap", "row_labels", [(["a"], ValueError)],
        lambda v: call("matrix_heatmap", CODES, row_labels=v))
battery("transpose_pair", "matrix", [(np.arange(3.0), ValueError), (CODES * np.nan, ValueError)],
        lambda v: call("transpose_pair", v))
battery("transpose_pair", "names", [(("one",), ValueError), ("ab", TypeError)],
        lambda v: call("transpose_pair", CODES, names=v))
battery("series_plot", "x_values", [([1, float("nan")], ValueError), (["a", "b"], TypeError)],
        lambda v: call("series_plot", v, {"a": [1, 2]}, xlabel="x", ylabel="y"))
battery("series_plot", "series", [({}, ValueError), ({"a": [1]}, ValueError),
                                  ({"a": [1, float("nan")]}, ValueError)],
        lambda v: call("series_plot", [1, 2], v, xlabel="x", ylabel="y"))
battery("series_plot", "log_x", [("yes", TypeError)],
        lambda v: call("series_plot", [1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", log_x=v))
battery("series_plot", "x_values", [([0, 2], ValueError, "0 on a log axis")],
        lambda v: call("series_plot", v, {"a": [1, 2]}, xlabel="x", ylabel="y", log_x=True))
battery("series_plot", "vline", [(784, TypeError)],
        lambda v: call("series_plot", [1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", vline=v))
battery("tradeoff_plot", "x_values", [([float("nan")], ValueError), ([1, 2], ValueError)],
        lambda v: call("tradeoff_plot", v, [1], ["a"], xlabel="x", ylabel="y"))
battery("tradeoff_plot", "point_labels", [([1], TypeError)],
        lambda v: call("tradeoff_plot", [1], [1], v, xlabel="x", ylabel="y"))
battery("histograms", "samples", [({}, ValueError), ({"a": [float("nan")]}, ValueError),
                                  ({"a": []}, ValueError)],
        lambda v: call("histograms", v, xlabel="x"))
battery("histograms", "bins", bad_positive_ints(),
        lambda v: call("histograms", {"a": [1.0, 2.0]}, xlabel="x", bins=v))
battery("seed_bars", "panels", [({}, ValueError), ({"p": {}}, ValueError),
                                ({"p": {"a": [float("nan")]}}, ValueError),
                                ({"p": {"a": ["x"]}}, TypeError)],
        lambda v: call("seed_bars", v, ylabel="y"))
battery("seed_bars", "paired", BAD_BOOLS,
        lambda v: call("seed_bars", {"p": {"a": [1.0]}}, ylabel="y", paired=v))
battery("architecture_diagram", "sizes", [((784, 0), ValueError), ((784,), ValueError),
                                          (784, TypeError)],
        lambda v: call("architecture_diagram", v, ("in", "out")))
battery("architecture_diagram", "names", [(("in",), ValueError), ((1, 2), TypeError)],
        lambda v: call("architecture_diagram", (784, 28), v))
battery("greedy_pretraining_diagram", "layer_sizes", [((), ValueError), ((0,), ValueError),
                                                      (128, TypeError)],
        lambda v: call("greedy_pretraining_diagram", v))
battery("greedy_pretraining_diagram", "input_size", bad_positive_ints(),
        lambda v: call("greedy_pretraining_diagram", (8,), input_size=v))
battery("greedy_pretraining_diagram", "n_classes", bad_positive_ints(),
        lambda v: call("greedy_pretraining_diagram", (8,), n_classes=v))
battery("learning_curves", "history", [({}, ValueError), (None, ValueError),
                                       ([0.1, 0.2], ValueError)],
        lambda v: call("learning_curves", v))
battery("learning_curves", "keys", [(["val_loss"], ValueError), ("loss", TypeError)],
        lambda v: call("learning_curves", {"loss": [0.2, 0.1]}, keys=v))
battery("learning_curves", "log_scale", BAD_BOOLS,
        lambda v: call("learning_curves", {"loss": [0.2, 0.1]}, log_scale=v))

# ------------------------------------------------------------------------- widgets


def _frames(settings):
    return [(np.zeros((2, 2)), "") for _ in settings]


battery("Explorer", "controls", [({}, ValueError), ([("a", [1])], TypeError),
                                 ({"a": []}, ValueError), ({"a": 5}, TypeError),
                                 ({"a": range(30), "b": range(30)}, ValueError)],
        lambda v: call("Explorer", v, _frames))
battery("Explorer", "render", [(None, TypeError), ("render", TypeError)],
        lambda v: call("Explorer", {"a": [1]}, v))
battery("Explorer", "title", [(5, TypeError), (None, TypeError)],
        lambda v: call("Explorer", {"a": [1]}, _frames, title=v))
battery("Explorer", "scale", bad_positive_ints() + [(17, ValueError)],
        lambda v: call("Explorer", {"a": [1]}, _frames, scale=v))
battery("Explorer", "initial", [({"a": 3}, ValueError), ({"b": 1}, ValueError),
                                (5, TypeError)],
        lambda v: call("Explorer", {"a": [1, 2]}, _frames, initial=v))
battery("Explorer.frames", "render", [(lambda settings: [], ValueError, "no frames")],
        lambda v: call("Explorer", {"a": [1, 2]}, lambda s: _frames(s[:1]) if len(s) == 1
                       else v(s)).frames())
array_battery("latent_size_explorer", "images",
              lambda v: call("latent_size_explorer", v, {4: IMAGES}))
battery("latent_size_explorer", "images", [(_flattened(), ValueError, "flattened")],
        lambda v: call("latent_size_explorer", v, {4: IMAGES}))
battery("latent_size_explorer", "reconstructions",
        [({}, ValueError), ([IMAGES], TypeError), ({4: WITH_NAN}, ValueError),
         ({4: RAW}, ValueError)],
        lambda v: call("latent_size_explorer", IMAGES, v))
battery("latent_size_explorer", "keys", [({0: IMAGES}, ValueError), ({2.5: IMAGES}, TypeError)],
        lambda v: call("latent_size_explorer", IMAGES, v))
battery("latent_size_explorer", "errors", [({8: 0.1}, ValueError), ([0.1], TypeError)],
        lambda v: call("latent_size_explorer", IMAGES, {4: IMAGES}, errors=v))
battery("latent_size_explorer", "error_label", [(5, TypeError)],
        lambda v: call("latent_size_explorer", IMAGES, {4: IMAGES}, error_label=v))
array_battery("noise_level_explorer", "images",
              lambda v: call("noise_level_explorer", v, {"gaussian": identity}))
battery("noise_level_explorer", "denoisers",
        [({}, ValueError), ({"speckle": identity}, ValueError), ([identity], TypeError)],
        lambda v: call("noise_level_explorer", IMAGES, v))
battery("noise_level_explorer", "denoisers", [({"gaussian": "model"}, TypeError)],
        lambda v: call("noise_level_explorer", IMAGES, v))
battery("noise_level_explorer", "levels",
        [((0.1, 1.5), ValueError), ((), ValueError), ("0.1", TypeError),
         ((float("nan"),), ValueError), (0.1, TypeError)],
        lambda v: call("noise_level_explorer", IMAGES, {"gaussian": identity}, levels=v))
battery("noise_level_explorer", "seed", BAD_SEEDS,
        lambda v: call("noise_level_explorer", IMAGES, {"gaussian": identity}, seed=v))
battery("code_explorer", "decoder", [(None, TypeError)],
        lambda v: call("code_explorer", v, np.zeros(3), [0], [0.0]))
battery("code_explorer", "base_code", [(np.zeros((2, 3)), ValueError),
                                       (np.full(3, np.nan), ValueError), ("code", TypeError)],
        lambda v: call("code_explorer", identity, v, [0], [0.0]))
battery("code_explorer", "units", [([3], ValueError), ([1.5], TypeError), ([], ValueError),
                                   (0, TypeError)],
        lambda v: call("code_explorer", identity, np.zeros(3), v, [0.0]))
battery("code_explorer", "values", [(["a"], TypeError), ([float("nan")], ValueError),
                                    ({1: [0.0]}, ValueError), ([], ValueError)],
        lambda v: call("code_explorer", identity, np.zeros(3), [0], v))
battery("code_explorer", "image_shape", [((28, 0), ValueError), (28, TypeError)],
        lambda v: call("code_explorer", identity, np.zeros(3), [0], [0.0], image_shape=v))
battery("png_bytes", "image", [(IMAGES, ValueError), (np.full((2, 2), np.nan), ValueError),
                               (np.zeros((0, 2)), ValueError), ("image", TypeError)],
        lambda v: call("png_bytes", v))
battery("png_bytes", "scale", bad_positive_ints() + [(17, ValueError)],
        lambda v: call("png_bytes", np.zeros((2, 2)), v))
battery("image_rows", "rows", [((), ValueError), ((IMAGES, IMAGES[:2]), ValueError),
                               ((IMAGES[0],), ValueError), ((WITH_NAN,), ValueError)],
        lambda v: call("image_rows", *v))
battery("image_rows", "gap", bad_positive_ints(low=0)[0:5],
        lambda v: call("image_rows", IMAGES, gap=v))
battery("check_scale", "scale", bad_positive_ints() + [(17, ValueError)],
        lambda v: call("check_scale", v))

# ------------------------------------------------ chapter 9: codes and anomalies

CH9_FEATURES = RNG.random((6, 3))
CH9_SIX_LABELS = np.array([0, 1, 0, 1, 2, 2])
CH9_TWO_D = RNG.random((6, 2))
CH9_BAD_FEATURES = [(np.zeros(3), ValueError, "one example"), (np.full((2, 3), np.nan), ValueError,
                "NaN"), (np.zeros((0, 3)), ValueError, "empty"), (STRINGS, TypeError, "strings"),
                (None, TypeError, "None")]
CH9_BAD_LABELS = [(CH9_SIX_LABELS.astype(float) + 0.5, TypeError), (CH9_SIX_LABELS[:-1], ValueError),
              (-CH9_SIX_LABELS - 1, ValueError), ("abc", TypeError)]
CH9_BAD_SCORES = [(np.zeros((2, 2)), ValueError, "2-D"), ([], ValueError, "empty"),
              ([float("nan")], ValueError, "NaN"), (["a"], TypeError, "strings"),
              (None, TypeError, "None")]

array_battery("embedding_scatter", "panels", lambda v: call(
    "embedding_scatter", {"p": v}, CH9_SIX_LABELS, ["a", "b", "c"]),
    bad=[(CH9_FEATURES, ValueError, "three columns"), (WITH_NAN[0], ValueError, "NaN")])
battery("embedding_scatter", "panels", [({}, ValueError), (CH9_TWO_D, TypeError)],
        lambda v: call("embedding_scatter", v, CH9_SIX_LABELS, ["a", "b", "c"]))
battery("embedding_scatter", "labels", CH9_BAD_LABELS,
        lambda v: call("embedding_scatter", {"p": CH9_TWO_D}, v, ["a", "b", "c"]))
battery("embedding_scatter", "class_names", [(["a"], ValueError), ("abc", TypeError),
                                             ([1, 2, 3], TypeError)],
        lambda v: call("embedding_scatter", {"p": CH9_TWO_D}, CH9_SIX_LABELS, v))
battery("grouped_bars", "groups", [([], ValueError), ("ab", TypeError), ([1, 2], TypeError)],
        lambda v: call("grouped_bars", v, {"s": [1.0, 2.0]}, ylabel="y"))
battery("grouped_bars", "series", [({}, ValueError), ({"s": [1.0]}, ValueError),
                                   ({"s": ["a", "b"]}, TypeError),
                                   ({"s": [1.0, float("nan")]}, ValueError), ([1.0], TypeError)],
        lambda v: call("grouped_bars", ["a", "b"], v, ylabel="y"))
battery("grouped_bars", "ylim", [((1, 0), ValueError), ((0,), ValueError), (1, TypeError)],
        lambda v: call("grouped_bars", ["a"], {"s": [1.0]}, ylabel="y", ylim=v))
battery("grouped_bars", "reference", [(0.5, TypeError), (("a", "b"), TypeError),
                                      ((float("nan"), "chance"), ValueError)],
        lambda v: call("grouped_bars", ["a"], {"s": [1.0]}, ylabel="y", reference=v))
CH9_NEAREST = np.array([[0, 1], [2, 3]])
battery("neighbours_explorer", "queries", [(RAW[:2], ValueError), (IMAGES[0], ValueError),
                                           (None, TypeError)],
        lambda v: call("neighbours_explorer", v, IMAGES, {"s": CH9_NEAREST},
                       query_labels=[0, 1], database_labels=[0, 1, 0, 1],
                       class_names=["a", "b"]))
battery("neighbours_explorer", "database", [(WITH_NAN, ValueError), (EMPTY, ValueError)],
        lambda v: call("neighbours_explorer", IMAGES[:2], v, {"s": CH9_NEAREST},
                       query_labels=[0, 1], database_labels=[0, 1, 0, 1],
                       class_names=["a", "b"]))
battery("neighbours_explorer", "neighbours", [({}, ValueError), (CH9_NEAREST, TypeError),
                                              ({"s": CH9_NEAREST + 3}, ValueError),
                                              ({"s": CH9_NEAREST * 0.5}, TypeError),
                                              ({"s": CH9_NEAREST[:1]}, ValueError)],
        lambda v: call("neighbours_explorer", IMAGES[:2], IMAGES, v, query_labels=[0, 1],
                       database_labels=[0, 1, 0, 1], class_names=["a", "b"]))
battery("neighbours_explorer", "query_labels", [([0], ValueError), ([0.5, 1], TypeError)],
        lambda v: call("neighbours_explorer", IMAGES[:2], IMAGES, {"s": CH9_NEAREST},
                       query_labels=v, database_labels=[0, 1, 0, 1], class_names=["a", "b"]))
battery("neighbours_explorer", "database_labels", [([0, 1], ValueError), ("ab", TypeError)],
        lambda v: call("neighbours_explorer", IMAGES[:2], IMAGES, {"s": CH9_NEAREST},
                       query_labels=[0, 1], database_labels=v, class_names=["a", "b"]))
battery("neighbours_explorer", "class_names", [(["a"], ValueError), ("ab", TypeError)],
        lambda v: call("neighbours_explorer", IMAGES[:2], IMAGES, {"s": CH9_NEAREST},
                       query_labels=[0, 1], database_labels=[0, 1, 0, 1], class_names=v))

array_battery("nearest_neighbours", "queries",
              lambda v: call("nearest_neighbours", v, CH9_FEATURES, 1), bad=CH9_BAD_FEATURES)
battery("nearest_neighbours", "queries", [(RNG.random((2, 4)), ValueError, "4 features")],
        lambda v: call("nearest_neighbours", v, CH9_FEATURES, 1))
array_battery("nearest_neighbours", "database",
              lambda v: call("nearest_neighbours", CH9_FEATURES, v, 1), bad=CH9_BAD_FEATURES)
battery("nearest_neighbours", "k", bad_positive_ints() + [(7, ValueError)],
        lambda v: call("nearest_neighbours", CH9_FEATURES, CH9_FEATURES, v))
battery("nearest_neighbours", "exclude_self", BAD_BOOLS,
        lambda v: call("nearest_neighbours", CH9_FEATURES, CH9_FEATURES, 1, exclude_self=v))
battery("nearest_neighbours", "batch_size", bad_positive_ints(),
        lambda v: call("nearest_neighbours", CH9_FEATURES, CH9_FEATURES, 1, batch_size=v))
array_battery("knn_accuracy", "train_features",
              lambda v: call("knn_accuracy", v, CH9_SIX_LABELS, CH9_FEATURES, CH9_SIX_LABELS),
              bad=CH9_BAD_FEATURES)
array_battery("knn_accuracy", "test_features",
              lambda v: call("knn_accuracy", CH9_FEATURES, CH9_SIX_LABELS, v, CH9_SIX_LABELS),
              bad=CH9_BAD_FEATURES)
battery("knn_accuracy", "train_labels", CH9_BAD_LABELS,
        lambda v: call("knn_accuracy", CH9_FEATURES, v, CH9_FEATURES, CH9_SIX_LABELS))
battery("knn_accuracy", "test_labels", CH9_BAD_LABELS,
        lambda v: call("knn_accuracy", CH9_FEATURES, CH9_SIX_LABELS, CH9_FEATURES, v))
battery("knn_accuracy", "k", bad_positive_ints() + [(7, ValueError)],
        lambda v: call("knn_accuracy", CH9_FEATURES, CH9_SIX_LABELS, CH9_FEATURES, CH9_SIX_LABELS, k=v))
array_battery("precision_at_k", "query_features",
              lambda v: call("precision_at_k", v, CH9_SIX_LABELS, CH9_FEATURES, CH9_SIX_LABELS),
              bad=CH9_BAD_FEATURES)
array_battery("precision_at_k", "database_features",
              lambda v: call("precision_at_k", CH9_FEATURES, CH9_SIX_LABELS, v, CH9_SIX_LABELS),
              bad=CH9_BAD_FEATURES)
battery("precision_at_k", "query_labels", CH9_BAD_LABELS,
        lambda v: call("precision_at_k", CH9_FEATURES, v, CH9_FEATURES, CH9_SIX_LABELS))
battery("precision_at_k", "database_labels", CH9_BAD_LABELS,
        lambda v: call("precision_at_k", CH9_FEATURES, CH9_SIX_LABELS, CH9_FEATURES, v))
battery("precision_at_k", "k", bad_positive_ints() + [(6, ValueError, "6 with exclude_self")],
        lambda v: call("precision_at_k", CH9_FEATURES, CH9_SIX_LABELS, CH9_FEATURES, CH9_SIX_LABELS, k=v,
                       exclude_self=True))
battery("precision_at_k", "exclude_self", BAD_BOOLS,
        lambda v: call("precision_at_k", CH9_FEATURES, CH9_SIX_LABELS, CH9_FEATURES, CH9_SIX_LABELS,
                       exclude_self=v))
battery("mean_by_class", "values", [(np.zeros((6, 2)), ValueError), ([], ValueError),
                                    (["a"] * 6, TypeError), (None, TypeError)],
        lambda v: call("mean_by_class", v, CH9_SIX_LABELS))
battery("mean_by_class", "labels", CH9_BAD_LABELS,
        lambda v: call("mean_by_class", np.ones(6), v))
battery("mean_by_class", "n_classes", bad_positive_ints(optional=True) + [(2, ValueError)],
        lambda v: call("mean_by_class", np.ones(6), CH9_SIX_LABELS, n_classes=v))
CH9_TSNE_POINTS = RNG.random((40, 3))
array_battery("tsne_map", "features", lambda v: call("tsne_map", v, perplexity=5),
              bad=CH9_BAD_FEATURES)
battery("tsne_map", "seed", BAD_SEEDS, lambda v: call("tsne_map", CH9_TSNE_POINTS, seed=v))
battery("tsne_map", "perplexity", BAD_POSITIVE_NUMBERS + [(20, ValueError, "20 for 40")],
        lambda v: call("tsne_map", CH9_TSNE_POINTS, perplexity=v))
battery("tsne_map", "n_iter", bad_positive_ints() + [(249, ValueError)],
        lambda v: call("tsne_map", CH9_TSNE_POINTS, perplexity=5, n_iter=v))

array_battery("roc_auc", "normal_scores", lambda v: call("roc_auc", v, [0.5]), bad=CH9_BAD_SCORES)
array_battery("roc_auc", "anomaly_scores", lambda v: call("roc_auc", [0.5], v), bad=CH9_BAD_SCORES)
array_battery("roc_auc_by_class", "scores",
              lambda v: call("roc_auc_by_class", v, [0, 1], 0), bad=CH9_BAD_SCORES)
battery("roc_auc_by_class", "labels", [([0], ValueError), ([0.5, 1], TypeError),
                                       ([0, 0], ValueError, "one class only")],
        lambda v: call("roc_auc_by_class", [0.1, 0.9], v, 0))
battery("roc_auc_by_class", "normal_class", [(5, ValueError), (-1, ValueError),
                                             (0.5, TypeError), (None, TypeError)],
        lambda v: call("roc_auc_by_class", [0.1, 0.9], [0, 1], v))
array_battery("threshold_at_false_alarm_rate", "normal_scores",
              lambda v: call("threshold_at_false_alarm_rate", v, 0.05), bad=CH9_BAD_SCORES)
battery("threshold_at_false_alarm_rate", "rate", [(0, ValueError), (1, ValueError)]
        + BAD_FRACTIONS, lambda v: call("threshold_at_false_alarm_rate", [0.1, 0.2], v))
battery("detection_rates", "threshold", [(float("nan"), ValueError), ("0.5", TypeError),
                                         (None, TypeError), (True, TypeError)],
        lambda v: call("detection_rates", v, [0.1], [0.9]))
array_battery("detection_rates", "normal_scores",
              lambda v: call("detection_rates", 0.5, v, [0.9]), bad=CH9_BAD_SCORES)
array_battery("detection_rates", "anomaly_scores",
              lambda v: call("detection_rates", 0.5, [0.1], v), bad=CH9_BAD_SCORES)
array_battery("nearest_neighbour_distance", "images",
              lambda v: call("nearest_neighbour_distance", v, IMAGES),
              bad=[(WITH_NAN, ValueError, "NaN"), (EMPTY, ValueError, "empty"),
                   (STRINGS, TypeError, "strings"), (None, TypeError, "None")])
array_battery("nearest_neighbour_distance", "reference",
              lambda v: call("nearest_neighbour_distance", IMAGES, v),
              bad=[(WITH_INF, ValueError, "inf"), (EMPTY, ValueError, "empty"),
                   (None, TypeError, "None")])
battery("nearest_neighbour_distance", "batch_size", bad_positive_ints(),
        lambda v: call("nearest_neighbour_distance", IMAGES, IMAGES, batch_size=v))
array_battery("centred_on_canvas", "images", lambda v: call("centred_on_canvas", v))
battery("centred_on_canvas", "images", [(IMAGES[0], ValueError, "one image")],
        lambda v: call("centred_on_canvas", v))
battery("centred_on_canvas", "size", bad_positive_ints() + [(29, ValueError)],
        lambda v: call("centred_on_canvas", DIGITS, size=v))
battery("centred_on_canvas", "canvas", bad_positive_ints(),
        lambda v: call("centred_on_canvas", DIGITS, canvas=v))


# ------------------------------------------------------- the table, as tests


OUTCOMES = ("clear", "other type", "unnamed", "traceback", "silent")


def outcome(case):
    """How ``case`` fails, with the message: ``"clear"`` (the expected exception type, naming
    the argument), ``"other type"`` (TypeError for ValueError or back, naming the argument),
    ``"unnamed"`` (a TypeError or ValueError that does not name it), ``"traceback"`` (any
    other exception), or ``"silent"`` (no exception)."""
    try:
        case.run()
    except (TypeError, ValueError) as error:
        text = f"{type(error).__name__}: {error}"
        if case.argument not in str(error):
            return "unnamed", text
        return ("clear" if isinstance(error, case.error) else "other type"), text
    except Exception as error:  # noqa: BLE001  (what a user would see instead)
        return "traceback", f"{type(error).__name__}: {error}"
    return "silent", "no error"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bad_input_gives_a_clear_error(case):
    result, text = outcome(case)
    assert result == "clear", f"expected {case.error.__name__} naming {case.argument!r}; " \
                              f"got {text[:300]}"


def _valid_cases():
    """Inputs that are valid and were once refused or mishandled: each must now work."""
    import keras

    def offline(value):
        return _offline_with(value) is True

    return {
        "train_autoencoder(epochs=np.int64(1))": lambda: len(call(
            "train_autoencoder", model(), IMAGES, epochs=np.int64(1), batch_size=np.int64(2),
            print_every=np.int64(1)).history["loss"]) == 1,
        "psnr(data_range=np.float32(1.0))": lambda: np.isfinite(call(
            "psnr", IMAGES, IMAGES * 0.5, data_range=np.float32(1.0))),
        "psnr(data_range=np.int64(255))": lambda: call(
            "psnr", RAW, RAW * 0.5, data_range=np.int64(255)) == pytest.approx(call(
                "psnr", IMAGES, IMAGES * 0.5)),
        "CompactProgress(np.int64(2))": lambda: call("CompactProgress", np.int64(2)).every == 2,
        "Autoencoder(np.int64(4), image_shape=np.array([28, 28]))": lambda: call(
            "Autoencoder", np.int64(4), image_shape=np.array([28, 28])).image_shape == (28, 28),
        "corrupt(level=np.float32, seed=np.int64)": lambda: np.array_equal(
            call("corrupt", IMAGES, "masking", np.float32(0.5), seed=np.int64(3)),
            call("corrupt", IMAGES, "masking", 0.5, seed=3)),
        "KLSparsity(np.float32(0.05), np.float64(1))": lambda: call(
            "KLSparsity", np.float32(0.05), np.float64(1)).rho == pytest.approx(0.05),
        "L1Activity(np.float32(1e-4))": lambda: isinstance(
            call("L1Activity", np.float32(1e-4)), keras.regularizers.Regularizer),
        "balanced_subset(n=np.int64(8), seed=np.int64(1))": lambda: len(call(
            "balanced_subset", DIGITS, LABELS, np.int64(8), seed=np.int64(1))[0]) == 8,
        "set_seed(np.uint32(7))": lambda: call("set_seed", np.uint32(7)) == 7,
        "Explorer(scale=np.int64(2))": lambda: call(
            "Explorer", {"a": [1]}, _frames, scale=np.int64(2)).scale == 2,
        "linear_probe(epochs=np.int64(1), learning_rate=np.float32(0.01))": lambda: 0 <= call(
            "linear_probe", FEATURES, LABELS, FEATURES, LABELS, epochs=np.int64(1),
            learning_rate=np.float32(0.01), seed=np.int64(0)) <= 1,
        "pca(n_components=np.int64(2))": lambda: call(
            "pca", IMAGES, np.int64(2))[1].shape == (2, 784),
        "AE_LIB_OFFLINE=TRUE": lambda: offline("TRUE"),
        "AE_LIB_OFFLINE=True": lambda: offline("True"),
        "AE_LIB_OFFLINE=on": lambda: offline("on"),
        "AE_LIB_OFFLINE=' yes '": lambda: offline(" yes "),
        "AE_LIB_OFFLINE=0 is online": lambda: not offline("0"),
        "AE_LIB_OFFLINE=off is online": lambda: not offline("off"),
    }


@pytest.mark.parametrize("name", list(_valid_cases()))
def test_a_valid_input_once_refused_now_works(name):
    assert _valid_cases()[name]()


def _public_api():
    """Every public function and class each module defines, and the models' methods."""
    names = set()
    for module_name in MODULES:
        module = importlib.import_module(f"ae_lib.{module_name}")
        for name, value in vars(module).items():
            if name.startswith("_") or name in NOT_CALLABLE_API:
                continue
            if (inspect.isfunction(value) or inspect.isclass(value)) and \
                    value.__module__ == module.__name__:
                names.add(name)
    names |= {"Autoencoder.fit", "Autoencoder.evaluate", "Autoencoder.predict",
              "Autoencoder.encode", "Autoencoder.decode", "Explorer.frames"}
    return names


def test_every_public_function_and_class_has_bad_input_cases():
    covered = {case.api for case in CASES}
    missing = _public_api() - covered
    assert not missing, f"no bad-input cases for {sorted(missing)}"
    assert len(CASES) >= 400


def main():
    """Print the table's summary (and every case that is not clear) for this ae_lib."""
    results = {}
    for case in CASES:
        result, text = outcome(case)
        results.setdefault(result, []).append((case, text))
    print(f"ae_lib from {pathlib.Path(ae_lib.__file__).parent}: {len(CASES)} bad inputs")
    for result in OUTCOMES:
        print(f"  {result:>10}: {len(results.get(result, []))}")
    for result in OUTCOMES[1:]:
        for case, text in results.get(result, []):
            print(f"{result:>10}  {str(case)[:100]}: {text[:160]!r}")
    valid = _valid_cases()
    refused = []
    for name, check in valid.items():
        try:
            if not check():
                refused.append((name, "wrong result"))
        except Exception as error:  # noqa: BLE001
            refused.append((name, f"{type(error).__name__}: {str(error)[:120]}"))
    print(f"valid inputs: {len(valid) - len(refused)} of {len(valid)} work")
    for name, text in refused:
        print(f"  refused  {name}: {text}")


if __name__ == "__main__":
    sys.exit(main())
