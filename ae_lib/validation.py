"""Argument checks shared by every public function of ae_lib, with one message form.

Every check either returns the value in a normal form (a Python ``int`` or ``float``, a
float32 NumPy array, ...) or raises before any TensorFlow work starts:

- ``TypeError`` when the value has the wrong type (a string for a number, ``2.5`` or
  ``True`` for an integer, a number for a sequence);
- ``ValueError`` when the type is right but the value is not (``0`` for a positive integer,
  NaN, an empty batch, pixels outside [0, 1]).

Messages have one form, close to Keras's own: the argument's name and what it must be, the
value received, then how to fix it::

    batch_size must be a positive integer. Received: batch_size=0. Pass a whole number
    such as 256.

NumPy scalars are accepted wherever Python numbers are (``np.int64(5)`` for an integer,
``np.float32(0.5)`` for a number); ``bool`` is refused where a number is expected.

This module imports neither TensorFlow nor any other ae_lib module: every other module can
use it. Tensors (``tf.Tensor``) are recognised without importing TensorFlow, and reduced
with it only when one is passed.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Mapping

import numpy as np

#: The largest seed NumPy and TensorFlow accept.
MAX_SEED = 2**32 - 1



# ------------------------------------------------------------------------ the message

def describe(value):
    """A short description of ``value`` for a message: arrays by shape and dtype."""
    if is_tensor(value) or isinstance(value, np.ndarray) and value.ndim > 0:
        kind = "tensor" if is_tensor(value) else "array"
        return f"<{kind} of shape {tuple(value.shape)}, dtype {value.dtype}>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def message(name, expected, value, fix=""):
    """The one message form: what ``name`` must be, the value received, the fix."""
    text = f"{name} must be {expected}. Received: {name}={describe(value)}."
    return f"{text} {fix}" if fix else text


def fail(error, name, expected, value, fix=""):
    """Raise ``error`` (``TypeError`` or ``ValueError``) with the message form above."""
    raise error(message(name, expected, value, fix))


# ------------------------------------------------------------------------- scalars

def is_int(value):
    """Whether ``value`` is an integer: Python or NumPy, not ``bool``."""
    return isinstance(value, (numbers.Integral, np.integer)) and \
        not isinstance(value, (bool, np.bool_))


def is_number(value):
    """Whether ``value`` is a real number: Python or NumPy, not ``bool``."""
    return isinstance(value, (numbers.Real, np.integer, np.floating)) and \
        not isinstance(value, (bool, np.bool_))


def _number_text(low, high, low_open=False, high_open=False):
    """Words for a range: "a number from 0 to 1", "a number above 0", and so on."""
    if low is not None and high is not None:
        if (low, high, low_open, high_open) == (0, 1, False, False):
            return "a number from 0 to 1"
        return (f"a number in {'(' if low_open else '['}{low:g}, {high:g}"
                f"{')' if high_open else ']'}")
    if low is not None:
        return f"a number above {low:g}" if low_open else \
            f"a finite number of at least {low:g}"
    if high is not None:
        return f"a number below {high:g}" if high_open else \
            f"a finite number of at most {high:g}"
    return "a finite number"


def check_int(value, name, *, low=None, high=None, fix=None):
    """``value`` as a Python int, if it is an integer in [low, high] (each bound optional).

    ``fix`` ends the message; by default, for a value of the wrong type, it asks for a whole
    number, and for one out of range the expectation says it all.
    """
    if low is not None and high is not None:
        expected = f"an integer from {low} to {high}"
    elif low == 1:
        expected = "a positive integer"
    elif low == 0:
        expected = "a non-negative integer"
    elif low is not None:
        expected = f"an integer of at least {low}"
    elif high is not None:
        expected = f"an integer of at most {high}"
    else:
        expected = "an integer"
    if not is_int(value):
        fail(TypeError, name, expected, value, fix or
             f"Pass a whole number (a Python or NumPy integer), not {type(value).__name__}.")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        fail(ValueError, name, expected, value, fix or "")
    return value


def check_positive_int(value, name, *, fix=None):
    """``value`` as an int if it is an integer of at least 1."""
    return check_int(value, name, low=1, fix=fix)


def check_non_negative_int(value, name, *, fix=None):
    """``value`` as an int if it is an integer of at least 0."""
    return check_int(value, name, low=0, fix=fix)


def check_optional_positive_int(value, name, *, fix=None):
    """``None``, or ``value`` as an int if it is a positive integer."""
    return None if value is None else check_positive_int(value, name, fix=fix)


def check_number(value, name, *, low=None, high=None, low_open=False, high_open=False,
                 fix="", expected=None):
    """``value`` as a finite Python float inside the given bounds (each optional).

    ``expected`` replaces the generated description of the valid values in the message.
    """
    expected = expected or _number_text(low, high, low_open, high_open)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if not is_number(value):
        fail(TypeError, name, expected, value,
             fix or f"Pass a number (a Python or NumPy int or float), not "
                    f"{type(value).__name__}.")
    number = float(value)
    inside = np.isfinite(number)
    if inside and low is not None:
        inside = number > low if low_open else number >= low
    if inside and high is not None:
        inside = number < high if high_open else number <= high
    if not inside:
        fail(ValueError, name, expected, value, fix)
    return number


def check_positive_number(value, name, *, fix=""):
    """``value`` as a float if it is a finite number above 0."""
    return check_number(value, name, low=0.0, low_open=True, fix=fix)


def check_fraction(value, name, *, fix=""):
    """``value`` as a float if it is a number from 0 to 1."""
    return check_number(value, name, low=0.0, high=1.0, fix=fix)


def check_seed(value, name="seed"):
    """``value`` as an int if it is a seed NumPy and TensorFlow accept: 0 to 2**32 - 1."""
    if value is None:
        fail(TypeError, name, f"an integer from 0 to {MAX_SEED}", value,
             "None would draw different numbers on every call; pass a fixed integer "
             "such as 0 so that the results repeat.")
    return check_int(value, name, low=0, high=MAX_SEED,
                     fix="Pass a fixed whole number such as 0.")


def check_bool(value, name):
    """``value`` as a bool if it is ``True`` or ``False`` (NumPy's included)."""
    if not isinstance(value, (bool, np.bool_)):
        fail(TypeError, name, "True or False", value)
    return bool(value)


def check_choice(value, name, choices):
    """``value`` if it is one of ``choices`` (a collection of strings)."""
    options = sorted(choices)
    if not isinstance(value, str):
        fail(TypeError, name, f"one of {options}", value)
    if value not in choices:
        fail(ValueError, name, f"one of {options}", value)
    return value


def check_activation(value, name):
    """``value`` if Keras knows it as an activation: a name, a function, or None."""
    import keras  # only when called: this module imports no TensorFlow of its own

    try:
        keras.activations.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(message(
            name, "the name of a Keras activation (such as 'relu', 'sigmoid' or 'tanh'), "
            "a function, or None for none", value)) from error
    return value


def check_string(value, name, *, allow_none=False):
    """``value`` if it is a string (or ``None``, when allowed)."""
    if value is None and allow_none:
        return value
    if not isinstance(value, str):
        fail(TypeError, name, "a string" + (" or None" if allow_none else ""), value)
    return value


def check_callable(value, name, *, fix=""):
    """``value`` if it can be called (a function, a Keras model or layer)."""
    if not callable(value):
        fail(TypeError, name, "callable (a function, or a Keras model or layer)", value, fix)
    return value


def check_mapping(value, name, *, non_empty=True, what="a dict"):
    """``value`` if it is a dict-like mapping (non-empty unless told)."""
    if not isinstance(value, Mapping):
        fail(TypeError, name, what, value)
    if non_empty and not value:
        fail(ValueError, name, f"a non-empty {what.removeprefix('a ')}", value)
    return value


def check_path(value, name="path", *, allow_none=True):
    """``value`` if it is a path (str or os.PathLike), or None when allowed."""
    if value is None and allow_none:
        return value
    if not isinstance(value, (str, os.PathLike)):
        fail(TypeError, name, "a folder path (str or pathlib.Path)", value)
    return value


def check_sequence(value, name, *, non_empty=True, what="a sequence"):
    """``value`` as a list if it is a list, tuple or other iterable (not a str or number)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable) or \
            isinstance(value, np.ndarray) and value.ndim == 0:
        fail(TypeError, name, what, value, "Pass a list or tuple.")
    items = list(value)
    if non_empty and not items:
        fail(ValueError, name, f"a non-empty {what.removeprefix('a ')}", value)
    return items


def check_positive_ints(value, name, *, non_empty=True):
    """``value`` as a list of ints if it is a sequence of positive integers."""
    items = check_sequence(value, name, non_empty=non_empty,
                           what="a sequence of positive integers")
    return [check_positive_int(item, f"each entry of {name}") for item in items]


def check_numbers(value, name, *, low=None, high=None, non_empty=True):
    """``value`` as a list of floats if it is a sequence of numbers in the bounds."""
    items = check_sequence(value, name, non_empty=non_empty, what="a sequence of numbers")
    return [check_number(item, f"each entry of {name}", low=low, high=high)
            for item in items]


# -------------------------------------------------------------------------- arrays

def is_tensor(value):
    """Whether ``value`` is a TensorFlow tensor or variable (without importing TensorFlow)."""
    module = type(value).__module__ or ""
    return module.startswith(("tensorflow", "tf_keras")) and hasattr(value, "shape") \
        and hasattr(value, "dtype")


def check_array(value, name, *, ndim=None, min_ndim=None, non_empty=True, finite=True,
                dtype=None, shape_hint=""):
    """``value`` as a numeric NumPy array after checking its shape and values.

    Parameters
    ----------
    ndim, min_ndim : int, optional
        The exact or the least number of axes.
    non_empty : bool, default True
        Refuse an array with no examples (first axis of length 0).
    finite : bool, default True
        Refuse NaN and infinite values.
    dtype : numpy dtype, optional
        Convert to it (without copying when it already has it); float arrays otherwise keep
        theirs, and integer or boolean arrays become float64.
    shape_hint : str
        Names the axes in messages, for example ``"(N, height, width)"``.
    """
    if value is None or isinstance(value, (str, bytes, Mapping)):
        fail(TypeError, name, "an array of numbers", value)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise TypeError(message(name, "an array of numbers (every row the same length)",
                                value)) from error
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        fail(TypeError, name, "an array of numbers", value,
             f"Its dtype is {array.dtype}; convert it with np.asarray(..., dtype='float32').")
    if np.iscomplexobj(array):
        fail(TypeError, name, "an array of real numbers", value)
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    elif not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    shape_text = f"of shape {shape_hint}" if shape_hint else ""
    if ndim is not None and array.ndim != ndim:
        fail(ValueError, name, f"an array with {ndim} axes {shape_text}".rstrip(), array)
    if min_ndim is not None and array.ndim < min_ndim:
        fail(ValueError, name, f"an array with at least {min_ndim} axes {shape_text}".rstrip(),
             array)
    if non_empty and (array.ndim == 0 or array.shape[0] == 0 or array.size == 0):
        fail(ValueError, name, "a non-empty batch (at least one example)", array)
    if finite and array.size and not _all_finite(array):
        fail(ValueError, name, "finite (no NaN or infinite values)", array,
             "Find where the NaNs come from, or drop those examples.")
    return array


def _all_finite(array):
    # min and max propagate NaN and reach inf: two passes, no temporary array.
    return bool(np.isfinite(array.min()) and np.isfinite(array.max()))


def check_images(images, name="images", *, value_range=(0.0, 1.0), min_ndim=2, ndim=None,
                 allow_tensor=False):
    """A non-empty batch of finite images with values in ``value_range``, as float32.

    NumPy arrays (and array-likes) come back as float32 arrays. With ``allow_tensor``, a
    TensorFlow tensor is checked with TensorFlow's reductions (no copy to NumPy) and comes
    back as a float32 tensor. ``value_range=None`` skips the range check (for centred data
    or codes).

    Raises
    ------
    TypeError
        Not an array of numbers.
    ValueError
        Empty, too few axes, NaN or infinite values, or values outside ``value_range``
        (with a "divide by 255" hint when they look like raw 0-255 pixels).
    """
    if is_tensor(images):
        if not allow_tensor:
            fail(TypeError, name, "a NumPy array", images,
                 "Convert it with np.asarray(...), or pass a NumPy array.")
        return _check_image_tensor(images, name, value_range, min_ndim, ndim)
    array = check_array(images, name, ndim=ndim, min_ndim=min_ndim, dtype=np.float32,
                        shape_hint="(N, height, width)" if ndim == 3 else "")
    if value_range is not None:
        check_value_range(name, float(array.min()), float(array.max()), value_range)
    return array


def _check_image_tensor(tensor, name, value_range, min_ndim, ndim):
    import tensorflow as tf

    if not (tensor.dtype.is_floating or tensor.dtype.is_integer):
        fail(TypeError, name, "a tensor of numbers", tensor)
    tensor = tf.cast(tensor, tf.float32)
    rank = tensor.shape.rank
    if (ndim is not None and rank != ndim) or (min_ndim is not None and rank < min_ndim):
        fail(ValueError, name, f"a tensor with {ndim or f'at least {min_ndim}'} axes", tensor)
    if tensor.shape[0] == 0 or tf.size(tensor) == 0:
        fail(ValueError, name, "a non-empty batch (at least one example)", tensor)
    low, high = float(tf.reduce_min(tensor)), float(tf.reduce_max(tensor))
    if not (np.isfinite(low) and np.isfinite(high)):
        fail(ValueError, name, "finite (no NaN or infinite values)", tensor,
             "Find where the NaNs come from, or drop those examples.")
    if value_range is not None:
        check_value_range(name, low, high, value_range)
    return tensor


def check_value_range(name, low, high, value_range=(0.0, 1.0)):
    """Raise unless the values' extremes ``low`` and ``high`` lie inside ``value_range``."""
    lowest, highest = value_range
    if low < lowest or high > highest:
        fix = ""
        if (lowest, highest) == (0.0, 1.0):
            fix = ("Scale the images to [0, 1] (ae_lib.data's loaders do; the models' "
                   "outputs end in a sigmoid).")
            if low >= 0 and 1 < high <= 255:
                fix = "They look like raw 0-255 pixels: divide by 255. " + fix
        raise ValueError(
            f"{name} must have values in [{lowest:g}, {highest:g}]. Received: {name} with "
            f"values from {low:g} to {high:g}. {fix}".rstrip())


def check_labels(labels, name, *, length=None, per="example"):
    """``labels`` as an int64 array of shape (N,) of non-negative class indices.

    ``length`` is N when known; ``per`` says what each label belongs to, for the message.
    """
    if labels is None or isinstance(labels, (str, bytes, Mapping)):
        fail(TypeError, name, "an array of integer class indices", labels)
    try:
        array = np.asarray(labels)
    except (ValueError, TypeError) as error:
        raise TypeError(message(name, "an array of integer class indices", labels)) from error
    if array.dtype.kind not in "iu":
        whole = array.dtype.kind == "f" and array.size and \
            bool(np.all(np.isfinite(array)) and np.all(array == np.round(array)))
        fail(TypeError, name, "an array of integer class indices", array,
             "Convert it with labels.astype(int)." if whole else "")
    if array.ndim != 1:
        fail(ValueError, name, "one integer label per example, shape (N,)", array)
    if length is not None and len(array) != length:
        fail(ValueError, name, f"one label per {per} ({length} of them)", array,
             f"It has {len(array)} labels.")
    if len(array) and array.min() < 0:
        fail(ValueError, name, "class indices from 0", array,
             f"The smallest label is {array.min()}.")
    return array.astype(np.int64, copy=False)
