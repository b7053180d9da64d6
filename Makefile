# Two commands for a fresh machine: `make brief` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SEAT ?= Bridlington and The Wolds

.PHONY: brief test venv data clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -c "import pathlib, site; pathlib.Path(site.getsitepackages()[0], 'npd_briefing_checkout.pth').write_text(str(pathlib.Path.cwd()) + '\\n')"
	touch $(STAMP)

venv: $(STAMP)

brief: $(STAMP)
	$(PY) build.py brief "$(SEAT)"

test: $(STAMP)
	$(PY) -m pytest -q

data: $(STAMP)
	$(PY) build.py data

clean:
	rm -rf briefing/out .pytest_cache
