"""Reading a network's hidden units: activation capture and the measures of sparse dictionaries.

Chapter 10 trains sparse autoencoders ("dictionaries") on the hidden activations of a
classifier. The dictionaries themselves are written in the notebook; this module holds the
plumbing around them:

- capture: :func:`layer_activations` (a Keras model's layer, on many inputs);
- the field's measures: :func:`l0`, :func:`fraction_of_variance_unexplained`,
  :func:`dead_share`, :func:`best_rescaling` (shrinkage) and :func:`loss_recovered`;
- reading units: :func:`top_activating`, :func:`class_counts`, :func:`class_purity`
  and :func:`activation_purity`;
- showing them: :func:`frontier_plot` and :func:`feature_dashboard` (figures), and
  :func:`feature_explorer` (live in Jupyter, pre-computed frames on the site).
"""

from __future__ import annotations

import numbers

import matplotlib.ticker
import numpy as np

from ae_lib.figures import new_figure, styled
from ae_lib.validation import check_array, check_labels, check_positive_int
from ae_lib.widgets import Explorer, image_rows


# --------------------------------------------------------------------------- capture

def layer_activations(model, layer, inputs, *, batch_size=1024):
    """The outputs of one layer of a Keras model, for every input, as a NumPy array.

    A model from the model's inputs to that layer's output is built once and applied in
    slices (no ``predict``: no full-size copy of the data, no graph retracing).

    Parameters
    ----------
    model : keras.Model
        A built functional or Sequential model (one that has been called, fitted or
        given an ``Input``).
    layer : str or keras.Layer
        The layer whose output is wanted, by name or as the layer object.
    inputs : array_like
        Shape (N, ...), what ``model`` takes.
    batch_size : int, default 1024

    Returns
    -------
    np.ndarray
        Shape (N, ...) of the layer's output, float32.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    if isinstance(layer, str):
        names = [each.name for each in model.layers]
        if layer not in names:
            raise ValueError(f"model has no layer named {layer!r}; its layers are {names}. "
                             "Pass one of these names.")
        layer = model.get_layer(layer)
    elif not any(layer is each for each in model.layers):
        raise ValueError(f"layer {getattr(layer, 'name', layer)!r} is not one of the model's "
                         "layers; pass one of model.layers or its name.")
    try:
        inputs_of_model = model.inputs
        # One input as a tensor, not a one-element list: Keras warns about the mismatch.
        if len(inputs_of_model) == 1:
            inputs_of_model = inputs_of_model[0]
        probe = keras.Model(inputs_of_model, layer.output)
    except (AttributeError, ValueError) as error:
        raise ValueError("model has no defined inputs yet: build it first, for example with "
                         "keras.Input in a Sequential model, or by calling it once.") from error
    _check_positive_int("batch_size", batch_size)
    inputs = np.asarray(inputs, dtype=np.float32)
    if inputs.ndim == 0 or len(inputs) == 0:
        raise ValueError(f"inputs must be a non-empty batch, got shape {inputs.shape}.")
    outputs = [keras.ops.convert_to_numpy(probe(inputs[start:start + batch_size],
                                                training=False))
               for start in range(0, len(inputs), batch_size)]
    return np.concatenate(outputs).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- measures

def l0(codes):
    """The mean number of non-zero entries per code: the sparsity a dictionary reaches.

    Parameters
    ----------
    codes : array_like
        Shape (N, n_latents).

    Returns
    -------
    float
    """
    codes = _check_matrix(codes, "codes")
    return float(np.count_nonzero(codes, axis=1).mean())


def fraction_of_variance_unexplained(originals, reconstructions):
    """The squared error divided by the data's variance: the field's "normalised MSE".

    ``sum ||x - x_hat||^2 / sum ||x - mean(x)||^2`` over all examples: 0 for a perfect
    reconstruction, 1 for one that predicts the mean of ``originals`` for every example.
    One minus it is the share of variance explained.

    Parameters
    ----------
    originals, reconstructions : array_like
        Shape (N, D) each.

    Returns
    -------
    float
    """
    originals = _check_matrix(originals, "originals")
    reconstructions = _check_matrix(reconstructions, "reconstructions")
    if originals.shape != reconstructions.shape:
        raise ValueError(f"originals {originals.shape} and reconstructions "
                         f"{reconstructions.shape} must have the same shape.")
    variance = np.square(originals - originals.mean(axis=0), dtype=np.float64).sum()
    if variance == 0:
        raise ValueError("originals are all the same vector: they have no variance to explain.")
    return float(np.square(originals - reconstructions, dtype=np.float64).sum() / variance)


def dead_share(codes):
    """The share of latents (columns) that are zero for every example: "dead" latents.

    A latent counts as dead here when it does not activate on any of the N examples given,
    so the answer depends on N: pass as many examples as the claim is about (held-out
    data, say).

    Parameters
    ----------
    codes : array_like
        Shape (N, n_latents), non-negative (ReLU or TopK codes).

    Returns
    -------
    float
        From 0 (every latent fires somewhere) to 1.
    """
    codes = _check_matrix(codes, "codes")
    return float(np.mean(~np.any(codes > 0, axis=0)))


def best_rescaling(targets, predictions):
    """The one scale ``s`` that minimises ``||targets - s * predictions||^2``.

    ``s = <targets, predictions> / ||predictions||^2``. For a dictionary's reconstruction
    with the pre-encoder bias removed from both, ``s > 1`` means the reconstructions are
    systematically too short: the codes have been *shrunk* (the L1 penalty does that);
    ``s = 1`` means no shrinkage.

    Parameters
    ----------
    targets, predictions : array_like
        Same shape.

    Returns
    -------
    float
    """
    targets, predictions = np.asarray(targets, np.float64), np.asarray(predictions, np.float64)
    if targets.shape != predictions.shape or targets.size == 0:
        raise ValueError(f"targets {targets.shape} and predictions {predictions.shape} must "
                         "have the same, non-empty shape.")
    energy = np.square(predictions).sum()
    if energy == 0:
        raise ValueError("predictions are all zero: no scale of them fits anything.")
    return float((targets * predictions).sum() / energy)


def loss_recovered(clean, patched, ablated):
    """The share of an ablation's damage that a patch repairs.

    ``(ablated - patched) / (ablated - clean)``: 1 when running the network on the
    reconstructions (``patched``) gives the clean loss, 0 when it is as bad as the
    ablation (zeroing the layer, or replacing it by its mean). Negative if worse.

    Parameters
    ----------
    clean, patched, ablated : float
        The network's loss on the same data, with the layer as it is, replaced by the
        reconstructions, and ablated.

    Returns
    -------
    float
    """
    values = [clean, patched, ablated]
    if any(isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v)
           for v in values):
        raise ValueError(f"clean, patched and ablated must be finite numbers, got {values}.")
    if not ablated > clean:
        raise ValueError(f"The ablated loss ({ablated:g}) must exceed the clean loss "
                         f"({clean:g}); otherwise the ablation did no damage to recover.")
    return float((ablated - patched) / (ablated - clean))


# --------------------------------------------------------------------------- reading units

def top_activating(activations, n):
    """For each unit (column), the indices of the ``n`` examples on which it is largest.

    Parameters
    ----------
    activations : array_like
        Shape (N, n_units).
    n : int
        From 1 to N.

    Returns
    -------
    np.ndarray
        Shape (n_units, n), int; row ``j`` lists unit ``j``'s examples from the largest
        activation down. Ties are broken by the lower index.
    """
    activations = _check_matrix(activations, "activations")
    _check_positive_int("n", n)
    if n > len(activations):
        raise ValueError(f"n must be at most the number of examples ({len(activations)}), "
                         f"got {n}.")
    # A stable sort of the negated values: largest first, ties by index.
    return np.argsort(-activations.T, axis=1, kind="stable")[:, :n]


def class_counts(activations, labels, n, *, n_classes=None):
    """For each unit, how many of its ``n`` top-activating examples fall in each class.

    Only examples on which the unit is active (above 0) count, so a unit active on fewer
    than ``n`` examples has fewer than ``n`` counts, and a unit never active has none.

    Parameters
    ----------
    activations : array_like
        Shape (N, n_units).
    labels : array_like of int
        Shape (N,), class indices from 0.
    n : int
    n_classes : int, optional
        Default: the largest label plus one.

    Returns
    -------
    np.ndarray
        Shape (n_units, n_classes), int.
    """
    activations = _check_matrix(activations, "activations")
    labels = _check_labels(labels, len(activations))
    n_classes = int(labels.max()) + 1 if n_classes is None else _check_positive_int(
        "n_classes", n_classes)
    if labels.max() >= n_classes:
        raise ValueError(f"labels go up to {labels.max()}, more than n_classes={n_classes} "
                         "allows.")
    top = top_activating(activations, n)
    active = np.take_along_axis(activations.T, top, axis=1) > 0
    counts = np.zeros((activations.shape[1], n_classes), dtype=np.int64)
    for unit in range(activations.shape[1]):
        counts[unit] = np.bincount(labels[top[unit][active[unit]]], minlength=n_classes)
    return counts


def class_purity(activations, labels, n=100, *, min_active=None):
    """The share of each unit's top-activating examples that belong to its commonest class.

    1 means every one of the unit's ``n`` strongest examples is of one class; with ten
    balanced classes, a unit that ignored the labels would score about 0.1 plus chance.
    Only active examples (above 0) count; units with fewer than ``min_active`` of them
    get NaN (dead or nearly dead units have no purity worth quoting).

    Parameters
    ----------
    activations : array_like
        Shape (N, n_units).
    labels : array_like of int
        Shape (N,).
    n : int, default 100
    min_active : int, optional
        Default ``n``: a unit needs ``n`` active examples.

    Returns
    -------
    np.ndarray
        Shape (n_units,), in [0, 1] or NaN.
    """
    counts = class_counts(activations, labels, n)
    min_active = n if min_active is None else _check_positive_int("min_active", min_active)
    totals = counts.sum(axis=1)
    purity = np.full(len(counts), np.nan)
    enough = totals >= min_active
    purity[enough] = counts[enough].max(axis=1) / totals[enough]
    return purity


def activation_purity(activations, labels, *, n_classes=None, min_active=None):
    """The share of each unit's total activation that falls on its commonest class.

    Unlike :func:`class_purity`, which looks only at a unit's strongest examples, this
    weighs every example by how strongly the unit responds to it. A unit that fires on
    one class only scores 1; one that responds equally to ten balanced classes scores
    0.1. Units that are zero everywhere get NaN, and so do units active (above 0) on
    fewer than ``min_active`` examples: a unit that fires on three images is trivially
    pure, so comparing units of methods that fire at different rates needs a common
    floor.

    Parameters
    ----------
    activations : array_like
        Shape (N, n_units), non-negative (ReLU or TopK codes, ReLU neurons).
    labels : array_like of int
        Shape (N,).
    n_classes : int, optional
        Default: the largest label plus one.
    min_active : int, optional
        Default 1: every unit that fires at all gets a purity.

    Returns
    -------
    np.ndarray
        Shape (n_units,), in [0, 1] or NaN.
    """
    activations = _check_matrix(activations, "activations")
    min_active = 1 if min_active is None else _check_positive_int("min_active",
                                                                  min_active)
    if activations.min() < 0:
        raise ValueError("activations must be non-negative (ReLU or TopK codes); got a "
                         f"minimum of {activations.min():g}.")
    labels = _check_labels(labels, len(activations))
    n_classes = int(labels.max()) + 1 if n_classes is None else _check_positive_int(
        "n_classes", n_classes)
    if labels.max() >= n_classes:
        raise ValueError(f"labels go up to {labels.max()}, more than n_classes={n_classes} "
                         "allows.")
    one_hot = np.eye(n_classes)[labels]                     # (N, n_classes)
    mass = activations.T.astype(np.float64) @ one_hot        # (n_units, n_classes)
    totals = mass.sum(axis=1)
    purity = np.full(len(mass), np.nan)
    alive = (totals > 0) & ((activations > 0).sum(axis=0) >= min_active)
    purity[alive] = mass[alive].max(axis=1) / totals[alive]
    return purity


# --------------------------------------------------------------------------- showing units

@styled
def frontier_plot(curves, *, xlabel="L0 (active latents per input)",
                  ylabel="fraction of variance unexplained", title=None):
    """Sparsity against reconstruction: one line of labelled points per kind of dictionary.

    Both axes are logarithmic; lower and further left is better.

    Parameters
    ----------
    curves : dict of str to (sequence, sequence, sequence of str)
        ``{legend label: (x values, y values, point labels)}``, for example
        ``{"TopK": ([4, 8], [0.07, 0.04], ["k=4", "k=8"])}``.
    xlabel, ylabel : str
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not curves:
        raise ValueError("Give at least one curve to draw.")
    fig = new_figure(6.4, 3.8)
    ax = fig.subplots()
    for colour, (label, (xs, ys, names)) in enumerate(curves.items()):
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        if not len(xs) == len(ys) == len(names) or len(xs) == 0:
            raise ValueError(f"Curve {label!r} needs one x, one y and one label per point; "
                             f"got {len(xs)}, {len(ys)} and {len(names)}.")
        if np.any(xs <= 0) or np.any(ys <= 0):
            raise ValueError(f"Curve {label!r} has values at or below zero, which a "
                             "logarithmic axis cannot show.")
        order = np.argsort(xs)
        ax.plot(xs[order], ys[order], marker="o", color=f"C{colour}", label=label)
        for x, y, name in zip(xs, ys, names):
            ax.annotate(name, (x, y), xytext=(5, 4), textcoords="offset points",
                        fontsize=8, color=f"C{colour}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.margins(0.12)
    # Plain numbers at round values: powers of 2 for L0, 1-2-5 steps for the error.
    all_x = np.concatenate([np.asarray(c[0], dtype=float) for c in curves.values()])
    all_y = np.concatenate([np.asarray(c[1], dtype=float) for c in curves.values()])
    x_ticks = 2.0 ** np.arange(-10, 21)
    y_ticks = np.outer(10.0 ** np.arange(-6, 4), [1, 2, 5]).ravel()
    ax.set_xticks(x_ticks[(x_ticks >= all_x.min() / 1.5) & (x_ticks <= all_x.max() * 1.5)])
    ax.set_yticks(y_ticks[(y_ticks >= all_y.min() / 1.5) & (y_ticks <= all_y.max() * 1.5)])
    plain = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


@styled
def feature_dashboard(images, activations, labels, unit, *, pixel_direction=None,
                      direction_title="pixel direction", class_names=None, n_images=8,
                      n_top=100, title=None):
    """One unit at a glance: its top-activating images, a pixel-space view, its classes.

    Top row: the ``n_images`` images on which the unit is largest, with their activations.
    Bottom left (if given): ``pixel_direction``, a 28 x 28 map on a diverging colour scale
    (red positive, blue negative). Bottom right: the classes of the unit's ``n_top``
    strongest active examples, as bars.

    Parameters
    ----------
    images : array_like
        Shape (N, height, width), values in [0, 1].
    activations : array_like
        Shape (N, n_units), the unit's values in column ``unit``.
    labels : array_like of int
        Shape (N,).
    unit : int
    pixel_direction : array_like, optional
        Shape (height, width) or (height * width,).
    direction_title : str, default "pixel direction"
        The title over ``pixel_direction``.
    class_names : sequence of str, optional
    n_images : int, default 8
    n_top : int, default 100
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images, dtype=np.float32)
    activations = _check_matrix(activations, "activations")
    if images.ndim != 3 or len(images) != len(activations):
        raise ValueError(f"images must have shape (N, height, width) with N = "
                         f"{len(activations)} (one per row of activations), got "
                         f"{images.shape}.")
    if isinstance(unit, bool) or not isinstance(unit, numbers.Integral) \
            or not 0 <= unit < activations.shape[1]:
        raise ValueError(f"unit must be an integer from 0 to {activations.shape[1] - 1}, "
                         f"got {unit!r}.")
    column = activations[:, [unit]]
    n_top = min(_check_positive_int("n_top", n_top), len(column))
    n_images = min(_check_positive_int("n_images", n_images), len(column))
    counts = class_counts(column, labels, n_top)[0]
    if class_names is None:
        class_names = [str(c) for c in range(len(counts))]
    elif len(class_names) < len(counts):
        raise ValueError(f"class_names has {len(class_names)} names for {len(counts)} "
                         "classes.")
    top = top_activating(column, n_images)[0]
    fig = new_figure(6.8, 3.5)
    upper, lower = fig.subfigures(2, 1, height_ratios=[1, 1.5])
    for ax, index in zip(np.atleast_1d(upper.subplots(1, n_images)), top):
        ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{column[index, 0]:.2g}", fontsize=9)
    if pixel_direction is not None:
        direction = np.asarray(pixel_direction, dtype=np.float32).reshape(images.shape[1:])
        ax, bars = lower.subplots(1, 2, width_ratios=[1, 2.6])
        limit = float(np.abs(direction).max()) or 1.0
        ax.imshow(direction, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(direction_title, fontsize=9)
    else:
        bars = lower.subplots()
    bars.bar(range(len(counts)), counts, color="tab:blue")
    bars.set_xticks(range(len(counts)),
                    [name.split("/")[0][:7] for name in class_names[:len(counts)]],
                    rotation=45, ha="right", fontsize=8)
    bars.set_ylabel("images", fontsize=9)
    bars.set_title(f"classes of the top {counts.sum()} active images", fontsize=9)
    fig.suptitle(title or f"unit {unit}", fontsize=11)
    return fig


def feature_explorer(images, activations, units, *, labels=None, class_names=None,
                     n_images=8, n_top=100, title="Pick a feature, see its top images"):
    """A control over units; each frame shows a unit's top-activating images.

    Live in Jupyter, Colab or Binder; on the static site every frame is pre-computed
    (:class:`ae_lib.widgets.Explorer`).

    Parameters
    ----------
    images : array_like
        Shape (N, height, width), values in [0, 1].
    activations : array_like
        Shape (N, n_units).
    units : sequence of int
        The units offered (at most a few dozen: each is a pre-computed frame).
    labels : array_like of int, optional
        With them, the caption gives the unit's commonest class among its ``n_top``
        strongest active examples, and its share.
    class_names : sequence of str, optional
    n_images : int, default 8
    n_top : int, default 100
    title : str

    Returns
    -------
    ae_lib.widgets.Explorer
    """
    images = np.asarray(images, dtype=np.float32)
    activations = _check_matrix(activations, "activations")
    if images.ndim != 3 or len(images) != len(activations):
        raise ValueError(f"images must have shape (N, height, width) with N = "
                         f"{len(activations)}, got {images.shape}.")
    if images.min() < 0 or images.max() > 1:
        raise ValueError("images must have values in [0, 1].")
    units = [int(u) for u in units]
    bad = [u for u in units if not 0 <= u < activations.shape[1]]
    if not units or bad:
        raise ValueError(f"units must be columns of activations, from 0 to "
                         f"{activations.shape[1] - 1}; got {units}.")
    n_top = min(_check_positive_int("n_top", n_top), len(activations))
    n_images = min(_check_positive_int("n_images", n_images), len(activations))
    top = top_activating(activations[:, units], n_images)
    counts = (class_counts(activations[:, units], labels, n_top)
              if labels is not None else None)

    def caption(slot, unit):
        active = int(np.count_nonzero(activations[:, unit] > 0))
        text = f"feature {unit}: active on {active} of {len(images)} images"
        if counts is not None and counts[slot].sum():
            best = int(np.argmax(counts[slot]))
            name = class_names[best] if class_names is not None else str(best)
            text += (f"; {counts[slot][best] / counts[slot].sum():.0%} of its top "
                     f"{counts[slot].sum()} are {name}")
        return text

    def render(settings):
        frames = []
        for setting in settings:
            slot = units.index(setting["feature"])
            # Dark garments on white, as in the dashboards; the gaps stay white.
            frames.append((image_rows(1.0 - images[top[slot]]),
                           caption(slot, setting["feature"])))
        return frames

    return Explorer({"feature": units}, render, title=title, scale=3)


# --------------------------------------------------------------------------- checks

def _check_matrix(array, name):
    """A non-empty, finite 2-D array (examples x units), through ae_lib.validation."""
    return check_array(array, name, ndim=2, shape_hint="(examples, units)")


def _check_labels(labels, count):
    return check_labels(labels, "labels", length=count)


def _check_positive_int(name, value):
    return check_positive_int(value, name)
