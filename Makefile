# Two commands: `make run` sets everything up and serves the app; `make test` installs what the tests need and runs them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=1

.PHONY: run test browser-deps

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
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's chromium; screenshots need a CJK font.
browser-deps:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk"; then exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "Browser tests need chromium and a CJK font. Run: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi

test: $(BIN)/.test-installed browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=makemigrations-check DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=test-only-secret DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)
