"""Register loader: sheets chosen by kind, one row per share, releases told from requests, what was read said.

The workbooks come from tests/fixtures/register/editions.py, laid out like the three known editions
(its README says where each layout detail comes from). The CSVs are written here. All are fixtures,
never evidence.
"""

import importlib.util
import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from npd_briefing.evidence.register import COLUMNS, load_register, match_headers, register_charts
from npd_briefing.evidence.register_layouts import date_meaning, dates, tiers
from npd_briefing.exceptions import DataFileError, ParameterError
from tests.fixtures.register import editions


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("register-editions")


@pytest.fixture(scope="module")
def sept_2017(folder):
    return editions.write_edition("2017", folder)


@pytest.fixture(scope="module")
def april_2018(folder):
    return editions.write_edition("2018", folder)


@pytest.fixture(scope="module")
def shares_2020(folder):
    return editions.write_edition("2020", folder)


def released(frame):
    return frame[frame["outcome"] == "released"]


def charts_by_title(frame):
    return {chart.title: chart for chart in register_charts(frame)}


# ---- the late-2017 workbook ------------------------------------------------------------------------


def test_2017_counts_releases_from_the_completed_sheet_only(sept_2017):
    frame = load_register(sept_2017)
    read = frame.attrs["read"]
    assert [s.name for s in read.read] == ["June 17 to Sept 17"]
    skipped = {s.name: s.skipped for s in read.sheets if s.skipped}
    assert set(skipped) == {"tier of data", "open", "live cases April 12 to May 17"}
    assert "reference table" in skipped["tier of data"] and "not counted unless asked" in skipped["open"]
    assert set(frame["sheet"]) == {"June 17 to Sept 17"}
    # four requests read, two of them releases; the rejected and not-pursued ones are kept but not counted
    assert frame["outcome"].tolist() == ["released", "released", "rejected", "not pursued"]
    by_year, by_tier = register_charts(frame)
    assert "Column chart of 2 releases" in by_year.alt and "2017 2." in by_year.alt
    assert "Not counted: rejected 1; not pursued 1" in by_year.alt


def test_2017_multi_tier_cell_is_kept_as_written_and_no_sector_chart(sept_2017):
    frame = load_register(sept_2017)
    assert frame.loc[frame["reference"] == "DR170214.02", "tier"].item() == "Tier 1 and Tier 2"
    titles = list(charts_by_title(frame))
    assert titles == [
        "Releases in the supplied register by year, 2017",
        "Releases in the supplied register by tier of data",
    ]
    tier_chart = register_charts(frame)[1]
    assert "Tier 1 and Tier 2 1; Tier 2 1" in tier_chart.alt
    assert (
        frame["sector"].isna().all() and frame["classification"].isna().all()
    )  # no column: NA, not 'not stated'


def test_2017_overlapping_sheets_count_each_share_once(sept_2017):
    frame = load_register(sept_2017, kinds=["releases", "live cases", "open cases"])
    assert frame["reference"].is_unique and (frame["reference"] == "DR170101.01").sum() == 1
    kept = frame.loc[frame["reference"] == "DR170101.01", "sheet"].item()
    assert kept == "June 17 to Sept 17"  # kept from the release sheet, dropped from live cases
    read = frame.attrs["read"]
    assert any(
        "1 in 'live cases April 12 to May 17': the same share as a row kept from 'June 17 to Sept 17'" in d
        for d in read.dropped
    )
    assert len(frame) == 10 and len(released(frame)) == 6
    assert frame.loc[frame["sheet"] == "open", "outcome"].eq("pending").all()
    assert read.outcomes == {"released": 6, "pending": 2, "rejected": 1, "not pursued": 1, "unknown": 0}


def test_shares_without_references_are_matched_across_sheets_by_organisation_purpose_and_date(tmp_path):
    header = ["Requesting organisation", "Project title", "Date of DMAP approval"]
    path = editions.write_workbook(
        tmp_path / "no_references.xlsx",
        {
            "June 17 to Sept 17": [
                header,
                ["Fixture Org A", "Fixture project A", "22/06/2017"],
                ["Fixture Org A", "Fixture project A", "01/07/2017"],
            ],
            "live cases April 12 to May 17": [
                header,
                ["fixture org a", "Fixture Project A", "22.06.2017"],
                ["Fixture Org B", "Fixture project B", "22/06/2017"],
            ],
        },
    )
    frame = load_register(path, kinds=["releases", "live cases"])
    assert frame["organisation"].tolist() == ["Fixture Org A", "Fixture Org A", "Fixture Org B"]
    assert frame.attrs["read"].dropped == [
        "1 in 'live cases April 12 to May 17': the same share as a row kept from "
        "'June 17 to Sept 17' (matched by its organisation, purpose and date)"
    ]


def test_2017_odd_dates_are_read_day_first_and_a_typo_is_no_date(sept_2017):
    frame = load_register(sept_2017, kinds=["live cases"])
    rows = frame.set_index("reference")
    assert rows.loc["DR161128.01", "date"] == pd.Timestamp("2016-11-28")
    assert rows.loc["DR160615.02", "date"] == pd.Timestamp("2016-06-15")
    assert rows.loc["DR130905.01", "date"] == pd.Timestamp("2013-09-05")
    typo = rows.loc["DR170227.04"]
    assert pd.isna(typo["date"]) and pd.isna(typo["year"]) and typo["date_as_written"] == "27.2.207"
    assert typo["outcome"] == "released"  # a release whose date cannot be read is still a release
    by_year = register_charts(frame)[0]
    assert "Not shown: 1 with no readable date" in by_year.alt
    assert "2013 1; 2014 0; 2015 0; 2016 2; 2017 1" in by_year.alt


def test_2017_report_names_header_columns_and_dropped_rows(sept_2017):
    text = str(load_register(sept_2017).attrs["read"])
    assert "'June 17 to Sept 17' (completed or approved releases): header on row 4" in text
    assert (
        "reference = 'DfE reference'; organisation = 'Requesting organisation'; purpose = 'Project title'; "
        "tier = 'Data requested (tier)'; date = 'Date of DMAP approval'; dates mean: approval (DMAP)"
    ) in text
    assert "1 in 'June 17 to Sept 17': no organisation named (total or note rows)" in text
    assert "'tier of data' describes the tiers of data" in text


# ---- the April 2018 file ---------------------------------------------------------------------------


def test_april_2018_pending_cell_and_combined_date_column(april_2018):
    frame = load_register(april_2018)
    rows = frame.set_index("reference")
    assert rows.loc["DR171219.01", "outcome"] == "pending"
    assert rows.loc["DR170124.04", "date"] == pd.Timestamp("2017-08-15")
    assert frame["date_meaning"].eq("extract sent, re-use granted or application rejected").all()
    read = frame.attrs["read"]
    assert read.read[0].columns["reference"] == "Request no."  # found by its cells, not its header
    assert any("also records rejections" in note for note in read.notes)
    by_year = register_charts(frame)[0]
    assert by_year.figure.axes[0].get_xlabel() == (
        "Year of the date: extract sent, re-use granted or application rejected (year)"
    )
    assert "Column chart of 4 releases" in by_year.alt and "Not counted: pending 1" in by_year.alt


# ---- the 2020 ODS "DfE external data shares" -------------------------------------------------------


def test_2020_counts_dsap_shares_and_charts_classification_not_tier(shares_2020):
    frame = load_register(shares_2020)
    read = frame.attrs["read"]
    assert [s.name for s in read.read] == ["DSAP approved shares"]
    assert len(released(frame)) == 3 and frame["date_meaning"].eq("approval (DSAP)").all()
    titles = list(charts_by_title(frame))
    assert titles == [
        "Releases in the supplied register by year, 2018 to 2019",
        "Releases in the supplied register by classification of data",
    ]
    assert any("any DfE data, not only the National Pupil Database" in note for note in read.notes)
    assert set(frame["reference"]) == {"DS00101", "R0101", "DS00202"}


def test_2020_other_kinds_when_asked_each_chart_from_its_own_sheets(shares_2020):
    frame = load_register(shares_2020, kinds=["releases", "held", "orders"])
    read = frame.attrs["read"]
    assert {s.name: s.kind for s in read.read} == {
        "DSAP approved shares": "releases",
        "NPD requests pre April 2018": "held",
        "Police": "orders",
    }
    skipped = {s.name: s.skipped for s in read.sheets if s.skipped}
    assert "no header row naming the organisation" in skipped["Home Office"]
    police = frame[frame["sheet"] == "Police"].set_index("organisation")["outcome"]
    assert police.to_dict() == {"Fixture Police Force U": "released", "Fixture Police Force V": "rejected"}
    made = charts_by_title(frame)
    tier = made["Releases in the supplied register by tier of data"]
    assert "2 releases" in tier.alt and "from sheet(s) 'NPD requests pre April 2018'" in tier.alt
    assert "Not shown: 4 from sheets with no tier of data column" in tier.alt
    classification = made["Releases in the supplied register by classification of data"]
    assert "3 releases" in classification.alt
    by_year = made["Releases in the supplied register by year, 2016 to 2020"]
    assert "meaning differs by sheet" in by_year.figure.axes[0].get_xlabel()


def test_2020_sheets_are_told_by_their_titles_when_names_say_nothing(folder):
    (folder / "opaque").mkdir(exist_ok=True)
    opaque = editions.write_edition("2020", folder / "opaque", opaque_names=True)
    frame = load_register(opaque, kinds=["releases", "held", "agreements"])
    kinds = {s.name: s.kind for s in frame.attrs["read"].sheets}
    assert kinds == {
        "Sheet1": "reference",
        "Sheet2": "releases",
        "Sheet3": "agreements",
        "Sheet4": "held",
        "Sheet5": "orders",
        "Sheet6": "orders",
        "Sheet7": "orders",
    }
    assert len(released(frame)) == 6


# ---- what is said, and refused ---------------------------------------------------------------------


@pytest.mark.parametrize("edition", ["2017", "2018", "2020"])
def test_file_is_named_by_its_name_never_its_folder(folder, edition):
    path = editions.write_edition(edition, folder)
    frame = load_register(path)
    said = [str(frame.attrs["read"]), frame.attrs["source"]]
    said += [text for chart in register_charts(frame) for text in (chart.alt, chart.source, chart.title)]
    assert path.name in said[0] and path.name in said[1]
    assert not any(str(folder) in text for text in said)


def test_a_file_whose_kind_cannot_be_told_is_refused_in_one_line(tmp_path):
    path = editions.write_workbook(
        tmp_path / "mystery.xlsx", {"Sheet1": [["Name", "Count"], ["x", "1"]], "Sheet2": [["nothing here"]]}
    )
    with pytest.raises(DataFileError) as error:
        load_register(path)
    message = str(error.value)
    assert "\n" not in message and str(tmp_path) not in message
    assert message.startswith("mystery.xlsx: cannot tell what kind of register this is")
    assert "'Sheet1' (first row 'Name', 'Count')" in message and '"June 17 to Sept 17"' in message
    assert "'Requesting organisation'" in message and "'Data recipient'" in message


def test_no_sheet_of_the_kinds_asked_names_the_kinds_present(sept_2017):
    with pytest.raises(
        DataFileError, match=r"no sheet of the kinds asked \(held\).*releases, live cases, open cases"
    ):
        load_register(sept_2017, kinds=["held"])


def test_an_unknown_kind_is_a_parameter_error(sept_2017):
    with pytest.raises(ParameterError, match="'everything'.*valid kinds are 'releases'"):
        load_register(sept_2017, kinds=["everything"])


# ---- CSV copies and headers ------------------------------------------------------------------------

OLD_STYLE = """National pupil database: third-party requests (fixture),,,,,
Test fixture only,,,,,
,,,,,
Organisation Name,Project Title,Tier,Date of Release,Sector,Notes
Fixture Research Ltd,Fixture project A,Tier 1,03/02/2014,Commercial,
Fixture University,Fixture project B,2,2015-11-20,Academic,
,,,,,
"""
NEW_STYLE = (
    '"Applicant organisation name","Purpose of the project","Level of data (tier)",'
    f'"{editions.DATE_2018}","Requestor type"\n'
    "Fixture Research Ltd,Fixture project A,Tier 1,2014-02-03,Commercial\n"
    "Fixture University,Fixture project B,Tier 2 - identifiable,20/11/2015,Academic\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("text", [OLD_STYLE, NEW_STYLE], ids=["title-rows", "2018-date-header"])
def test_csv_copies_load_to_the_same_rows(tmp_path, text):
    frame = load_register(write(tmp_path, "register.csv", text))
    assert list(frame.columns) == COLUMNS
    assert frame["organisation"].tolist() == ["Fixture Research Ltd", "Fixture University"]
    assert frame["tier"].tolist() == ["Tier 1", "Tier 2"]
    assert frame["date"].tolist() == [pd.Timestamp("2014-02-03"), pd.Timestamp("2015-11-20")]
    assert frame["year"].tolist() == [2014, 2015]
    assert frame["sector"].tolist() == ["Commercial", "Academic"]
    by_sector = charts_by_title(frame)["Releases in the supplied register by sector"]
    assert "Commercial 1; Academic 1" in by_sector.alt or "Academic 1; Commercial 1" in by_sector.alt


def test_windows_1252_csv_blank_fields_and_a_status_column(tmp_path):
    text = (
        "Requestor,Project,Date of release,Sector,Status\n"
        "Fixture Caf\u00e9 Ltd,,27.2.207,,\n"
        "Fixture Two Ltd,Fixture project,01/02/2016,Academic,Closed\n"
        "Fixture Three Ltd,Fixture project,,Academic,Withdrawn by applicant\n"
    )
    frame = load_register(write(tmp_path, "old.csv", text, encoding="cp1252"))
    first = frame.iloc[0]
    assert first["organisation"] == "Fixture Caf\u00e9 Ltd"
    assert first["purpose"] == "not stated" and first["sector"] == "not stated" and pd.isna(first["tier"])
    assert pd.isna(first["date"]) and first["outcome"] == "released"
    assert frame["outcome"].tolist() == ["released", "unknown", "not pursued"]


def test_headers_match_the_synonyms_of_every_edition():
    found = match_headers(
        ["ORGANISATION TYPE", "organisation-name", "Project ref", "Date approved (DMAP)", "Level"]
    )
    assert found == {"sector": 0, "organisation": 1, "date": 3, "tier": 4}
    for organisation in [
        "Requesting organisation",
        "Recipient organisation",
        "Data recipient",
        "Third party",
        "Requestor organisation name",
        "Applicant",
    ]:
        assert match_headers([organisation, "Purpose"])["organisation"] == 0, organisation
    assert match_headers(["Organisation", "Data requested (tier)", "Classification of data"]) == {
        "organisation": 0,
        "tier": 1,
        "classification": 2,
    }
    # two date columns: the one that shows data went out wins over the request date
    assert match_headers(["Organisation", "Date request received", "Date extract sent"])["date"] == 2
    assert date_meaning("DSAP approval date") == "approval (DSAP)"
    assert date_meaning("Date of DMAP approval") == "approval (DMAP)"
    assert date_meaning("Date request received") == "request"
    assert date_meaning(editions.DATE_2018) == "extract sent, re-use granted or application rejected"


def test_tiers_are_normalised_only_when_one_tier_is_named():
    cells = pd.Series(
        ["Tier 1", "2", "Tier 2 - identifiable", "Tier 1 and Tier 2", "Tiers 1 & 2", "", "unclassified"]
    )
    assert tiers(cells).tolist() == [
        "Tier 1",
        "Tier 2",
        "Tier 2",
        "Tier 1 and Tier 2",
        "Tiers 1 & 2",
        "not stated",
        "unclassified",
    ]


def test_date_forms_from_the_registers():
    cells = pd.Series(
        ["28/11/2016", "15.06.2016", "5.9.2013", "27.2.207", "pending", "2017-08-15 00:00:00", "42736"]
    )
    assert dates(cells).tolist() == [
        pd.Timestamp("2016-11-28"),
        pd.Timestamp("2016-06-15"),
        pd.Timestamp("2013-09-05"),
        pd.NaT,
        pd.NaT,
        pd.Timestamp("2017-08-15"),
        pd.Timestamp("2017-01-01"),
    ]


def test_missing_file_names_it(tmp_path):
    with pytest.raises(DataFileError, match="^nowhere.csv: no such register file$"):
        load_register(tmp_path / "nowhere.csv")


def test_unsupported_format_names_file_and_accepted_formats(tmp_path):
    with pytest.raises(DataFileError, match=r"register\.pdf.*\.csv, \.xlsx"):
        load_register(write(tmp_path, "register.pdf", "%PDF-1.4"))


def test_binary_file_with_csv_name_is_unreadable(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataFileError, match=r"register\.csv.*not a readable CSV"):
        load_register(path)


@pytest.mark.parametrize(
    "suffix, module, package", [(".xlsx", "openpyxl", "openpyxl"), (".ods", "odf", "odfpy")]
)
def test_spreadsheets_need_their_package_or_are_read(tmp_path, suffix, module, package):
    path = tmp_path / f"register{suffix}"
    path.write_bytes(b"not really a spreadsheet")
    with pytest.raises(DataFileError, match=f"register\\{suffix}") as error:
        load_register(path)
    if importlib.util.find_spec(module) is None:
        assert f"'{package}'" in str(error.value) and "save the register as CSV" in str(error.value)
    else:
        assert "not a readable" in str(error.value)


def test_header_without_rows_is_an_error(tmp_path):
    with pytest.raises(DataFileError, match="empty.csv.*no rows naming an organisation"):
        load_register(write(tmp_path, "empty.csv", "Organisation,Purpose,Date of release\n,,\n"))


# ---- in the notebook ---------------------------------------------------------------------------------


@pytest.mark.parametrize("edition, register_images", [("2017", 2), ("2020", 2)])
def test_npd_scope_says_what_it_read_and_charts_releases(folder, edition, register_images):
    from npd_briefing.pipeline.notebook import (
        execute_notebook,  # the parent side, as tests/test_notebooks.py uses it
    )

    path = editions.write_edition(edition, folder)
    nb = execute_notebook(register_notebook(), {"register_path": str(path)})
    printed = "".join(
        o.get("text", "")
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    html = "".join(
        o.get("data", {}).get("text/html", "") for cell in nb.cells for o in cell.get("outputs", [])
    )
    assert (
        f"Register file: {path.name}" in printed and "Sheets read:" in printed and "Rows dropped:" in printed
    )
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert outputs and str(folder) not in json.dumps(outputs)  # the outputs travel with a shared notebook
    alts = [img.get("alt", "") for img in BeautifulSoup(html, "html.parser").find_all("img")]
    register_alts = [alt for alt in alts if "the supplied register" in alt]
    assert len(register_alts) == register_images and all("releases" in alt for alt in register_alts)
    assert not any("by sector" in alt for alt in register_alts)


def register_notebook():
    from npd_briefing.config import NOTEBOOKS_DIR

    return NOTEBOOKS_DIR / "npd_scope.ipynb"
