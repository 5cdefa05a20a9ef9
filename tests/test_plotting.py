"""ae_lib.plotting: figures hold the data they were given and render to non-blank images."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from ae_lib.data import FASHION_MNIST_CLASSES
from ae_lib.plotting import learning_curves, reconstruction_grid


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
    with pytest.raises(ValueError, match=r"No curve named \['val_loss'\]"):
        learning_curves({"loss": [1.0]}, keys=["val_loss"])
    with pytest.raises(ValueError, match="non-empty"):
        learning_curves({})
