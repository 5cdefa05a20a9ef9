"""Figures for the course. Every function returns a matplotlib Figure (and shows nothing
by itself): a notebook displays it, a test inspects it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def reconstruction_grid(originals, reconstructions, n=10, *, labels=None, class_names=None,
                        title=None, row_titles=("original", "reconstruction")):
    """Originals in the top row, their reconstructions in the row below.

    Parameters
    ----------
    originals, reconstructions : np.ndarray
        Images of the same shape, (N, height, width), values in [0, 1].
    n : int, default 10
        How many of the first images to show (at most N).
    labels : array_like of int, optional
        Class labels shown above the originals (names from ``class_names`` when given).
    class_names : sequence of str, optional
    title : str, optional
        Figure title.
    row_titles : pair of str
        Labels of the two rows.

    Returns
    -------
    matplotlib.figure.Figure
    """
    originals = np.asarray(originals)
    reconstructions = np.asarray(reconstructions)
    if originals.shape != reconstructions.shape:
        raise ValueError(
            f"originals {originals.shape} and reconstructions {reconstructions.shape} must have "
            "the same shape.")
    if originals.ndim != 3:
        raise ValueError(f"Expected images of shape (N, height, width), got {originals.shape}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= len(originals):
        raise ValueError(f"n must be an integer from 1 to {len(originals)}, got {n!r}.")
    fig = Figure(figsize=(1.2 * n, 2.9), layout="constrained")
    axes = fig.subplots(2, n, squeeze=False)
    for column in range(n):
        for row, images in enumerate((originals, reconstructions)):
            ax = axes[row, column]
            ax.imshow(images[column], cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
        if labels is not None:
            label = labels[column]
            text = class_names[label] if class_names is not None else str(label)
            axes[0, column].set_title(text, fontsize=9)
    for row, text in enumerate(row_titles):
        axes[row, 0].set_ylabel(text, fontsize=10)
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def learning_curves(history, *, keys=None, log_scale=False, title="Learning curves",
                    ylabel="loss (MSE)"):
    """Training and validation loss per epoch.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        ``model.fit``'s result, or a dict mapping names such as ``"loss"`` to per-epoch values.
    keys : sequence of str, optional
        Which curves to draw; by default every key of the history.
    log_scale : bool, default False
        Logarithmic y axis.
    title, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    curves = getattr(history, "history", history)
    if not isinstance(curves, dict) or not curves:
        raise ValueError("history must be a keras History or a non-empty dict of per-epoch values.")
    keys = list(curves) if keys is None else list(keys)
    unknown = [key for key in keys if key not in curves]
    if unknown:
        raise ValueError(f"No curve named {unknown}; the history has {sorted(curves)}.")
    fig = Figure(figsize=(6, 3.6), layout="constrained")
    ax = fig.subplots()
    for key in keys:
        values = np.asarray(curves[key], dtype=float)
        epochs = np.arange(1, len(values) + 1)
        style = "--" if key.startswith("val_") else "-"
        label = f"validation {key[4:]}" if key.startswith("val_") else f"training {key}"
        ax.plot(epochs, values, style, marker="o", markersize=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if log_scale:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig
