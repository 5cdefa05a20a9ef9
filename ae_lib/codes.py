"""What codes are for: nearest neighbours, k-nearest-neighbour accuracy, retrieval
precision and 2-D maps.

Every function takes features as rows (an image is flattened to its pixels, a code is
used as it is), so the same call measures raw pixels, PCA coordinates and an
autoencoder's codes, and the three can be compared side by side. Distances are
Euclidean.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

from ae_lib.validation import (check_array, check_bool, check_int, check_labels,
                               check_positive_int, check_positive_number, check_seed, fail)


def nearest_neighbours(queries, database, k, *, exclude_self=False, batch_size=1024):
    """The ``k`` nearest database rows of each query, nearest first (Euclidean distance).

    Parameters
    ----------
    queries : array_like
        Shape (n, ...): one example per row; anything after the first axis is flattened.
    database : array_like
        Shape (m, ...), the same number of features per example as ``queries``.
    k : int
        How many neighbours, from 1 to m (m - 1 with ``exclude_self``).
    exclude_self : bool, default False
        The queries *are* the database (row i of both is the same example): skip row i
        among query i's neighbours, so an example is not its own nearest neighbour.
    batch_size : int, default 1024
        Queries handled at once (memory: ``batch_size * m`` distances).

    Returns
    -------
    indices : np.ndarray
        Shape (n, k), int64: rows of ``database``, nearest first.
    distances : np.ndarray
        Shape (n, k), float64, the matching Euclidean distances.

    Notes
    -----
    float32 features are compared in float32 (twice as fast as float64; rounding then
    limits how finely nearly tied neighbours are ordered), anything else in float64.
    """
    queries = _features(queries, "queries")
    database = _features(database, "database")
    if queries.dtype != database.dtype:
        queries, database = queries.astype(np.float64), database.astype(np.float64)
    if queries.shape[1] != database.shape[1]:
        fail(ValueError, "queries", f"examples with as many features as database's "
             f"({database.shape[1]})", queries, "Pass the two sets in the same space (both "
             "pixels, or both codes of the same encoder).")
    exclude_self = check_bool(exclude_self, "exclude_self")
    if exclude_self and len(queries) != len(database):
        fail(ValueError, "queries", f"the database itself ({len(database)} rows) when "
             "exclude_self=True", queries)
    available = len(database) - (1 if exclude_self else 0)
    if available < 1:
        fail(ValueError, "database", "at least two examples when exclude_self=True", database)
    k = check_int(k, "k", low=1, high=available,
                  fix="Ask for no more neighbours than the database has.")
    batch_size = check_positive_int(batch_size, "batch_size")
    database_norms = np.einsum("ij,ij->i", database, database)
    indices = np.empty((len(queries), k), dtype=np.int64)
    distances = np.empty((len(queries), k), dtype=np.float64)
    for start in range(0, len(queries), batch_size):
        block = queries[start:start + batch_size]
        # |q - d|^2 = |q|^2 - 2 q.d + |d|^2: one matrix product per block.
        squared = (np.einsum("ij,ij->i", block, block)[:, None] - 2 * (block @ database.T)
                   + database_norms[None, :])
        np.maximum(squared, 0.0, out=squared)
        if exclude_self:
            rows = np.arange(len(block))
            squared[rows, start + rows] = np.inf
        nearest = np.argpartition(squared, k - 1, axis=1)[:, :k]
        nearest_squared = np.take_along_axis(squared, nearest, axis=1)
        order = np.argsort(nearest_squared, axis=1, kind="stable")
        indices[start:start + len(block)] = np.take_along_axis(nearest, order, axis=1)
        distances[start:start + len(block)] = np.sqrt(
            np.take_along_axis(nearest_squared, order, axis=1), dtype=np.float64)
    return indices, distances


def knn_accuracy(train_features, train_labels, test_features, test_labels, *, k=5):
    """Accuracy of a k-nearest-neighbour classifier: the majority label of each test
    example's ``k`` nearest training examples.

    No training and no parameters: the accuracy says how well distances in that space
    follow the classes. A tie between classes goes to the class whose tied neighbours
    are nearer.

    Parameters
    ----------
    train_features, test_features : array_like
        Shapes (N, ...) and (M, ...), in the same space.
    train_labels, test_labels : array_like of int
        Class indices from 0, one per example.
    k : int, default 5

    Returns
    -------
    float
        The fraction of test examples whose majority label is their own.
    """
    train_features = _features(train_features, "train_features")
    test_features = _features(test_features, "test_features")
    train_labels = check_labels(train_labels, "train_labels", length=len(train_features))
    test_labels = check_labels(test_labels, "test_labels", length=len(test_features))
    k = check_positive_int(k, "k")
    neighbours, _ = nearest_neighbours(test_features, train_features, k)
    votes = np.zeros((len(test_labels), int(train_labels.max()) + 1))
    rows = np.arange(len(test_labels))
    for rank in range(neighbours.shape[1]):
        # One vote each; a nearer neighbour adds a little more, which only breaks ties.
        votes[rows, train_labels[neighbours[:, rank]]] += 1.0 + (k - rank) / (k * k + 1.0)
    return float(np.mean(votes.argmax(axis=1) == test_labels))


def precision_at_k(query_features, query_labels, database_features, database_labels, *,
                   k=10, exclude_self=False):
    """Retrieval precision: for each query, the share of its ``k`` nearest database
    examples that have the query's label.

    Parameters
    ----------
    query_features, database_features : array_like
        Shapes (n, ...) and (m, ...), in the same space.
    query_labels, database_labels : array_like of int
        One label per example.
    k : int, default 10
    exclude_self : bool, default False
        The queries are the database: a query does not retrieve itself.

    Returns
    -------
    np.ndarray
        Shape (n,): each query's precision at ``k``, in [0, 1]. Average it by class with
        :func:`mean_by_class`.
    """
    query_features = _features(query_features, "query_features")
    database_features = _features(database_features, "database_features")
    query_labels = check_labels(query_labels, "query_labels", length=len(query_features))
    database_labels = check_labels(database_labels, "database_labels",
                                   length=len(database_features))
    neighbours, _ = nearest_neighbours(query_features, database_features, k,
                                       exclude_self=exclude_self)
    return np.mean(database_labels[neighbours] == query_labels[:, None], axis=1)


def mean_by_class(values, labels, n_classes=None):
    """The mean of ``values`` over the examples of each class.

    Parameters
    ----------
    values : array_like
        Shape (n,), one number per example (a precision, say).
    labels : array_like of int
        Shape (n,), class indices from 0.
    n_classes : int, optional
        How many classes; by default the largest label plus one.

    Returns
    -------
    np.ndarray
        Shape (n_classes,); NaN for a class without examples.
    """
    values = check_array(values, "values", ndim=1, finite=False, dtype=np.float64,
                         shape_hint="(n,), one number per example")
    labels = check_labels(labels, "labels", length=len(values))
    if n_classes is None:
        n_classes = int(labels.max()) + 1
    n_classes = check_positive_int(n_classes, "n_classes")
    if labels.max() >= n_classes:
        fail(ValueError, "n_classes", f"more than the largest label ({labels.max()})",
             n_classes, "Pass a larger n_classes, or leave it out.")
    sums = np.bincount(labels, values, minlength=n_classes)
    counts = np.bincount(labels, minlength=n_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def tsne_map(features, *, seed=0, perplexity=30.0, n_iter=500):
    """A 2-D t-SNE map of the examples (scikit-learn), for looking at, not for measuring.

    t-SNE places examples that are near neighbours in ``features`` near each other on
    the page; distances between far-apart groups and the sizes of groups mean little.
    The map starts from the first two principal components, so that a seed gives the
    same map each time. It runs on one thread.

    Parameters
    ----------
    features : array_like
        Shape (n, ...), at least ``3 * perplexity + 1`` examples. Cost grows like
        n log n: a thousand or two examples take a second or two.
    seed : int, default 0
    perplexity : float, default 30.0
        Roughly, how many neighbours each point keeps close.
    n_iter : int, default 500
        Optimisation steps, at least 250 (the first 250 are the "early exaggeration").

    Returns
    -------
    np.ndarray
        Shape (n, 2), float32.
    """
    matrix = _features(features, "features")
    seed = check_seed(seed)
    perplexity = check_positive_number(perplexity, "perplexity")
    if len(matrix) <= 3 * perplexity:
        fail(ValueError, "perplexity", f"less than a third of the number of examples "
             f"({len(matrix)})", perplexity, "Pass more examples or a smaller perplexity.")
    n_iter = check_int(n_iter, "n_iter", low=250,
                       fix="scikit-learn runs at least 250 steps.")
    # scikit-learn 1.5 renamed n_iter to max_iter (and 1.7 removed the old name).
    steps = ("max_iter" if "max_iter" in inspect.signature(TSNE).parameters
             else "n_iter")
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                **{steps: n_iter})
    # One OpenMP thread: the optimisation syncs its threads at every step, and on a busy
    # machine a second thread that waits its turn costs far more than it saves.
    with threadpool_limits(limits=1, user_api="openmp"):
        return tsne.fit_transform(matrix).astype(np.float32)


# ----------------------------------------------------------------------------- checks

def _features(array, name):
    """Examples as rows of a float matrix (float32 stays float32, anything else becomes
    float64), after checking they are a finite, non-empty batch."""
    array = check_array(array, name, min_ndim=2,
                        shape_hint="(n, ...), one example per row; for one example, "
                                   "pass x[None]")
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    return array.reshape(len(array), -1).astype(dtype, copy=False)
