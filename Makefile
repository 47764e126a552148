# The two commands of the README:
#   make demo   - set up everything, then run the demo on the embedded broker
#   make test   - set up everything, then run every check: lint, format, types, and the
#                 whole test suite (integration and fault tests included) with coverage

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint format typecheck pytest test-faults bench bench-pipeline clean chromium

$(STAMP): pyproject.toml hatch_build.py workers/core/dedup/_nearpath.pyx
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Headless Chromium for the dashboard's browser test and benchmark: Debian's packages, installed
# when missing (CI runs as root with apt access; elsewhere run this line as root once).
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver)

demo: $(STAMP)
	$(BIN)/raqib demo

# What CI runs (.ci/run): the static checks first (seconds), then the tests.
test: check pytest

check: lint format typecheck

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict

# Branch coverage of workers/, child processes included; fails under the floor in
# pyproject.toml ([tool.coverage.report] fail_under).
pytest: $(STAMP) chromium
	rm -f .coverage .coverage.*
	$(BIN)/python -m pytest --cov --cov-report=term

# Only the fault-injection scenarios (worker SIGKILLs, takeover, restart, broker pause),
# printing what they observe; `make test` runs them too.
test-faults: $(STAMP)
	$(BIN)/python -m pytest -m fault -s

# Figures of docs/benchmarks.md (benchmarks print ratios against baselines run in the same process)
bench: $(STAMP) chromium
	$(BIN)/python -m benchmarks.bench_parse
	$(BIN)/python -m benchmarks.eval_dedup
	$(BIN)/python -m benchmarks.bench_dedup
	$(BIN)/python -m benchmarks.eval_articles
	$(BIN)/python -m benchmarks.bench_dashboard

# End to end on the embedded broker (docs/benchmarks.md, "Pipeline, end to end"): about
# 6 minutes; `$(BIN)/python -m benchmarks.bench_pipeline --quick` for a smoke run
bench-pipeline: $(STAMP)
	$(BIN)/python -m benchmarks.bench_pipeline

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* htmlcov
