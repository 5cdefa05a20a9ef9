"""ae_lib.filters: the classical baselines do what they say and refuse bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from ae_lib.filters import best_blur_sigma, gaussian_blur, median_filter


def _smooth_images(n=6, seed=0):
    # Smooth blobs in [0, 1]: what blurring should not hurt much.
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1, 1, 28)
    xx, yy = np.meshgrid(grid, grid)
    centres = rng.uniform(-0.4, 0.4, size=(n, 2))
    return np.exp(-((xx - centres[:, :1, None]) ** 2 + (yy - centres[:, 1:, None]) ** 2)
                  / 0.2).astype("float32")


def test_a_median_filter_removes_isolated_specks_exactly():
    images = np.full((2, 9, 9), 0.5, dtype="float32")
    specked = images.copy()
    specked[0, 4, 4], specked[1, 2, 6] = 1.0, 0.0
    np.testing.assert_array_equal(median_filter(specked), images)


def test_a_median_filter_of_size_one_changes_nothing():
    images = np.random.default_rng(0).uniform(size=(3, 8, 8)).astype("float32")
    np.testing.assert_array_equal(median_filter(images, size=1), images)


def test_a_median_filter_works_image_by_image():
    # A neighbour image must not leak in: filter two images together and apart.
    images = np.random.default_rng(1).uniform(size=(2, 8, 8)).astype("float32")
    np.testing.assert_array_equal(median_filter(images)[1], median_filter(images[1:])[0])


def test_a_gaussian_blur_keeps_the_mean_and_lowers_the_variance():
    images = np.random.default_rng(2).uniform(size=(4, 28, 28)).astype("float32")
    blurred = gaussian_blur(images, 1.0)
    assert blurred.shape == images.shape and blurred.dtype == np.float32
    np.testing.assert_allclose(blurred.mean(axis=(1, 2)), images.mean(axis=(1, 2)), atol=1e-3)
    assert blurred.std() < images.std() / 2
    np.testing.assert_array_equal(gaussian_blur(images, 0), images)


def test_the_chosen_blur_grows_with_the_noise():
    clean = _smooth_images()
    rng = np.random.default_rng(3)
    light = np.clip(clean + rng.normal(0, 0.02, clean.shape), 0, 1).astype("float32")
    heavy = np.clip(clean + rng.normal(0, 0.3, clean.shape), 0, 1).astype("float32")
    sigmas = (0.0, 0.5, 1.0, 2.0)
    assert best_blur_sigma(clean, light, sigmas) < best_blur_sigma(clean, heavy, sigmas)
    assert best_blur_sigma(clean, clean, sigmas) == 0.0


@pytest.mark.parametrize("call, error, words", [
    (lambda: median_filter(np.zeros((2, 8, 8)), size=2), ValueError, "size must be odd"),
    (lambda: median_filter(np.zeros((8, 8))), ValueError, "images"),
    (lambda: median_filter(np.full((2, 8, 8), 255.0)), ValueError, "images"),
    (lambda: gaussian_blur(np.zeros((2, 8, 8)), -1), ValueError, "sigma"),
    (lambda: gaussian_blur(np.zeros((2, 8, 8)), "wide"), TypeError, "sigma"),
    (lambda: best_blur_sigma(np.zeros((2, 8, 8)), np.zeros((3, 8, 8))), ValueError,
     "same shape"),
    (lambda: best_blur_sigma(np.zeros((2, 8, 8)), np.zeros((2, 8, 8)), []), ValueError,
     "sigmas"),
])
def test_bad_inputs_are_refused_with_a_clear_message(call, error, words):
    with pytest.raises(error, match=words):
        call()
