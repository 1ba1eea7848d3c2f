# The two set-up commands are `make demo` and `make test`; both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest browser clean mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cmo code corpus
	$(BIN)/cmo merge corpus
	$(BIN)/cmo synthesise northcliffe-connect riverside-bridges
	$(BIN)/cmo compare northcliffe-connect riverside-bridges
	$(BIN)/cmo report northcliffe-connect riverside-bridges --out reports/demo.html

lint: $(STAMP)
	$(BIN)/ruff check cmo tests benchmarks tools
	$(BIN)/ruff format --check cmo tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

# The HTML report's test opens it in a real headless browser: Debian's chromium, installed when we can.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: chromium is missing (apt-get install chromium); the browser test will be skipped"; \
	  fi; }

test: browser lint typecheck pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

# Speed as ratios against references measured in the same run; writes benchmarks/RESULTS.md (at most 10 minutes on
# 2 cores). `make bench ONLY=theories,merge` measures those sections alone and writes to the temporary folder.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(if $(ONLY),--only $(ONLY))

# Mutation testing of the core (docs/testing.md), not run in CI; one module: `make mutation MODULES=cmo/evidence.py`.
# Its own venv: mutmut needs a newer rich than the `test` extra's qualitative-coding allows.
MUTATION_VENV := .venv-mutation
MODULES ?=
$(MUTATION_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MUTATION_VENV)/bin/python -m pip install --quiet -e '.[mutation]'
	touch $@

mutation: $(MUTATION_VENV)/.installed
	$(MUTATION_VENV)/bin/python tools/mutation.py $(MODULES)
