# quizapp: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app quizapp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run dev test bench install install-test install-bench vendor chromium pgbouncer db banks lint lock clean

# --- installs: each re-runs only when its inputs changed -------------------
# Python packages come from the lock files in requirements/ (exact versions and hashes;
# `make lock` refreshes them from pyproject.toml), the app itself as an editable install.
PIP_LOCKED := $(BIN)/pip install --quiet --require-hashes --no-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==26.3'

$(VENV)/.installed: requirements/app.txt pyproject.toml | $(BIN)/python
	$(PIP_LOCKED) -r requirements/app.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed
	$(PIP_LOCKED) -r requirements/test.txt
	touch $@

$(VENV)/.installed-bench: requirements/bench.txt $(VENV)/.installed
	$(PIP_LOCKED) -r requirements/bench.txt
	touch $@

# Refresh the lock files (needs the network): the app first, each extra within its versions.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(PIP_COMPILE) --upgrade -o requirements/app.txt pyproject.toml
	$(PIP_COMPILE) --upgrade --extra test -c requirements/app.txt -o requirements/test.txt pyproject.toml
	$(PIP_COMPILE) --upgrade --extra bench -c requirements/app.txt -o requirements/bench.txt pyproject.toml

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p node_modules && touch $@

static/vendor/.stamp: node_modules/.installed
	mkdir -p static/vendor
	node -e 'const p=require("./package.json");const fs=require("fs");for(const [dst,src] of Object.entries(p.vendor||{})){fs.copyFileSync(src,"static/vendor/"+dst)}'
	touch $@

install: $(VENV)/.installed vendor
install-test: $(VENV)/.installed-test vendor
vendor: static/vendor/.stamp

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

# The tests put a PgBouncer of their own (transaction mode) in front of PostgreSQL.
pgbouncer:
	@test -x /usr/sbin/pgbouncer || (apt-get update -qq && apt-get install -y -qq pgbouncer)

# --- run --------------------------------------------------------------------
db: install
	$(FLASK) db upgrade

banks: db
	$(FLASK) bank load
	@if [ -n "$$QUIZAPP_SOURCES_DIR" ]; then $(FLASK) source load "$$QUIZAPP_SOURCES_DIR"; fi

# Both end with the admin account's box (its password, when one was generated), then serve:
# a job worker (Huey's consumer, JOB_WORKERS threads) in the background, the web server in
# the foreground; when the web server exits, the worker is stopped (SIGTERM: a job cut off
# then rolls back whole and shows as failed, to be retried).
JOB_WORKERS ?= 2
WORKER := $(BIN)/huey_consumer quizapp.worker.huey --workers $(JOB_WORKERS) --worker-type thread \
          --delay 0.1 --max-delay 1
WITH_WORKER := $(WORKER) & worker=$$!; trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM;
run: banks
	@$(FLASK) user ensure-admin --url http://$(HOST):$(PORT)/
	@$(WITH_WORKER) $(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) 'quizapp:create_app()'

dev: banks
	@$(FLASK) user ensure-admin --url http://$(HOST):$(PORT)/
	@$(WITH_WORKER) $(FLASK) run --debug --host $(HOST) --port $(PORT)

# --- test -------------------------------------------------------------------
test: install-test chromium pgbouncer
	$(BIN)/ruff check quizapp tests bench
	$(FLASK) bank validate
	@if [ -d ../shared/articles ]; then \
		$(FLASK) bank check-sources --articles ../shared/articles; \
	else echo "SKIPPED bank check-sources: no ../shared/articles folder here"; fi
	$(BIN)/pytest $(PYTEST_ARGS)

# --- bench: full size (several minutes); BENCH_ARGS=--smoke for a quick run -------
install-bench: $(VENV)/.installed-bench vendor
bench: install-bench
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check quizapp tests bench

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
