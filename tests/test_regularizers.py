"""ae_lib.regularizers: the penalties' values against NumPy, their pull, saving, validation."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from ae_lib.models import Autoencoder
from ae_lib.regularizers import KLSparsity, L1Activity


def _kl_reference(codes, rho, beta):
    """Ng's notes, written out in NumPy: beta * sum_j KL(rho || mean activation of j)."""
    q = codes.mean(axis=0)
    return beta * np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q)))


def test_kl_penalty_matches_the_numpy_reference_per_batch():
    codes = np.random.default_rng(0).uniform(0.01, 0.3, size=(32, 10)).astype(np.float32)
    value = float(KLSparsity(rho=0.05, beta=3.0)(tf.constant(codes)))
    # Keras divides activity penalties by the batch size; KLSparsity undoes that.
    assert value / 32 == pytest.approx(_kl_reference(codes.astype(np.float64), 0.05, 3.0),
                                       rel=1e-4)


def test_kl_penalty_is_zero_at_the_target_and_grows_away_from_it():
    at_target = np.full((8, 5), 0.05, dtype=np.float32)
    assert float(KLSparsity(0.05)(tf.constant(at_target))) == pytest.approx(0.0, abs=1e-6)
    near, far = (float(KLSparsity(0.05)(tf.constant(np.full((8, 5), q, np.float32))))
                 for q in (0.1, 0.5))
    assert 0 < near < far


def test_kl_penalty_pulls_mean_activations_towards_rho():
    logits = tf.Variable(np.zeros((64, 6), np.float32))   # every unit at 0.5
    penalty = KLSparsity(rho=0.1, beta=1.0)
    optimizer = keras.optimizers.Adam(0.05)
    for _ in range(300):
        with tf.GradientTape() as tape:
            loss = penalty(tf.sigmoid(logits))
        optimizer.apply_gradients([(tape.gradient(loss, logits), logits)])
    np.testing.assert_allclose(tf.reduce_mean(tf.sigmoid(logits), axis=0), 0.1, atol=0.01)


def test_l1_activity_is_the_weighted_sum_of_absolute_codes():
    codes = np.array([[1.0, -2.0], [0.5, 0.0]], dtype=np.float32)
    assert float(L1Activity(0.1)(tf.constant(codes))) == pytest.approx(0.35)


@pytest.mark.parametrize("penalty, code_activation",
                         [(KLSparsity(rho=0.2, beta=0.5), "sigmoid"), (L1Activity(1e-3), "relu")],
                         ids=["kl", "l1"])
def test_a_model_with_a_penalty_saves_and_loads_with_the_same_loss(tmp_path, penalty,
                                                                   code_activation):
    images = np.random.default_rng(1).random((16, 28, 28), dtype=np.float32)
    model = Autoencoder(6, code_regularizer=penalty, code_activation=code_activation)
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, images, epochs=1, verbose=0)
    loss = model.evaluate(images, images, batch_size=16, verbose=0)
    reconstruction = float(np.mean((model.predict(images, verbose=0) - images) ** 2))
    assert loss > reconstruction + 1e-6, "the penalty must be part of the loss"
    path = tmp_path / "penalised.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.code_regularizer) is type(penalty)
    assert loaded.code_activation == code_activation
    assert loaded.code_regularizer.get_config() == penalty.get_config()
    assert loaded.evaluate(images, images, batch_size=16, verbose=0) == \
        pytest.approx(loss, rel=1e-6)


@pytest.mark.parametrize("make, message", [
    (lambda: KLSparsity(rho=0.0), r"rho must be a number in \(0, 1\)"),
    (lambda: KLSparsity(rho=1.5), r"rho must be a number in \(0, 1\)"),
    (lambda: KLSparsity(beta=-1), r"beta must be a finite number of at least 0"),
    (lambda: KLSparsity(beta=float("inf")), r"beta must be a finite number of at least 0"),
    (lambda: L1Activity(-1e-4), r"weight must be a finite number of at least 0"),
])
def test_impossible_settings_are_refused_with_the_allowed_range(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_penalty_weight_that_is_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match=r"weight must be .*Received: weight='big'"):
        L1Activity("big")
    with pytest.raises(TypeError, match="rho must be"):
        KLSparsity(rho=True)
