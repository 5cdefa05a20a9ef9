"""Autoencoder models used across the course."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers


def check_positive_int(name, value):
    """Return ``value`` as an int if it is a positive integer; otherwise raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


@keras.saving.register_keras_serializable(package="ae_lib")
class Autoencoder(keras.Model):
    """The article's dense autoencoder: Flatten -> Dense(latent_dim, relu) -> Dense(784, sigmoid).

    The encoder maps an image to a code of ``latent_dim`` numbers; the decoder maps the code
    back to an image. Outputs are in [0, 1] (sigmoid), matching images scaled to [0, 1].

    Parameters
    ----------
    latent_dim : int
        Size of the code (the bottleneck), a positive integer.
    image_shape : tuple of int, default (28, 28)
        Shape of one input image.
    **kwargs
        Passed to ``keras.Model`` (for example ``name``).

    Examples
    --------
    >>> model = Autoencoder(32)
    >>> model.compile(optimizer="adam", loss="mse")
    """

    def __init__(self, latent_dim, image_shape=(28, 28), **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.image_shape = tuple(check_positive_int("image_shape entry", d) for d in image_shape)
        n_pixels = math.prod(self.image_shape)
        self.encoder = keras.Sequential(
            [layers.Flatten(), layers.Dense(self.latent_dim, activation="relu")], name="encoder")
        self.decoder = keras.Sequential(
            [layers.Dense(n_pixels, activation="sigmoid"), layers.Reshape(self.image_shape)],
            name="decoder")

    def build(self, input_shape):
        self._check_input_shape(input_shape)
        self.encoder.build(tuple(input_shape))
        self.decoder.build((input_shape[0], self.latent_dim))
        super().build(input_shape)

    def call(self, inputs):
        self._check_input_shape(inputs.shape)
        return self.decoder(self.encoder(inputs))

    # fit/predict/evaluate trace a graph in which shapes may be unknown, so arrays are
    # checked here, before they enter it, to give the same clear error.
    def fit(self, x=None, y=None, *args, **kwargs):
        self._check_array(x)
        return super().fit(x, y, *args, **kwargs)

    def predict(self, x, *args, **kwargs):
        self._check_array(x)
        return super().predict(x, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        self._check_array(x)
        return super().evaluate(x, y, *args, **kwargs)

    def encode(self, images, batch_size=1024):
        """The codes of ``images`` as a NumPy array of shape (N, latent_dim), in batches."""
        self._check_input_shape(np.shape(images))
        return _in_batches(self.encoder, images, batch_size)

    def decode(self, codes, batch_size=1024):
        """The images decoded from ``codes`` (shape (N, latent_dim)) as a NumPy array."""
        if np.ndim(codes) != 2 or np.shape(codes)[1] != self.latent_dim:
            raise ValueError(
                f"decode expects codes of shape (batch, {self.latent_dim}), got {np.shape(codes)}.")
        return _in_batches(self.decoder, codes, batch_size)

    def _check_array(self, x):
        if isinstance(x, np.ndarray):
            self._check_input_shape(x.shape)

    def _check_input_shape(self, shape):
        """Raise a clear error unless ``shape`` is (batch, *image_shape); unknown dims pass."""
        if shape is None or getattr(shape, "rank", 0) is None:
            return
        shape = tuple(shape)
        compatible = len(shape) == len(self.image_shape) + 1 and all(
            got is None or got == want for got, want in zip(shape[1:], self.image_shape))
        if not compatible:
            expected = ", ".join(str(d) for d in self.image_shape)
            hint = ""
            if len(shape) == 2 and shape[1] == math.prod(self.image_shape):
                hint = f" Your images are flattened: reshape them with x.reshape(-1, {expected})."
            elif len(shape) == len(self.image_shape):
                hint = f" A single image needs a batch axis: use x[None] or x.reshape(1, {expected})."
            raise ValueError(
                f"{type(self).__name__} expects a batch of images of shape (batch, {expected}), "
                f"got {shape}.{hint}")

    def get_config(self):
        config = super().get_config()
        config.update(latent_dim=self.latent_dim, image_shape=list(self.image_shape))
        return config


def _in_batches(layer, inputs, batch_size):
    """Apply ``layer`` to slices of ``inputs``: no full-size copy of the data is made."""
    inputs = np.asarray(inputs, dtype=np.float32)
    outputs = [keras.ops.convert_to_numpy(layer(inputs[start:start + batch_size]))
               for start in range(0, len(inputs), batch_size)]
    return np.concatenate(outputs)
