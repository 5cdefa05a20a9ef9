"""tools/web_assets.py: pinned npm tarballs, checked by hash, unpacked where the site serves them."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import pytest
import yaml

from tools import web_assets
from tools.web_assets import ASSETS, NpmAsset, check_integrity, fetch

CONFIG = yaml.safe_load((web_assets.ROOT / "_config.yml").read_text())


def _tarball(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_integrity_check_accepts_the_right_bytes_and_names_the_package_otherwise():
    check_integrity(b"abc", _integrity(b"abc"), "x@1")
    with pytest.raises(ValueError, match=r"x@1: the download does not match its pinned SHA-512"):
        check_integrity(b"abd", _integrity(b"abc"), "x@1")
    with pytest.raises(ValueError, match="only sha512"):
        check_integrity(b"abc", "sha1-AAAA", "x@1")


def test_fetch_unpacks_a_folder_once_and_refuses_a_tampered_tarball(tmp_path):
    data = _tarball({"es5/a.js": b"A", "es5/sub/b.woff": b"B", "other.js": b"no"})
    asset = NpmAsset("pkg", "1.0.0", _integrity(data), "es5", "pkg")
    requested = []

    def opener(url, timeout):
        requested.append(url)
        return _Response(data)

    assert fetch(asset, tmp_path, opener) is True
    assert (tmp_path / "vendor/pkg/a.js").read_bytes() == b"A"
    assert (tmp_path / "vendor/pkg/sub/b.woff").read_bytes() == b"B"
    assert not (tmp_path / "vendor/pkg/other.js").exists()
    assert requested == ["https://registry.npmjs.org/pkg/-/pkg-1.0.0.tgz"]
    assert fetch(asset, tmp_path, opener) is False and len(requested) == 1

    bad = NpmAsset("pkg", "2.0.0", _integrity(b"something else"), "es5", "bad")
    with pytest.raises(ValueError, match="pkg@2.0.0"):
        fetch(bad, tmp_path, opener)
    assert not (tmp_path / "vendor/bad").exists()


def test_fetch_of_a_single_file_and_a_scoped_package_url(tmp_path):
    data = _tarball({"dist/embed-amd.js": b"define()"})
    asset = NpmAsset("@scope/pkg", "1.2.3", _integrity(data), "dist/embed-amd.js", "embed.js")
    assert asset.tarball_url == "https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.3.tgz"
    fetch(asset, tmp_path, lambda url, timeout: _Response(data))
    assert (tmp_path / "vendor/embed.js").read_bytes() == b"define()"


def test_fetch_without_a_connection_says_what_to_do(tmp_path):
    def offline(url, timeout):
        raise OSError("Network is unreachable")

    with pytest.raises(SystemExit, match="connect to it once"):
        fetch(ASSETS[1], tmp_path, offline)


def test_the_site_config_points_at_the_vendored_files():
    sphinx = CONFIG["sphinx"]["config"]
    assert sphinx["html_static_path"] == ["_web_assets"]
    targets = {a.target for a in ASSETS}
    assert sphinx["mathjax_path"] == "vendor/mathjax/tex-chtml.js" and "mathjax" in targets
    assert set(sphinx["nb_ipywidgets_js"]) == {"vendor/require.js", "vendor/embed-amd.js"}
    assert {"require.js", "embed-amd.js"} <= targets
    assert all(a.integrity.startswith("sha512-") for a in ASSETS)
