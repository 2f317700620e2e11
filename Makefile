# The front door. `make serve` and `make test` are the two README commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

# The torch build: auto (CUDA where an NVIDIA driver answers, else CPU), cpu or cuda.
# Override per command (make serve TORCH=cpu) or in the environment.
TORCH ?= auto
TORCH_VARIANT := $(shell $(PYTHON) -m sitelib.timings.host torch-variant $(TORCH))
ifeq ($(TORCH_VARIANT),)
$(error TORCH=$(TORCH): cannot choose a torch build (see the message above))
endif
LOCK := $(if $(filter cuda,$(TORCH_VARIANT)),constraints-cuda.txt,constraints.txt)
VARIANT_FILE := $(VENV)/.torch-variant

.PHONY: install serve build check test bench timings merge-timings execute merge-executions cuda-lock publish clean translations-current FORCE

# Reinstall only when the pins or the torch build change.
$(STAMP): pyproject.toml $(LOCK) $(VARIANT_FILE)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test]"
	touch $(STAMP)

# Rewritten only when the chosen build differs from the installed one.
$(VARIANT_FILE): FORCE
	@mkdir -p $(VENV)
	@echo $(TORCH_VARIANT) | cmp -s - $@ || echo $(TORCH_VARIANT) > $@

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve

build: $(STAMP)
	$(BIN)/mkdocs build --strict

# The authors' fast loop: doctests and unit tests; no site build, browser, server,
# kernel or recorder process (make test runs those too).
check: $(STAMP)
	$(BIN)/python -m pytest -m "not build and not browser and not slow"

test: $(STAMP)
	scripts/ensure_chromium.sh
	$(BIN)/python -m pytest

# make bench RUNS=3: medians of 3 rounds (default 5), with the peers (plain Material, mkdocs-gallery)
RUNS ?= 5
bench: $(STAMP)
	$(BIN)/python scripts/bench_build.py --runs $(RUNS)

timings: $(STAMP)
	$(BIN)/python scripts/record_timings.py

# After bringing translations up to date with their English pages: make translations-current [PAGES="a.md b.md"]
translations-current: $(STAMP)
	$(BIN)/python scripts/translations_current.py --lang zh $(PAGES)

# Add a record made elsewhere (e.g. by scripts/gpu_check.sh): make merge-timings FILE=out/timings.json
merge-timings:
	$(if $(FILE),,$(error FILE=path/to/timings.json is required))
	$(PYTHON) scripts/record_timings.py --merge $(FILE)

# Execute the examples here into a folder, as a GPU machine or a CI shard does (no MkDocs needed there):
# make execute DIR=out/cpu [SHARD=1/2]; then store them: make merge-executions DIR="out/cpu out/gpu"
execute: $(STAMP)
	$(if $(DIR),,$(error DIR=path/to/folder is required))
	$(BIN)/python scripts/execute_examples.py $(DIR) --shard $(or $(SHARD),1/1)

merge-executions: $(STAMP)
	$(if $(DIR),,$(error DIR=path/to/folder (one or more, in quotes) is required))
	$(BIN)/python scripts/merge_executions.py $(DIR)

# Re-resolve the CUDA lock on PyPI alone (pip config, local wheels and installed packages
# ignored); pip reads metadata only and installs nothing. Review the result with git diff.
cuda-lock: $(STAMP)
	mkdir -p artifacts
	sed -e 's/^torch==\(.*\)+cpu$$/torch===\1/' constraints.txt > artifacts/cuda-requirements.txt
	PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip install --dry-run --ignore-installed --quiet \
		--index-url https://pypi.org/simple --report artifacts/cuda-resolution.json \
		-r artifacts/cuda-requirements.txt
	$(BIN)/python -m sitelib.timings.host cuda-lock artifacts/cuda-resolution.json constraints-cuda.txt

publish: test
	$(BIN)/mkdocs gh-deploy --strict --force

clean:
	rm -rf site .cache artifacts
