"""Behaviour that differs between Keras versions, pinned down so every version agrees.

``make colab-check`` runs this file under Colab's Keras too (3.13 there, newer here).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ae_lib.regularizers import KLSparsity, L1Activity, keras_divides_activity_penalties

CODES = np.random.default_rng(0).uniform(0.01, 0.99, size=(16, 12)).astype(np.float32)


def _added_to_the_loss(regularizer, codes=CODES):
    carrier = keras.layers.Identity(activity_regularizer=regularizer)
    carrier(codes)
    (loss,) = carrier.losses
    return float(loss)


def test_the_probe_matches_what_keras_adds_for_its_own_l1():
    plain_sum = float(np.abs(CODES).sum())
    added = _added_to_the_loss(keras.regularizers.L1(1.0))
    expected = plain_sum / len(CODES) if keras_divides_activity_penalties() else plain_sum
    assert added == pytest.approx(expected, rel=1e-5)
    major, minor = (int(part) for part in keras.__version__.split(".")[:2])
    assert keras_divides_activity_penalties() == ((major, minor) >= (3, 14))


def test_l1_penalty_is_the_batch_mean_of_each_codes_l1_norm_on_every_keras():
    expected = 1e-3 * np.abs(CODES).sum(axis=1).mean()
    assert _added_to_the_loss(L1Activity(1e-3)) == pytest.approx(expected, rel=1e-5)
    # Half the batch gives the same mean, whatever Keras does with the batch size.
    half = _added_to_the_loss(L1Activity(1e-3), CODES[:8])
    assert half == pytest.approx(1e-3 * np.abs(CODES[:8]).sum(axis=1).mean(), rel=1e-5)


def test_kl_penalty_is_one_number_per_batch_on_every_keras():
    rho, beta = 0.05, 0.5
    rho_hat = CODES.mean(axis=0)
    expected = beta * np.sum(rho * np.log(rho / rho_hat)
                             + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))
    assert _added_to_the_loss(KLSparsity(rho, beta)) == pytest.approx(expected, rel=1e-4)
