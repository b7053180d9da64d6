"""Load the curated tables in ``data/``, checked against the manifest and their declared columns.

Every failure is one :class:`DataFileError` naming the file (and the column) and how to rebuild it.
Each table and the manifest are read once per process (:mod:`npd_briefing.caches`); the manifest is
read again only if its file changes. The folder is ``config.DATA_DIR`` as it is when a table is asked
for (not when this module was imported), so a test or tool that points ``config.DATA_DIR``
elsewhere is followed by every loader.
"""

import contextlib
import contextvars
import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from npd_briefing import caches, config
from npd_briefing.data.manifest import REBUILD_HINT, read_manifest, sha256_of
from npd_briefing.data.tables import TABLES
from npd_briefing.exceptions import DataFileError

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _convert(values: pd.Series, kind: str, path: Path, column: str) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    if kind == "string":
        return text.astype("string")
    if kind == "boolean":
        lowered = text.str.lower()
        bad = ~lowered.isin(_TRUE | _FALSE | {""})
        if bad.any():
            raise DataFileError(
                f"{path}: column '{column}' should be true/false but holds "
                f"{text[bad].iloc[0]!r}; {REBUILD_HINT}"
            )
        return lowered.map(lambda v: True if v in _TRUE else (False if v in _FALSE else pd.NA)).astype(
            "boolean"
        )
    numbers = pd.to_numeric(text.replace("", None), errors="coerce")
    bad = numbers.isna() & (text != "")
    if bad.any():
        raise DataFileError(
            f"{path}: column '{column}' should be {'an integer' if kind == 'integer' else 'a number'}"
            f" but row {int(bad.idxmax()) + 2} holds {text[bad].iloc[0]!r}; {REBUILD_HINT}"
        )
    if kind == "integer":
        if (numbers.dropna() % 1 != 0).any():
            raise DataFileError(f"{path}: column '{column}' should hold whole numbers; {REBUILD_HINT}")
        return numbers.astype("Int64")
    return numbers.astype("Float64")


def read_table(path: Path, schema: dict[str, str]) -> pd.DataFrame:
    """Read one CSV and check it has the schema's columns with the schema's types."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: curated table is missing; {REBUILD_HINT}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{path}: file is empty; {REBUILD_HINT}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFileError(
            f"{path}: not a readable UTF-8 CSV ({exc.__class__.__name__}); {REBUILD_HINT}"
        ) from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; {REBUILD_HINT}"
        )
    return pd.DataFrame({col: _convert(frame[col], kind, path, col) for col, kind in schema.items()})


def _data_dir(data_dir: Path | None) -> Path:
    return Path(config.DATA_DIR if data_dir is None else data_dir)


@caches.per_process
def _manifest_read(path: Path, _stamp: tuple[int, int]) -> dict:
    manifest = read_manifest(path)
    return {**manifest, "resources": {resource["name"]: resource for resource in manifest["resources"]}}


def _manifest(data_dir: Path) -> dict:
    """The manifest (resources by name), read again only when its file changes."""
    path = data_dir / "datapackage.json"
    try:
        status = os.stat(path)
    except OSError:
        stamp = (0, 0)  # read_manifest names the problem
    else:
        stamp = (status.st_mtime_ns, status.st_size)
    return _manifest_read(path, stamp)


def _resource(name: str, data_dir: Path) -> dict:
    path = data_dir / "datapackage.json"
    resource = _manifest(data_dir)["resources"].get(name)
    if resource is None:
        raise DataFileError(f"{path}: no table named {name!r} (known: {', '.join(TABLES)}); {REBUILD_HINT}")
    return resource


def verify(name: str, data_dir: Path | None = None) -> dict:
    """Check a table's file against the sha256 and row count in the manifest; return its entry."""
    data_dir = _data_dir(data_dir)
    resource = _resource(name, data_dir)
    path = data_dir / resource["path"]
    if not path.is_file():
        raise DataFileError(f"{path}: curated table is missing; {REBUILD_HINT}")
    if sha256_of(path) != resource["sha256"]:
        raise DataFileError(
            f"{path}: contents do not match the sha256 in data/datapackage.json "
            f"(the file was changed or truncated); {REBUILD_HINT}"
        )
    return resource


@caches.per_process
def _load_cached(name: str, data_dir: Path) -> pd.DataFrame:
    if name not in TABLES:
        raise DataFileError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}")
    resource = verify(name, data_dir)
    frame = read_table(data_dir / resource["path"], TABLES[name].columns)
    if len(frame) != resource["rows"]:
        raise DataFileError(
            f"{data_dir / resource['path']}: {len(frame)} rows, manifest says "
            f"{resource['rows']}; {REBUILD_HINT}"
        )
    return frame


# The tables that the work under way may read (None: any); see ``reading_only``.
_readable: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar("readable", default=None)


@contextlib.contextmanager
def reading_only(tables: tuple[str, ...]):
    """While the block runs, reading any other table, or the data version, is an error: something kept
    on disk under the hash of ``tables`` (:func:`tables_digest`) must not depend on anything else."""
    token = _readable.set(frozenset(tables))
    try:
        yield
    finally:
        _readable.reset(token)


def _check_readable(name: str) -> None:
    readable = _readable.get()
    if readable is not None and name not in readable:
        raise DataFileError(
            f"table {name!r} was read by work cached under the hash of {', '.join(sorted(readable))} "
            "only; add it to that work's tables"
        )


def tables_digest(tables: tuple[str, ...], data_dir: Path | None = None) -> str:
    """sha256 of these tables' manifest entries: each file's sha256 and row count, its sources with
    their dates, its caveats. Work that reads only these tables is current while this is unchanged."""
    entries = {name: _resource(name, _data_dir(data_dir)) for name in sorted(tables)}
    return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """A curated table as a typed DataFrame (a copy: callers may change it freely)."""
    _check_readable(name)
    return _load_cached(name, _data_dir(data_dir)).copy()


def resource(name: str, data_dir: Path | None = None) -> dict:
    """A table's manifest entry: sources (with their ``published`` and ``retrieved`` dates), licences,
    caveats."""
    _check_readable(name)
    return _resource(name, _data_dir(data_dir))


def source(table: str, source_id: str, data_dir: Path | None = None) -> dict:
    """One source of a table as the manifest records it, e.g. the source a row's ``source_id`` names."""
    for entry in resource(table, data_dir)["sources"]:
        if entry["id"] == source_id:
            return entry
    raise DataFileError(
        f"{_data_dir(data_dir) / 'datapackage.json'}: table {table!r} has no source {source_id!r}; "
        f"{REBUILD_HINT}"
    )


def data_version(data_dir: Path | None = None) -> str:
    """The manifest's data version ("2026-11-29.1a2b3c4d"), for a page footer or a citation."""
    _check_readable("datapackage.json")  # the version stands for every table
    version = _manifest(_data_dir(data_dir)).get("data_version")
    if not version:
        raise DataFileError(f"{_data_dir(data_dir) / 'datapackage.json'}: no data_version; {REBUILD_HINT}")
    return version
