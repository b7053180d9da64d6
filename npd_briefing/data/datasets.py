"""Load the curated tables in ``data/``, checked against the manifest and their declared columns.

A table comes as a typed DataFrame (:func:`load`) or as plain Python columns (:func:`columns`). Both
are read and checked by the same code, with Python's csv module; pandas is imported only when a frame
is asked for, so the seat lookup and the checks before a briefing, which need none, start in a tenth
of the time.

Every failure is one :class:`DataFileError` naming the file (and the column) and how to rebuild it.
Each table and the manifest are read once per process (:mod:`npd_briefing.caches`); the manifest is
read again only if its file changes. The folder is ``config.DATA_DIR`` as it is when a table is asked
for (not when this module was imported), so a test or tool that points ``config.DATA_DIR``
elsewhere is followed by every loader.
"""

import contextlib
import contextvars
import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from npd_briefing import caches, config
from npd_briefing.data.manifest import REBUILD_HINT, read_manifest, sha256_of
from npd_briefing.data.tables import TABLES
from npd_briefing.exceptions import DataFileError

if TYPE_CHECKING:
    import pandas as pd

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# The pandas type each schema type becomes in a frame; a blank number or true/false is missing (NA).
_FRAME_DTYPES = {"string": "string", "boolean": "boolean", "integer": "Int64", "number": "Float64"}

Value = str | bool | int | float | None


def _convert(values: list[str], kind: str, path: Path, column: str) -> tuple[Value, ...]:
    """One column's stripped texts as Python values of the schema's type; blank is None (a string
    column keeps "")."""
    if kind == "string":
        return tuple(values)
    if kind == "boolean":
        lowered = [text.lower() for text in values]
        for text, word in zip(values, lowered):
            if word not in _TRUE | _FALSE | {""}:
                raise DataFileError(
                    f"{path}: column '{column}' should be true/false but holds {text!r}; {REBUILD_HINT}"
                )
        return tuple(True if word in _TRUE else (False if word in _FALSE else None) for word in lowered)
    converted: list[Value] = []
    for row, text in enumerate(values, start=2):  # row 1 is the header
        if not text:
            converted.append(None)
        elif not _NUMBER.fullmatch(text):
            raise DataFileError(
                f"{path}: column '{column}' should be {'an integer' if kind == 'integer' else 'a number'}"
                f" but row {row} holds {text!r}; {REBUILD_HINT}"
            )
        elif kind == "number":
            converted.append(float(text))
        elif _INTEGER.fullmatch(text):
            converted.append(int(text))
        elif float(text).is_integer():  # "12.0", "1e3"
            converted.append(int(float(text)))
        else:
            raise DataFileError(f"{path}: column '{column}' should hold whole numbers; {REBUILD_HINT}")
    return tuple(converted)


def read_columns(path: Path, schema: dict[str, str]) -> dict[str, tuple[Value, ...]]:
    """Read one CSV and check it has the schema's columns with the schema's types: the columns as
    plain Python values, with no pandas (the seat lookup and the checks before a briefing need none)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: curated table is missing; {REBUILD_HINT}")
    try:
        rows = [
            row for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")) if row
        ]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataFileError(
            f"{path}: not a readable UTF-8 CSV ({exc.__class__.__name__}); {REBUILD_HINT}"
        ) from None
    if not rows:
        raise DataFileError(f"{path}: file is empty; {REBUILD_HINT}")
    header = [name.strip() for name in rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise DataFileError(
                f"{path}: not a readable UTF-8 CSV (row {number} has {len(row)} fields, the header "
                f"{len(header)}); {REBUILD_HINT}"
            )
    missing = [c for c in schema if c not in header]
    if missing:
        raise DataFileError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; {REBUILD_HINT}"
        )
    columns = {}
    for column, kind in schema.items():
        index = header.index(column)
        texts = [row[index].strip() if index < len(row) else "" for row in rows[1:]]
        columns[column] = _convert(texts, kind, path, column)
    return columns


def _frame(columns: dict[str, tuple[Value, ...]], schema: dict[str, str]) -> "pd.DataFrame":
    import pandas as pd  # only where a frame is asked for: see read_columns

    return pd.DataFrame(
        {
            column: pd.array(list(columns[column]), dtype=_FRAME_DTYPES[kind])
            for column, kind in schema.items()
        }
    )


def read_table(path: Path, schema: dict[str, str]) -> "pd.DataFrame":
    """Read one CSV, checked as :func:`read_columns` checks it, as a typed DataFrame."""
    return _frame(read_columns(path, schema), schema)


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
def _columns_cached(name: str, data_dir: Path) -> dict[str, tuple[Value, ...]]:
    if name not in TABLES:
        raise DataFileError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}")
    resource = verify(name, data_dir)
    columns = read_columns(data_dir / resource["path"], TABLES[name].columns)
    rows = len(next(iter(columns.values()), ()))
    if rows != resource["rows"]:
        raise DataFileError(
            f"{data_dir / resource['path']}: {rows} rows, manifest says {resource['rows']}; {REBUILD_HINT}"
        )
    return columns


@caches.per_process
def _frame_cached(name: str, data_dir: Path) -> "pd.DataFrame":
    return _frame(_columns_cached(name, data_dir), TABLES[name].columns)


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


def load(name: str, data_dir: Path | None = None) -> "pd.DataFrame":
    """A curated table as a typed DataFrame (a copy: callers may change it freely)."""
    _check_readable(name)
    return _frame_cached(name, _data_dir(data_dir)).copy()


def columns(name: str, data_dir: Path | None = None) -> dict[str, tuple[Value, ...]]:
    """A curated table, checked as :func:`load` checks it, as plain Python columns (None where a
    number or true/false is blank): for the seat lookup and the checks before a briefing, which then
    need no pandas. The dict is new each call; its tuples are shared."""
    _check_readable(name)
    return dict(_columns_cached(name, _data_dir(data_dir)))


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
