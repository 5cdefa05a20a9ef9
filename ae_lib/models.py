"""Autoencoder models used across the course.

Importing this module registers every class a saved model of the course may contain
(:class:`Autoencoder`, :class:`TiedAutoencoder` and the penalties of
:mod:`ae_lib.regularizers`), so ``keras.models.load_model`` needs nothing but
``import ae_lib.models``.
"""

from __future__ import annotations

import inspect
import math

import keras
import numpy as np
from keras import layers

# Imported for its side effect as well: it registers the penalties a saved Autoencoder's
# code_regularizer may be, so that loading one needs only this module.
from ae_lib import regularizers  # noqa: F401
from ae_lib.validation import (check_activation, check_array, check_bool, check_callable,
                               check_images, check_optional_positive_int, check_positive_int,
                               check_positive_ints, check_string, fail, is_tensor)
from ae_lib.recipe import STEPS_PER_EXECUTION

_FIT_SIGNATURE = inspect.signature(keras.Model.fit)
_EVALUATE_SIGNATURE = inspect.signature(keras.Model.evaluate)
_PREDICT_SIGNATURE = inspect.signature(keras.Model.predict)


@keras.saving.register_keras_serializable(package="ae_lib")
class Autoencoder(keras.Model):
    """The article's dense autoencoder: Flatten -> Dense(latent_dim, relu) -> Dense(784, sigmoid).

    The encoder maps an image to a code of ``latent_dim`` numbers; the decoder maps the code
    back to an image. Outputs are in [0, 1] (sigmoid), matching images scaled to [0, 1].

    ``fit``, ``evaluate`` and ``predict`` check NumPy arrays and tensors before Keras sees
    them: a batch of the right shape, not empty, finite, and with values in [0, 1] when the
    output is a sigmoid (with a "divide by 255" hint for raw pixels). They cannot check a
    ``tf.data`` pipeline without running through it, so data passed that way (for example
    from :func:`ae_lib.batching.reconstruction_batches`) is checked only for its shape.

    Parameters
    ----------
    latent_dim : int
        Size of the code (the bottleneck), a positive integer.
    image_shape : tuple of int, default (28, 28)
        Shape of one input image.
    code_regularizer : keras.regularizers.Regularizer, str or dict, optional
        A penalty on the code (the encoder's activations), added to the loss; for example
        ``keras.regularizers.L1(1e-4)`` for a sparse autoencoder. Saved with the model.
    code_activation : str, callable or None, default "relu"
        The code's activation, as the article has it; ``"sigmoid"`` gives codes in (0, 1),
        which the KL-divergence sparsity penalty needs.
    output_activation : str, callable or None, default "sigmoid"
        The decoder's last activation. With ``"sigmoid"`` the data must lie in [0, 1];
        ``None`` (linear) suits centred data.
    **kwargs
        Passed to ``keras.Model`` (for example ``name``).

    Examples
    --------
    >>> model = Autoencoder(32)
    >>> model.compile(optimizer="adam", loss="mse")
    """

    def __init__(self, latent_dim, image_shape=(28, 28), code_regularizer=None,
                 code_activation="relu", output_activation="sigmoid", **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = check_positive_int(latent_dim, "latent_dim")
        self.image_shape = tuple(check_positive_ints(image_shape, "image_shape"))
        self.code_regularizer = _regularizer(code_regularizer)
        self.code_activation = check_activation(code_activation, "code_activation")
        self.output_activation = check_activation(output_activation, "output_activation")
        # The layers come from two methods a subclass may override (TiedAutoencoder
        # does): each model holds exactly the layers it uses.
        self.encoder = self._make_encoder()
        self.decoder = self._make_decoder()

    def _make_encoder(self):
        """Flatten -> Dense(latent_dim) named ``code``, in a Sequential named ``encoder``."""
        return keras.Sequential(
            [layers.Flatten(name="flatten"),
             layers.Dense(self.latent_dim, activation=self.code_activation,
                          activity_regularizer=self.code_regularizer, name="code")],
            name="encoder")

    def _make_decoder(self):
        """Dense(n_pixels) named ``output`` -> Reshape, in a Sequential named ``decoder``."""
        return keras.Sequential(
            [layers.Dense(math.prod(self.image_shape), activation=self.output_activation,
                          name="output"),
             layers.Reshape(self.image_shape, name="reshape")],
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

    # fit/predict/evaluate trace a graph in which shapes may be unknown and values are
    # never looked at, so arrays are checked here, before they enter it.
    def fit(self, *args, **kwargs):
        arguments = _FIT_SIGNATURE.bind(self, *args, **kwargs).arguments
        self._check_arguments(arguments, "fit")
        for key in ("batch_size", "validation_batch_size", "steps_per_epoch"):
            check_optional_positive_int(arguments.get(key), key)
        check_positive_int(arguments.get("epochs", 1), "epochs")
        validation = arguments.get("validation_data")
        if isinstance(validation, (tuple, list)) and len(validation) >= 2:
            checked = self._check_data(validation[0], "validation_data[0]")
            target = checked if validation[1] is validation[0] else \
                self._check_data(validation[1], "validation_data[1]")
            arguments["validation_data"] = (checked, target, *validation[2:])
        del arguments["self"]
        return super().fit(**arguments)

    def evaluate(self, *args, **kwargs):
        arguments = _EVALUATE_SIGNATURE.bind(self, *args, **kwargs).arguments
        self._check_arguments(arguments, "evaluate")
        check_optional_positive_int(arguments.get("batch_size"), "batch_size")
        del arguments["self"]
        extra = arguments.pop("kwargs", {})
        return super().evaluate(**arguments, **extra)

    def predict(self, *args, **kwargs):
        arguments = _PREDICT_SIGNATURE.bind(self, *args, **kwargs).arguments
        if arguments["x"] is None:
            fail(TypeError, "x", "the images: an array, a tensor or a tf.data pipeline", None)
        arguments["x"] = self._check_data(arguments["x"], "x")
        check_optional_positive_int(arguments.get("batch_size"), "batch_size")
        del arguments["self"]
        return super().predict(**arguments)

    def _check_arguments(self, arguments, method):
        """Check ``x`` and ``y`` of fit or evaluate in place; a missing ``y`` is named."""
        x, y = arguments.get("x"), arguments.get("y")
        if _is_data(x):
            if y is None:
                raise ValueError(
                    f"y is missing. An autoencoder learns to reproduce its input: pass the "
                    f"images twice, {method}(x, x), or (noisy, clean) pairs.")
            arguments["x"] = self._check_data(x, "x")
            arguments["y"] = arguments["x"] if y is x else self._check_data(y, "y")
            if _is_data(arguments["y"]) and len(arguments["y"]) != len(arguments["x"]):
                raise ValueError(
                    f"y must hold one target per image of x ({len(arguments['x'])}). "
                    f"Received: y with {len(arguments['y'])}.")
        elif x is None:
            fail(TypeError, "x", "the images: an array, a tensor or a tf.data pipeline", x)

    def _check_data(self, data, name):
        """Arrays, lists and tensors: shape, then emptiness, finiteness and value range."""
        if not _is_data(data):
            return data  # a tf.data pipeline or generator: looked at by Keras only
        if is_tensor(data):
            self._check_input_shape(tuple(data.shape), name)
            return check_images(data, name, value_range=self._value_range(), min_ndim=1,
                                allow_tensor=True)
        array = check_array(data, name, min_ndim=0, non_empty=False, finite=False,
                            dtype=np.float32)
        self._check_input_shape(array.shape, name)
        return check_images(array, name, value_range=self._value_range(), min_ndim=1)

    def _value_range(self):
        """[0, 1] for a sigmoid output (it cannot reach other values); otherwise any."""
        sigmoid = self.output_activation in ("sigmoid", keras.activations.sigmoid)
        return (0.0, 1.0) if sigmoid else None

    def encode(self, images, batch_size=1024):
        """The codes of ``images`` as a NumPy array of shape (N, latent_dim), in batches."""
        if not _is_data(images):
            fail(TypeError, "images", "an array of images", images)
        images = self._check_data(images, "images")
        return apply_in_batches(self.encoder, images, batch_size)

    def decode(self, codes, batch_size=1024):
        """The images decoded from ``codes`` (shape (N, latent_dim)) as a NumPy array."""
        codes = check_array(codes, "codes", dtype=np.float32)
        if codes.ndim != 2 or codes.shape[1] != self.latent_dim:
            raise ValueError(
                f"decode expects codes of shape (batch, {self.latent_dim}), got {codes.shape}.")
        return apply_in_batches(self.decoder, codes, batch_size)

    def _check_input_shape(self, shape, name="inputs"):
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
                hint = (f" A single image needs a batch axis: use x[None] or "
                        f"x.reshape(1, {expected}).")
            raise ValueError(
                f"{name} must be a batch of images of shape (batch, {expected}) for this "
                f"{type(self).__name__}. Received: {name} of shape {shape}.{hint}")

    def get_config(self):
        config = super().get_config()
        config.update(latent_dim=self.latent_dim, image_shape=list(self.image_shape),
                      code_activation=self._activation_config(self.code_activation),
                      output_activation=self._activation_config(self.output_activation),
                      code_regularizer=keras.regularizers.serialize(self.code_regularizer)
                      if self.code_regularizer is not None else None)
        return config

    @staticmethod
    def _activation_config(activation):
        return activation if activation is None or isinstance(activation, str) else \
            keras.activations.serialize(activation)


def _is_data(value):
    """NumPy arrays, nested lists and tensors: data that can be checked without iterating."""
    return isinstance(value, (np.ndarray, list)) or is_tensor(value)


def _regularizer(value):
    """``value`` as a Keras regularizer (or None), with a clear error for anything else."""
    if value is None or isinstance(value, keras.regularizers.Regularizer):
        return value
    try:
        return keras.regularizers.get(value)
    except (ValueError, TypeError) as error:
        if isinstance(value, dict):
            raise ValueError(
                f"code_regularizer could not be rebuilt from its config {value!r} ({error}). "
                "If it is a custom class, import the module that registers it (for the "
                "course's penalties, ae_lib.regularizers) before loading.") from error
        raise ValueError(
            f"code_regularizer must be a keras regularizer, its name or its config. "
            f"Received: code_regularizer={value!r}. Pass, for example, "
            f"keras.regularizers.L1(1e-4).") from error


def apply_in_batches(layer, inputs, batch_size=1024):
    """Run a model or layer on ``inputs`` in slices and return a NumPy array.

    Like ``model.predict`` for inference, but a direct call: no full-size copy of the data,
    and no graph to trace, so a notebook that evaluates many models gets no "retracing"
    warnings. Layers run in inference mode (dropout off).

    Parameters
    ----------
    layer : keras.Layer or keras.Model
    inputs : array_like
        Shape (N, ...), finite numbers.
    batch_size : int, default 1024

    Returns
    -------
    np.ndarray
        The outputs, concatenated along the first axis.
    """
    check_callable(layer, "layer")
    batch_size = check_positive_int(batch_size, "batch_size")
    inputs = check_array(inputs, "inputs", min_ndim=1, dtype=np.float32)
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
    name : str, default "linear_autoencoder"

    Returns
    -------
    keras.Sequential
        Layers ``encoder`` and ``decoder``; ``decoder.kernel`` has shape (latent_dim, n_features).
    """
    n_features = check_positive_int(n_features, "n_features")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    check_string(name, "name")
    return keras.Sequential([
        keras.Input((n_features,)),
        layers.Dense(latent_dim, use_bias=False, name="encoder"),
        layers.Dense(n_features, use_bias=False, name="decoder"),
    ], name=name)


class TiedDense(layers.Layer):
    """A dense layer whose kernel is the transpose of another Dense layer's kernel.

    It has its own bias but no kernel of its own: ``outputs = activation(inputs @ W.T + b)``
    where ``W`` is ``tied_to.kernel``. Gradients of both layers flow into that one shared
    kernel.

    It is not registered for saving on its own: it cannot be rebuilt without the layer it is
    tied to, so it is saved as part of a model that creates and re-ties it, such as
    :class:`TiedAutoencoder`.

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
            fail(TypeError, "tied_to", "a keras.layers.Dense layer (TiedDense uses its "
                 "kernel, transposed)", tied_to)
        # Not tracked as a sub-layer: the tied layer's weights belong to the tied layer only,
        # so they are counted and saved once.
        object.__setattr__(self, "tied_to", tied_to)
        self.activation = keras.activations.get(check_activation(activation, "activation"))
        self.use_bias = check_bool(use_bias, "use_bias")

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

    Encoder ``encoder``: Flatten -> Dense ``code`` (latent_dim units, ``code_activation``)
    with kernel W (784 x latent_dim). Decoder ``decoder``: TiedDense ``tied_output`` (W
    transposed, its own bias of 784) -> Reshape. It has ``784 * latent_dim + latent_dim +
    784`` parameters instead of ``784 * latent_dim + latent_dim + latent_dim * 784 + 784``.
    ``code_layer`` is the Dense layer that holds W.

    Parameters
    ----------
    latent_dim : int
    image_shape : tuple of int, default (28, 28)
    code_activation : str or None, default "relu"
    output_activation : str or None, default "sigmoid"
        ``None`` for both gives a linear tied autoencoder.
    **kwargs
        Passed to :class:`Autoencoder` (``code_regularizer``, ``name``).
    """

    def __init__(self, latent_dim, image_shape=(28, 28), code_activation="relu",
                 output_activation="sigmoid", **kwargs):
        super().__init__(latent_dim, image_shape, code_activation=code_activation,
                         output_activation=output_activation, **kwargs)

    @property
    def code_layer(self):
        """The encoder's Dense layer, whose kernel W both halves use."""
        return self.encoder.layers[-1]

    def _make_decoder(self):
        return keras.Sequential(
            [TiedDense(self.code_layer, activation=self.output_activation,
                       name="tied_output"),
             layers.Reshape(self.image_shape, name="reshape")], name="decoder")
