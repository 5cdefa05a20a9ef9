"""Every class ae_lib registers with Keras loads from a .keras file in a fresh process that
imports only the module a user would import: ``ae_lib.models`` for a model of the course,
``ae_lib.regularizers`` for a penalty used in a model of one's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import ae_lib.models
import ae_lib.regularizers  # noqa: F401  (registers KLSparsity)
from ae_lib.models import Autoencoder, TiedAutoencoder
from ae_lib.regularizers import KLSparsity, L1Activity
from ae_lib.repro import set_seed

# A test per registered class: a class registered without one makes the check below fail.
SAVED_WITH = {"ae_lib>Autoencoder": "tied and plain models",
              "ae_lib>TiedAutoencoder": "tied (with its TiedDense decoder)",
              "ae_lib>KLSparsity": "kl penalty, in an Autoencoder and in a Sequential",
              "ae_lib>L1Activity": "l1 penalty, in an Autoencoder"}

LOAD = textwrap.dedent("""
    import json, sys
    import numpy as np
    {imports}
    import keras

    cases = json.loads(sys.argv[1])
    images = np.load(cases.pop("images"))


    def describe(model, case):
        regularizer = getattr(model, "code_regularizer", None)
        return {{
            "class": type(model).__name__,
            "max_difference": float(np.abs(np.asarray(model(images))
                                           - np.load(case["output"])).max()),
            "loss": float(model.evaluate(images, images, batch_size=len(images), verbose=0)),
            "regularizer": type(regularizer).__name__ if regularizer is not None else None,
            "layers": [layer.name for layer in model.layers],
        }}


    results = {{}}
    for name, case in cases.items():
        try:
            results[name] = describe(keras.models.load_model(case["path"]), case)
        except Exception as error:
            results[name] = {{"error": f"{{type(error).__name__}}: {{error}}"}}
            if {then_import!r}:  # the control failed as it should: now import, load again
                exec({then_import!r})
                results[name + " after import"] = describe(
                    keras.models.load_model(case["path"]), case)
    print(json.dumps(results))
""")



@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(2).random((16, 28, 28), dtype=np.float32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, images):
    """Models of every kind, saved, with their outputs and losses."""
    folder = tmp_path_factory.mktemp("saved")
    set_seed(0)
    sequential_kl = keras.Sequential([
        keras.Input((28, 28)), keras.layers.Flatten(),
        keras.layers.Dense(8, activation="sigmoid",
                           activity_regularizer=KLSparsity(rho=0.1, beta=0.5)),
        keras.layers.Dense(784, activation="sigmoid"), keras.layers.Reshape((28, 28))])
    models = {
        "plain": Autoencoder(6),
        "tied": TiedAutoencoder(6),
        "kl": Autoencoder(6, code_activation="sigmoid",
                          code_regularizer=KLSparsity(rho=0.1, beta=0.5)),
        "l1": Autoencoder(6, code_regularizer=L1Activity(1e-3)),
        "sequential_kl": sequential_kl,
    }
    cases = {}
    for name, model in models.items():
        model.compile(optimizer="adam", loss="mse")
        model(images)  # builds the weights (random ones do: the test compares, not learns)
        path, output = folder / f"{name}.keras", folder / f"{name}.npy"
        model.save(path)
        np.save(output, np.asarray(model(images)))
        cases[name] = {"path": str(path), "output": str(output),
                       "loss": model.evaluate(images, images, batch_size=16, verbose=0)}
    np.save(folder / "images.npy", images)
    return folder / "images.npy", cases


def _load_in_a_fresh_process(imports, images_path, cases, then_import=""):
    arguments = {"images": str(images_path),
                 **{name: {"path": c["path"], "output": c["output"]} for name, c in cases.items()}}
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    script = LOAD.format(imports=imports, then_import=then_import)
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(arguments)],
        capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_registered_class_has_a_save_and_load_case():
    registered = {name for name in keras.saving.get_custom_objects() if name.startswith("ae_lib>")}
    assert registered == set(SAVED_WITH)


def test_the_course_models_load_with_only_ae_lib_models_imported(saved):
    images_path, cases = saved
    course = {name: case for name, case in cases.items() if name != "sequential_kl"}
    results = _load_in_a_fresh_process("import ae_lib.models", images_path, course)
    for name, result in results.items():
        assert "error" not in result, f"{name}: {result.get('error')}"
        assert result["max_difference"] < 1e-6, name
        assert result["loss"] == pytest.approx(cases[name]["loss"], rel=1e-5), name
    assert results["tied"]["class"] == "TiedAutoencoder"
    assert results["tied"]["layers"] == ["encoder", "decoder"]
    assert results["kl"]["regularizer"] == "KLSparsity"
    assert results["l1"]["regularizer"] == "L1Activity"


def test_a_penalty_in_a_model_of_ones_own_loads_with_only_the_regularizers(saved):
    images_path, cases = saved
    mine = {"sequential_kl": cases["sequential_kl"]}
    # First the control: without ae_lib, Keras cannot rebuild the penalty (so the test can
    # fail); then, in the same process, import ae_lib.regularizers alone and load again.
    results = _load_in_a_fresh_process("", images_path, mine,
                                       then_import="import ae_lib.regularizers")
    assert "KLSparsity" in results["sequential_kl"]["error"]
    loaded = results["sequential_kl after import"]
    assert loaded["class"] == "Sequential" and loaded["max_difference"] < 1e-6
    assert loaded["loss"] == pytest.approx(cases["sequential_kl"]["loss"], rel=1e-5)
