"""Register loader: any edition's headers give one shape; every bad file is a DataFileError naming it.

The CSVs here are fixtures written for the tests, never shown as evidence.
"""

import importlib.util

import pandas as pd
import pytest

from npd_briefing.exceptions import DataFileError
from npd_briefing.evidence.register import COLUMNS, load_register, match_headers

OLD_STYLE = """National pupil database: third-party requests (fixture),,,,,
Test fixture only,,,,,
,,,,,
Organisation Name,Project Title,Tier,Date of Release,Sector,Notes
Fixture Research Ltd,Fixture project A,Tier 1,03/02/2014,Commercial,
Fixture University,Fixture project B,2,2015-11-20,Academic,
,,,,,
"""
NEW_STYLE = ('"Applicant organisation name","Purpose of the project","Level of data (tier)",'
             '"Date first Extract sent / Date permission for re-use granted / Date Application Rejected",'
             '"Requestor type"\n'
             "Fixture Research Ltd,Fixture project A,Tier 1,2014-02-03,Commercial\n"
             "Fixture University,Fixture project B,Tier 2 - identifiable,20/11/2015,Academic\n")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("text", [OLD_STYLE, NEW_STYLE], ids=["2015-style", "2018-style"])
def test_both_header_styles_load_to_the_same_rows(tmp_path, text):
    frame = load_register(write(tmp_path, "register.csv", text))
    assert list(frame.columns) == COLUMNS
    assert frame["organisation"].tolist() == ["Fixture Research Ltd", "Fixture University"]
    assert frame["purpose"].tolist() == ["Fixture project A", "Fixture project B"]
    assert frame["tier"].tolist() == ["Tier 1", "Tier 2"]
    assert frame["date"].tolist() == [pd.Timestamp("2014-02-03"), pd.Timestamp("2015-11-20")]
    assert frame["year"].tolist() == [2014, 2015]
    assert frame["sector"].tolist() == ["Commercial", "Academic"]
    assert "register.csv" in frame.attrs["source"]


def test_windows_1252_file_and_blank_fields(tmp_path):
    text = "Requestor,Project,Date,Sector\nFixture Caf\u00e9 Ltd,,27.2.207,\n"
    frame = load_register(write(tmp_path, "old.csv", text, encoding="cp1252"))
    row = frame.iloc[0]
    assert row["organisation"] == "Fixture Caf\u00e9 Ltd"
    assert row["purpose"] == "not stated" and row["tier"] == "not stated" and row["sector"] == "not stated"
    assert pd.isna(row["date"]) and pd.isna(row["year"])  # a typo is no date


def test_headers_match_loosely_and_prefer_the_closest_synonym():
    found = match_headers(["ORGANISATION TYPE", "organisation-name", "Project ref", "Date approved (DMAP)", "Level"])
    assert found == {"sector": 0, "organisation": 1, "date": 3, "tier": 4}


def test_missing_file_names_it(tmp_path):
    with pytest.raises(DataFileError, match="nowhere.csv"):
        load_register(tmp_path / "nowhere.csv")


def test_unsupported_format_names_file_and_accepted_formats(tmp_path):
    with pytest.raises(DataFileError, match=r"register\.pdf.*\.csv, \.xlsx"):
        load_register(write(tmp_path, "register.pdf", "%PDF-1.4"))


def test_binary_file_with_csv_name_is_unreadable(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataFileError, match=r"register\.csv.*not a readable CSV"):
        load_register(path)


@pytest.mark.parametrize("suffix, module, package", [(".xlsx", "openpyxl", "openpyxl"), (".ods", "odf", "odfpy")])
def test_spreadsheets_need_their_package_or_are_read(tmp_path, suffix, module, package):
    path = tmp_path / f"register{suffix}"
    path.write_bytes(b"not really a spreadsheet")
    with pytest.raises(DataFileError, match=f"register\\{suffix}") as error:
        load_register(path)
    if importlib.util.find_spec(module) is None:
        assert f"'{package}'" in str(error.value) and "save the register as CSV" in str(error.value)
    else:
        assert "not a readable" in str(error.value)


def test_no_organisation_column_lists_found_and_accepted_headers(tmp_path):
    path = write(tmp_path, "wrong.csv", "Name,Purpose,Date\nFixture,Fixture,2016-01-01\n")
    with pytest.raises(DataFileError) as error:
        load_register(path)
    message = str(error.value)
    assert "wrong.csv" in message and "'Name', 'Purpose', 'Date'" in message
    assert "Requestor organisation..." in message and "Applicant organisation..." in message


def test_header_without_rows_is_an_error(tmp_path):
    with pytest.raises(DataFileError, match="empty.csv.*no rows"):
        load_register(write(tmp_path, "empty.csv", "Organisation,Purpose\n,\n"))
