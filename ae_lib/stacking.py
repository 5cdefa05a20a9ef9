"""Greedy layer-wise pretraining: a stack of encoders, each trained as an autoencoder."""

from __future__ import annotations

import contextlib
import logging

import keras
import tensorflow as tf

from ae_lib.batching import reconstruction_batches
from ae_lib.models import apply_in_batches
from ae_lib.noise import check_noise_level, noisy_batches
from ae_lib.recipe import STEPS_PER_EXECUTION
from ae_lib.repro import set_seed
from ae_lib.validation import (MAX_SEED, check_activation, check_bool, check_images,
                               check_int, check_positive_int, check_positive_ints,
                               check_positive_number, fail, is_tensor)


def greedy_pretrain(layer_sizes, x, *, activation="sigmoid", epochs=3, batch_size=256,
                    learning_rate=1e-3, noise=None, seed=0, verbose=True):
    """Greedy layer-wise pretraining: one autoencoder per layer, each on the codes before.

    Stage 1 trains ``Dense(layer_sizes[0])`` as the encoder of an autoencoder on ``x``;
    its decoder is then cut off, and stage 2 trains ``Dense(layer_sizes[1])`` on stage
    1's codes, and so on. The trained encoder layers are stacked, in order, behind a
    ``Flatten``: that stack is what a classifier is later built on.

    Parameters
    ----------
    layer_sizes : sequence of int
        Width of each hidden layer, for example ``(128, 128, 64)``.
    x : np.ndarray or tf.Tensor
        Training images, shape (N, ...), values in [0, 1]. No labels are used. Pass a
        tensor to share one copy of a large data set with other pipelines.
    activation : str, default "sigmoid"
        Of every hidden layer. Each stage's decoder ends in a sigmoid when its target lies
        in [0, 1] (the images; sigmoid codes) and is linear otherwise.
    epochs, batch_size : int
        For every stage.
    learning_rate : float, default 1e-3
        Of Adam, for every stage.
    noise : tuple of (str, float), optional
        ``(kind, level)`` as :func:`ae_lib.noise.corrupt` takes them, for example
        ``("masking", 0.3)``: train each stage as a denoising autoencoder (stacked
        denoising autoencoders). Needs codes in [0, 1], so a sigmoid ``activation``.
    seed : int, default 0
        Stage ``i`` is seeded with ``seed + i``.
    verbose : bool, default True
        Print one line per stage.

    Returns
    -------
    encoder : keras.Sequential
        ``Flatten`` followed by the trained ``Dense`` layers (the same layer objects).
    histories : list of dict
        Per stage: ``"loss"`` (per epoch), ``"input_dim"``, ``"code_dim"`` and
        ``"autoencoder"`` (the stage's whole model, decoder included) and
        ``"input_variance"`` (the stage's input's variance per number, averaged over its
        numbers: divide a stage's loss by it to compare stages whose inputs differ in
        spread; a loss of 1 times it is what predicting the mean would score).
    """
    sizes = check_positive_ints(layer_sizes, "layer_sizes")
    activation = check_activation(activation, "activation")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    learning_rate = check_positive_number(learning_rate, "learning_rate",
                                          fix="Pass a small step such as 1e-3.")
    seed = check_int(seed, "seed", low=0, high=MAX_SEED - len(sizes),
                     fix="Stage i uses seed + i; pass a whole number such as 0.")
    verbose = check_bool(verbose, "verbose")
    if noise is not None:
        if not isinstance(noise, (tuple, list)) or len(noise) != 2:
            fail(TypeError, "noise", "a (kind, level) pair such as ('masking', 0.3), or None",
                 noise)
        noise = check_noise_level(*noise)
        if activation != "sigmoid":
            raise ValueError("Denoising stages need codes in [0, 1]: use activation='sigmoid' "
                             f"with noise, not {activation!r}.")
    images = check_images(x, "x", allow_tensor=True)
    image_shape = tuple(images.shape[1:])
    # A tensor is used as it is: no NumPy copy of a large data set is made.
    features = (tf.reshape(images, (len(images), -1)) if is_tensor(images)
                else images.reshape(len(images), -1))
    trained_layers, histories = [], []
    for stage, size in enumerate(sizes, start=1):
        set_seed(seed + stage)
        encoder_layer = keras.layers.Dense(size, activation=activation,
                                           name=f"pretrained_{stage}")
        target_in_unit_range = stage == 1 or activation == "sigmoid"
        stage_model = keras.Sequential([
            keras.Input((features.shape[1],)), encoder_layer,
            keras.layers.Dense(features.shape[1],
                               activation="sigmoid" if target_in_unit_range else None)])
        stage_model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse",
                            steps_per_execution=STEPS_PER_EXECUTION)
        batches = (noisy_batches(features, batch_size, *noise, seed=seed + stage)
                   if noise is not None else
                   reconstruction_batches(features, batch_size))
        with _retracing_expected():
            history = stage_model.fit(batches, epochs=epochs, verbose=0, shuffle=False)
        histories.append({"loss": history.history["loss"], "input_dim": features.shape[1],
                          "code_dim": size, "autoencoder": stage_model,
                          "input_variance": float(tf.reduce_mean(
                              tf.math.reduce_variance(features, axis=0)))})
        if verbose:
            print(f"stage {stage}: {features.shape[1]} -> {size} -> {features.shape[1]}, "
                  f"reconstruction loss {history.history['loss'][-1]:.4f}", flush=True)
        trained_layers.append(encoder_layer)
        # Cut the decoder off: the next stage learns to reconstruct these codes.
        features = apply_in_batches(encoder_layer, features)
    encoder = keras.Sequential([keras.Input(image_shape), keras.layers.Flatten(),
                                *trained_layers], name="stacked_encoder")
    return encoder, histories


@contextlib.contextmanager
def _retracing_expected():
    """Silence TensorFlow's warning about retracing for one block.

    Every stage is a new model whose training step TensorFlow traces anew; after five
    such traces it warns of "excessive retracing", which is expected here and would only
    clutter a notebook. Errors still show.
    """
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
