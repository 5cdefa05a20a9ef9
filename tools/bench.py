"""The performance report: run everything fresh, measure it, write the appendix, check budgets.

``make bench`` (``python -m tools.bench --out book/appendix_performance.md``):

1. executes every chapter in a fresh kernel (copies in a scratch folder; ``book/`` keeps
   its committed outputs) and records wall time and peak kernel memory;
2. times ``jupyter-book build`` into an empty folder, then again with nothing changed;
3. loads every page of that build as readers get it (``tools/site_audit.py``): what each
   transfers, compressed as GitHub Pages serves it and not, and Lighthouse's mobile scores;
4. races the course's training recipe against the TensorFlow tutorial's setup
   (``tools/anchor.py``) in a fresh process, and again with oneDNN on;
5. writes the appendix, and the run times that the chapters' opening boxes and the
   instructor guide quote (``book/run_times.json``, ``tools/chapter_times.py``);
6. checks the budgets (each chapter at most 60 s and 1.8 GiB, the median chapter at most
   45 s, the whole book under 8 minutes, ``make test`` under 15 minutes when its time was
   recorded; each chapter's page at most 1.5 MB and a Lighthouse performance score of 90
   or more) and the speed goal (the recipe reaches the tutorial's validation error in at
   most a third of its time), and exits non-zero if one fails.

``python -m tools.bench --site-only`` does steps 2 and 3 only and rewrites the appendix's
section on the site, leaving the rest as it was.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time

from tools import chapter_times, site_audit
from tools.anchor import RECIPE, change
from tools.run_notebooks import record, run_notebook

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK_BUDGET_S = 60
MEDIAN_BUDGET_S = 45
MEMORY_BUDGET_GIB = 1.8
BOOK_BUDGET_S = 8 * 60
MAKE_TEST_BUDGET_S = 15 * 60
SPEED_GOAL = 1 / 3
#: Written by ``make test`` (its wall time in seconds), read here.
MAKE_TEST_SECONDS = ROOT / "_build" / "make-test-seconds"
PAGE_BUDGET_MB = 1.5
PERFORMANCE_MINIMUM = 90
SITE_START, SITE_END = "<!-- site report: start -->", "<!-- site report: end -->"


def run_chapters(paths):
    """{name: (seconds, peak bytes)} for fresh executions of copies of ``paths``."""
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            copy = pathlib.Path(scratch) / path.name
            shutil.copy(path, copy)
            results[path.name] = run_notebook(copy)
            seconds, peak = results[path.name]
            print(f"{path.name}: {seconds:.1f} s, {peak / 2**30:.2f} GiB", flush=True)
    return results


def recorded_chapters(paths):
    """{name: (seconds, peak bytes)} as ``make notebooks`` recorded them in run_times.json.

    Raises SystemExit naming the chapters that have no record.
    """
    table = json.loads(chapter_times.RUN_TIMES.read_text())
    missing = [path.name for path in paths if path.name not in table]
    if missing:
        raise SystemExit(f"no run time recorded for {', '.join(missing)}: run make notebooks")
    return {path.name: (table[path.name]["seconds"], table[path.name]["peak_gib"] * 2**30)
            for path in paths}


def time_builds(output):
    """(seconds of a build into the empty folder ``output``, seconds of a rebuild with no
    change); the site is then in ``output/_build/html``."""
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    times = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run([str(jupyter_book), "build", str(ROOT), "--path-output", str(output)],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return tuple(times)


def measure_site(site):
    """Every page of the built ``site``: {page: {"gzip": weights, "raw": weights,
    "scores": Lighthouse's scores, "timings": Lighthouse's timings}}."""
    pages = site_audit.site_pages(site)
    with site_audit.serve(site, compress=True) as base:
        compressed = site_audit.page_weights(base, pages)
        audits = site_audit.lighthouse(base, pages)
    with site_audit.serve(site, compress=False) as base:
        raw = site_audit.page_weights(base, pages)
    return {page: {"gzip": compressed[page], "raw": raw[page],
                   "scores": audits[page]["scores"], "timings": audits[page]["timings"]}
            for page in pages}


def _is_chapter(page):
    return pathlib.PurePosixPath(page).name[:2].isdigit()


def site_checks(site):
    """The site's budgets: a list of (statement, holds)."""
    chapters = {page: result for page, result in site.items() if _is_chapter(page)}
    return [
        (f"every chapter's page transfers at most {PAGE_BUDGET_MB:g} MB, every figure "
         "loaded",
         all(r["gzip"]["bytes"] <= PAGE_BUDGET_MB * 1e6 for r in chapters.values())),
        (f"every chapter's page scores at least {PERFORMANCE_MINIMUM} for performance "
         "(Lighthouse, mobile)",
         all((r["scores"].get("performance") or 0) >= PERFORMANCE_MINIMUM
             for r in chapters.values())),
    ]


def site_section(site, builds, when, where):
    """The appendix's section on the site, between markers that ``--site-only`` finds."""
    rows = []
    for page, result in site.items():
        scores = result["scores"]
        lighthouse = " · ".join(str(scores.get(c, "-")) for c in site_audit.CATEGORIES)
        gzip, raw = result["gzip"], result["raw"]
        rows.append(
            f"| {pathlib.PurePosixPath(page).stem} | {gzip['first_view'] / 1e3:.0f} kB | "
            f"{gzip['bytes'] / 1e3:.0f} kB | {raw['bytes'] / 1e3:.0f} kB | "
            f"{raw['requests']} | {lighthouse} |")
    return f"""{SITE_START}
## The site, as readers get it

Every page of a fresh build, loaded by `tools/site_audit.py` in headless Chromium at a
phone's size with every non-local request blocked ({when}, {where}). *First view* is
what opening the page transfers; *whole page* adds the figures further down, which load
as the reader scrolls to them; both as GitHub Pages serves the site (text compressed
with gzip). The budget is {PAGE_BUDGET_MB:g} MB for a chapter's whole page. *Uncompressed*
is the whole page as `make serve` serves it: what the phone parses, which the
performance score reflects. The scores are
Lighthouse's (performance · accessibility · best practices), with its mobile preset (a
mid-range phone on a slow 4G connection, simulated), from the compressed server;
`make test` requires 95 for accessibility and for best practices on every page, this
report {PERFORMANCE_MINIMUM} for performance on every chapter. Performance depends on the machine and its load: Lighthouse times the
page's work on this machine's CPU and scales it to a phone's, so the same page can score
five points apart from one run to the next on a busy machine.

| page | first view | whole page | uncompressed | requests | Lighthouse |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}
{SITE_END}"""


def replace_site_section(text, section):
    """``text`` with its site section (between the markers) replaced by ``section``."""
    start, end = text.find(SITE_START), text.find(SITE_END)
    if start < 0 or end < start:
        raise ValueError("the appendix has no site section to replace; run `make bench`")
    return text[:start] + section + text[end + len(SITE_END):]


def run_anchor(*flags, env=None):
    output = subprocess.run([sys.executable, "-m", "tools.anchor", *flags], check=True,
                            cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, **(env or {})}).stdout
    return json.loads(output)


def make_test_seconds():
    """The wall time of the last ``make test`` here, or None if none was recorded."""
    try:
        return float(MAKE_TEST_SECONDS.read_text())
    except (OSError, ValueError):
        return None


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ae_lib  # noqa: F401  (before TensorFlow: quiet logs)
    import tensorflow as tf

    return (f"{cpu}, {len(os.sched_getaffinity(0))} cores available; Python "
            f"{platform.python_version()}, TensorFlow {tf.__version__}")


def checks(chapters, anchor, test_seconds):
    """The budgets and the speed goal: a list of (statement, holds)."""
    seconds = sorted(s for s, _ in chapters.values())
    median = seconds[len(seconds) // 2] if len(seconds) % 2 else \
        (seconds[len(seconds) // 2 - 1] + seconds[len(seconds) // 2]) / 2
    names = list(anchor)
    reference, with_steps, recipe = anchor[names[0]], anchor[names[1]], anchor[RECIPE]
    batch_128 = anchor["recipe, batch 128"]
    result = [
        (f"every chapter runs in at most {NOTEBOOK_BUDGET_S} s",
         all(s <= NOTEBOOK_BUDGET_S for s in seconds)),
        (f"the median chapter runs in at most {MEDIAN_BUDGET_S} s", median <= MEDIAN_BUDGET_S),
        (f"every chapter's peak memory is at most {MEMORY_BUDGET_GIB:g} GiB",
         all(p <= MEMORY_BUDGET_GIB * 2**30 for _, p in chapters.values())),
        (f"the whole book runs in under {BOOK_BUDGET_S // 60} minutes",
         sum(seconds) < BOOK_BUDGET_S),
        ("many steps per call leave the validation losses unchanged, epoch by epoch",
         all(abs(a - b) <= 1e-5 * abs(b) for a, b in
             zip(with_steps["val_losses"], reference["val_losses"]))),
        ("the recipe reaches the tutorial's validation error in at most a third of its time",
         recipe["reached"] and recipe["seconds"] <= SPEED_GOAL * reference["seconds"]),
        ("chapter 3: batch 128 is slower to that error than batch 64",
         not batch_128["reached"] or batch_128["seconds"] > recipe["seconds"]),
    ]
    if test_seconds is not None:
        result.append((f"make test runs in under {MAKE_TEST_BUDGET_S // 60} minutes",
                       test_seconds < MAKE_TEST_BUDGET_S))
    return result


def _pipeline_sentence(anchor):
    """What feeding the images as one tensor did, as measured (it is kept for memory)."""
    names = list(anchor)
    rows = [(before, run) for before, run in zip(names, names[1:])
            if anchor[run].get("role") == "memory"]
    if not rows:
        return ""
    before, run = (anchor[name] for name in rows[0])
    return ("Feeding the images as one tensor, each batch gathered from it "
            "(`ae_lib.batching`), is there for memory: `fit` on NumPy arrays holds several "
            "copies of the data. Its effect on time in this race: "
            f"{change(run['seconds'], before['seconds'])} "
            f"({before['seconds']:.1f} s before it, {run['seconds']:.1f} s with it).")


def _alternatives_sentence(anchor):
    """Which of the tried alternatives beat the recipe, as measured."""
    tried = [name for name, run in anchor.items() if run.get("role") == "alternative"]
    better = [name for name in tried if anchor[name]["kept"]]
    if not tried:
        return ""
    if not better:
        return "None of the alternatives tried against the recipe beat it here."
    return ("Faster than the recipe here, so the recipe should change: "
            + "; ".join(better) + ".")


def _anchor_rows(anchor, reference_seconds):
    rows = []
    for name, run in anchor.items():
        reached = "yes" if run["reached"] else f"no, after {run['epochs']} epochs"
        kept = {True: "kept", False: "not kept", None: ""}[run["kept"]]
        if run.get("role") == "alternative" and run["kept"]:
            kept = "**beats the recipe**"
        rows.append(
            f"| {name} | {run['epochs']} | {run['val_mse']:.5f} | {reached} | "
            f"{run['seconds']:.1f} s | {run['cpu_seconds']:.1f} s | "
            f"{run['seconds'] / reference_seconds:.2f} | {kept} | {run['why']} |")
    return "\n".join(rows)


def appendix(chapters, builds, anchor, onednn, results, test_seconds, when, where,
             site=None):
    total = sum(s for s, _ in chapters.values())
    rows = "\n".join(f"| {name.removesuffix('.ipynb')} | {s:.1f} s | {p / 2**30:.2f} GiB |"
                     for name, (s, p) in chapters.items())
    names = list(anchor)
    reference, recipe = anchor[names[0]], anchor[RECIPE]
    dnn_names = list(onednn)
    dnn_reference, dnn_recipe = onednn[dnn_names[0]], onednn[dnn_names[1]]
    check_rows = "\n".join(f"| {statement} | {'holds' if ok else '**fails**'} |"
                           for statement, ok in results)
    test_line = (f"The last `make test` on this machine took {test_seconds / 60:.1f} minutes."
                 if test_seconds is not None else "No `make test` time was recorded.")
    return f"""# Performance

This page is written by `make bench` (`tools/bench.py`), which runs every chapter fresh,
times the site build and races the course's training recipe against the TensorFlow
tutorial's setup, all on the same machine in the same run. Do not edit it by hand.

Measured on {when} on {where}.

## Running the chapters

Each chapter executed top to bottom in a fresh kernel, as `make notebooks` and nbval do.
Peak memory is the kernel's peak resident set (VmHWM). Budgets: at most
{NOTEBOOK_BUDGET_S} s per chapter and {MEDIAN_BUDGET_S} s for the median one, at most
{MEMORY_BUDGET_GIB:g} GiB (Binder's limit is 2 GB), the whole book under
{BOOK_BUDGET_S // 60} minutes. {test_line}

| chapter | wall time | peak memory |
| --- | --- | --- |
{rows}
| **all chapters** | **{total:.1f} s** | |

## Building the site

| build | wall time |
| --- | --- |
| `jupyter-book build` into an empty folder | {builds[0]:.1f} s |
| the same build again, nothing changed | {builds[1]:.1f} s |

The notebooks are not executed during the build (they are committed executed).

{site_section(site, builds, when, where) if site else ""}

## Time to quality: the course's recipe against the TensorFlow tutorial

The reference is the TensorFlow tutorial's setup: the 784 → 64 → 784 autoencoder, Adam at
its default rate, `fit` on NumPy arrays for 10 epochs at Keras's default batch of 32, one
step per compiled call, validated on the test set after every epoch. It reached a
validation MSE of {reference['val_mse']:.5f} in {reference['seconds']:.1f} s. Each row
below adds one change to the rows before it (or tries one against the recipe), trains the
same model from the same seed, and stops when it reaches the reference's error. The time
ratio is its wall time over the reference's; CPU time is the process's, over both cores.

| setting | epochs | validation MSE | reached? | wall time | CPU time | time ratio | in the recipe | why |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{_anchor_rows(anchor, reference['seconds'])}

The recipe (`ae_lib.recipe`: many steps per compiled call, validation in large batches;
the batch size is each chapter's choice) reached the tutorial's error in
{recipe['seconds'] / reference['seconds']:.0%} of its time. Most of the reference's time
is Python bookkeeping around 18,750 small steps, not arithmetic: grouping steps removes
most of it without changing a single loss value, and batch 64 halves the steps while
keeping enough updates per epoch. {_pipeline_sentence(anchor)}
{_alternatives_sentence(anchor)} (XLA is not in the race:
Keras compiles this subclassed model without it, whatever `jit_compile` says.)

**oneDNN.** TensorFlow's oneDNN rewrites (its default on x86 CPUs) are off in `ae_lib`,
because they print a notice to every notebook's stderr and make results differ slightly
between CPUs. With them on, in a separate process, the reference took
{dnn_reference['seconds']:.1f} s ({dnn_reference['cpu_seconds']:.1f} s CPU) and the recipe
{dnn_recipe['seconds']:.1f} s ({dnn_recipe['cpu_seconds']:.1f} s CPU), a ratio of
{dnn_recipe['seconds'] / dnn_reference['seconds']:.2f}.

## Checks

`make bench` fails if one of these does not hold.

| statement | this run |
| --- | --- |
{check_rows}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "book" / "appendix_performance.md")
    parser.add_argument("--reuse-run-times", action="store_true",
                        help="take the chapters' times from book/run_times.json (written by "
                             "make notebooks on this machine) instead of running them again")
    parser.add_argument("--site-only", action="store_true",
                        help="build and measure the site only; rewrite that section")
    args = parser.parse_args(argv)
    when = datetime.date.today().isoformat()
    if args.site_only:
        with tempfile.TemporaryDirectory() as output:
            builds = time_builds(output)
            load = os.getloadavg()[0]
            site = measure_site(pathlib.Path(output) / "_build" / "html")
        results = site_checks(site)
        where = f"{machine()}; load average {load:.1f} when it started"
        args.out.write_text(replace_site_section(
            args.out.read_text(), site_section(site, builds, when, where)))
        print(f"wrote the site section of {args.out}")
    else:
        if args.reuse_run_times:
            chapters = recorded_chapters(chapter_times.chapters())
        else:
            chapters = run_chapters(chapter_times.chapters())
            record(chapter_times.RUN_TIMES, chapters)
            chapter_times.write()
        with tempfile.TemporaryDirectory() as output:
            builds = time_builds(output)
            print(f"build: {builds[0]:.1f} s fresh, {builds[1]:.1f} s unchanged", flush=True)
            load = os.getloadavg()[0]
            site = measure_site(pathlib.Path(output) / "_build" / "html")
        anchor = run_anchor()
        onednn = run_anchor("--onednn", env={"TF_ENABLE_ONEDNN_OPTS": "1"})
        print(json.dumps({"anchor": anchor, "onednn": onednn}, indent=2), flush=True)
        test_seconds = make_test_seconds()
        results = checks(chapters, anchor, test_seconds) + site_checks(site)
        text = appendix(chapters, builds, anchor, onednn, results, test_seconds, when,
                        machine(), site)
        where = f"{machine()}; load average {load:.1f} when it started"
        args.out.write_text(replace_site_section(text, site_section(site, builds, when, where)))
        print(f"wrote {args.out}")
    for page, result in site.items():
        print(f"{page}: {result['raw']['bytes'] / 1e6:.2f} MB, {result['scores']}", flush=True)
    failed = [statement for statement, ok in results if not ok]
    for statement in failed:
        print(f"FAILED: {statement}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
