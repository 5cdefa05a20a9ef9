"""Seeded corruption of images: Gaussian noise, masking and salt-and-pepper.

:func:`corrupt` is the one entry point: it works on a NumPy array (and returns one) and
on a TensorFlow tensor inside a ``tf.data`` pipeline (and returns a tensor), with one
implementation for both. Results are clipped to [0, 1], like the images.
:func:`noisy_batches` builds a training pipeline in which every epoch sees fresh noise.
"""

from __future__ import annotations

import tensorflow as tf

from ae_lib.batching import reconstruction_batches
from ae_lib.validation import (check_choice, check_images, check_number, check_seed,
                               is_tensor)

#: The corruptions by name, with the meaning of their ``level`` (from 0 to 1).
NOISE_KINDS = {
    "gaussian": "the standard deviation sigma of the added noise, in pixel units",
    "masking": "the fraction of pixels set to 0",
    "salt_and_pepper": "the fraction of pixels set to 0 or 1 (half each)",
}


def corrupt(images, kind, level, *, seed=0):
    """Corrupt ``images`` with the noise ``kind`` (a key of :data:`NOISE_KINDS`) at ``level``.

    The same ``seed`` gives the same noise. NumPy in, NumPy out; tensor in, tensor out.

    Parameters
    ----------
    images : np.ndarray or tf.Tensor
        A batch of images with values in [0, 1]. A tensor (inside ``tf.data``) is not
        checked: looking at its values would cost a pass over the data.
    kind : str
        ``"gaussian"``, ``"masking"`` or ``"salt_and_pepper"``.
    level : float
        From 0 (no noise) to 1; its meaning for each kind is in :data:`NOISE_KINDS`.
    seed : int or tf.Tensor, default 0
        An int from 0 to 2**32 - 1, or inside ``tf.data`` a shape-(2,) integer tensor (a
        stateless seed).

    Returns
    -------
    np.ndarray or tf.Tensor
        Same type and shape as ``images``, dtype float32.

    Raises
    ------
    ValueError
        For an unknown kind, a level outside [0, 1], or NumPy images outside [0, 1].
    """
    kind, level = check_noise_level(kind, level)
    seed = seed if is_tensor(seed) else _seed_pair(seed)
    if is_tensor(images):
        return _corrupt_tensor(tf.cast(images, tf.float32), kind, level, seed)
    array = check_images(images, "images")
    return _corrupt_tensor(tf.convert_to_tensor(array), kind, level, seed).numpy()


def check_noise_level(kind, level):
    """``(kind, level as a float)``, once ``kind`` is known and ``level`` is in [0, 1]."""
    kind = check_choice(kind, "kind", NOISE_KINDS)
    level = check_number(level, "level", low=0.0, high=1.0,
                         expected=f"a number from 0 to 1 for {kind} noise ({NOISE_KINDS[kind]})")
    return kind, level


def noisy_batches(images, batch_size, kind, level, *, seed=0, shuffle=True):
    """A ``tf.data`` pipeline of ``(noisy batch, clean batch)`` pairs, fresh noise each epoch.

    This is what a denoising autoencoder trains on: ``model.fit(noisy_batches(...))``
    minimises ``L(x, g(f(x_noisy)))``.

    Parameters
    ----------
    images : np.ndarray or tf.Tensor
        Shape (N, ...), values in [0, 1].
    batch_size : int
    kind : str
        A key of :data:`NOISE_KINDS`.
    level : float
        From 0 to 1.
    seed : int, default 0
        Fixes the noise of every epoch (and, with :func:`ae_lib.repro.set_seed`, the order).
    shuffle : bool, default True

    Returns
    -------
    tf.data.Dataset
    """
    kind, level = check_noise_level(kind, level)
    seed = check_seed(seed)
    images = check_images(images, "images", min_ndim=1, allow_tensor=True)
    clean = reconstruction_batches(images, batch_size, shuffle=shuffle)
    # One stateless seed per batch; rerandomize_each_iteration draws new ones every epoch.
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    seeds = seeds.batch(2, drop_remainder=True)

    def add_noise(pair, batch_seed):
        batch, target = pair
        return _corrupt_tensor(batch, kind, level, batch_seed), target

    return (tf.data.Dataset.zip(clean, seeds)
            .map(add_noise, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


def _corrupt_tensor(batch, kind, level, seed):
    """The one implementation of every corruption, in TensorFlow's stateless random ops."""
    shape = tf.shape(batch)
    if kind == "gaussian":
        noisy = batch + level * tf.random.stateless_normal(shape, seed=seed)
    elif kind == "masking":
        keep = tf.random.stateless_uniform(shape, seed=seed) >= level
        noisy = tf.where(keep, batch, tf.zeros_like(batch))
    else:  # salt_and_pepper
        draw = tf.random.stateless_uniform(shape, seed=seed)
        noisy = tf.where(draw < level / 2, tf.zeros_like(batch),
                         tf.where(draw < level, tf.ones_like(batch), batch))
    return tf.clip_by_value(noisy, 0.0, 1.0)


def _seed_pair(seed):
    """A stateless seed: the int n becomes the tensor (n, 0)."""
    return tf.constant([check_seed(seed), 0], dtype=tf.int64)
