# The autoencoders course. `make help` lists the targets.
# Everything runs inside .venv, created from requirements.lock on first use.

PYTHON ?= python3
# Colab's Python, for the Colab twin (make colab-check): pyenv's 3.13, or python3.13 on PATH.
COLAB_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
                            $(shell command -v python3.13 2>/dev/null))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg \
               --nbval-cell-timeout=900
STRICT_BUILD := -W -n --keep-going --all
# TensorFlow's C++ log lines would otherwise land in stored outputs, whatever the import order.
export TF_CPP_MIN_LOG_LEVEL ?= 3
# Two glibc malloc arenas instead of one per thread: about 0.1 GiB less peak memory per
# chapter, as on Binder (see the start script).
export MALLOC_ARENA_MAX ?= 2

LIGHTHOUSE_DIR := tools/lighthouse
LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.installed

.PHONY: help venv web-assets lighthouse book test notebooks student grader bench serve clean distclean lock \
        colab-check check-python seeds

help:
	@echo "make book       build the static site into _build/html"
	@echo "make test       unit tests + nbval over every notebook + strict site build"
	@echo "                + the built site in headless Chromium and Lighthouse, offline"
	@echo "make notebooks  re-execute every notebook top to bottom and save its outputs"
	@echo "make student    write student notebooks (solutions removed) into student/"
	@echo "make grader     export the checked exercises for otter-grader into grader/"
	@echo "                (autograder zips + student notebooks; grade: otter run -a ZIP NB)"
	@echo "make colab-check  run every chapter on Colab's Python and package versions"
	@echo "                (tools/colab/constraints.txt), ae_lib installed by the Colab cell"
	@echo "make seeds      run every chapter at global seeds 1 and 7: do its asserts hold?"
	@echo "make bench      time and measure every notebook, the build and the site's pages"
	@echo "                (weights, Lighthouse); write book/appendix_performance.md"
	@echo "                (BENCH_FLAGS=--reuse-run-times: chapters as make notebooks timed them)"
	@echo "make serve      serve _build/html on http://localhost:8000"
	@echo "make lock       re-resolve requirements.lock from pyproject.toml"
	@echo "make clean      remove _build, student and grader (distclean: also .venv,"
	@echo "                _web_assets, tools/lighthouse/node_modules)"

# One clear line instead of a pip resolution error on an unsupported Python.
PYTHON_OK = $(shell $(PYTHON) -c 'import sys; print((3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null)
check-python:
	$(if $(filter True,$(PYTHON_OK)),@true,$(error the course needs Python 3.11, 3.12 or 3.13, \
	  and PYTHON=$(PYTHON) is $(or $(shell $(PYTHON) --version 2>/dev/null),not found); \
	  run make PYTHON=python3.12 (or another supported version)))

$(STAMP): requirements.lock pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $@

venv: $(STAMP)

# KaTeX (the math, typeset when the site is built), pinned, from the npm registry (not committed).
web-assets: $(STAMP)
	$(BIN)/python tools/web_assets.py

# Lighthouse for the site's audits, pinned by tools/lighthouse/package-lock.json, from the
# npm registry into tools/lighthouse/node_modules (not committed). Needs Node.js 18+ and npm.
lighthouse: $(LIGHTHOUSE)

$(LIGHTHOUSE): $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	cd $(LIGHTHOUSE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

book: $(STAMP) web-assets
	$(BIN)/jupyter-book build .
	@echo "The site is in _build/html; open _build/html/index.html or run make serve."

# The strict build comes first so that pytest's summary is the last line (after the 20
# slowest tests, to see where the time goes). The wall time
# of a passing run is kept for make bench (_build/make-test-seconds).
test: $(STAMP) web-assets lighthouse
	@date +%s > .make-test-start
	$(BIN)/jupyter-book build . $(STRICT_BUILD)
	$(BIN)/python -m pytest tests $(NOTEBOOKS) $(NBVAL_FLAGS) --durations=20
	@echo $$(( $$(date +%s) - $$(cat .make-test-start) )) > _build/make-test-seconds; rm -f .make-test-start

notebooks: $(STAMP)
	$(BIN)/python tools/colab_cell.py --write $(NOTEBOOKS)
	$(BIN)/python tools/run_notebooks.py --record book/run_times.json $(NOTEBOOKS)
	$(BIN)/python -m tools.chapter_times --write

colab-check: $(STAMP)
	@test -n "$(COLAB_PYTHON)" || { echo "make: colab-check needs Python 3.13 (pyenv install" \
	  "3.13, or set COLAB_PYTHON=/path/to/python3.13)"; exit 1; }
	$(BIN)/python -m tools.colab_check --python $(COLAB_PYTHON)

student: $(STAMP)
	$(BIN)/python tools/student.py --out student $(NOTEBOOKS)

grader: $(STAMP)
	$(BIN)/python -m tools.grader --out grader $(NOTEBOOKS)

seeds: $(STAMP)
	$(BIN)/python -m tools.seeds --seeds 1 7 $(NOTEBOOKS)

bench: $(STAMP) web-assets lighthouse
	$(BIN)/python -m tools.bench --out book/appendix_performance.md $(BENCH_FLAGS)

serve: $(STAMP)
	$(BIN)/python -m http.server --directory _build/html 8000

# Resolve the newest versions pyproject.toml allows in a scratch venv and pin them.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet ".[cpu,book,test]"
	echo "# Generated by make lock from pyproject.toml; do not edit by hand." > requirements.lock
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -vi "^ae.lib" >> requirements.lock
	rm -rf .lock-venv
	$(PYTHON) -m tools.binder_env --write

clean:
	rm -rf _build student grader

distclean: clean
	rm -rf $(VENV) .colab-venv .pytest_cache _web_assets $(LIGHTHOUSE_DIR)/node_modules
