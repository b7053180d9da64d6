"""The scheduled refresh, `build.py data --download --strict --report FILE` (what `make refresh` and the
refresh workflow run): a new release reaches data/ with a change report; no change leaves data/ as it
was; a source that fails, a changed layout or a table that breaks an invariant stops it in one line
naming the source, with data/ untouched.

The release is served by a fake opener in the EES Content API's own shapes, its CSVs in the layouts
the services publish (tests/data/ees_answers.py, tests/fixtures/ees/README.md); the register edition
is a workbook laid out like a known edition (tests/fixtures/register/). Every figure in them is made up.
"""

import datetime
import hashlib
import json
import shutil

import pandas as pd
import pytest

from npd_briefing import cli
from npd_briefing.data import curate, download
from tests.data import ees_answers as ees
from tests.data.conftest import copy_raw, csv_bytes, read
from tests.data.test_refresh import CENSUS, PLACEMENT, PUPILS, add_year, fake_release, later_layout, serve
from tests.fixtures.ees.school_characteristics import school_characteristics
from tests.fixtures.register import editions

API = download.EES_CONTENT_API
SCHOOLS_URL = f"{API}/data-set-files/9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d03/download"
CENSUS_URL = f"{API}/data-set-files/9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d01/download"
REASONS_URL = f"{API}/data-set-files/9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d02/download"
REGISTER_ODS = "https://assets.publishing.service.gov.uk/media/1/dfe-external-data-shares.ods"


def snapshot(folder) -> dict[str, str]:
    """Every file under a folder, by name, with its sha256: to show nothing was touched."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def github(tmp_path, monkeypatch):
    """The files GitHub's runner gives a step for its outputs and the job's summary."""
    output, summary = tmp_path / "github_output", tmp_path / "step_summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return output, summary


def next_year(frame: pd.DataFrame) -> pd.DataFrame:
    """tests/data/test_refresh.py's made-up 2023/24, with Cumbria's counts split between Cumberland and
    Westmorland and Furness (there each has all of them), so that LAs still add up to England."""
    frame = add_year(frame)
    split = (frame["time_period"] == "202324") & frame["old_la_code"].isin(["942", "943"])
    counts = [
        c
        for c in frame.columns
        if frame[c].str.fullmatch(r"\d+").mean() > 0.5 and "code" not in c and c != "time_period"
    ]
    for column in counts:
        values = frame.loc[split, column]
        whole = values.str.fullmatch(r"\d+")
        number = pd.to_numeric(values.where(whole), errors="coerce")
        half = (number // 2).where(frame.loc[split, "old_la_code"] == "942", number - number // 2)
        frame.loc[split & frame.index.isin(values[whole].index), column] = half[whole].astype(int).astype(str)
    return frame


@pytest.fixture(scope="module")
def built_and_served(tmp_path_factory):
    """data/ as built from the raw files, and the release a refresh finds: 2023/24 added to each data set
    (with a register edition laid out like DfE's 2020 workbook). Made once for the module: a build
    from a copy of the raw files is the same byte for byte wherever the copy is."""
    folder = tmp_path_factory.mktemp("published")
    raw = copy_raw(folder / "raw")
    curate.build_data(raw, folder / "data")
    served = fake_release(raw)
    census = next_year(read(raw, CENSUS))
    # A revision, made up: one pupil of Derbyshire's moved to Derby for January 2023.
    total = (census["time_period"] == "202223") & (census["age"] == "Total") & (census["gender"] == "Total")
    total &= (census["ethnicity_minor"] == "Total") & (census["fsm"] == "Total")
    for code, change in (("831", 1), ("830", -1)):
        row = total & (census["old_la_code"] == code)
        census.loc[row, "number_of_pupils"] = str(int(census.loc[row, "number_of_pupils"].iloc[0]) + change)
    served[CENSUS_URL] = csv_bytes(later_layout(census), bom=True)
    served[REASONS_URL] = csv_bytes(later_layout(next_year(read(raw, PLACEMENT))), bom=True)
    served[SCHOOLS_URL] = csv_bytes(school_characteristics(next_year(read(raw, PUPILS))), bom=True)
    (folder / "register").mkdir()
    served[REGISTER_ODS] = editions.write_edition("2020", folder / "register").read_bytes()
    return folder, served


@pytest.fixture
def published(built_and_served, data_dir):
    """The test's own copy of the built data/ (with the CITATION.cff the build writes beside it), and of
    what is served: a test may change either."""
    folder, served = built_and_served
    shutil.copytree(folder / "data", data_dir)
    shutil.copyfile(folder / "CITATION.cff", data_dir.parent / "CITATION.cff")
    return dict(served)


def run_refresh(raw, tmp_path, capsys):
    report, record = tmp_path / "refresh-report.md", tmp_path / "check-record.json"
    record.unlink(missing_ok=True)
    arguments = ["--raw", str(raw), "--report", str(report), "--check-record", str(record)]
    code = cli.main(["data", "--download", "--strict", *arguments])
    out, err = capsys.readouterr()
    return code, out, err, report


def test_a_new_release_reaches_data_with_a_report_of_every_changed_figure(
    raw, data_dir, published, tmp_path, monkeypatch, capsys, github
):
    serve(monkeypatch, published)
    code, out, err, report = run_refresh(raw, tmp_path, capsys)
    assert code == 0, err
    text = report.read_text()
    assert text.startswith("# ") and " figures changed\n" in text.splitlines()[0] + "\n"
    # The denominator moved to the new January with the counts: both figures for 2023/24.
    pupils = pd.read_csv(data_dir / "pupils.csv", dtype=str, keep_default_na=False)
    assert "202324" in set(pupils["time_period"])
    barnsley = pupils[(pupils["la_code"] == "370") & (pupils["time_period"] == "202324")].iloc[0]
    expected = read(raw, PUPILS)
    expected = expected[(expected["old_la_code"] == "370") & (expected["time_period"] == "202223")].iloc[0]
    assert barnsley["pupils_state_funded"] == expected["derived_headcount_state_funded_all_types"]
    la_ap = pd.read_csv(data_dir / "la_ap.csv", dtype=str, keep_default_na=False)
    assert "202324" in set(la_ap["time_period"])
    release = f"{ees.PUBLICATION_TITLE}, {ees.RELEASE['title']}: {ees.SCHOOL_CHARACTERISTICS}"
    las = int((pupils["time_period"] == "202324").sum())
    assert (
        f"| pupils | pupils_state_funded | 2023/24 | {las} | 0 | 0 | spc_school_characteristics | {release} "
        f"| 2026-06-04 |" in text
    )
    # A revised figure comes first, with its old and new value; then new ones, as many as fit.
    before = read(raw, CENSUS).set_index(["old_la_code", "time_period"])["number_of_pupils"]
    derby = int(before.loc[("831", "202223")])
    revised = text.split("### Revised figures")[1].split("###")[0]
    assert (
        f"| la_ap | pupils (la_funded_ap_pupils) | Derby | 2022/23 | {derby} | {derby + 1} | ap_census_totals |"
        in revised
    )
    assert (
        "### New and removed figures" in text
        and "more not listed here; `git diff` on data/ shows every one." in text
    )
    assert len(text) < 65_536
    assert "- Aldershot (E14001063): MP Alex Baker (Labour) -> A. N. Other (Independent)" in text
    # What the register loader read in the edition fetched: sheets read and skipped, releases by year and tier.
    register = text.split("## The third-party register, as the loader read it")[1]
    assert "Register file: dfe_external_data_shares.ods" in register and "Sheets read:" in register
    assert "Sheets skipped:" in register and "| year | tier | releases |" in register
    assert github[0].read_text() == "changed=true\n"
    assert github[1].read_text().startswith("Next, this run tests the new tables") and github[
        1
    ].read_text().endswith(text)
    assert out.startswith(text) and out.endswith("data/ updated: open a pull request with this report\n")
    manifest = json.loads((data_dir / "datapackage.json").read_text())
    assert manifest["changelog"][-1]["changes"]
    record = json.loads((tmp_path / "check-record.json").read_text())
    assert record == {"checked": datetime.date.today().isoformat(), "data_version": manifest["data_version"]}


def test_nothing_new_leaves_data_untouched_and_says_so(
    raw, data_dir, published, tmp_path, monkeypatch, capsys, github
):
    serve(monkeypatch, published)
    assert run_refresh(raw, tmp_path, capsys)[0] == 0
    before = snapshot(data_dir)
    github[0].unlink()
    github[1].unlink()
    code, out, _, report = run_refresh(raw, tmp_path, capsys)
    assert code == 0
    assert snapshot(data_dir) == before
    assert report.read_text().startswith("# No figure changed\n")
    assert out.endswith("no figure changed: data/ left as it was\n")
    assert github[0].read_text() == "changed=false\n"
    assert github[1].read_text().startswith("# No figure changed\n\nThe newest releases hold the figures")
    # The record the site reads: checked today, and the data version still published.
    published_version = json.loads((data_dir / "datapackage.json").read_text())["data_version"]
    record = json.loads((tmp_path / "check-record.json").read_text())
    assert record == {"checked": datetime.date.today().isoformat(), "data_version": published_version}


def stopped(raw, data_dir, tmp_path, capsys, github):
    """Run a refresh that must fail: exit 2, one line, data/ and CITATION.cff unchanged, no report."""
    citation = data_dir.parent / "CITATION.cff"
    before = snapshot(data_dir), citation.read_bytes()
    code, out, err, report = run_refresh(raw, tmp_path, capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith("error: refresh stopped, data/ unchanged: ")
    assert (snapshot(data_dir), citation.read_bytes()) == before and not report.exists()
    assert not (tmp_path / "check-record.json").exists()
    assert not github[0].exists()
    assert github[1].read_text().startswith("# Refresh failed\n\n" + err.removeprefix("error: ").strip())
    return err


def test_a_source_that_cannot_be_reached_stops_the_refresh_naming_it(
    raw, data_dir, published, tmp_path, monkeypatch, capsys, github
):
    serve(monkeypatch, published, failing={SCHOOLS_URL})
    err = stopped(raw, data_dir, tmp_path, capsys, github)
    assert f"source spc_school_characteristics: could not download {SCHOOLS_URL} (HTTP 500)" in err


def test_a_changed_layout_stops_the_refresh_naming_the_source(
    raw, data_dir, published, tmp_path, monkeypatch, capsys, github
):
    renamed = school_characteristics(next_year(read(raw, PUPILS))).rename(
        columns={"total_pupil_count": "pupil_total"}
    )
    published[SCHOOLS_URL] = csv_bytes(renamed, bom=True)
    serve(monkeypatch, published)
    err = stopped(raw, data_dir, tmp_path, capsys, github)
    assert (
        "source spc_school_characteristics: dfe/pupils/spc_school_characteristics.csv: missing column(s) "
        in err
    )
    assert "total_pupil_count; this layout is not one the pack knows" in err


def test_a_renamed_data_set_stops_the_refresh_naming_the_source(
    raw, data_dir, published, tmp_path, monkeypatch, capsys, github
):
    listing = f"{API}/data-set-files?publicationId={ees.PUBLICATION_ID}&latestOnly=true&page=2&pageSize=40"
    page = json.loads(published[listing])
    page["results"][1]["title"] = "School characteristics - by age and sex"
    published[listing] = json.dumps(page).encode()
    serve(monkeypatch, published)
    err = stopped(raw, data_dir, tmp_path, capsys, github)
    assert (
        "source spc_school_characteristics: the latest 'school-pupils-and-their-characteristics' release has "
        in err
    )
    assert f"no data set titled '{ees.SCHOOL_CHARACTERISTICS}'" in err


def test_a_table_that_breaks_an_invariant_stops_the_refresh_naming_it(
    raw, data_dir, published, tmp_path, monkeypatch, capsys, github
):
    census = next_year(read(raw, CENSUS))
    las = census.index[
        (census["geographic_level"] == "Local authority") & (census["time_period"] == "202324")
    ]
    census.loc[las[0], "number_of_pupils"] = "999999"  # made up: more than England's total
    published[CENSUS_URL] = csv_bytes(later_layout(census), bom=True)
    serve(monkeypatch, published)
    err = stopped(raw, data_dir, tmp_path, capsys, github)
    assert "table la_ap (from ap_census_totals, school_ap_placement, la_codes_by_year): " in err
    assert "la_funded_ap_pupils 202324: " in err and "England is " in err


def test_strict_goes_with_download(raw, data_dir, capsys):
    for alone in (["--strict"], ["--check-record", "record.json"]):
        assert cli.main(["data", *alone, "--raw", str(raw)]) == 2
        assert "--strict, --report and --check-record go with --download" in capsys.readouterr().err
