"""Looking at a two-number latent space: codes by class, a decoded grid, an explorer.

For a model whose code has two numbers (a 2-D variational autoencoder, say), the whole
latent space fits on a page. :func:`prior_grid` places codes at the quantiles of a
standard normal prior, :func:`decoded_grid` tiles what a decoder makes of them,
:func:`latent_scatter` shows where the test images' codes fall, and
:func:`latent_explorer` is a pair of sliders over the same grid, live in Jupyter and
pre-computed on the site (:class:`ae_lib.widgets.Explorer`).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.stats import norm

from ae_lib.figures import MAX_WIDTH_IN, new_figure, styled
from ae_lib.widgets import Explorer


def prior_grid(n_per_axis, *, low=0.05, high=0.95):
    """Codes on a square grid at evenly spaced quantiles of the standard normal prior.

    Equal steps in probability rather than in z: each row and column holds the same
    share of the prior's mass, so the grid shows what the prior usually draws.

    Parameters
    ----------
    n_per_axis : int
        Grid points per axis, at least 2.
    low, high : float, default 0.05 and 0.95
        The first and last quantile, with 0 < low < high < 1.

    Returns
    -------
    values : np.ndarray, shape (n_per_axis,)
        ``scipy.stats.norm.ppf`` of the quantiles, increasing.
    codes : np.ndarray, shape (n_per_axis ** 2, 2)
        Row by row from the top: ``z2`` decreases down the rows, ``z1`` increases along
        each row, so that tiling the decoded images row by row puts ``z2`` upwards.
    """
    if isinstance(n_per_axis, bool) or not isinstance(n_per_axis, numbers.Integral) \
            or n_per_axis < 2:
        raise ValueError(f"n_per_axis must be an integer of at least 2, got {n_per_axis!r}.")
    if not (isinstance(low, numbers.Real) and isinstance(high, numbers.Real)
            and 0.0 < low < high < 1.0):
        raise ValueError(f"low and high must be quantiles with 0 < low < high < 1, "
                         f"got low={low!r} and high={high!r}.")
    values = norm.ppf(np.linspace(low, high, int(n_per_axis)))
    z1, z2 = np.meshgrid(values, values[::-1])
    codes = np.stack([z1.ravel(), z2.ravel()], axis=1).astype(np.float32)
    return values, codes


@styled
def decoded_grid(images, values, *, title=None, width=4.8):
    """Decoded images tiled into one picture, with the code values on the axes.

    Parameters
    ----------
    images : array_like, shape (n * n, height, width)
        What a decoder made of :func:`prior_grid`'s codes, in that order.
    values : array_like, shape (n,)
        The grid's values per axis (the first output of :func:`prior_grid`).
    title : str, optional
    width : float, default 4.8
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    values = np.asarray(values, dtype=float)
    images = np.asarray(images, dtype=np.float32)
    n = len(values)
    if values.ndim != 1 or n < 2:
        raise ValueError(f"values must be the grid's values per axis (at least 2), got "
                         f"shape {values.shape}.")
    if images.ndim != 3 or len(images) != n * n:
        raise ValueError(f"images must be {n} x {n} = {n * n} images of shape (height, "
                         f"width), one per grid code, got shape {images.shape}.")
    height, image_width = images.shape[1:]
    canvas = images.reshape(n, n, height, image_width).transpose(0, 2, 1, 3).reshape(
        n * height, n * image_width)
    width = min(MAX_WIDTH_IN, width)
    fig = new_figure(width, width + (0.3 if title else 0))
    ax = fig.subplots()
    # At the images' own pixels: the browser scales them, and the SVG stays small.
    ax.imshow(canvas, cmap="gray", vmin=0.0, vmax=1.0, interpolation="none")
    centres_x = image_width * np.arange(n) + image_width / 2 - 0.5
    centres_y = height * np.arange(n) + height / 2 - 0.5
    ax.set_xticks(centres_x, [f"{v:.1f}" for v in values])
    ax.set_yticks(centres_y, [f"{v:.1f}" for v in values[::-1]])
    ax.tick_params(labelsize=8)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title, fontsize=11)
    return fig


@styled
def latent_scatter(codes, labels, class_names, *, title=None, max_points=None, seed=0):
    """The codes of labelled images as points in the plane, coloured by class.

    Parameters
    ----------
    codes : array_like, shape (N, 2)
    labels : array_like of int, shape (N,)
    class_names : sequence of str
        Name of each class, indexed by label (for the legend).
    title : str, optional
    max_points : int, optional
        Draw a seeded random subset of at most this many points, so the picture stays
        light.
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
    """
    codes = np.asarray(codes, dtype=float)
    labels = np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"codes must have shape (N, 2), one 2-D code per image, got "
                         f"{codes.shape}; a larger code needs a projection first.")
    if labels.shape != (len(codes),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be one integer per code ({len(codes)}), got shape "
                         f"{labels.shape} and dtype {labels.dtype}.")
    if labels.min() < 0 or labels.max() >= len(class_names):
        raise ValueError(f"labels run from {labels.min()} to {labels.max()}, but "
                         f"class_names has {len(class_names)} names.")
    if max_points is not None and len(codes) > max_points:
        keep = np.random.default_rng(seed).choice(len(codes), max_points, replace=False)
        codes, labels = codes[keep], labels[keep]
    fig = new_figure(6.8, 4.6)
    ax = fig.subplots()
    colours = [f"C{i}" for i in range(10)]
    for cls in np.unique(labels):
        mask = labels == cls
        # The points as one image in the SVG: thousands of markers as paths weigh
        # several hundred kB on the page.
        ax.scatter(codes[mask, 0], codes[mask, 1], s=4, alpha=0.6,
                   color=colours[cls % 10], label=class_names[cls], rasterized=True)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, markerscale=3,
              frameon=False)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def latent_explorer(decoder, values, *, image_shape=(28, 28), title=None):
    """Two sliders, one per code number; the decoder draws the image at that code.

    Parameters
    ----------
    decoder : callable
        Maps a batch of codes, shape (n, 2), to images (a Keras decoder ending in a
        sigmoid, say); called once with every grid code for the site's frames.
    values : sequence of float
        The values each slider offers, for example :func:`prior_grid`'s first output.
        Each slider starts at the value closest to 0, the prior's centre.
    image_shape : tuple of int, default (28, 28)
    title : str, optional

    Returns
    -------
    ae_lib.widgets.Explorer
    """
    values = [float(v) for v in np.asarray(values, dtype=float).ravel()]
    if len(values) < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"values must be at least 2 finite numbers, got {values!r}.")
    if not callable(decoder):
        raise TypeError(f"decoder must be callable (a Keras decoder, say), got {decoder!r}.")

    def render(settings):
        codes = np.array([[s["z1"], s["z2"]] for s in settings], dtype=np.float32)
        images = np.asarray(decoder(codes), dtype=np.float32).reshape(
            len(settings), *image_shape)
        return [(image, f"z = ({s['z1']:.2f}, {s['z2']:.2f}): prior quantiles "
                        f"{norm.cdf(s['z1']):.0%} and {norm.cdf(s['z2']):.0%}")
                for image, s in zip(images, settings)]

    centre = min(values, key=abs)
    return Explorer({"z1": values, "z2": values}, render,
                    title=title or "Walk through the latent space", scale=5,
                    initial={"z1": centre, "z2": centre})
