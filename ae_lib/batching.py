"""``tf.data`` pipelines that hold a data set once and gather each batch from it.

Keras's ``fit(x, x)`` on NumPy arrays holds several copies of ``x`` (input, target,
shuffled views); for 60,000 Fashion-MNIST images that is about 0.7 GB more at peak. These
pipelines hold the data once, as a tensor, and gather each batch from a shuffled index.
The shuffle follows TensorFlow's global seed, so :func:`ae_lib.repro.set_seed` fixes it.

The data are checked to be a non-empty batch of finite numbers. Their range is not
checked: the same pipelines serve images in [0, 1], centred images and codes.
"""

from __future__ import annotations

import tensorflow as tf

from ae_lib.validation import check_bool, check_images, check_labels, check_positive_int

_BATCH_FIX = "Pass a whole number such as 256."


def reconstruction_batches(images, batch_size, *, shuffle=True):
    """A ``tf.data`` pipeline of ``(batch, batch)`` pairs drawn from ``images``.

    Parameters
    ----------
    images : np.ndarray or tf.Tensor
        Shape (N, ...), finite numbers. To build many pipelines over one large data set,
        convert it once with ``tf.convert_to_tensor`` and pass that tensor.
    batch_size : int
    shuffle : bool, default True
        Draw a new order every epoch.

    Returns
    -------
    tf.data.Dataset
    """
    table, batch_size, shuffle = _table(images, "images"), _batch(batch_size), \
        check_bool(shuffle, "shuffle")
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
        Shape (N, ...), finite numbers.
    labels : array_like of int
        Shape (N,), class indices from 0.
    batch_size : int
    shuffle : bool, default True

    Returns
    -------
    tf.data.Dataset
    """
    table = _table(images, "images")
    labels = check_labels(labels, "labels", length=len(table), per="image")
    batch_size, shuffle = _batch(batch_size), check_bool(shuffle, "shuffle")
    label_table = tf.convert_to_tensor(labels)
    return _gathered_batches(len(table), batch_size, shuffle,
                             lambda rows: (tf.gather(table, rows),
                                           tf.gather(label_table, rows)))


def _table(images, name):
    """The data as one float32 tensor, after checking them (no range check)."""
    checked = check_images(images, name, value_range=None, min_ndim=1, allow_tensor=True)
    return tf.convert_to_tensor(checked, dtype=tf.float32)


def _batch(batch_size):
    return check_positive_int(batch_size, "batch_size", fix=_BATCH_FIX)


def _gathered_batches(count, batch_size, shuffle, gather):
    """Batches of row indices (shuffled each epoch if asked), mapped through ``gather``.

    The shuffle follows TensorFlow's global seed; a parallel map keeps the batches' order
    (tf.data is deterministic unless told not to).
    """
    indices = tf.data.Dataset.range(count)
    if shuffle:
        indices = indices.shuffle(count, reshuffle_each_iteration=True)
    return (indices.batch(batch_size)
            .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))
