import keras
import numpy as np
import pytest

from ae_lib.batching import reconstruction_batches
from ae_lib.repro import set_seed
from ae_lib.stopping import fit_to_best, fit_to_validation, restart


def _data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64")


def _model(learning_rate=0.05, metrics=("accuracy",)):
    set_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, "softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=list(metrics))
    return model


def test_learns_and_restores_the_best_round():
    x, y = _data(200, 0)
    x_val, y_val = _data(100, 1)
    model = _model()
    result = fit_to_validation(model, x, y, x_val, y_val, batch_size=32,
                               steps_per_round=5, patience=2, max_rounds=15)
    assert 1 <= result["best_round"] <= result["rounds"] <= 15
    assert result["val_accuracy"] > 0.9
    accuracy = model.evaluate(x_val, y_val, verbose=0)[1]
    assert accuracy == pytest.approx(result["val_accuracy"])


def test_stops_when_validation_does_not_improve():
    x, y = _data(64, 0)
    x_val, y_val = _data(64, 1)
    result = fit_to_validation(_model(learning_rate=1e-9), x, y, x_val, y_val,
                               patience=2, max_rounds=30)
    assert result["rounds"] == result["best_round"] + 2 < 30


@pytest.mark.parametrize("change, error, words", [
    (dict(model="not a model"), TypeError, "model"),
    (dict(labels=np.zeros(3, "int64")), ValueError, "labels"),
    (dict(val_images=np.full((10, 4), np.nan, "float32")), ValueError, "val_images"),
    (dict(patience=0), ValueError, "patience"),
    (dict(batch_size=2.5), TypeError, "batch_size"),
])
def test_bad_input(change, error, words):
    x, y = _data(10, 0)
    positional = dict(model=_model(), images=x, labels=y, val_images=x, val_labels=y)
    keywords = {name: change.pop(name) for name in list(change) if name not in positional}
    positional.update(change)
    with pytest.raises(error, match=words):
        fit_to_validation(*positional.values(), **keywords)


def test_uncompiled_model_and_missing_metric():
    x, y = _data(10, 0)
    raw = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, "softmax")])
    with pytest.raises(ValueError, match="compiled"):
        fit_to_validation(raw, x, y, x, y)
    with pytest.raises(ValueError, match="accuracy"):
        fit_to_validation(_model(metrics=()), x, y, x, y, max_rounds=2)


# ------------------------------------------------------------------------ restart

def _fresh(seed, learning_rate=0.05, optimizer=keras.optimizers.Adam):
    set_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, "relu"),
                              keras.layers.Dense(2, "softmax")])
    model.compile(optimizer=optimizer(learning_rate), metrics=["accuracy"],
                  loss="sparse_categorical_crossentropy")
    return model


def _train(model, seed):
    x, y = _data(64, seed)
    model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    return model.get_weights()


@pytest.mark.parametrize("optimizer", [keras.optimizers.Adam, keras.optimizers.Adagrad,
                                       lambda rate: keras.optimizers.SGD(rate, momentum=0.9)])
def test_restart_trains_as_a_new_model_would(optimizer):
    reused = _fresh(0, optimizer=optimizer)
    _train(reused, 0)  # its optimizer now has moments and a step count
    train_function = reused.train_function
    for seed, rate in ((1, 0.05), (2, 0.01)):
        expected = _train(_fresh(seed, rate, optimizer), seed)
        restart(reused, _fresh(seed, optimizer=optimizer), learning_rate=rate)
        assert int(reused.optimizer.iterations) == 0
        got = _train(reused, seed)
        for mine, theirs in zip(got, expected):
            np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)
    assert reused.train_function is train_function  # nothing traced again


def test_restart_keeps_the_learning_rate_and_takes_a_weight_list():
    model = _fresh(0, learning_rate=0.02)
    _train(model, 0)
    start = _fresh(3)
    assert restart(model, start.get_weights()) is model
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)
    for mine, theirs in zip(model.get_weights(), start.get_weights()):
        np.testing.assert_array_equal(mine, theirs)


def test_restart_bad_input():
    model = _fresh(0)
    with pytest.raises(TypeError, match="model"):
        restart("not a model", model)
    uncompiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="compiled"):
        restart(uncompiled, uncompiled)
    with pytest.raises(ValueError, match="weights must match"):
        restart(model, uncompiled)
    with pytest.raises(TypeError, match="weights"):
        restart(model, "weights")
    with pytest.raises(ValueError, match="learning_rate"):
        restart(model, model, learning_rate=-1.0)


# fit_to_best: a reconstruction model trained to its best validation epoch.


def _autoencoder(learning_rate=0.01, seed=0, steps_per_execution=1):
    set_seed(seed)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2, "relu"),
                              keras.layers.Dense(6)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse",
                  steps_per_execution=steps_per_execution)
    return model


def _points(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 2)) @ rng.normal(size=(2, 6))
            + 0.3 * rng.normal(size=(n, 6))).astype("float32")


@pytest.mark.parametrize("min_delta", [0.0, 1e-3])
def test_fit_to_best_follows_keras_early_stopping(min_delta):
    # Same batches in the same order: the same losses, stop and restored weights as
    # fit() with EarlyStopping(restore_best_weights=True).
    x, x_val = _points(70, 0), _points(40, 1)
    reference = _autoencoder(learning_rate=0.05)
    stop = keras.callbacks.EarlyStopping(patience=3, min_delta=min_delta,
                                         restore_best_weights=True)
    history = reference.fit(reconstruction_batches(x, 16, shuffle=False), epochs=200,
                            validation_data=(x_val, x_val), callbacks=[stop], verbose=0,
                            shuffle=False).history
    model = _autoencoder(learning_rate=0.05)
    result = fit_to_best(model, x, x_val, batch_size=16, patience=3, min_delta=min_delta,
                         max_epochs=200, shuffle=False)
    assert stop.stopped_epoch > 0 and result["stopped_early"]
    assert result["epochs"] == len(history["loss"]) < 200
    assert result["best_epoch"] == stop.best_epoch + 1
    np.testing.assert_allclose(result["history"]["loss"], history["loss"], rtol=1e-4)
    np.testing.assert_allclose(result["history"]["val_loss"], history["val_loss"],
                               rtol=1e-4)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    assert result["val_loss"] == pytest.approx(
        model.evaluate(x_val, x_val, verbose=0), rel=1e-4)


def test_fit_to_best_shuffles_by_its_seed_and_stops_on_patience():
    x, x_val = _points(64, 0), _points(32, 1)
    runs = [fit_to_best(_autoencoder(), x, x_val, batch_size=8, max_epochs=6, seed=seed)
            for seed in (1, 1, 2)]
    assert runs[0]["history"] == runs[1]["history"] != runs[2]["history"]
    assert not runs[0]["stopped_early"] and runs[0]["epochs"] == 6
    frozen = fit_to_best(_autoencoder(learning_rate=1e-12), x, x_val, patience=2,
                         max_epochs=50)
    assert frozen["stopped_early"] and frozen["epochs"] == frozen["best_epoch"] + 2 < 50


@pytest.mark.parametrize("change, error, words", [
    (dict(model="not a model"), TypeError, "model"),
    (dict(images=np.full((10, 6), np.nan, "float32")), ValueError, "images"),
    (dict(val_images=np.zeros((10, 5), "float32")), ValueError, "val_images"),
    (dict(patience=0), ValueError, "patience"),
    (dict(batch_size=2.5), TypeError, "batch_size"),
    (dict(min_delta=-1.0), ValueError, "min_delta"),
    (dict(shuffle="yes"), TypeError, "shuffle"),
    (dict(seed=-1), ValueError, "seed"),
])
def test_fit_to_best_bad_input(change, error, words):
    x = _points(10, 0)
    positional = dict(model=_autoencoder(), images=x, val_images=x)
    keywords = {name: change.pop(name) for name in list(change) if name not in positional}
    positional.update(change)
    with pytest.raises(error, match=words):
        fit_to_best(*positional.values(), **keywords)


def test_fit_to_best_needs_a_compiled_model():
    x = _points(10, 0)
    raw = keras.Sequential([keras.Input((6,)), keras.layers.Dense(6)])
    with pytest.raises(ValueError, match="compiled"):
        fit_to_best(raw, x, x)
