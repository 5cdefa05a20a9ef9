"""Autoencoder models used across the course."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers

from ae_lib.recipe import STEPS_PER_EXECUTION


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
    code_regularizer : keras.regularizers.Regularizer, str or dict, optional
        A penalty on the code (the encoder's activations), added to the loss; for example
        ``keras.regularizers.L1(1e-4)`` for a sparse autoencoder. Saved with the model.
    code_activation : str, default "relu"
        The code's activation, as the article has it; ``"sigmoid"`` gives codes in (0, 1),
        which the KL-divergence sparsity penalty needs.
    **kwargs
        Passed to ``keras.Model`` (for example ``name``).

    Examples
    --------
    >>> model = Autoencoder(32)
    >>> model.compile(optimizer="adam", loss="mse")
    """

    def __init__(self, latent_dim, image_shape=(28, 28), code_regularizer=None,
                 code_activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.image_shape = tuple(check_positive_int("image_shape entry", d) for d in image_shape)
        self.code_regularizer = _regularizer(code_regularizer)
        self.code_activation = code_activation
        n_pixels = math.prod(self.image_shape)
        self.encoder = keras.Sequential(
            [layers.Flatten(), layers.Dense(self.latent_dim, activation=code_activation,
                                            activity_regularizer=self.code_regularizer)],
            name="encoder")
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

    def compile(self, *args, steps_per_execution=STEPS_PER_EXECUTION, **kwargs):
        """Keras's ``compile``, with the course's fast recipe as default (:mod:`ae_lib.recipe`).

        Many batches run per compiled call; pass ``steps_per_execution=1`` for Keras's own
        default (a callback then sees every batch end).
        """
        super().compile(*args, steps_per_execution=steps_per_execution, **kwargs)

    # Keras restores a saved model's compile settings itself only when compile() is not
    # overridden; this does what its own compile_from_config does.
    def get_compile_config(self):
        return super().get_compile_config()

    def compile_from_config(self, config):
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)  # its slots, to load their values

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
        return apply_in_batches(self.encoder, images, batch_size)

    def decode(self, codes, batch_size=1024):
        """The images decoded from ``codes`` (shape (N, latent_dim)) as a NumPy array."""
        if np.ndim(codes) != 2 or np.shape(codes)[1] != self.latent_dim:
            raise ValueError(
                f"decode expects codes of shape (batch, {self.latent_dim}), got {np.shape(codes)}.")
        return apply_in_batches(self.decoder, codes, batch_size)

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
        config.update(latent_dim=self.latent_dim, image_shape=list(self.image_shape),
                      code_activation=self.code_activation,
                      code_regularizer=keras.regularizers.serialize(self.code_regularizer)
                      if self.code_regularizer is not None else None)
        return config


def _regularizer(value):
    """``value`` as a Keras regularizer (or None), with a clear error for anything else."""
    if value is None or isinstance(value, keras.regularizers.Regularizer):
        return value
    try:
        return keras.regularizers.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"code_regularizer must be a keras regularizer such as "
            f"keras.regularizers.L1(1e-4), its name or its config; got {value!r}.") from error


def apply_in_batches(layer, inputs, batch_size=1024):
    """Run a model or layer on ``inputs`` in slices and return a NumPy array.

    Like ``model.predict`` for inference, but a direct call: no full-size copy of the data,
    and no graph to trace, so a notebook that evaluates many models gets no "retracing"
    warnings. Layers run in inference mode (dropout off).

    Parameters
    ----------
    layer : keras.Layer or keras.Model
    inputs : array_like
        Shape (N, ...).
    batch_size : int, default 1024

    Returns
    -------
    np.ndarray
        The outputs, concatenated along the first axis.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    inputs = np.asarray(inputs, dtype=np.float32)
    if inputs.ndim == 0 or len(inputs) == 0:
        raise ValueError(f"inputs must be a non-empty batch, got shape {inputs.shape}.")
    outputs = [keras.ops.convert_to_numpy(layer(inputs[start:start + batch_size],
                                                training=False))
               for start in range(0, len(inputs), batch_size)]
    return np.concatenate(outputs)


def linear_autoencoder(n_features, latent_dim, *, name="linear_autoencoder"):
    """A linear autoencoder for centred vectors: Dense(latent_dim) -> Dense(n_features).

    No activations and no biases, so the model computes ``x W_e W_d``: with the mean
    squared error its best solution spans the same subspace as PCA's top ``latent_dim``
    components (Baldi & Hornik, 1989). Centre the data before training.

    Parameters
    ----------
    n_features : int
        Length of each input vector (784 for flattened 28x28 images).
    latent_dim : int
        Size of the code.

    Returns
    -------
    keras.Sequential
        Layers ``encoder`` and ``decoder``; ``decoder.kernel`` has shape (latent_dim, n_features).
    """
    n_features = check_positive_int("n_features", n_features)
    latent_dim = check_positive_int("latent_dim", latent_dim)
    return keras.Sequential([
        keras.Input((n_features,)),
        layers.Dense(latent_dim, use_bias=False, name="encoder"),
        layers.Dense(n_features, use_bias=False, name="decoder"),
    ], name=name)


@keras.saving.register_keras_serializable(package="ae_lib")
class TiedDense(layers.Layer):
    """A dense layer whose kernel is the transpose of another Dense layer's kernel.

    It has its own bias but no kernel of its own: ``outputs = activation(inputs @ W.T + b)``
    where ``W`` is ``tied_to.kernel``. Gradients of both layers flow into that one shared
    kernel. The layer is rebuilt (and re-tied) by the model that creates it, such as
    :class:`TiedAutoencoder`, so it is saved as part of such a model.

    Parameters
    ----------
    tied_to : keras.layers.Dense
        The layer whose kernel (shape (n_in, n_out)) is used transposed.
    activation : str or callable, optional
    use_bias : bool, default True
    """

    def __init__(self, tied_to, activation=None, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(tied_to, layers.Dense):
            raise TypeError(
                f"TiedDense must be tied to a keras.layers.Dense layer, got {type(tied_to).__name__}.")
        # Not tracked as a sub-layer: the tied layer's weights belong to the tied layer only,
        # so they are counted and saved once.
        object.__setattr__(self, "tied_to", tied_to)
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias

    def build(self, input_shape):
        if not self.tied_to.built:
            raise ValueError(
                f"TiedDense needs the layer it is tied to ({self.tied_to.name}) to be built "
                "first: call the encoder before the decoder.")
        n_out, n_in = self.tied_to.kernel.shape
        if input_shape[-1] is not None and input_shape[-1] != n_in:
            raise ValueError(
                f"TiedDense is tied to '{self.tied_to.name}' with {n_in} units, so it expects "
                f"inputs with {n_in} features; got {input_shape[-1]}.")
        self.units = n_out
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(n_out,), initializer="zeros")

    def call(self, inputs):
        outputs = keras.ops.matmul(inputs, keras.ops.transpose(self.tied_to.kernel))
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.tied_to.kernel.shape[0])


@keras.saving.register_keras_serializable(package="ae_lib")
class TiedAutoencoder(Autoencoder):
    """:class:`Autoencoder` whose decoder uses the transpose of the encoder's weight matrix.

    Encoder: Flatten -> Dense(latent_dim, code_activation) with kernel W (784 x latent_dim).
    Decoder: TiedDense (W transposed, own bias of 784) -> Reshape. It has
    ``784 * latent_dim + latent_dim + 784`` parameters instead of
    ``784 * latent_dim + latent_dim + latent_dim * 784 + 784``.

    Parameters
    ----------
    latent_dim : int
    image_shape : tuple of int, default (28, 28)
    code_activation : str or None, default "relu"
    output_activation : str or None, default "sigmoid"
        ``None`` for both gives a linear tied autoencoder.
    """

    def __init__(self, latent_dim, image_shape=(28, 28), code_activation="relu",
                 output_activation="sigmoid", **kwargs):
        super().__init__(latent_dim, image_shape, code_activation=code_activation, **kwargs)
        self.output_activation = output_activation
        # Replace the parent's (still unbuilt, weightless) encoder and decoder with tied ones.
        self.code_layer = layers.Dense(self.latent_dim, activation=code_activation,
                                       activity_regularizer=self.code_regularizer, name="code")
        self.encoder = keras.Sequential([layers.Flatten(), self.code_layer], name="encoder")
        self.decoder = keras.Sequential(
            [TiedDense(self.code_layer, activation=output_activation, name="tied_output"),
             layers.Reshape(self.image_shape)], name="decoder")

    def get_config(self):
        config = super().get_config()
        config.update(code_activation=self.code_activation,
                      output_activation=self.output_activation)
        return config
