"""ae_lib.codes: neighbours, k-NN accuracy, retrieval precision and t-SNE maps, against
brute force, scikit-learn and hand-made examples."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from ae_lib.codes import (knn_accuracy, mean_by_class, nearest_neighbours, precision_at_k,
                          tsne_map)

RNG = np.random.default_rng(0)


def _brute_force(queries, database, k):
    distances = np.linalg.norm(queries[:, None, :] - database[None, :, :], axis=2)
    order = np.argsort(distances, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(distances, order, axis=1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nearest_neighbours_match_brute_force_across_batches(dtype):
    database = RNG.normal(size=(300, 7)).astype(dtype)
    queries = RNG.normal(size=(45, 7)).astype(dtype)
    indices, distances = nearest_neighbours(queries, database, 5, batch_size=16)
    expected_indices, expected = _brute_force(queries.astype(np.float64),
                                              database.astype(np.float64), 5)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected, rtol=1e-4 if dtype == np.float32 else 1e-9)
    assert indices.dtype == np.int64 and distances.dtype == np.float64


def test_images_are_flattened_and_exclude_self_skips_the_query_itself():
    images = RNG.uniform(size=(20, 4, 4)).astype(np.float32)
    with_self, zero = nearest_neighbours(images, images, 1)
    np.testing.assert_array_equal(with_self[:, 0], np.arange(20))
    np.testing.assert_allclose(zero[:, 0], 0.0, atol=1e-3)
    without, distances = nearest_neighbours(images, images, 3, exclude_self=True)
    assert not np.any(without == np.arange(20)[:, None])
    flat = images.reshape(20, -1).astype(np.float64)
    full, _ = _brute_force(flat, flat, 4)
    np.testing.assert_array_equal(without, full[:, 1:])
    assert np.all(distances > 0)


def test_neighbour_errors_name_the_argument_and_the_fix():
    database = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"queries must be examples with as many features "
                                         r"as database's \(3\)"):
        nearest_neighbours(np.zeros((2, 4)), database, 1)
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to 5\. Received: k=6"):
        nearest_neighbours(np.zeros((2, 3)), database, 6)
    with pytest.raises(ValueError, match=r"from 1 to 4\. Received: k=5"):
        nearest_neighbours(database, database, 5, exclude_self=True)
    with pytest.raises(ValueError, match=r"queries must be the database itself \(5 rows\)"):
        nearest_neighbours(np.zeros((2, 3)), database, 1, exclude_self=True)
    with pytest.raises(ValueError, match=r"queries must be an array with at least 2 axes.*"
                                         r"x\[None\]"):
        nearest_neighbours(np.zeros(3), database, 1)
    with pytest.raises(ValueError, match="queries must be finite"):
        nearest_neighbours(np.full((1, 3), np.nan), database, 1)
    with pytest.raises(TypeError, match="k must be an integer"):
        nearest_neighbours(database, database, True)
    with pytest.raises(TypeError, match="exclude_self must be True or False"):
        nearest_neighbours(database, database, 1, exclude_self="yes")


def test_knn_accuracy_agrees_with_scikit_learn_on_separated_classes():
    centres = RNG.normal(scale=4.0, size=(4, 10))
    labels = RNG.integers(0, 4, size=400)
    points = centres[labels] + RNG.normal(size=(400, 10))
    ours = knn_accuracy(points[:300], labels[:300], points[300:], labels[300:], k=5)
    reference = KNeighborsClassifier(5, algorithm="brute").fit(points[:300], labels[:300])
    assert ours == pytest.approx(reference.score(points[300:], labels[300:]))
    assert 0.8 < ours <= 1.0


def test_knn_accuracy_on_a_hand_made_case_with_a_tie():
    train = np.array([[0.0], [1.0], [10.0], [11.0]])
    labels = np.array([0, 0, 1, 1])
    test = np.array([[0.4], [10.6], [4.0]])
    # The third point's two nearest are 1.0 (class 0) and 0.0 (class 0): class 0.
    assert knn_accuracy(train, labels, test, np.array([0, 1, 0]), k=2) == 1.0
    # A tie, one neighbour of each class: the nearer one's class wins.
    assert knn_accuracy(np.array([[0.0], [3.0]]), np.array([1, 0]), np.array([[1.0]]),
                        np.array([1]), k=2) == 1.0
    assert knn_accuracy(np.array([[0.0], [3.0]]), np.array([1, 0]), np.array([[2.0]]),
                        np.array([0]), k=2) == 1.0
    with pytest.raises(TypeError, match="test_labels must be an array of integer class"):
        knn_accuracy(train, labels, test, np.array([0.0, 1.0, 0.0]))
    with pytest.raises(ValueError, match=r"train_labels must be one label per example \(4"):
        knn_accuracy(train, labels[:3], test, np.array([0, 1, 0]))


def test_precision_at_k_and_mean_by_class_by_hand():
    database = np.array([[0.0], [0.1], [0.2], [5.0], [5.1]])
    database_labels = np.array([0, 0, 1, 1, 1])
    queries = np.array([[0.05], [5.05]])
    precision = precision_at_k(queries, np.array([0, 1]), database, database_labels, k=3)
    # Query 0's three nearest: 0.0, 0.1 (class 0) and 0.2 (class 1) -> 2/3.
    # Query 1's: 5.0, 5.1 (class 1) and 0.2 (class 1) -> 1.
    np.testing.assert_allclose(precision, [2 / 3, 1.0])
    np.testing.assert_allclose(mean_by_class([0.5, 1.0, 0.0], [1, 1, 0]), [0.0, 0.75])
    by_class = mean_by_class([1.0], [0], n_classes=3)
    assert by_class[0] == 1.0 and np.isnan(by_class[1:]).all()
    with pytest.raises(ValueError, match=r"n_classes must be more than the largest label "
                                         r"\(2\)\. Received: n_classes=2"):
        mean_by_class([1.0, 1.0], [0, 2], n_classes=2)
    with pytest.raises(ValueError, match=r"values must be an array with 1 axes of shape \(n,\)"):
        mean_by_class(np.ones((2, 2)), [0, 1])


def test_tsne_map_keeps_separated_clusters_apart_and_repeats_with_a_seed():
    centres = np.array([[0.0] * 5, [20.0] * 5])
    labels = np.repeat([0, 1], 60)
    points = centres[labels] + RNG.normal(size=(120, 5))
    first = tsne_map(points, seed=3, perplexity=10, n_iter=300)
    assert first.shape == (120, 2) and first.dtype == np.float32
    np.testing.assert_allclose(first, tsne_map(points, seed=3, perplexity=10, n_iter=300))
    # Every point is nearer its own cluster's centre on the map than the other's.
    means = np.stack([first[labels == c].mean(axis=0) for c in (0, 1)])
    nearest = np.linalg.norm(first[:, None] - means[None], axis=2).argmin(axis=1)
    np.testing.assert_array_equal(nearest, labels)
    with pytest.raises(ValueError, match=r"perplexity must be less than a third of the "
                                         r"number of examples \(50\)"):
        tsne_map(points[:50], perplexity=30)
    with pytest.raises(ValueError, match="n_iter must be an integer of at least 250"):
        tsne_map(points, perplexity=10, n_iter=100)
    with pytest.raises(TypeError, match="seed must be an integer"):
        tsne_map(points, seed=None)
