"""ae_lib.figures and the sizes of ae_lib.plotting's figures: legible at the site's width."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.path import Path

from ae_lib import plotting
from ae_lib.data import FASHION_MNIST_CLASSES
from ae_lib.figures import (MAX_WIDTH_IN, MIN_FONT_PT, DisplayFigure, compact_png, compact_svg,
                            course_style, drawn_texts, new_figure, smallest_text_pt,
                            svg_text)
from ae_lib.interpret import feature_dashboard, frontier_plot
from ae_lib.latent import decoded_grid, latent_scatter

RNG = np.random.default_rng(0)
IMAGES = RNG.random((40, 28, 28))


# The largest layouts the chapters draw, with their longest labels.
CHAPTER_FIGURES = {
    "ten classes over their reconstructions": lambda: plotting.reconstruction_grid(
        IMAGES[:10], IMAGES[10:20], labels=list(range(10)), class_names=FASHION_MNIST_CLASSES,
        title="Test images and their reconstructions from 28 numbers"),
    "five rows of reconstructions": lambda: plotting.reconstruction_grid(
        IMAGES[:6], *(IMAGES[6 * i:6 * i + 6] for i in range(1, 5)), n=6,
        labels=[5, 6, 8, 7, 9, 3], class_names=FASHION_MNIST_CLASSES,
        row_titles=["original", "k = 4", "k = 16", "k = 64", "k = 1568"]),
    "two-line row titles": lambda: plotting.reconstruction_grid(
        IMAGES[:4], IMAGES[4:8], IMAGES[8:12], IMAGES[12:16], n=4,
        row_titles=["clean", "Gaussian\n0.3", "masking\n50%", "salt and\npepper 20%"]),
    "ten classes": lambda: plotting.image_grid(IMAGES[:10], titles=list(FASHION_MNIST_CLASSES)),
    "28 code units, signed": lambda: plotting.image_grid(
        IMAGES[:28] - 0.5, n_cols=7, signed=True, titles=[f"unit {i}" for i in range(28)],
        title="What raising each code unit adds (red) or removes (blue)"),
    "class heat map": lambda: plotting.class_code_heatmap(
        RNG.random((500, 28)), RNG.integers(0, 10, 500), FASHION_MNIST_CLASSES),
    "transpose pair": lambda: plotting.transpose_pair(RNG.normal(size=(784, 16)), title="t"),
    "three histograms": lambda: plotting.histograms(
        {"plain ReLU": RNG.exponential(size=2000), "L1 sparse": RNG.exponential(size=2000),
         "KL sparse": RNG.exponential(size=2000)}, xlabel="code activation", bins=40,
        title="Code activations on 2,000 validation images"),
    "three panels of bars": lambda: plotting.seed_bars(
        {f"{n:,} labels": {"raw pixels": [0.7, 0.71], "untrained encoder": [0.6, 0.62],
                           "pretrained, frozen": [0.75, 0.76], "pretrained, tuned": [0.8, 0.8]}
         for n in (100, 1000, 10000)}, ylabel="test accuracy", paired=False,
        title="Transfer from unlabelled pretraining (bars: mean; dots: seeds)"),
    "five-stage pretraining": lambda: plotting.greedy_pretraining_diagram(
        [128] * 5, title="Greedy layer-wise pretraining"),
    "architecture": lambda: plotting.architecture_diagram(
        (784, 1568, 784), ("input x", "code z", "reconstruction")),
    "log-log series": lambda: plotting.series_plot(
        [4, 16, 64, 256, 784, 1568], {"training": [0.03, 0.02, 0.01, 0.006, 0.005, 0.004],
                                      "validation": [0.031, 0.021, 0.011, 0.007, 0.006, 0.005]},
        xlabel="code size k (log scale)", ylabel="reconstruction MSE", log_x=True, log_y=True,
        vline=(784, "complete"), title="Error against code size"),
    "trade-off": lambda: plotting.tradeoff_plot(
        [0.2, 0.5, 0.9], [0.01, 0.012, 0.02], ["lambda = 0", "lambda = 0.001", "lambda = 0.01"],
        xlabel="share of code activations near zero", ylabel="validation MSE"),
    "16 x 16 cosines": lambda: plotting.matrix_heatmap(
        RNG.random((16, 16)), row_labels=range(1, 17), column_labels=range(1, 17),
        xlabel="principal component", ylabel="latent unit", colorbar_label="|cosine|",
        title="Each latent unit is a mixture of components"),
    "six columns under a long title": lambda: plotting.image_grid(
        IMAGES[:12] - 0.5, n_cols=6, signed=True,
        titles=[f"PC {i + 1}" for i in range(6)] + [f"column {i + 1}" for i in range(6)],
        title="PCA's components (top), the tied linear model's columns (bottom)"),
    "three large panels": lambda: plotting.image_grid(
        IMAGES[:3], n_cols=3, panel_size=2.2,
        titles=["how much each pixel varies\nin the training images",
                "error on noise, k = 16", "error on noise, k = 1568"],
        title="Where the overcomplete model copies (dark = low error)"),
    "paired bars": lambda: plotting.seed_bars(
        {f"{n:,} images": {f"{m}, {p}": [0.02, 0.021, 0.022] for m in ("untied", "tied")
                           for p in ("train", "val")} for n in (1000, 60000)},
        ylabel="reconstruction MSE",
        title="Tied and untied autoencoders (bars: mean; dots: seeds)"),
    "gradients by layer": lambda: plotting.series_plot(
        range(1, 7), {"sigmoid, random": [1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.2],
                      "sigmoid, pretrained": [1e-3, 3e-3, 0.01, 0.02, 0.05, 0.1],
                      "ReLU, random": [0.05, 0.06, 0.08, 0.1, 0.1, 0.2]},
        log_y=True, xticklabels=["1", "2", "3", "4", "5", "softmax"],
        xlabel="layer (from the input)", ylabel="gradient norm",
        title="Gradients at the start of training"),
    "frequency bands": lambda: plotting.series_plot(
        range(4), {f"k = {k}": [0.1, 0.3, 0.6, 0.9] for k in (4, 16, 64, 256, 784, 1568)},
        xticklabels=["0 to 0.177", "0.177 to 0.354", "0.354 to 0.53", "0.53 to 0.707"],
        xlabel="spatial frequency (cycles per pixel)", ylabel="share of the band lost",
        title="Fine detail is lost first"),
    "five PSNR curves": lambda: plotting.series_plot(
        [0.25, 0.5, 0.75], {c: [20.0, 18.0, 15.0] for c in
                            ("noisy input", "plain AE", "dense DAE", "conv DAE")},
        xlabel="masking noise level", ylabel="PSNR (dB)",
        title="Denoising masking noise (models trained at 0.5)"),
    "learning curves": lambda: plotting.learning_curves(
        {"loss": [0.05, 0.03, 0.02], "val_loss": [0.05, 0.035, 0.03]}, log_scale=True),
    # Chapters 8 and 10 draw with ae_lib.latent and ae_lib.interpret.
    "latent scatter": lambda: latent_scatter(
        RNG.normal(size=(500, 2)), RNG.integers(0, 10, 500), FASHION_MNIST_CLASSES,
        max_points=300, title="Posterior means of 2,000 test images, by class"),
    "decoded grid": lambda: decoded_grid(
        RNG.random((144, 28, 28)), np.linspace(-2.3, 2.3, 12), width=5.6,
        title="Decoded codes at the prior's quantiles (1% to 99%)"),
    "frontier": lambda: frontier_plot(
        {"TopK": ([4, 8, 16], [0.2, 0.12, 0.07], ["k=4", "k=8", "k=16"]),
         "L1": ([5, 11, 30], [0.25, 0.15, 0.09], ["λ=0.01", "λ=0.003", "λ=0.001"])},
        title="Sparsity against fidelity (test activations)"),
    "feature dashboard": lambda: feature_dashboard(
        IMAGES, RNG.random((40, 16)), RNG.integers(0, 10, 40), 3,
        pixel_direction=RNG.normal(size=784), direction_title="W1 times atom",
        class_names=FASHION_MNIST_CLASSES, n_top=20,
        title="TopK feature 3: the least class-pure"),
}


def _overlapping_texts(texts):
    """Pairs of drawn lines of text whose ink boxes (less a pixel on each side) intersect."""
    shapes = [(text, Path(corners + np.sign(corners.mean(axis=0) - corners)))
              for text, _, corners in texts]
    return [(first, second) for i, (first, a) in enumerate(shapes)
            for second, b in shapes[i + 1:] if a.intersects_path(b, filled=True)]


@pytest.mark.parametrize("name", CHAPTER_FIGURES)
def test_chapter_figures_fit_the_column_with_legible_text_that_is_not_cut_or_overlapping(name):
    fig = CHAPTER_FIGURES[name]()
    width, height = fig.get_size_inches()
    assert isinstance(fig, DisplayFigure)
    assert width <= MAX_WIDTH_IN + 1e-9, f"{name}: {width:.2f} inches wide"
    assert 0.5 < height < 7.0, f"{name}: {height:.2f} inches high"
    texts = drawn_texts(fig)
    smallest = min(size for _, size, _ in texts)
    assert smallest >= MIN_FONT_PT
    assert f'data-min-font-pt="{smallest:g}"' in fig._repr_svg_()
    right, top = fig.bbox.size
    for text, _, corners in texts:
        assert corners.min() >= -1 and corners[:, 0].max() <= right + 1 and \
            corners[:, 1].max() <= top + 1, f"{name}: {text!r} is cut off"
    assert not _overlapping_texts(texts), name


def test_the_overlap_check_sees_overlapping_and_turned_text():
    fig = new_figure(3, 2)
    fig.text(0.1, 0.5, "first label")
    fig.text(0.15, 0.5, "second label")
    fig.text(0.6, 0.1, "turned", rotation=90)
    fig.text(0.9, 0.9, "apart")
    assert _overlapping_texts(drawn_texts(fig)) == [("first label", "second label")]


def test_a_log_axis_over_less_than_a_decade_labels_several_ticks():
    fig = plotting.series_plot([1, 2, 3], {"a": [0.004, 0.01, 0.03]}, xlabel="x", ylabel="y",
                               log_y=True)
    ax = fig.axes[0]
    fig.canvas.draw()
    low, high = ax.get_ylim()
    labelled = [t.get_text() for t, value in zip(ax.get_yticklabels(), ax.get_yticks())
                if low <= value <= high and t.get_text()]
    assert len(labelled) >= 3, labelled
    assert "0.01" in labelled  # plain numbers, not powers of ten


def test_smallest_text_is_measured_from_what_is_drawn():
    fig = new_figure(4, 3)
    with course_style():
        ax = fig.subplots()
        ax.set_title("title", fontsize=13)
        ax.set_xticks([0, 1], ["a", "b"], fontsize=11)
        ax.set_yticks([])
        ax.text(0.5, 0.5, "", fontsize=3)  # empty: not drawn text
        ax.text(5.0, 5.0, "outside", fontsize=10, in_layout=False)  # drawn, off the axes
    assert smallest_text_pt(fig) == 10
    assert smallest_text_pt(new_figure(1, 1)) is None
    with pytest.raises(TypeError, match="must be a matplotlib Figure, got str"):
        smallest_text_pt("figure")


def test_svg_is_the_same_every_time_and_keeps_images_pixelated():
    first = plotting.image_grid(IMAGES[:3], n_cols=3)
    second = plotting.image_grid(IMAGES[:3], n_cols=3)
    assert svg_text(first) == svg_text(second)  # no date, fixed ids
    svg = first._repr_svg_()
    assert svg.count("<image") == 3 and "image-rendering:pixelated" in svg
    # Text as text (the reader's browser draws it), not as outlines of glyphs.
    assert "<text" not in svg or "font-family: 'DejaVu Sans', 'Verdana'" in svg
    titled = plotting.image_grid(IMAGES[:3], n_cols=3, titles=["a", "b", "c"])._repr_svg_()
    assert titled.count("<text") == 3 and 'id="DejaVuSans' not in titled
    # The 28 x 28 pixels themselves are embedded, not a resampled copy.
    assert all(re.search(r'<image[^>]*width="28"[^>]*height="28"', part)
               for part in svg.split("<image")[1:] for part in ["<image" + part])


def test_compact_svg_keeps_every_pixel_of_every_embedded_image_in_fewer_bytes():
    from PIL import Image

    fig = plotting.reconstruction_grid(IMAGES[:5], IMAGES[5:10], n=5)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plain = buffer.getvalue()
    compact = compact_svg(plain)
    assert len(compact) < 0.8 * len(plain)

    def images(svg):
        return [np.asarray(Image.open(io.BytesIO(base64.b64decode(re.sub(r"\s", "", data))))
                           .convert("RGBA"))
                for data in re.findall(r"data:image/png;base64,([^\"]+)", svg)]

    before, after = images(plain), images(compact)
    assert len(before) == len(after) == 10
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    colours = np.random.default_rng(1).integers(0, 255, (8, 8, 4), dtype=np.uint8)
    png = io.BytesIO()
    Image.fromarray(colours, mode="RGBA").save(png, format="PNG")  # translucent: kept
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(compact_png(png.getvalue())))
                                     .convert("RGBA")), colours)


def test_new_figure_refuses_a_figure_wider_than_the_column():
    assert isinstance(new_figure(MAX_WIDTH_IN, 2), Figure)
    with pytest.raises(ValueError, match=r"width must be at most 6.9 inches .* got 7.5"):
        new_figure(7.5, 2)
    with pytest.raises(ValueError, match="height must be a positive number of inches, got 0"):
        new_figure(3, 0)
