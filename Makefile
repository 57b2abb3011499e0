# The two commands: `make demo` (set up, build the demo outbreak, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB := fangkong/web

.PHONY: setup lock demo serve test lint bench bench-scan bench-load screenshots clean

setup: $(VENV)/.installed $(WEB)/node_modules/.installed

# Every package at the version and hash requirements.lock pins (`make lock` renews it), then
# the project itself with nothing more.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra dev \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# ECharts and friends come from the npm registry at set-up; nothing is fetched at run time.
$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/fangkong demo

serve: setup
	$(BIN)/fangkong serve

test: setup
	$(BIN)/ruff check fangkong tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check fangkong tests bench scripts
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/import_contacts.py
	$(BIN)/python bench/placement.py
	$(BIN)/python bench/testing_round.py
	$(BIN)/python bench/sim.py
	$(BIN)/python bench/companions.py

# The checkpoint scan under wrk against `fangkong serve --workers 2` on PostgreSQL.
bench-scan: setup
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/healthcode_lookup.py

# Ten minutes of a city's peak (scans, reads, registrations, imports) on PostgreSQL under wrk.
bench-load: setup
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/load.py

# Every role's pages at 8 March 20:00 and 13 March 12:00, from a demo served by `make demo`.
screenshots: setup
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) $(WEB)/node_modules var .pytest_cache
