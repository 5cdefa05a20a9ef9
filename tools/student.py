"""Write student versions of the chapters: solutions removed, code exercises left as stubs.

Each chapter's exercises are ``{exercise}`` directives; each solution sits between a
``{solution-start}`` and a ``{solution-end}`` markdown cell (sphinx-exercise's gated
form), with its code cells in between. The student version drops the solution's
markdown and replaces each of its code cells by a stub: the cell's leading comment lines
(which state the task) followed by ``...``; a solution in words only becomes an empty
"Your answer" cell. Outputs and execution counts are cleared.

An implement-it-yourself solution ends with an automatic check, a call such as
``exercises.check_kl_penalty(kl_penalty)`` (see ``ae_lib.exercises``). Its stub keeps the
leading comments, the imports, each function's signature and docstring with ``...`` as its
body, and the check call: the learner fills in the body and runs the cell, and the check
reports "not implemented yet" until then.

    python tools/student.py --out student book/*.ipynb     (or: make student)
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re

import nbformat

SOLUTION_START = re.compile(r"^[`:]{3,}\{solution-start\}\s*(\S+)", re.MULTILINE)
SOLUTION_END = re.compile(r"^[`:]{3,}\{solution-end\}", re.MULTILINE)
EXERCISE_LABEL = re.compile(r"^[`:]{3,}\{exercise\}.*\n:label:\s*(\S+)", re.MULTILINE)
STUB_BODY = "...  # your code here"
ANSWER_STUB = "**Your answer:** "


CHECK_NAME = re.compile(r"^check_\w+$")


def check_call(source):
    """The final ``check_*(...)`` call of a code cell, as an AST node, or ``None``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: not a checked cell
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    call = tree.body[-1].value
    if not isinstance(call, ast.Call):
        return None
    function = call.func
    name = function.attr if isinstance(function, ast.Attribute) else \
        function.id if isinstance(function, ast.Name) else ""
    return call if CHECK_NAME.match(name) else None


def function_stub(node, source):
    """A function's signature and docstring, with ``...`` as its body."""
    lines = [f"@{ast.unparse(decorator)}" for decorator in node.decorator_list]
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    lines.append(f"def {node.name}({ast.unparse(node.args)}){returns}:")
    if ast.get_docstring(node) is not None:
        lines += source.splitlines()[node.body[0].lineno - 1:node.body[0].end_lineno]
    lines.append("    " + STUB_BODY)
    return "\n".join(lines)


def stub(source):
    """The student stub of a solution cell: its leading comments, then ``...``.

    A cell that ends with a ``check_*`` call keeps its imports, its functions' signatures
    (bodies replaced by ``...``) and the check call.
    """
    comments = []
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line)
    call = check_call(source)
    if call is None:
        return "\n".join([*comments, STUB_BODY])
    parts = ["\n".join(comments)] if comments else []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            parts.append(ast.get_source_segment(source, node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(function_stub(node, source) + "\n\n")
    parts.append(ast.get_source_segment(source, call))
    return "\n".join(parts)


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
