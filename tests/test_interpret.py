"""ae_lib.interpret: activation capture, the dictionaries' measures, purity and dashboards."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from ae_lib.interpret import (activation_purity, best_rescaling, class_counts, class_purity,
                              dead_share, feature_dashboard, feature_explorer,
                              fraction_of_variance_unexplained, frontier_plot, l0,
                              layer_activations, loss_recovered, top_activating)

RNG = np.random.default_rng(0)


def _classifier():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(16, activation="relu", name="hidden"),
                             keras.layers.Dense(10, name="logits")])


# ------------------------------------------------------------------------- capture

def test_layer_activations_equal_the_layers_formula_in_batches():
    model = _classifier()
    images = RNG.uniform(0, 1, size=(50, 28, 28)).astype(np.float32)
    hidden = model.get_layer("hidden")
    expected = np.maximum(images.reshape(50, -1) @ hidden.kernel.numpy()
                          + hidden.bias.numpy(), 0)
    got = layer_activations(model, "hidden", images, batch_size=7)
    assert got.shape == (50, 16) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # The layer object works as well as its name, and the last layer gives the logits.
    np.testing.assert_allclose(layer_activations(model, hidden, images), got, atol=1e-6)
    np.testing.assert_allclose(layer_activations(model, "logits", images),
                               model(images).numpy(), rtol=1e-5, atol=1e-5)


def test_layer_activations_of_a_model_loaded_in_a_fresh_process(tmp_path):
    model = _classifier()
    path = tmp_path / "classifier.keras"
    model.save(path)
    images = RNG.uniform(0, 1, size=(5, 28, 28)).astype(np.float32)
    np.save(tmp_path / "images.npy", images)
    script = (
        "import json, numpy as np, ae_lib, keras\n"
        "from ae_lib.interpret import layer_activations\n"
        f"model = keras.saving.load_model({str(path)!r})\n"
        f"images = np.load({str(tmp_path / 'images.npy')!r})\n"
        "print(json.dumps(layer_activations(model, 'hidden', images).tolist()))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    loaded = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(loaded, layer_activations(model, "hidden", images),
                               rtol=1e-5, atol=1e-6)


def test_layer_activations_name_the_layers_when_one_is_missing():
    model = _classifier()
    with pytest.raises(ValueError, match=r"no layer named 'hiden'.*'hidden'"):
        layer_activations(model, "hiden", np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="not one of the model's layers"):
        layer_activations(model, keras.layers.Dense(3), np.zeros((2, 28, 28)))
    with pytest.raises(TypeError, match="keras.Model"):
        layer_activations("model", "hidden", np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        layer_activations(model, "hidden", np.zeros((2, 28, 28)), batch_size=0)


# ------------------------------------------------------------------------- measures

def test_l0_and_dead_share_count_non_zero_entries_and_silent_columns():
    codes = np.array([[0.0, 2.0, 0.0, 0.0],
                      [1.0, 3.0, 0.0, 0.0],
                      [0.0, 0.5, 0.0, 0.0]])
    assert l0(codes) == pytest.approx(4 / 3)
    assert dead_share(codes) == 0.5
    with pytest.raises(ValueError, match="codes must be an array with 2 axes"):
        l0(np.zeros(4))


def test_fraction_of_variance_unexplained_is_0_for_copies_and_1_for_the_mean():
    data = RNG.normal(size=(200, 8))
    assert fraction_of_variance_unexplained(data, data) == 0.0
    mean = np.broadcast_to(data.mean(axis=0), data.shape)
    assert fraction_of_variance_unexplained(data, mean) == pytest.approx(1.0)
    # Half the centred signal: a quarter of the variance is left unexplained.
    half = mean + 0.5 * (data - mean)
    assert fraction_of_variance_unexplained(data, half) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="same shape"):
        fraction_of_variance_unexplained(data, data[:, :4])
    with pytest.raises(ValueError, match="no variance"):
        fraction_of_variance_unexplained(np.ones((3, 2)), np.ones((3, 2)))


def test_best_rescaling_recovers_a_known_shrinkage():
    targets = RNG.normal(size=(100, 6))
    shrunk = 0.8 * targets + 0.01 * RNG.normal(size=targets.shape)
    assert best_rescaling(targets, shrunk) == pytest.approx(1 / 0.8, rel=0.01)
    assert best_rescaling(targets, targets) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="all zero"):
        best_rescaling(targets, np.zeros_like(targets))


def test_loss_recovered_is_one_for_the_clean_loss_and_zero_for_the_ablation():
    assert loss_recovered(0.3, 0.3, 2.3) == 1.0
    assert loss_recovered(0.3, 2.3, 2.3) == 0.0
    assert loss_recovered(0.3, 0.8, 2.3) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="must exceed the clean loss"):
        loss_recovered(0.5, 0.4, 0.5)
    with pytest.raises(ValueError, match="finite numbers"):
        loss_recovered(0.5, float("nan"), 1.0)


# ------------------------------------------------------------------------- reading units

def test_top_activating_lists_each_units_largest_examples_first():
    activations = np.array([[0.1, 5.0], [0.9, 1.0], [0.5, 1.0], [0.0, 7.0]])
    assert top_activating(activations, 3).tolist() == [[1, 2, 0], [3, 0, 1]]
    with pytest.raises(ValueError, match="at most the number of examples"):
        top_activating(activations, 5)


def test_class_purity_of_pure_mixed_and_silent_units():
    labels = np.repeat(np.arange(4), 25)  # 100 examples, 4 classes
    pure = (labels == 2) * (1.0 + RNG.uniform(size=100))   # fires only on class 2
    mixed = RNG.uniform(0.1, 1.0, size=100)                # fires on everything
    silent = np.zeros(100)
    rare = np.zeros(100)
    rare[:3] = 1.0
    activations = np.stack([pure, mixed, silent, rare], axis=1)
    purity = class_purity(activations, labels, n=20)
    assert purity[0] == 1.0
    counts = class_counts(activations, labels, 20)
    assert counts[1].sum() == 20 and purity[1] == counts[1].max() / 20 < 0.6
    assert np.isnan(purity[2]) and np.isnan(purity[3])  # too few active examples
    assert counts[3].tolist() == [3, 0, 0, 0]
    assert class_purity(activations, labels, n=20, min_active=3)[3] == 1.0
    with pytest.raises(ValueError, match="labels must be one label per example"):
        class_purity(activations, labels[:50], n=20)


# ------------------------------------------------------------------------- showing units

def test_feature_dashboard_shows_top_images_direction_and_class_bars():
    images = RNG.uniform(0, 1, size=(40, 28, 28)).astype(np.float32)
    labels = np.arange(40) % 10
    activations = np.zeros((40, 3))
    activations[:, 1] = np.arange(40)          # image 39 is the top one
    fig = feature_dashboard(images, activations, labels, 1,
                            pixel_direction=np.ones(784), n_images=6, n_top=10)
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 7                 # 6 top images + the direction
    assert image_axes[0].get_title() == "39"
    np.testing.assert_array_equal(image_axes[0].images[0].get_array(), images[39])
    bars = [ax for ax in fig.axes if ax.patches][0]
    assert [p.get_height() for p in bars.patches] == [1] * 10
    with pytest.raises(ValueError, match="unit must be an integer from 0 to 2"):
        feature_dashboard(images, activations, labels, 3)
    with pytest.raises(ValueError, match="one per row of activations"):
        feature_dashboard(images[:5], activations, labels, 1)


def test_feature_explorer_shows_each_features_top_images_and_its_class():
    images = RNG.uniform(0, 1, size=(30, 28, 28)).astype(np.float32)
    labels = np.arange(30) % 3
    activations = np.stack([(labels == 1) * 1.0, np.arange(30.0)], axis=1)
    explorer = feature_explorer(images, activations, [0, 1], labels=labels,
                                class_names=["a", "b", "c"], n_images=4, n_top=6)
    assert "feature 0: active on 10 of 30 images; 100% of its top 6 are b" in \
        explorer.caption.value
    first = explorer.image.value
    picture = np.asarray(Image.open(io.BytesIO(first)))
    # Each image 28 pixels at scale 3, then a white gap of 2 pixels.
    assert picture.shape == (28 * 3, (4 * 28 + 3 * 2) * 3)
    assert (picture[:, 28 * 3:30 * 3] == 255).all()
    explorer.controls["feature"].value = 1
    assert explorer.image.value != first and "feature 1" in explorer.caption.value
    page = explorer.static_html()
    assert len(re.findall(r'"caption"', page)) == 2
    with pytest.raises(ValueError, match="units must be columns"):
        feature_explorer(images, activations, [2])


def test_activation_purity_weighs_every_example_by_its_activation():
    labels = np.array([0, 0, 1, 1])
    activations = np.array([[3.0, 1.0, 0.0],
                            [1.0, 1.0, 0.0],
                            [0.0, 1.0, 0.0],
                            [0.0, 1.0, 0.0]])
    purity = activation_purity(activations, labels)
    assert purity[0] == 1.0 and purity[1] == 0.5 and np.isnan(purity[2])
    # A strong response to one class outweighs many weak ones to another.
    assert activation_purity(np.array([[9.0], [1.0], [1.0]]), np.array([0, 1, 1]))[0] \
        == pytest.approx(0.9 / 1.1)
    with pytest.raises(ValueError, match="non-negative"):
        activation_purity(-activations, labels)


def test_activation_purity_leaves_out_units_that_fire_on_too_few_examples():
    labels = np.array([0, 0, 1, 1])
    activations = np.array([[3.0, 1.0, 0.0],
                            [0.0, 1.0, 0.0],
                            [0.0, 1.0, 2.0],
                            [0.0, 1.0, 0.0]])
    # Unit 0 fires once (pure by default), unit 1 four times, unit 2 once.
    default = activation_purity(activations, labels)
    assert default[0] == 1.0 and default[1] == 0.5 and default[2] == 1.0
    floored = activation_purity(activations, labels, min_active=2)
    assert np.isnan(floored[0]) and floored[1] == 0.5 and np.isnan(floored[2])
    assert np.isnan(activation_purity(activations, labels, min_active=5)).all()
    for bad in (0, -1, 2.5, "2"):
        with pytest.raises((TypeError, ValueError), match="min_active"):
            activation_purity(activations, labels, min_active=bad)


def test_frontier_plot_draws_one_labelled_line_per_kind_on_log_axes():
    fig = frontier_plot({"TopK": ([8, 4], [0.04, 0.07], ["k=8", "k=4"]),
                         "L1": ([20, 8], [0.1, 0.2], ["a", "b"])})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert [line.get_label() for line in ax.get_lines()] == ["TopK", "L1"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [4, 8])
    assert [t.get_text() for t in ax.texts] == ["k=8", "k=4", "a", "b"]
    with pytest.raises(ValueError, match="one label per point"):
        frontier_plot({"TopK": ([8, 4], [0.04], ["k=8", "k=4"])})
    with pytest.raises(ValueError, match="logarithmic"):
        frontier_plot({"TopK": ([0, 4], [0.04, 0.1], ["k=0", "k=4"])})
