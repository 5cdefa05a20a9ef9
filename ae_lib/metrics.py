"""Reconstruction metrics."""

from __future__ import annotations

import numpy as np


def per_example_mse(originals, reconstructions):
    """Mean squared error of each example, averaged over all its pixels.

    Parameters
    ----------
    originals, reconstructions : array_like
        Arrays of the same shape; the first axis indexes the examples.

    Returns
    -------
    np.ndarray
        Shape (N,), float64.
    """
    originals, reconstructions = _same_shape(originals, reconstructions)
    squared = (originals - reconstructions) ** 2
    return squared.reshape(len(squared), -1).mean(axis=1)


def mse(originals, reconstructions):
    """Mean squared error over all examples and pixels, as Keras's ``"mse"`` loss reports it.

    Returns
    -------
    float
    """
    return float(per_example_mse(originals, reconstructions).mean())


def _same_shape(originals, reconstructions):
    originals = np.asarray(originals, dtype=np.float64)
    reconstructions = np.asarray(reconstructions, dtype=np.float64)
    if originals.shape != reconstructions.shape:
        raise ValueError(
            f"originals and reconstructions must have the same shape, got {originals.shape} "
            f"and {reconstructions.shape}.")
    if originals.ndim < 1 or len(originals) == 0:
        raise ValueError("Need at least one example to compute an error.")
    return originals, reconstructions
