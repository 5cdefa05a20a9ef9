"""Run chapters at other global seeds: do their claims (their asserts) still hold?

The design asks that every claim survive a change of the chapter's global seed
(``SEED = set_seed(42)`` in its first code cells). ``python -m tools.seeds --seeds 1 7
book/05_sparse.ipynb`` copies the chapter beside itself with that line set to each seed,
executes the copy in a fresh kernel, and reports which seeds pass; a failing seed's
executed copy is kept as ``_seedN_<name>`` in the notebook's folder so that its error can
be read, a passing one is removed. ``make seeds`` runs every chapter at seeds 1 and 7.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import nbformat

from tools.run_notebooks import run_notebook

SEED_LINE = re.compile(r"^SEED = set_seed\(\d+\)", re.MULTILINE)


def with_seed(nb, seed):
    """A copy of notebook ``nb`` whose global seed line reads ``SEED = set_seed(seed)``.

    Raises ValueError if the notebook has no such line, or more than one.
    """
    nb = nbformat.from_dict(nb)
    hits = [cell for cell in nb.cells
            if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(hits) != 1:
        raise ValueError(f"expected one 'SEED = set_seed(N)' line in a code cell, found {len(hits)}")
    hits[0].source = SEED_LINE.sub(f"SEED = set_seed({seed})", hits[0].source)
    return nb


def run_at_seed(path, seed):
    """Execute ``path`` at global ``seed``; (passed, seconds or error text)."""
    path = pathlib.Path(path)
    copy = path.with_name(f"_seed{seed}_{path.name}")
    nbformat.write(with_seed(nbformat.read(path, as_version=4), seed), copy)
    try:
        seconds, _ = run_notebook(copy, save_on_error=True)
    except Exception as error:  # the failing cell's error, shown to the maintainer
        return False, str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
    copy.unlink()
    return True, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 7])
    args = parser.parse_args(argv)
    failures = 0
    for path in args.notebooks:
        for seed in args.seeds:
            passed, detail = run_at_seed(path, seed)
            failures += not passed
            outcome = f"passed in {detail:.0f} s" if passed else f"FAILED: {detail}"
            print(f"{path.name} at seed {seed}: {outcome}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
