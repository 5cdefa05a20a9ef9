"""ae_lib as a package: it declares what it imports, and installs and imports on its own."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Import names whose distribution is called something else.
DISTRIBUTION_OF = {"PIL": "pillow", "sklearn": "scikit-learn", "tensorflow": "tensorflow-cpu",
                   "yaml": "pyyaml"}


def _third_party_imports():
    names = set()
    for path in (ROOT / "ae_lib").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "ae_lib"}


def _normalise(name):
    return name.lower().replace("_", "-")


def test_every_package_ae_lib_imports_is_a_declared_dependency():
    declared = {_normalise(Requirement(r).name) for r in PROJECT["dependencies"]}
    declared |= {_normalise(Requirement(r).name)
                 for r in PROJECT["optional-dependencies"]["cpu"]}
    imported = {_normalise(DISTRIBUTION_OF.get(n, n)) for n in _third_party_imports()}
    assert {"numpy", "keras", "tensorflow-cpu", "pillow"} <= imported, imported
    assert imported <= declared, f"imported but not declared: {imported - declared}"


def test_the_supported_pythons_are_the_ones_pyproject_admits():
    spec = Requirement(f"python{PROJECT['requires-python']}").specifier
    assert [v for v in ("3.10", "3.11", "3.12", "3.13", "3.14") if spec.contains(v + ".0")] \
        == ["3.11", "3.12", "3.13"]


def test_ae_lib_installs_alone_in_a_bare_venv_and_every_module_imports(tmp_path):
    # Only ae_lib and its declared dependencies (TensorFlow through the cpu extra), none
    # of the book's or the tests' packages; then import every module from outside the
    # checkout, so that nothing is found by accident on the path.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([python, "-m", "pip", "install", "--quiet",
                              f"{ROOT}[cpu]"], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    code = ("import importlib, pkgutil, ae_lib\n"
            "names = [m.name for m in pkgutil.iter_modules(ae_lib.__path__)]\n"
            "for name in names: importlib.import_module('ae_lib.' + name)\n"
            "print(ae_lib.__file__, len(names))")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    location, count = done.stdout.split()
    assert location.startswith(str(venv)) and int(count) == len(
        list((ROOT / "ae_lib").glob("[!_]*.py")))
