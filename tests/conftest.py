"""Shared fixtures: the real Fashion-MNIST files, isolated search locations, a local server."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import matplotlib
import pytest

matplotlib.use("Agg")

import ae_lib  # noqa: E402  (sets TensorFlow's log level before TensorFlow loads)
from ae_lib import data  # noqa: E402


@pytest.fixture(scope="session")
def fashion_dir():
    """The folder of the real Fashion-MNIST files on this machine (CI: the Debian package)."""
    return data.find_fashion_mnist(download=False)


@pytest.fixture
def fashion_copy(tmp_path, fashion_dir):
    """A private, writable copy of the four Fashion-MNIST files."""
    folder = tmp_path / "fashion-copy"
    folder.mkdir()
    for spec in data._FASHION_FILES.values():
        shutil.copy(fashion_dir / spec.name, folder / spec.name)
    return folder


@pytest.fixture
def isolated_sources(tmp_path, monkeypatch):
    """No data anywhere: empty Debian folder and Keras cache, no AE_LIB_DATA, a closed port."""
    empty = tmp_path / "empty-debian"
    empty.mkdir()
    keras_home = tmp_path / "keras-home"
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", empty)
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    # Port 9 (discard) is closed here: a real connection attempt that is refused at once.
    monkeypatch.setattr(data, "DOWNLOAD_URL", "http://127.0.0.1:9/")
    return keras_home


@pytest.fixture
def local_server():
    """Serve a folder over HTTP on 127.0.0.1; yields a function folder -> base URL."""
    servers = []

    def serve(folder):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *args: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
