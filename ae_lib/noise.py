"""Seeded corruption of images: Gaussian noise, masking and salt-and-pepper.

Each corruption works on a NumPy array (and returns one) and on a TensorFlow tensor inside
a ``tf.data`` pipeline (and returns a tensor), with one implementation for both. Results
are clipped to [0, 1], like the images. :func:`noisy_batches` builds a training pipeline
in which every epoch sees fresh noise.
"""

from __future__ import annotations

import numbers

import numpy as np

#: The corruptions by name, with the meaning and range of their ``level``.
NOISE_KINDS = {
    "gaussian": "standard deviation sigma of the added noise, in pixel units, from 0 to 1",
    "masking": "fraction of pixels set to 0, from 0 to 1",
    "salt_and_pepper": "fraction of pixels set to 0 or 1 (half each), from 0 to 1",
}


def gaussian_noise(images, sigma, *, seed=0):
    """Add Gaussian noise of standard deviation ``sigma``, then clip to [0, 1].

    Parameters
    ----------
    images : np.ndarray or tf.Tensor
        A batch of images with values in [0, 1].
    sigma : float
        From 0 (no noise) to 1.
    seed : int or tf.Tensor
        An int, or inside ``tf.data`` a shape-(2,) integer tensor (a stateless seed).

    Returns
    -------
    np.ndarray or tf.Tensor
        Same type, shape and dtype float32 as ``images``.
    """
    return corrupt(images, "gaussian", sigma, seed=seed)


def masking_noise(images, fraction, *, seed=0):
    """Set a random ``fraction`` of the pixels of each image to 0 (dropout-style masking).

    Parameters and return value as in :func:`gaussian_noise`; ``fraction`` is from 0 to 1.
    """
    return corrupt(images, "masking", fraction, seed=seed)


def salt_and_pepper_noise(images, fraction, *, seed=0):
    """Set a random ``fraction`` of the pixels to 0 or 1, half of them each.

    Parameters and return value as in :func:`gaussian_noise`; ``fraction`` is from 0 to 1.
    """
    return corrupt(images, "salt_and_pepper", fraction, seed=seed)


def corrupt(images, kind, level, *, seed=0):
    """Corrupt ``images`` with the noise ``kind`` (a key of :data:`NOISE_KINDS`) at ``level``.

    The same ``seed`` gives the same noise. NumPy in, NumPy out; tensor in, tensor out.

    Raises
    ------
    ValueError
        For an unknown kind, a level outside [0, 1], or NumPy images outside [0, 1].
    """
    import tensorflow as tf

    level = check_noise_level(kind, level)
    if isinstance(images, (tf.Tensor, tf.Variable)):
        return _corrupt_tensor(tf.cast(images, tf.float32), kind, level, _seed_pair(seed))
    from ae_lib.training import check_images

    array = check_images(images, "images")
    noisy = _corrupt_tensor(tf.convert_to_tensor(array), kind, level, _seed_pair(seed))
    return noisy.numpy()


def check_noise_level(kind, level):
    """Return ``level`` as a float after checking ``kind`` is known and ``level`` in [0, 1]."""
    if kind not in NOISE_KINDS:
        raise ValueError(f"Unknown noise kind {kind!r}; choose one of {sorted(NOISE_KINDS)}.")
    if isinstance(level, bool) or not isinstance(level, numbers.Real) \
            or not 0.0 <= float(level) <= 1.0:
        raise ValueError(f"The {kind} noise level must be a number from 0 to 1 "
                         f"({NOISE_KINDS[kind]}), got {level!r}.")
    return float(level)


def noisy_batches(images, batch_size, kind, level, *, seed=0, shuffle=True):
    """A ``tf.data`` pipeline of ``(noisy batch, clean batch)`` pairs, fresh noise each epoch.

    This is what a denoising autoencoder trains on: ``model.fit(noisy_batches(...))``
    minimises ``L(x, g(f(x_noisy)))``.

    Parameters
    ----------
    images : np.ndarray
        Shape (N, ...), values in [0, 1].
    batch_size : int
    kind : str
        A key of :data:`NOISE_KINDS`.
    level : float
        From 0 to 1.
    seed : int
        Fixes the noise of every epoch (and, with :func:`ae_lib.repro.set_seed`, the order).
    shuffle : bool, default True

    Returns
    -------
    tf.data.Dataset
    """
    import tensorflow as tf

    from ae_lib.training import check_images, reconstruction_batches

    level = check_noise_level(kind, level)
    clean = reconstruction_batches(check_images(images, "images"), batch_size, shuffle=shuffle)
    # One stateless seed per batch; rerandomize_each_iteration draws new ones every epoch.
    seeds = tf.data.Dataset.random(seed=_as_seed_int(seed), rerandomize_each_iteration=True)
    seeds = seeds.batch(2, drop_remainder=True)

    def add_noise(pair, batch_seed):
        batch, target = pair
        return _corrupt_tensor(batch, kind, level, batch_seed), target

    return (tf.data.Dataset.zip(clean, seeds)
            .map(add_noise, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


def _corrupt_tensor(batch, kind, level, seed):
    """The one implementation of every corruption, in TensorFlow's stateless random ops."""
    import tensorflow as tf

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


def _as_seed_int(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    return int(seed)


def _seed_pair(seed):
    """A stateless seed: a shape-(2,) tensor passes through; an int n becomes (n, 0)."""
    import tensorflow as tf

    if isinstance(seed, (tf.Tensor, tf.Variable)):
        return seed
    return tf.constant([_as_seed_int(seed), 0], dtype=tf.int64)
