"""Reproducibility: one call seeds every random number generator the course uses."""

from __future__ import annotations

import random

import numpy as np


def set_seed(seed=0):
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic.

    After this call, building and training the same model on the same data gives the
    same weights on the same machine. (Different CPUs may still differ in the last bits.)

    Parameters
    ----------
    seed : int, default 0
        A non-negative integer below 2**32.

    Returns
    -------
    int
        The seed, so a notebook can print what it used.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer from 0 to 2**32 - 1, got {seed!r}.")
    import keras
    import tensorflow as tf

    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend (TensorFlow)
    tf.config.experimental.enable_op_determinism()
    return seed
