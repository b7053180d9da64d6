# Two commands for a fresh machine: `make brief` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
STAMP := $(VENV)/.installed
SEAT ?= Bridlington and The Wolds
# The inner loop leaves out the tests that start a Jupyter kernel, print a PDF or drive a browser.
FAST := not kernel and not pdf and not browser

.PHONY: brief test test-fast lint format venv data clean

# The pinned environment, then the package itself, editable: the venv imports npd_briefing from this
# checkout (so do notebooks opened in JupyterLab and the kernels papermill starts), and
# `.venv/bin/npd-briefing` runs build.py's commands.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps --editable .
	rm -f $(VENV)/lib/python3*/site-packages/npd_briefing_checkout.pth  # what older Makefiles wrote
	touch $(STAMP)

venv: $(STAMP)

brief: $(STAMP)
	$(PY) build.py brief "$(SEAT)"

# Lint and format check (notebooks included), then the whole suite on every core.
test: lint
	$(PY) -m pytest -q -n auto

# Everything that needs no kernel, PDF engine or browser, in under a minute.
test-fast: $(STAMP)
	$(PY) -m pytest -q -n auto -m "$(FAST)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

data: $(STAMP)
	$(PY) build.py data

clean:
	rm -rf briefing/out .pytest_cache
