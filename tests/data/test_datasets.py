"""Loader errors: one small fixture per failure mode, each a clear message naming file and column."""

import json
import shutil

import pandas as pd
import pytest

from npd_briefing import config
from npd_briefing.data import datasets
from npd_briefing.data.raw import read_text_csv, to_count
from npd_briefing.data.tables import TABLES
from npd_briefing.exceptions import DataFileError

SCHEMA = {"code": "string", "pupils": "integer", "share": "number", "flag": "boolean"}


def write(tmp_path, text, name="table.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_types(tmp_path):
    frame = datasets.read_table(
        write(tmp_path, "code,pupils,share,flag\n001,12,0.5,true\n002,,1,false\n"), SCHEMA
    )
    assert frame["code"].tolist() == ["001", "002"]  # leading zeros kept
    assert frame["pupils"].iloc[0] == 12 and frame["pupils"].isna().iloc[1]
    assert frame["flag"].tolist() == [True, False]


def test_file_with_bom_is_read(tmp_path):
    frame = datasets.read_table(write(tmp_path, "\ufeffcode,pupils,share,flag\n001,1,0,false\n"), SCHEMA)
    assert list(frame.columns) == list(SCHEMA)


def test_missing_column_names_file_and_column(tmp_path):
    path = write(tmp_path, "code,share,flag\n001,0.5,true\n")
    with pytest.raises(DataFileError, match=r"table\.csv.*'pupils'.*build\.py data"):
        datasets.read_table(path, SCHEMA)


def test_wrong_type_names_file_column_and_value(tmp_path):
    path = write(tmp_path, "code,pupils,share,flag\n001,twelve,0.5,true\n")
    with pytest.raises(DataFileError, match=r"table\.csv: column 'pupils' should be an integer.*'twelve'"):
        datasets.read_table(path, SCHEMA)


def test_empty_file(tmp_path):
    with pytest.raises(DataFileError, match=r"table\.csv: file is empty"):
        datasets.read_table(write(tmp_path, ""), SCHEMA)


def test_not_utf8(tmp_path):
    path = write(tmp_path, "code,pupils,share,flag\nYnys Môn,1,0,true\n", encoding="latin-1")
    with pytest.raises(DataFileError, match="not a readable UTF-8 CSV"):
        datasets.read_table(path, SCHEMA)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match=r"nope\.csv: curated table is missing"):
        datasets.read_table(tmp_path / "nope.csv", SCHEMA)


def test_a_row_longer_than_the_header_names_the_row(tmp_path):
    path = write(tmp_path, "code,pupils,share,flag\n001,1,0,true\n002,1,0,true,extra\n")
    with pytest.raises(DataFileError, match=r"table\.csv: not a readable UTF-8 CSV \(row 3 has 5 fields"):
        datasets.read_table(path, SCHEMA)


@pytest.mark.parametrize("text", ["nan", "inf", "1_000", "1,000", "0x10", "½"])
def test_only_plain_decimal_numbers_are_numbers(tmp_path, text):
    path = write(tmp_path, f'code,pupils,share,flag\n001,1,"{text}",true\n')
    with pytest.raises(DataFileError, match=rf"column 'share' should be a number but row 2 holds '{text}'"):
        datasets.read_columns(path, SCHEMA)


def test_whole_numbers_may_be_written_as_decimals_but_fractions_are_refused(tmp_path):
    columns = datasets.read_columns(write(tmp_path, "code,pupils,share,flag\n001,12.0,1e-05,\n"), SCHEMA)
    assert columns == {"code": ("001",), "pupils": (12,), "share": (1e-05,), "flag": (None,)}
    with pytest.raises(DataFileError, match="column 'pupils' should hold whole numbers"):
        datasets.read_columns(write(tmp_path, "code,pupils,share,flag\n001,1.5,0,true\n"), SCHEMA)


@pytest.mark.parametrize("name", list(TABLES))
def test_columns_and_frames_hold_the_same_values(name):
    frame, columns = datasets.load(name), datasets.columns(name)
    assert list(columns) == list(frame.columns) == list(TABLES[name].columns)
    for column, values in columns.items():
        assert [None if value is pd.NA else value for value in frame[column].tolist()] == list(values)


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    return copy


def test_hash_mismatch_after_truncation(data_copy):
    path = data_copy / "seats.csv"
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(DataFileError, match=r"seats\.csv: contents do not match the sha256"):
        datasets.load("seats", data_copy)


def test_renamed_column_with_matching_manifest_is_still_caught(data_copy):
    path = data_copy / "seats.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("mp_full_title", "title", 1), encoding="utf-8")
    manifest = json.loads((data_copy / "datapackage.json").read_text())
    for resource in manifest["resources"]:
        if resource["name"] == "seats":
            resource["sha256"] = datasets.sha256_of(path)
    (data_copy / "datapackage.json").write_text(json.dumps(manifest))
    with pytest.raises(DataFileError, match=r"seats\.csv: missing column\(s\) 'mp_full_title'"):
        datasets.load("seats", data_copy)


def test_missing_manifest(data_copy):
    (data_copy / "datapackage.json").unlink()
    with pytest.raises(DataFileError, match="data manifest not found"):
        datasets.load("seats", data_copy)


def test_raw_reader_accepts_aliases_and_reports_unknown_layouts(tmp_path):
    path = write(tmp_path, "\ufefftime_period,sex,number_of_pupils\n202223,Total,c\n202223,Total,1,234\n")
    with pytest.raises(DataFileError):
        read_text_csv(path, ["time_period", "gender", "number_of_pupils"], aliases={"sex": "gender"})
    path = write(tmp_path, '\ufefftime_period,sex,number_of_pupils\n202223,Total,c\n202223,Total,"1,234"\n')
    frame = read_text_csv(path, ["time_period", "gender", "number_of_pupils"], aliases={"sex": "gender"})
    assert to_count(frame["number_of_pupils"]).tolist()[1] == 1234
    assert to_count(frame["number_of_pupils"]).isna().iloc[0]
    with pytest.raises(DataFileError, match=r"missing column\(s\) fsm"):
        read_text_csv(path, ["time_period", "fsm"])
