"""Anomaly scores and how to judge them: ROC AUC, a threshold set on validation data,
precision and recall at that threshold, a nearest-neighbour baseline, and images from
elsewhere to probe a detector with.

A score is a number per image, higher meaning "more unusual" (a reconstruction error,
say). The functions here never train anything; they judge scores that a model gives.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import zoom
from sklearn.metrics import roc_auc_score

from ae_lib.codes import nearest_neighbours
from ae_lib.validation import (check_array, check_images, check_int, check_labels,
                               check_number, check_positive_int, fail)


def roc_auc(normal_scores, anomaly_scores):
    """Area under the ROC curve of a score that should be higher for anomalies.

    It is the probability that a randomly drawn anomaly scores higher than a randomly
    drawn normal example (ties count one half): 1 separates them perfectly, 0.5 is
    chance, below 0.5 the score ranks them the wrong way round. It needs no threshold.

    Parameters
    ----------
    normal_scores, anomaly_scores : array_like
        One score per example, each set non-empty.

    Returns
    -------
    float
    """
    normal = _scores(normal_scores, "normal_scores")
    anomalous = _scores(anomaly_scores, "anomaly_scores")
    truth = np.concatenate([np.zeros(len(normal)), np.ones(len(anomalous))])
    return float(roc_auc_score(truth, np.concatenate([normal, anomalous])))


def roc_auc_by_class(scores, labels, normal_class):
    """ROC AUC of each other class against the normal class.

    Parameters
    ----------
    scores : array_like
        Shape (n,), one score per example.
    labels : array_like of int
        Shape (n,), the class of each example.
    normal_class : int
        The class the detector was trained on; it must be present in ``labels``.

    Returns
    -------
    dict of int to float
        Other class -> the AUC of its examples against the normal class's, in the
        order of the classes.
    """
    scores = _scores(scores, "scores")
    labels = check_labels(labels, "labels", length=len(scores), per="score")
    normal_class = check_int(normal_class, "normal_class", low=0)
    classes = np.unique(labels)
    if normal_class not in classes:
        fail(ValueError, "normal_class", f"a class that occurs in labels "
             f"({classes.tolist()})", normal_class)
    if len(classes) < 2:
        fail(ValueError, "labels", "at least one class besides the normal one", labels)
    normal = scores[labels == normal_class]
    return {int(c): roc_auc(normal, scores[labels == c]) for c in classes if c != normal_class}


def threshold_at_false_alarm_rate(normal_scores, rate):
    """The score above which only a share ``rate`` of normal examples fall.

    Set it on **validation** images of the normal class, never on the test set: a
    threshold chosen by looking at the test set makes the test set's precision and
    recall a description of the choice, not an estimate for new data.

    Parameters
    ----------
    normal_scores : array_like
        Scores of normal examples the detector was not trained on.
    rate : float
        The share of normal examples to flag, strictly between 0 and 1 (0.05: one in
        twenty false alarms).

    Returns
    -------
    float
        Flag an example when its score is strictly above this value.
    """
    normal = _scores(normal_scores, "normal_scores")
    rate = check_number(rate, "rate", low=0.0, high=1.0, low_open=True, high_open=True,
                        fix="Pass the share of normal examples to flag, such as 0.05.")
    return float(np.quantile(normal, 1.0 - rate))


def detection_rates(threshold, normal_scores, anomaly_scores):
    """What flagging every score above ``threshold`` does to normal and anomalous examples.

    Parameters
    ----------
    threshold : float
    normal_scores, anomaly_scores : array_like
        One score per example.

    Returns
    -------
    dict
        ``"recall"``: the share of anomalies flagged; ``"false_alarm_rate"``: the share of
        normal examples flagged; ``"precision"``: the share of flagged examples that are
        anomalies (NaN when nothing is flagged). Precision depends on how common anomalies
        are in the sets given; recall and the false-alarm rate do not.
    """
    threshold = check_number(threshold, "threshold")
    normal = _scores(normal_scores, "normal_scores")
    anomalous = _scores(anomaly_scores, "anomaly_scores")
    true_alarms = int(np.sum(anomalous > threshold))
    false_alarms = int(np.sum(normal > threshold))
    flagged = true_alarms + false_alarms
    return {"recall": true_alarms / len(anomalous),
            "false_alarm_rate": false_alarms / len(normal),
            "precision": true_alarms / flagged if flagged else float("nan")}


def nearest_neighbour_distance(images, reference, *, batch_size=1024):
    """Each image's Euclidean distance to its nearest image in ``reference``.

    The simplest anomaly score and the baseline any detector must beat: an image far from
    every normal training image is unusual. No model, no training.

    Parameters
    ----------
    images : array_like
        Shape (n, ...).
    reference : array_like
        Shape (m, ...): normal examples (the detector's training images).
    batch_size : int, default 1024

    Returns
    -------
    np.ndarray
        Shape (n,), float64.
    """
    images = check_array(images, "images", min_ndim=2)
    reference = check_array(reference, "reference", min_ndim=2)
    batch_size = check_positive_int(batch_size, "batch_size")
    _, distances = nearest_neighbours(images, reference, 1, batch_size=batch_size)
    return distances[:, 0]


def centred_on_canvas(images, size=20, canvas=28):
    """Resize small images to ``size x size`` (bilinear) and centre them on a black canvas.

    MNIST's digits were scaled to fit 20 x 20 pixels and centred in 28 x 28; this puts
    scikit-learn's 8 x 8 digits (``ae_lib.data.load_digits_8x8``) in the same frame as
    Fashion-MNIST, to probe a Fashion-MNIST model with them.

    Parameters
    ----------
    images : array_like
        Shape (n, height, width), values in [0, 1].
    size : int, default 20
        Side of the resized image, at most ``canvas``.
    canvas : int, default 28

    Returns
    -------
    np.ndarray
        Shape (n, canvas, canvas), float32, values in [0, 1].
    """
    images = check_images(images, "images", ndim=3)
    canvas = check_positive_int(canvas, "canvas")
    size = check_int(size, "size", low=1, high=canvas,
                     fix="The resized image has to fit on the canvas.")
    height, width = images.shape[1:]
    resized = zoom(images, (1, size / height, size / width), order=1, grid_mode=True,
                   mode="grid-constant")
    out = np.zeros((len(images), canvas, canvas), dtype=np.float32)
    top = (canvas - size) // 2
    out[:, top:top + size, top:top + size] = np.clip(resized[:, :size, :size], 0.0, 1.0)
    return out


def _scores(values, name):
    """One finite score per example, as a float64 array of shape (n,)."""
    return check_array(values, name, ndim=1, dtype=np.float64,
                       shape_hint="(n,), one score per example")
