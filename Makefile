# quizapp: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app quizapp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run dev test bench install install-test install-bench vendor chromium db banks lint clean

# --- installs: each re-runs only when its inputs changed -------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

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

# --- run --------------------------------------------------------------------
db: install
	$(FLASK) db upgrade

banks: db
	$(FLASK) bank load
	@if [ -n "$$QUIZAPP_SOURCES_DIR" ]; then $(FLASK) source load "$$QUIZAPP_SOURCES_DIR"; fi

# Both end with the admin account's box (its password, when one was generated), then serve.
run: banks
	@$(FLASK) user ensure-admin --url http://$(HOST):$(PORT)/
	@$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) 'quizapp:create_app()'

dev: banks
	@$(FLASK) user ensure-admin --url http://$(HOST):$(PORT)/
	@$(FLASK) run --debug --host $(HOST) --port $(PORT)

# --- test -------------------------------------------------------------------
test: install-test chromium
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
