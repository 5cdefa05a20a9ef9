"""Reconstruction metrics."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ae_lib.validation import check_array, check_int, check_positive_int, check_positive_number


def per_example_mse(originals, reconstructions):
    """Mean squared error of each example, averaged over all its pixels.

    Parameters
    ----------
    originals, reconstructions : array_like
        Arrays of finite numbers of the same shape; the first axis indexes the examples.

    Returns
    -------
    np.ndarray
        Shape (N,), float64.
    """
    originals, reconstructions = _same_shape(originals, reconstructions)
    squared = np.square(originals - reconstructions)
    # float32 differences, float64 sums: accurate, and no float64 copy of the images.
    return squared.reshape(len(squared), -1).mean(axis=1, dtype=np.float64)


def mse(originals, reconstructions):
    """Mean squared error over all examples and pixels, as Keras's ``"mse"`` loss reports it.

    Returns
    -------
    float
    """
    return float(per_example_mse(originals, reconstructions).mean())


def psnr(originals, reconstructions, *, data_range=1.0):
    """Peak signal-to-noise ratio in decibels, per example, then averaged.

    ``PSNR = 10 log10(data_range**2 / MSE)`` for each example; higher is better. An exact
    copy has an infinite PSNR, returned as ``inf``.

    Parameters
    ----------
    originals, reconstructions : array_like
        Arrays of the same shape; the first axis indexes the examples.
    data_range : float, default 1.0
        The largest possible pixel value minus the smallest (1 for images in [0, 1]).

    Returns
    -------
    float
    """
    data_range = check_positive_number(
        data_range, "data_range", fix="Pass 1.0 for images in [0, 1], 255 for 0-255 pixels.")
    errors = per_example_mse(originals, reconstructions)
    with np.errstate(divide="ignore"):
        return float(np.mean(10.0 * np.log10(data_range ** 2 / errors)))


def _same_shape(originals, reconstructions, names=("originals", "reconstructions")):
    """Both as finite float arrays of one dtype (float32 at least) and of the same shape."""
    originals, reconstructions = (check_array(array, name, min_ndim=1)
                                  for array, name in zip((originals, reconstructions), names))
    dtype = np.result_type(originals.dtype, reconstructions.dtype, np.float32)
    originals = originals.astype(dtype, copy=False)
    reconstructions = reconstructions.astype(dtype, copy=False)
    if originals.shape != reconstructions.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape. Received: "
            f"{names[0]} of shape {originals.shape}, {names[1]} of shape "
            f"{reconstructions.shape}.")
    return originals, reconstructions


def pattern_correlation(inputs, outputs):
    """How much of each input's pattern its output reproduces: a correlation per example.

    Each input and output is flattened and centred on its own mean (so a change of overall
    brightness does not count), then the two are correlated. 1: the output copies the
    input's pattern (up to brightness and contrast); 0: it ignores it; -1: it inverts it.

    Parameters
    ----------
    inputs, outputs : array_like
        Arrays of the same shape; the first axis indexes the examples.

    Returns
    -------
    np.ndarray
        Shape (N,), float64, each value in [-1, 1].
    """
    inputs, outputs = _same_shape(inputs, outputs, ("inputs", "outputs"))
    a = inputs.reshape(len(inputs), -1).astype(np.float64)
    b = outputs.reshape(len(outputs), -1).astype(np.float64)
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    if np.any(norms == 0):
        which = "inputs" if np.any(np.linalg.norm(a, axis=1) == 0) else "outputs"
        raise ValueError(f"{which} must vary within each example: a constant example has no "
                         f"pattern to correlate. Received: a constant example in {which}.")
    return np.clip((a * b).sum(axis=1) / norms, -1.0, 1.0)


def frequency_band_errors(originals, reconstructions, n_bands=4):
    """How much of each band of spatial frequencies a reconstruction gets wrong.

    Both sets of images are taken to the frequency domain (2-D FFT). Frequencies are
    grouped into ``n_bands`` rings of equal width from 0 to 0.5 cycles per pixel (the
    finest pattern a pixel grid can hold; the corners beyond it join the last ring). For
    each ring the result is the energy of the error divided by the energy of the
    originals there: 0 means that band is reproduced exactly, 1 that it is as wrong as
    leaving it out.

    Parameters
    ----------
    originals, reconstructions : array_like
        Images of the same shape (N, height, width).
    n_bands : int, default 4

    Returns
    -------
    band_edges : np.ndarray
        Shape (n_bands + 1,), in cycles per pixel.
    relative_errors : np.ndarray
        Shape (n_bands,), from the coarsest band to the finest.
    """
    originals, reconstructions = _same_shape(originals, reconstructions)
    if originals.ndim != 3:
        raise ValueError(f"originals must be images of shape (N, height, width). Received: "
                         f"originals of shape {originals.shape}.")
    n_bands = check_positive_int(n_bands, "n_bands")
    height, width = originals.shape[1:]
    radius = np.hypot(*np.meshgrid(np.fft.fftfreq(height), np.fft.fftfreq(width),
                                   indexing="ij"))
    edges = np.linspace(0.0, 0.5, n_bands + 1)
    band = np.minimum(np.digitize(radius, edges[1:-1]), n_bands - 1)
    signal = np.abs(np.fft.fft2(originals)) ** 2
    error = np.abs(np.fft.fft2(originals - reconstructions)) ** 2
    signal_energy = np.bincount(band.ravel(), signal.sum(axis=0).ravel(), n_bands)
    error_energy = np.bincount(band.ravel(), error.sum(axis=0).ravel(), n_bands)
    return edges, error_energy / np.maximum(signal_energy, np.finfo(float).tiny)


def pca(data, n_components):
    """Principal component analysis by singular value decomposition.

    The data are centred with their own mean; the components are the top right-singular
    vectors of the centred data matrix.

    Parameters
    ----------
    data : array_like
        Shape (N, ...); each example is flattened to a vector of D features. float32 data
        are decomposed in float32, anything else in float64.
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
    n_components = check_int(n_components, "n_components", low=1, high=limit,
                             fix=f"At most min(examples, features) = {limit} components exist.")
    mean = matrix.mean(axis=0, dtype=np.float64).astype(matrix.dtype)
    # scipy may overwrite the centred copy: one data-sized array less at the peak.
    _, singular_values, right_vectors = scipy.linalg.svd(
        matrix - mean, full_matrices=False, overwrite_a=True, check_finite=False)
    explained_variance = singular_values[:n_components] ** 2 / (len(matrix) - 1)
    return mean, right_vectors[:n_components], explained_variance


def pca_reconstruct(data, mean, components):
    """Project ``data`` onto the components' subspace and map back (same shape as ``data``).

    Parameters
    ----------
    data : array_like
        Shape (N, ...), each example D numbers once flattened.
    mean, components : np.ndarray
        Shapes (D,) and (k, D), as :func:`pca` returns them.
    """
    data = check_array(data, "data", min_ndim=1, dtype=np.float64)
    mean = check_array(mean, "mean", ndim=1, dtype=np.float64)
    components = check_array(components, "components", ndim=2, dtype=np.float64)
    features = data[0].size
    if mean.shape != (features,) or components.shape[1] != features:
        raise ValueError(
            f"mean and components must be of shapes ({features},) and (k, {features}) for "
            f"data of {features} numbers per example. Received: mean of shape {mean.shape}, "
            f"components of shape {components.shape}.")
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
    basis_a = check_array(basis_a, "basis_a", dtype=np.float64)
    basis_b = check_array(basis_b, "basis_b", dtype=np.float64)
    if basis_a.ndim != 2 or basis_b.ndim != 2 or basis_a.shape[0] != basis_b.shape[0]:
        raise ValueError(
            f"basis_a and basis_b must be two matrices with the same number of rows, (D, k) "
            f"and (D, m). Received: basis_a of shape {basis_a.shape}, basis_b of shape "
            f"{basis_b.shape}.")
    orthonormal_a = _orthonormal_columns(basis_a, "basis_a")
    orthonormal_b = _orthonormal_columns(basis_b, "basis_b")
    cosines = np.linalg.svd(orthonormal_a.T @ orthonormal_b, compute_uv=False)
    return np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))


def angles_to_subspace(vectors, basis):
    """The angle, in degrees, between each vector and the column space of ``basis``.

    Parameters
    ----------
    vectors : array_like
        Shape (n, D): one vector per row (for example PCA components).
    basis : array_like
        Shape (D, k): linearly independent columns spanning the subspace.

    Returns
    -------
    np.ndarray
        Shape (n,): 0 for a vector inside the subspace, 90 for one orthogonal to it.
    """
    vectors = check_array(vectors, "vectors", dtype=np.float64)
    basis = check_array(basis, "basis", dtype=np.float64)
    if vectors.ndim != 2 or basis.ndim != 2 or vectors.shape[1] != basis.shape[0]:
        raise ValueError(
            f"vectors and basis must be vectors (n, D) and a basis (D, k). Received: vectors "
            f"of shape {vectors.shape}, basis of shape {basis.shape}.")
    lengths = np.linalg.norm(vectors, axis=1)
    if np.any(lengths == 0):
        raise ValueError("vectors must be non-zero: a zero vector has no direction, so no "
                         f"angle to a subspace. Received: zero rows "
                         f"{np.flatnonzero(lengths == 0).tolist()}.")
    projected = np.linalg.norm(vectors @ _orthonormal_columns(basis, "basis"), axis=1)
    return np.degrees(np.arccos(np.clip(projected / lengths, 0.0, 1.0)))


def _orthonormal_columns(basis, name):
    q, r = np.linalg.qr(basis)
    diagonal = np.abs(np.diag(r))
    if diagonal.min() <= 1e-10 * max(diagonal.max(), 1e-300):
        raise ValueError(f"The columns of {name} are linearly dependent; they span no "
                         f"{basis.shape[1]}-dimensional subspace.")
    return q


def _as_matrix(data):
    """Examples as rows of a float matrix; float32 stays float32 (half the memory of an SVD)."""
    data = check_array(data, "data", min_ndim=2)
    matrix = data.astype(np.result_type(data.dtype, np.float32), copy=False)
    if len(matrix) < 2:
        raise ValueError(f"data must hold at least two examples (a variance needs two). "
                         f"Received: data of shape {matrix.shape}.")
    return matrix.reshape(len(matrix), -1)


def residual_cosine(clean, noisy, denoised):
    """Cosine between what a denoiser changes and what it should change, per example.

    For a clean image ``x``, its corrupted copy ``x~`` and a denoiser's output ``r(x~)``,
    the cosine between the residual ``r(x~) - x~`` and the way back ``x - x~``. 1: the
    denoiser moves the noisy image straight towards the clean one; 0: sideways; -1: away.
    An example whose noise or residual is exactly zero has no direction and gets 0.

    Parameters
    ----------
    clean, noisy, denoised : array_like
        Arrays of the same shape; the first axis indexes the examples.

    Returns
    -------
    np.ndarray
        Shape (N,), float64, each value in [-1, 1].
    """
    clean, noisy = _same_shape(clean, noisy, ("clean", "noisy"))
    _, denoised = _same_shape(clean, denoised, ("clean", "denoised"))
    back = (clean - noisy).reshape(len(clean), -1).astype(np.float64)
    moved = (denoised - noisy).reshape(len(clean), -1).astype(np.float64)
    norms = np.linalg.norm(back, axis=1) * np.linalg.norm(moved, axis=1)
    dots = (back * moved).sum(axis=1)
    cosine = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return np.clip(cosine, -1.0, 1.0)
