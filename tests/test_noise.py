"""ae_lib.noise: each corruption has the right statistics, is seeded, clipped and validated,
and works on NumPy arrays and inside tf.data pipelines."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ae_lib.noise import NOISE_KINDS, corrupt, noisy_batches

GREY = np.full((64, 28, 28), 0.5, dtype=np.float32)


def test_gaussian_noise_has_the_requested_spread_and_stays_in_range():
    noisy = corrupt(GREY, "gaussian", 0.1, seed=3)
    assert noisy.shape == GREY.shape and noisy.dtype == np.float32
    # At 0.5 a sigma of 0.1 is clipped almost never: the spread is sigma itself.
    assert abs(float((noisy - GREY).std()) - 0.1) < 0.003
    assert abs(float((noisy - GREY).mean())) < 0.003
    strong = corrupt(GREY, "gaussian", 1.0, seed=3)
    assert strong.min() == 0.0 and strong.max() == 1.0


def test_masking_zeroes_the_requested_fraction_and_keeps_the_rest():
    noisy = corrupt(GREY, "masking", 0.25, seed=1)
    zeroed = noisy == 0.0
    assert abs(zeroed.mean() - 0.25) < 0.01
    np.testing.assert_array_equal(noisy[~zeroed], 0.5)


def test_salt_and_pepper_sets_half_the_chosen_pixels_to_each_extreme():
    noisy = corrupt(GREY, "salt_and_pepper", 0.4, seed=2)
    assert abs((noisy == 0.0).mean() - 0.2) < 0.01
    assert abs((noisy == 1.0).mean() - 0.2) < 0.01
    assert ((noisy == 0.5) | (noisy == 0.0) | (noisy == 1.0)).all()


@pytest.mark.parametrize("kind", sorted(NOISE_KINDS))
def test_the_same_seed_gives_the_same_noise_and_level_zero_changes_nothing(kind):
    first = corrupt(GREY, kind, 0.3, seed=5)
    np.testing.assert_array_equal(first, corrupt(GREY, kind, 0.3, seed=5))
    assert not np.array_equal(first, corrupt(GREY, kind, 0.3, seed=6))
    np.testing.assert_array_equal(corrupt(GREY, kind, 0.0, seed=5), GREY)


@pytest.mark.parametrize("kind, level, error", [
    ("gaussian", 1.5, ValueError), ("masking", -0.1, ValueError),
    ("salt_and_pepper", 2, ValueError), ("gaussian", "0.1", TypeError),
    ("masking", True, TypeError), ("masking", float("nan"), ValueError)])
def test_a_level_outside_zero_to_one_is_refused_with_its_meaning(kind, level, error):
    with pytest.raises(error, match=f"level must be a number from 0 to 1 for {kind} noise"):
        corrupt(GREY, kind, level)


def test_numpy_levels_and_seeds_are_accepted():
    np.testing.assert_array_equal(corrupt(GREY, "masking", np.float32(0.25), seed=np.int64(1)),
                                  corrupt(GREY, "masking", 0.25, seed=1))


def test_unknown_kinds_unscaled_images_and_bad_seeds_are_refused_clearly():
    with pytest.raises(ValueError, match="kind must be one of.*gaussian.*'speckle'"):
        corrupt(GREY, "speckle", 0.1)
    with pytest.raises(ValueError, match="divide by 255"):
        corrupt(GREY * 255, "gaussian", 0.1)
    with pytest.raises(ValueError, match="seed must be an integer from 0 to"):
        corrupt(GREY, "gaussian", 0.1, seed=-1)


def test_corruptions_work_on_tensors_inside_a_tf_data_pipeline():
    dataset = tf.data.Dataset.from_tensor_slices(GREY).batch(16)
    seeds = tf.data.Dataset.from_tensor_slices(tf.constant([[1, 2]] * 4, dtype=tf.int64))
    noisy = tf.data.Dataset.zip(dataset, seeds).map(
        lambda batch, seed: corrupt(batch, "masking", 0.5, seed=seed))
    batches = [batch.numpy() for batch in noisy]
    assert [b.shape for b in batches] == [(16, 28, 28)] * 4
    assert all(abs((b == 0).mean() - 0.5) < 0.05 for b in batches)
    # One stateless seed, one noise pattern: the same for every batch here.
    np.testing.assert_array_equal(batches[0], batches[3])


def test_noisy_batches_pair_noisy_inputs_with_clean_targets_and_renew_the_noise_each_epoch():
    images = np.random.default_rng(0).uniform(size=(40, 28, 28)).astype(np.float32)
    dataset = noisy_batches(images, 20, "gaussian", 0.2, seed=4, shuffle=False)
    epoch_1 = [(x.numpy(), y.numpy()) for x, y in dataset]
    epoch_2 = [(x.numpy(), y.numpy()) for x, y in dataset]
    assert len(epoch_1) == 2
    for (noisy, clean), start in zip(epoch_1, (0, 20)):
        np.testing.assert_array_equal(clean, images[start:start + 20])
        assert 0.1 < float(np.abs(noisy - clean).mean()) < 0.2
        assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert not np.array_equal(epoch_1[0][0], epoch_2[0][0]), "the noise must be fresh"
    np.testing.assert_array_equal(epoch_1[0][1], epoch_2[0][1])
    again = [x.numpy() for x, _ in noisy_batches(images, 20, "gaussian", 0.2, seed=4,
                                                  shuffle=False)]
    np.testing.assert_array_equal(again[0], epoch_1[0][0])


def test_noisy_batches_check_the_level_before_building_anything():
    with pytest.raises(ValueError, match="for masking noise"):
        noisy_batches(GREY, 8, "masking", 1.2)
