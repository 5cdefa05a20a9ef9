"""Reproducibility: one call seeds every random number generator the course uses."""

from __future__ import annotations

import random

import keras
import numpy as np
import tensorflow as tf

from ae_lib.validation import check_seed


def set_seed(seed=0):
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic.

    After this call, building and training the same model on the same data gives the
    same weights on the same machine. (Different CPUs may still differ in the last bits.)

    Parameters
    ----------
    seed : int, default 0
        An integer from 0 to 2**32 - 1 (a NumPy integer will do).

    Returns
    -------
    int
        The seed, so a notebook can print what it used.
    """
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend (TensorFlow)
    tf.config.experimental.enable_op_determinism()
    return seed
