"""Refreshing from later official releases: new layouts, new years, new LA codes and MPs, downloads.

Every raw folder here is a fixture the test writes in tmp_path (copies of the raw files with a few
rewritten; the names and numbers in them are made up and never evidence). Tables are built into
tmp_path, never into data/, and no test uses the network: downloads are served by a fake opener.
"""

import hashlib
import io
import json
import shutil
import socket
import urllib.error
import urllib.request
from datetime import date

import pandas as pd
import pytest

from npd_briefing import cli, config
from npd_briefing.evidence import analysis
from npd_briefing.data import curate, datasets, download
from npd_briefing.exceptions import DataFileError
from npd_briefing.data.manifest import read_manifest
from npd_briefing.data.sources import SOURCES

pytestmark = pytest.mark.skipif(not config.RAW_DATA_DIR.is_dir(), reason="raw data folder ../shared/data not present")

CENSUS = SOURCES["ap_census_totals"]["path"]
PLACEMENT = SOURCES["school_ap_placement"]["path"]
LA_CODES = SOURCES["la_codes_by_year"]["path"]
PUPILS = SOURCES["pupil_headcounts"]["path"]
BY_TYPE = SOURCES["ap_counts_by_provision"]["path"]
MPS = SOURCES["dfe_mp_lookup"]["path"]
SYMBOLS = ["x", "z", "c", ":", "-", "u", "low"]


@pytest.fixture
def raw(tmp_path):
    """A raw folder with a copy of every file the build reads (the 2022/23 release, `gender` layout)."""
    folder = tmp_path / "raw"
    for meta in SOURCES.values():
        (folder / meta["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(config.RAW_DATA_DIR / meta["path"], folder / meta["path"])
    return folder


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


def later_layout(frame):
    """Rows as a later release lays them out: `sex` for `gender`, breakdown rows the build must skip,
    constituency rows with pcon_code/pcon_name, columns in another order (written with a BOM)."""
    frame = frame.rename(columns={"gender": "sex"}).assign(pcon_code="", pcon_name="")
    if "sex" in frame:
        frame = pd.concat([frame, frame.assign(sex="Female", number_of_pupils="1")])
    national = frame[frame["geographic_level"] == "National"]
    constituency = national.assign(geographic_level="Parliamentary constituency", pcon_code="E14001063",
                                   pcon_name="Aldershot")
    frame = pd.concat([frame, constituency], ignore_index=True)
    return frame[list(reversed(frame.columns))]


def add_year(frame):
    """2022/23's rows again as 2023/24, with Cumbria (909) split into Cumberland (942) and Westmorland
    and Furness (943), and Barnsley (370) given a new ONS code."""
    rows = frame[frame["time_period"] == "202223"].assign(time_period="202324")
    cumbria = rows[rows["old_la_code"] == "909"]
    rows = pd.concat([rows[rows["old_la_code"] != "909"],
                      cumbria.assign(old_la_code="942", new_la_code="E06000063", la_name="Cumberland"),
                      cumbria.assign(old_la_code="943", new_la_code="E06000064", la_name="Westmorland and Furness")])
    rows.loc[rows["old_la_code"] == "370", "new_la_code"] = "E08000038"
    return pd.concat([frame, rows], ignore_index=True)


def new_mp(frame):
    """The MP lookup with Aldershot's MP replaced by a made-up one."""
    frame = frame.copy()
    frame.loc[frame["pcon_code"] == "E14001063", ["member_id", "full_title", "display_as", "party_text"]] = [
        "999999", "A. N. Other MP", "A. N. Other", "Independent"]
    return frame


def test_a_later_layout_builds_the_same_tables_with_symbols_as_blanks(raw):
    before = curate.build_tables(raw)
    census = read(raw, CENSUS)
    marked = census.index[(census["geographic_level"] == "Local authority") & (census["time_period"] == "202223")][:7]
    census.loc[marked, "number_of_pupils"] = SYMBOLS
    write(raw, CENSUS, later_layout(census), bom=True)
    write(raw, PLACEMENT, later_layout(read(raw, PLACEMENT)), bom=True)

    after = curate.build_tables(raw)
    expected = before["la_ap"].copy()
    blanked = (expected["measure"].eq("la_funded_ap_pupils") & expected["time_period"].eq(202223)
               & expected["la_code"].isin(census.loc[marked, "old_la_code"]))
    expected.loc[blanked, "pupils"] = pd.NA
    assert blanked.sum() == len(SYMBOLS)
    pd.testing.assert_frame_equal(after["la_ap"], expected)
    pd.testing.assert_frame_equal(after["school_arranged_ap_reasons"], before["school_arranged_ap_reasons"])


def test_a_newer_year_new_la_codes_and_a_new_mp_reach_tables_report_and_briefing(raw, tmp_path, monkeypatch):
    data = tmp_path / "data"
    curate.build_data(raw, data)
    for path in (CENSUS, PLACEMENT, LA_CODES, PUPILS):
        write(raw, path, add_year(read(raw, path)))
    write(raw, MPS, new_mp(read(raw, MPS)))

    manifest = curate.build_data(raw, data)
    changes = manifest["changelog"][-1]["changes"]
    assert any(line.startswith("la_ap: 2032 -> ") and line.endswith("years 2017/18 to 2023/24 (was 2017/18 to 2022/23)")
               for line in changes), changes
    # 163 rows for 2023/24 (Cumbria's split adds one), and Barnsley's six years re-coded.
    assert ("pupils: 970 -> 1133 rows (169 added, 6 removed); years 2017/18 to 2023/24 (was 2017/18 to 2022/23)"
            in changes)
    assert "Aldershot (E14001063): MP Alex Baker (Labour) -> A. N. Other (Independent)" in changes
    assert "LA 370 Barnsley: ONS code E08000016 -> E08000038" in changes
    assert "LA 942 Cumberland: new LA number (E06000063), figures from 2023/24" in changes
    assert "LA 943 Westmorland and Furness: new LA number (E06000064), figures from 2023/24" in changes
    assert not any(line.startswith("warning") for line in changes)
    assert curate.build_data(raw, data)["changelog"] == manifest["changelog"]  # nothing new, nothing logged

    original_load = datasets.load
    monkeypatch.setattr(datasets, "load", lambda name, data_dir=data: original_load(name, data_dir))
    assert analysis.latest_year() == 202324
    lineage = datasets.load("la_lineage").set_index("la_code")
    assert lineage.loc["942", "note"] == "Cumberland and Westmorland and Furness replaced Cumbria (909) in April 2023."
    picture = analysis.local_picture("E14001424")  # Penrith and Solway: Cumberland and Westmorland and Furness
    assert picture.academic_year == "2023/24"
    assert [(a.la_code, a.data_la_code) for a in picture.authorities] == [("942", "942"), ("943", "943")]
    assert picture.authorities[0].latest_pupils is not None
    seats = datasets.load("seats").set_index("gss_code")
    assert seats.loc["E14001063", "mp_display_name"] == "A. N. Other"


def test_ap_figures_beyond_the_denominators_are_reported(raw, tmp_path):
    data = tmp_path / "data"
    curate.build_data(raw, data)
    write(raw, CENSUS, add_year(read(raw, CENSUS)))
    changes = curate.build_data(raw, data)["changelog"][-1]["changes"]
    assert changes[-1].startswith("warning: LA-funded AP figures reach 2023/24 but the pupil headcounts "
                                  "(the rate denominator) end at 2022/23")


def test_an_unknown_layout_stops_the_build_naming_what_is_missing(raw):
    census = read(raw, CENSUS).rename(columns={"old_la_code": "la_code_3digit", "number_of_pupils": "headcount"})
    write(raw, CENSUS, census)
    with pytest.raises(DataFileError, match=r"missing column\(s\) old_la_code, number_of_pupils; this layout"):
        curate.build_tables(raw)

    shutil.copyfile(config.RAW_DATA_DIR / CENSUS, raw / CENSUS)
    by_type = read(raw, BY_TYPE).replace({"prov_type": {"State-funded AP school": "AP school"}})
    write(raw, BY_TYPE, by_type)
    with pytest.raises(DataFileError, match="no rows with prov_type State-funded AP school"):
        curate.build_tables(raw)


def refuse(*args, **kwargs):
    raise AssertionError("the network was used")


def test_data_without_download_never_reaches_the_network(raw, data_dir, monkeypatch, capsys):
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(download, "download_all", refuse)
    assert cli.main(["data", "--raw", str(raw)]) == 0
    assert "seats: new table, 650 rows" in capsys.readouterr().out


def summary(data_set_id, title):
    return {"id": data_set_id, "title": title, "published": "2024-06-06T09:30:00Z",
            "publication": {"id": "p1", "title": "Schools, pupils and their characteristics"},
            "release": {"id": "r1", "title": "Academic year 2023/24"}}


def fake_release(raw):
    """What the fake opener serves: a later EES release, a new MP lookup and the register page."""
    api = download.EES_CONTENT_API
    listing = f"{api}/data-set-files?publicationId=p1&latestOnly=true&page={{}}&pageSize=40"
    ods = "https://assets.publishing.service.gov.uk/media/1/dfe-external-data-shares.ods"
    return {
        f"{api}/publications/school-pupils-and-their-characteristics/title": json.dumps({"id": "p1"}).encode(),
        listing.format(1): json.dumps({"results": [summary("d1", download.EES_DATA_SETS["ap_census_totals"][0]),
                                               summary("d0", "Class size - by school")],
                                   "paging": {"page": 1, "totalPages": 2}}).encode(),
        listing.format(2): json.dumps({"results": [summary("d2", download.EES_DATA_SETS["school_ap_placement"][0])],
                                   "paging": {"page": 2, "totalPages": 2}}).encode(),
        f"{api}/data-set-files/d1/download": csv_bytes(later_layout(add_year(read(raw, CENSUS))), bom=True),
        f"{api}/data-set-files/d2/download": csv_bytes(later_layout(add_year(read(raw, PLACEMENT))), bom=True),
        download.MP_LOOKUP_URL: csv_bytes(new_mp(read(raw, MPS))),
        download.REGISTER_CONTENT_API: json.dumps({"public_updated_at": "2026-09-10T09:30:00Z", "details": {
            "attachments": [{"title": "DfE external data shares: June 2026", "url": ods}]}}).encode(),
        ods: b"PK fake spreadsheet",
    }


def test_download_fetches_the_release_records_it_and_rebuilds(raw, data_dir, tmp_path, monkeypatch, capsys):
    curate.build_data(raw, data_dir)
    served = fake_release(raw)

    def fake_urlopen(request, timeout):
        if request.full_url not in served:
            raise urllib.error.URLError(f"no fake answer for {request.full_url}")
        return io.BytesIO(served[request.full_url])

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    downloads = tmp_path / "downloads"
    assert cli.main(["data", "--download", "--raw", str(raw), "--download-dir", str(downloads)]) == 0
    out = capsys.readouterr().out
    census_url = f"{download.EES_CONTENT_API}/data-set-files/d1/download"
    assert f"downloaded dfe/ap/ap_placements_ap_census.csv from {census_url}" in out
    assert "Aldershot (E14001063): MP Alex Baker (Labour) -> A. N. Other (Independent)" in out
    assert "years 2017/18 to 2023/24 (was 2017/18 to 2022/23)" in out
    assert "warning: LA-funded AP figures reach 2023/24" in out  # pupil headcounts are not downloaded

    sources = {s["id"]: s for r in read_manifest(data_dir / "datapackage.json")["resources"] for s in r["sources"]}
    census = sources["ap_census_totals"]
    assert (census["download_url"], census["downloaded"], census["release_date"]) == (
        census_url, date.today().isoformat(), "2024-06-06")
    assert census["download_sha256"] == hashlib.sha256(served[census_url]).hexdigest()
    assert census["title"].startswith("Schools, pupils and their characteristics, Academic year 2023/24: ")
    mps = sources["dfe_mp_lookup"]
    assert mps["download_sha256"] == hashlib.sha256(served[download.MP_LOOKUP_URL]).hexdigest()
    assert "download_url" not in sources["pupil_headcounts"]
    assert set(pd.read_csv(data_dir / "seats.csv", dtype=str)["mps_as_of"]) == {date.today().isoformat()}
    assert (downloads / download.REGISTER_FILE).read_bytes() == b"PK fake spreadsheet"
    register = json.loads((downloads / "downloads.json").read_text())["dfe_external_data_shares"]
    assert register["release_date"] == "2026-09-10"


def test_a_register_page_that_fails_is_recorded_not_fatal(monkeypatch):
    def not_found(request, timeout):
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", not_found)
    files, record = download.fetch_register("2026-12-01")
    assert files == {} and record == {"dfe_external_data_shares": {
        "skipped": f"could not download {download.REGISTER_CONTENT_API} (HTTP 404); check the internet "
                   f"connection, or rebuild from local files with `python build.py data --raw DIR`"}}


def test_download_offline_fails_in_one_line_and_writes_nothing(raw, data_dir, tmp_path, monkeypatch, capsys):
    def offline(request, timeout):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    downloads = tmp_path / "downloads"
    assert cli.main(["data", "--download", "--raw", str(raw), "--download-dir", str(downloads)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: could not download {download.EES_CONTENT_API}/publications/")
    assert "Temporary failure in name resolution" in err and "--raw DIR" in err
    assert not downloads.exists() and not data_dir.exists()
