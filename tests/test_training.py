"""ae_lib.training: the fit wrapper learns, prints compactly, and refuses bad data clearly."""

from __future__ import annotations

import io
import math

import keras
import numpy as np
import pytest

from ae_lib.data import load_digits_8x8
from ae_lib.models import Autoencoder
from ae_lib.repro import set_seed
from ae_lib.training import CompactProgress, train_autoencoder


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


def test_numpy_integers_are_accepted_for_epochs_batch_size_and_interval(digits, capsys):
    history = train_autoencoder(_compiled(4), digits[0][:64], epochs=np.int64(2),
                                batch_size=np.int32(32), print_every=np.int64(1))
    assert len(history.history["loss"]) == 2
    assert len(capsys.readouterr().out.strip().splitlines()) == 2


def test_progress_goes_to_the_given_stream(digits, capsys):
    stream = io.StringIO()
    train_autoencoder(_compiled(4), digits[0][:32], epochs=2,
                      callbacks=[CompactProgress(1, stream=stream)])
    assert stream.getvalue().count("epoch ") == 2


def test_an_uncompiled_model_is_refused_with_the_fix(digits):
    with pytest.raises(ValueError, match=r"model.compile\(optimizer='adam', loss='mse'\)"):
        train_autoencoder(Autoencoder(4, image_shape=(8, 8)), digits[0])


def test_unscaled_pixels_get_a_divide_by_255_hint(digits):
    with pytest.raises(ValueError, match="x_train must have values in .*divide by 255"):
        train_autoencoder(_compiled(), digits[0] * 255)


def test_validation_images_must_match_training_images(digits):
    with pytest.raises(ValueError, match="x_val images must have the shape of x_train"):
        train_autoencoder(_compiled(), digits[0], np.zeros((3, 28, 28), np.float32))


@pytest.mark.parametrize("field", ["epochs", "batch_size", "print_every"])
@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (2.0, TypeError),
                                        (True, TypeError)])
def test_epochs_batch_size_and_interval_must_be_positive_integers(digits, field, bad, error):
    with pytest.raises(error, match=f"{field} must be a positive integer. "
                                    f"Received: {field}={bad!r}"):
        train_autoencoder(_compiled(), digits[0], **{field: bad})


@pytest.mark.parametrize("bad", [0, 2.5, True])
def test_compact_progress_refuses_a_bad_interval(bad):
    with pytest.raises((ValueError, TypeError), match="every must be a positive integer"):
        CompactProgress(bad)


def test_default_interval_gives_about_five_lines(digits, capsys):
    train_autoencoder(_compiled(4), digits[0][:32], epochs=23)
    assert len(capsys.readouterr().out.strip().splitlines()) == math.ceil(23 / 4)


def test_extra_callbacks_run_and_must_be_callbacks(digits, capsys):
    ends = []
    train_autoencoder(_compiled(4), digits[0][:32], epochs=3, callbacks=[
        keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(epoch))])
    assert ends == [0, 1, 2]
    with pytest.raises(TypeError, match="each entry of callbacks must be a keras.callbacks"):
        train_autoencoder(_compiled(4), digits[0][:32], callbacks=[print])


def _dense_model(seed, optimizer="adam"):
    set_seed(seed)
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.Flatten(),
                              keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(64, activation="sigmoid"),
                              keras.layers.Reshape((8, 8))])
    model.compile(optimizer=optimizer, loss="mse", steps_per_execution=4)
    return model


def _fit(model, x_train, fit=None):
    from ae_lib.batching import reconstruction_batches
    return (fit or model.fit)(*(() if fit is None else (model, "dense")),
                              reconstruction_batches(x_train, 32), epochs=3, verbose=0, shuffle=False,
                              validation_data=(x_train[:40], x_train[:40]))


def test_shared_training_gives_each_model_its_own_fit_exactly(digits):
    from ae_lib.training import SharedTraining
    x_train, _ = digits
    alone = {}
    for seed in (1, 2):
        model = _dense_model(seed)
        set_seed(seed)
        alone[seed] = (_fit(model, x_train).history, model.get_weights(),
                       int(model.optimizer.iterations))
    shared, models = SharedTraining(), {}
    for seed in (1, 2):
        models[seed] = _dense_model(seed)
        set_seed(seed)
        history = _fit(models[seed], x_train, fit=shared.fit)
        assert history.history == alone[seed][0]
        assert history.model is models[seed]
    for seed, model in models.items():  # the first (the runner) kept its own weights
        for got, expected in zip(model.get_weights(), alone[seed][1]):
            np.testing.assert_array_equal(got, expected)
        assert int(model.optimizer.iterations) == alone[seed][2] > 0
    # One training function was traced, for the runner; the second model never got one.
    assert getattr(models[2], "train_function", None) is None


def test_shared_training_refuses_models_of_another_kind_under_one_key(digits):
    from ae_lib.training import SharedTraining
    x_train, _ = digits
    shared = SharedTraining()
    _fit(_dense_model(1), x_train, fit=shared.fit)
    with pytest.raises(ValueError, match="same kind of optimizer"):
        _fit(_dense_model(2, optimizer="sgd"), x_train, fit=shared.fit)


def test_shared_training_refuses_other_optimizer_settings_but_takes_another_rate(digits):
    from ae_lib.training import SharedTraining
    x_train, _ = digits
    shared = SharedTraining()
    _fit(_dense_model(1, optimizer=keras.optimizers.SGD(0.1, momentum=0.9)), x_train,
         fit=shared.fit)
    # Momentum is a constant of the traced step: another value would be silently ignored.
    with pytest.raises(ValueError, match=r"same optimizer settings.*\['momentum'\]"):
        _fit(_dense_model(2, optimizer=keras.optimizers.SGD(0.1, momentum=0.5)), x_train,
             fit=shared.fit)
    # The rate is a variable: a model with another rate trains as it would alone.
    alone = _dense_model(3, optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    set_seed(3)
    expected = _fit(alone, x_train).history
    model = _dense_model(3, optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    set_seed(3)
    assert _fit(model, x_train, fit=shared.fit).history == expected
    np.testing.assert_array_equal(model.get_weights()[0], alone.get_weights()[0])
