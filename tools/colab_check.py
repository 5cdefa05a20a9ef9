"""The Colab twin: run every chapter on Colab's Python and package versions.

``make colab-check`` (``python -m tools.colab_check --python PYTHON3.13``):

1. builds a virtual environment (``.colab-venv``) on Colab's Python with Colab's exact
   versions of TensorFlow, Keras, NumPy, ipywidgets and the rest
   (``tools/colab/constraints.txt``, from Colab's published ``pip freeze``);
2. runs the chapters' Colab set-up cell itself, with ``AE_LIB_SOURCE`` pointing at this
   clone's HEAD, so ae_lib is installed the way a learner's Colab installs it (pip from a
   git URL), and fails if that install changed any package Colab ships (TensorFlow must
   not be reinstalled);
3. imports every ae_lib module from the installed package, runs the version-sensitive
   unit tests (Colab's ipywidgets 7, its Keras's activity penalties), and executes every chapter top to bottom in a fresh kernel (on
   copies: the committed notebooks are left alone);
4. fails if a cell raises (a chapter's assert included), writes to stderr, or displays an
   explorer without its live widget; and writes ``_build/colab-check/report.md``, which
   lists every printed number that moved under Colab's versions (the executed copies are
   kept beside it, in ``notebooks/``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import nbformat

from tools.colab_cell import FORCE_ENV_VAR, SOURCE_ENV_VAR, colab_cell_source

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "tools" / "colab" / "constraints.txt"
# What the twin installs (at Colab's versions): what the chapters import, and what runs them.
TWIN_PACKAGES = ("pip", "tensorflow", "keras", "numpy", "matplotlib", "scikit-learn", "scipy",
                 "pillow", "ipywidgets", "ipykernel", "ipython", "nbclient", "nbformat",
                 "jupyter_client", "pytest", "PyYAML")
COLAB_PYTHON_MINOR = (3, 13)
# Unit tests of behaviour that differs between versions (ipywidgets 7 against 8, Keras's
# activity penalties): run under Colab's versions too.
VERSION_TESTS = ("tests/test_widgets.py", "tests/test_keras_versions.py")
EXPLORER_HTML = 'class="ae-explorer"'
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# TensorFlow's C++ start-up lines, which Colab shows too; anything else on stderr fails.
TF_LOG_LINE = re.compile(r"^(?:[IWE]\d{4} [\d:.]+ +\d+ \S+\] |WARNING: All log messages before "
                         r"absl::InitializeLog\(\)|$)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Wall times differ from run to run anywhere; they are not "numbers that moved" (the same
# pattern nbval_sanitize.cfg uses).
TIMING = re.compile(r"\d+(\.\d+)? ?(s|ms|µs|us|sec|seconds)\b")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")


class TwinError(RuntimeError):
    """The Colab twin found a problem; the message says which."""


def run(command, **kwargs):
    """Run ``command``; raise TwinError with its output when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise TwinError(f"{' '.join(map(str, command))} failed ({done.returncode}):\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def twin_environment():
    """The environment the twin's processes get: offline data, no local ae_lib on the path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND", "PIP_CONSTRAINT")}
    env.setdefault("AE_LIB_OFFLINE", "1")
    return env


def build_venv(python, venv):
    """Create ``venv`` on ``python`` with Colab's versions, unless it is already current."""
    venv = venv.resolve()
    version = run([python, "-c", "import sys; print(*sys.version_info[:2])"]).split()
    if tuple(map(int, version)) != COLAB_PYTHON_MINOR:
        raise TwinError(f"{python} is Python {'.'.join(version)}; Colab runs "
                        f"{'.'.join(map(str, COLAB_PYTHON_MINOR))}. Pass --python (pyenv "
                        "versions lists what is installed).")
    stamp = venv / ".colab-pins"
    wanted = hashlib.sha256(CONSTRAINTS.read_bytes() + " ".join(TWIN_PACKAGES).encode())
    if stamp.is_file() and stamp.read_text() == wanted.hexdigest():
        return venv / "bin" / "python"
    shutil.rmtree(venv, ignore_errors=True)
    run([python, "-m", "venv", str(venv)])
    twin = venv / "bin" / "python"
    run([twin, "-m", "pip", "install", "--quiet", "-c", str(CONSTRAINTS), *TWIN_PACKAGES],
        env=twin_environment())
    stamp.write_text(wanted.hexdigest())
    return twin


def freeze(twin):
    lines = run([twin, "-m", "pip", "freeze", "--all"], env=twin_environment()).splitlines()
    pins = {}
    for line in lines:
        name, sep, version = line.partition("==") if "==" in line else line.partition(" @ ")
        if sep:
            pins[name.strip()] = version.strip()
    return pins


def install_like_colab(twin, ref):
    """Run the chapters' Colab cell in the twin, installing ae_lib from this clone at ``ref``.

    A Colab runtime starts without ae_lib; so does the twin: a copy left by an earlier
    check (same version number, older code) would make pip skip the install.
    """
    run([twin, "-m", "pip", "uninstall", "--quiet", "--yes", "ae_lib"], env=twin_environment())
    before = freeze(twin)
    env = twin_environment()
    env[FORCE_ENV_VAR] = "1"
    env[SOURCE_ENV_VAR] = f"ae_lib @ git+file://{ROOT}@{ref}"
    run([twin, "-c", colab_cell_source()], env=env, cwd=tempfile.gettempdir())
    after = freeze(twin)
    changed = {name: (before[name], after.get(name)) for name in before
               if after.get(name) != before[name] and name.lower().replace("_", "-") != "ae-lib"}
    if changed:
        raise TwinError(f"installing ae_lib changed packages Colab ships: {changed}")
    return sorted(set(after) - set(before))


def check_imports(twin):
    """Import every ae_lib module from the installed package; return where it lives."""
    code = ("import importlib, pkgutil, ae_lib\n"
            "for m in pkgutil.iter_modules(ae_lib.__path__): "
            "importlib.import_module('ae_lib.' + m.name)\n"
            "import tensorflow, keras, ipywidgets\n"
            "print(ae_lib.__file__, tensorflow.__version__, keras.__version__, "
            "ipywidgets.__version__)")
    return run([twin, "-c", code], env=twin_environment(), cwd=tempfile.gettempdir()).strip()


def output_text(output):
    if output.get("output_type") == "stream":
        return output.get("text", "")
    return output.get("data", {}).get("text/plain", "")


def problems_in(notebook):
    """What a run of ``notebook`` shows that Colab's learners must not see."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: {output.get('ename')}: "
                             f"{ANSI.sub('', output.get('evalue', ''))}")
            if output.get("name") == "stderr":
                bad = [line for line in output.get("text", "").splitlines()
                       if not TF_LOG_LINE.match(line)]
                if bad:
                    found.append(f"cell {index} wrote to stderr: {' / '.join(bad)[:300]}")
            data = output.get("data", {})
            if EXPLORER_HTML in data.get("text/html", "") and WIDGET_VIEW not in data:
                found.append(f"cell {index}: an explorer displayed without its live widget")
    return found


def moved_numbers(stored, fresh):
    """Lines of printed output whose numbers differ between two runs of a notebook."""
    moved = []
    for index, (old, new) in enumerate(zip(stored.cells, fresh.cells)):
        if old.cell_type != "code":
            continue
        old_lines = "".join(map(output_text, old.get("outputs", []))).splitlines()
        new_lines = "".join(map(output_text, new.get("outputs", []))).splitlines()
        for before, after in zip(old_lines, new_lines):
            before_values = NUMBER.findall(TIMING.sub("", before))
            if before != after and before_values != NUMBER.findall(TIMING.sub("", after)):
                moved.append((index, before.strip(), after.strip()))
    return moved


def run_chapters(twin, notebooks, workdir, keep):
    """Execute copies of ``notebooks`` in the twin; return {name: (seconds line, problems, moved)}.

    The executed copies are kept in ``keep``, to read what a failing chapter printed.
    """
    shutil.copytree(ROOT / "book", workdir / "book")
    keep.mkdir(parents=True, exist_ok=True)
    results = {}
    for path in notebooks:
        copy = workdir / "book" / path.name
        done = subprocess.run([twin, str(ROOT / "tools" / "run_notebooks.py"),
                               "--save-on-error", str(copy)],
                              capture_output=True, text=True, env=twin_environment(),
                              cwd=workdir)
        fresh = nbformat.read(copy, as_version=4)
        shutil.copy(copy, keep / path.name)
        problems = problems_in(fresh)
        if done.returncode != 0:
            problems.insert(0, "did not run to the end: "
                            + ANSI.sub("", done.stderr.strip())[-1500:])
        timing = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        results[path.name] = (timing, problems,
                              moved_numbers(nbformat.read(path, as_version=4), fresh))
        print(f"{path.name}: {'ok' if not problems else 'FAILED'}  {timing}", flush=True)
    return results


def report(header, results):
    lines = ["# Colab twin report", "", *header, ""]
    for name, (timing, problems, moved) in results.items():
        lines += [f"## {name}", "", f"- run: {timing or 'no timing'}"]
        lines += [f"- PROBLEM: {p}" for p in problems]
        lines += [f"- numbers moved: {len(moved)} line(s)"]
        lines += [f"  - cell {i}: `{a}` -> `{b}`" for i, a, b in moved]
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="a Python 3.13 interpreter")
    parser.add_argument("--venv", type=pathlib.Path, default=ROOT / ".colab-venv")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "_build" / "colab-check")
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    try:
        twin = build_venv(args.python, args.venv)
        ref = run(["git", "-C", str(ROOT), "rev-parse", "HEAD"]).strip()
        added = install_like_colab(twin, ref)
        where = check_imports(twin)
        print(f"Colab twin: ae_lib at {ref[:12]} installed like Colab (added {added}); "
              f"{where}", flush=True)
        run([twin, "-m", "pytest", "-q", "-p", "no:cacheprovider", *VERSION_TESTS],
            env=twin_environment(), cwd=ROOT)
        print("Colab twin: the version-sensitive tests pass on Colab's versions", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            results = run_chapters(twin, notebooks, pathlib.Path(scratch),
                                   args.out / "notebooks")
    except TwinError as error:
        print(f"colab-check: {error}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    header = [f"ae_lib {ref}, installed by the Colab cell; {where}"]
    (args.out / "report.md").write_text(report(header, results))
    failed = [name for name, (_, problems, _) in results.items() if problems]
    for name in failed:
        print(f"colab-check: {name}:\n  " + "\n  ".join(results[name][1]), file=sys.stderr)
    print(f"colab-check: {len(results) - len(failed)} of {len(results)} chapters pass on "
          f"Colab's versions; report in {args.out / 'report.md'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
