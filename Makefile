# Two commands for a fresh machine: `make brief` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed
SEAT ?= Bridlington and The Wolds
# The inner loop leaves out the tests that start a Jupyter kernel, print a PDF or drive a browser.
FAST := not kernel and not pdf and not browser

.PHONY: brief test test-fast lint format venv data clean site refresh refresh-pr refresh-record
# The website (`make site`; .github/workflows/site.yml runs it with the address GitHub Pages gives).
SITE_OUT ?= briefing/site
BASE_URL ?=
# The briefings' letters carry the date the pack's content last changed (needs the git history), so a
# commit that changes none of it re-renders no briefing.
SITE_DATE ?= $(shell git log -1 --format=%cs -- data notebooks briefing/templates npd_briefing 2>/dev/null)
# The refresh (`make refresh`; .github/workflows/refresh.yml): raw files with no download address,
# the change report it writes, and the one branch its pull request lives on.
RAW ?= raw
REFRESH_REPORT ?= refresh-report.md
REFRESH_BRANCH ?= data-refresh
# A refresh that changed nothing records its day on a branch of its own (one file, no figures), so the site
# can say when the figures were last checked without a pull request every month.
CHECK_RECORD ?= check-record.json
CHECKS_REF ?= origin/data-checks
LAST_CHECK ?= .cache/last-check.json

# The pinned environment, then the package itself, editable: the venv imports npd_briefing from this
# checkout (so do notebooks opened in JupyterLab and the kernels papermill starts), and
# `.venv/bin/npd-briefing` runs build.py's commands. uv (pinned in requirements.txt) installs them in
# seconds where pip takes most of a minute; uv reads no pip.conf, so where it cannot reach the index
# pip installs the same pins.
UV_PIN = $(shell grep -m1 '^uv==' requirements.txt)
UV := $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY)
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) "$(UV_PIN)"
	$(UV) -r requirements.txt || $(PIP) -r requirements.txt
	$(UV) --no-deps --editable . || $(PIP) --no-deps --editable .
	rm -f $(VENV)/lib/python3*/site-packages/npd_briefing_checkout.pth  # what older Makefiles wrote
	touch $(STAMP)

venv: $(STAMP)

brief: $(STAMP)
	$(PY) build.py brief "$(SEAT)"

# The suite starts over a hundred Python processes (kernels, batch workers, the command line); where
# PYTHONDONTWRITEBYTECODE is set, each would compile the package again, so it is compiled once first.
COMPILE := $(PY) -m compileall -q npd_briefing build.py

# Lint and format check (notebooks included), then the whole suite on every core.
test: lint
	$(COMPILE)
	$(PY) -m pytest -q -n auto

# Everything that needs no kernel, PDF engine or browser: under a minute on 2 cores.
test-fast: $(STAMP)
	$(COMPILE)
	$(PY) -m pytest -q -n auto -m "$(FAST)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

data: $(STAMP)
	$(PY) build.py data

# Renders what is missing or stale, writes every page, then checks the site (exit 2 on a problem).
# The last check's record is used when $(CHECKS_REF) has one (the site says which data version it is for).
site: $(STAMP)
	@mkdir -p "$(dir $(LAST_CHECK))"
	if git show "$(CHECKS_REF):$(CHECK_RECORD)" > "$(LAST_CHECK)" 2>/dev/null; \
	then record="--check-record $(LAST_CHECK)"; else rm -f "$(LAST_CHECK)"; record=; fi; \
	$(PY) build.py site --out $(SITE_OUT) --base-url "$(BASE_URL)" $(if $(SITE_DATE),--date $(SITE_DATE)) $$record

# Fetches the newest releases and rebuilds data/ strictly: a source that fails or changed its layout,
# or a table that breaks an invariant, stops it in one line with data/ untouched.
refresh: $(STAMP)
	$(PY) build.py data --download --strict --raw "$(RAW)" --report $(REFRESH_REPORT) --check-record $(CHECK_RECORD)

# Commits data/ to $(REFRESH_BRANCH) and opens its pull request with the change report as the
# description, or updates the one already open. Needs GH_TOKEN and GITHUB_REPOSITORY (GitHub sets them).
refresh-pr:
	bash .ci/refresh-pr "$(REFRESH_BRANCH)" "$(REFRESH_REPORT)"

# After a refresh that changed nothing: puts its record on the branch $(CHECKS_REF) names and starts the
# site workflow, so the published pages say the figures were checked today. Needs GH_TOKEN.
refresh-record:
	bash .ci/refresh-record "$(CHECKS_REF:origin/%=%)" "$(CHECK_RECORD)"

clean:
	rm -rf briefing/out .pytest_cache
