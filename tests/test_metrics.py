"""ae_lib.metrics against hand-computed values and Keras's own loss."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ae_lib.metrics import mse, per_example_mse


def test_hand_computed_values():
    originals = np.array([[0.0, 1.0], [0.5, 0.5]])
    reconstructions = np.array([[1.0, 1.0], [0.0, 1.0]])
    # example 1: (1 + 0) / 2 = 0.5; example 2: (0.25 + 0.25) / 2 = 0.25
    np.testing.assert_allclose(per_example_mse(originals, reconstructions), [0.5, 0.25])
    assert mse(originals, reconstructions) == pytest.approx(0.375)


def test_agrees_with_the_keras_mse_loss_on_images():
    rng = np.random.default_rng(1)
    a, b = rng.random((2, 10, 28, 28), dtype=np.float32)
    keras_value = float(keras.losses.MeanSquaredError()(a, b))
    assert mse(a, b) == pytest.approx(keras_value, rel=1e-5)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same shape"):
        mse(np.zeros((2, 28, 28)), np.zeros((2, 784)))


def test_empty_input_is_an_error():
    with pytest.raises(ValueError, match="at least one example"):
        mse(np.zeros((0, 4)), np.zeros((0, 4)))
