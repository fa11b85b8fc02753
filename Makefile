# Two commands to know: `make run` and `make test`. See README.md.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3

.PHONY: run test lint format worker beat bench assets migrate messages

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

frontend/dist/hub/hub.css: node_modules/.installed $(wildcard frontend/*.scss frontend/*.mjs)
	npm run --silent build

assets: frontend/dist/hub/hub.css

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

run: $(VENV)/.installed assets migrate
	$(PY) manage.py seed_demo
	@echo "Open http://127.0.0.1:8000 and sign in with one of the demo logins above."
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(VENV)/.installed assets lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A coprod_hub worker --loglevel=info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A coprod_hub beat --loglevel=info

bench: $(VENV)/.installed assets
	$(PY) bench/run.py $(BENCH_ARGS)

# After editing locale/*/LC_MESSAGES/django.po (the hub's words for Django's form errors).
messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --locale en_GB --ignore '.venv' --ignore 'node_modules'
