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


def test_peak_rss_of_a_missing_process_is_none():
    assert peak_rss_bytes(2**22 + 12345) is None


def test_write_colab_cell_replaces_an_old_cell_instead_of_adding_one(tmp_path):
    path = _notebook(tmp_path / "chapter.ipynb", "x = 1")
    write_colab_cell(path)
    write_colab_cell(path)
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) == 2
    assert cells[0].source == colab_cell_source() and COLAB_CELL_TAG in cells[0].metadata.tags
    assert cells[1].source == "x = 1"


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
