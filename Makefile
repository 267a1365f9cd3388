# The two commands of the README: `make report` (the main job) and `make test`.
# Each sets up what it needs (a virtual environment in .venv, Chromium for the browser tests)
# on first use; Jupyter's and IPython's state goes to a temporary folder, not the home directory.

VENV ?= .venv
BIN := $(VENV)/bin
REPORTS ?= reports
STATE := $(shell mktemp -d -u /tmp/eksplan-state-XXXXXX)
ISOLATE = JUPYTER_CONFIG_DIR=$(STATE)/jupyter-config JUPYTER_DATA_DIR=$(STATE)/jupyter-data \
	JUPYTER_RUNTIME_DIR=$(STATE)/jupyter-runtime IPYTHONDIR=$(STATE)/ipython XDG_CONFIG_HOME=$(STATE)/xdg-config \
	XDG_CACHE_HOME=$(STATE)/xdg-cache XDG_DATA_HOME=$(STATE)/xdg-data MPLCONFIGDIR=$(STATE)/matplotlib \
	JUPYTER_PLATFORM_DIRS=1

.PHONY: report test bench catalog notebooks setup clean

setup:
	@./scripts/bootstrap

report: setup
	@mkdir -p $(STATE)/ipython $(STATE)/jupyter-runtime
	@$(ISOLATE) $(BIN)/eksplan report examples -o $(REPORTS); status=$$?; rm -rf $(STATE); exit $$status

test: setup
	@./scripts/ensure-chromium
	@mkdir -p $(STATE)/ipython $(STATE)/jupyter-runtime
	@$(ISOLATE) EKSPLAN_TEST_STATE=$(STATE) $(BIN)/python -m pytest; status=$$?; rm -rf $(STATE); exit $$status

bench: setup
	$(BIN)/python benchmarks/bench_maxpods.py
	@mkdir -p $(STATE)/ipython $(STATE)/jupyter-runtime
	@$(ISOLATE) $(BIN)/python benchmarks/bench_fleet.py; status=$$?; rm -rf $(STATE); exit $$status

# Re-execute the notebooks so that their stored outputs (compared by nbval) are current.
notebooks: setup
	./scripts/refresh-notebooks

# Regenerate the bundled instance-type snapshot from moto's capture of EC2 data (see README).
catalog: setup
	$(BIN)/eksplan instance-types refresh --from-moto --captured 2026-10-27

clean:
	rm -rf $(VENV) $(REPORTS) test-output .hypothesis
