"""Automatic checks for the implement-it-yourself exercises, one per chapter (1 to 10).

Each ``check_*`` function takes the learner's function, runs it on small, synthetic,
seeded inputs (no data download; a few seconds at most) and compares what it returns with
reference values computed here. It then

- prints ``PASS`` and returns a true :class:`CheckResult` when every test agrees;
- prints that the exercise is *not implemented yet* and returns a false one when the
  learner's function is still the stub (its body is ``...``, it returns ``None`` or it
  raises ``NotImplementedError``), so that a student notebook still runs from top to bottom;
- raises :class:`ExerciseFailure` (an ``AssertionError``) otherwise, with what went wrong
  and a hint that points at the mistake without giving the answer away.

An argument that is not callable (the result of calling the function, say, instead of the
function itself) is a ``TypeError`` in ``ae_lib.validation``'s message form.

=======  ====================================  ==================================================
chapter  check                                 the learner writes
=======  ====================================  ==================================================
1        :func:`check_pca_reconstruction`      ``pca_reconstruct(x, k)``
2        :func:`check_tied_dense`              ``tied_dense(codes, kernel, bias)``
3        :func:`check_train_step`              ``train_step(model, optimizer, images)``
4        :func:`check_noise_gain`              ``noise_gain(reconstruct, images, sigma, seed)``
5        :func:`check_kl_penalty`              ``kl_penalty(codes, rho)``
6        :func:`check_masking_noise`           ``masking_noise(images, fraction, seed)``
7        :func:`check_greedy_stage`            ``greedy_stage(inputs, units, seed)``
8        :func:`check_vae_loss`                ``vae_loss(images, logits, mean, log_var)``
9        :func:`check_roc_auc`                 ``roc_auc(normal_scores, anomaly_scores)``
10       :func:`check_topk_auxk`               ``topk_auxk(pre, k, dead, k_aux)``
=======  ====================================  ==================================================

Only chapters 3 and 7 need Keras (they build and train a tiny model); the others use NumPy
alone, so learners may answer with NumPy or with ``keras.ops``.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from ae_lib.validation import check_callable

__all__ = ["CheckResult", "ExerciseFailure", "check_pca_reconstruction", "check_tied_dense",
           "check_train_step", "check_noise_gain", "check_kl_penalty",
           "check_masking_noise", "check_greedy_stage", "check_vae_loss", "check_roc_auc",
           "check_topk_auxk"]

NOT_IMPLEMENTED = "not implemented yet"


class ExerciseFailure(AssertionError):
    """A learner's function gave a wrong answer; the message says what and hints why."""


class CheckResult:
    """What a check returns: true if the learner's function passed.

    Its verdict is already printed, so a notebook shows nothing more for it.

    Attributes
    ----------
    passed : bool
        Whether every test agreed with the reference.
    name : str
        The check's name, such as ``"check_kl_penalty"``.
    """

    def __init__(self, name, passed):
        self.name, self.passed = name, bool(passed)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"CheckResult(name={self.name!r}, passed={self.passed})"

    def _ipython_display_(self):
        """Display nothing: the check printed PASS or "not implemented yet"."""


class _NotImplemented(Exception):
    """The learner's function is still the stub."""


# ----------------------------------------------------------------------------- plumbing

def _exercise(what):
    """Wrap a check: validate the argument, report PASS / not implemented / FAIL."""
    def decorate(check):
        name = check.__name__
        argument = next(iter(inspect.signature(check).parameters))

        @functools.wraps(check)
        def run(function, *args, **kwargs):
            check_callable(function, argument,
                           fix=f"Pass your function itself, without calling it: "
                               f"{name}(your_function).")
            try:
                detail = check(function, *args, **kwargs)
            except _NotImplemented:
                print(f"{name}: {what} is {NOT_IMPLEMENTED}. Replace the `...` in your "
                      f"function with your code, then run this cell again.")
                return CheckResult(name, False)
            except ExerciseFailure as failure:
                raise ExerciseFailure(f"FAIL {name}: {failure}") from None
            print(f"PASS {name}: {what} agrees with the reference ({detail}).")
            return CheckResult(name, True)
        return run
    return decorate


def _call(function, *args, hint=""):
    """Call the learner's function; turn a stub into _NotImplemented, errors into FAIL."""
    try:
        result = function(*args)
    except NotImplementedError:
        raise _NotImplemented from None
    except ExerciseFailure:
        raise
    except Exception as error:  # the learner's code failed: say how, and hint
        text = f"your function raised {type(error).__name__}: {error}".strip()
        raise ExerciseFailure(f"{text}. {hint}".strip()) from None
    if result is None or result is Ellipsis:
        raise _NotImplemented
    return result


def _array(value, what):
    """A float64 NumPy array of the learner's result (NumPy, list or tensor)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ExerciseFailure(f"{what} should be an array of numbers; your function "
                              f"returned {type(value).__name__}.") from None
    return array


def _same_shape(result, expected, what, hint=""):
    if result.shape != expected.shape:
        raise ExerciseFailure(f"{what} has shape {result.shape}, expected "
                              f"{expected.shape}. {hint}".strip())


def _close(result, expected, rtol=1e-4, atol=1e-5):
    return result.shape == expected.shape and np.allclose(result, expected, rtol=rtol,
                                                          atol=atol)


def _fail(what, hint):
    raise ExerciseFailure(f"{what}. Hint: {hint}")


# ------------------------------------------------------------------ chapter 1: PCA

def _pca_reference(x, k):
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    basis = vt[:k].T
    return mean + (x - mean) @ basis @ basis.T


def _pca_data(seed, offset):
    rng = np.random.default_rng(seed)
    scales = np.array([3.0, 2.0, 1.2, 0.6, 0.3, 0.1])
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    return rng.normal(size=(200, 6)) * scales @ rotation + offset


@_exercise("your PCA reconstruction")
def check_pca_reconstruction(pca_reconstruct):
    """Check ``pca_reconstruct(x, k)``: the reconstruction of ``x`` from its top-k PCs.

    The learner's function receives a data matrix ``x`` (examples in rows) and a number of
    components ``k``, and returns the reconstruction of every row from the data's top
    ``k`` principal components, the subspace a linear autoencoder with a ``k``-number code
    learns (chapter 1). It is tested on 200 points in 6 dimensions, centred and not, for
    ``k`` = 1, 2 and 6.

    Parameters
    ----------
    pca_reconstruct : callable
        ``pca_reconstruct(x, k) -> array`` of the shape of ``x``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if it returns a wrong reconstruction.
    TypeError
        If ``pca_reconstruct`` is not callable.
    """
    hint = "It returns one reconstructed row per row of x, with as many columns as x."
    for k in (2, 1):
        centred = _pca_data(0, 0.0)
        centred -= centred.mean(axis=0)
        result = _array(_call(pca_reconstruct, centred.copy(), k, hint=hint),
                        "the reconstruction")
        expected = _pca_reference(centred, k)
        _same_shape(result, expected, f"the reconstruction for k={k}", hint)
        if not _close(result, expected):
            _fail(f"the reconstruction of centred data with k={k} differs from the "
                  f"reference (largest difference {np.abs(result - expected).max():.3g})",
                  "keep the k directions along which the data vary most, project each "
                  "row onto them and map the coordinates back to the data's space. "
                  "Check which singular vectors (or eigenvectors) you keep and along "
                  "which axis.")
    offset = _pca_data(1, np.linspace(2.0, 7.0, 6))
    for k in (2, 6):
        result = _array(_call(pca_reconstruct, offset.copy(), k, hint=hint),
                        "the reconstruction")
        expected = _pca_reference(offset, k)
        _same_shape(result, expected, f"the reconstruction for k={k}", hint)
        if not _close(result, expected):
            _fail(f"your reconstruction is right for data whose mean is zero but wrong "
                  f"for data with mean {offset.mean(axis=0).round(1)} (k={k})",
                  "the principal subspace passes through the data's mean, not through "
                  "the origin.")
    return "centred and off-centre data, k = 1, 2, 6"


# ------------------------------------------------------------ chapter 2: tied decoder

@_exercise("your tied decoder")
def check_tied_dense(tied_dense):
    """Check ``tied_dense(codes, kernel, bias)``: a tied autoencoder's decoder.

    The encoder of a tied pair computes ``codes = activation(x @ kernel + encoder_bias)``
    with ``kernel`` of shape ``(n_inputs, n_code)``. The learner's function returns the
    decoder's output before its activation, from the *same* kernel and the decoder's own
    bias of shape ``(n_inputs,)``. It is tested with a tall kernel (5 x 3) and a square one
    (4 x 4), where a transpose on the wrong axis gives the right shape but wrong values.

    Parameters
    ----------
    tied_dense : callable
        ``tied_dense(codes, kernel, bias) -> array`` of shape ``(batch, n_inputs)``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if the output is wrong.
    TypeError
        If ``tied_dense`` is not callable.
    """
    rng = np.random.default_rng(2)
    shape_hint = ("Hint: the encoder's kernel has shape (n_inputs, n_code); the decoder "
                  "must turn each code of n_code numbers into n_inputs numbers with that "
                  "same matrix.")
    for n_inputs, n_code in ((5, 3), (4, 4)):
        codes = rng.uniform(size=(7, n_code)).astype("float32")
        kernel = rng.normal(size=(n_inputs, n_code)).astype("float32")
        bias = rng.normal(size=n_inputs).astype("float32")
        result = _array(_call(tied_dense, codes, kernel, bias, hint=shape_hint),
                        "the decoder's output")
        expected = codes.astype(np.float64) @ kernel.T + bias
        _same_shape(result, expected, "the decoder's output", shape_hint)
        if _close(result, expected - bias):
            _fail("your output is the reference minus the decoder's bias",
                  "the decoder shares the encoder's weights, not its bias: it adds its "
                  "own.")
        if not _close(result, expected):
            if n_inputs == n_code:
                _fail("with a square kernel your output has the right shape but wrong "
                      "values", "a shape that fits is not enough: which index of the "
                      "encoder's kernel runs over the inputs, and which over the code?")
            _fail("your decoder's output differs from the reference",
                  "decode = code times the encoder's kernel, transposed, plus the "
                  "decoder's bias; no activation yet.")
    return "a tall and a square kernel"


# ----------------------------------------------------- chapter 3: a custom train step

def _tiny_model(keras):
    initializer = keras.initializers.GlorotUniform(seed=3)
    model = keras.Sequential([keras.Input((6,)),
                              keras.layers.Dense(3, activation="relu",
                                                 kernel_initializer=initializer,
                                                 bias_initializer="zeros"),
                              keras.layers.Dense(6, activation="sigmoid",
                                                 kernel_initializer=initializer,
                                                 bias_initializer="zeros")])
    return model


def _reference_step(model, images, learning_rate):
    import tensorflow as tf
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(images - model(images, training=True)))
    gradients = tape.gradient(loss, model.trainable_weights)
    for variable, gradient in zip(model.trainable_weights, gradients):
        variable.assign(variable - learning_rate * gradient)
    return float(loss)


@_exercise("your training step")
def check_train_step(train_step):
    """Check ``train_step(model, optimizer, images)``: one step of gradient descent.

    The learner's function computes the model's mean squared reconstruction error on one
    batch, its gradient with respect to the model's trainable weights, applies the
    gradient with the optimizer, and returns the loss *before* the step. It is run once on
    a 6-3-6 autoencoder with seeded weights and plain SGD (learning rate 0.5), and the
    weights after the step are compared with a reference step.

    Parameters
    ----------
    train_step : callable
        ``train_step(model, optimizer, images) -> loss`` (a scalar).

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if the loss or the updated weights are wrong.
    TypeError
        If ``train_step`` is not callable.
    """
    import keras
    rate = 0.5
    images = np.random.default_rng(3).uniform(size=(16, 6)).astype("float32")
    model, reference = _tiny_model(keras), _tiny_model(keras)
    reference.set_weights(model.get_weights())
    before = [w.copy() for w in model.get_weights()]
    expected_loss = _reference_step(reference, images, rate)
    loss = _call(train_step, model, keras.optimizers.SGD(learning_rate=rate), images,
                 hint="Hint: the loss is a function of the model's output on the batch; "
                      "take its gradient with respect to model.trainable_weights.")
    loss = _array(loss, "the loss")
    if loss.size != 1:
        _fail(f"your function returned {loss.size} numbers instead of one loss",
              "average the squared error over every image and every pixel of the batch.")
    moved = [w - b for w, b in zip(model.get_weights(), before)]
    wanted = [w - b for w, b in zip(reference.get_weights(), before)]
    moved_flat = np.concatenate([m.ravel() for m in moved])
    wanted_flat = np.concatenate([m.ravel() for m in wanted])
    if not np.any(moved_flat):
        _fail("the model's weights did not change", "a training step ends by applying "
              "the gradients to the trainable weights with the optimizer.")
    cosine = moved_flat @ wanted_flat / (np.linalg.norm(moved_flat)
                                         * np.linalg.norm(wanted_flat))
    if cosine < -0.99:
        _fail("your step moved the weights uphill, exactly against the reference step",
              "the optimizer already subtracts the gradient; give it the gradient of "
              "the loss you want to lower.")
    if cosine > 0.999 and not np.allclose(moved_flat, wanted_flat, rtol=1e-3, atol=1e-6):
        ratio = np.linalg.norm(moved_flat) / np.linalg.norm(wanted_flat)
        _fail(f"your step points the right way but is {ratio:.4g} times as long as the "
              f"reference step", "is your loss the mean squared error over the batch "
              "and the pixels, as the chapter compiles its model with, or a sum?")
    if not np.allclose(moved_flat, wanted_flat, rtol=1e-3, atol=1e-6):
        _fail("the weights after your step differ from the reference",
              "compute the loss from model(images) inside the gradient tape, then apply "
              "the gradients of every trainable weight.")
    if abs(float(loss.ravel()[0]) - expected_loss) > 1e-5 * max(1.0, expected_loss):
        _fail(f"your step returned the loss {float(loss.ravel()[0]):.6g} but the batch's "
              f"mean squared error before the step is {expected_loss:.6g}",
              "return the loss you differentiated, computed before the update.")
    return "loss and updated weights after one SGD step"


# ------------------------------------------------------ chapter 4: how much noise passes

def _gain(function, images, sigma, seed):
    noise = np.random.default_rng(seed).normal(scale=sigma, size=images.shape)
    change = function(images + noise) - function(images)
    return float(np.sum(change * noise) / np.sum(noise * noise))


@_exercise("your noise gain")
def check_noise_gain(noise_gain):
    """Check ``noise_gain(reconstruct, images, sigma, seed)``: how much noise a model copies.

    The learner's function adds seeded Gaussian noise of standard deviation ``sigma`` to
    ``images``, and returns the share of that noise found in the model's output: the
    change of ``reconstruct``'s output, projected on the noise, divided by the noise's
    squared length. A model that copies its input has a gain of 1; one that ignores it, 0.
    It is tested on five known models (identity, constant, halving, a projection onto a
    quarter of the pixels, clipping to [0, 1]) and for reproducibility.

    Parameters
    ----------
    noise_gain : callable
        ``noise_gain(reconstruct, images, sigma, seed) -> float``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if a gain is wrong or the result is not reproducible.
    TypeError
        If ``noise_gain`` is not callable.
    """
    images = np.random.default_rng(4).uniform(0.2, 0.8, size=(64, 64))
    keep = np.zeros(64)
    keep[:16] = 1.0
    models = {"the identity": (lambda x: x, 0.1),
              "a constant model": (lambda x: np.full_like(x, 0.5), 0.1),
              "a model that halves its input": (lambda x: 0.5 * x, 0.1),
              "a projection onto 16 of 64 pixels": (lambda x: x * keep, 0.1),
              "clipping to [0, 1] with small noise": (lambda x: np.clip(x, 0, 1), 0.05),
              "clipping to [0, 1] with large noise": (lambda x: np.clip(x, 0, 1), 1.0)}
    for name, (model, sigma) in models.items():
        gain = _array(_call(noise_gain, model, images.copy(), sigma, 5,
                            hint="Hint: reconstruct takes a batch of images and returns "
                                 "a batch of the same shape."), "the gain")
        if gain.size != 1:
            _fail(f"for {name} your function returned {gain.size} numbers",
                  "the gain is one number for the whole batch.")
        gain = float(gain.ravel()[0])
        expected = np.mean([_gain(model, images, sigma, seed) for seed in range(8)])
        if abs(gain - expected) > 0.05:
            hint = ("a gain measures how much of the noise comes through, not only "
                    "whether it points the same way." if name.endswith("halves its input")
                    else "did you add noise with the standard deviation sigma?"
                    if "clipping" in name else "compare the output for the noisy images "
                    "with the output for the clean ones, and project the difference on "
                    "the noise.")
            _fail(f"for {name} your gain is {gain:.3f}, expected about {expected:.3f}",
                  hint)
    twice = [float(np.ravel(_call(noise_gain, lambda x: np.clip(x, 0, 1), images, 1.0,
                                  seed))[0]) for seed in (7, 7)]
    if twice[0] != twice[1]:
        _fail("two calls with the same seed gave different gains",
              "draw the noise from a generator seeded with seed.")
    return "six models, and the same seed gives the same gain"


# ------------------------------------------------------------- chapter 5: KL penalty

def _kl(rho, rho_hat):
    return rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))


@_exercise("your KL sparsity penalty")
def check_kl_penalty(kl_penalty):
    """Check ``kl_penalty(codes, rho)``: the KL sparsity penalty of a batch of codes.

    With ``rho_hat[j]`` the mean activation of code unit ``j`` over the batch, the
    penalty is ``sum_j KL(rho || rho_hat[j])`` for Bernoulli distributions, one number per
    batch (chapter 5's penalty before its weight ``beta``). It is tested on sigmoid-like
    codes in (0, 1) of 32 examples and 10 units, for ``rho`` = 0.05 and 0.2, and on codes
    whose means equal ``rho`` exactly (penalty 0).

    Parameters
    ----------
    kl_penalty : callable
        ``kl_penalty(codes, rho) -> float``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if the penalty is wrong.
    TypeError
        If ``kl_penalty`` is not callable.
    """
    rng = np.random.default_rng(5)
    codes = rng.uniform(0.01, 0.6, size=(32, 10)).astype("float32")
    at_target = np.full((32, 10), 0.05, dtype="float32")
    for batch, rho in ((codes, 0.05), (codes, 0.2), (at_target, 0.05)):
        value = _array(_call(kl_penalty, batch.copy(), rho,
                             hint="Hint: codes has one row per example and one column "
                                  "per code unit."), "the penalty")
        if value.size != 1:
            _fail(f"your penalty has {value.size} numbers, not one",
                  "the penalty is one number for the batch: add up over the units.")
        value = float(value.ravel()[0])
        rho_hat = batch.astype(np.float64).mean(axis=0)
        expected = float(np.sum(_kl(rho, rho_hat)))
        if abs(value - expected) <= 1e-4 * max(1.0, abs(expected)):
            continue
        if value < -1e-6:
            _fail(f"your penalty is negative ({value:.4g})",
                  "a KL divergence is never negative; check the sign of each term.")
        swapped = float(np.sum(_kl(rho_hat, rho)))
        if abs(value - swapped) <= 1e-4 * max(1.0, abs(swapped)):
            _fail(f"for rho={rho} your penalty is {value:.4g}, expected {expected:.4g}",
                  "the KL divergence is not symmetric: which distribution is the target, "
                  "and which one is measured?")
        if abs(value * batch.shape[1] - expected) <= 1e-4 * max(1.0, expected):
            _fail(f"your penalty is the reference divided by the number of code units "
                  f"({batch.shape[1]})", "the penalty adds up over the units.")
        per_activation = float(np.sum(np.mean(_kl(rho, batch.astype(np.float64)),
                                              axis=0)))
        if abs(value - per_activation) <= 1e-4 * max(1.0, per_activation):
            _fail(f"for rho={rho} your penalty is {value:.4g}, expected {expected:.4g}",
                  "rho_hat is a unit's mean activation over the batch; the KL compares "
                  "that mean with rho, not each activation.")
        _fail(f"for rho={rho} your penalty is {value:.4g}, expected {expected:.4g}",
              "compare each unit's mean activation with rho through the KL divergence "
              "of two Bernoulli distributions.")
    return "rho = 0.05 and 0.2, and zero at the target"


# ------------------------------------------------------- chapter 6: masking corruption

@_exercise("your masking noise")
def check_masking_noise(masking_noise):
    """Check ``masking_noise(images, fraction, seed)``: masking corruption.

    The learner's function returns a copy of ``images`` in which a random ``fraction`` of
    each image's pixels is set to 0 and every other pixel keeps its value, drawn from a
    generator seeded with ``seed``. It is tested on 40 images of 16 x 16 pixels, for
    fractions 0, 0.25, 0.5 and 1: shape, untouched input, surviving values, the masked
    share, a different mask per image, and reproducibility.

    Parameters
    ----------
    masking_noise : callable
        ``masking_noise(images, fraction, seed) -> array`` of the shape of ``images``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if a property fails.
    TypeError
        If ``masking_noise`` is not callable.
    """
    images = np.random.default_rng(6).uniform(0.1, 1.0, size=(40, 16, 16))
    images = images.astype("float32")
    original = images.copy()
    hint = "Hint: return an array of the same shape as images."
    for fraction in (0.25, 0.5, 0.0, 1.0):
        noisy = _array(_call(masking_noise, images, fraction, 11, hint=hint),
                       "the corrupted images")
        if not np.array_equal(images, original):
            _fail("your function changed the images it was given",
                  "corrupt a copy; the clean images are the training targets.")
        _same_shape(noisy, original, "the corrupted images", hint)
        masked = noisy == 0
        kept = ~masked
        if not np.allclose(noisy[kept], original[kept], rtol=1e-6, atol=1e-7):
            _fail(f"at fraction {fraction}, pixels that were not set to 0 changed value",
                  "masking is not dropout: a pixel is either removed (0) or left exactly "
                  "as it was, with no rescaling and no added noise.")
        if 0 < fraction < 1:
            per_image = masked.reshape(len(masked), -1)
            if np.all(per_image == per_image[0]):
                _fail("every image got the same mask",
                      "draw a mask of the shape of the whole batch, not of one image.")
        share = float(masked.mean())
        if abs(share - fraction) > 0.03:
            _fail(f"at fraction {fraction}, {share:.1%} of the pixels were set to 0",
                  "fraction is the share of pixels to remove, not the share to keep.")
    first = _array(_call(masking_noise, images, 0.5, 3), "the corrupted images")
    again = _array(_call(masking_noise, images, 0.5, 3), "the corrupted images")
    other = _array(_call(masking_noise, images, 0.5, 4), "the corrupted images")
    if not np.array_equal(first, again):
        _fail("two calls with the same seed gave different masks",
              "draw the mask from a generator seeded with seed.")
    if np.array_equal(first, other):
        _fail("two different seeds gave the same mask", "use the seed you are given.")
    return "fractions 0, 0.25, 0.5, 1; survivors intact; seeded"


# ----------------------------------------------------- chapter 7: one greedy stage

#: A greedy stage must reconstruct its inputs with at most this share of the mean's error.
_TRAINED_STAGE_ERROR = 0.2


def _greedy_data():
    rng = np.random.default_rng(7)
    factors = rng.normal(size=(512, 3))
    mixing = rng.normal(scale=1.5, size=(3, 24))
    return (1.0 / (1.0 + np.exp(-factors @ mixing))).astype("float32")


@_exercise("your greedy stage")
def check_greedy_stage(greedy_stage):
    """Check ``greedy_stage(inputs, units, seed)``: one stage of greedy pretraining.

    The learner's function trains a one-hidden-layer autoencoder (``units`` code units) to
    reconstruct ``inputs``, and returns ``(encoder, decoder, codes)``: the two trained
    halves (callables such as Keras layers or models) and the encoder's output on
    ``inputs``, which the next stage trains on. It is tested on 512 synthetic inputs of
    24 features in (0, 1) with 3 underlying factors, ``units=8``; the codes must lie in
    [0, 1] (sigmoid units), and the stage must reconstruct the inputs with less than a fifth
    of the error of predicting each feature's mean. That is what a trained *encoder* buys:
    the exercise's recipe (Adam at 1e-2, 30 epochs of batches of 64) reaches about 5 % of
    the mean's error, while the same recipe with the encoder left at its random weights
    (only the decoder learns) reaches 49-65 % (seeds 0-3), and an untrained stage more
    than 100 %. (These data have 3 factors and the stage 8 units, so a random encoder
    with a decoder fitted far longer, or by least squares, could come close to a trained
    one: the check measures what the stage achieves within a few dozen epochs.)

    Parameters
    ----------
    greedy_stage : callable
        ``greedy_stage(inputs, units, seed) -> (encoder, decoder, codes)``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if the codes are not the encoder's output or not in [0, 1], or the
        stage did not learn.
    TypeError
        If ``greedy_stage`` is not callable.
    """
    inputs = _greedy_data()
    original = inputs.copy()
    result = _call(greedy_stage, inputs, 8, 0)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        _fail("your function should return three things, (encoder, decoder, codes)",
              "the next stage needs the codes; a deep network reuses the encoder.")
    encoder, decoder, codes = result
    codes = _array(codes, "codes")
    if codes.shape == inputs.shape:
        _fail(f"codes has the shape of the inputs, {inputs.shape}",
              "the next stage trains on what the encoder makes of the inputs, not on "
              "their reconstruction.")
    _same_shape(codes, np.zeros((512, 8)), "codes",
                "Hint: one code of `units` numbers per input.")
    try:
        encoded = _array(encoder(inputs), "encoder(inputs)")
        rebuilt = _array(decoder(encoder(inputs)), "decoder(encoder(inputs))")
    except ExerciseFailure:
        raise
    except Exception as error:
        _fail(f"calling your encoder or decoder failed ({type(error).__name__})",
              "return the trained halves as callables, e.g. Keras layers or models.")
    if not np.allclose(encoded, codes, atol=1e-4):
        _fail("codes differs from encoder(inputs)",
              "encode the inputs with the trained encoder after training.")
    if not np.array_equal(inputs, original):
        _fail("your stage changed its inputs", "train on them; do not modify them.")
    baseline = float(np.mean((original - original.mean(axis=0)) ** 2))
    error = float(np.mean((rebuilt - original) ** 2))
    if rebuilt.shape != original.shape or error > _TRAINED_STAGE_ERROR * baseline:
        _fail(f"the stage reconstructs its inputs with mean squared error {error:.4g}, "
              f"{error / baseline:.0%} of what predicting each feature's mean gives "
              f"({baseline:.4g}); a stage whose encoder is trained reaches about 5%, one "
              "whose encoder keeps its random weights about 50% or more",
              "train the encoder and the decoder together, to rebuild the inputs, "
              "before you encode them (a few dozen epochs are enough here).")
    if codes.min() < 0 or codes.max() > 1:
        _fail(f"codes run from {codes.min():.3g} to {codes.max():.3g}",
              "use sigmoid code units: the next stage's sigmoid decoder needs "
              "targets in [0, 1].")
    return f"codes of shape {codes.shape}, reconstruction error {error / baseline:.0%} " \
           f"of the mean's"


# --------------------------------------------------------------- chapter 8: VAE loss

def _bce_logits(images, logits):
    return np.maximum(logits, 0) - logits * images + np.log1p(np.exp(-np.abs(logits)))


def _vae_parts(images, logits, mean, log_var):
    axes = tuple(range(1, images.ndim))
    reconstruction = _bce_logits(images, logits).sum(axis=axes)
    kl = 0.5 * np.sum(mean ** 2 + np.exp(log_var) - 1.0 - log_var, axis=1)
    return reconstruction, kl


@_exercise("your VAE loss")
def check_vae_loss(vae_loss):
    """Check ``vae_loss(images, logits, mean, log_var)``: the negative ELBO per image.

    The learner's function returns one number: over the batch, the mean of the
    reconstruction term (Bernoulli cross-entropy of the decoder's ``logits`` against
    ``images``, *summed* over each image's pixels) plus the KL divergence of the encoder's
    Gaussian ``N(mean, exp(log_var))`` from the prior ``N(0, I)`` (summed over the code).
    It is tested on batches of flat and of 2-D images.

    Parameters
    ----------
    vae_loss : callable
        ``vae_loss(images, logits, mean, log_var) -> float``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if the loss is wrong.
    TypeError
        If ``vae_loss`` is not callable.
    """
    rng = np.random.default_rng(8)
    for image_shape in ((12,), (5, 5)):
        images = rng.uniform(size=(6, *image_shape)).astype("float32")
        logits = rng.normal(scale=2.0, size=images.shape).astype("float32")
        mean = rng.normal(size=(6, 3)).astype("float32")
        log_var = rng.normal(scale=0.5, size=(6, 3)).astype("float32")
        args = [a.astype(np.float64) for a in (images, logits, mean, log_var)]
        value = _array(_call(vae_loss, images, logits, mean, log_var,
                             hint="Hint: images and logits have the same shape; mean "
                                  "and log_var have one row per image."), "the loss")
        if value.size != 1:
            _fail(f"your loss has {value.size} numbers, not one",
                  "average over the batch the loss of each image.")
        value = float(value.ravel()[0])
        reconstruction, kl = _vae_parts(*args)
        expected = float(np.mean(reconstruction + kl))
        if abs(value - expected) <= 1e-4 * max(1.0, abs(expected)):
            continue
        pixels = int(np.prod(image_shape))
        if abs(value - np.mean(reconstruction / pixels + kl)) <= 1e-4 * expected:
            _fail(f"your loss is {value:.4g}, expected {expected:.4g}; your "
                  f"reconstruction term is {pixels} times too small",
                  "the log-likelihood of an image is a sum over its pixels, not a mean "
                  "(exercise 8.4).")
        if abs(value - np.mean(reconstruction - kl)) <= 1e-4 * expected:
            _fail(f"your loss is {value:.4g}, expected {expected:.4g}",
                  "the loss is the negative ELBO: check the sign of the KL term.")
        log_sigma_kl = 0.5 * np.sum(args[2] ** 2 + np.exp(2 * args[3]) - 1 - 2 * args[3],
                                    axis=1)
        if abs(value - np.mean(reconstruction + log_sigma_kl)) <= 1e-4 * expected:
            _fail(f"your loss is {value:.4g}, expected {expected:.4g}",
                  "log_var is the logarithm of the variance, not of the standard "
                  "deviation.")
        if abs(value - np.mean(reconstruction)) <= 1e-4 * expected:
            _fail(f"your loss is {value:.4g}, expected {expected:.4g}",
                  "the loss has two terms; yours has only the reconstruction.")
        _fail(f"for images of shape {image_shape} your loss is {value:.4g}, expected "
              f"{expected:.4g}", "the decoder returns logits, not probabilities: use a "
              "cross-entropy that takes logits, sum it over the pixels, add the KL term "
              "and average over the batch.")
    return "flat and 2-D images"


# -------------------------------------------------------------- chapter 9: ROC AUC

def _auc(normal, anomalous):
    difference = anomalous[:, None] - normal[None, :]
    return float(np.mean(difference > 0) + 0.5 * np.mean(difference == 0))


@_exercise("your ROC AUC")
def check_roc_auc(roc_auc):
    """Check ``roc_auc(normal_scores, anomaly_scores)``: ROC AUC of anomaly scores.

    The learner's function returns the area under the ROC curve of a score (a
    reconstruction error, say) that should be higher for anomalies: the probability that
    a random anomaly scores higher than a random normal example, ties counting one half.
    It is tested on overlapping, separated, reversed and tied scores.

    Parameters
    ----------
    roc_auc : callable
        ``roc_auc(normal_scores, anomaly_scores) -> float``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if an AUC is wrong.
    TypeError
        If ``roc_auc`` is not callable.
    """
    rng = np.random.default_rng(9)
    cases = {"overlapping scores": (rng.gamma(2.0, 1.0, 60), rng.gamma(3.0, 1.0, 40)),
             "perfectly separated scores": (rng.uniform(0, 1, 30), rng.uniform(2, 3, 20)),
             "scores that rank anomalies lowest": (rng.uniform(2, 3, 25),
                                                   rng.uniform(0, 1, 15)),
             "tied scores (rounded errors)": (rng.integers(0, 4, 50).astype(float),
                                              rng.integers(1, 5, 30).astype(float))}
    for name, (normal, anomalous) in cases.items():
        value = _array(_call(roc_auc, normal.copy(), anomalous.copy(),
                             hint="Hint: the two arguments are 1-D arrays of different "
                                  "lengths."), "the AUC")
        if value.size != 1:
            _fail(f"your AUC has {value.size} numbers", "the AUC is one number.")
        value = float(value.ravel()[0])
        expected = _auc(normal, anomalous)
        if abs(value - expected) <= 1e-6:
            continue
        if abs(value - (1 - expected)) <= 1e-6:
            _fail(f"for {name} your AUC is {value:.4f}, expected {expected:.4f}",
                  "higher scores mean 'more anomalous': which set should score higher?")
        if name.startswith("tied"):
            _fail(f"for {name} your AUC is {value:.4f}, expected {expected:.4f}",
                  "your AUC is right until two scores are equal: how should a tie "
                  "between an anomaly and a normal example count?")
        _fail(f"for {name} your AUC is {value:.4f}, expected {expected:.4f}",
              "the AUC needs no threshold: it compares every anomaly with every "
              "normal example.")
    return "overlapping, separated, reversed and tied scores"


# --------------------------------------------------------- chapter 10: TopK with AuxK

def _top_k_relu(pre, k):
    keep = np.argsort(-pre, axis=1, kind="stable")[:, :k]
    rows = np.arange(len(pre))[:, None]
    out = np.zeros_like(pre)
    out[rows, keep] = np.maximum(pre[rows, keep], 0.0)
    return out


@_exercise("your TopK with AuxK")
def check_topk_auxk(topk_auxk):
    """Check ``topk_auxk(pre, k, dead, k_aux)``: TopK codes and AuxK's auxiliary codes.

    For pre-activations ``pre`` (one row per input, one column per latent), the learner's
    function returns ``(z, z_aux)``: ``z`` keeps each row's ``k`` largest pre-activations
    through a ReLU and zeroes the rest (TopK); ``z_aux`` does the same with the ``k_aux``
    largest among the *dead* latents only (``dead`` is a boolean mask, one entry per
    latent), every live latent zero (AuxK, chapter 10). Tested on 8 x 12 pre-activations
    with no ties.

    Parameters
    ----------
    topk_auxk : callable
        ``topk_auxk(pre, k, dead, k_aux) -> (z, z_aux)``.

    Returns
    -------
    CheckResult
        True if it passes, false if it is not implemented yet.

    Raises
    ------
    ExerciseFailure
        With a hint, if ``z`` or ``z_aux`` is wrong.
    TypeError
        If ``topk_auxk`` is not callable.
    """
    rng = np.random.default_rng(10)
    pre = rng.permutation(np.linspace(-1.5, 2.5, 96)).reshape(8, 12).astype("float32")
    dead = np.zeros(12, dtype=bool)
    dead[[1, 4, 5, 8, 9, 11]] = True
    for k, k_aux in ((3, 2), (5, 4)):
        result = _call(topk_auxk, pre.copy(), k, dead.copy(), k_aux,
                       hint="Hint: dead is a boolean array with one entry per latent "
                            "(column of pre).")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            _fail("your function should return two arrays, (z, z_aux)",
                  "the TopK codes and the auxiliary codes of the dead latents.")
        z, z_aux = (_array(part, name) for part, name in zip(result, ("z", "z_aux")))
        expected = _top_k_relu(pre.astype(np.float64), k)
        _same_shape(z, expected, "z", "Hint: one code per row of pre.")
        if not _close(z, expected):
            counts = (z != 0).sum(axis=1)
            if (z < 0).any():
                _fail("z has negative entries", "TopK keeps its entries through a ReLU.")
            if counts.max() > k:
                _fail(f"with k={k}, some rows of z have {counts.max()} non-zero entries",
                      "keep at most k entries per row.")
            if (expected != 0).sum(axis=1).max() > counts.max():
                _fail(f"with k={k}, z keeps fewer latents per row than it should",
                      "every row keeps its k largest pre-activations that are positive.")
            _fail(f"with k={k}, z keeps the wrong latents",
                  "keep the k *largest* pre-activations of each row, at their values.")
        masked = np.where(dead, pre.astype(np.float64), -np.inf)
        expected_aux = np.where(np.isfinite(masked), _top_k_relu(masked, k_aux), 0.0)
        expected_aux = np.nan_to_num(expected_aux)
        _same_shape(z_aux, expected_aux, "z_aux", "Hint: one code per row of pre.")
        if not _close(z_aux, expected_aux):
            if (z_aux[:, ~dead] != 0).any():
                _fail("z_aux fires latents that are alive",
                      "AuxK chooses only among the dead latents; the live ones are "
                      "already reconstructing.")
            _fail(f"with k_aux={k_aux}, z_aux keeps the wrong dead latents",
                  "among the dead latents only, keep the k_aux largest pre-activations "
                  "(through a ReLU).")
    return "two (k, k_aux) pairs"
