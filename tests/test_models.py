"""ae_lib.models.Autoencoder: architecture, parameter counts, validation, gradients, save/load."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from ae_lib.models import Autoencoder
from ae_lib.repro import set_seed


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((16, 28, 28), dtype=np.float32)


@pytest.mark.parametrize("latent_dim", [1, 28, 128])
def test_parameter_count_matches_the_hand_derivation(latent_dim):
    model = Autoencoder(latent_dim)
    model.build((None, 28, 28))
    encoder = 784 * latent_dim + latent_dim      # weights + biases of Dense(latent_dim)
    decoder = latent_dim * 784 + 784             # weights + biases of Dense(784)
    assert model.count_params() == encoder + decoder
    assert model.encoder.count_params() == encoder


def test_outputs_have_the_input_shape_and_sigmoid_range(images):
    model = Autoencoder(8)
    output = keras.ops.convert_to_numpy(model(images))
    assert output.shape == images.shape
    assert output.min() > 0.0 and output.max() < 1.0
    codes = model.encode(images)
    assert codes.shape == (16, 8) and codes.min() >= 0.0  # ReLU codes
    np.testing.assert_allclose(model.decode(codes), output, atol=1e-6)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError),
                                        (True, TypeError), ("8", TypeError),
                                        (None, TypeError)])
def test_latent_dim_must_be_a_positive_integer(bad, error):
    with pytest.raises(error, match="latent_dim must be a positive integer"):
        Autoencoder(bad)


def test_numpy_integer_latent_dim_is_accepted():
    assert Autoencoder(np.int64(4)).latent_dim == 4


def test_flattened_images_get_a_reshape_hint(images):
    model = Autoencoder(4)
    flat = images.reshape(16, 784)
    for run in (lambda: model(flat), lambda: model.predict(flat, verbose=0)):
        with pytest.raises(ValueError, match=r"reshape them with x.reshape\(-1, 28, 28\)"):
            run()


def test_a_single_image_gets_a_batch_axis_hint(images):
    with pytest.raises(ValueError, match="needs a batch axis"):
        Autoencoder(4).predict(images[0], verbose=0)


def test_wrong_image_size_is_refused_after_the_model_was_used(images):
    model = Autoencoder(4)
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, images, epochs=1, verbose=0)
    wrong = np.zeros((4, 32, 32), np.float32)
    for run in (lambda: model.predict(wrong, verbose=0),
                lambda: model.fit(wrong, wrong, verbose=0),
                lambda: model.evaluate(wrong, wrong, verbose=0)):
        with pytest.raises(ValueError, match=r"x must be a batch of images of shape "
                                             r"\(batch, 28, 28\) for this Autoencoder. "
                                             r"Received: x of shape \(4, 32, 32\)"):
            run()


def test_decode_checks_the_code_size():
    with pytest.raises(ValueError, match=r"codes of shape \(batch, 6\)"):
        Autoencoder(6).decode(np.zeros((2, 5), np.float32))


def test_every_weight_receives_a_gradient(images):
    model = Autoencoder(8)
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(images, model(images))
    gradients = tape.gradient(loss, model.trainable_variables)
    assert len(gradients) == 4  # two kernels, two biases
    for variable, gradient in zip(model.trainable_variables, gradients):
        assert gradient is not None, variable.path
        assert float(tf.reduce_max(tf.abs(gradient))) > 0.0, variable.path


def test_save_and_load_gives_identical_outputs_and_keeps_training(tmp_path, images):
    set_seed(1)
    model = Autoencoder(12, name="round_trip")
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, images, epochs=2, verbose=0)
    path = tmp_path / "autoencoder.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, Autoencoder)
    assert loaded.latent_dim == 12 and loaded.name == "round_trip"
    np.testing.assert_array_equal(loaded.predict(images, verbose=0), model.predict(images, verbose=0))
    before = loaded.evaluate(images, images, verbose=0)
    loaded.fit(images, images, epochs=3, verbose=0)  # the optimizer state came back too
    assert loaded.evaluate(images, images, verbose=0) < before


def test_other_image_shapes_work_for_the_8x8_digits():
    model = Autoencoder(5, image_shape=(8, 8))
    model.build((None, 8, 8))
    assert model.count_params() == 64 * 5 + 5 + 5 * 64 + 64
    assert model(np.zeros((3, 8, 8), np.float32)).shape == (3, 8, 8)


def test_a_code_regularizer_adds_its_penalty_to_the_loss_and_survives_saving(tmp_path, images):
    set_seed(2)
    model = Autoencoder(10, code_regularizer=keras.regularizers.L1(0.5))
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, images, epochs=1, verbose=0)
    codes = model.encode(images)
    penalty = 0.5 * np.abs(codes).sum() / len(images)   # Keras averages over the batch
    reconstruction = float(np.mean((model.predict(images, verbose=0) - images) ** 2))
    total = model.evaluate(images, images, batch_size=len(images), verbose=0)
    assert penalty > 0 and total == pytest.approx(reconstruction + penalty, rel=1e-4)
    path = tmp_path / "sparse.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.code_regularizer, keras.regularizers.L1)
    assert loaded.code_regularizer.get_config() == {"l1": 0.5}
    assert loaded.evaluate(images, images, batch_size=len(images), verbose=0) == \
        pytest.approx(total, rel=1e-6)


def test_a_sigmoid_code_lies_between_zero_and_one(images):
    model = Autoencoder(9, code_activation="sigmoid")
    codes = model.encode(images)
    assert codes.shape == (16, 9) and codes.min() > 0 and codes.max() < 1
    assert Autoencoder.from_config(model.get_config()).code_activation == "sigmoid"


def test_a_code_regularizer_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="code_regularizer must be a keras regularizer"):
        Autoencoder(4, code_regularizer=0.01)


def _compiled(latent_dim=4):
    model = Autoencoder(latent_dim)
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("transform, message", [
    (lambda x: x * 255, r"values in \[0, 1\].*divide by 255"),
    (lambda x: np.where(x > 0.5, np.nan, x), "finite"),
    (lambda x: np.where(x > 0.5, -np.inf, x), "finite"),
    (lambda x: x[:0], "non-empty batch")])
def test_fit_evaluate_and_predict_refuse_bad_images_before_training(images, method,
                                                                    transform, message):
    model = _compiled()
    bad = transform(images)
    run = getattr(model, method)
    with pytest.raises(ValueError, match=f"x must .*{message}|x must have {message}"):
        run(bad, verbose=0) if method == "predict" else run(bad, bad, verbose=0)
    assert not model.built  # refused before Keras built, traced or trained anything


def test_tensors_are_checked_and_a_tf_data_pipeline_is_passed_through(images):
    model = _compiled()
    with pytest.raises(ValueError, match="divide by 255"):
        model.fit(tf.constant(images * 255), tf.constant(images), verbose=0)
    pipeline = tf.data.Dataset.from_tensor_slices((images, images)).batch(8)
    assert len(model.fit(pipeline, epochs=2, verbose=0, shuffle=False).history["loss"]) == 2


def test_fit_refuses_settings_keras_would_ignore_or_choke_on(images):
    model = _compiled()
    with pytest.raises(ValueError, match="y is missing.*fit\\(x, x\\)"):
        model.fit(images, verbose=0)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        model.fit(images, images, epochs=0, verbose=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.fit(images, images, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match=r"y must hold one target per image of x \(16\)"):
        model.fit(images, images[:8], verbose=0)
    with pytest.raises(ValueError, match=r"validation_data\[0\] must be finite"):
        model.fit(images, images, validation_data=(images * np.nan, images), verbose=0)
    history = model.fit(images, images, epochs=np.int64(2), batch_size=np.int64(8), verbose=0)
    assert len(history.history["loss"]) == 2


def test_a_linear_output_accepts_centred_data(images):
    centred = images - images.mean(axis=0)
    model = Autoencoder(4, output_activation=None)
    model.compile(optimizer="adam", loss="mse")
    model.fit(centred, centred, epochs=1, verbose=0)
    assert model.predict(centred, verbose=0).min() < 0
    with pytest.raises(ValueError, match=r"x must have values in \[0, 1\]"):
        _compiled().fit(centred, centred, verbose=0)  # a sigmoid output: [0, 1] only


def test_encode_and_decode_check_their_inputs(images):
    model = Autoencoder(4)
    with pytest.raises(ValueError, match="images must be finite"):
        model.encode(np.full_like(images, np.nan))
    with pytest.raises(ValueError, match="codes must be finite"):
        model.decode(np.full((2, 4), np.nan, np.float32))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.encode(images, batch_size=0)


# --------------------------------------------------------------------------- tied weights

from ae_lib.models import TiedAutoencoder, TiedDense, linear_autoencoder  # noqa: E402


@pytest.mark.parametrize("latent_dim", [1, 32, 128])
def test_a_tied_model_has_exactly_its_own_layers_and_weights(latent_dim):
    tied = TiedAutoencoder(latent_dim)
    tied.build((None, 28, 28))
    assert [layer.name for layer in tied.layers] == ["encoder", "decoder"]
    encoder = tied.get_layer("encoder")
    assert encoder is tied.encoder and encoder.built
    assert [layer.name for layer in encoder.layers] == ["flatten", "code"]
    assert [layer.name for layer in tied.get_layer("decoder").layers] == ["tied_output",
                                                                          "reshape"]
    assert tied.code_layer is encoder.layers[-1]
    assert tied.decoder.layers[0].tied_to is tied.code_layer
    assert [(w.path.split("/")[-2:], tuple(w.shape)) for w in tied.weights] == [
        (["code", "kernel"], (784, latent_dim)), (["code", "bias"], (latent_dim,)),
        (["tied_output", "bias"], (784,))]
    assert encoder.count_params() == 784 * latent_dim + latent_dim
    assert tied.decoder.count_params() == 784  # the decoder's own: its bias only
    summary = []
    tied.summary(print_fn=lambda text, **_: summary.append(text))
    rows = [line for line in "\n".join(summary).splitlines() if line.startswith("│")]
    assert [row.split()[1] for row in rows] == ["encoder", "decoder"]
    assert f"Total params: {784 * latent_dim + latent_dim + 784:,}" in "\n".join(summary)


@pytest.mark.parametrize("latent_dim", [1, 32, 128])
def test_tied_parameter_count_is_the_untied_count_minus_one_matrix(latent_dim):
    tied = TiedAutoencoder(latent_dim)
    tied.build((None, 28, 28))
    assert tied.count_params() == 784 * latent_dim + latent_dim + 784
    untied = Autoencoder(latent_dim)
    untied.build((None, 28, 28))
    assert untied.count_params() - tied.count_params() == latent_dim * 784


def test_the_decoder_uses_the_transposed_encoder_kernel(images):
    model = TiedAutoencoder(8)
    codes = model.encode(images)
    model.decode(codes)  # the first call builds the decoder and its bias
    model.decoder.layers[0].bias.assign(np.linspace(-1, 1, 784))
    decoded = model.decode(codes).reshape(16, 784)
    kernel = keras.ops.convert_to_numpy(model.code_layer.kernel)
    bias = keras.ops.convert_to_numpy(model.decoder.layers[0].bias)
    expected = 1 / (1 + np.exp(-(codes @ kernel.T + bias)))
    np.testing.assert_allclose(decoded, expected, atol=1e-5)


def test_gradients_of_encoder_and_decoder_meet_in_the_one_shared_kernel(images):
    model = TiedAutoencoder(8)
    model(images)
    variables = model.trainable_variables
    assert [tuple(v.shape) for v in variables] == [(784, 8), (8,), (784,)]
    with tf.GradientTape(persistent=True) as tape:
        codes = model.encoder(images)
        loss = keras.losses.MeanSquaredError()(images, model.decoder(codes))
        loss_through_decoder_only = keras.losses.MeanSquaredError()(
            images, model.decoder(tf.stop_gradient(codes)))
    full = tape.gradient(loss, model.code_layer.kernel)
    decoder_part = tape.gradient(loss_through_decoder_only, model.code_layer.kernel)
    assert float(tf.reduce_max(tf.abs(decoder_part))) > 0  # the decoder trains the kernel...
    assert not np.allclose(full.numpy(), decoder_part.numpy())  # ...and so does the encoder


def test_a_tied_model_saves_loads_and_stays_tied(tmp_path, images):
    set_seed(2)
    model = TiedAutoencoder(10)
    model.compile(optimizer="adam", loss="mse")
    model.fit(images, images, epochs=2, verbose=0)
    path = tmp_path / "tied.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, TiedAutoencoder) and loaded.count_params() == model.count_params()
    np.testing.assert_array_equal(loaded.predict(images, verbose=0), model.predict(images, verbose=0))
    assert loaded.decoder.layers[0].tied_to is loaded.code_layer
    # Still tied after loading: changing the encoder kernel changes the decoder's output.
    before = loaded.decode(np.ones((1, 10), np.float32))
    loaded.code_layer.kernel.assign(loaded.code_layer.kernel * 2)
    assert not np.allclose(loaded.decode(np.ones((1, 10), np.float32)), before)


def test_a_linear_tied_autoencoder_has_no_activations(images):
    model = TiedAutoencoder(4, code_activation=None, output_activation=None)
    codes = model.encode(images)
    assert codes.min() < 0  # no ReLU
    assert model.get_config()["output_activation"] is None


def test_tied_dense_refuses_what_it_cannot_tie_to():
    with pytest.raises(TypeError, match="tied_to must be a keras.layers.Dense layer"):
        TiedDense(keras.layers.Flatten())
    encoder = keras.layers.Dense(5)
    with pytest.raises(ValueError, match="to be built first"):
        TiedDense(encoder)(np.zeros((2, 5), np.float32))
    encoder.build((None, 12))
    with pytest.raises(ValueError, match="expects inputs with 5 features; got 7"):
        TiedDense(encoder)(np.zeros((2, 7), np.float32))
    assert TiedDense(encoder)(np.zeros((2, 5), np.float32)).shape == (2, 12)


def test_linear_autoencoder_is_two_bias_free_matrices():
    model = linear_autoencoder(784, 16)
    assert model.count_params() == 2 * 784 * 16
    assert model.get_layer("decoder").kernel.shape == (16, 784)
    x = np.random.default_rng(0).normal(size=(3, 784)).astype(np.float32)
    encoder = model.get_layer("encoder").kernel.numpy()
    decoder = model.get_layer("decoder").kernel.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ encoder @ decoder, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        linear_autoencoder(784, 0)


def test_apply_in_batches_matches_predict_for_any_model(images):
    from ae_lib.models import apply_in_batches

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dropout(0.5), keras.layers.Dense(3)])
    direct = apply_in_batches(model, images, batch_size=5)   # 4 slices: 5, 5, 5, 1
    assert direct.shape == (16, 3) and isinstance(direct, np.ndarray)
    np.testing.assert_allclose(direct, model.predict(images, verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        apply_in_batches(model, images, batch_size=0)
    with pytest.raises(ValueError, match="non-empty batch"):
        apply_in_batches(model, images[:0])
