"""Load the course's image data sets as float32 arrays in [0, 1].

Fashion-MNIST is found before it is downloaded. The search order is:

1. the ``path=`` argument;
2. the folder named by the ``AE_LIB_DATA`` environment variable;
3. ``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist`` package);
4. the Keras cache (``$KERAS_HOME/datasets/fashion-mnist``, by default ``~/.keras/...``);
5. a download into the Keras cache.

Every file is verified before use, so a truncated or corrupted copy is an error and
never garbage pixels. The verified arrays are kept in memory for the next call, keyed on
each file's size, time stamp and CRC-32: a file changed since, even one byte with the same
size and time stamp, is verified again (the CRC costs about 20 ms for the four files,
against about 1.3 s for a full verification of Debian's re-gzipped copies).

Setting the environment variable ``AE_LIB_OFFLINE`` to ``1``, ``true``, ``yes`` or ``on``
(in any case) switches downloading off, like ``download=False``; ``0``, ``false``, ``no``,
``off`` or an empty value leave it on, and any other value is an error.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae_lib.validation import (check_bool, check_int, check_labels, check_number,
                               check_path, check_seed, fail)

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
# The mirror keras.datasets uses; it serves the same files as Zalando's original release.
DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DATA_ENV_VAR = "AE_LIB_DATA"
OFFLINE_ENV_VAR = "AE_LIB_OFFLINE"
_OFFLINE_VALUES = {"1": True, "true": True, "yes": True, "on": True,
                   "": False, "0": False, "false": False, "no": False, "off": False}


class DataNotFoundError(FileNotFoundError):
    """No copy of a data set was found and none could be downloaded."""


class DataIntegrityError(ValueError):
    """A data file exists but is truncated, corrupted or not the expected file."""


@dataclass(frozen=True)
class _IdxFile:
    """One gzipped IDX file of an MNIST-style data set and the checksums it must match."""

    name: str
    gz_md5: str          # published by Zalando for the original .gz file
    payload_sha256: str  # of the decompressed bytes: stable when a packager re-gzips the file


# The MD5 sums are those Zalando publishes for the .gz files. Debian's package re-gzips
# the same data (strip-nondeterminism drops the embedded file name and time stamp), so
# its .gz files have other MD5s; their decompressed payloads match the SHA-256 below.
_FASHION_FILES = {
    ("train", "images"): _IdxFile(
        "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    ("train", "labels"): _IdxFile(
        "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    ("test", "images"): _IdxFile(
        "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    ("test", "labels"): _IdxFile(
        "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
}
_MNIST_NPZ = "mnist.npz"
# The SHA-256 keras.datasets.mnist checks its download against.
_MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

_FASHION_HOW_TO_GET = (
    "Get it in one of two ways:\n"
    "  * offline, on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
    "    (it installs the files in /usr/share/datasets/fashion-mnist);\n"
    "  * online: run load_fashion_mnist() again with internet access (it downloads to the\n"
    "    Keras cache), or fetch the four .gz files from\n"
    "    https://github.com/zalandoresearch/fashion-mnist and pass path=... or set AE_LIB_DATA."
)
_MNIST_HOW_TO_GET = (
    "Get it in one of two ways:\n"
    "  * online: run load_mnist() again with internet access (it downloads mnist.npz to the\n"
    "    Keras cache);\n"
    "  * offline: copy mnist.npz from a machine that has it (~/.keras/datasets/mnist.npz after\n"
    "    keras.datasets.mnist.load_data()) into a folder and pass path=... or set AE_LIB_DATA.\n"
    "Debian has no MNIST package; load_fashion_mnist() works offline with\n"
    "sudo apt-get install dataset-fashion-mnist."
)


# --------------------------------------------------------------------------- public API

def load_fashion_mnist(n_train=None, n_test=None, *, seed=0, path=None, download=True):
    """Load Fashion-MNIST as float32 images in [0, 1] and integer labels.

    Parameters
    ----------
    n_train, n_test : int, optional
        Size of a seeded, class-balanced random subset of the training / test split.
        ``None`` (the default) returns the whole split (60,000 / 10,000 images).
    seed : int, default 0
        Seed of the subset selection, from 0 to 2**32 - 1 (``None`` is refused: it would
        give another subset on every call).
    path : str or Path, optional
        A folder holding the four ``*-ubyte.gz`` files. When given, only this folder is used.
    download : bool, default True
        Download into the Keras cache when no local copy is found. Setting the environment
        variable ``AE_LIB_OFFLINE`` to 1, true, yes or on (any case) has the same effect
        as ``download=False``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        Images of shape (N, 28, 28), dtype float32, values in [0, 1]; labels of shape (N,),
        dtype int64, values 0-9 (names in ``FASHION_MNIST_CLASSES``).

    Raises
    ------
    DataNotFoundError
        No copy was found and none could be downloaded; the message says how to get one.
    DataIntegrityError
        A file is truncated or corrupted; the message names it.
    """
    n_train, n_test, seed = _check_subset_arguments(n_train, n_test, seed, 60_000, 10_000)
    folder = find_fashion_mnist(path=path, download=download)
    x_train, y_train = _load_idx_split(str(folder), "train", _content_key(folder, "train"))
    x_test, y_test = _load_idx_split(str(folder), "test", _content_key(folder, "test"))
    return _finish(x_train, y_train, x_test, y_test, n_train, n_test, seed)


def find_fashion_mnist(path=None, download=True):
    """Return the folder holding Fashion-MNIST, following the module's search order.

    Parameters
    ----------
    path : str or Path, optional
        An explicit folder; when given, nothing else is searched.
    download : bool, default True
        Whether to download into the Keras cache as a last resort.

    Returns
    -------
    pathlib.Path
        A folder that holds all four files.
    """
    check_path(path)
    download = check_bool(download, "download")
    names = [spec.name for spec in _FASHION_FILES.values()]
    explicit = _explicit_folder(path)
    if explicit is not None:
        return _require_files(explicit, names, "Fashion-MNIST", _FASHION_HOW_TO_GET)
    candidates = [DEBIAN_FASHION_MNIST_DIR, _keras_cache_dir("fashion-mnist")]
    for folder in candidates:
        if all((folder / name).is_file() for name in names):
            return folder
    looked_in = "\n".join(f"  - {folder}" for folder in candidates)
    if not _download_allowed(download):
        raise DataNotFoundError(
            f"Fashion-MNIST was not found and downloading is switched off.\n"
            f"Looked in:\n{looked_in}\n{_FASHION_HOW_TO_GET}")
    cache = _keras_cache_dir("fashion-mnist")
    try:
        for spec in _FASHION_FILES.values():
            if not (cache / spec.name).is_file():
                _download(DOWNLOAD_URL + spec.name, cache / spec.name, _verify_idx_file, spec)
    except (urllib.error.URLError, OSError) as exc:
        raise DataNotFoundError(
            f"Fashion-MNIST was not found on this machine and could not be downloaded "
            f"({exc}).\nLooked in:\n{looked_in}\n{_FASHION_HOW_TO_GET}") from exc
    return cache


def load_mnist(n_train=None, n_test=None, *, seed=0, path=None, download=True):
    """Load the MNIST digits with the same contract as :func:`load_fashion_mnist`.

    The file is ``mnist.npz`` as ``keras.datasets.mnist`` stores it. It is searched for in
    ``path`` (exclusively, when given), ``$AE_LIB_DATA``, the Keras cache, and only then
    downloaded. There is no Debian package for MNIST.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        Images (N, 28, 28) float32 in [0, 1]; labels (N,) int64 in 0-9.
    """
    n_train, n_test, seed = _check_subset_arguments(n_train, n_test, seed, 60_000, 10_000)
    check_path(path)
    download = check_bool(download, "download")
    explicit = _explicit_folder(path)
    if explicit is not None:
        npz_path = _require_files(explicit, [_MNIST_NPZ], "MNIST", _MNIST_HOW_TO_GET) / _MNIST_NPZ
    else:
        npz_path = _keras_cache_dir("") / _MNIST_NPZ
        if not npz_path.is_file():
            if not _download_allowed(download):
                raise DataNotFoundError(
                    f"MNIST was not found at {npz_path} and downloading is switched off.\n"
                    f"{_MNIST_HOW_TO_GET}")
            try:
                _download(DOWNLOAD_URL + _MNIST_NPZ, npz_path, _verify_npz_file, None)
            except (urllib.error.URLError, OSError) as exc:
                raise DataNotFoundError(
                    f"MNIST was not found at {npz_path} and could not be downloaded ({exc}).\n"
                    f"{_MNIST_HOW_TO_GET}") from exc
    _verify_npz_file(npz_path, None)
    with np.load(npz_path, allow_pickle=False) as arrays:
        x_train, y_train = arrays["x_train"], arrays["y_train"]
        x_test, y_test = arrays["x_test"], arrays["y_test"]
    return _finish(x_train, y_train, x_test, y_test, n_train, n_test, seed)


def load_digits_8x8(test_fraction=0.25, *, seed=0):
    """Load scikit-learn's bundled 8x8 digits (1,797 images) for instant demonstrations.

    Parameters
    ----------
    test_fraction : float, default 0.25
        Share of the images held out, split per class (stratified).
    seed : int, default 0
        Seed of the split.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        Images (N, 8, 8) float32 in [0, 1] (the raw 0-16 grey levels divided by 16);
        labels (N,) int64 in 0-9.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    test_fraction = check_number(test_fraction, "test_fraction", low=0.0, high=1.0,
                                 low_open=True, high_open=True,
                                 expected="a number strictly between 0 and 1",
                                 fix="Pass, for example, 0.25.")
    seed = check_seed(seed)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=seed)
    return (x_train, y_train), (x_test, y_test)


def balanced_subset(images, labels, n, *, seed=0):
    """Draw a seeded random subset of ``n`` examples with (as nearly as possible) equal classes.

    Each class gets ``n // n_classes`` examples; the remainder goes one each to the
    lowest-numbered classes. The result is shuffled.

    Parameters
    ----------
    images : np.ndarray
        Array whose first axis indexes the examples.
    labels : np.ndarray
        Integer labels, shape (N,).
    n : int
        Subset size, from 1 to N.
    seed : int, default 0
        Seed of the draw.

    Returns
    -------
    images_subset, labels_subset : np.ndarray
    """
    if not isinstance(images, np.ndarray):
        if not hasattr(images, "__len__") or isinstance(images, (str, bytes)):
            fail(TypeError, "images", "an array whose first axis indexes the examples",
                 images)
        images = np.asarray(images)
    if images.ndim == 0:
        fail(TypeError, "images", "an array whose first axis indexes the examples", images)
    labels = check_labels(labels, "labels", length=len(images), per="image")
    n = check_int(n, "n", low=1, high=len(labels),
                  fix="Ask for at most as many examples as there are.")
    seed = check_seed(seed)
    classes = np.unique(labels)
    per_class = np.full(len(classes), n // len(classes))
    per_class[: n % len(classes)] += 1
    rng = np.random.default_rng(seed)
    chosen = []
    for cls, count in zip(classes, per_class):
        members = np.flatnonzero(labels == cls)
        if count > len(members):
            raise ValueError(
                f"n must be at most {len(members) * len(classes)} for a balanced subset: "
                f"Class {cls} has only {len(members)} examples, and a balanced subset of {n} "
                f"needs {count}. Received: n={n}.")
        chosen.append(rng.choice(members, size=count, replace=False))
    order = np.concatenate(chosen)
    rng.shuffle(order)
    return images[order], labels[order]


# ----------------------------------------------------------------------------- helpers

def _check_subset_arguments(n_train, n_test, seed, train_size, test_size):
    """Check the subset sizes and seed before any file is read."""
    if n_train is not None:
        n_train = check_int(n_train, "n_train", low=1, high=train_size,
                            fix="Pass a whole number, or None for the whole training split.")
    if n_test is not None:
        n_test = check_int(n_test, "n_test", low=1, high=test_size,
                           fix="Pass a whole number, or None for the whole test split.")
    return n_train, n_test, check_seed(seed)


def _finish(x_train, y_train, x_test, y_test, n_train, n_test, seed):
    """Subset (if asked), then scale uint8 images to float32 [0, 1] and labels to int64."""
    if n_train is not None:
        x_train, y_train = balanced_subset(x_train, y_train, n_train, seed=seed)
    if n_test is not None:
        x_test, y_test = balanced_subset(x_test, y_test, n_test, seed=seed)
    return ((_to_unit_range(x_train), y_train.astype(np.int64)),
            (_to_unit_range(x_test), y_test.astype(np.int64)))


def _to_unit_range(images):
    """uint8 pixels as float32 in [0, 1], divided in place: one float copy, not two."""
    scaled = images.astype(np.float32)
    # Division (not multiplication by 1/255) keeps 255 at exactly 1.0 in float32.
    scaled /= np.float32(255)
    return scaled


def _explicit_folder(path):
    """The folder the user named (argument first, then AE_LIB_DATA), or None."""
    if path is not None:
        return Path(path).expanduser()
    env_value = os.environ.get(DATA_ENV_VAR, "").strip()
    return Path(env_value).expanduser() if env_value else None


def _require_files(folder, names, dataset, how_to_get):
    """Return ``folder`` if it holds every file in ``names``; otherwise a clear error."""
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise DataNotFoundError(
            f"{dataset} was looked for only in {folder} (given by path= or {DATA_ENV_VAR}), "
            f"which lacks: {', '.join(missing)}.\n"
            f"Point path= or {DATA_ENV_VAR} at a folder holding these files, or unset "
            f"{DATA_ENV_VAR} to use the standard locations.\n{how_to_get}")
    return folder


def _keras_cache_dir(subdir):
    """``$KERAS_HOME/datasets/<subdir>`` (``~/.keras`` when KERAS_HOME is unset)."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(keras_home) / "datasets" / subdir


def offline():
    """Whether the environment switches downloading off (``AE_LIB_OFFLINE``).

    ``1``, ``true``, ``yes`` and ``on`` mean offline, ``0``, ``false``, ``no``, ``off`` and
    an empty or unset variable online, in any case and with spaces ignored. Any other value
    is a ``ValueError``: a typo should not quietly download.
    """
    raw = os.environ.get(OFFLINE_ENV_VAR, "")
    value = _OFFLINE_VALUES.get(raw.strip().lower())
    if value is None:
        raise ValueError(
            f"{OFFLINE_ENV_VAR} must be 1, true, yes or on (offline) or 0, false, no or off "
            f"(online), in any case. Received: {OFFLINE_ENV_VAR}={raw!r}.")
    return value


def _download_allowed(download):
    return bool(download) and not offline()


def _download(url, destination, verify, spec, timeout=60):
    """Download ``url`` to ``destination``, verifying it before it takes the final name."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
        verify(partial, spec)
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)


def _file_digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify_idx_file(path, spec):
    """Check a gzipped IDX file and return its decompressed payload."""
    raw = Path(path).read_bytes()
    try:
        payload = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataIntegrityError(
            f"{path} is truncated or corrupted: it is not a complete gzip file ({exc}). "
            f"Delete it and get a fresh copy.") from exc
    if hashlib.md5(raw).hexdigest() != spec.gz_md5:
        actual = hashlib.sha256(payload).hexdigest()
        if actual != spec.payload_sha256:
            raise DataIntegrityError(
                f"{path} does not match the published checksum of {spec.name} "
                f"(decompressed SHA-256 {actual[:16]}..., expected {spec.payload_sha256[:16]}...). "
                f"It is corrupted or a different file: delete it and get a fresh copy.")
    return payload


def _verify_npz_file(path, _spec):
    actual = _file_digest(path, "sha256")
    if actual != _MNIST_NPZ_SHA256:
        raise DataIntegrityError(
            f"{path} does not match the published SHA-256 of mnist.npz "
            f"({actual[:16]}..., expected {_MNIST_NPZ_SHA256[:16]}...). "
            f"It is truncated, corrupted or a different file: delete it and get a fresh copy.")


def _parse_idx(payload):
    """Decode an IDX payload (big-endian header, then unsigned bytes) into an array."""
    ndim = payload[3]
    dims = [int.from_bytes(payload[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(payload, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _content_key(folder, split):
    """Size, time stamp and CRC-32 of each file: the cache below notices any change.

    A size or time stamp alone misses a file corrupted in place (the same size, the time
    stamp restored); CRC-32 catches every change of up to 32 consecutive bits, and any
    other with probability 1 - 2**-32, for about 20 ms over the four files.
    """
    key = []
    for kind in ("images", "labels"):
        path = Path(folder) / _FASHION_FILES[(split, kind)].name
        stat = path.stat()
        crc = 0
        with open(path, "rb") as handle:  # in blocks: no file-sized copy in memory
            for block in iter(lambda: handle.read(1 << 20), b""):
                crc = zlib.crc32(block, crc)
        key.append((stat.st_size, stat.st_mtime_ns, crc))
    return tuple(key)


@functools.lru_cache(maxsize=4)
def _load_idx_split(folder, split, _key):
    """The uint8 images and labels of one split (cached; callers get fresh float copies).

    ``_key`` (from :func:`_content_key`) is only part of the cache key."""
    arrays = []
    for kind in ("images", "labels"):
        spec = _FASHION_FILES[(split, kind)]
        arrays.append(_parse_idx(_verify_idx_file(Path(folder) / spec.name, spec)))
    images, labels = arrays
    if len(images) != len(labels):
        raise DataIntegrityError(
            f"{folder}: {split} images and labels differ in count ({len(images)} vs {len(labels)}).")
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
