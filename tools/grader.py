"""Export the chapters' checked exercises for otter-grader: an autograder and student notebooks.

Every implement-it-yourself exercise ends with an automatic check (``ae_lib.exercises``).
For each notebook that has such exercises, this writes an *otter assign* master notebook
(``<out>/<chapter>/master.ipynb``) and runs ``otter assign`` on it, which produces

- ``<out>/<chapter>/dist/student/<chapter>.ipynb``: the student notebook, function bodies
  replaced by ``...``, the check calls kept, other solutions removed (as ``make student``);
- ``<out>/<chapter>/dist/autograder/<chapter>.ipynb`` and ``<chapter>-autograder_*.zip``:
  the reference notebook and the autograder. Grade a submission locally, without Docker or
  a server, with ``otter run -a <the zip> submission.ipynb``; each checked exercise is one
  question worth one point, passed when its check passes.

    python -m tools.grader --out grader book/*.ipynb     (or: make grader)

The master notebook follows otter's notebook format: a raw ``# ASSIGNMENT CONFIG`` cell,
then for each checked exercise ``# BEGIN QUESTION``, the exercise's text and set-up, the
solution with ``# BEGIN SOLUTION`` / ``# END SOLUTION`` around each function body, one
exception-based test (the check call) and ``# END QUESTION``.
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re
import subprocess
import sys

import nbformat

try:  # as a module (python -m tools.grader) or as a script (python tools/grader.py)
    from tools.student import (EXERCISE_LABEL, check_call, solution_blocks,
                               student_version)
except ModuleNotFoundError:  # pragma: no cover
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    from tools.student import (EXERCISE_LABEL, check_call, solution_blocks,
                               student_version)

ASSIGNMENT_CONFIG = """\
# ASSIGNMENT CONFIG
name: {name}
init_cell: false
check_all_cell: false
export_cell: false
run_tests: false
generate: true
tests:
  files: false
  ok_format: false
"""


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def checked_solutions(nb):
    """{exercise label: index of its solution's code cell that ends with a check call}."""
    found = {}
    for label, indices in solution_blocks(nb):
        for index in indices:
            cell = nb.cells[index]
            if cell.cell_type == "code" and check_call(cell.source) is not None:
                found[label] = index
    return found


def otter_solution(source):
    """``source`` with ``# BEGIN SOLUTION`` / ``# END SOLUTION`` around each function body.

    Docstrings stay outside the markers, so the student keeps the function's contract.
    """
    lines = source.splitlines()
    tree = ast.parse(source)
    marks = []  # (first body line, last body line, indentation), 0-based
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if not body:
                raise ValueError(f"function {node.name!r} has only a docstring")
            first, last = body[0].lineno - 1, node.end_lineno - 1
            indent = re.match(r"\s*", lines[first]).group(0)
            marks.append((first, last, indent))
    for first, last, indent in reversed(marks):
        lines.insert(last + 1, f"{indent}# END SOLUTION")
        lines.insert(first, f"{indent}# BEGIN SOLUTION")
    return "\n".join(lines)


def otter_test(label, source):
    """The exception-based otter test of a checked solution: its check must pass."""
    call = check_call(source)
    arguments = [ast.unparse(argument) for argument in call.args]
    names = [a for a in arguments if a.isidentifier()]
    function = re.sub(r"\W", "_", label)
    return (f"def test_{function}({', '.join(names)}):\n"
            f"    from ae_lib import exercises\n"
            f"    assert exercises.{ast.unparse(call.func).split('.')[-1]}"
            f"({', '.join(arguments)}).passed\n")


def otter_master(nb, name):
    """The otter-assign master notebook of ``nb``'s checked exercises, or ``None``."""
    checked = checked_solutions(nb)
    if not checked:
        return None
    # Keep the other exercises as the students see them (solutions removed), and the
    # checked exercises' solution cells with otter's markers.
    cells = [_raw(ASSIGNMENT_CONFIG.format(name=name))]
    stubbed = student_version(_without_checked(nb, checked))
    for cell in stubbed.cells:
        labels = [m.group(1) for m in EXERCISE_LABEL.finditer(cell.source)] \
            if cell.cell_type == "markdown" else []
        question = next((label for label in labels if label in checked), None)
        if question is not None:
            cells.append(_raw(f"# BEGIN QUESTION\nname: {question}\npoints: 1\n"
                              f"check_cell: false"))
        marker = cell.metadata.get("grader_solution")
        if marker is None:
            cells.append(cell)
        else:
            source = nb.cells[checked[marker]].source
            del cell.metadata["grader_solution"]
            cell.source = otter_solution(source)
            cells += [_raw("# BEGIN SOLUTION"), cell, _raw("# END SOLUTION"),
                      _raw("# BEGIN TESTS"),
                      nbformat.v4.new_code_cell(otter_test(marker, source)),
                      _raw("# END TESTS"), _raw("# END QUESTION")]
    master = nbformat.v4.new_notebook(metadata=nb.metadata)
    master.cells = cells
    return master


def _without_checked(nb, checked):
    """``nb`` with each checked solution block reduced to its checked code cell, moved out
    of the block and flagged, so that ``student_version`` leaves it alone."""
    nb = nbformat.from_dict(nb)
    drop = set()
    for label, indices in solution_blocks(nb):
        if label in checked:
            drop.update(indices)
            drop.discard(checked[label])
            nb.cells[checked[label]].metadata["grader_solution"] = label
    nb.cells = [cell for index, cell in enumerate(nb.cells) if index not in drop]
    return nb


def export(path, out, *, assign=True):
    """Write ``out/<stem>/master.ipynb`` for ``path`` and run ``otter assign`` on it.

    Returns the master's path, or ``None`` when ``path`` has no checked exercise.
    """
    nb = nbformat.read(path, as_version=4)
    name = pathlib.Path(path).stem
    master = otter_master(nb, name)
    if master is None:
        return None
    folder = pathlib.Path(out) / name
    folder.mkdir(parents=True, exist_ok=True)
    master_path = folder / f"{name}.ipynb"
    nbformat.write(master, master_path)
    if assign:
        subprocess.run([sys.executable, "-m", "otter", "assign", "--no-pdfs",
                        master_path.name, "dist"], cwd=folder, check=True)
    return master_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("grader"))
    parser.add_argument("--no-assign", action="store_true",
                        help="write the master notebooks only; do not run otter assign")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        master = export(path, args.out, assign=not args.no_assign)
        if master is None:
            print(f"{path}: no checked exercise, skipped")
        else:
            print(f"{path}: {len(checked_solutions(nbformat.read(path, as_version=4)))} "
                  f"checked exercises -> {master.parent}")


if __name__ == "__main__":
    main()
