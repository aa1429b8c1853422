# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DJANGO_PORT ?= 8001

.PHONY: install catalogs messages assets packages browser axe lint typecheck test test-django-matrix demo demo-django bench notices clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstalls when pyproject.toml changes; the editable install compiles the catalogs too.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed catalogs

# The demo needs the package and Flask, not the development tools. The editable install compiles the
# catalogs, so it is redone when they change.
$(VENV)/.demo-installed: pyproject.toml $(wildcard locales/*/LC_MESSAGES/*.po) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[flask]'
	touch $@

# Compile locales/*.po into the package (the build does the same for wheels).
catalogs: $(VENV)/.installed
	$(BIN)/python hatch_build.py >/dev/null

# After changing texts in consentkit/texts.py: refresh the template and the catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k N_plural:1,2 --no-location --sort-output \
		--project consentkit --msgid-bugs-address personvern@example.invalid -o locales/consentkit.pot .
	$(BIN)/pybabel update -i locales/consentkit.pot -d locales -D consentkit --no-fuzzy-matching
	$(BIN)/pybabel extract -F babel.cfg --no-default-keywords -k R_ --no-location --sort-output \
		--project consentkit --msgid-bugs-address personvern@example.invalid -o locales/report.pot .
	$(BIN)/pybabel update -i locales/report.pot -d locales -D report --no-fuzzy-matching

# After editing anything in assets/: rebuild the served, minified copies and assets/built.json (all
# committed). The pinned minifiers (terser, esbuild) come from npm into .cache/minifiers on first use;
# `make test` needs none of them.
assets: $(VENV)/.installed
	$(BIN)/python tools/build_assets.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# Debian packages the tests need, in one apt-get run when any is missing (as root): chromium for the
# browser tests, postgresql for the PostgreSQL log store's tests (only its server binaries are used; the
# tests start a throwaway cluster of their own). Without root, Chromium comes from Playwright's download.
packages: install
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
		case "$$missing" in *chromium*) $(BIN)/python -m playwright install chromium;; esac; \
		case "$$missing" in *postgresql*) echo "the tests need PostgreSQL's server: apt-get install postgresql" >&2; exit 1;; esac; \
	fi

browser: packages

# axe-core for the accessibility checks of the browser suite, from npm (Debian's npm as root if missing).
AXE := .cache/npm/node_modules/axe-core/axe.min.js
$(AXE):
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm; \
		else echo "the accessibility tests need npm (Node.js) to install axe-core" >&2; exit 1; fi; \
	fi
	npm install --prefix .cache/npm --no-audit --no-fund --loglevel=error axe-core@4.14.1

axe: $(AXE)

test: lint typecheck packages axe
	$(BIN)/pytest

demo: $(VENV)/.demo-installed
	PORT=$(PORT) $(BIN)/python -m examples.flask_site

# The same portal in Django (admin at /admin/); its database is migrated on start. It shares the Flask
# portal's texts, hence Flask too.
$(VENV)/.demo-django-installed: pyproject.toml $(wildcard locales/*/LC_MESSAGES/*.po) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[flask,django]'
	touch $@

demo-django: $(VENV)/.demo-django-installed
	PORT=$(DJANGO_PORT) $(BIN)/python -m examples.django_site

# tests/django under Django 5.2 LTS and the newest Django, each in a venv of its own (`make test` runs
# the newest that the project's Python takes). See tools/django_matrix.sh.
test-django-matrix: install
	tools/django_matrix.sh

# The cookie notice of each seed company, in each of its languages, as HTML.
notices: install
	for config in examples/notices/*.toml; do \
		$(BIN)/consentkit notice --config $$config --format html --output-dir notices-out || exit 1; \
	done

bench: install
	$(BIN)/python benchmarks/middleware.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/page.py

clean:
	rm -rf $(VENV) .venv-django-lts .venv-django-newest build dist *.egg-info consentkit/locales .pytest_cache .mypy_cache .ruff_cache test-artifacts notices-out .cache
