"""ae_lib.plotting: figures hold the data they were given and render to non-blank images."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from ae_lib.data import FASHION_MNIST_CLASSES
from ae_lib.plotting import (architecture_diagram, class_code_heatmap, image_grid,
                             learning_curves, reconstruction_grid)


def _render(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    return np.asarray(Image.open(buffer).convert("L"), dtype=float)


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    originals = rng.random((12, 28, 28), dtype=np.float32)
    return originals, np.clip(originals + 0.1, 0, 1)


def test_grid_puts_originals_over_reconstructions(pair):
    originals, reconstructions = pair
    fig = reconstruction_grid(originals, reconstructions, n=5, labels=[9, 0, 1, 2, 3],
                              class_names=FASHION_MNIST_CLASSES, title="demo")
    assert isinstance(fig, Figure)
    axes = np.array(fig.axes).reshape(2, 5)
    for column in range(5):
        np.testing.assert_array_equal(axes[0, column].images[0].get_array(), originals[column])
        np.testing.assert_array_equal(axes[1, column].images[0].get_array(), reconstructions[column])
    assert axes[0, 0].get_title() == "Ankle boot"
    assert axes[0, 0].get_ylabel() == "original" and axes[1, 0].get_ylabel() == "reconstruction"
    assert fig.get_suptitle() == "demo"
    assert _render(fig).std() > 10  # not a blank canvas


def test_grid_refuses_mismatched_or_badly_shaped_input(pair):
    originals, reconstructions = pair
    with pytest.raises(ValueError, match="same shape"):
        reconstruction_grid(originals, reconstructions[:5])
    with pytest.raises(ValueError, match=r"\(N, height, width\)"):
        reconstruction_grid(originals.reshape(12, 784), reconstructions.reshape(12, 784))
    with pytest.raises(ValueError, match="n must be an integer from 1 to 12"):
        reconstruction_grid(originals, reconstructions, n=13)


def test_learning_curves_draw_each_history_key():
    history = {"loss": [0.09, 0.05, 0.03], "val_loss": [0.08, 0.05, 0.04]}
    fig = learning_curves(history)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"training loss", "validation loss"}
    np.testing.assert_array_equal(lines["validation loss"].get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(lines["training loss"].get_xdata(), [1, 2, 3])
    assert ax.get_xlabel() == "epoch"
    assert _render(fig).std() > 10


def test_learning_curves_accept_a_keras_history_and_a_log_scale():
    class History:
        history = {"loss": [1.0, 0.1]}

    fig = learning_curves(History(), log_scale=True)
    assert fig.axes[0].get_yscale() == "log"


def test_learning_curves_name_an_unknown_key():
    with pytest.raises(ValueError, match=r"keys must name curves.*no curve named \['val_loss'\]"):
        learning_curves({"loss": [1.0]}, keys=["val_loss"])
    with pytest.raises(ValueError, match="non-empty"):
        learning_curves({})


def test_grid_shows_one_row_per_set_of_reconstructions(pair):
    originals, reconstructions = pair
    fig = reconstruction_grid(originals, reconstructions, 1 - reconstructions, n=4,
                              row_titles=["original", "latent 128", "latent 64"])
    axes = np.array(fig.axes).reshape(3, 4)
    np.testing.assert_array_equal(axes[2, 3].images[0].get_array(), 1 - reconstructions[3])
    assert [axes[r, 0].get_ylabel() for r in range(3)] == ["original", "latent 128", "latent 64"]
    with pytest.raises(ValueError, match=r"row_titles must give one title per row \(2\)"):
        reconstruction_grid(originals, reconstructions, row_titles=["a", "b", "c"])
    with pytest.raises(ValueError, match="reconstructions must be at least one array"):
        reconstruction_grid(originals)


def test_image_grid_lays_out_rows_and_scales_signed_images_symmetrically():
    images = np.zeros((13, 4, 4))
    images[2, 0, 0] = -3.0
    images[5, 1, 1] = 1.5
    fig = image_grid(images, n_cols=5, signed=True, titles=[str(i) for i in range(13)])
    assert len(fig.axes) == 15  # 3 rows of 5; the last two are blank
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 13
    assert shown[0].images[0].get_clim() == (-3.0, 3.0)
    assert shown[12].get_title() == "12"
    with pytest.raises(ValueError, match=r"titles must give one title per image \(13\)"):
        image_grid(images, titles=["a", "b"])


def test_class_code_heatmap_shows_the_mean_code_of_each_class():
    codes = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0]])
    labels = np.array([0, 0, 1])
    fig = class_code_heatmap(codes, labels, ["zero", "one"])
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), [[2.0, 0.0], [0.0, 2.0]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["zero", "one"]
    with pytest.raises(ValueError, match=r"labels must be one label per code \(3 of them\)"):
        class_code_heatmap(codes, labels[:2], ["zero", "one"])


def test_architecture_diagram_names_every_layer_and_its_size():
    fig = architecture_diagram((784, 28, 784), ("input", "code", "output"))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "code\n28 numbers" in texts and texts.count("encoder") == 1 and "decoder" in texts
    assert _render(fig).std() > 10
    with pytest.raises(ValueError, match="one name per size"):
        architecture_diagram((784, 28), ("input",))


def test_architecture_diagram_puts_the_encoder_first_even_when_the_code_is_wider():
    for sizes in ((784, 1568, 784), (784, 256, 28, 256, 784)):
        fig = architecture_diagram(sizes, [str(size) for size in sizes])
        parts = [t.get_text() for t in sorted(fig.axes[0].texts, key=lambda t: t.get_position()[0])
                 if t.get_text() in ("encoder", "decoder")]
        half = (len(sizes) - 1) // 2
        assert parts == ["encoder"] * half + ["decoder"] * half


def test_returned_figures_display_as_svg_at_their_size_in_any_jupyter_front_end():
    fig = learning_curves({"loss": [0.5, 0.2]})
    svg = fig._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert 'width="432pt" height="244.8pt"' in svg  # 6 x 3.4 inches at 72 points per inch
    assert not hasattr(fig, "_repr_png_")  # one picture per output, not two


def test_matrix_heatmap_labels_rows_columns_and_colour_bar():
    from ae_lib.plotting import matrix_heatmap

    matrix = np.arange(6.0).reshape(2, 3)
    fig = matrix_heatmap(matrix, row_labels=["a", "b"], xlabel="unit", colorbar_label="|cos|",
                         vmin=0, vmax=5)
    ax, colorbar = fig.axes
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xlabel() == "unit" and colorbar.get_ylabel() == "|cos|"
    assert ax.images[0].get_clim() == (0, 5)
    with pytest.raises(ValueError, match="must label a 2 x 3 matrix. Received: 1 row and 3"):
        matrix_heatmap(matrix, row_labels=["a"])


def test_curves_that_are_not_losses_keep_their_names():
    fig = learning_curves({"component 1": [80.0, 2.0], "loss": [1.0, 0.5]})
    assert {line.get_label() for line in fig.axes[0].get_lines()} == {"component 1", "training loss"}


def test_seed_bars_show_the_mean_and_every_seed():
    from ae_lib.plotting import seed_bars

    panels = {"small": {"a": [1.0, 3.0], "b": [2.0, 2.0, 2.0]}, "large": {"a": [0.5], "b": [1.5]}}
    fig = seed_bars(panels, ylabel="MSE", title="demo")
    small, large = fig.axes
    heights = [patch.get_height() for patch in small.patches]
    assert heights == [2.0, 2.0]
    dots = [line.get_ydata().tolist() for line in small.get_lines()]
    assert dots == [[1.0, 3.0], [2.0, 2.0, 2.0]]
    assert small.get_title() == "small" and small.get_ylabel() == "MSE"
    assert [t.get_text() for t in large.get_xticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="at least one panel"):
        seed_bars({}, ylabel="MSE")
    unpaired = seed_bars(panels, ylabel="MSE", paired=False).axes[0]
    assert len({tuple(patch.get_facecolor()) for patch in unpaired.patches}) == 2


def test_transpose_pair_draws_the_matrix_and_its_transpose_on_one_scale():
    from ae_lib.plotting import transpose_pair

    matrix = np.arange(12.0).reshape(4, 3) - 6
    fig = transpose_pair(matrix)
    left, right = fig.axes[:2]
    np.testing.assert_array_equal(left.images[0].get_array(), matrix)
    np.testing.assert_array_equal(right.images[0].get_array(), matrix.T)
    assert left.images[0].get_clim() == right.images[0].get_clim() == (-6.0, 6.0)
    assert "4 x 3" in left.get_title() and "3 x 4" in right.get_title()
    with pytest.raises(ValueError, match="2-D weight matrix"):
        transpose_pair(np.zeros(5))


def test_series_plot_draws_one_line_per_series_on_a_log_axis():
    from ae_lib.plotting import series_plot

    fig = series_plot([16, 64, 784], {"train": [3.0, 2.0, 1.0], "validation": [3.5, 2.5, 1.5]},
                      xlabel="code size", ylabel="MSE", log_x=True, vline=(784, "complete"))
    ax = fig.axes[0]
    lines = {line.get_label(): line.get_ydata().tolist() for line in ax.get_lines()
             if line.get_label() in ("train", "validation")}
    assert lines == {"train": [3.0, 2.0, 1.0], "validation": [3.5, 2.5, 1.5]}
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "code size"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["16", "64", "784"]
    assert any(text.get_text() == "complete" for text in ax.texts)
    with pytest.raises(ValueError, match=r"series\['a'\] must have one value per x value \(3\)"):
        series_plot([1, 2, 3], {"a": [1, 2]}, xlabel="x", ylabel="y")


def test_tradeoff_plot_labels_every_point_in_order():
    from ae_lib.plotting import tradeoff_plot

    fig = tradeoff_plot([0.1, 0.5, 0.9], [3.0, 2.0, 1.0], ["a", "b", "c"],
                        xlabel="sparsity", ylabel="error")
    ax = fig.axes[0]
    assert ax.get_lines()[0].get_xdata().tolist() == [0.1, 0.5, 0.9]
    assert [t.get_text() for t in ax.texts] == ["a", "b", "c"]
    assert [t.xy for t in ax.texts] == [(0.1, 3.0), (0.5, 2.0), (0.9, 1.0)]
    with pytest.raises(ValueError, match="one label per point"):
        tradeoff_plot([1, 2], [1, 2], ["only one"], xlabel="x", ylabel="y")


def test_histograms_count_every_value_of_every_sample():
    from ae_lib.plotting import histograms

    samples = {"zeros and ones": np.array([[0.0, 0.0], [0.0, 1.0]]), "spread": np.arange(10.0)}
    fig = histograms(samples, xlabel="activation", bins=5)
    first, second = fig.axes

    def counts(ax):
        # One filled outline per histogram: its top runs along the bins' counts.
        (outline,) = ax.patches
        return outline.get_xy()[1:2 * 5 + 1:2, 1].tolist()

    assert counts(first) == [3, 0, 0, 0, 1]
    assert counts(second) == [2, 2, 2, 2, 2]
    assert first.get_yscale() == "log" and first.get_title() == "zeros and ones"
    with pytest.raises(ValueError, match="at least one sample"):
        histograms({}, xlabel="x")


def test_greedy_pretraining_diagram_shows_each_stage_and_the_fine_tuning():
    from ae_lib.plotting import greedy_pretraining_diagram

    fig = greedy_pretraining_diagram((128, 64, 32))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in texts if t.startswith("stage")] == ["stage 1", "stage 2", "stage 3"]
    assert texts.count("frozen\n128") == 2 and texts.count("frozen\n64") == 1
    assert "decoder\n784\n(cut)" in texts and "decoder\n64\n(cut)" in texts
    assert "softmax\n10" in texts and texts.count("fine-tune\n32") == 1
    assert _render(fig).std() > 10
    with pytest.raises(ValueError, match="one or more positive widths"):
        greedy_pretraining_diagram(())


def test_learning_curves_number_epochs_with_whole_numbers():
    fig = learning_curves({"loss": [0.5, 0.4, 0.3, 0.2, 0.1]})
    fig.canvas.draw()
    ticks = [tick for tick in fig.axes[0].get_xticks() if 1 <= tick <= 5]
    assert ticks and all(float(tick).is_integer() for tick in ticks)
