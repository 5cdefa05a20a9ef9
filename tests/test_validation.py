"""ae_lib.validation: one message form, NumPy scalars accepted, bool refused, arrays checked."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from ae_lib import validation as v


def test_the_message_names_the_argument_the_value_and_the_fix():
    with pytest.raises(ValueError) as error:
        v.check_positive_int(0, "batch_size", fix="Pass a whole number such as 256.")
    assert str(error.value) == ("batch_size must be a positive integer. Received: "
                                "batch_size=0. Pass a whole number such as 256.")


@pytest.mark.parametrize("value", [3, np.int8(3), np.int64(3), np.uint32(3)])
def test_numpy_integers_are_integers(value):
    result = v.check_positive_int(value, "n")
    assert result == 3 and type(result) is int


@pytest.mark.parametrize("value", [True, np.bool_(True), 3.0, np.float32(3), "3", None, [3]])
def test_bools_floats_and_strings_are_not_integers(value):
    with pytest.raises(TypeError, match="n must be a positive integer. Received: n="):
        v.check_positive_int(value, "n")


@pytest.mark.parametrize("value", [0.5, np.float32(0.5), np.float64(0.5), 1, np.int64(0),
                                   np.array(0.5)])
def test_numpy_numbers_are_numbers(value):
    result = v.check_fraction(value, "level")
    assert result == float(value) and type(result) is float


@pytest.mark.parametrize("value, error", [(float("nan"), ValueError), (float("inf"), ValueError),
                                          (1.5, ValueError), (-0.1, ValueError),
                                          (True, TypeError), ("0.5", TypeError),
                                          (None, TypeError), (1j, TypeError)])
def test_numbers_outside_the_range_or_not_numbers_are_refused(value, error):
    with pytest.raises(error, match="level must be a number from 0 to 1"):
        v.check_fraction(value, "level")


@pytest.mark.parametrize("value, error", [(-1, ValueError), (2**32, ValueError),
                                          (2.5, TypeError), ("a", TypeError),
                                          (None, TypeError)])
def test_seeds(value, error):
    with pytest.raises(error, match=r"seed must be an integer from 0 to 4294967295"):
        v.check_seed(value)
    assert v.check_seed(np.uint32(2**32 - 1)) == 2**32 - 1


@pytest.mark.parametrize("bad, error, message", [
    (np.zeros((0, 8, 8)), ValueError, "images must be a non-empty batch"),
    (np.full((4, 8, 8), np.nan), ValueError, "images must be finite"),
    (np.full((4, 8, 8), np.inf), ValueError, "images must be finite"),
    (np.full((4, 8, 8), -0.5), ValueError, r"images must have values in \[0, 1\]"),
    (np.full((4, 8, 8), 200.0), ValueError, "divide by 255"),
    (np.array([["a"] * 8] * 8), TypeError, "images must be an array of numbers"),
    ([[1.0, 2.0], [3.0]], TypeError, "every row the same length"),
    (np.zeros(5), ValueError, "images must be an array with at least 2 axes"),
    ("images.png", TypeError, "images must be an array of numbers"),
])
def test_bad_images_are_refused(bad, error, message):
    with pytest.raises(error, match=message):
        v.check_images(bad)


def test_values_far_above_255_get_no_divide_by_255_hint():
    with pytest.raises(ValueError) as error:
        v.check_images(np.full((2, 2), 1000.0))
    assert "divide by 255" not in str(error.value)


def test_good_images_come_back_as_float32_without_a_copy_when_they_are_float32():
    images = np.random.default_rng(0).random((3, 4, 4), dtype=np.float32)
    assert v.check_images(images) is images
    assert v.check_images(images.astype(np.float64)).dtype == np.float32
    assert v.check_images(np.ones((2, 2), np.uint8)).dtype == np.float32


def test_tensors_are_checked_in_tensorflow_and_refused_where_arrays_are_wanted():
    good = tf.constant(np.full((2, 3), 0.5, np.float32))
    assert v.check_images(good, allow_tensor=True) is not None
    with pytest.raises(ValueError, match="divide by 255"):
        v.check_images(good * 255, allow_tensor=True)
    with pytest.raises(ValueError, match="must be finite"):
        v.check_images(good * np.nan, allow_tensor=True)
    with pytest.raises(TypeError, match="images must be a NumPy array"):
        v.check_images(good)


def test_arrays_are_described_by_shape_and_dtype_not_printed():
    with pytest.raises(ValueError) as error:
        v.check_array(np.full((1000, 28, 28), np.nan, np.float32), "x")
    assert "<array of shape (1000, 28, 28), dtype float32>" in str(error.value)
    assert len(str(error.value)) < 200


def test_labels():
    assert v.check_labels([0, 2, 1], "y").dtype == np.int64
    with pytest.raises(TypeError, match=r"astype\(int\)"):
        v.check_labels(np.array([0.0, 1.0]), "y")
    with pytest.raises(ValueError, match="y must be class indices from 0"):
        v.check_labels(np.array([0, -1]), "y")
    with pytest.raises(ValueError, match=r"one label per image \(3 of them\)"):
        v.check_labels([0, 1], "y", length=3, per="image")
    with pytest.raises(ValueError, match=r"shape \(N,\)"):
        v.check_labels(np.zeros((2, 2), int), "y")


def test_choices_sequences_and_activations():
    assert v.check_choice("a", "kind", {"a", "b"}) == "a"
    with pytest.raises(ValueError, match=r"kind must be one of \['a', 'b'\]. Received: kind='c'"):
        v.check_choice("c", "kind", {"a", "b"})
    with pytest.raises(TypeError, match="layer_sizes must be a sequence of positive integers"):
        v.check_positive_ints(128, "layer_sizes")
    with pytest.raises(TypeError, match="layer_sizes must be a sequence"):
        v.check_positive_ints("128", "layer_sizes")
    assert v.check_positive_ints((np.int64(3), 4), "layer_sizes") == [3, 4]
    with pytest.raises(ValueError, match="activation must be the name of a Keras activation"):
        v.check_activation("sigmoidd", "activation")


def test_the_module_imports_neither_tensorflow_nor_other_ae_lib_modules():
    path = pathlib.Path(v.__file__)
    code = ("import sys, importlib.util\n"
            f"spec = importlib.util.spec_from_file_location('validation', {str(path)!r})\n"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
            "module.check_images([[0.5]]); module.check_seed(3)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tensorflow', 'keras', 'ae_lib')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "[]"
