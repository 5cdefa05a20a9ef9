"""The course's wiring: table of contents, notebooks' stored outputs, the Colab cell,
the pinned environment against pyproject's ranges, Binder and CI files."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import types

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement

from tools.chapter_times import MAP_END, MAP_START, chapter_map, time_line
from tools.binder_env import BINDER_PYTHON, environment_yml
from tools.colab_cell import (COLAB_CELL_TAG, FORCE_ENV_VAR, SOURCE_ENV_VAR,
                              colab_cell_source)

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
# The widest code line the site's code box shows without a scroll bar in a 1,280-pixel-wide
# window (measured in Chromium: 78 characters overflow there, 77 fit).
MAX_CODE_LINE = 77


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_notebook_is_in_the_table_of_contents_and_every_entry_exists():
    toc = _toc_files()
    for notebook in NOTEBOOKS:
        assert str(notebook.relative_to(ROOT).with_suffix("")) in toc, notebook.name
    for entry in toc:
        assert list(ROOT.glob(entry + ".*")), f"_toc.yml names {entry}, which does not exist"
    # The chapters the tests below check are the table of contents' notebooks, all of them.
    listed = {entry for entry in toc if (ROOT / f"{entry}.ipynb").is_file()}
    assert listed == {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_executed_top_to_bottom_with_clean_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1)), \
        "run make notebooks"
    for index, cell in enumerate(code_cells):
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {index} stored an error"
            text = output.get("text", "")
            assert "\r" not in text, f"cell {index} stored a progress bar"
            assert output.get("name") != "stderr", f"cell {index} stored stderr: {text[:200]}"
            if output.output_type in ("display_data", "execute_result"):
                data = output["data"]
                assert not (set(data) == {"text/plain"} and "<Figure" in data["text/plain"]), \
                    f"cell {index} stored a figure as text, not as an image"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_ae_lib_before_tensorflow(path):
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    imports = re.findall(r"^\s*(?:from|import)\s+(ae_lib|keras|tensorflow)\b", source, re.M)
    assert imports and imports[0] == "ae_lib", \
        "import ae_lib first: it keeps TensorFlow's C++ log out of stored outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_the_current_colab_cell_hidden_on_the_site(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "code"
    assert first.source == colab_cell_source(), "run make notebooks to refresh the Colab cell"
    assert {"remove-cell", COLAB_CELL_TAG} <= set(first.metadata["tags"])
    assert sum(COLAB_CELL_TAG in c.metadata.get("tags", [])
               for c in nbformat.read(path, as_version=4).cells) == 1


def _git_ref_of(cell_source):
    """The git ref in the ``ae_lib @ git+URL@REF`` requirement a Colab cell installs."""
    requirement = Requirement(re.search(r'"(ae_lib @ git\+[^"]+)"', cell_source).group(1))
    url, _, ref = requirement.url.removeprefix("git+").rpartition("@")
    return url, ref


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_cell_installs_a_ref_this_repository_has(path):
    url, ref = _git_ref_of(nbformat.read(path, as_version=4).cells[0].source)
    assert url == CONFIG["repository"]["url"].rstrip("/")
    # The launch buttons open the notebook from this branch; the cell installs the same.
    assert ref == CONFIG["repository"]["branch"]
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet",
                            f"{ref}^{{commit}}"], capture_output=True, text=True)
    assert found.returncode == 0, f"the Colab cell installs {ref!r}, which this clone lacks"


def _run_colab_cell(monkeypatch, *, on_colab, source=None):
    monkeypatch.delenv(FORCE_ENV_VAR, raising=False)
    if source is None:
        monkeypatch.delenv(SOURCE_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(SOURCE_ENV_VAR, source)
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    namespace = {}
    exec(compile(colab_cell_source(), "colab-cell", "exec"), namespace)
    return namespace


def test_colab_cell_does_nothing_outside_colab(monkeypatch):
    # A source that cannot install: if the cell tried, it would raise.
    namespace = _run_colab_cell(monkeypatch, on_colab=False, source="ae_lib @ file:///nowhere")
    assert "pip" not in namespace and "AE_LIB" not in namespace


def test_colab_cell_stops_with_one_clear_message_when_the_install_fails(monkeypatch, tmp_path):
    source = f"ae_lib @ git+file://{tmp_path}/no-such-repository@main"
    with pytest.raises(RuntimeError) as failure:
        _run_colab_cell(monkeypatch, on_colab=True, source=source)
    message = str(failure.value)
    assert message.startswith(f"Could not install the course's helper package ({source})")
    assert "pip said:" in message and "no-such-repository" in message
    assert "Restart session and run this cell again" in message


def test_the_version_has_one_source_that_the_package_build_reads():
    import ae_lib
    from setuptools.config.expand import read_attr

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    # What setuptools reads when it builds the package (statically: without TensorFlow).
    attribute = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert read_attr(attribute, root_dir=ROOT) == ae_lib.__version__


def _pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in
            project["dependencies"] + extras["cpu"] + extras["book"] + extras["test"]]


def _lock():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_the_lock_pins_every_dependency_within_pyprojects_ranges():
    pins = _lock()
    for requirement in _pyproject_requirements():
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{requirement.name} is not in requirements.lock; run make lock"
        assert requirement.specifier.contains(pins[name]), \
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement}; run make lock"


def test_the_lock_has_the_cpu_build_of_tensorflow_only():
    pins = _lock()
    assert "tensorflow-cpu" in pins and "tensorflow" not in pins


def test_binder_installs_exactly_the_locked_versions():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    dependencies = environment["dependencies"]
    assert f"python={BINDER_PYTHON}" in dependencies
    pip_lines = next(d["pip"] for d in dependencies if isinstance(d, dict))
    binder = {re.sub(r"[-_.]+", "-", Requirement(line).name).lower(): str(Requirement(line).specifier)
              for line in pip_lines}
    assert binder == {name: f"=={version}" for name, version in _lock().items()}, \
        "environment.yml differs from requirements.lock: run python -m tools.binder_env --write"
    assert (ROOT / "environment.yml").read_text() == environment_yml()


def _stub_commands(folder, *names):
    """Executables in ``folder`` that append their name, arguments and AE_LIB_OFFLINE to a log."""
    folder.mkdir(exist_ok=True)
    log = folder / "calls.log"
    for name in names:
        stub = folder / name
        stub.write_text('#!/bin/sh\necho "$(basename "$0") $* [offline=${AE_LIB_OFFLINE:-}]" '
                        f'>> "{log}"\n' + ("exit 1\n" if name == "dpkg" else "exit 0\n"))
        stub.chmod(0o755)
    return log


def test_binder_installs_the_package_after_the_environment_and_gets_the_data(tmp_path):
    # repo2docker builds environment.yml before it copies the repository: no "-e ." there.
    # Run postBuild as repo2docker does (from the checkout) with a stand-in for python.
    log = _stub_commands(tmp_path / "bin", "python")
    subprocess.run([str(ROOT / "postBuild")], cwd=ROOT, check=True, timeout=60,
                   env={**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"})
    assert log.read_text().splitlines() == [
        "python -m pip install --no-deps --editable . [offline=" +
        os.environ.get("AE_LIB_OFFLINE", "") + "]"]
    # repo2docker installs each line of apt.txt as a Debian package.
    assert "dataset-fashion-mnist" in (ROOT / "apt.txt").read_text().split()


def test_binder_start_script_sets_the_memory_setting_and_runs_the_server():
    # repo2docker runs ./start with the server's command line as its arguments.
    done = subprocess.run([str(ROOT / "start"), sys.executable, "-c",
                           "import os; print(os.environ['MALLOC_ARENA_MAX'])"],
                          capture_output=True, text=True, timeout=30,
                          env={k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"})
    assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr


def test_book_configuration_shows_committed_outputs_and_launches_the_right_repository():
    assert CONFIG["execute"]["execute_notebooks"] == "off"
    assert CONFIG["repository"]["branch"] == "main"
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    assert CONFIG["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    for bib in CONFIG["bibtex_bibfiles"]:
        assert (ROOT / bib).is_file()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_builds_strictly_then_runs_the_unit_tests_and_every_notebook():
    # What make would run (-n: print, do not run), as make itself expands the Makefile.
    dry_run = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True,
                             text=True, check=True, timeout=60).stdout.splitlines()
    build = [i for i, line in enumerate(dry_run)
             if "jupyter-book build . -W -n --keep-going --all" in line]
    tests = [i for i, line in enumerate(dry_run) if "-m pytest tests" in line]
    assert len(build) == 1 and len(tests) == 1 and build[0] < tests[0]
    pytest_line = dry_run[tests[0]].split()
    assert "--nbval" in pytest_line
    assert {str(p.relative_to(ROOT)) for p in NOTEBOOKS} <= set(pytest_line)


def test_the_ci_script_installs_the_data_and_runs_make_test_offline(tmp_path):
    # Stand-ins: dpkg says nothing is installed; apt-get, sudo and make only log.
    log = _stub_commands(tmp_path / "bin", "dpkg", "apt-get", "make", "chromium")
    sudo = tmp_path / "bin" / "sudo"
    sudo.write_text('#!/bin/sh\nexec "$@"\n')
    sudo.chmod(0o755)
    environment = {key: value for key, value in os.environ.items() if key != "AE_LIB_OFFLINE"}
    subprocess.run([str(ROOT / ".ci" / "run")], check=True, timeout=60, capture_output=True,
                   env={**environment, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"})
    calls = log.read_text().splitlines()
    install = next(call for call in calls if call.startswith("apt-get") and "install" in call)
    assert "dataset-fashion-mnist" in install.split()
    assert calls[-1] == "make test [offline=1]"
    assert calls.index(install) < len(calls) - 1


def test_every_citation_key_used_in_the_book_is_in_the_bibliography():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    texts = [p.read_text() for p in (ROOT / "book").glob("*.md")]
    texts += [json.dumps(json.loads(p.read_text())["cells"]) for p in NOTEBOOKS]
    cited = {key for text in texts for key in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text)}
    cited = {k.strip() for group in cited for k in group.split(",")}
    assert cited, "the chapters cite nothing"
    assert cited <= keys, f"cited but not in references.bib: {cited - keys}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_sites_code_box(path):
    nb = nbformat.read(path, as_version=4)
    long_lines = [f"cell {index}: {line}" for index, cell in enumerate(nb.cells)
                  if cell.cell_type == "code" and COLAB_CELL_TAG not in cell.metadata.get("tags", [])
                  for line in cell.source.splitlines() if len(line) > MAX_CODE_LINE]
    assert not long_lines, f"lines over {MAX_CODE_LINE} characters scroll on the site:\n" + "\n".join(long_lines)


REQUIRED_SOURCES = {"hinton2006reducing", "vincent2008extracting", "vincent2010stacked",
                    "bengio2007greedy", "ng2011sparse", "baldi1989neural", "goodfellow2016deep",
                    "makhzani2013ksparse", "xiao2017fashion", "kingma2013auto"}


def test_the_primary_sources_are_in_the_bibliography_and_cited():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    assert REQUIRED_SOURCES <= keys, REQUIRED_SOURCES - keys
    texts = "\n".join([p.read_text() for p in (ROOT / "book").glob("*.md")]
                      + [json.dumps(json.loads(p.read_text())["cells"]) for p in NOTEBOOKS])
    uncited = {key for key in REQUIRED_SOURCES if not re.search(rf"\{{cite\}}`[^`]*{key}", texts)}
    assert not uncited, f"in references.bib but cited nowhere: {uncited}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_opens_with_objectives_prerequisites_and_its_measured_time(path):
    box = nbformat.read(path, as_version=4).cells[2].source
    assert box.startswith(":::{admonition} At a glance")
    assert "**Learning objectives.**" in box and "**Prerequisites:**" in box
    time_lines = [line for line in box.splitlines() if line.startswith("**Time:**")]
    assert time_lines == [time_line(path)], \
        "run make notebooks (or python -m tools.chapter_times --write) to refresh it"


def test_instructor_guide_chapter_map_quotes_the_measurements():
    guide = (ROOT / "book" / "instructors.md").read_text()
    start = guide.index(MAP_START) + len(MAP_START)
    assert guide[start:guide.index(MAP_END)].strip() == chapter_map().strip()
    recorded = json.loads((ROOT / "book" / "run_times.json").read_text())
    assert set(recorded) == {p.name for p in NOTEBOOKS}
    assert all(0 < row["seconds"] and 0 < row["peak_gib"] for row in recorded.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_ends_with_takeaways_then_exercises_and_links_the_glossary(path):
    markdown = [c.source for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "markdown"]
    headings = [line for text in markdown for line in text.splitlines()
                if line.startswith("## ")]
    assert headings[-2:] == ["## Key takeaways", "## Exercises"]
    glossary = (ROOT / "book" / "glossary.md").read_text().lower()
    entries = set(re.findall(r"^(\S.*)$", glossary.split(":::{glossary}")[1], re.M))
    terms = [m.group(2) or m.group(1) for text in markdown
             for m in re.finditer(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`", text)]
    assert terms, "the chapter links no glossary term"
    assert {t.strip().lower() for t in terms} <= entries
