"""ae_lib.batching: the tf.data pipelines hold the data once and cover every example."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ae_lib.batching import labelled_batches, reconstruction_batches
from ae_lib.repro import set_seed


def test_reconstruction_batches_pair_each_batch_with_itself_and_cover_every_image():
    set_seed(0)
    images = np.arange(10, dtype=np.float32).reshape(10, 1, 1)
    epochs = [[(x.numpy(), y.numpy()) for x, y in reconstruction_batches(images, 4)]
              for _ in range(2)]
    dataset = reconstruction_batches(images, 4)
    first, second = ([x for pair in list(dataset) for x in pair[0].numpy().ravel()],
                     [x for pair in list(dataset) for x in pair[0].numpy().ravel()])
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert first != second  # a new order every epoch
    for x, y in epochs[0]:
        np.testing.assert_array_equal(x, y)
    assert [len(x) for x, _ in epochs[0]] == [4, 4, 2]
    ordered = [x.numpy().ravel().tolist()
               for x, _ in reconstruction_batches(images, 5, shuffle=False)]
    assert ordered == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_reconstruction_batches_take_a_tensor_and_numpy_batch_sizes():
    tensor = tf.constant(np.arange(6, dtype=np.float32).reshape(6, 1))
    batches = [x.numpy().ravel().tolist() for x, _ in
               reconstruction_batches(tensor, np.int64(4), shuffle=False)]
    assert batches == [[0, 1, 2, 3], [4, 5]]


def test_labelled_batches_keep_each_image_with_its_label_in_a_new_order_each_epoch():
    images = np.arange(50, dtype=np.float32).reshape(50, 1, 1).repeat(4, axis=1)
    labels = np.arange(50) % 7
    dataset = labelled_batches(images, labels, 16)
    epochs = [[(x.numpy(), y.numpy()) for x, y in dataset] for _ in range(2)]
    assert [len(y) for _, y in epochs[0]] == [16, 16, 16, 2]
    for x, y in epochs[0]:
        np.testing.assert_array_equal(x[:, 0, 0].astype(int) % 7, y)
    orders = [np.concatenate([x[:, 0, 0] for x, _ in epoch]) for epoch in epochs]
    assert sorted(orders[0]) == list(range(50)) and not np.array_equal(*orders)
    with pytest.raises(ValueError, match=r"labels must be one label per image \(50 of them\)"):
        labelled_batches(images, labels[:-1], 16)


def test_centred_data_pass_but_non_finite_or_empty_data_do_not():
    centred = np.linspace(-1, 1, 12, dtype=np.float32).reshape(6, 2)
    assert sum(len(x) for x, _ in reconstruction_batches(centred, 4)) == 6
    with pytest.raises(ValueError, match="images must be finite"):
        reconstruction_batches(np.full((4, 2), np.nan, np.float32), 2)
    with pytest.raises(ValueError, match="images must be finite"):
        reconstruction_batches(tf.constant([[np.inf]]), 2)
    with pytest.raises(ValueError, match="images must be a non-empty batch"):
        reconstruction_batches(np.zeros((0, 2), np.float32), 2)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        reconstruction_batches(centred, 0)
    with pytest.raises(TypeError, match="labels must be an array of integer class indices"):
        labelled_batches(centred, np.zeros(6), 2)
