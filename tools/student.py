"""Write student versions of the chapters: solutions removed, code exercises left as stubs.

Each chapter's exercises are ``{exercise}`` directives; each solution sits between a
``{solution-start}`` and a ``{solution-end}`` markdown cell (sphinx-exercise's gated
form), with its code cells in between. The student version drops the solution's
markdown and replaces each of its code cells by a stub: the cell's leading comment lines
(which state the task) followed by ``...``; a solution in words only becomes an empty
"Your answer" cell. Outputs and execution counts are cleared.

    python tools/student.py --out student book/*.ipynb     (or: make student)
"""

from __future__ import annotations

import argparse
import pathlib
import re

import nbformat

SOLUTION_START = re.compile(r"^[`:]{3,}\{solution-start\}\s*(\S+)", re.MULTILINE)
SOLUTION_END = re.compile(r"^[`:]{3,}\{solution-end\}", re.MULTILINE)
EXERCISE_LABEL = re.compile(r"^[`:]{3,}\{exercise\}.*\n:label:\s*(\S+)", re.MULTILINE)
STUB_BODY = "...  # your code here"
ANSWER_STUB = "**Your answer:** "


def stub(source):
    """The student stub of a solution cell: its leading comments, then ``...``."""
    comments = []
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line)
    return "\n".join([*comments, STUB_BODY])


def exercise_labels(nb):
    """The labels of the notebook's exercises, in order."""
    return [m.group(1) for cell in nb.cells if cell.cell_type == "markdown"
            for m in EXERCISE_LABEL.finditer(cell.source)]


def solution_blocks(nb):
    """(label, [cell indices]) of every gated solution, start and end cells included."""
    blocks, current = [], None
    for index, cell in enumerate(nb.cells):
        source = cell.source if cell.cell_type == "markdown" else ""
        start = SOLUTION_START.search(source)
        if start:
            if current is not None:
                raise ValueError(f"solution {current[0]!r} has no solution-end before the "
                                 f"next solution-start (cell {index})")
            current = (start.group(1), [index])
            continue
        if current is not None:
            current[1].append(index)
            if SOLUTION_END.search(source):
                blocks.append(current)
                current = None
    if current is not None:
        raise ValueError(f"solution {current[0]!r} has no solution-end")
    return blocks


def student_version(nb):
    """A copy of ``nb`` without solutions, code solutions replaced by stubs, no outputs."""
    nb = nbformat.from_dict(nb)
    in_solution, answer_here = set(), set()
    for _, indices in solution_blocks(nb):
        in_solution.update(indices)
        if not any(nb.cells[i].cell_type == "code" for i in indices):
            answer_here.add(indices[0])
    cells = []
    for index, cell in enumerate(nb.cells):
        if index in answer_here:
            answer = nbformat.v4.new_markdown_cell(ANSWER_STUB)
            answer.metadata["tags"] = ["exercise-stub"]
            cells.append(answer)
        if index in in_solution:
            if cell.cell_type != "code":
                continue
            cell = nbformat.v4.new_code_cell(stub(cell.source))
            cell.metadata["tags"] = ["exercise-stub"]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("student"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        target = args.out / path.name
        nbformat.write(student_version(nb), target)
        print(f"{target}: {len(solution_blocks(nb))} solutions removed")


if __name__ == "__main__":
    main()
