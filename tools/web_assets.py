"""Fetch the site's JavaScript from the npm registry, so the built site needs no CDN.

MathJax (typesets the equations), require.js and the Jupyter widgets HTML manager (load
saved widget state) are served from the site itself. This script downloads each package's
tarball at a pinned version, checks it against the registry's SHA-512 integrity hash
pinned below, and unpacks the files the site needs into ``_web_assets/vendor/``. Nothing
it writes is committed; ``_config.yml`` adds ``_web_assets`` to the site's static files.

    python tools/web_assets.py            # fetch what is missing (no-op when up to date)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import pathlib
import shutil
import sys
import tarfile
import urllib.request
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parent.parent
ASSETS_DIR = ROOT / "_web_assets"
VENDOR = "vendor"


@dataclass(frozen=True)
class NpmAsset:
    """One npm package, pinned, and the part of it the site serves."""

    name: str
    version: str
    integrity: str  # the registry's dist.integrity for this version
    source: str  # file or folder inside the tarball's package/ folder
    target: str  # where it goes under _web_assets/vendor/

    @property
    def tarball_url(self):
        base = self.name.split("/")[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{base}-{self.version}.tgz"


ASSETS = (
    NpmAsset(
        "mathjax", "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+"
        "geW0OhGw==",
        "es5", "mathjax"),
    NpmAsset(
        "requirejs", "2.3.7",
        "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBk"
        "M1z+pDsw==",
        "require.js", "require.js"),
    NpmAsset(
        "@jupyter-widgets/html-manager", "1.0.11",
        "sha512-MC0bD2uhaMjq+Wf64jXtydqCUNrNdElldMH19QAujAAiag0aGYA41s9PMPVEuVH1+RpqI7MQUqWkaA"
        "Ibx4xMQQ==",
        "dist/embed-amd.js", "embed-amd.js"),
)


def check_integrity(data: bytes, integrity: str, what: str) -> None:
    """Raise ValueError unless ``data`` matches an npm ``sha512-...`` integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise ValueError(f"{what}: only sha512 integrity strings are supported, got {integrity!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise ValueError(
            f"{what}: the download does not match its pinned SHA-512 (got sha512-{actual}). "
            "The registry served something else; do not use it.")


def unpack(data: bytes, asset: NpmAsset, destination: pathlib.Path) -> None:
    """Extract ``asset.source`` from the tarball bytes to ``destination``."""
    prefix = f"package/{asset.source}"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()
                   and (m.name == prefix or m.name.startswith(prefix + "/"))]
        if not members:
            raise ValueError(f"{asset.name}@{asset.version} has no {asset.source}")
        for member in members:
            relative = member.name[len(prefix):].lstrip("/")
            path = destination / relative if relative else destination
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(tar.extractfile(member).read())


def stamp_path(asset: NpmAsset, assets_dir=ASSETS_DIR) -> pathlib.Path:
    return assets_dir / ".stamps" / f"{asset.name.replace('/', '_')}-{asset.version}"


def fetch(asset: NpmAsset, assets_dir=ASSETS_DIR, opener=urllib.request.urlopen) -> bool:
    """Fetch one asset unless its pinned version is already there; True if it fetched."""
    stamp = stamp_path(asset, assets_dir)
    if stamp.exists():
        return False
    try:
        with opener(asset.tarball_url, timeout=120) as response:
            data = response.read()
    except OSError as error:
        raise SystemExit(
            f"Could not download {asset.tarball_url} ({error}). The site's JavaScript comes "
            "from the npm registry at build time; connect to it once, then builds work "
            "offline.") from error
    check_integrity(data, asset.integrity, f"{asset.name}@{asset.version}")
    destination = assets_dir / VENDOR / asset.target
    if destination.is_dir():
        shutil.rmtree(destination)
    unpack(data, asset, destination)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(asset.integrity + "\n")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    for asset in ASSETS:
        if fetch(asset):
            print(f"web assets: {asset.name}@{asset.version} -> "
                  f"{ASSETS_DIR.name}/{VENDOR}/{asset.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
