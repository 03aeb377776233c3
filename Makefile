# exactrelu — every target bootstraps through `setup` (idempotent; quick when already done).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export SYMPY_GROUND_TYPES ?= flint
export MPLBACKEND ?= Agg

.PHONY: setup test fuzz demo bench bench-peers proofs lint docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if ! { [ -x $(PY) ] && $(PY) -c "import cdd.gmp" 2>/dev/null; } && [ ! -e /usr/include/cddlib/setoper.h ]; then \
	  echo "== installing libcdd-dev libgmp-dev (pycddlib compiles its exact cdd.gmp against them)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libcdd-dev libgmp-dev; \
	fi
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -c "import cdd.gmp, flint, sympy; print('exact engines ok: cdd.gmp, flint', flint.__version__, 'sympy', sympy.__version__)"
	@touch $(STAMP)

test: setup
	$(PY) -m pytest -m "not slow" --nbmake notebooks tests exactrelu -p no:cacheprovider

demo: setup
	$(VENV)/bin/exactrelu demo

fuzz: setup
	EXACTRELU_FUZZ_EXAMPLES=50 $(PY) -m pytest tests/test_fuzz.py -p no:cacheprovider -q

bench: setup
	$(PY) -m benchmarks

# Installs the peer package relucent (the `peers` extra; gurobipy comes with a free size-limited licence) and runs
# the benchmarks with it side by side.  EXACTRELU_RELUCENT_FIXTURES=DIR runs relucent's own trained fixtures.
bench-peers: setup
	$(PY) -m pip install -q -e '.[peers]' || echo "bench-peers: relucent could not be installed; its columns will say why"
	$(PY) -m benchmarks --peers

proofs: setup
	$(PY) -m proofs_checks

lint: setup
	$(VENV)/bin/ruff check exactrelu tests proofs_checks benchmarks lint docs/conf.py
	$(PY) lint/check_layers.py

DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install -q -e '.[dev,docs]'
	@touch $(DOCS_STAMP)

# The documentation site (docs/_build/html): warnings are errors; notebooks are executed (cached in docs/_build).
docs: setup $(DOCS_STAMP)
	@$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html 2> >(grep -v 'Kernel is running over TCP' >&2) \
	  || { echo "make docs: FAILED, every problem is listed above with its file and docstring (docstrings are reST:" \
	       "put |x|, *, trailing _ inside double backquotes)"; exit 1; }
	@echo "docs built: docs/_build/html/index.html"

clean:
	rm -rf $(VENV) exactrelu-report .pytest_cache docs/_build docs/_generated
