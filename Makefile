# JCI Hub entry points. `make demo` and `make test` set up everything they need.
# DATABASE_URL switches every command to PostgreSQL (default: SQLite under var/).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/jcihub/core/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per core of the 2-core machines the suite runs on.
TEST_WORKERS ?= 2
SEED ?= 2026
DEMO_PEOPLE ?= 3000
KCPD_SAMPLE ?= ../shared/data/kcpd/kcpd_2018_sample1000_allcols.csv.gz
SERVICES_GUIDE ?= ../shared/data/services
ZIP_SHAPES ?= ../shared/data/geo/kc_region_zcta_2010s.geojson.gz

# The demo serves plain HTTP on loopback and lets people sign in without a second factor;
# production keeps the safe defaults (see docs/operations.md).
DEMO_ENV := JCIHUB_HTTPS=0 JCIHUB_REQUIRE_MFA=0 JCIHUB_SECRET_KEY_FILE=var/secret_key
# Tests serve static files through the finders; pointing STATIC_ROOT away from the
# collected files spares WhiteNoise a scan of 5,000 files for every test client.
TEST_ENV := JCIHUB_HTTPS=0 JCIHUB_SECRET_KEY=test-only-secret-key-not-for-production-use-000 \
            JCIHUB_STATIC_ROOT=var/no-static-in-tests

.PHONY: help setup demo serve test test-fast bench lint format clean

help:
	@echo "make demo   set up and serve the demo on http://$(HOST):$(PORT) (SQLite)"
	@echo "make test   set up and run every test (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make bench  run the benchmarks and print their figures"
	@echo "make lint   ruff and mypy"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/uswds $(VENDOR)/htmx $(VENDOR)/leaflet
	cp -r node_modules/@uswds/uswds/dist/css node_modules/@uswds/uswds/dist/js \
	      node_modules/@uswds/uswds/dist/fonts node_modules/@uswds/uswds/dist/img $(VENDOR)/uswds/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	      node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

setup: $(BIN)/.installed $(VENDOR)/.installed
	@mkdir -p var

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

demo: setup var/secret_key
	$(DEMO_ENV) $(BIN)/jcihub migrate --no-input
	$(DEMO_ENV) $(BIN)/jcihub seed-demo --seed $(SEED) --people $(DEMO_PEOPLE)
	@# Real KCPD data, where the shared data folder is beside the project (not copied in;
	@# importing it again changes nothing).
	@if [ -f $(KCPD_SAMPLE) ]; then \
	    $(DEMO_ENV) $(BIN)/jcihub import incidents $(KCPD_SAMPLE) --no-progress; fi
	@# The Street Medicine KC guide: real Kansas City service listings for the directory.
	@if [ -f $(SERVICES_GUIDE)/streetmedicinekc_2016_agency.csv.gz ]; then \
	    $(DEMO_ENV) $(BIN)/jcihub directory import $(SERVICES_GUIDE) --format streetmedicinekc \
	        --no-progress; fi
	@# ZIP-code centres (Census ZCTAs of the region), for searching the directory by distance.
	@if [ -f $(ZIP_SHAPES) ]; then $(DEMO_ENV) $(BIN)/jcihub directory load-zips $(ZIP_SHAPES); fi
	@# The screening instruments that ship (skeletons of licensed screens: docs/programs.md).
	$(DEMO_ENV) $(BIN)/jcihub load-instrument --shipped
	$(DEMO_ENV) $(BIN)/jcihub collectstatic --no-input --verbosity 0
	$(DEMO_ENV) $(BIN)/jcihub demo-accounts --url http://$(HOST):$(PORT)
	$(DEMO_ENV) $(BIN)/gunicorn jcihub.wsgi --bind $(HOST):$(PORT) --workers 3 \
	    --access-logfile - --graceful-timeout 5

test: setup
	$(TEST_ENV) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: setup
	$(TEST_ENV) $(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .
	JCIHUB_DEBUG=1 $(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENDOR) var/static
