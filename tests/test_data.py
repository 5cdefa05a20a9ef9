"""ae_lib.data on the real Fashion-MNIST files: contract, subsets, search order, integrity."""

from __future__ import annotations

import gzip
import os
import shutil

import numpy as np
import pytest

from ae_lib import data


def _check_contract(split, n, side):
    images, labels = split
    assert images.shape == (n, side, side)
    assert images.dtype == np.float32
    assert labels.shape == (n,)
    assert labels.dtype == np.int64
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert set(np.unique(labels)) <= set(range(10))


def test_full_fashion_mnist_has_the_published_sizes_dtypes_and_ranges():
    train, test = data.load_fashion_mnist(download=False)
    _check_contract(train, 60_000, 28)
    _check_contract(test, 10_000, 28)
    assert np.bincount(train[1]).tolist() == [6000] * 10
    assert np.bincount(test[1]).tolist() == [1000] * 10
    # Real images: the pixel range is used and the first training image is an ankle boot.
    assert train[0].max() == 1.0 and train[0].min() == 0.0
    assert data.FASHION_MNIST_CLASSES[train[1][0]] == "Ankle boot"
    assert 0.27 < train[0].mean() < 0.30  # the data set's published mean pixel is 0.286


def test_subsets_are_class_balanced_seeded_and_shuffled():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist(1000, 205, seed=3, download=False)
    _check_contract((x_train, y_train), 1000, 28)
    assert np.bincount(y_train).tolist() == [100] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [21] * 5 + [20] * 5
    assert len(set(y_train[:20].tolist())) > 3  # shuffled, not sorted by class
    (again, again_labels), _ = data.load_fashion_mnist(1000, seed=3, download=False)
    np.testing.assert_array_equal(again, x_train)
    np.testing.assert_array_equal(again_labels, y_train)
    (other, _), _ = data.load_fashion_mnist(1000, seed=4, download=False)
    assert not np.array_equal(other, x_train)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-5, ValueError),
                                        (60_001, ValueError), (2.5, TypeError),
                                        (True, TypeError), ("100", TypeError)])
def test_bad_subset_sizes_are_refused_with_the_valid_range(bad, error):
    with pytest.raises(error, match="n_train must be an integer from 1 to 60000"):
        data.load_fashion_mnist(n_train=bad, download=False)


def test_balanced_subset_says_when_a_class_is_too_small():
    images = np.zeros((12, 2))
    labels = np.array([0] * 10 + [1] * 2)
    with pytest.raises(ValueError, match="n must be at most 4 .*Class 1 has only 2 examples"):
        data.balanced_subset(images, labels, 8)


def test_an_explicit_path_is_used_and_only_it(fashion_copy, isolated_sources):
    (x_train, _), _ = data.load_fashion_mnist(10, path=fashion_copy)
    assert x_train.shape == (10, 28, 28)
    (fashion_copy / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.DataNotFoundError, match="lacks: t10k-labels-idx1-ubyte.gz") as error:
        data.load_fashion_mnist(path=fashion_copy)
    assert str(fashion_copy) in str(error.value)


def test_the_environment_variable_names_the_folder(fashion_copy, isolated_sources, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, str(fashion_copy))
    assert data.find_fashion_mnist() == fashion_copy
    # Prove the variable's folder is really read: corrupt it and see the error name it.
    (fashion_copy / "train-labels-idx1-ubyte.gz").write_bytes(b"not gzip")
    with pytest.raises(data.DataIntegrityError, match="train-labels-idx1-ubyte.gz"):
        data.load_fashion_mnist()


def test_search_order_prefers_the_debian_package_then_the_keras_cache(
        fashion_copy, isolated_sources, monkeypatch, tmp_path):
    cache = isolated_sources / "datasets" / "fashion-mnist"
    shutil.copytree(fashion_copy, cache)
    assert data.find_fashion_mnist(download=False) == cache
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", fashion_copy)
    assert data.find_fashion_mnist(download=False) == fashion_copy


def test_a_truncated_file_is_an_error_naming_the_file(fashion_copy):
    target = fashion_copy / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:100_000])
    with pytest.raises(data.DataIntegrityError, match="train-images-idx3-ubyte.gz.*truncated"):
        data.load_fashion_mnist(path=fashion_copy)


def test_a_valid_gzip_with_other_pixels_fails_the_checksum(fashion_copy):
    target = fashion_copy / "t10k-images-idx3-ubyte.gz"
    payload = bytearray(gzip.decompress(target.read_bytes()))
    payload[5000] ^= 0xFF  # one altered pixel
    target.write_bytes(gzip.compress(bytes(payload)))
    with pytest.raises(data.DataIntegrityError, match="t10k-images-idx3-ubyte.gz.*published checksum"):
        data.load_fashion_mnist(path=fashion_copy)


def test_a_regzipped_copy_of_the_right_data_is_accepted(fashion_copy):
    target = fashion_copy / "t10k-labels-idx1-ubyte.gz"
    original = gzip.decompress(target.read_bytes())
    target.write_bytes(gzip.compress(original, compresslevel=1, mtime=0))
    _, (_, y_test) = data.load_fashion_mnist(path=fashion_copy)
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_offline_without_a_copy_gives_one_error_with_both_ways_to_get_it(isolated_sources):
    with pytest.raises(data.DataNotFoundError) as error:
        data.load_fashion_mnist()
    message = str(error.value)
    assert "could not be downloaded" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "online" in message and "Looked in" in message


@pytest.mark.parametrize("switch_off", ["argument", "environment"])
def test_downloading_can_be_switched_off(isolated_sources, monkeypatch, switch_off):
    kwargs = {"download": False} if switch_off == "argument" else {}
    if switch_off == "environment":
        monkeypatch.setenv(data.OFFLINE_ENV_VAR, "1")
    with pytest.raises(data.DataNotFoundError, match="downloading is switched off"):
        data.load_fashion_mnist(**kwargs)


def test_download_fills_the_keras_cache_with_verified_files(
        fashion_copy, isolated_sources, local_server, monkeypatch):
    monkeypatch.setattr(data, "DOWNLOAD_URL", local_server(fashion_copy))
    (x_train, _), _ = data.load_fashion_mnist(50)
    assert x_train.shape == (50, 28, 28)
    cache = isolated_sources / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        spec.name for spec in data._FASHION_FILES.values())


def test_a_corrupt_download_is_rejected_and_not_kept(
        fashion_copy, isolated_sources, local_server, monkeypatch):
    (fashion_copy / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"wrong"))
    monkeypatch.setattr(data, "DOWNLOAD_URL", local_server(fashion_copy))
    with pytest.raises(data.DataIntegrityError, match="train-labels-idx1-ubyte.gz"):
        data.load_fashion_mnist()
    cache = isolated_sources / "datasets" / "fashion-mnist"
    assert not (cache / "train-labels-idx1-ubyte.gz").exists()
    assert not list(cache.glob("*.part"))


def test_mnist_offline_gives_the_same_kind_of_clear_error(isolated_sources):
    with pytest.raises(data.DataNotFoundError, match="MNIST was not found") as error:
        data.load_mnist()
    assert "mnist.npz" in str(error.value) and "AE_LIB_DATA" in str(error.value)


def test_mnist_file_with_a_wrong_checksum_is_refused(tmp_path):
    fake = tmp_path / "mnist.npz"
    np.savez(fake, x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    with pytest.raises(data.DataIntegrityError, match="mnist.npz"):
        data.load_mnist(path=tmp_path)


def test_digits_8x8_are_split_per_class_and_scaled():
    (x_train, y_train), (x_test, y_test) = data.load_digits_8x8(test_fraction=0.2, seed=1)
    _check_contract((x_train, y_train), len(x_train), 8)
    _check_contract((x_test, y_test), len(x_test), 8)
    assert len(x_train) + len(x_test) == 1797
    assert x_train.max() == 1.0
    share = np.bincount(y_test) / np.bincount(np.concatenate([y_train, y_test]))
    assert np.all(np.abs(share - 0.2) < 0.02)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan")])
def test_digits_8x8_refuse_an_impossible_split(bad):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        data.load_digits_8x8(test_fraction=bad)


# ------------------------------------------------------------------ fault injection

def _flip_a_byte_keeping_size_and_time_stamp(path, offset):
    stat = path.stat()
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.parametrize("name, offset", [("train-images-idx3-ubyte.gz", 5_000_000),
                                          ("t10k-labels-idx1-ubyte.gz", -20)])
def test_a_flipped_byte_is_an_error_naming_the_file(fashion_copy, name, offset):
    target = fashion_copy / name
    _flip_a_byte_keeping_size_and_time_stamp(target, offset % target.stat().st_size)
    with pytest.raises(data.DataIntegrityError, match=name):
        data.load_fashion_mnist(path=fashion_copy)


def test_the_wrong_file_under_the_right_name_is_refused(fashion_copy):
    # A valid gzipped IDX file, but the test labels where the training labels should be.
    shutil.copy(fashion_copy / "t10k-labels-idx1-ubyte.gz",
                fashion_copy / "train-labels-idx1-ubyte.gz")
    with pytest.raises(data.DataIntegrityError,
                       match="train-labels-idx1-ubyte.gz.*published checksum"):
        data.load_fashion_mnist(path=fashion_copy)


def test_a_file_corrupted_after_a_first_load_is_noticed_despite_the_cache(fashion_copy,
                                                                          monkeypatch):
    first, _ = data.load_fashion_mnist(path=fashion_copy)
    verified = []
    real_verify = data._verify_idx_file
    monkeypatch.setattr(data, "_verify_idx_file",
                        lambda path, spec: verified.append(path.name) or real_verify(path, spec))
    again, _ = data.load_fashion_mnist(path=fashion_copy)
    assert verified == [] and np.array_equal(again[1], first[1])  # served from the cache
    # Same size, same time stamp, one byte changed: the cache must not serve it.
    _flip_a_byte_keeping_size_and_time_stamp(fashion_copy / "train-labels-idx1-ubyte.gz", 30)
    with pytest.raises(data.DataIntegrityError, match="train-labels-idx1-ubyte.gz"):
        data.load_fashion_mnist(path=fashion_copy)
    assert "train-labels-idx1-ubyte.gz" in verified


def test_the_cached_arrays_cannot_be_changed_by_a_caller(fashion_copy):
    (x_train, y_train), _ = data.load_fashion_mnist(path=fashion_copy)
    x_train[:] = 0
    y_train[:] = 0
    (again, labels), _ = data.load_fashion_mnist(path=fashion_copy)
    assert again.max() == 1.0 and labels.max() == 9


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "on", "ON", " yes "])
def test_offline_values_switch_downloading_off(isolated_sources, monkeypatch, value):
    monkeypatch.setenv(data.OFFLINE_ENV_VAR, value)
    assert data.offline()
    with pytest.raises(data.DataNotFoundError, match="downloading is switched off"):
        data.load_fashion_mnist()


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_online_values_leave_downloading_on(isolated_sources, monkeypatch, value):
    monkeypatch.setenv(data.OFFLINE_ENV_VAR, value)
    assert not data.offline()
    with pytest.raises(data.DataNotFoundError, match="could not be downloaded"):
        data.load_fashion_mnist()


def test_an_unknown_offline_value_is_an_error_not_a_download(isolated_sources, monkeypatch):
    monkeypatch.setenv(data.OFFLINE_ENV_VAR, "offline please")
    with pytest.raises(ValueError, match="AE_LIB_OFFLINE must be 1, true, yes or on"):
        data.load_fashion_mnist()


def test_a_subset_without_a_seed_is_refused_rather_than_random():
    with pytest.raises(TypeError, match="seed must be an integer.*None would draw"):
        data.load_fashion_mnist(n_train=100, seed=None, download=False)
    (first, _), _ = data.load_fashion_mnist(n_train=100, seed=np.int64(5), download=False)
    (second, _), _ = data.load_fashion_mnist(n_train=100, seed=5, download=False)
    np.testing.assert_array_equal(first, second)
