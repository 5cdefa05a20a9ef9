"""Sparsity penalties on an autoencoder's code, as Keras activity regularizers.

Pass one as ``Autoencoder(k, code_regularizer=...)`` (or as a layer's
``activity_regularizer``); Keras adds it to the loss and saves it with the model.

- The L1 penalty ``lambda * sum(|z|)`` is Keras's own ``keras.regularizers.L1(lambda)``:
  the course uses it directly (a model saved with it loads without ae_lib).
- The KL-divergence penalty of Ng's notes has no Keras counterpart: it is
  :class:`KLSparsity`, registered so that a saved model that uses it loads after
  ``import ae_lib.regularizers`` (or ``import ae_lib.models``, which imports this module).
"""

from __future__ import annotations

import keras
from keras import ops

from ae_lib.validation import check_number


def L1Activity(weight=1e-4):  # noqa: N802  (named like the class it once was)
    """``keras.regularizers.L1(weight)``: the L1 penalty ``weight * sum(|z|)``.

    This name remains only so that chapter 5, which imports it, keeps running; pass
    ``keras.regularizers.L1(weight)`` instead. It was a class of its own, and measured
    against Keras's L1 it computed the same penalty: on float32 codes, the same value and,
    over three epochs of training, bit-for-bit the same weights. Keras's differs only in
    details (it stores the weight as a float32 tensor, refuses NumPy floats and accepts
    ``True``), so one implementation is kept, Keras's. Here ``weight`` is checked first,
    NumPy floats accepted and ``bool`` refused.

    Parameters
    ----------
    weight : float, default 1e-4
        The penalty's weight lambda, a finite number of at least 0.

    Returns
    -------
    keras.regularizers.L1
    """
    weight = check_number(weight, "weight", low=0.0, fix="Pass a small number such as 1e-4.")
    return keras.regularizers.L1(weight)


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
        Weight of the penalty, a finite number of at least 0.
    """

    def __init__(self, rho=0.05, beta=1.0):
        self.rho = check_number(rho, "rho", low=0.0, high=1.0, low_open=True, high_open=True,
                                fix="Pass a small target activation such as 0.05.")
        self.beta = check_number(beta, "beta", low=0.0, fix="Pass a weight such as 1e-3.")

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
