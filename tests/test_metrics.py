"""ae_lib.metrics against hand-computed values and Keras's own loss."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ae_lib.metrics import mse, per_example_mse


def test_hand_computed_values():
    originals = np.array([[0.0, 1.0], [0.5, 0.5]])
    reconstructions = np.array([[1.0, 1.0], [0.0, 1.0]])
    # example 1: (1 + 0) / 2 = 0.5; example 2: (0.25 + 0.25) / 2 = 0.25
    np.testing.assert_allclose(per_example_mse(originals, reconstructions), [0.5, 0.25])
    assert mse(originals, reconstructions) == pytest.approx(0.375)


def test_agrees_with_the_keras_mse_loss_on_images():
    rng = np.random.default_rng(1)
    a, b = rng.random((2, 10, 28, 28), dtype=np.float32)
    keras_value = float(keras.losses.MeanSquaredError()(a, b))
    assert mse(a, b) == pytest.approx(keras_value, rel=1e-5)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same shape"):
        mse(np.zeros((2, 28, 28)), np.zeros((2, 784)))


def test_empty_input_is_an_error():
    with pytest.raises(ValueError, match="at least one example"):
        mse(np.zeros((0, 4)), np.zeros((0, 4)))


# ------------------------------------------------------------------- PCA and subspaces

from scipy.linalg import subspace_angles  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from ae_lib.metrics import pca, pca_reconstruct, principal_angles  # noqa: E402


@pytest.fixture(scope="module")
def correlated_data():
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(6, 12))
    return rng.normal(size=(300, 6)) * [5, 4, 3, 2, 1, 0.5] @ mixing + rng.normal(size=12)


def test_pca_matches_scikit_learn(correlated_data):
    mean, components, variance = pca(correlated_data, 4)
    reference = PCA(n_components=4, svd_solver="full").fit(correlated_data)
    np.testing.assert_allclose(mean, reference.mean_)
    np.testing.assert_allclose(variance, reference.explained_variance_, rtol=1e-10)
    # Components agree up to sign.
    np.testing.assert_allclose(np.abs(np.sum(components * reference.components_, axis=1)), 1.0,
                               atol=1e-10)
    np.testing.assert_allclose(components @ components.T, np.eye(4), atol=1e-12)


def test_pca_reconstruction_matches_scikit_learn_and_keeps_the_shape(correlated_data):
    images = correlated_data.reshape(300, 3, 4)
    mean, components, _ = pca(images, 3)
    rebuilt = pca_reconstruct(images, mean, components)
    reference = PCA(n_components=3, svd_solver="full").fit(correlated_data)
    expected = reference.inverse_transform(reference.transform(correlated_data))
    assert rebuilt.shape == images.shape
    np.testing.assert_allclose(rebuilt.reshape(300, 12), expected, atol=1e-10)
    # All components: a perfect reconstruction.
    full = pca(images, 12)
    np.testing.assert_allclose(pca_reconstruct(images, full[0], full[1]), images, atol=1e-10)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (13, ValueError), (2.0, TypeError),
                                        (True, TypeError)])
def test_pca_refuses_an_impossible_number_of_components(correlated_data, bad, error):
    with pytest.raises(error, match="n_components must be an integer from 1 to 12"):
        pca(correlated_data, bad)


def test_identical_subspaces_have_zero_angles_whatever_the_basis():
    rng = np.random.default_rng(1)
    basis = rng.normal(size=(20, 4))
    mixed = basis @ rng.normal(size=(4, 4))  # the same subspace, another basis
    np.testing.assert_allclose(principal_angles(basis, mixed), 0.0, atol=1e-5)


def test_orthogonal_subspaces_are_at_90_degrees():
    identity = np.eye(6)
    np.testing.assert_allclose(principal_angles(identity[:, :2], identity[:, 2:5]), 90.0)


def test_a_known_angle_and_agreement_with_scipy():
    tilted = np.array([[1.0], [np.tan(np.radians(30))], [0.0]])
    assert principal_angles(np.eye(3)[:, :1], tilted)[0] == pytest.approx(30.0)
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2, 30, 5))
    np.testing.assert_allclose(principal_angles(a, b),
                               np.sort(np.degrees(subspace_angles(a, b))), atol=1e-8)


def test_principal_angles_refuse_bad_bases():
    with pytest.raises(ValueError, match="same number of rows"):
        principal_angles(np.eye(4)[:, :2], np.eye(5)[:, :2])
    with pytest.raises(ValueError, match="linearly dependent"):
        principal_angles(np.ones((4, 2)), np.eye(4)[:, :2])


def test_angles_to_subspace_of_known_vectors():
    from ae_lib.metrics import angles_to_subspace

    basis = np.eye(3)[:, :2] * [3.0, 0.5]  # the x-y plane, columns not unit length
    vectors = np.array([[2.0, 0, 0], [0, 0, 5.0], [1.0, 0, 1.0]])
    np.testing.assert_allclose(angles_to_subspace(vectors, basis), [0.0, 90.0, 45.0], atol=1e-6)
    with pytest.raises(ValueError, match="zero vector"):
        angles_to_subspace(np.zeros((1, 3)), basis)
    with pytest.raises(ValueError, match=r"vectors \(n, D\) and a basis \(D, k\)"):
        angles_to_subspace(np.ones((1, 4)), basis)


def test_pca_of_float32_images_stays_float32_and_agrees_with_float64(correlated_data):
    single = correlated_data.astype(np.float32)
    mean32, components32, variance32 = pca(single, 3)
    mean64, components64, variance64 = pca(single.astype(np.float64), 3)
    assert components32.dtype == np.float32
    np.testing.assert_allclose(variance32, variance64, rtol=1e-4)
    np.testing.assert_allclose(np.abs(np.sum(components32 * components64, axis=1)), 1.0, atol=1e-4)


def test_frequency_band_errors_are_zero_for_a_copy_and_one_for_a_removed_band():
    from ae_lib.metrics import frequency_band_errors

    images = np.random.default_rng(0).random((8, 28, 28))
    edges, errors = frequency_band_errors(images, images, n_bands=4)
    np.testing.assert_allclose(edges, [0, 0.125, 0.25, 0.375, 0.5])
    np.testing.assert_allclose(errors, 0, atol=1e-12)
    # Keep only frequencies below 0.25 cycles per pixel: the two coarse bands are exact,
    # the two fine ones entirely missing.
    spectrum = np.fft.fft2(images)
    radius = np.hypot(*np.meshgrid(np.fft.fftfreq(28), np.fft.fftfreq(28), indexing="ij"))
    low_passed = np.real(np.fft.ifft2(np.where(radius < 0.25, spectrum, 0)))
    _, errors = frequency_band_errors(images, low_passed, n_bands=4)
    np.testing.assert_allclose(errors, [0, 0, 1, 1], atol=1e-9)


def test_frequency_band_errors_refuse_what_are_not_images():
    from ae_lib.metrics import frequency_band_errors

    with pytest.raises(ValueError, match=r"shape \(N, height, width\)"):
        frequency_band_errors(np.zeros((4, 784)), np.zeros((4, 784)))
    with pytest.raises(ValueError, match="n_bands must be a positive integer"):
        frequency_band_errors(np.zeros((2, 8, 8)), np.zeros((2, 8, 8)), n_bands=0)


def test_pattern_correlation_ignores_brightness_and_tells_copies_from_inversions():
    from ae_lib.metrics import pattern_correlation

    rng = np.random.default_rng(1)
    images = rng.random((50, 28, 28))
    np.testing.assert_allclose(pattern_correlation(images, 0.5 * images + 0.2), 1.0)
    np.testing.assert_allclose(pattern_correlation(images, 1 - images), -1.0)
    unrelated = pattern_correlation(images, rng.random((50, 28, 28)))
    assert unrelated.shape == (50,) and np.abs(unrelated).max() < 0.15
    with pytest.raises(ValueError, match="constant"):
        pattern_correlation(images[:2], np.ones((2, 28, 28)))


def test_psnr_of_a_hand_computed_case_and_of_a_copy():
    from ae_lib.metrics import psnr

    originals = np.zeros((2, 4, 4))
    # Per-example MSE 0.01 and 0.0001: 20 dB and 40 dB, mean 30 dB.
    reconstructions = np.stack([np.full((4, 4), 0.1), np.full((4, 4), 0.01)])
    assert psnr(originals, reconstructions) == pytest.approx(30.0)
    assert psnr(originals * 255, reconstructions * 255, data_range=255) == pytest.approx(30.0)
    assert psnr(reconstructions, reconstructions) == float("inf")
    with pytest.raises(ValueError, match="data_range must be a number above 0"):
        psnr(originals, reconstructions, data_range=0)
    # NumPy scalars are numbers too.
    for data_range in (np.float32(255.0), np.int64(255)):
        assert psnr(originals * 255, reconstructions * 255, data_range=data_range) == \
            pytest.approx(30.0)


def test_residual_cosine_is_one_for_a_perfect_denoiser_and_zero_for_none():
    from ae_lib.metrics import residual_cosine
    rng = np.random.default_rng(0)
    clean = rng.uniform(size=(5, 6, 6))
    noisy = clean + rng.normal(0, 0.1, clean.shape)
    np.testing.assert_allclose(residual_cosine(clean, noisy, clean), 1.0)
    np.testing.assert_allclose(residual_cosine(clean, noisy, 2 * noisy - clean), -1.0)
    np.testing.assert_array_equal(residual_cosine(clean, noisy, noisy), 0.0)
    # Halfway back, plus as much again sideways: 45 degrees.
    back = clean - noisy
    sideways = rng.normal(size=back.shape)
    sideways -= (sideways * back).sum(axis=(1, 2), keepdims=True) \
        / (back * back).sum(axis=(1, 2), keepdims=True) * back
    sideways *= np.linalg.norm(back.reshape(5, -1), axis=1)[:, None, None] \
        / np.linalg.norm(sideways.reshape(5, -1), axis=1)[:, None, None]
    np.testing.assert_allclose(residual_cosine(clean, noisy, noisy + back + sideways),
                               np.sqrt(0.5), rtol=1e-6)


def test_residual_cosine_refuses_mismatched_shapes():
    from ae_lib.metrics import residual_cosine
    with pytest.raises(ValueError, match="same shape"):
        residual_cosine(np.zeros((2, 4)), np.zeros((2, 4)), np.zeros((3, 4)))
