"""Figures for the course. Every function returns a matplotlib Figure and shows nothing by
itself: a notebook displays the returned figure (once), a test inspects it.

Every figure is at most :data:`~ae_lib.figures.MAX_WIDTH_IN` inches wide, the width of the
site's text column, with text of at least :data:`~ae_lib.figures.MIN_FONT_PT` points, and
shows as SVG (:mod:`ae_lib.figures`)."""

from __future__ import annotations

import textwrap

import matplotlib.patches
import matplotlib.ticker
import numpy as np

from ae_lib.validation import (check_array, check_bool, check_int, check_labels,
                               check_mapping, check_number, check_numbers,
                               check_positive_int, check_positive_ints,
                               check_positive_number, check_sequence, check_string, fail)

# DisplayFigure stays importable from here, where it was before ae_lib.figures.
from .figures import MAX_WIDTH_IN, DisplayFigure, new_figure, styled  # noqa: F401


def _panel_width(n_columns, margin, largest=0.9):
    """The width of one of ``n_columns`` square panels that fit the column with ``margin``."""
    return min(largest, (MAX_WIDTH_IN - margin) / n_columns)


def _wrap(text, width=10):
    """Break a short label into lines of about ``width`` characters (at spaces or "/")."""
    text = str(text)
    if len(text) <= width or "\n" in text:
        return text
    lines = textwrap.wrap(text.replace("/", "/ "), width, break_long_words=False,
                          break_on_hyphens=False)
    return "\n".join(lines).replace("/ ", "/")


@styled
def _fit(text, width_in, fontsize):
    """Break ``text`` into lines that fit ``width_in`` inches at ``fontsize`` points.

    About 0.6 em per character (DejaVu Sans, the default font), so a title is never cut
    off at the figure's edge. Line breaks already in ``text`` are kept.
    """
    characters = max(8, int(width_in * 72 / (0.6 * fontsize)))
    return "\n".join(line for part in str(text).split("\n")
                     for line in (textwrap.wrap(part, characters, break_long_words=False)
                                  or [""]))


def _suptitle(fig, title):
    if title:
        fig.suptitle(_fit(title, fig.get_figwidth() - 0.2, 11), fontsize=11)


def _title(ax, title, width_in):
    if title:
        ax.set_title(_fit(title, width_in, 10), fontsize=10)


@styled
def reconstruction_grid(originals, *reconstructions, n=10, labels=None, class_names=None,
                        title=None, row_titles=None):
    """Originals in the top row, each set of reconstructions in a row below.

    Parameters
    ----------
    originals : np.ndarray
        Images of shape (N, height, width), values in [0, 1].
    *reconstructions : np.ndarray
        One or more arrays of the same shape as ``originals`` (for example, from models
        with different code sizes).
    n : int, default 10
        How many of the first images to show (at most N).
    labels : array_like of int, optional
        Class labels shown above the originals (names from ``class_names`` when given).
    class_names : sequence of str, optional
    title : str, optional
        Figure title.
    row_titles : sequence of str, optional
        One label per row; by default "original", then "reconstruction" (or
        "reconstruction 1", "reconstruction 2", ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    originals = _images(originals, "originals")
    if not reconstructions:
        raise ValueError("reconstructions must be at least one array, passed after the "
                         "originals. Received: none.")
    rows = [originals, *(_images(r, f"reconstructions[{i}]", ndim=None)
                         for i, r in enumerate(reconstructions))]
    for row in rows[1:]:
        if row.shape != originals.shape:
            raise ValueError(
                f"originals {originals.shape} and reconstructions {row.shape} must have the "
                "same shape.")
    n = check_int(n, "n", low=1, high=len(originals),
                  fix="n counts the images shown, at most as many as there are.")
    if labels is not None:
        labels = check_labels(labels, "labels")
        if len(labels) < n:
            raise ValueError(f"labels must give at least one label per image shown ({n}). "
                             f"Received: {len(labels)} labels.")
        _check_class_names(class_names, labels[:n])
    if row_titles is None:
        names = (["reconstruction"] if len(rows) == 2
                 else [f"reconstruction {i}" for i in range(1, len(rows))])
        row_titles = ["original", *names]
    row_titles = _strings(row_titles, "row_titles")
    if len(row_titles) != len(rows):
        raise ValueError(f"row_titles must give one title per row ({len(rows)}). "
                         f"Received: {len(row_titles)} titles.")
    # Row titles sit left of the rows, horizontally; the panels share what is left.
    row_titles = [_wrap(text) for text in row_titles]
    longest = max(len(line) for text in row_titles for line in text.split("\n"))
    panel = _panel_width(n, margin=0.25 + 0.075 * longest)
    title_rows = 0.4 if labels is not None else 0.0
    fig = new_figure(min(MAX_WIDTH_IN, panel * n + 0.25 + 0.075 * longest),
                     (panel + 0.06) * len(rows) + title_rows + (0.35 if title else 0.1))
    axes = fig.subplots(len(rows), n, squeeze=False)
    for column in range(n):
        for row_index, images in enumerate(rows):
            _show_image(axes[row_index, column], images[column])
        if labels is not None:
            label = labels[column]
            text = class_names[label] if class_names is not None else str(label)
            # About 0.068 inch per character at 8 points: wrap names wider than a panel.
            axes[0, column].set_title(_wrap(text, int(panel / 0.068)), fontsize=8)
    for row_index, text in enumerate(row_titles):
        axes[row_index, 0].set_ylabel(text, fontsize=8, rotation=0, ha="right",
                                      va="center")
    _suptitle(fig, title)
    return fig


@styled
def image_grid(images, *, n_cols=10, titles=None, signed=False, title=None, panel_size=0.9):
    """A grid of images, for example decoder filters or what one code unit adds.

    Parameters
    ----------
    images : np.ndarray
        Shape (N, height, width).
    n_cols : int, default 10
    titles : sequence of str, optional
        One per image.
    signed : bool, default False
        Show values around zero with a diverging colour map (red positive, blue negative,
        white zero), scaled to the largest absolute value; otherwise grey levels in [0, 1].
    title : str, optional
    panel_size : float, default 0.9
        Width of one image in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = _images(images, "images")
    if titles is not None:
        titles = _strings(titles, "titles")
        if len(titles) != len(images):
            raise ValueError(f"titles must give one title per image ({len(images)}). "
                             f"Received: {len(titles)} titles.")
    signed = check_bool(signed, "signed")
    panel_size = check_positive_number(panel_size, "panel_size")
    n_cols = min(check_positive_int(n_cols, "n_cols"), len(images))
    n_rows = -(-len(images) // n_cols)
    panel = _panel_width(n_cols, margin=0.1, largest=panel_size)
    title_lines = 0 if titles is None else max(str(t).count("\n") + 1 for t in titles)
    fig = new_figure(panel * n_cols + 0.1,
                     (panel + 0.05 + 0.16 * title_lines) * n_rows + (0.35 if title else 0.05))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    limit = float(np.abs(images).max()) or 1.0
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.set_axis_off()
            continue
        if signed:
            ax.patch.set_visible(False)  # the image covers it
            ax.imshow(images[index], cmap="RdBu_r", vmin=-limit, vmax=limit,
                      interpolation="none")
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            _show_image(ax, images[index])
        if titles is not None:
            ax.set_title(_fit(titles[index], panel, 8), fontsize=8)
    _suptitle(fig, title)
    return fig


@styled
def class_code_heatmap(codes, labels, class_names, *, title="Mean code of each class"):
    """A heat map of the mean activation of every code unit (columns) for each class (rows).

    Parameters
    ----------
    codes : np.ndarray
        Shape (N, latent_dim).
    labels : np.ndarray
        Integer labels, shape (N,).
    class_names : sequence of str
        Name of each class, indexed by label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    codes = check_array(codes, "codes", ndim=2, shape_hint="(N, latent_dim)")
    labels = check_labels(labels, "labels", length=len(codes), per="code")
    if class_names is None:
        fail(TypeError, "class_names", "a sequence of names, one per class", class_names)
    _check_class_names(class_names, labels)
    classes = np.unique(labels)
    means = np.stack([codes[labels == cls].mean(axis=0) for cls in classes])
    return matrix_heatmap(means, row_labels=[class_names[c] for c in classes],
                          xlabel="code unit", colorbar_label="mean activation", title=title)


@styled
def matrix_heatmap(matrix, *, row_labels=None, column_labels=None, xlabel=None, ylabel=None,
                   colorbar_label=None, title=None, cmap="viridis", vmin=None, vmax=None):
    """A matrix as a heat map with labelled rows, columns and colour bar.

    Parameters
    ----------
    matrix : array_like
        Shape (rows, columns).
    row_labels, column_labels : sequence of str, optional
        Tick labels; by default the indices.
    xlabel, ylabel, colorbar_label, title : str, optional
    cmap : str, default "viridis"
    vmin, vmax : float, optional
        Colour scale limits; by default the data's range.

    Returns
    -------
    matplotlib.figure.Figure
    """
    matrix = check_array(matrix, "matrix", dtype=float, ndim=2, shape_hint="(rows, columns)")
    for limit, limit_name in ((vmin, "vmin"), (vmax, "vmax")):
        if limit is not None:
            check_number(limit, limit_name)
    n_rows, n_columns = matrix.shape
    row_labels = list(range(n_rows)) if row_labels is None else list(row_labels)
    column_labels = list(range(n_columns)) if column_labels is None else list(column_labels)
    if len(row_labels) != n_rows or len(column_labels) != n_columns:
        raise ValueError(f"row_labels and column_labels must label a {n_rows} x {n_columns} "
                         f"matrix. Received: {len(row_labels)} row and "
                         f"{len(column_labels)} column labels.")
    fig = new_figure(min(MAX_WIDTH_IN, max(5.0, 0.2 * n_columns + 2.5)),
                     max(3.0, 0.3 * n_rows + 1.6))
    ax = fig.subplots()
    image = ax.imshow(matrix, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                      interpolation="none")
    ax.set_yticks(range(n_rows), row_labels)
    # Every column labelled while there is room for it (about 0.17 inch), else every other.
    step = 1 if n_columns <= 32 else -(-n_columns // 32)
    ax.set_xticks(range(0, n_columns, step), column_labels[::step])
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    _title(ax, title, fig.get_figwidth() - 1.8)
    fig.colorbar(image, ax=ax, label=colorbar_label)
    return fig


@styled
def transpose_pair(matrix, *, names=("encoder: W", "decoder: W transposed"), title=None):
    """A weight matrix beside its transpose, drawn with one colour scale.

    Parameters
    ----------
    matrix : array_like
        Shape (rows, columns), for example a Dense kernel of shape (784, k).
    names : pair of str
        Titles of the two panels; each gets the panel's shape appended.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the matrix (left) and its transpose (right).
    """
    matrix = check_array(matrix, "matrix", dtype=float, ndim=2,
                         shape_hint="(rows, columns): a 2-D weight matrix")
    names = _strings(names, "names")
    if len(names) != 2:
        raise ValueError(f"names must be two panel titles. Received: {len(names)}.")
    limit = float(np.abs(matrix).max()) or 1.0
    fig = new_figure(MAX_WIDTH_IN, 3.6)
    grid = fig.add_gridspec(1, 2, width_ratios=[1, 2.2])
    for position, (name, shown) in enumerate(zip(names, (matrix, matrix.T))):
        ax = fig.add_subplot(grid[position])
        image = ax.imshow(shown, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit,
                          interpolation="none")
        ax.set_title(f"{_fit(name, 2.0 if position == 0 else 3.5, 10)}\n"
                     f"{shown.shape[0]} x {shown.shape[1]}")
        ax.set_ylabel("input pixel" if position == 0 else "code unit")
        ax.set_xlabel("code unit" if position == 0 else "output pixel")
    fig.colorbar(image, ax=fig.axes, label="weight", shrink=0.8)
    _suptitle(fig, title)
    return fig


@styled
def series_plot(x_values, series, *, xlabel, ylabel, log_x=False, log_y=False, vline=None,
                xticklabels=None, title=None):
    """Several named series over the same x values, as lines with markers.

    Parameters
    ----------
    x_values : sequence of float
    series : dict of str to sequence of float
        ``{legend label: one y value per x value}``.
    xlabel, ylabel : str
    log_x, log_y : bool, default False
        Logarithmic axes (base 2 for x, which suits sizes such as 16, 64, 784).
    vline : tuple of (float, str), optional
        A dotted vertical line at x with a label, for example ``(784, "complete")``.
    xticklabels : sequence of str, optional
        Labels at ``x_values``; by default the values themselves.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    x_values = np.asarray(check_numbers(x_values, "x_values"))
    if not isinstance(series, dict) or not series:
        raise ValueError("Give at least one series to plot: series must be a non-empty dict "
                         f"of label to values. Received: series={series!r}.")
    for label, values in series.items():
        values = check_numbers(values, f"series[{label!r}]", non_empty=False)
        if len(values) != len(x_values):
            raise ValueError(f"series[{label!r}] must have one value per x value "
                             f"({len(x_values)}). Received: {len(values)} values.")
    log_x, log_y = check_bool(log_x, "log_x"), check_bool(log_y, "log_y")
    if vline is not None and (not isinstance(vline, (tuple, list)) or len(vline) != 2):
        fail(TypeError, "vline", "an (x, label) pair such as (784, 'complete'), or None", vline)
    if log_x and min(x_values) <= 0:
        raise ValueError(f"x_values must be above 0 on a logarithmic axis (log_x=True). "
                         f"Received: x_values={list(x_values)}.")
    fig = new_figure(6.4, 3.6)
    ax = fig.subplots()
    for label, values in series.items():
        ax.plot(x_values, values, marker="o", label=label)
    if log_x:
        ax.set_xscale("log", base=2)
    labels = [f"{x:g}" for x in x_values] if xticklabels is None else list(xticklabels)
    ax.set_xticks(x_values, labels)
    ax.minorticks_off()
    if log_y:
        ax.set_yscale("log")
        _label_log_axis(ax.yaxis, np.concatenate([np.ravel(v) for v in series.values()]))
    if vline is not None:
        ax.axvline(vline[0], color="0.5", linestyle=":")
        ax.annotate(vline[1], (vline[0], 1.0), xycoords=("data", "axes fraction"),
                    xytext=(4, -14), textcoords="offset points", color="0.35")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend()
    _title(ax, title, fig.get_figwidth() - 0.8)
    return fig


@styled
def tradeoff_plot(x_values, y_values, point_labels, *, xlabel, ylabel, title=None):
    """Points joined in order and each labelled, to show what one setting trades for another.

    Parameters
    ----------
    x_values, y_values : sequence of float
        One point per setting, for example (sparsity, reconstruction error).
    point_labels : sequence of str
        The setting of each point, for example ``"beta = 1e-3"``.
    xlabel, ylabel : str
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    x_values = check_numbers(x_values, "x_values")
    y_values = check_numbers(y_values, "y_values")
    point_labels = _strings(point_labels, "point_labels")
    if not len(x_values) == len(y_values) == len(point_labels) or len(x_values) == 0:
        raise ValueError(f"x_values, y_values and point_labels must give one x, one y and "
                         f"one label per point. Received: {len(x_values)}, {len(y_values)} "
                         f"and {len(point_labels)}.")
    fig = new_figure(6.4, 3.6)
    ax = fig.subplots()
    ax.plot(x_values, y_values, marker="o", color="tab:blue")
    for x, y, label in zip(x_values, y_values, point_labels):
        ax.annotate(label, (x, y), xytext=(6, 6), textcoords="offset points")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.margins(0.15)
    _title(ax, title, fig.get_figwidth() - 0.8)
    return fig


@styled
def histograms(samples, *, xlabel, bins=50, log_y=True, title=None):
    """One histogram per named sample, side by side, sharing the y axis.

    Parameters
    ----------
    samples : dict of str to array_like
        ``{panel title: values}``; each array is flattened.
    xlabel : str
    bins : int, default 50
    log_y : bool, default True
        Count on a logarithmic axis, so that a spike at zero does not hide the rest.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(samples, dict) or not samples:
        raise ValueError("Give at least one sample to draw: samples must be a non-empty dict "
                         f"of panel title to values. Received: samples={samples!r}.")
    samples = {name: check_array(values, f"samples[{name!r}]", min_ndim=0)
               for name, values in samples.items()}
    bins = check_positive_int(bins, "bins")
    log_y = check_bool(log_y, "log_y")
    fig = new_figure(min(MAX_WIDTH_IN, 2.3 * len(samples) + 0.5), 3.0)
    axes = np.atleast_1d(fig.subplots(1, len(samples), sharey=True))
    for ax, (name, values) in zip(axes, samples.items()):
        # One filled outline per histogram, not one rectangle per bar: the same picture
        # in a fraction of the SVG.
        ax.hist(np.ravel(values), bins=bins, color="tab:blue", log=log_y,
                histtype="stepfilled")
        ax.set_title(_fit(name, fig.get_figwidth() / len(samples) - 0.3, 10))
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("count (log scale)" if log_y else "count")
    _suptitle(fig, title)
    return fig


@styled
def seed_bars(panels, *, ylabel, title=None, paired=True):
    """Bars of means over seeds, with every seed's value as a dot, one panel per setting.

    Parameters
    ----------
    panels : dict of str to dict of str to sequence of float
        ``{panel title: {bar label: [value for each seed]}}``, for example
        ``{"1,000 images": {"untied, train": [...], "untied, validation": [...]}}``.
    ylabel : str
    title : str, optional
    paired : bool, default True
        Colour bars in pairs (one colour, light then dark, for "train" and "validation" of
        one model); ``False`` gives every bar of a panel its own colour.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(panels, dict) or not panels or \
            not all(isinstance(bars, dict) and bars for bars in panels.values()):
        raise ValueError("Give at least one panel, each with at least one bar: panels must be "
                         "a dict of panel title to a dict of bar label to values.")
    panels = {title_: {label: check_numbers(values, f"panels[{title_!r}][{label!r}]")
                       for label, values in bars.items()}
              for title_, bars in panels.items()}
    paired = check_bool(paired, "paired")
    fig = new_figure(min(MAX_WIDTH_IN, 3.0 * len(panels) + 0.6), 3.6)
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, (panel_title, bars) in zip(axes, panels.items()):
        for position, (label, values) in enumerate(bars.items()):
            values = np.asarray(values, dtype=float)
            if paired:
                colour, alpha = f"C{position // 2}", 0.45 if position % 2 == 0 else 0.9
            else:
                colour, alpha = f"C{position}", 0.8
            ax.bar(position, values.mean(), color=colour, alpha=alpha, label=label)
            ax.plot(np.full(len(values), position), values, "k.", markersize=5)
        ax.set_xticks(range(len(bars)), list(bars), rotation=30, ha="right",
                      rotation_mode="anchor")
        ax.set_title(_fit(panel_title, fig.get_figwidth() / len(panels) - 0.3, 10))
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(ylabel)
    _suptitle(fig, title)
    return fig


@styled
def embedding_scatter(panels, labels, class_names, *, title=None):
    """2-D maps of the same examples side by side, one colour per class (for t-SNE maps).

    Parameters
    ----------
    panels : dict of str to array_like
        ``{panel title: coordinates of shape (n, 2)}``, the same n examples in each.
    labels : array_like of int
        Shape (n,): each example's class, an index into ``class_names``.
    class_names : sequence of str
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    panels = check_mapping(panels, "panels", what="a dict of panel title to coordinates")
    coordinates = {}
    for name, points in panels.items():
        points = check_array(points, f"panels[{name!r}]", ndim=2, dtype=float,
                             shape_hint="(n, 2)")
        count = len(next(iter(coordinates.values()), points))
        if points.shape != (count, 2):
            fail(ValueError, f"panels[{name!r}]", f"one 2-D point per example, shape "
                 f"({count}, 2), as in every panel", points)
        coordinates[name] = points
    labels = check_labels(labels, "labels", length=count, per="point of each panel")
    class_names = _strings(class_names, "class_names")
    _check_class_names(class_names, labels)
    fig = new_figure(6.8, 3.1)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (name, points) in zip(axes, coordinates.items()):
        for cls, class_name in enumerate(class_names):
            chosen = labels == cls
            ax.scatter(points[chosen, 0], points[chosen, 1], s=3, color=f"C{cls}",
                       label=class_name, rasterized=True)
        ax.set_title(name, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("t-SNE 1", fontsize=8)
        ax.set_ylabel("t-SNE 2", fontsize=8)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=5, fontsize=8,
               markerscale=3, frameon=False)
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


@styled
def grouped_bars(groups, series, *, ylabel, title=None, ylim=None, reference=None):
    """Bars for several series in each group; a series measured over seeds shows its mean
    as the bar and every seed as a dot.

    Parameters
    ----------
    groups : sequence of str
        The group labels along the x axis (class names, say).
    series : dict of str to array_like
        ``{legend label: values}``: shape (n_groups,) for one measurement per group, or
        (n_seeds, n_groups) for one per seed.
    ylabel : str
    title : str, optional
    ylim : tuple of (float, float), optional
    reference : tuple of (float, str), optional
        A dotted horizontal line with a label, for example ``(0.5, "chance")``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    groups = _strings(groups, "groups")
    if not groups:
        fail(ValueError, "groups", "a non-empty sequence of group names", groups)
    series = check_mapping(series, "series", what="a dict of legend label to values")
    values = {}
    for label, array in series.items():
        array = check_array(array, f"series[{label!r}]", dtype=float)
        if array.ndim == 1:
            array = array[None]
        if array.ndim != 2 or array.shape[1] != len(groups):
            fail(ValueError, f"series[{label!r}]", f"one value per group, shape "
                 f"({len(groups)},), or per seed and group, shape (n_seeds, {len(groups)})",
                 array)
        values[label] = array
    if ylim is not None:
        ylim = check_numbers(ylim, "ylim")
        if len(ylim) != 2 or not ylim[0] < ylim[1]:
            fail(ValueError, "ylim", "two numbers (bottom, top), bottom below top", ylim)
    if reference is not None:
        if not isinstance(reference, tuple) or len(reference) != 2:
            fail(TypeError, "reference", "a pair (value, label)", reference)
        reference = (check_number(reference[0], "reference[0]"),
                     check_string(reference[1], "reference[1]"))
    fig = new_figure(6.8, 3.4)
    ax = fig.subplots()
    width = 0.8 / len(values)
    positions = np.arange(len(groups))
    for index, (label, array) in enumerate(values.items()):
        offset = positions - 0.4 + width * (index + 0.5)
        ax.bar(offset, array.mean(axis=0), width, color=f"C{index}", alpha=0.8, label=label)
        if len(array) > 1:
            ax.plot(np.broadcast_to(offset, array.shape).ravel(), array.ravel(), "k.",
                    markersize=3)
    if reference is not None:
        ax.axhline(reference[0], color="0.4", linestyle=":", linewidth=1)
        ax.annotate(reference[1], (1.0, reference[0]), xycoords=("axes fraction", "data"),
                    xytext=(-4, 3), textcoords="offset points", ha="right", fontsize=8,
                    color="0.35")
    ax.set_xticks(positions, groups, rotation=30, ha="right", fontsize=9)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncols=min(len(values), 4), loc="lower left")
    if title:
        ax.set_title(title)
    return fig


@styled
def architecture_diagram(sizes, names, *, title=None):
    """Layers as bars whose heights grow with their width, joined by labelled trapezoids.

    Parameters
    ----------
    sizes : sequence of int
        Width of each layer, for example ``(784, 28, 784)``.
    names : sequence of str
        A caption for each layer, for example ``("input x", "code z", "reconstruction")``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = check_positive_ints(sizes, "sizes")
    names = _strings(names, "names")
    if len(sizes) != len(names) or len(sizes) < 2:
        raise ValueError(f"sizes and names must give at least two layers, one name per size. "
                         f"Received: {len(sizes)} sizes and {len(names)} names.")
    fig = new_figure(min(MAX_WIDTH_IN, 2.2 * len(sizes)), 3.0)
    ax = fig.subplots()
    heights = np.sqrt(np.asarray(sizes, dtype=float))
    heights = 2.4 * heights / heights.max()
    xs = np.arange(len(sizes)) * 2.0
    for i in range(len(sizes) - 1):
        x0, x1 = xs[i] + 0.2, xs[i + 1] - 0.2
        ax.fill([x0, x1, x1, x0], [-heights[i] / 2, -heights[i + 1] / 2,
                                   heights[i + 1] / 2, heights[i] / 2], color="0.88")
        # The first half of the connections encode, the second half decode, whether the
        # code is narrower than the input or (overcomplete) wider.
        part = "encoder" if i < (len(sizes) - 1) / 2 else "decoder"
        ax.text((x0 + x1) / 2, 0, part, ha="center", va="center")
    for x, height, size, name in zip(xs, heights, sizes, names):
        ax.add_patch(matplotlib.patches.Rectangle((x - 0.2, -height / 2), 0.4, height,
                                                  color="tab:blue"))
        ax.text(x, -1.45, f"{name}\n{size} numbers", ha="center", va="top")
    ax.set_xlim(xs[0] - 0.9, xs[-1] + 0.9)
    ax.set_ylim(-2.1, 1.4)
    ax.set_axis_off()
    _title(ax, title, fig.get_figwidth() - 0.8)
    return fig


@styled
def greedy_pretraining_diagram(layer_sizes, *, input_size=784, n_classes=10, title=None):
    """The stages of greedy layer-wise pretraining, one row each, then fine-tuning.

    In row ``i`` the layers below stage ``i`` are frozen (grey), the layer being trained is
    blue and its decoder orange with a dashed edge (cut off once the stage is done). The
    last row stacks the trained layers, adds a softmax layer (green) and fine-tunes
    everything. The fills are light and the labels black, for contrast.

    Parameters
    ----------
    layer_sizes : sequence of int
        Width of each hidden layer.
    input_size : int, default 784
    n_classes : int, default 10
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(layer_sizes, (list, tuple)) and not layer_sizes:
        raise ValueError("layer_sizes must be one or more positive widths. Received: "
                         f"layer_sizes={layer_sizes!r}.")
    sizes = check_positive_ints(layer_sizes, "layer_sizes")
    input_size = check_positive_int(input_size, "input_size")
    n_classes = check_positive_int(n_classes, "n_classes")
    colours = {"input": "#e0e0e0", "frozen": "#bdbdbd", "train": "#a6cee3",
               "decoder": "#fdbf6f", "softmax": "#b2df8a"}
    n_rows, n_columns = len(sizes) + 1, len(sizes) + 2
    fig = new_figure(min(MAX_WIDTH_IN, 1.2 + 0.8 * n_columns), 0.62 * n_rows + 0.5)
    ax = fig.subplots()

    def box(column, row, kind, label):
        ax.add_patch(matplotlib.patches.FancyBboxPatch(
            (column * 1.1, -row - 0.36), 1.0, 0.72, boxstyle="round,pad=0.02",
            facecolor=colours[kind], edgecolor="0.25" if kind == "decoder" else "none",
            linestyle="--", linewidth=0.8))
        ax.text(column * 1.1 + 0.5, -row, label, ha="center", va="center",
                color="black", linespacing=1.1)

    for stage, size in enumerate(sizes):
        box(0, stage, "input", f"input\n{input_size}")
        for below in range(stage):
            box(below + 1, stage, "frozen", f"frozen\n{sizes[below]}")
        box(stage + 1, stage, "train", f"train\n{size}")
        target = input_size if stage == 0 else sizes[stage - 1]
        box(stage + 2, stage, "decoder", f"decoder\n{target}\n(cut)")
        ax.text(-0.15, -stage, f"stage {stage + 1}", ha="right", va="center")
    last = len(sizes)
    box(0, last, "input", f"input\n{input_size}")
    for index, size in enumerate(sizes):
        box(index + 1, last, "train", f"fine-tune\n{size}")
    box(last + 1, last, "softmax", f"softmax\n{n_classes}")
    ax.text(-0.15, -last, "fine-tune", ha="right", va="center")
    ax.set_xlim(-1.3, 1.1 * n_columns)
    ax.set_ylim(-last - 0.45, 0.45)
    ax.set_axis_off()
    _title(ax, title, fig.get_figwidth() - 0.8)
    return fig


def _images(images, name, ndim=3):
    """A non-empty batch of finite images, shape (N, height, width)."""
    return check_array(images, name, ndim=ndim, shape_hint="(N, height, width)")


def _strings(values, name):
    """A list of strings, from a sequence of strings."""
    return [check_string(value, f"each entry of {name}")
            for value in check_sequence(values, name, non_empty=False,
                                        what="a sequence of strings")]


def _check_class_names(class_names, labels):
    """Names for every label, when given."""
    if class_names is None:
        return
    names = check_sequence(class_names, "class_names", what="a sequence of names")
    if len(labels) and labels.max() >= len(names):
        raise ValueError(f"class_names must name every class. Received: {len(names)} names "
                         f"for labels up to {labels.max()}.")


def _curve_label(key):
    """Keras history keys read as words: "val_loss" -> "validation loss", "loss" -> "training
    loss"; any other key (such as "component 1") is used as it is."""
    if key.startswith("val_"):
        return f"validation {key[4:]}"
    if key.startswith("loss"):
        return f"training {key}"
    return key


def _label_log_axis(axis, values):
    """Label a logarithmic axis with plain numbers, several of them even when the data span
    less than a decade (where the default labels only one power of ten, or none)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    decades = float(np.log10(values.max() / values.min())) if len(values) else 3.0
    axis.set_minor_locator(matplotlib.ticker.NullLocator())
    if decades >= 3:  # powers of ten, written as such
        axis.set_major_locator(matplotlib.ticker.LogLocator(base=10))
        axis.set_major_formatter(matplotlib.ticker.LogFormatterSciNotation())
        return
    subs = (1.0, 2.0, 5.0) if decades >= 0.8 else (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 7.0)
    axis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=subs))
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))


def _show_image(ax, image):
    ax.patch.set_visible(False)  # the image covers it
    ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="none")
    ax.set_xticks([])
    ax.set_yticks([])


@styled
def learning_curves(history, *, keys=None, log_scale=False, title="Learning curves",
                    ylabel="loss (MSE)"):
    """Training and validation loss per epoch.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        ``model.fit``'s result, or a dict mapping names such as ``"loss"`` to per-epoch
        values. ``val_`` keys are drawn dashed and labelled "validation ..."; ``loss`` keys
        "training ..."; other keys keep their names.
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
    keys = list(curves) if keys is None else _strings(keys, "keys")
    log_scale = check_bool(log_scale, "log_scale")
    unknown = [key for key in keys if key not in curves]
    if unknown:
        raise ValueError(f"keys must name curves of the history, {sorted(curves)}. "
                         f"Received: no curve named {unknown}.")
    fig = new_figure(6.0, 3.4)
    ax = fig.subplots()
    for key in keys:
        values = np.asarray(curves[key], dtype=float)
        epochs = np.arange(1, len(values) + 1)
        style = "--" if key.startswith("val_") else "-"
        label = _curve_label(key)
        ax.plot(epochs, values, style, marker="o", markersize=3, label=label)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if log_scale:
        ax.set_yscale("log")
        _label_log_axis(ax.yaxis, np.concatenate([np.ravel(curves[key]) for key in keys]))
    ax.grid(alpha=0.3)
    ax.legend()
    _title(ax, title, fig.get_figwidth() - 0.8)
    return fig
