"""Sparsity penalties on an autoencoder's code, as Keras activity regularizers.

Pass one as ``Autoencoder(k, code_regularizer=...)`` (or as a layer's
``activity_regularizer``); Keras adds it to the loss and saves it with the model. Both
classes are registered, so a saved model that uses one loads after
``import ae_lib.regularizers`` (or ``import ae_lib.models``, which imports this module).

Why ``L1Activity`` and not Keras's own ``keras.regularizers.L1``: Keras 3.14 began
dividing a layer's activity penalty by the batch size before adding it to the loss;
earlier versions (Colab's Keras 3.13, for one) add it undivided. The same ``L1(1e-4)`` is
therefore 256 times stronger at batch 256 on Colab than on a newer Keras, enough to
silence every unit (the Colab twin, ``make colab-check``, found this in chapter 5). The
penalties here add the same amount on every Keras version: they measure, once, what this
Keras does.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
from keras import ops

from ae_lib.validation import check_number


@functools.lru_cache(maxsize=None)
def keras_divides_activity_penalties():
    """Whether this Keras divides a layer's activity penalty by the batch size (3.14 on).

    Measured, not read from the version number: a layer whose penalty is the sum of its
    outputs is called on a batch of four ones, and Keras records either 4 or 1.
    """
    probe = keras.layers.Identity(activity_regularizer=ops.sum)
    probe(np.ones((4, 1), np.float32))
    return float(probe.losses[0]) == 1.0


def _per_batch_scale(codes):
    """What to multiply a per-batch penalty by so that Keras adds it unchanged."""
    if keras_divides_activity_penalties():
        return ops.cast(ops.shape(codes)[0], codes.dtype)
    return 1.0


@keras.saving.register_keras_serializable(package="ae_lib")
class L1Activity(keras.regularizers.Regularizer):
    """The L1 penalty ``weight * sum_j |z_j|`` of each code, averaged over the batch.

    That is what ``keras.regularizers.L1(weight)`` adds from Keras 3.14 on; this class adds
    the same on older Keras versions too (see the module's note).

    Parameters
    ----------
    weight : float, default 1e-4
        The penalty's weight lambda, a finite number of at least 0.
    """

    def __init__(self, weight=1e-4):
        self.weight = check_number(weight, "weight", low=0.0,
                                   fix="Pass a small number such as 1e-4.")
        keras_divides_activity_penalties()  # measured here, outside any traced function

    def __call__(self, codes):
        # Keras adds what this returns (divided by the batch size from 3.14 on).
        batch_size = ops.cast(ops.shape(codes)[0], codes.dtype)
        mean_over_batch = ops.sum(ops.abs(codes)) / batch_size
        return self.weight * mean_over_batch * _per_batch_scale(codes)

    def get_config(self):
        return {"weight": self.weight}


@keras.saving.register_keras_serializable(package="ae_lib")
class KLSparsity(keras.regularizers.Regularizer):
    """The KL-divergence sparsity penalty of Ng's sparse-autoencoder notes.

    For codes in (0, 1) (sigmoid units), ``rho_hat_j`` is unit j's mean activation over the
    batch, and the penalty is ``beta * sum_j KL(rho || rho_hat_j)`` with
    ``KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))``, one number per
    batch, on every Keras version. It is zero when every unit's mean activation equals the
    target ``rho``.

    Parameters
    ----------
    rho : float
        Target mean activation, in (0, 1); 0.05 is usual.
    beta : float
        Weight of the penalty, a finite number of at least 0.
    """

    def __init__(self, rho=0.05, beta=1.0):
        self.rho = check_number(rho, "rho", low=0.0, high=1.0, low_open=True, high_open=True,
                                fix="Pass a small target activation such as 0.05.")
        self.beta = check_number(beta, "beta", low=0.0, fix="Pass a weight such as 1e-3.")
        keras_divides_activity_penalties()  # measured here, outside any traced function

    def __call__(self, codes):
        # The notes' penalty is one number per batch; Keras adds what this returns
        # (divided by the batch size from 3.14 on, which _per_batch_scale undoes).
        mean_activation = ops.clip(ops.mean(codes, axis=0), 1e-7, 1 - 1e-7)
        rho = self.rho
        divergence = (rho * ops.log(rho / mean_activation)
                      + (1 - rho) * ops.log((1 - rho) / (1 - mean_activation)))
        return self.beta * ops.sum(divergence) * _per_batch_scale(codes)

    def get_config(self):
        return {"rho": self.rho, "beta": self.beta}
