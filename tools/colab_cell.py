"""The first cell of every chapter: installs ae_lib on Colab, does nothing elsewhere.

The repository URL lives in one place, ``_config.yml`` (``repository:``). The cell installs
ae_lib at one pinned ref, the release tag ``v<version>`` of ``ae_lib.__version__``, so a chapter
opened on Colab gets the ae_lib it was written against, not whatever main holds that day.
Tag each release (``git tag v0.1.0 && git push --tags``) when the version changes. ``python tools/colab_cell.py --write book/*.ipynb`` puts
the current cell first in each notebook (replacing an older one).
"""

from __future__ import annotations

import argparse
import ast
import pathlib

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLAB_CELL_TAG = "colab-setup"


def repository(config_path=ROOT / "_config.yml"):
    """Return (url, branch) of the course repository as ``_config.yml`` gives them."""
    config = yaml.safe_load(pathlib.Path(config_path).read_text())
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main")


def package_version(init_path=ROOT / "ae_lib" / "__init__.py"):
    """``ae_lib.__version__``, read from the source without importing it (nor TensorFlow).

    It is the version's one source: pyproject.toml declares the version dynamic and
    setuptools reads the same assignment.
    """
    tree = ast.parse(pathlib.Path(init_path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "__version__"
                for target in node.targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{init_path} assigns no __version__")


def pinned_ref(init_path=ROOT / "ae_lib" / "__init__.py"):
    """The git ref the Colab cell installs: ``v`` + the package version."""
    return f"v{package_version(init_path)}"


def colab_cell_source(config_path=ROOT / "_config.yml"):
    """The source text of the Colab set-up cell."""
    url, _ = repository(config_path)
    ref = pinned_ref()
    return (
        "# @title Colab set-up (runs only on Google Colab)\n"
        "# Installs the course's helper package, ae_lib. Elsewhere this cell does nothing.\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        f"    %pip install --quiet \"ae_lib @ git+{url}@{ref}\""
    )


def colab_cell(config_path=ROOT / "_config.yml"):
    """The Colab set-up cell as a notebook cell: hidden on the site, folded on Colab."""
    cell = nbformat.v4.new_code_cell(colab_cell_source(config_path))
    cell.metadata = {"tags": ["remove-cell", COLAB_CELL_TAG], "cellView": "form"}
    return cell


def write_colab_cell(notebook_path):
    """Make the current Colab cell the first cell of ``notebook_path``."""
    nb = nbformat.read(notebook_path, as_version=4)
    cells = [c for c in nb.cells if COLAB_CELL_TAG not in c.metadata.get("tags", [])]
    nb.cells = [colab_cell(), *cells]
    nbformat.write(nb, notebook_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update the notebooks in place")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    if not args.write:
        print(colab_cell_source())
        return
    for path in args.notebooks:
        write_colab_cell(path)
        print(f"{path}: Colab cell up to date")


if __name__ == "__main__":
    main()
