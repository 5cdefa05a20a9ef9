"""ae_lib.stacking.greedy_pretrain: each stage trains on the codes of the one before."""

from __future__ import annotations

import contextlib
import io
import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from ae_lib.data import load_digits_8x8
from ae_lib.models import apply_in_batches
from ae_lib.stacking import greedy_pretrain


@pytest.fixture(scope="module")
def x_train():
    (images, _), _ = load_digits_8x8()
    return images


@pytest.fixture(scope="module")
def pretrained(x_train):
    """One two-stage run, shared by the tests below (20 epochs a stage), and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        encoder, histories = greedy_pretrain((16, 8), x_train, epochs=20, batch_size=64)
    return encoder, histories, printed.getvalue()


def test_greedy_pretraining_stacks_one_trained_layer_per_stage(x_train, pretrained):
    encoder, histories, _ = pretrained
    dense = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    assert [tuple(layer.kernel.shape) for layer in dense] == [(64, 16), (16, 8)]
    assert encoder.predict(x_train[:5], verbose=0).shape == (5, 8)
    assert [(h["input_dim"], h["code_dim"]) for h in histories] == [(64, 16), (16, 8)]
    for layer, history in zip(dense, histories):
        # The stack holds the very layers each stage trained, and each stage learned.
        assert layer is history["autoencoder"].layers[0]
        assert history["loss"][-1] < 0.7 * history["loss"][0]


def test_each_stage_is_trained_on_the_codes_of_the_stage_before(x_train, pretrained):
    _, histories, _ = pretrained
    first, second = (h["autoencoder"] for h in histories)
    codes = apply_in_batches(first.layers[0], x_train.reshape(len(x_train), -1))
    on_codes = float(np.mean((apply_in_batches(second, codes) - codes) ** 2))
    assert on_codes == pytest.approx(histories[1]["loss"][-1], rel=0.3)
    unrelated = np.random.default_rng(0).random(codes.shape, dtype=np.float32)
    on_noise = float(np.mean((apply_in_batches(second, unrelated) - unrelated) ** 2))
    assert on_codes < 0.5 * on_noise


def test_verbose_prints_one_line_per_stage(pretrained):
    lines = pretrained[2].splitlines()
    assert [line.split(":")[0] for line in lines] == ["stage 1", "stage 2"]
    assert lines[0].startswith("stage 1: 64 -> 16 -> 64, reconstruction loss")


def test_greedy_pretraining_can_train_denoising_stages_and_checks_its_settings(x_train):
    encoder, histories = greedy_pretrain((12,), x_train, epochs=2, noise=("masking", 0.3),
                                         verbose=False)
    assert len(histories) == 1 and encoder.output_shape == (None, 12)
    with pytest.raises(ValueError, match="use activation='sigmoid' with noise"):
        greedy_pretrain((12,), x_train, activation="relu", noise=("masking", 0.3))
    with pytest.raises(ValueError, match="level must be a number from 0 to 1 for masking"):
        greedy_pretrain((12,), x_train, noise=("masking", 3.0))
    with pytest.raises(TypeError, match=r"noise must be a \(kind, level\) pair"):
        greedy_pretrain((12,), x_train, noise="gaussian")
    with pytest.raises(ValueError, match="layer_sizes must be a non-empty sequence"):
        greedy_pretrain((), x_train)
    with pytest.raises(ValueError, match="each entry of layer_sizes must be a positive integer"):
        greedy_pretrain((12, 0), x_train)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        greedy_pretrain((12,), x_train, epochs=0)


def test_greedy_pretraining_takes_a_tensor_and_checks_its_range(x_train):
    encoder, _ = greedy_pretrain((6,), tf.convert_to_tensor(x_train), epochs=1, verbose=False)
    assert encoder.input_shape == (None, 8, 8) and encoder.output_shape == (None, 6)
    with pytest.raises(ValueError, match=r"x must have values in \[0, 1\]. Received: x with "
                                         r"values from 0 to 16"):
        greedy_pretrain((6,), tf.convert_to_tensor(x_train * 16), epochs=1)


def test_each_stage_records_its_input_variance(x_train, pretrained):
    _, histories, _ = pretrained
    flat = x_train.reshape(len(x_train), -1)
    assert histories[0]["input_variance"] == pytest.approx(float(flat.var(axis=0).mean()),
                                                           rel=1e-4)
    codes = apply_in_batches(histories[0]["autoencoder"].layers[0], flat)
    assert histories[1]["input_variance"] == pytest.approx(float(codes.var(axis=0).mean()),
                                                           rel=1e-3)


def test_many_stages_print_no_retracing_warning_and_leave_the_log_level(x_train):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tensorflow")
    logger.addHandler(handler)
    level = logger.level
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(2):  # twelve new models, each traced once
                greedy_pretrain((6, 5, 4, 3, 3, 2), x_train[:64], epochs=1,
                                batch_size=32, verbose=False)
    finally:
        logger.removeHandler(handler)
    assert not [r for r in records if "retracing" in r.getMessage()]
    assert logger.level == level
