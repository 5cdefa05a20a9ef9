"""ae_lib.training: the fit wrapper learns, prints compactly, and refuses bad data clearly."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from ae_lib.data import load_digits_8x8
from ae_lib.models import Autoencoder
from ae_lib.repro import set_seed
from ae_lib.training import CompactProgress, check_images, train_autoencoder


@pytest.fixture(scope="module")
def digits():
    (x_train, _), (x_test, _) = load_digits_8x8()
    return x_train, x_test


def _compiled(latent_dim=16):
    model = Autoencoder(latent_dim, image_shape=(8, 8))
    model.compile(optimizer="adam", loss="mse")
    return model


def test_training_on_digits_lowers_both_losses(digits, capsys):
    set_seed(0)
    x_train, x_test = digits
    history = train_autoencoder(_compiled(), x_train, x_test, epochs=30, batch_size=64)
    losses, val_losses = history.history["loss"], history.history["val_loss"]
    assert len(losses) == len(val_losses) == 30
    assert losses[-1] < 0.5 * losses[0]
    assert val_losses[-1] < 0.5 * val_losses[0]


@pytest.mark.parametrize("epochs, every, expected_lines", [(10, None, 5), (7, 3, 3), (4, 1, 4)])
def test_progress_is_one_line_every_few_epochs(digits, capsys, epochs, every, expected_lines):
    x_train, _ = digits
    train_autoencoder(_compiled(4), x_train[:64], epochs=epochs, print_every=every)
    output = capsys.readouterr().out
    lines = output.strip().splitlines()
    assert len(lines) == expected_lines
    assert "\r" not in output
    assert lines[-1].startswith(f"epoch {epochs}/{epochs}") and "loss" in lines[-1]


def test_an_uncompiled_model_is_refused_with_the_fix(digits):
    with pytest.raises(ValueError, match=r"model.compile\(optimizer='adam', loss='mse'\)"):
        train_autoencoder(Autoencoder(4, image_shape=(8, 8)), digits[0])


def test_unscaled_pixels_get_a_divide_by_255_hint(digits):
    with pytest.raises(ValueError, match="divide by 255"):
        train_autoencoder(_compiled(), digits[0] * 255)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((0, 8, 8)), "non-empty batch"),
    (np.full((4, 8, 8), np.nan), "NaN"),
    (np.full((4, 8, 8), -0.5), "values in"),
    (np.array([["a"] * 8] * 8), "numeric"),
])
def test_bad_images_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        check_images(bad)


def test_validation_images_must_match_training_images(digits):
    with pytest.raises(ValueError, match="must match"):
        train_autoencoder(_compiled(), digits[0], np.zeros((3, 28, 28), np.float32))


@pytest.mark.parametrize("field", ["epochs", "batch_size"])
@pytest.mark.parametrize("bad", [0, -1, 2.0])
def test_epochs_and_batch_size_must_be_positive_integers(digits, field, bad):
    with pytest.raises(ValueError, match=f"{field} must be a positive integer"):
        train_autoencoder(_compiled(), digits[0], **{field: bad})


def test_compact_progress_refuses_a_zero_interval():
    with pytest.raises(ValueError, match="every must be a positive integer"):
        CompactProgress(0)


def test_default_interval_gives_about_five_lines(digits, capsys):
    train_autoencoder(_compiled(4), digits[0][:32], epochs=23)
    assert len(capsys.readouterr().out.strip().splitlines()) == math.ceil(23 / 4)


def test_reconstruction_batches_pair_each_batch_with_itself_and_cover_every_image():
    from ae_lib.training import reconstruction_batches

    set_seed(0)
    images = np.arange(10, dtype=np.float32).reshape(10, 1, 1)
    epochs = [[(x.numpy(), y.numpy()) for x, y in reconstruction_batches(images, 4)]
              for _ in range(2)]
    dataset = reconstruction_batches(images, 4)
    first, second = ([x for pair in list(dataset) for x in pair[0].numpy().ravel()],
                     [x for pair in list(dataset) for x in pair[0].numpy().ravel()])
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert first != second  # a new order every epoch
    for x, y in epochs[0]:
        np.testing.assert_array_equal(x, y)
    assert [len(x) for x, _ in epochs[0]] == [4, 4, 2]
    ordered = [x.numpy().ravel().tolist() for x, _ in reconstruction_batches(images, 5, shuffle=False)]
    assert ordered == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_a_linear_probe_separates_digits_and_not_shuffled_labels():
    from ae_lib.training import linear_probe

    (x_train, y_train), (x_test, y_test) = load_digits_8x8()
    accuracy = linear_probe(x_train, y_train, x_test, y_test, epochs=40)
    assert accuracy > 0.9
    shuffled = np.random.default_rng(0).permutation(y_train)
    assert linear_probe(x_train, shuffled, x_test, y_test, epochs=40) < 0.3
    assert linear_probe(x_train, y_train, x_test, y_test, epochs=40) == accuracy  # seeded


def test_a_linear_probe_refuses_mismatched_features_and_labels():
    from ae_lib.training import linear_probe

    (x_train, y_train), (x_test, y_test) = load_digits_8x8()
    with pytest.raises(ValueError, match="differ in size: 64 and 32"):
        linear_probe(x_train, y_train, x_test[:, :4], y_test)
    with pytest.raises(ValueError, match="train_labels must be one non-negative integer"):
        linear_probe(x_train, y_train[:-1], x_test, y_test)
    with pytest.raises(ValueError, match="test_labels must be one non-negative integer"):
        linear_probe(x_train, y_train, x_test, y_test.astype(float))


# --------------------------------------------------------------- greedy pretraining

def test_greedy_pretraining_stacks_one_trained_layer_per_stage(digits, capsys):
    from ae_lib.training import greedy_pretrain

    x_train, _ = digits
    encoder, histories = greedy_pretrain((16, 8), x_train, epochs=20, batch_size=64)
    dense = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
    assert [tuple(layer.kernel.shape) for layer in dense] == [(64, 16), (16, 8)]
    assert encoder.predict(x_train[:5], verbose=0).shape == (5, 8)
    assert [(h["input_dim"], h["code_dim"]) for h in histories] == [(64, 16), (16, 8)]
    for layer, history in zip(dense, histories):
        # The stack holds the very layers each stage trained, and each stage learned.
        assert layer is history["autoencoder"].layers[0]
        assert history["loss"][-1] < 0.7 * history["loss"][0]
    assert capsys.readouterr().out.count("stage ") == 2


def test_each_stage_is_trained_on_the_codes_of_the_stage_before(digits):
    from ae_lib.models import apply_in_batches
    from ae_lib.training import greedy_pretrain

    x_train, _ = digits
    _, histories = greedy_pretrain((16, 8), x_train, epochs=20, batch_size=64, verbose=False)
    first, second = (h["autoencoder"] for h in histories)
    codes = apply_in_batches(first.layers[0], x_train.reshape(len(x_train), -1))
    on_codes = float(np.mean((apply_in_batches(second, codes) - codes) ** 2))
    assert on_codes == pytest.approx(histories[1]["loss"][-1], rel=0.3)
    unrelated = np.random.default_rng(0).random(codes.shape, dtype=np.float32)
    on_noise = float(np.mean((apply_in_batches(second, unrelated) - unrelated) ** 2))
    assert on_codes < 0.5 * on_noise


def test_greedy_pretraining_can_train_denoising_stages_and_checks_its_settings(digits):
    from ae_lib.training import greedy_pretrain

    x_train, _ = digits
    encoder, histories = greedy_pretrain((12,), x_train, epochs=2, noise=("masking", 0.3),
                                         verbose=False)
    assert len(histories) == 1 and encoder.output_shape == (None, 12)
    with pytest.raises(ValueError, match="use activation='sigmoid' with noise"):
        greedy_pretrain((12,), x_train, activation="relu", noise=("masking", 0.3))
    with pytest.raises(ValueError, match="masking noise level"):
        greedy_pretrain((12,), x_train, noise=("masking", 3.0))
    with pytest.raises(ValueError, match="at least one hidden layer"):
        greedy_pretrain((), x_train)
    with pytest.raises(ValueError, match="each layer size must be a positive integer"):
        greedy_pretrain((12, 0), x_train)


def test_labelled_batches_keep_each_image_with_its_label_in_a_new_order_each_epoch():
    from ae_lib.training import labelled_batches

    images = np.arange(50, dtype=np.float32).reshape(50, 1, 1).repeat(4, axis=1)
    labels = np.arange(50) % 7
    dataset = labelled_batches(images, labels, 16)
    epochs = [[(x.numpy(), y.numpy()) for x, y in dataset] for _ in range(2)]
    assert [len(y) for _, y in epochs[0]] == [16, 16, 16, 2]
    for x, y in epochs[0]:
        np.testing.assert_array_equal(x[:, 0, 0].astype(int) % 7, y)
    orders = [np.concatenate([x[:, 0, 0] for x, _ in epoch]) for epoch in epochs]
    assert sorted(orders[0]) == list(range(50)) and not np.array_equal(*orders)
    with pytest.raises(ValueError, match="one label per image"):
        labelled_batches(images, labels[:-1], 16)


def test_greedy_pretraining_takes_a_tensor_and_checks_its_range(digits):
    import tensorflow as tf

    from ae_lib.training import greedy_pretrain

    x_train, _ = digits
    encoder, _ = greedy_pretrain((6,), tf.convert_to_tensor(x_train), epochs=1, verbose=False)
    assert encoder.input_shape == (None, 8, 8) and encoder.output_shape == (None, 6)
    with pytest.raises(ValueError, match=r"values in \[0, 1\], got 0 to 16"):
        greedy_pretrain((6,), tf.convert_to_tensor(x_train * 16), epochs=1)
