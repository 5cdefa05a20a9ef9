"""Measures for generative models: a small "FID", active code units, bits per dimension.

The Fréchet Inception Distance (FID) compares two sets of images by the Fréchet distance
between Gaussians fitted to their features in a trained classifier (Inception-v3, for
photographs). This course uses a small Fashion-MNIST classifier instead, trained in a few
seconds by :func:`train_feature_classifier`: the numbers are on their own scale (lower is
closer to the real images), not comparable to published FIDs. Whether they rank generators
as an Inception FID would is not established; chapter 8 shows what they are sensitive to
with controls (real images, blurred images, training images, pixel noise).

Functions: :func:`train_feature_classifier`, :func:`extract_features`,
:func:`frechet_distance`, :func:`gaussian_frechet_distance`, :func:`unit_activity`,
:func:`active_units`, :func:`bits_per_dim` and :func:`image_sharpness`.
"""

from __future__ import annotations

import math
import numbers

import keras
import numpy as np

from ae_lib.batching import labelled_batches
from ae_lib.models import apply_in_batches
from ae_lib.recipe import STEPS_PER_EXECUTION
from ae_lib.repro import set_seed
from ae_lib.validation import check_images, check_positive_int

#: Name of the classifier's layer whose outputs are the features.
FEATURE_LAYER = "features"


def train_feature_classifier(images, labels, *, feature_dim=64, hidden=256, epochs=5,
                             batch_size=128, learning_rate=1e-3, seed=0):
    """Train a small dense classifier whose hidden layer serves as a feature space.

    The network is ``Flatten -> Dense(hidden, relu) -> Dense(feature_dim, relu, name=
    "features") -> Dense(n_classes, softmax)``, trained with Adam on the cross-entropy and
    compiled with the course's fast recipe. :func:`extract_features` reads the
    ``"features"`` layer.

    Parameters
    ----------
    images : np.ndarray
        Training images, shape (N, 28, 28) (any image shape works), values in [0, 1].
    labels : array_like of int
        One class index per image, from 0.
    feature_dim : int, default 64
        Width of the feature layer.
    hidden : int, default 256
    epochs, batch_size : int
    learning_rate : float, default 1e-3
    seed : int, default 0
        Seeds the initial weights and the order of the batches.

    Returns
    -------
    keras.Sequential
        The trained classifier (it saves to ``.keras`` and loads with the standard
        ``keras.models.load_model``).
    """
    images = check_images(images, "images")
    labels = np.asarray(labels)
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer) \
            or labels.min() < 0:
        raise ValueError(f"labels must be one non-negative integer per image ({len(images)}), "
                         f"got shape {labels.shape} and dtype {labels.dtype}.")
    feature_dim = check_positive_int(feature_dim, "feature_dim")
    hidden = check_positive_int(hidden, "hidden")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    set_seed(seed)
    classifier = keras.Sequential([
        keras.Input(images.shape[1:]),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(feature_dim, activation="relu", name=FEATURE_LAYER),
        keras.layers.Dense(int(labels.max()) + 1, activation="softmax"),
    ], name="feature_classifier")
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                       steps_per_execution=STEPS_PER_EXECUTION)
    # The pipeline shuffles; shuffle=False stops Keras warning that it cannot.
    classifier.fit(labelled_batches(images, labels, batch_size), epochs=epochs, verbose=0,
                   shuffle=False)
    return classifier


def extract_features(classifier, images, batch_size=1024):
    """The outputs of ``classifier``'s ``"features"`` layer for ``images``, as NumPy.

    Parameters
    ----------
    classifier : keras.Model
        From :func:`train_feature_classifier` (or any model with a layer named
        ``"features"``), possibly loaded from a ``.keras`` file.
    images : np.ndarray
        Shape (N, ...) matching the classifier's input, values in [0, 1].
    batch_size : int, default 1024

    Returns
    -------
    np.ndarray
        Shape (N, feature_dim), float32.
    """
    try:
        layer = classifier.get_layer(FEATURE_LAYER)
    except (ValueError, AttributeError) as error:
        raise ValueError(f"classifier must be a Keras model with a layer named "
                         f"{FEATURE_LAYER!r} (train one with train_feature_classifier), "
                         f"got {classifier!r}.") from error
    images = check_images(images, "images")
    # One input tensor, not a list: Keras warns when a list-input model gets an array.
    extractor = keras.Model(classifier.inputs[0], layer.output)
    return apply_in_batches(extractor, images, batch_size)


def frechet_distance(features_a, features_b):
    """Squared Fréchet distance between Gaussians fitted to two sets of vectors (the FID).

    With means :math:`\\mu_a, \\mu_b` and covariances :math:`\\Sigma_a, \\Sigma_b` of the
    two sets, the squared Fréchet (2-Wasserstein) distance between the Gaussians is

    .. math::

        \\lVert\\mu_a - \\mu_b\\rVert^2 + \\operatorname{tr}\\bigl(\\Sigma_a + \\Sigma_b
        - 2(\\Sigma_a \\Sigma_b)^{1/2}\\bigr).

    This is what the FID reports (features of Inception-v3 there; see
    :func:`train_feature_classifier` for the course's smaller feature space). It is zero
    for identical sets and grows as the sets' means or spreads differ. Estimated from
    samples it is biased upwards, more so for small sets: compare values computed with
    the same numbers of vectors.

    Parameters
    ----------
    features_a, features_b : array_like
        Shapes (N, d) and (M, d), N and M at least 2.

    Returns
    -------
    float
    """
    features_a = _feature_matrix(features_a, "features_a")
    features_b = _feature_matrix(features_b, "features_b")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"features_a and features_b must have the same width, got "
                         f"{features_a.shape[1]} and {features_b.shape[1]} numbers per "
                         "vector; extract both with the same feature extractor.")
    return gaussian_frechet_distance(
        features_a.mean(axis=0), np.atleast_2d(np.cov(features_a, rowvar=False)),
        features_b.mean(axis=0), np.atleast_2d(np.cov(features_b, rowvar=False)))


def gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b):
    """Squared Fréchet distance between N(mean_a, cov_a) and N(mean_b, cov_b), exactly.

    :math:`\\operatorname{tr}(\\Sigma_a\\Sigma_b)^{1/2}` is computed as the sum of the square
    roots of the eigenvalues of :math:`\\Sigma_a^{1/2}\\Sigma_b\\Sigma_a^{1/2}`, a symmetric
    matrix with the same eigenvalues as :math:`\\Sigma_a\\Sigma_b`: stable, and real.

    Parameters
    ----------
    mean_a, mean_b : array_like, shape (d,)
    cov_a, cov_b : array_like, shape (d, d)
        Symmetric and positive semi-definite.

    Returns
    -------
    float
        Non-negative.
    """
    mean_a, mean_b = (np.asarray(m, dtype=np.float64) for m in (mean_a, mean_b))
    if mean_a.ndim != 1 or mean_a.shape != mean_b.shape:
        raise ValueError(f"mean_a and mean_b must be vectors of one length, got shapes "
                         f"{mean_a.shape} and {mean_b.shape}.")
    d = mean_a.size
    cov_a, cov_b = (_covariance(c, name, d) for c, name in ((cov_a, "cov_a"), (cov_b, "cov_b")))
    root_a = _psd_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_root = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    distance = (np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b)
                - 2.0 * trace_root)
    return float(max(distance, 0.0))


def unit_activity(code_means):
    """Each code unit's variance across inputs of its posterior mean, Cov_x(E_q[z_u | x]).

    Burda et al. (2016) call a unit *active* when this exceeds 0.01: a unit whose posterior
    mean hardly moves from image to image carries no information about the image.

    Parameters
    ----------
    code_means : array_like, shape (N, k)
        The encoder's mean code of each of N inputs (N at least 2).

    Returns
    -------
    np.ndarray
        Shape (k,).
    """
    code_means = _feature_matrix(code_means, "code_means")
    return code_means.var(axis=0)


def active_units(code_means, threshold=0.01):
    """How many code units are active: :func:`unit_activity` above ``threshold``.

    Parameters
    ----------
    code_means : array_like, shape (N, k)
    threshold : float, default 0.01
        Burda et al.'s criterion.

    Returns
    -------
    int
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) \
            or not threshold >= 0:
        raise ValueError(f"threshold must be a non-negative number, got {threshold!r}.")
    return int(np.sum(unit_activity(code_means) > threshold))


def bits_per_dim(nats_per_example, n_dims=784):
    """Convert a negative log-likelihood in nats per example to bits per dimension.

    ``nats / (n_dims * ln 2)``: the unit in which likelihoods of images are usually quoted,
    so that images of different sizes can be compared.

    Parameters
    ----------
    nats_per_example : float or array_like
    n_dims : int, default 784
        Numbers per example (28 * 28 pixels).

    Returns
    -------
    float or np.ndarray
    """
    n_dims = check_positive_int(n_dims, "n_dims")
    values = np.asarray(nats_per_example, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"nats_per_example must be finite, got {nats_per_example!r}.")
    result = values / (n_dims * math.log(2.0))
    return float(result) if result.ndim == 0 else result


def image_sharpness(images):
    """Mean squared difference between neighbouring pixels: high for crisp edges.

    The average, over images and over horizontal and vertical neighbours, of the squared
    difference in grey level. Blurring an image lowers it; a flat image scores 0. Compare
    generated images with real ones: a ratio well below 1 means blurred samples. It is
    not a measure of quality: independent pixel noise scores far *higher* than real
    images.

    Parameters
    ----------
    images : array_like, shape (N, height, width)

    Returns
    -------
    float
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3 or len(images) == 0 or min(images.shape[1:]) < 2:
        raise ValueError(f"images must have shape (N, height, width) with height and width "
                         f"at least 2, got {images.shape}.")
    if not np.all(np.isfinite(images)):
        raise ValueError("images contains NaN or infinite values.")
    across = np.diff(images, axis=2) ** 2
    down = np.diff(images, axis=1) ** 2
    return float((across.mean() + down.mean()) / 2)


def _feature_matrix(features, name):
    array = np.asarray(features)
    if array.ndim != 2 or len(array) < 2:
        raise ValueError(f"{name} must be a 2-D array of at least 2 vectors, shape (N, d), "
                         f"got shape {array.shape}.")
    if not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}.")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def _covariance(matrix, name, d):
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}) to match the means, "
                         f"got {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    scale = max(float(np.abs(matrix).max()), 1e-300)
    if not np.allclose(matrix, matrix.T, rtol=0, atol=1e-8 * scale):
        raise ValueError(f"{name} must be symmetric, as a covariance matrix is.")
    return (matrix + matrix.T) / 2


def _psd_sqrt(matrix):
    eigenvalues, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T
