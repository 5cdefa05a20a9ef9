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


def test_fetch_unpacks_a_folder_a_file_and_a_glob_once_and_refuses_a_tampered_tarball(tmp_path):
    data = _tarball({"es5/a.js": b"A", "es5/sub/b.woff": b"B", "other.js": b"no",
                     "dist/fonts/x.woff2": b"X", "dist/fonts/x.ttf": b"T", "dist/k.js": b"K"})
    asset = NpmAsset("pkg", "1.0.0", _integrity(data),
                     (("es5", "static/pkg"), ("dist/fonts/*.woff2", "static/fonts"),
                      ("dist/k.js", "build/k.js")))
    requested = []

    def opener(url, timeout):
        requested.append(url)
        return _Response(data)

    assert fetch(asset, tmp_path, opener) is True
    assert (tmp_path / "static/pkg/a.js").read_bytes() == b"A"
    assert (tmp_path / "static/pkg/sub/b.woff").read_bytes() == b"B"
    assert not (tmp_path / "static/pkg/other.js").exists()
    assert [p.name for p in (tmp_path / "static/fonts").iterdir()] == ["x.woff2"]
    assert (tmp_path / "build/k.js").read_bytes() == b"K"
    assert requested == ["https://registry.npmjs.org/pkg/-/pkg-1.0.0.tgz"]
    assert fetch(asset, tmp_path, opener) is False and len(requested) == 1

    bad = NpmAsset("pkg", "2.0.0", _integrity(b"something else"), (("es5", "bad"),))
    with pytest.raises(ValueError, match="pkg@2.0.0"):
        fetch(bad, tmp_path, opener)
    assert not (tmp_path / "bad").exists()
    missing = NpmAsset("pkg", "3.0.0", _integrity(data), (("dist/*.css", "css"),))
    with pytest.raises(ValueError, match=r"pkg@3.0.0 has no dist/\*.css"):
        fetch(missing, tmp_path, opener)


def test_fetch_of_a_scoped_package_url(tmp_path):
    data = _tarball({"dist/embed-amd.js": b"define()"})
    asset = NpmAsset("@scope/pkg", "1.2.3", _integrity(data), (("dist/embed-amd.js", "e.js"),))
    assert asset.tarball_url == "https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.3.tgz"
    fetch(asset, tmp_path, lambda url, timeout: _Response(data))
    assert (tmp_path / "e.js").read_bytes() == b"define()"


def test_stale_files_of_older_versions_are_removed(tmp_path):
    (tmp_path / ".stamps").mkdir()
    (tmp_path / ".stamps/mathjax-3.2.2").write_text("x")
    (tmp_path / "vendor/mathjax").mkdir(parents=True)
    assert web_assets.remove_stale(tmp_path) == ["mathjax-3.2.2", "vendor"]
    assert not (tmp_path / "vendor").exists() and web_assets.remove_stale(tmp_path) == []


def test_fetch_without_a_connection_says_what_to_do(tmp_path):
    def offline(url, timeout):
        raise OSError("Network is unreachable")

    with pytest.raises(SystemExit, match="connect to it once"):
        fetch(ASSETS[0], tmp_path, offline)


def test_the_site_config_serves_the_static_part_and_loads_no_widget_or_mathjax_script():
    sphinx = CONFIG["sphinx"]["config"]
    assert sphinx["html_static_path"] == ["_web_assets/static"]
    targets = [target for asset in ASSETS for _, target in asset.files]
    assert all(t.startswith(("static/", "build/")) for t in targets)
    assert "build/katex.js" in targets and "static/vendor/katex/katex.min.css" in targets
    assert sphinx["html_math_renderer"] == "katex"
    assert sphinx["nb_ipywidgets_js"] == {}  # the site shows the explorers' HTML instead
    assert all(a.integrity.startswith("sha512-") for a in ASSETS)
