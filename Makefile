# Zhibao: `make run` serves the platform with demo data; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export ZHIBAO_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test bench lint setup assets messages clean

$(BIN)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

run: setup
	$(BIN)/zhibao migrate --noinput -v0
	$(BIN)/zhibao collectstatic --noinput -v0
	@test -f $(ZHIBAO_VAR_DIR)/.demo-loaded || ($(BIN)/zhibao demo && touch $(ZHIBAO_VAR_DIR)/.demo-loaded)
	$(BIN)/zhibao serve --port $(PORT)

test: setup
	bash scripts/test.sh

bench: setup
	@for b in bench/*.py; do [ -e "$$b" ] && ZHIBAO_ENV=test $(BIN)/python $$b; done; true

lint: setup
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r zhibao -ll

messages: setup
	$(BIN)/zhibao makemessages -l zh_Hans --no-obsolete --ignore=node_modules --ignore=.venv --ignore=var --ignore=build
	$(BIN)/zhibao compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules var
