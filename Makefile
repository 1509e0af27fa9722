# Juli: two commands do all set-up. `make run` and `make test` bootstrap .venv from pinned versions.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 10k

.PHONY: run test venv lint types imports messages bench clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

run: venv
	HOST=$(HOST) PORT=$(PORT) $(BIN)/juli serve

test: venv
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: venv
	$(BIN)/mypy juli config

imports: venv
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

messages: venv
	$(BIN)/juli makemessages -l zh_Hans --ignore=.venv --ignore=static/vendor
	$(BIN)/juli compilemessages --ignore=.venv

bench: venv
	$(BIN)/python bench/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) db.sqlite3* media
