"""The fast training recipe: ae_lib's models compile with it, and it changes no result."""

from __future__ import annotations

import subprocess
import sys
import warnings

import keras
import numpy as np

from ae_lib.models import Autoencoder, TiedAutoencoder
from ae_lib.recipe import STEPS_PER_EXECUTION
from ae_lib.repro import set_seed

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 1, size=(300, 28, 28)).astype(np.float32)


def _trained(model_class, **compile_kwargs):
    set_seed(3)
    model = model_class(16)
    model.compile(optimizer="adam", loss="mse", **compile_kwargs)
    history = model.fit(IMAGES, IMAGES, batch_size=32, epochs=2, shuffle=True, verbose=0)
    return model, history.history["loss"]


def test_the_models_compile_with_the_recipe_unless_told_otherwise():
    assert STEPS_PER_EXECUTION > 1
    for model_class in (Autoencoder, TiedAutoencoder):
        model = model_class(8)
        model.compile(optimizer="adam", loss="mse")
        assert model.steps_per_execution == STEPS_PER_EXECUTION
        model.compile(optimizer="adam", loss="mse", steps_per_execution=1)
        assert model.steps_per_execution == 1


def test_many_steps_per_call_train_the_same_weights_as_one():
    fast, fast_losses = _trained(Autoencoder)
    slow, slow_losses = _trained(Autoencoder, steps_per_execution=1)
    assert fast.steps_per_execution == STEPS_PER_EXECUTION and slow.steps_per_execution == 1
    np.testing.assert_allclose(fast_losses, slow_losses, rtol=1e-5)
    for a, b in zip(fast.get_weights(), slow.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_callbacks_see_one_batch_end_per_call():
    ends = []
    set_seed(0)
    model = Autoencoder(8)
    model.compile(optimizer="adam", loss="mse", steps_per_execution=4)
    model.fit(IMAGES, IMAGES, batch_size=32, epochs=1, verbose=0, callbacks=[
        keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: ends.append(batch))])
    # 300 images in batches of 32: 10 steps, in calls of 4, 4 and 2 (Keras numbers the
    # last call's end as if it were whole).
    assert len(ends) == 3 and ends[:2] == [3, 7]


def test_a_saved_model_reloads_compiled_with_its_settings_in_a_fresh_process(tmp_path):
    model, _ = _trained(Autoencoder, steps_per_execution=8)
    path = tmp_path / "recipe.keras"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # Keras warns when it cannot restore compile()
        model.save(path)
    code = (
        "import warnings; warnings.simplefilter('error', UserWarning)\n"
        "import ae_lib.models, keras, numpy as np\n"
        f"model = keras.models.load_model({str(path)!r})\n"
        "print(model.compiled, model.steps_per_execution, int(model.optimizer.iterations))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "8", str(int(model.optimizer.iterations))]
