# The two commands of the README:
#   make demo   - set up everything, then run the demo on the embedded broker
#   make test   - set up everything, then run the whole test suite (integration tests included)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint typecheck bench clean

$(STAMP): pyproject.toml hatch_build.py workers/core/dedup/_nearpath.pyx
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/raqib demo

test: $(STAMP)
	$(BIN)/python -m pytest

# Only the fault-injection scenarios (worker SIGKILLs, takeover, restart); `make test` runs them too.
test-faults: $(STAMP)
	$(BIN)/python -m pytest -m fault -s

lint: $(STAMP)
	$(BIN)/ruff check workers tests

typecheck: $(STAMP)
	$(BIN)/mypy

# Figures quoted in the README (benchmarks print ratios against baselines run in the same process)
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_parse
	$(BIN)/python -m benchmarks.eval_dedup
	$(BIN)/python -m benchmarks.bench_dedup

check: lint typecheck test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
