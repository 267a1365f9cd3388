# The two commands of the README: `make report` (the main job) and `make test`.
# Each sets up what it needs (a virtual environment in .venv) on first use.

VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: report test bench catalog setup clean

setup:
	@./scripts/bootstrap

report: setup
	$(BIN)/eksplan max-pods --all --format text

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/bench_maxpods.py

# Regenerate the bundled instance-type snapshot from moto's capture of EC2 data (see README).
catalog: setup
	$(BIN)/eksplan instance-types refresh --from-moto --captured 2026-10-27

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
