"""Sparsity penalties on an autoencoder's code, as Keras activity regularizers.

Pass one as ``Autoencoder(k, code_regularizer=...)`` (or as a layer's
``activity_regularizer``); Keras adds it to the loss and saves it with the model.
"""

from __future__ import annotations

import numbers

import keras
from keras import ops


def _check_number(name, value, low, high, *, low_open=False, high_open=False):
    """``value`` as a float if it lies in the given range; otherwise a clear error."""
    inside = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if inside:
        value = float(value)
        inside = (low < value if low_open else low <= value) and \
                 (value < high if high_open else value <= high)
    if not inside:
        bounds = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a number in {bounds}, got {value!r}.")
    return value


@keras.saving.register_keras_serializable(package="ae_lib")
class L1Activity(keras.regularizers.Regularizer):
    """``weight * sum(|z|)`` over a code ``z``, averaged over the batch by Keras.

    Parameters
    ----------
    weight : float
        The penalty's weight lambda, at least 0.
    """

    def __init__(self, weight=1e-4):
        self.weight = _check_number("weight", weight, 0.0, float("inf"), high_open=True)

    def __call__(self, codes):
        return self.weight * ops.sum(ops.abs(codes))

    def get_config(self):
        return {"weight": self.weight}


@keras.saving.register_keras_serializable(package="ae_lib")
class KLSparsity(keras.regularizers.Regularizer):
    """The KL-divergence sparsity penalty of Ng's sparse-autoencoder notes.

    For codes in (0, 1) (sigmoid units), ``rho_hat_j`` is unit j's mean activation over the
    batch, and the penalty is ``beta * sum_j KL(rho || rho_hat_j)`` with
    ``KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))``. It is zero
    when every unit's mean activation equals the target ``rho``.

    Parameters
    ----------
    rho : float
        Target mean activation, in (0, 1); 0.05 is usual.
    beta : float
        Weight of the penalty, at least 0.
    """

    def __init__(self, rho=0.05, beta=1.0):
        self.rho = _check_number("rho", rho, 0.0, 1.0, low_open=True, high_open=True)
        self.beta = _check_number("beta", beta, 0.0, float("inf"), high_open=True)

    def __call__(self, codes):
        # Keras divides activity penalties by the batch size; the notes' penalty is per
        # batch, so it is multiplied back here.
        batch_size = ops.cast(ops.shape(codes)[0], codes.dtype)
        mean_activation = ops.clip(ops.mean(codes, axis=0), 1e-7, 1 - 1e-7)
        rho = self.rho
        divergence = (rho * ops.log(rho / mean_activation)
                      + (1 - rho) * ops.log((1 - rho) / (1 - mean_activation)))
        return self.beta * ops.sum(divergence) * batch_size

    def get_config(self):
        return {"rho": self.rho, "beta": self.beta}
