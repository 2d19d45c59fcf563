# Two commands do all the set-up on a fresh machine (see README.md):
#   make run    install, build the demo database if missing, serve the dashboard
#   make test   install (with Debian's Chromium for browser tests) and run every test
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | md5sum | cut -c1-12)

.PHONY: install demo run test browser lint bench

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m compileall -q dashboard pipelines  # bytecode for the server's first start (see dashboard/__main__.py)
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) -m pipelines demo --if-missing

run: demo
	$(PY) -m dashboard

# Browser tests drive Debian's Chromium (browsers cannot be downloaded by Playwright here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver >/dev/null; fi; } \
	|| echo "Chromium kunde inte installeras: webbläsartesterna hoppas över."

lint: install
	$(VENV)/bin/ruff check .

test: install browser lint
	$(PY) -m pytest -q -n 3 --dist loadgroup --durations=20
	$(PY) -m bench --quick

bench: install
	$(PY) -m bench
