"""ae_lib.anomaly: AUC, thresholds and detection rates by hand and against scikit-learn;
the nearest-neighbour baseline; digits put on a Fashion-MNIST canvas."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from ae_lib.anomaly import (centred_on_canvas, detection_rates, nearest_neighbour_distance,
                            roc_auc, roc_auc_by_class, threshold_at_false_alarm_rate)
from ae_lib.data import load_digits_8x8

RNG = np.random.default_rng(0)


def test_roc_auc_is_the_chance_that_an_anomaly_outscores_a_normal_example():
    normal, anomalous = np.array([0.1, 0.4, 0.35]), np.array([0.8, 0.3])
    # Pairs won by the anomaly: 0.8 beats all three, 0.3 beats 0.1 only -> 4 of 6.
    assert roc_auc(normal, anomalous) == pytest.approx(4 / 6)
    assert roc_auc([0.0, 0.0], [0.0]) == pytest.approx(0.5)  # ties count one half
    assert roc_auc([1.0, 2.0], [0.0]) == 0.0
    normal, anomalous = RNG.normal(size=200), RNG.normal(1.0, size=150)
    expected = roc_auc_score(np.r_[np.zeros(200), np.ones(150)], np.r_[normal, anomalous])
    assert roc_auc(normal, anomalous) == pytest.approx(expected)


def test_roc_auc_by_class_scores_each_other_class_against_the_normal_one():
    labels = np.array([0, 0, 1, 1, 2, 2])
    scores = np.array([0.1, 0.2, 0.9, 0.8, 0.15, 0.05])
    result = roc_auc_by_class(scores, labels, normal_class=0)
    assert list(result) == [1, 2]
    assert result[1] == 1.0 and result[2] == pytest.approx(0.25)
    with pytest.raises(ValueError, match=r"normal_class must be a class that occurs in "
                                         r"labels \(\[0, 1, 2\]\)\. Received: normal_class=5"):
        roc_auc_by_class(scores, labels, 5)
    with pytest.raises(ValueError, match=r"labels must be one label per score \(6 of them\)"):
        roc_auc_by_class(scores, labels[:-1], 0)
    with pytest.raises(ValueError, match="labels must be at least one class besides"):
        roc_auc_by_class(scores[:2], labels[:2], 0)


def test_a_validation_threshold_keeps_its_false_alarm_rate_on_new_normal_data():
    validation, test = RNG.normal(size=5_000), RNG.normal(size=5_000)
    threshold = threshold_at_false_alarm_rate(validation, 0.05)
    assert threshold == pytest.approx(1.645, abs=0.06)  # the normal's 95th percentile
    rates = detection_rates(threshold, test, RNG.normal(3.0, size=1_000))
    assert rates["false_alarm_rate"] == pytest.approx(0.05, abs=0.01)
    assert rates["recall"] == pytest.approx(0.909, abs=0.03)  # P(N(3,1) > 1.645)
    for bad, error in ((0, ValueError), (1, ValueError), (1.5, ValueError),
                       (True, TypeError), ("5%", TypeError)):
        with pytest.raises(error, match=r"rate must be a number in \(0, 1\)"):
            threshold_at_false_alarm_rate(validation, bad)


def test_detection_rates_by_hand_and_when_nothing_is_flagged():
    rates = detection_rates(0.5, [0.1, 0.6, 0.2, 0.3], [0.7, 0.9, 0.4])
    assert rates == {"recall": pytest.approx(2 / 3), "false_alarm_rate": 0.25,
                     "precision": pytest.approx(2 / 3)}
    assert np.isnan(detection_rates(5.0, [0.1], [0.2])["precision"])
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        detection_rates(np.nan, [0.1], [0.2])
    with pytest.raises(ValueError, match="anomaly_scores must be a non-empty batch"):
        detection_rates(0.5, [0.1], [])
    with pytest.raises(ValueError, match=r"normal_scores must be an array with 1 axes"):
        detection_rates(0.5, [[0.1]], [0.2])


def test_nearest_neighbour_distance_by_hand():
    reference = np.zeros((3, 2, 2))
    reference[1] = 1.0
    images = np.stack([np.full((2, 2), 0.5), np.full((2, 2), 1.0), np.full((2, 2), 3.0)])
    # Distances to the all-zeros and all-ones images: sqrt(4 * d^2) = 2 d.
    np.testing.assert_allclose(nearest_neighbour_distance(images, reference), [1.0, 0.0, 4.0])


def test_digits_are_resized_and_centred_like_mnist():
    (digits, _), _ = load_digits_8x8()
    placed = centred_on_canvas(digits[:10])
    assert placed.shape == (10, 28, 28) and placed.dtype == np.float32
    assert placed.min() >= 0.0 and placed.max() <= 1.0
    # A 4-pixel black border, the digit inside the central 20 x 20.
    assert not placed[:, :4].any() and not placed[:, 24:].any()
    assert not placed[:, :, :4].any() and not placed[:, :, 24:].any()
    # Bilinear resizing keeps the mean grey level of the digit roughly.
    inner = placed[:, 4:24, 4:24].mean(axis=(1, 2))
    np.testing.assert_allclose(inner, digits[:10].mean(axis=(1, 2)), rtol=0.15)
    square = centred_on_canvas(np.ones((1, 2, 2)), size=4, canvas=6)
    assert square[0, 1:5, 1:5].min() > 0.2 and square[0, 0].max() == 0.0


def test_centred_on_canvas_errors():
    with pytest.raises(ValueError, match=r"images must be an array with 3 axes"):
        centred_on_canvas(np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"images must have values in \[0, 1\]"):
        centred_on_canvas(np.full((1, 8, 8), 16.0))
    with pytest.raises(ValueError, match=r"size must be an integer from 1 to 28\. Received: "
                                         r"size=30\. The resized image has to fit"):
        centred_on_canvas(np.zeros((1, 8, 8)), size=30)
