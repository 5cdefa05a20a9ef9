"""tools/grader.py: the otter-grader export builds, and otter itself gives the reference
solution full marks and the student stub none."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

from tools.grader import checked_solutions, export, otter_master, otter_solution, otter_test

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))

SOLUTION = '''# Write kl_penalty(codes, rho). Then run the check.
def kl_penalty(codes, rho):
    """One number: the KL sparsity penalty."""
    rho_hat = codes.mean(axis=0)
    return np.sum(rho * np.log(rho / rho_hat)
                  + (1 - rho) * np.log((1 - rho) / (1 - rho_hat)))


exercises.check_kl_penalty(kl_penalty)'''


def _md(source):
    return nbformat.v4.new_markdown_cell(source)


def _notebook():
    """A chapter's tail: a derivation in words and a checked implementation."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        _md(":::{exercise} 5.4 · Derive: a gradient\n:label: ex-05-derive\n:nonumber:\n\n"
            "Derive it.\n:::"),
        _md("```{solution-start} ex-05-derive\n:class: dropdown\n```"),
        _md("It is SECRET-DERIVATION."),
        _md("```{solution-end}\n```"),
        _md(":::{exercise} 5.5 · Implement: the KL penalty\n:label: ex-05-kl\n:nonumber:\n"
            "\nWrite it.\n:::"),
        nbformat.v4.new_code_cell("import numpy as np\n\nfrom ae_lib import exercises"),
        _md("```{solution-start} ex-05-kl\n:class: dropdown\n```"),
        nbformat.v4.new_code_cell(SOLUTION),
        _md("Why: SECRET-EXPLANATION."),
        _md("```{solution-end}\n```"),
    ]
    return nb


def test_solution_markers_wrap_each_function_body_below_its_docstring():
    marked = otter_solution(SOLUTION)
    lines = marked.splitlines()
    begin, end = lines.index("    # BEGIN SOLUTION"), lines.index("    # END SOLUTION")
    assert lines[begin - 1].strip().startswith('"""') and "rho_hat" in lines[begin + 1]
    assert lines[end - 1].strip().startswith("+ (1 - rho)")
    assert marked.endswith("exercises.check_kl_penalty(kl_penalty)")
    ast.parse(marked)


def test_the_test_calls_the_check_with_the_learners_function():
    source = otter_test("ex-05-kl", SOLUTION)
    assert source.startswith("def test_ex_05_kl(kl_penalty):\n")
    assert "assert exercises.check_kl_penalty(kl_penalty).passed" in source
    ast.parse(source)


def test_master_has_one_question_per_checked_exercise_and_no_other_solution():
    nb = _notebook()
    assert checked_solutions(nb) == {"ex-05-kl": 7}
    master = otter_master(nb, "05_sparse")
    raw = [c.source for c in master.cells if c.cell_type == "raw"]
    assert raw[0].startswith("# ASSIGNMENT CONFIG\nname: 05_sparse\n")
    assert raw[1:] == ["# BEGIN QUESTION\nname: ex-05-kl\npoints: 1\ncheck_cell: false",
                       "# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN TESTS",
                       "# END TESTS", "# END QUESTION"]
    text = "\n".join(c.source for c in master.cells)
    assert "SECRET" not in text and "{solution" not in text
    assert "**Your answer:**" in text, "the derivation became an answer cell"
    assert otter_master(nbformat.v4.new_notebook(), "empty") is None


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grader")
    path = folder / "05_sparse.ipynb"
    nbformat.write(_notebook(), path)
    master = export(path, folder / "out")
    return master.parent / "dist"


def _otter_run(dist, notebook, tmp_path):
    """Grade ``notebook`` with the real otter-grader; return {question: score}."""
    (zip_path,) = (dist / "autograder").glob("*.zip")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tmp_path.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(zip_path),
                    "-o", str(tmp_path), str(notebook)], check=True, env=env,
                   capture_output=True, text=True)
    results = json.loads((tmp_path / "results.json").read_text())
    return {test["name"]: test["score"] for test in results["tests"] if "score" in test}


def test_export_builds_an_autograder_and_a_student_notebook(exported):
    assert len(list((exported / "autograder").glob("*.zip"))) == 1
    student = nbformat.read(exported / "student" / "05_sparse.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "rho_hat" not in text and "SECRET" not in text and "BEGIN SOLUTION" not in text
    assert 'def kl_penalty(codes, rho):\n    """One number: the KL sparsity penalty."""\n' \
           '    ...' in text
    assert "exercises.check_kl_penalty(kl_penalty)" in text
    assert "grader.check" not in text


def test_otter_gives_the_reference_full_marks_and_the_stub_none(exported, tmp_path):
    reference = exported / "autograder" / "05_sparse.ipynb"
    assert _otter_run(exported, reference, tmp_path / "reference") == {"ex-05-kl": 1.0}
    student = exported / "student" / "05_sparse.ipynb"
    assert _otter_run(exported, student, tmp_path / "student") == {"ex-05-kl": 0.0}


def test_every_chapter_with_checked_exercises_exports(tmp_path):
    with_checks = [path for path in CHAPTERS
                   if checked_solutions(nbformat.read(path, as_version=4))]
    if not with_checks:
        pytest.skip("no chapter has a checked exercise yet")
    for path in with_checks:
        master = export(path, tmp_path)
        questions = [c for c in nbformat.read(master, as_version=4).cells
                     if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
        assert len(questions) == len(checked_solutions(nbformat.read(path, as_version=4)))
        assert list((master.parent / "dist" / "autograder").glob("*.zip"))
