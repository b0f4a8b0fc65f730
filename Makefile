# tracejit developer Makefile.
#
#   make setup      create/refresh .venv-3.X for every supported CPython found
#   make test       run the test suite on every venv (PYTEST_ARGS=... to add args); installs Debian's
#                   chromium first, where it can, for the report's browser test (tools/install-browser)
#   make stdlib-tests  CPython's own tests plain vs. under the JIT (threshold=1) on every venv
#                   (tools/stdlib_tests.py; STDLIB_TESTS_ARGS=... to add args, e.g. --tracing or modules)
#   make fuzz       differential fuzzer on every venv: N programs from seed SEED (default 10000 from 0);
#                   failures are shrunk and saved under tests/corpus/ (FUZZ_ARGS=... to add args)
#   make demo       time examples/demo.py plain vs. under tracejit (+ JIT stats)
#   make bench      pyperf benchmarks on the main venv: whole processes (bench/run.py), steady state
#                   (bench/steady.py), per-entry and compile overheads (bench/overheads.py)
#   make bench-all  the same on every venv
#   make bench-real real programs (pyperformance, Benchmarks Game, textbook algorithms) plain vs. under
#                   tracejit on the main venv (bench/realworld/run.py; REAL_ARGS=... e.g. --quick, --only NAME)
#   make traces     dump the traces of the examples into traces/
#   make report     the trace visualizer's HTML report of examples/demo.py in build/report.html
#   make clean      remove caches and build artefacts (distclean: also venvs)
#
# Interpreters are found by tools/find-pythons (python3.X on PATH, then pyenv).
# Restrict to some versions with e.g. `make test PYVERSIONS="3.12 3.13"`.
# The "main" interpreter (demo, bench, traces) is 3.12 if found, else the
# newest one; override with MAIN_VERSION=3.X.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

PYTEST_ARGS ?=
STDLIB_TESTS_ARGS ?=
N ?= 10000
SEED ?= 0
FUZZ_ARGS ?=
BENCH_ARGS ?=
REAL_ARGS ?=

# --- interpreter discovery --------------------------------------------------
# "3.11=/path/python3.11 3.12=/path/python3.12 ..." (diagnostics dropped here;
# the check-pythons target shows them when nothing is found).
FOUND_PYTHONS := $(shell tools/find-pythons --with-version 2>/dev/null)
ALL_VERSIONS := $(foreach e,$(FOUND_PYTHONS),$(firstword $(subst =, ,$(e))))
ifdef PYVERSIONS
VERSIONS := $(filter $(PYVERSIONS),$(ALL_VERSIONS))
else
VERSIONS := $(ALL_VERSIONS)
endif
base_python = $(patsubst $(1)=%,%,$(filter $(1)=%,$(FOUND_PYTHONS)))

MAIN_VERSION ?= $(if $(filter 3.12,$(VERSIONS)),3.12,$(lastword $(VERSIONS)))
MAIN_VENV := .venv-$(MAIN_VERSION)
PY := $(MAIN_VENV)/bin/python

# --- virtual environments ---------------------------------------------------
# .venv-3.X/.tracejit-stamp records the repo path the editable install points
# at; it is rebuilt when pyproject.toml (or tracejit/__init__.py) changes, when
# the stamp belongs to another checkout, or when the venv no longer works.
STAMP_NAME := .tracejit-stamp
stamp = .venv-$(1)/$(STAMP_NAME)
venv_works = $(shell .venv-$(1)/bin/python -I -c 'import sys, pip; \
	sys.exit("%d.%d" % sys.version_info[:2] != "$(1)")' >/dev/null 2>&1 && echo yes)
stamp_current = $(and $(wildcard $(call stamp,$(1))),$(filter $(CURDIR),$(shell cat $(call stamp,$(1)) 2>/dev/null)))

define venv_rule
$(call stamp,$(1)): pyproject.toml $(wildcard tracejit/__init__.py) $(if $(and $(call venv_works,$(1)),$(call stamp_current,$(1))),,FORCE) | check-pythons
	@set -e; venv=.venv-$(1); \
	if ! "$$$$venv/bin/python" -I -c 'import sys, pip; sys.exit("%d.%d" % sys.version_info[:2] != "$(1)")' >/dev/null 2>&1; then \
	    echo "setup: creating $$$$venv with $(call base_python,$(1))"; \
	    rm -rf "$$$$venv"; \
	    "$(call base_python,$(1))" -m venv "$$$$venv"; \
	fi; \
	echo "setup: installing tracejit[test,bench] (editable) into $$$$venv"; \
	"$$$$venv/bin/python" -m pip install -q --disable-pip-version-check -e '.[test,bench]'; \
	echo "$(CURDIR)" > $$@
endef
$(foreach v,$(VERSIONS),$(eval $(call venv_rule,$(v))))

.PHONY: help setup browser test stdlib-tests fuzz demo bench bench-all bench-real traces report clean distclean check-pythons FORCE
FORCE:

help:
	@sed -n '3,18p' Makefile | sed 's/^# \{0,1\}//'
	@echo "Interpreters found: $(if $(VERSIONS),$(VERSIONS),NONE) (main: $(MAIN_VERSION))"

check-pythons:
	@if [ -z "$(strip $(VERSIONS))" ]; then \
	    tools/find-pythons >/dev/null; \
	    echo "error: no supported CPython interpreter found$(if $(PYVERSIONS), among PYVERSIONS=$(PYVERSIONS))" >&2; \
	    exit 1; \
	fi

# The JIT's own modules are compiled to bytecode caches here, for every venv: the recorder and the backend are
# imported inside the user's program when its first loop gets hot, and where Python may not write the caches
# itself (PYTHONDONTWRITEBYTECODE, a read-only checkout) each import would compile them again (about 130 ms
# instead of 25). Only sources changed since the last run are compiled. The backend's check of the iced-x86
# extension against its table of names (3-5 ms) is kept beside those caches the same way: its first import does it.
# $(call write_caches,PYTHON,VERSION): those caches and that check for one interpreter (setup, demo)
write_caches = env -u PYTHONDONTWRITEBYTECODE $(1) -m compileall -q tracejit >/dev/null || \
	    echo "setup: warning: could not write tracejit's bytecode caches for $(2)" >&2; \
	env -u PYTHONDONTWRITEBYTECODE $(1) -c "import tracejit.backend.iced" || \
	    echo "setup: warning: could not check the instruction encoder's extension for $(2)" >&2
setup: check-pythons $(foreach v,$(VERSIONS),$(call stamp,$(v)))
	@for v in $(VERSIONS); do \
	    $(call write_caches,.venv-$$v/bin/python,$$v); \
	done
	@echo "setup: ready: $(foreach v,$(VERSIONS),.venv-$(v))"

browser:
	@tools/install-browser

test: setup browser
	@status=0; summary=""; \
	for v in $(VERSIONS); do \
	    echo "===================== Python $$v ====================="; \
	    if .venv-$$v/bin/python -X faulthandler -m pytest -q $(PYTEST_ARGS); then \
	        res="PASS"; \
	    else \
	        rc=$$?; res="FAIL (pytest exit code $$rc)"; status=1; \
	    fi; \
	    summary="$$summary"$$'\n'"  Python $$v ($$(.venv-$$v/bin/python -c 'import platform; print(platform.python_version())')): $$res"; \
	done; \
	echo; echo "===================== test summary ====================="; \
	echo "$${summary#$$'\n'}"; \
	exit $$status

stdlib-tests: setup
	@status=0; summary=""; \
	for v in $(VERSIONS); do \
	    echo "===================== Python $$v ====================="; \
	    if .venv-$$v/bin/python tools/stdlib_tests.py --json build/stdlib-tests/py$$v.json $(STDLIB_TESTS_ARGS); then \
	        res="same outcomes plain and under the JIT"; \
	    else \
	        rc=$$?; res="DIFFERS (exit code $$rc, see build/stdlib-tests/py$$v/)"; status=1; \
	    fi; \
	    summary="$$summary"$$'\n'"  Python $$v ($$(.venv-$$v/bin/python -c 'import platform; print(platform.python_version())')): $$res"; \
	done; \
	echo; echo "===================== stdlib-tests summary ====================="; \
	echo "$${summary#$$'\n'}"; \
	exit $$status

fuzz: setup
	@status=0; summary=""; \
	for v in $(VERSIONS); do \
	    echo "===================== Python $$v ====================="; \
	    if .venv-$$v/bin/python -m fuzz --count $(N) --seed $(SEED) --save $(FUZZ_ARGS); then \
	        res="no mismatch, crash or hang in $(N) programs"; \
	    else \
	        res="FAILURES (see above; reproducers saved under tests/corpus/)"; status=1; \
	    fi; \
	    summary="$$summary"$$'\n'"  Python $$v: $$res"; \
	done; \
	echo; echo "===================== fuzz summary ====================="; \
	echo "$${summary#$$'\n'}"; \
	exit $$status

demo: check-pythons $(call stamp,$(MAIN_VERSION))
	@$(call write_caches,$(PY),$(MAIN_VERSION))
	@$(PY) tools/demo_timing.py $(PY) examples/demo.py

bench: check-pythons $(call stamp,$(MAIN_VERSION))
	$(PY) bench/run.py $(BENCH_ARGS)
	rm -f bench/results/steady.py$(MAIN_VERSION).json
	$(PY) bench/steady.py --fast --quiet -o bench/results/steady.py$(MAIN_VERSION).json
	$(PY) bench/overheads.py

bench-all: setup
	@status=0; for v in $(VERSIONS); do \
	    echo "===================== Python $$v ====================="; \
	    .venv-$$v/bin/python bench/run.py $(BENCH_ARGS) || status=1; \
	done; exit $$status

bench-real: check-pythons $(call stamp,$(MAIN_VERSION))
	$(PY) bench/realworld/run.py $(REAL_ARGS)

traces: check-pythons $(call stamp,$(MAIN_VERSION))
	$(PY) -m tracejit.tools.dump_traces examples traces

report: check-pythons $(call stamp,$(MAIN_VERSION))
	@mkdir -p build
	$(PY) -m tracejit --view build/report.html examples/demo.py

clean:
	find . -path './.venv-*' -prune -o -path ./.git -prune -o \
	    \( -name __pycache__ -o -name .pytest_cache -o -name '*.egg-info' \) -type d -print0 \
	    | xargs -0 rm -rf
	rm -rf build dist bench/results/*.tmp

distclean: clean
	rm -rf .venv-*
