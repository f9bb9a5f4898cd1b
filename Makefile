# The README's two commands: `make run` and `make test`.
# Both create the virtual environment and install the package if it is missing.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BM     := $(VENV)/bin/bubblemachine
STAMP  := $(VENV)/.bubblemachine-installed
EXTRAS ?= dev,ray,market,web,fast

# Test workers (pytest-xdist): one per core by default; JOBS=1 runs the suite serially.
JOBS   ?= auto

.PHONY: run test test-fast venv bench lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bubblemachine needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

venv: $(STAMP)

## run: the main job on the embedded data (offline): monitor summary + out/report.html
run: $(STAMP)
	$(BM) run

## test: the whole test suite (no network), in parallel (one worker per core)
test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup

## test-fast: the inner loop: everything but the tests marked slow
test-fast: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup -m "not slow and not network" -q

## bench: every benchmark in benchmarks/ (results go to docs/benchmarks.md by hand)
bench: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(PY) -m ruff check src tests

clean:
	rm -rf $(VENV) out build dist .pytest_cache
