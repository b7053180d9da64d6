"""Data faults: a curated table missing, truncated, altered, with a renamed column or a wrong type, or a
damaged manifest: one line naming the file and how to rebuild, exit 2, nothing written.
"""

import csv
from pathlib import Path

import pytest

from npd_briefing import caches
from npd_briefing.data import datasets, tables
from npd_briefing.pipeline import request as request_module
from tests.conftest import rehash, run_main
from tests.reliability.cases import assert_one_line_error


def damage(data: Path, table: str, fault: str) -> str:
    """Damage ``table`` in ``data``; return text the error message must contain."""
    path = data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]

    def write_rows(new_rows):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(new_rows)

    if fault == "missing":
        path.unlink()
        return "curated table is missing"
    if fault == "truncated":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        return "do not match the sha256"
    if fault == "one-byte-changed":
        path.write_bytes(path.read_bytes()[:-2] + b"#\n")
        return "do not match the sha256"
    if fault == "truncated-rehashed":
        write_rows(rows[:5])
        rehash(data, table)
        return "4 rows, manifest says"
    if fault == "renamed-column":
        column = header[1]
        write_rows([[*header[:1], column + "_renamed", *header[2:]], *rows[1:]])
        rehash(data, table)
        return f"missing column(s) '{column}'"
    if fault == "wrong-type":
        kinds = tables.TABLES[table].columns
        index = next(i for i, c in enumerate(header) if kinds.get(c) in ("integer", "number", "boolean"))
        rows[1][index] = "twelve"
        write_rows(rows)
        rehash(data, table)
        return f"column '{header[index]}' should be"
    raise ValueError(fault)


DATA_TABLES = ["seats", "postcode_ranges", "la_ap", "npd_facts", "school_arranged_ap_reasons"]
DATA_FAULTS = [
    "missing",
    "truncated",
    "one-byte-changed",
    "truncated-rehashed",
    "renamed-column",
    "wrong-type",
]


@pytest.mark.parametrize("fault", DATA_FAULTS)
@pytest.mark.parametrize("table", DATA_TABLES)
def test_damaged_table_stops_the_brief_with_one_line_naming_it(data_copy, tmp_path, no_render, table, fault):
    needle = damage(data_copy, table, fault)
    out_dir = tmp_path / "out"
    code, out, err = run_main(["brief", "Aldershot", "--out", str(out_dir)])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert f"{data_copy / table}.csv" in err and needle in err, err
    assert "python build.py data" in err
    assert not out_dir.exists()


@pytest.mark.parametrize("fault", ["missing", "not-json", "empty"])
def test_damaged_manifest_stops_the_brief(data_copy, tmp_path, no_render, fault):
    manifest = data_copy / "datapackage.json"
    if fault == "missing":
        manifest.unlink()
    else:
        manifest.write_text("{" if fault == "not-json" else "", encoding="utf-8")
    code, out, err = run_main(["brief", "Aldershot", "--out", str(tmp_path / "out")])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert str(manifest) in err and "python build.py data" in err
    assert not (tmp_path / "out").exists()


def test_the_data_check_covers_every_table_a_briefing_reads(monkeypatch):
    """Spy on the loaders while the briefing's sections are built for an English and a Welsh seat,
    and the national annex's."""
    from npd_briefing.evidence import annex, briefing

    used = set()
    for name in ("load", "columns", "resource"):
        real = getattr(datasets, name)
        monkeypatch.setattr(
            datasets, name, lambda table, *a, _real=real, **k: used.add(table) or _real(table, *a, **k)
        )
    caches.clear()
    try:
        for seat in ("Aldershot", "Ynys Môn"):
            b = briefing.prepare(seat, date="2026-03-12")
            for name in briefing.SECTIONS:
                assert briefing.SECTIONS[name](b) or not b.local
        for name in annex.SECTIONS:  # the annex every briefing brings with it
            assert annex.SECTIONS[name]()
    finally:
        caches.clear()
    checked = set(request_module.BRIEF_TABLES)
    assert used and used <= checked, used - checked
