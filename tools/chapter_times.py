"""How long each chapter takes: reading time from its text, run time as measured.

Each chapter's opening box has a line ``**Time:** ...`` and the instructor guide has a
chapter map between ``<!-- chapter-map:start -->`` and ``<!-- chapter-map:end -->``. Both
are written from the chapter's words (reading time) and ``book/run_times.json`` (run time
and peak memory of the last ``make notebooks``), so they cannot drift from the
measurements: ``python -m tools.chapter_times --write`` refreshes them, and a test checks
that they are current.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import re

import nbformat

from tools.colab_cell import repository

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
RUN_TIMES = BOOK / "run_times.json"
INSTRUCTORS = BOOK / "instructors.md"
# Reading speed for technical prose with equations, and for code a reader studies.
PROSE_WORDS_PER_MINUTE = 150
CODE_LINES_PER_MINUTE = 15
TIME_LINE = re.compile(r"^\*\*Time:\*\*.*$", re.MULTILINE)
MAP_START, MAP_END = "<!-- chapter-map:start -->", "<!-- chapter-map:end -->"
# What each chapter needs first (the intro's map says the same in prose).
PREREQUISITES = {
    "01_basic_ideas": [],
    "02_weight_tying": ["01_basic_ideas"],
    "03_keras_implementation": [],
    "04_complete_overcomplete": ["01_basic_ideas"],
    "05_sparse": ["01_basic_ideas", "04_complete_overcomplete"],
    "06_denoising": ["01_basic_ideas", "04_complete_overcomplete"],
    "07_stacked": ["01_basic_ideas", "06_denoising"],
    "08_variational": ["01_basic_ideas", "05_sparse"],
    "09_deep_convolutional": ["01_basic_ideas", "04_complete_overcomplete"],
    "10_sparse_dictionaries": ["04_complete_overcomplete", "05_sparse"],
}


def chapters():
    """The chapter notebooks, in order."""
    return sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def reading_minutes(nb):
    """Minutes to read the chapter's prose and code, rounded up to 5 (solutions excluded)."""
    words, code_lines, in_solution = 0, 0, False
    for cell in nb.cells[1:]:  # the first cell is the Colab set-up
        source = cell.source
        if cell.cell_type == "markdown":
            if "{solution-start}" in source:
                in_solution = True
            if not in_solution:
                words += len(re.findall(r"[A-Za-z0-9]+", source))
            if "{solution-end}" in source:
                in_solution = False
        elif not in_solution:
            code_lines += sum(1 for line in source.splitlines() if line.strip())
    minutes = words / PROSE_WORDS_PER_MINUTE + code_lines / CODE_LINES_PER_MINUTE
    return max(5, 5 * math.ceil(minutes / 5))


def run_figures(name, run_times=RUN_TIMES):
    """(seconds, peak GiB) of the chapter's last measured run."""
    table = json.loads(pathlib.Path(run_times).read_text())
    if name not in table:
        raise KeyError(f"{name} has no measured run time in {run_times}; run make notebooks")
    return table[name]["seconds"], table[name]["peak_gib"]


def rounded_seconds(seconds):
    """Run time as a reader should plan for it: to the next 10 s."""
    return int(10 * math.ceil(seconds / 10))


def time_line(path, run_times=RUN_TIMES):
    """The opening box's time line for the chapter at ``path``."""
    nb = nbformat.read(path, as_version=4)
    seconds, _ = run_figures(pathlib.Path(path).name, run_times)
    return (f"**Time:** about {reading_minutes(nb)} minutes to read and work through; "
            f"running every cell takes about {rounded_seconds(seconds)} s on 2 CPU cores.")


def launch_links(path):
    """(Colab URL, Binder URL) of a chapter, as the site's launch buttons build them."""
    url, branch = repository()
    slug = url.removeprefix("https://github.com/")
    notebook = pathlib.Path(path).relative_to(ROOT).as_posix()
    return (f"https://colab.research.google.com/github/{slug}/blob/{branch}/{notebook}",
            f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/{notebook}")


def chapter_map(run_times=RUN_TIMES):
    """The instructor guide's chapter table (Markdown)."""
    rows = ["| chapter | needs | reading | run time | peak memory | hand out |",
            "| --- | --- | --- | --- | --- | --- |"]
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        seconds, peak = run_figures(path.name, run_times)
        title = nb.cells[1].source.splitlines()[0].lstrip("# ").strip()
        needs = ", ".join(p.split("_")[0].lstrip("0") for p in PREREQUISITES[path.stem])
        colab, binder = launch_links(path)
        rows.append(f"| {{doc}}`{title} <{path.stem}>` | {needs or 'none'} | "
                    f"{reading_minutes(nb)} min | {seconds:.0f} s | {peak:.2f} GiB | "
                    f"[Colab]({colab}), [Binder]({binder}) |")
    return "\n".join(rows)


def write(run_times=RUN_TIMES):
    """Refresh every chapter's time line and the instructor guide's chapter map."""
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        line = time_line(path, run_times)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and TIME_LINE.search(cell.source):
                cell.source = TIME_LINE.sub(line, cell.source, count=1)
                break
        else:
            raise ValueError(f"{path.name} has no '**Time:**' line in its opening box")
        nbformat.write(nb, path)
    guide = INSTRUCTORS.read_text()
    start, end = guide.index(MAP_START) + len(MAP_START), guide.index(MAP_END)
    INSTRUCTORS.write_text(guide[:start] + "\n" + chapter_map(run_times) + "\n" + guide[end:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="update the chapters and the instructor guide in place")
    args = parser.parse_args(argv)
    if args.write:
        write()
    for path in chapters():
        print(time_line(path))


if __name__ == "__main__":
    main()
