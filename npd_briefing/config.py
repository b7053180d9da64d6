"""Every path the pack uses, in one place (cookiecutter-data-science style)."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
DATA_DIR = ROOT / "data"
MANIFEST_PATH = DATA_DIR / "datapackage.json"
NOTEBOOKS_DIR = ROOT / "notebooks"
BRIEFING_DIR = ROOT / "briefing"
TEMPLATES_DIR = BRIEFING_DIR / "templates"
BRIEFING_OUT_DIR = BRIEFING_DIR / "out"
# The campaign website (`build.py site`): its templates and where it is built.
SITE_TEMPLATES_DIR = TEMPLATES_DIR / "site"
SITE_PACKAGE_DIR = PACKAGE_DIR / "site"
SITE_OUT_DIR = BRIEFING_DIR / "site"

# The raw inputs the curated tables are derived from: byte-for-byte copies committed with the pack, so a
# fork can rebuild and refresh data/ (read-only; see raw/README.md and the PROVENANCE.md files).
RAW_DATA_DIR = ROOT / "raw"


# Work that is the same for every seat (the national annex, an authority's charts) is kept here,
# keyed by the hash of its inputs, so batches and later runs reuse it; never inside an output folder.
CACHE_DIR = Path(os.environ.get("NPD_BRIEFING_CACHE") or ROOT / ".cache")
ANNEX_FILE = "national-annex.pdf"
