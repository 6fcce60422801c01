# One command runs the app on the bundled sample (`make run`), one passes every test
# (`make test`). Each installs what it needs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
SAMPLE_SEED := 7
SAMPLE_CUSTOMERS := 400
SAMPLE_PRODUCTS := 150
SAMPLE_MONTHS := 12
# `make serve`: the recommendation service on the bundled sample (or SERVE_DATA=...).
SERVE_DATA ?= data
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 8000
SERVE_STATE ?= .service-state
DEV_KEYS := dev-read-key-change-me:read,dev-write-key-change-me:write

.PHONY: help install install-dev install-service install-neural browser java run serve test test-fast lint bench sample clean

help:
	@echo "make run      - run the dashboard on the bundled sample data (http://localhost:$(PORT))"
	@echo "make serve    - run the recommendation service (http://$(SERVE_HOST):$(SERVE_PORT)/docs)"
	@echo "make test     - install everything and run lint + all tests (unit, page, browser)"
	@echo "make test-fast- unit and page tests only (no browser)"
	@echo "make bench    - speed, memory and quality benchmarks (prints tables)"
	@echo "make sample   - regenerate the bundled sample in data/"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-service: requirements-service.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-service.txt
	touch $@

# PyTorch for the neural sequence recommender: an optional extra, kept out of `make run`.
$(VENV)/.installed-neural: requirements-neural.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-neural.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements-service.txt $(VENV)/.installed-neural
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

install-service: $(VENV)/.installed-service

install-neural: $(VENV)/.installed-neural

# Browser tests drive Debian's Chromium; install it when missing and we are root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; \
	  fi; \
	fi

# The Spark engine's tests run pyspark on local[2], which needs Java 17 or later: Debian's
# openjdk-17-jre-headless (its default JRE where 17 is no longer packaged), when missing and we are root.
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless \
	      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless); \
	  else \
	    echo "Java is missing: run 'sudo apt-get install openjdk-17-jre-headless' for the Spark tests"; \
	  fi; \
	fi

run: install
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Keys from RECSYS_API_KEYS; without it, fixed development keys (printed) on the loopback only.
serve: install-service
	@if [ -z "$$RECSYS_API_KEYS" ]; then \
	  echo "RECSYS_API_KEYS is not set: using the development keys $(DEV_KEYS)"; fi
	RECSYS_API_KEYS="$${RECSYS_API_KEYS:-$(DEV_KEYS)}" $(BIN)/python -m recsys serve $(SERVE_DATA) \
	  --host $(SERVE_HOST) --port $(SERVE_PORT) --state $(SERVE_STATE)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install-dev browser java lint
	$(BIN)/python -m pytest

test-fast: install-dev
	$(BIN)/python -m pytest -m "not e2e"

bench: install-dev
	$(BIN)/python -m benchmarks

sample: install
	$(BIN)/python -m recsys generate --out data --customers $(SAMPLE_CUSTOMERS) --seed $(SAMPLE_SEED) --products $(SAMPLE_PRODUCTS) --months $(SAMPLE_MONTHS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
