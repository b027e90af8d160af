# Two commands: `make run` sets everything up and serves the app; `make test` installs what the tests need and runs them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run HOST=0.0.0.0 PORT=8080` serves other devices on the network (see the README's warning).
HOST ?= 127.0.0.1
PORT ?= 8000
DEV := DEBUG=1 HOST=$(HOST)

.PHONY: run test system-deps

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.test-installed: requirements.txt requirements-test.txt $(BIN)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

run: $(BIN)/.installed
	mkdir -p var
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_plan
	$(DEV) $(BIN)/python manage.py create_demo_users
	$(DEV) $(BIN)/python manage.py load_demo
	$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium; screenshots and the evaluation report's chart images need a CJK font; the
# Excel report test opens exports in LibreOffice Calc, the Word evaluation report test converts it with LibreOffice
# Writer and reads the PDF with poppler's pdftotext (without recommends, which would pull in the whole desktop suite).
system-deps:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk" && command -v soffice >/dev/null \
		&& [ -e /usr/lib/libreoffice/program/libswlo.so ] && command -v pdftotext >/dev/null; then exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils >/dev/null; \
	else echo "The tests need chromium, a CJK font, LibreOffice Calc and Writer and pdftotext. Run: sudo sh -c 'apt-get install chromium fonts-noto-cjk && apt-get install --no-install-recommends libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils'"; exit 1; fi

# The suite runs on one pytest-xdist worker per core, each on a test database of its own; `make test WORKERS=0` runs
# it in one process. PYTEST_ARGS picks tests, e.g. `make test PYTEST_ARGS=tests/test_dashboard_in_browser.py`.
WORKERS ?= auto
test: $(BIN)/.test-installed system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=makemigrations-check DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=test-only-secret DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)
