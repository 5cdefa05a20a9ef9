"""ae_lib.generative: the Fréchet distance against closed forms, the feature classifier
(trained, saved and reloaded in a fresh process), active units, bits per dimension and
sharpness."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.linalg

from ae_lib.generative import (active_units, bits_per_dim, extract_features, frechet_distance,
                               gaussian_frechet_distance, image_sharpness,
                               train_feature_classifier, unit_activity)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _random_covariance(rng, d):
    factor = rng.normal(size=(d, d))
    return factor @ factor.T / d + 0.1 * np.eye(d)


# --- the Fréchet distance -------------------------------------------------------------

def test_one_dimensional_gaussians_have_the_closed_form():
    # W2^2 between N(m1, s1^2) and N(m2, s2^2) is (m1 - m2)^2 + (s1 - s2)^2.
    got = gaussian_frechet_distance([1.0], [[4.0]], [-2.0], [[0.25]])
    assert got == pytest.approx((1 + 2) ** 2 + (2 - 0.5) ** 2)


def test_diagonal_covariances_reduce_to_a_sum_over_coordinates():
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    var_a, var_b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
    got = gaussian_frechet_distance(mean_a, np.diag(var_a), mean_b, np.diag(var_b))
    assert got == pytest.approx(expected)


def test_general_covariances_match_the_textbook_formula_with_a_matrix_square_root():
    rng = np.random.default_rng(1)
    d = 6
    mean_a, mean_b = rng.normal(size=d), rng.normal(size=d)
    cov_a, cov_b = _random_covariance(rng, d), _random_covariance(rng, d)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    expected = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root)
    assert gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b) == pytest.approx(expected)
    # Symmetric in its two Gaussians, and unchanged by a rotation of both.
    assert gaussian_frechet_distance(mean_b, cov_b, mean_a, cov_a) == pytest.approx(expected)
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    rotated = gaussian_frechet_distance(rotation @ mean_a, rotation @ cov_a @ rotation.T,
                                        rotation @ mean_b, rotation @ cov_b @ rotation.T)
    assert rotated == pytest.approx(expected)


def test_a_singular_covariance_is_handled():
    # A point mass against N(0, I): the distance is |mean|^2 + trace(I) = 0 + d.
    assert gaussian_frechet_distance(np.zeros(3), np.zeros((3, 3)),
                                     np.zeros(3), np.eye(3)) == pytest.approx(3.0)


def test_samples_estimate_the_distance_between_their_gaussians():
    rng = np.random.default_rng(2)
    d = 4
    mean_a, mean_b = np.zeros(d), np.full(d, 0.5)
    cov_a, cov_b = _random_covariance(rng, d), _random_covariance(rng, d)
    exact = gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b)
    a = rng.multivariate_normal(mean_a, cov_a, size=20_000)
    b = rng.multivariate_normal(mean_b, cov_b, size=20_000)
    assert frechet_distance(a, b) == pytest.approx(exact, rel=0.05)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    # Two samples of one Gaussian: small, but above zero (the estimate is biased upwards).
    half = frechet_distance(a[:10_000], a[10_000:])
    assert 0 < half < exact / 20


@pytest.mark.parametrize("a, b, message", [
    (np.zeros(5), np.zeros((5, 2)), "2-D array of at least 2 vectors"),
    (np.zeros((1, 2)), np.zeros((5, 2)), "at least 2 vectors"),
    (np.zeros((5, 3)), np.zeros((5, 2)), "same width, got 3 and 2"),
    (np.full((5, 2), np.nan), np.zeros((5, 2)), "NaN or infinite"),
    (np.array([["a", "b"], ["c", "d"]]), np.zeros((2, 2)), "must be numeric"),
])
def test_frechet_distance_rejects_bad_features(a, b, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(a, b)


def test_gaussian_frechet_distance_rejects_bad_moments():
    with pytest.raises(ValueError, match="vectors of one length"):
        gaussian_frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match=r"cov_b must have shape \(2, 2\)"):
        gaussian_frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="cov_a must be symmetric"):
        gaussian_frechet_distance(np.zeros(2), [[1.0, 0.5], [0.0, 1.0]], np.zeros(2), np.eye(2))


# --- the feature classifier -----------------------------------------------------------

@pytest.fixture(scope="module")
def small_fashion():
    from ae_lib.data import load_fashion_mnist

    return load_fashion_mnist(2_000, 500, seed=0)


@pytest.fixture(scope="module")
def classifier(small_fashion):
    (x_train, y_train), _ = small_fashion
    return train_feature_classifier(x_train, y_train, feature_dim=16, hidden=64, epochs=3,
                                    seed=0)


def test_feature_classifier_learns_and_its_features_separate_real_from_noise(
        classifier, small_fashion):
    (x_train, _), (x_test, y_test) = small_fashion
    accuracy = np.mean(np.argmax(np.asarray(classifier(x_test)), axis=1) == y_test)
    assert accuracy > 0.6  # chance is 0.1
    features = extract_features(classifier, x_test)
    assert features.shape == (500, 16) and features.dtype == np.float32
    noise = np.random.default_rng(0).uniform(size=(250, 28, 28)).astype(np.float32)
    real_vs_real = frechet_distance(features[:250], features[250:])
    real_vs_noise = frechet_distance(features[:250], extract_features(classifier, noise))
    assert real_vs_noise > 10 * real_vs_real


def test_feature_classifier_is_seeded(small_fashion, classifier):
    (x_train, y_train), (x_test, _) = small_fashion
    again = train_feature_classifier(x_train, y_train, feature_dim=16, hidden=64, epochs=3,
                                     seed=0)
    np.testing.assert_allclose(extract_features(again, x_test[:50]),
                               extract_features(classifier, x_test[:50]), atol=1e-5)


def test_saved_classifier_gives_the_same_features_in_a_fresh_process(
        classifier, small_fashion, tmp_path):
    _, (x_test, _) = small_fashion
    path, images = tmp_path / "features.keras", tmp_path / "images.npy"
    classifier.save(path)
    np.save(images, x_test[:64])
    script = textwrap.dedent(f"""
        import numpy as np
        import ae_lib
        import keras
        from ae_lib.generative import extract_features
        model = keras.models.load_model({str(path)!r})
        np.save({str(tmp_path / "out.npy")!r},
                extract_features(model, np.load({str(images)!r})))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=300)
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"),
                               extract_features(classifier, x_test[:64]), atol=1e-6)


def test_feature_classifier_rejects_bad_input(small_fashion):
    (x_train, y_train), _ = small_fashion
    with pytest.raises(ValueError, match="one non-negative integer per image"):
        train_feature_classifier(x_train, y_train[:10])
    with pytest.raises(ValueError, match="values in \\[0, 1\\]"):
        train_feature_classifier(x_train * 255, y_train)
    with pytest.raises(ValueError, match="feature_dim must be a positive integer"):
        train_feature_classifier(x_train, y_train, feature_dim=0)
    import keras

    plain = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="layer named 'features'"):
        extract_features(plain, x_train[:2])


# --- active units, bits per dimension, sharpness -----------------------------------------

def test_active_units_count_units_whose_mean_moves_across_inputs():
    rng = np.random.default_rng(3)
    means = np.zeros((1_000, 4))
    means[:, 0] = rng.normal(0, 1.0, 1_000)     # variance 1: active
    means[:, 1] = rng.normal(0, 0.3, 1_000)     # variance 0.09: active
    means[:, 2] = rng.normal(5, 0.05, 1_000)    # variance 0.0025: inactive, whatever its mean
    np.testing.assert_allclose(unit_activity(means), means.var(axis=0))
    assert active_units(means) == 2
    assert active_units(means, threshold=0.001) == 3
    with pytest.raises(ValueError, match="threshold must be a non-negative number"):
        active_units(means, threshold=-1)
    with pytest.raises(ValueError, match="code_means must be a 2-D array"):
        active_units(means[:, 0])


def test_bits_per_dim_converts_nats():
    assert bits_per_dim(784 * np.log(2)) == pytest.approx(1.0)
    np.testing.assert_allclose(bits_per_dim([0.0, 10 * np.log(2)], n_dims=10), [0.0, 1.0])
    with pytest.raises(ValueError, match="n_dims must be a positive integer"):
        bits_per_dim(1.0, n_dims=0)
    with pytest.raises(ValueError, match="must be finite"):
        bits_per_dim(float("nan"))


def test_blurring_lowers_sharpness():
    rng = np.random.default_rng(4)
    images = (rng.uniform(size=(8, 28, 28)) > 0.5).astype(np.float32)
    kernel = np.ones(3) / 3
    blurred = np.apply_along_axis(lambda row: np.convolve(row, kernel, "same"), 2, images)
    blurred = np.apply_along_axis(lambda col: np.convolve(col, kernel, "same"), 1, blurred)
    assert image_sharpness(blurred) < image_sharpness(images) / 2
    assert image_sharpness(np.full((2, 5, 5), 0.3)) == 0.0
    # A vertical edge: 1 of 4 horizontal neighbour pairs differs by 1; no vertical pair does.
    edge = np.zeros((1, 5, 5))
    edge[:, :, 3:] = 1.0
    assert image_sharpness(edge) == pytest.approx((1 / 4 + 0) / 2)
    with pytest.raises(ValueError, match=r"shape \(N, height, width\)"):
        image_sharpness(images.reshape(8, 784))


def test_sharpness_measures_blur_not_quality():
    # Independent pixel noise is far 'sharper' than a smooth image: the measure says
    # how much neighbouring pixels differ, nothing about whether the image is good.
    rng = np.random.default_rng(5)
    noise = rng.uniform(size=(4, 28, 28))
    ramp = np.tile(np.linspace(0, 1, 28), (4, 28, 1))
    assert image_sharpness(noise) > 100 * image_sharpness(ramp)
