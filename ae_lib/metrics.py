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


def pca(data, n_components):
    """Principal component analysis by singular value decomposition.

    The data are centred with their own mean; the components are the top right-singular
    vectors of the centred data matrix.

    Parameters
    ----------
    data : array_like
        Shape (N, ...); each example is flattened to a vector of D features.
    n_components : int
        How many components to keep, from 1 to min(N, D).

    Returns
    -------
    mean : np.ndarray
        Shape (D,), the mean that was subtracted.
    components : np.ndarray
        Shape (n_components, D); orthonormal rows, by decreasing variance.
    explained_variance : np.ndarray
        Shape (n_components,); the variance of the data along each component.
    """
    matrix = _as_matrix(data)
    limit = min(matrix.shape)
    if isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer)) \
            or not 1 <= n_components <= limit:
        raise ValueError(f"n_components must be an integer from 1 to {limit}, got {n_components!r}.")
    mean = matrix.mean(axis=0)
    _, singular_values, right_vectors = np.linalg.svd(matrix - mean, full_matrices=False)
    explained_variance = singular_values[:n_components] ** 2 / (len(matrix) - 1)
    return mean, right_vectors[:n_components], explained_variance


def pca_reconstruct(data, mean, components):
    """Project ``data`` onto the components' subspace and map back (same shape as ``data``)."""
    data = np.asarray(data, dtype=np.float64)
    matrix = data.reshape(len(data), -1) - mean
    return (matrix @ components.T @ components + mean).reshape(data.shape)


def principal_angles(basis_a, basis_b):
    """Principal angles, in degrees, between the column spaces of two matrices.

    Parameters
    ----------
    basis_a, basis_b : array_like
        Shapes (D, k) and (D, m): each column is a vector spanning the subspace; the
        columns need not be orthonormal, only linearly independent.

    Returns
    -------
    np.ndarray
        min(k, m) angles from smallest to largest, in [0, 90]. All zeros: the same
        subspace; 90: a direction of one is orthogonal to the other.
    """
    basis_a = np.asarray(basis_a, dtype=np.float64)
    basis_b = np.asarray(basis_b, dtype=np.float64)
    if basis_a.ndim != 2 or basis_b.ndim != 2 or basis_a.shape[0] != basis_b.shape[0]:
        raise ValueError(
            f"Expected two matrices with the same number of rows (D, k) and (D, m), got "
            f"{basis_a.shape} and {basis_b.shape}.")
    orthonormal_a = _orthonormal_columns(basis_a, "basis_a")
    orthonormal_b = _orthonormal_columns(basis_b, "basis_b")
    cosines = np.linalg.svd(orthonormal_a.T @ orthonormal_b, compute_uv=False)
    return np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))


def _orthonormal_columns(basis, name):
    q, r = np.linalg.qr(basis)
    diagonal = np.abs(np.diag(r))
    if diagonal.min() <= 1e-10 * max(diagonal.max(), 1e-300):
        raise ValueError(f"The columns of {name} are linearly dependent; they span no "
                         f"{basis.shape[1]}-dimensional subspace.")
    return q


def _as_matrix(data):
    matrix = np.asarray(data, dtype=np.float64)
    if matrix.ndim < 2 or len(matrix) < 2:
        raise ValueError(f"Need at least two examples, got data of shape {matrix.shape}.")
    return matrix.reshape(len(matrix), -1)
