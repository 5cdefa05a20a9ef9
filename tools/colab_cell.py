"""The first cell of every chapter: installs ae_lib on Colab, does nothing elsewhere.

The repository's address and branch live in ``_config.yml`` (``repository:``); the launch
buttons open the notebook from that branch, and the cell installs ae_lib from the same
branch, so the code a learner runs matches the notebook the button opened. (A release tag
would also match, but only once someone remembers to push it; a branch always exists, and
a test checks that the cell names one this repository has.)

The cell is plain Python, not ``%pip``, so that a failed install stops the cell with one
clear message instead of a ``ModuleNotFoundError`` two cells later. ``make colab-check``
runs this very cell, with ``AE_LIB_SOURCE`` pointing at the local clone's HEAD.

``python tools/colab_cell.py --write book/*.ipynb`` puts the current cell first in each
notebook (replacing an older one).
"""

from __future__ import annotations

import argparse
import pathlib

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLAB_CELL_TAG = "colab-setup"
#: Overrides the requirement the cell installs (a fork, or the Colab twin's local clone).
SOURCE_ENV_VAR = "AE_LIB_SOURCE"
#: Makes the cell run off Colab too (the Colab twin sets it).
FORCE_ENV_VAR = "AE_LIB_COLAB_SETUP"


def repository(config_path=ROOT / "_config.yml"):
    """Return (url, branch) of the course repository as ``_config.yml`` gives them."""
    config = yaml.safe_load(pathlib.Path(config_path).read_text())
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main")


def install_requirement(config_path=ROOT / "_config.yml"):
    """The pip requirement the cell installs: ae_lib from the launch buttons' branch."""
    url, branch = repository(config_path)
    return f"ae_lib @ git+{url}@{branch}"


def colab_cell_source(config_path=ROOT / "_config.yml"):
    """The source text of the Colab set-up cell."""
    return f'''\
# @title Colab set-up: installs ae_lib (runs only on Google Colab)
import os, subprocess, sys

if "google.colab" in sys.modules or os.environ.get("{FORCE_ENV_VAR}"):
    AE_LIB = os.environ.get(
        "{SOURCE_ENV_VAR}", "{install_requirement(config_path)}")
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", AE_LIB],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError(
            f"Could not install the course's helper package ({{AE_LIB}}).\\n"
            f"pip said:\\n{{pip.stderr.strip()[-1500:]}}\\n"
            "Check the internet connection, then use Runtime > Restart "
            "session and run this cell again.")'''


def colab_cell(config_path=ROOT / "_config.yml"):
    """The Colab set-up cell as a notebook cell: hidden on the site, folded on Colab."""
    cell = nbformat.v4.new_code_cell(colab_cell_source(config_path))
    cell.metadata = {"tags": ["remove-cell", COLAB_CELL_TAG], "cellView": "form"}
    return cell


def write_colab_cell(notebook_path):
    """Make the current Colab cell the first cell of ``notebook_path``.

    Returns whether the file changed: a notebook whose first cell is already the current
    one is left byte for byte as it is.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    old = [c for c in nb.cells if COLAB_CELL_TAG in c.metadata.get("tags", [])]
    cells = [c for c in nb.cells if COLAB_CELL_TAG not in c.metadata.get("tags", [])]
    cell = colab_cell()
    if (len(old) == 1 and nb.cells[0] is old[0] and old[0].source == cell.source
            and old[0].metadata.get("tags") == cell.metadata["tags"]):
        return False
    if old:  # the cell prints nothing off Colab: its run count stands for the new text too
        cell.execution_count = old[0].execution_count
        cell.id = old[0].get("id", cell.id)  # a stable id: no churn in the diff
    nb.cells = [cell, *cells]
    nbformat.write(nb, notebook_path)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update the notebooks in place")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    if not args.write:
        print(colab_cell_source())
        return
    for path in args.notebooks:
        changed = write_colab_cell(path)
        print(f"{path}: Colab cell {'updated' if changed else 'already up to date'}")


if __name__ == "__main__":
    main()
