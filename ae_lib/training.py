"""Training helpers with compact progress output (one line every few epochs)."""

from __future__ import annotations

import sys
import time

import keras
import numpy as np


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
        if isinstance(every, bool) or not isinstance(every, int) or every <= 0:
            raise ValueError(f"every must be a positive integer, got {every!r}.")
        self.every = every
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
    checked first and per-batch progress bars replaced by :class:`CompactProgress`.

    Parameters
    ----------
    model : keras.Model
        A compiled model whose output has the shape of its input.
    x_train : np.ndarray
        Training images, float, values in [0, 1].
    x_val : np.ndarray, optional
        Validation images; when given, ``val_loss`` is reported each epoch.
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
    if not getattr(model, "compiled", False):
        raise ValueError(
            "The model is not compiled yet. Compile it first, for example "
            "model.compile(optimizer='adam', loss='mse').")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    x_train = check_images(x_train, "x_train")
    validation_data = None
    if x_val is not None:
        x_val = check_images(x_val, "x_val")
        if x_val.shape[1:] != x_train.shape[1:]:
            raise ValueError(
                f"x_val images have shape {x_val.shape[1:]}, x_train images {x_train.shape[1:]}; "
                "they must match.")
        validation_data = (x_val, x_val)
    every = print_every if print_every is not None else max(1, epochs // 5)
    return model.fit(
        reconstruction_batches(x_train, batch_size, shuffle=shuffle),
        validation_data=validation_data, epochs=epochs, verbose=0,
        shuffle=False,  # the pipeline shuffles; Keras would warn that it cannot
        callbacks=[CompactProgress(every), *callbacks])


def reconstruction_batches(images, batch_size, *, shuffle=True):
    """A ``tf.data`` pipeline of ``(batch, batch)`` pairs drawn from ``images``.

    Keras's ``fit(x, x)`` on NumPy arrays holds several copies of ``x`` (input, target,
    shuffled views); for 60,000 Fashion-MNIST images that is about 0.7 GB more at peak.
    Here the images are held once, and each batch is gathered from a shuffled index.
    The shuffle follows TensorFlow's global seed, so :func:`ae_lib.repro.set_seed` fixes it.

    Parameters
    ----------
    images : np.ndarray
        Shape (N, ...), float.
    batch_size : int
    shuffle : bool, default True
        Draw a new order every epoch.

    Returns
    -------
    tf.data.Dataset
    """
    import tensorflow as tf

    table = tf.convert_to_tensor(images, dtype=tf.float32)
    return _gathered_batches(len(table), batch_size, shuffle,
                             lambda rows: (tf.gather(table, rows),) * 2)


def labelled_batches(images, labels, batch_size, *, shuffle=True):
    """A ``tf.data`` pipeline of ``(images, labels)`` batches, the data held once.

    The supervised counterpart of :func:`reconstruction_batches`: use it instead of
    ``fit(x, y)`` on large NumPy arrays, which would hold several copies of ``x``. Each
    call converts a NumPy array to a tensor (one copy); to build many pipelines over the
    same large data set, convert it once with ``tf.convert_to_tensor`` and pass that.

    Parameters
    ----------
    images : np.ndarray or tf.Tensor
        Shape (N, ...), float.
    labels : array_like of int
        Shape (N,).
    batch_size : int
    shuffle : bool, default True

    Returns
    -------
    tf.data.Dataset
    """
    import tensorflow as tf

    labels = np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"Need one label per image: {len(images)} images, labels of shape "
                         f"{labels.shape}.")
    table = tf.convert_to_tensor(images, dtype=tf.float32)
    label_table = tf.convert_to_tensor(labels)
    return _gathered_batches(len(table), batch_size, shuffle,
                             lambda rows: (tf.gather(table, rows),
                                           tf.gather(label_table, rows)))


def _gathered_batches(count, batch_size, shuffle, gather):
    """Batches of row indices (shuffled each epoch if asked), mapped through ``gather``.

    The shuffle follows TensorFlow's global seed; a parallel map keeps the batches' order
    (tf.data is deterministic unless told not to).
    """
    import tensorflow as tf

    indices = tf.data.Dataset.range(count)
    if shuffle:
        indices = indices.shuffle(count, reshuffle_each_iteration=True)
    return (indices.batch(batch_size)
            .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


def check_images(images, name="images"):
    """Return ``images`` as a float32 array after checking it is a non-empty batch in [0, 1].

    Raises
    ------
    ValueError
        For an empty array, non-numeric or non-finite values, or values outside [0, 1]
        (with a hint when the images look unscaled, 0-255).
    """
    array = np.asarray(images)
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(f"{name} must be a non-empty batch of examples, got shape {array.shape}.")
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}.")
    array = array.astype(np.float32, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > 1.0:
        hint = " They look like raw 0-255 pixels: divide by 255." if high > 1.0 and high <= 255 else ""
        raise ValueError(
            f"{name} must have values in [0, 1] (the decoder ends in a sigmoid), "
            f"got values from {low:g} to {high:g}.{hint}")
    return array


def linear_probe(train_features, train_labels, test_features, test_labels, *, epochs=30,
                 batch_size=256, learning_rate=3e-3, seed=0):
    """Test accuracy of a softmax classifier trained on fixed features (a "linear probe").

    The features are standardised with the training set's mean and spread, then a single
    ``Dense(n_classes, softmax)`` layer is trained with Adam on the cross-entropy. The
    accuracy tells how linearly separable the classes are in that representation: raw
    pixels, or an autoencoder's codes.

    Parameters
    ----------
    train_features, test_features : np.ndarray
        Shapes (N, ...) and (M, ...) with the same feature shape; flattened here.
    train_labels, test_labels : array_like of int
        Class indices from 0, one per example.
    epochs : int, default 30
    batch_size : int, default 256
    learning_rate : float, default 3e-3
    seed : int, default 0
        Seeds the initial weights and the order of examples.

    Returns
    -------
    float
        The fraction of ``test_features`` classified correctly.
    """
    from ae_lib.repro import set_seed

    train_x, test_x = (np.asarray(f, dtype=np.float32).reshape(len(f), -1)
                       for f in (train_features, test_features))
    train_y, test_y = (np.asarray(labels) for labels in (train_labels, test_labels))
    if train_x.shape[1] != test_x.shape[1]:
        raise ValueError(f"Training and test features differ in size: {train_x.shape[1]} "
                         f"and {test_x.shape[1]} numbers per example.")
    for x, y, name in ((train_x, train_y, "train"), (test_x, test_y, "test")):
        if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ValueError(f"{name}_labels must be one non-negative integer per example "
                             f"({len(x)}), got shape {y.shape} and dtype {y.dtype}.")
    mean, spread = train_x.mean(axis=0), train_x.std(axis=0) + 1e-6
    set_seed(seed)
    classifier = keras.Sequential([keras.Input((train_x.shape[1],)),
                                   keras.layers.Dense(int(train_y.max()) + 1,
                                                      activation="softmax")])
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit((train_x - mean) / spread, train_y, epochs=epochs, batch_size=batch_size,
                   verbose=0)
    # A direct call, not predict(): a new classifier per call would make predict retrace
    # its graph every time, and TensorFlow warns about that.
    scores = classifier((test_x - mean) / spread, training=False)
    return float(np.mean(np.argmax(keras.ops.convert_to_numpy(scores), axis=1) == test_y))


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
        ``(kind, level)`` from :mod:`ae_lib.noise`: train each stage as a denoising
        autoencoder (stacked denoising autoencoders). Needs codes in [0, 1], so a sigmoid
        ``activation``.
    seed : int, default 0
    verbose : bool, default True
        Print one line per stage.

    Returns
    -------
    encoder : keras.Sequential
        ``Flatten`` followed by the trained ``Dense`` layers (the same layer objects).
    histories : list of dict
        Per stage: ``"loss"`` (per epoch), ``"input_dim"``, ``"code_dim"`` and
        ``"autoencoder"`` (the stage's whole model, decoder included).
    """
    from ae_lib.models import apply_in_batches, check_positive_int
    from ae_lib.noise import check_noise_level, noisy_batches
    from ae_lib.repro import set_seed

    sizes = [check_positive_int("each layer size", size) for size in layer_sizes]
    if not sizes:
        raise ValueError("layer_sizes must name at least one hidden layer.")
    if noise is not None:
        check_noise_level(*noise)
        if activation != "sigmoid":
            raise ValueError("Denoising stages need codes in [0, 1]: use activation='sigmoid' "
                             f"with noise, not {activation!r}.")
    import tensorflow as tf

    if isinstance(x, tf.Tensor):
        # A tensor is used as it is: no NumPy copy of a large data set is made.
        low, high = float(tf.reduce_min(x)), float(tf.reduce_max(x))
        if low < 0.0 or high > 1.0:
            raise ValueError(f"x must have values in [0, 1], got {low:g} to {high:g}.")
        image_shape, features = tuple(x.shape[1:]), tf.reshape(x, (len(x), -1))
    else:
        images = check_images(x, "x")
        image_shape, features = images.shape[1:], images.reshape(len(images), -1)
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
        stage_model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        batches = (noisy_batches(features, batch_size, *noise, seed=seed + stage)
                   if noise is not None else
                   reconstruction_batches(features, batch_size))
        history = stage_model.fit(batches, epochs=epochs, verbose=0, shuffle=False)
        histories.append({"loss": history.history["loss"], "input_dim": features.shape[1],
                          "code_dim": size, "autoencoder": stage_model})
        if verbose:
            print(f"stage {stage}: {features.shape[1]} -> {size} -> {features.shape[1]}, "
                  f"reconstruction loss {history.history['loss'][-1]:.4f}", flush=True)
        trained_layers.append(encoder_layer)
        # Cut the decoder off: the next stage learns to reconstruct these codes.
        features = apply_in_batches(encoder_layer, features)
    encoder = keras.Sequential([keras.Input(image_shape), keras.layers.Flatten(),
                                *trained_layers], name="stacked_encoder")
    return encoder, histories
