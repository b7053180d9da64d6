"""Fixtures for the data room's tests: a writable copy of the raw folder, and a data folder the CLI
writes to instead of data/. Files rewritten in these copies are fixtures; the names and numbers a test
writes into them are made up and never evidence."""

import shutil

import pandas as pd
import pytest

from npd_briefing import config
from npd_briefing.data.sources import SOURCES


def copy_raw(folder):
    """Copy into ``folder`` every file the build reads from the raw folder: the project's own curated
    files are read from the checkout, and those only a download writes are not in the raw folder."""
    for meta in (meta for meta in SOURCES.values() if not meta.get("in_checkout")):
        if (config.RAW_DATA_DIR / meta["path"]).is_file():
            (folder / meta["path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(config.RAW_DATA_DIR / meta["path"], folder / meta["path"])
    return folder


@pytest.fixture
def raw(tmp_path):
    """A raw folder of the test's own (see ``copy_raw``)."""
    return copy_raw(tmp_path / "raw")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty data folder that the CLI writes to instead of data/."""
    folder = tmp_path / "data"
    monkeypatch.setattr(config, "DATA_DIR", folder)
    monkeypatch.setattr(config, "MANIFEST_PATH", folder / "datapackage.json")
    return folder


def read(folder, path):
    return pd.read_csv(folder / path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def csv_bytes(frame, bom=False):
    return ("\ufeff" if bom else "").encode() + frame.to_csv(index=False).encode()


def write(folder, path, frame, bom=False):
    (folder / path).write_bytes(csv_bytes(frame, bom))
