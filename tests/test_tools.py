"""The notebook tooling on a small real notebook: execution, measurements, the Colab cell."""

from __future__ import annotations

import nbformat

from tools.colab_cell import COLAB_CELL_TAG, colab_cell_source, write_colab_cell
from tools.run_notebooks import peak_rss_bytes, run_notebook


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_run_notebook_executes_in_order_and_measures_time_and_memory(tmp_path):
    path = _notebook(tmp_path / "tiny.ipynb", "big = bytearray(200 * 2**20)", "print(len(big) // 2**20)")
    seconds, peak = run_notebook(path)
    nb = nbformat.read(path, as_version=4)
    assert [cell.execution_count for cell in nb.cells] == [1, 2]
    assert nb.cells[1].outputs[0].text == "200\n"
    assert seconds > 0
    assert peak > 200 * 2**20  # the kernel's peak includes the 200 MiB it allocated


def test_the_peak_includes_what_the_last_cell_allocated(tmp_path):
    path = _notebook(tmp_path / "last.ipynb", "x = 1", "big = bytearray(300 * 2**20)")
    seconds, peak = run_notebook(path)
    assert peak > 300 * 2**20


def test_peak_rss_is_measured_while_a_process_runs_and_none_once_it_is_gone():
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; big = bytearray(150 * 2**20); "
         "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        assert peak_rss_bytes(child.pid) > 150 * 2**20
    finally:
        child.kill()
        child.wait()
    assert peak_rss_bytes(child.pid) is None


def test_write_colab_cell_replaces_an_old_cell_instead_of_adding_one(tmp_path):
    path = _notebook(tmp_path / "chapter.ipynb", "x = 1")
    assert write_colab_cell(path) is True
    written = path.read_bytes()
    # Already current: the file is left byte for byte, the cell keeps its id.
    assert write_colab_cell(path) is False and path.read_bytes() == written
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) == 2
    assert cells[0].source == colab_cell_source() and COLAB_CELL_TAG in cells[0].metadata.tags
    assert cells[1].source == "x = 1"
    # An outdated cell is replaced in place, under the same id.
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# an old Colab cell"
    nbformat.write(nb, path)
    assert write_colab_cell(path) is True
    cells = nbformat.read(path, as_version=4).cells
    assert [c.id for c in cells] == [c.id for c in nb.cells]
    assert cells[0].source == colab_cell_source()


def test_run_notebooks_names_a_missing_notebook_instead_of_a_traceback(tmp_path):
    import pathlib
    import subprocess
    import sys

    script = pathlib.Path(__file__).resolve().parent.parent / "tools" / "run_notebooks.py"
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "nope.ipynb")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no such notebook:" in result.stderr and "nope.ipynb" in result.stderr
    assert "Traceback" not in result.stderr


def test_record_merges_measurements_into_the_json_file(tmp_path):
    import json

    from tools.run_notebooks import record

    path = tmp_path / "run_times.json"
    record(path, {"b.ipynb": (12.345, 1.5 * 2**30)})
    record(path, {"a.ipynb": (3.0, 2**30), "b.ipynb": (10.0, None)})
    assert json.loads(path.read_text()) == {
        "a.ipynb": {"seconds": 3.0, "peak_gib": 1.0},
        "b.ipynb": {"seconds": 10.0, "peak_gib": None}}


def test_reading_time_counts_prose_and_code_but_not_solutions():
    from tools.chapter_times import reading_minutes, rounded_seconds

    nb = nbformat.v4.new_notebook()
    prose = " ".join(["word"] * 1500)  # 10 minutes at 150 words a minute
    nb.cells = [nbformat.v4.new_code_cell("# colab"), nbformat.v4.new_markdown_cell(prose),
                nbformat.v4.new_code_cell("\n".join(["x = 1"] * 150))]  # 10 minutes
    assert reading_minutes(nb) == 20
    nb.cells += [nbformat.v4.new_markdown_cell("```{solution-start} ex-1\n```"),
                 nbformat.v4.new_markdown_cell(prose),
                 nbformat.v4.new_code_cell("\n".join(["y = 2"] * 300)),
                 nbformat.v4.new_markdown_cell("```{solution-end}\n```")]
    assert reading_minutes(nb) == 20
    assert [rounded_seconds(s) for s in (0.5, 20.0, 20.1, 79.0)] == [10, 20, 30, 80]


def test_seeds_runs_a_chapter_at_another_seed_and_reports_a_failing_assert(tmp_path):
    from tools.seeds import run_at_seed

    path = _notebook(tmp_path / "chapter.ipynb", "def set_seed(n):\n    return n",
                     "SEED = set_seed(42)", "assert SEED != 7, f'fails at seed {SEED}'")
    assert run_at_seed(path, 1)[0] is True
    assert not (tmp_path / "_seed1_chapter.ipynb").exists()  # a passing copy is removed
    passed, detail = run_at_seed(path, 7)
    assert passed is False and "fails at seed 7" in detail
    assert (tmp_path / "_seed7_chapter.ipynb").exists()  # a failing copy is kept to read
    # The chapter itself is untouched.
    assert "set_seed(42)" in nbformat.read(path, as_version=4).cells[1].source


def test_seeds_refuses_a_notebook_without_exactly_one_seed_line(tmp_path):
    import pytest

    from tools.seeds import with_seed

    nb = nbformat.read(_notebook(tmp_path / "a.ipynb", "x = 1"), as_version=4)
    with pytest.raises(ValueError, match="found 0"):
        with_seed(nb, 3)
