"""Fetch the site's third-party web files from the npm registry, so the site needs no CDN.

KaTeX typesets the equations when the site is built (``book/_ext/katex_math.py`` runs its
``katex.js`` under Node.js); the pages then need only its style sheet and fonts, which
are served from the site itself. This script downloads each package's tarball at a pinned
version, checks it against the registry's SHA-512 integrity hash pinned below, and unpacks
the files the site needs: what pages load into ``_web_assets/static/`` (``_config.yml``
adds it to the site's static files), what the build runs into ``_web_assets/build/``.
Nothing it writes is committed.

    python tools/web_assets.py            # fetch what is missing (no-op when up to date)
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
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
# Served with the pages (the site's _static/vendor/) and only used while building.
STATIC = "static/vendor"
BUILD = "build"


@dataclass(frozen=True)
class NpmAsset:
    """One npm package, pinned, and the parts of it the site uses.

    ``files`` pairs a ``source`` inside the tarball's ``package/`` folder (a file, a folder
    or a glob such as ``dist/fonts/*.woff2``) with a ``target`` under ``_web_assets/``: the
    file's new path, or for a folder or a glob, the folder to put the files in.
    """

    name: str
    version: str
    integrity: str  # the registry's dist.integrity for this version
    files: tuple[tuple[str, str], ...]

    @property
    def tarball_url(self):
        base = self.name.split("/")[-1]
        return f"https://registry.npmjs.org/{self.name}/-/{base}-{self.version}.tgz"


ASSETS = (
    NpmAsset(
        "katex", "0.19.1",
        "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614"
        "uRrEfA==",
        # The font-display: swap variant of the style sheet: text shows while fonts load.
        (("dist/katex-swap.min.css", f"{STATIC}/katex/katex.min.css"),
         ("dist/fonts/*.woff2", f"{STATIC}/katex/fonts"),
         ("dist/katex.js", f"{BUILD}/katex.js"),
         ("LICENSE", f"{STATIC}/katex/LICENSE"))),
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


def unpack(data: bytes, asset: NpmAsset, assets_dir: pathlib.Path) -> None:
    """Extract each of ``asset.files`` from the tarball bytes to its target."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith("package/")]
        for source, target in asset.files:
            prefix = f"package/{source}"
            if any(char in source for char in "*?["):
                chosen = [(m, pathlib.PurePosixPath(m.name).name) for m in members
                          if fnmatch.fnmatchcase(m.name, prefix)]
            else:
                chosen = [(m, m.name[len(prefix):].lstrip("/")) for m in members
                          if m.name == prefix or m.name.startswith(prefix + "/")]
            if not chosen:
                raise ValueError(f"{asset.name}@{asset.version} has no {source}")
            for member, relative in chosen:
                path = assets_dir / target / relative if relative else assets_dir / target
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
            f"Could not download {asset.tarball_url} ({error}). The site's web files come "
            "from the npm registry at build time; connect to it once, then builds work "
            "offline.") from error
    check_integrity(data, asset.integrity, f"{asset.name}@{asset.version}")
    for _, target in asset.files:
        if (assets_dir / target).is_dir():
            shutil.rmtree(assets_dir / target)
    unpack(data, asset, assets_dir)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(asset.integrity + "\n")
    return True


def remove_stale(assets_dir=ASSETS_DIR) -> list[str]:
    """Delete what an older version of this script left (files no asset lists any more)."""
    removed = []
    wanted = {stamp_path(asset, assets_dir).name for asset in ASSETS}
    for stamp in sorted((assets_dir / ".stamps").glob("*")):
        if stamp.name not in wanted:
            stamp.unlink()
            removed.append(stamp.name)
    for old in ("vendor",):  # before KaTeX: MathJax, require.js, the widgets manager
        if (assets_dir / old).exists():
            shutil.rmtree(assets_dir / old)
            removed.append(old)
    return removed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    for name in remove_stale():
        print(f"web assets: removed {name}, which the site no longer uses")
    for asset in ASSETS:
        if fetch(asset):
            targets = ", ".join(f"{ASSETS_DIR.name}/{target}" for _, target in asset.files)
            print(f"web assets: {asset.name}@{asset.version} -> {targets}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
