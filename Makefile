# Two commands for a newcomer: `make demo` and `make test` (README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The demo's port; its printed links and its e-mails (sent by qcluster, with no request) follow it.
PORT ?= 8000
DEMO_ENV := DEBUG=1 ACCOUNT_EMAIL_VERIFICATION=optional PORTAL_URL=http://127.0.0.1:$(PORT)
PYTEST_ARGS ?=

.PHONY: demo test lint format vendor install install-dev clean-demo

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

install: $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements.txt

install-dev: $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt

demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py setup_schedules
	@echo "Starting the task cluster and the web server on http://127.0.0.1:$(PORT) (Ctrl-C stops both)"
	$(DEMO_ENV) $(PY) manage.py qcluster & QPID=$$!; \
	trap 'kill $$QPID 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

test: install-dev
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-value-for-the-deploy-check ALLOWED_HOSTS=archive.example.org \
		$(PY) manage.py check --deploy --fail-level WARNING

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Front-end libraries are pinned in package.json and committed under static/vendor/,
# so running the portal never needs npm; only this target does.
vendor:
	npm ci --no-audit --no-fund
	node tools/vendor.mjs

clean-demo:
	rm -rf var/db.sqlite3 var/archive var/uploads
