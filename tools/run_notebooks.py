"""Execute notebooks top to bottom in a fresh kernel, save their outputs, report the cost.

``python tools/run_notebooks.py book/*.ipynb`` runs each notebook in its own folder,
writes the executed notebook back, and prints its wall time and the kernel's peak memory
(VmHWM, the high-water mark of its resident set). It fails on the first cell that errors.
``--record book/run_times.json`` also stores the figures there; the chapters' opening
boxes and the instructor guide quote them (``tools/chapter_times.py``).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import nbclient
import nbformat

CELL_TIMEOUT_S = 900


def peak_rss_bytes(pid):
    """The peak resident set size of process ``pid`` in bytes (Linux), or None."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def run_notebook(path, save_on_error=False):
    """Execute ``path`` in place; return (seconds, peak kernel RSS in bytes or None).

    With ``save_on_error`` a notebook whose cell fails is still written, with the error,
    so that what it printed can be read.
    """
    nb = nbformat.read(path, as_version=4)
    peak = {"bytes": None}
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
        # The explorers carry their own pre-computed frames for the site; saved widget
        # state would only load a widget that cannot respond without a kernel.
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}})

    def record_peak(**_):
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        if pid is not None:
            peak["bytes"] = peak_rss_bytes(pid) or peak["bytes"]

    # After each cell has run (on_cell_complete fires when it is sent, which would miss
    # the last cell's peak).
    client.on_cell_executed = record_peak
    start = time.perf_counter()
    try:
        client.execute()
    except Exception:
        if save_on_error:
            nbformat.write(nb, path)
        raise
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds, peak["bytes"]


def record(path, results):
    """Merge {notebook name: (seconds, peak bytes)} into the JSON file at ``path``."""
    path = pathlib.Path(path)
    table = json.loads(path.read_text()) if path.is_file() else {}
    for name, (seconds, peak) in results.items():
        table[name] = {"seconds": round(seconds, 1),
                       "peak_gib": round(peak / 2**30, 2) if peak else None}
    path.write_text(json.dumps(dict(sorted(table.items())), indent=2) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--record", type=pathlib.Path,
                        help="JSON file to store each notebook's time and peak memory in")
    parser.add_argument("--save-on-error", action="store_true",
                        help="write a failing notebook too, with its error")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.notebooks if not path.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    total = 0.0
    results = {}
    for path in args.notebooks:
        seconds, peak = run_notebook(path, args.save_on_error)
        results[path.name] = (seconds, peak)
        if args.record:
            record(args.record, {path.name: (seconds, peak)})
        total += seconds
        memory = f"{peak / 2**30:.2f} GiB" if peak else "unknown"
        print(f"{path}: {seconds:.1f} s, peak kernel memory {memory}", flush=True)
    print(f"{len(args.notebooks)} notebooks in {total:.1f} s", file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
