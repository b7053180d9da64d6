"""Shared test set-up and helpers.

matplotlib, IPython and Jupyter write under $HOME, so every test run gets a temporary one, and the
pack's own cache (the annex, local charts) a temporary folder. The
helpers are for tests in every room: run ``build.py`` (in this process or as a subprocess), read
the curated tables as text, and read a PDF's text back.
"""

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

_HOME = tempfile.mkdtemp(prefix="npd-briefing-test-home-")
for _var, _sub in (
    ("HOME", ""),
    ("MPLCONFIGDIR", "mpl"),
    ("IPYTHONDIR", "ipython"),
    ("JUPYTER_CONFIG_DIR", "jupyter"),
    ("JUPYTER_DATA_DIR", "jupyter-data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
):
    os.environ[_var] = os.path.join(_HOME, _sub) if _sub else _HOME
    os.makedirs(os.environ[_var], exist_ok=True)
# The annex and chart caches too: every test run starts from empty caches, outside the repository.
os.environ["NPD_BRIEFING_CACHE"] = os.path.join(_HOME, "cache")

from npd_briefing import caches, cli, config  # noqa: E402  (after $HOME is set)
from npd_briefing.data.manifest import sha256_of  # noqa: E402

BUILD = config.ROOT / "build.py"


def run_build(*args, env=None, timeout=300) -> subprocess.CompletedProcess:
    """``build.py ARGS`` in a subprocess, from the repository root, its output as text. Arguments may
    be bytes that are not UTF-8, as a terminal can send; output that is not UTF-8 is escaped."""
    result = subprocess.run(
        [sys.executable, str(BUILD), *args], capture_output=True, timeout=timeout, cwd=config.ROOT, env=env
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "backslashreplace"),
        result.stderr.decode("utf-8", "backslashreplace"),
    )


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``build.py`` in this process: (exit code, stdout, stderr). argparse exits via SystemExit."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def read_csv(name: str) -> list[dict[str, str]]:
    """A curated table's rows as text, read without the pack's own loaders."""
    with open(config.DATA_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seat_row(name: str) -> dict[str, str]:
    return next(row for row in read_csv("seats") if row["name"].lower() == name.lower())


def pdf_text(path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(path).pages)


def flat(text: str) -> str:
    """Text with runs of whitespace as one space."""
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """Text without any whitespace: PDF text extraction breaks lines where the layout did."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that ``config.DATA_DIR`` points at, to change or damage (see ``rehash``)."""
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    monkeypatch.setattr(config, "DATA_DIR", copy)
    monkeypatch.setattr(config, "MANIFEST_PATH", copy / "datapackage.json")
    caches.clear()
    yield copy
    caches.clear()


def rehash(data: Path, table: str, rows: int | None = None) -> None:
    """Record ``table``'s changed file in the manifest of ``data``, as a rebuild would."""
    manifest_path = data / "datapackage.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for resource in manifest["resources"]:
        if resource["name"] == table:
            resource["sha256"] = sha256_of(data / resource["path"])
            if rows is not None:
                resource["rows"] = rows
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def fresh_caches():
    """Empty the pack's per-process caches before and after a test that swaps data or templates."""
    caches.clear()
    yield
    caches.clear()
