"""Refresh the Colab twin's pins from Colab's published ``pip freeze``.

Colab publishes its runtime's package list in the public repository
googlecolab/backend-info (``pip-freeze.txt``; ``os-info.txt`` gives the Python version).
To refresh the twin after Colab changes its runtime::

    git clone https://github.com/googlecolab/backend-info /tmp/backend-info
    python tools/colab/refresh.py /tmp/backend-info/pip-freeze.txt \\
        --source "googlecolab/backend-info <commit> (<date>): <subject>"

then update ``COLAB_PYTHON`` in the Makefile if ``os-info.txt`` names another minor
version, and run ``make colab-check``. Lines that pin a URL or a local file (torch's CPU
wheels, google-colab itself) cannot be installed from PyPI and are dropped.
"""

from __future__ import annotations

import argparse
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
CONSTRAINTS = HERE / "constraints.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def pins_from_freeze(text):
    """``{name: version}`` for every plain ``name==version`` line of a ``pip freeze``."""
    pins = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match and "+" not in match.group(2):
            pins[match.group(1)] = match.group(2)
    return pins


def write_constraints(pins, source, path=CONSTRAINTS):
    header = [
        "# Colab's runtime, as pip constraints for the Colab twin (make colab-check).",
        f"# From: {source}",
        "# Refresh: python tools/colab/refresh.py <pip-freeze.txt> --source '...'",
        "# (see that script's docstring). Do not edit by hand.",
    ]
    lines = [f"{name}=={version}" for name, version in sorted(pins.items(), key=lambda p: p[0].lower())]
    path.write_text("\n".join(header + lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("freeze", type=pathlib.Path, help="Colab's pip-freeze.txt")
    parser.add_argument("--source", required=True, help="where the file came from, and when")
    args = parser.parse_args()
    pins = pins_from_freeze(args.freeze.read_text())
    write_constraints(pins, args.source)
    print(f"{CONSTRAINTS}: {len(pins)} pins")


if __name__ == "__main__":
    main()
