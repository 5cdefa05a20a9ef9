"""Classical image filters: the baselines a learned denoiser has to beat.

A median filter and a Gaussian blur, applied to each image of a batch separately, and
:func:`best_blur_sigma`, which chooses the blur's width on a validation split by PSNR.
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage

from ae_lib.validation import check_images, check_number, check_numbers, check_positive_int


def median_filter(images, size=3):
    """Replace each pixel by the median of its ``size`` x ``size`` neighbourhood, image by image.

    Parameters
    ----------
    images : np.ndarray
        Shape (N, height, width), values in [0, 1].
    size : int, default 3
        The side of the square neighbourhood, an odd number from 1 (no change).

    Returns
    -------
    np.ndarray
        Same shape, float32. Borders are reflected.
    """
    images = check_images(images, "images", ndim=3)
    size = check_positive_int(size, "size")
    if size % 2 == 0:
        raise ValueError(f"size must be odd, so that the neighbourhood has a centre pixel. "
                         f"Received: size={size}. Pass 3 or 5.")
    return scipy.ndimage.median_filter(images, size=(1, size, size), mode="reflect")


def gaussian_blur(images, sigma):
    """Blur each image with a Gaussian of standard deviation ``sigma`` pixels.

    Parameters
    ----------
    images : np.ndarray
        Shape (N, height, width), values in [0, 1].
    sigma : float
        In pixels, from 0 (no change) to 10.

    Returns
    -------
    np.ndarray
        Same shape, float32, values in [0, 1]. Borders are reflected.
    """
    images = check_images(images, "images", ndim=3)
    sigma = check_number(sigma, "sigma", low=0.0, high=10.0)
    if sigma == 0:
        return images.copy()
    return scipy.ndimage.gaussian_filter(images, sigma=(0.0, sigma, sigma), mode="reflect")


def best_blur_sigma(clean, noisy, sigmas=(0.3, 0.5, 0.7, 1.0, 1.5, 2.0)):
    """The blur width, among ``sigmas``, whose output is closest to ``clean`` (highest PSNR).

    Call it on a validation split, never on the images you report: the width is then
    chosen as a learned model's settings are.

    Parameters
    ----------
    clean, noisy : np.ndarray
        Shape (N, height, width), values in [0, 1], the same shape.
    sigmas : sequence of float, default (0.3, 0.5, 0.7, 1.0, 1.5, 2.0)
        Candidate widths in pixels, each from 0 to 10 (0 keeps the noisy images).

    Returns
    -------
    float
        The chosen sigma.
    """
    clean = check_images(clean, "clean", ndim=3)
    noisy = check_images(noisy, "noisy", ndim=3)
    if clean.shape != noisy.shape:
        raise ValueError(f"clean and noisy must have the same shape. Received: {clean.shape} "
                         f"and {noisy.shape}.")
    sigmas = check_numbers(sigmas, "sigmas", low=0.0, high=10.0)
    scores = [_psnr(clean, gaussian_blur(noisy, sigma)) for sigma in sigmas]
    return float(sigmas[int(np.argmax(scores))])


def _psnr(clean, output):
    errors = np.square(clean - output).reshape(len(clean), -1).mean(axis=1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return float(np.mean(-10.0 * np.log10(errors)))
