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

from npd_briefing import caches, cli, config
from npd_briefing.data import curate, datasets, download
from npd_briefing.data.manifest import read_manifest, table_csv_bytes
from npd_briefing.data.sources import SOURCES, source_line
from npd_briefing.evidence import analysis
from npd_briefing.exceptions import DataFileError
from tests.data import ees_answers as ees
from tests.data.conftest import csv_bytes, read, write
from tests.fixtures.ees.school_characteristics import school_characteristics

CENSUS = SOURCES["ap_census_totals"]["path"]
PLACEMENT = SOURCES["school_ap_placement"]["path"]
LA_CODES = SOURCES["la_codes_by_year"]["path"]
PUPILS = SOURCES["pupil_headcounts"]["path"]
BY_TYPE = SOURCES["ap_counts_by_provision"]["path"]
MPS = SOURCES["dfe_mp_lookup"]["path"]
SYMBOLS = ["x", "z", "c", ":", "-", "u", "low"]


def later_layout(frame):
    """Rows as a later release lays them out: `sex` for `gender`, breakdown rows the build must skip,
    constituency rows with pcon_code/pcon_name, columns in another order (written with a BOM)."""
    frame = frame.rename(columns={"gender": "sex"}).assign(pcon_code="", pcon_name="")
    if "sex" in frame:
        frame = pd.concat([frame, frame.assign(sex="Female", number_of_pupils="1")])
    national = frame[frame["geographic_level"] == "National"]
    constituency = national.assign(
        geographic_level="Parliamentary constituency", pcon_code="E14001063", pcon_name="Aldershot"
    )
    frame = pd.concat([frame, constituency], ignore_index=True)
    return frame[list(reversed(frame.columns))]


def add_year(frame):
    """2022/23's rows again as 2023/24, with Cumbria (909) split into Cumberland (942) and Westmorland
    and Furness (943), North Yorkshire (815) and Somerset (933) with their 2023 ONS codes, as a 2023/24
    release has them, and Barnsley (370) given a new ONS code."""
    rows = frame[frame["time_period"] == "202223"].assign(time_period="202324")
    cumbria = rows[rows["old_la_code"] == "909"]
    rows = pd.concat(
        [
            rows[rows["old_la_code"] != "909"],
            cumbria.assign(old_la_code="942", new_la_code="E06000063", la_name="Cumberland"),
            cumbria.assign(old_la_code="943", new_la_code="E06000064", la_name="Westmorland and Furness"),
        ]
    )
    for code, gss in (("370", "E08000038"), ("815", "E06000065"), ("933", "E06000066")):
        rows.loc[rows["old_la_code"] == code, "new_la_code"] = gss
    return pd.concat([frame, rows], ignore_index=True)


def new_mp(frame):
    """The MP lookup with Aldershot's MP replaced by a made-up one."""
    frame = frame.copy()
    frame.loc[frame["pcon_code"] == "E14001063", ["member_id", "full_title", "display_as", "party_text"]] = [
        "999999",
        "A. N. Other MP",
        "A. N. Other",
        "Independent",
    ]
    return frame


def test_a_later_layout_builds_the_same_tables_with_symbols_as_blanks(raw):
    before = curate.build_tables(raw)
    census = read(raw, CENSUS)
    marked = census.index[
        (census["geographic_level"] == "Local authority") & (census["time_period"] == "202223")
    ][:7]
    census.loc[marked, "number_of_pupils"] = SYMBOLS
    write(raw, CENSUS, later_layout(census), bom=True)
    write(raw, PLACEMENT, later_layout(read(raw, PLACEMENT)), bom=True)

    after = curate.build_tables(raw)
    expected = before["la_ap"].copy()
    blanked = (
        expected["measure"].eq("la_funded_ap_pupils")
        & expected["time_period"].eq(202223)
        & expected["la_code"].isin(census.loc[marked, "old_la_code"])
    )
    expected.loc[blanked, "pupils"] = pd.NA
    assert blanked.sum() == len(SYMBOLS)
    pd.testing.assert_frame_equal(after["la_ap"], expected)
    pd.testing.assert_frame_equal(after["school_arranged_ap_reasons"], before["school_arranged_ap_reasons"])


def test_a_newer_year_new_la_codes_and_a_new_mp_reach_tables_report_and_briefing(
    raw, tmp_path, monkeypatch, fresh_caches
):
    data = tmp_path / "data"
    curate.build_data(raw, data)
    for path in (CENSUS, PLACEMENT, LA_CODES, PUPILS):
        write(raw, path, add_year(read(raw, path)))
    write(raw, MPS, new_mp(read(raw, MPS)))

    manifest = curate.build_data(raw, data)
    changes = manifest["changelog"][-1]["changes"]
    # 2023/24 fills the gap between January 2023 and the 2024/25 figures.
    assert any(
        line.startswith("la_ap: 2195 -> ") and line.endswith("; years 2017/18 to 2024/25") for line in changes
    ), changes
    # 163 rows for 2023/24 (Cumbria's split adds one), and Barnsley's six years re-coded.
    assert (
        "pupils: 970 -> 1133 rows (169 added, 6 removed); years 2017/18 to 2023/24 (was 2017/18 to 2022/23)"
        in changes
    )
    assert "Aldershot (E14001063): MP Alex Baker (Labour) -> A. N. Other (Independent)" in changes
    assert "LA 370 Barnsley: ONS code E08000016 -> E08000038" in changes
    assert changes[-1].startswith(
        "warning: LA-funded AP figures reach 2024/25 but the pupil headcounts "
        "(the rate denominator) end at 2023/24"
    )
    caveats = next(r for r in manifest["resources"] if r["name"] == "la_ap")["caveats"]
    assert caveats[0].startswith("Years by measure: la_funded_ap_pupils 2017/18 to 2024/25; ")
    assert curate.build_data(raw, data)["changelog"] == manifest["changelog"]  # nothing new, nothing logged

    original_load = datasets.load
    monkeypatch.setattr(datasets, "load", lambda name, data_dir=data: original_load(name, data_dir))
    caches.clear()  # what this process worked out from the other data/
    assert analysis.latest_year() == 202425
    lineage = datasets.load("la_lineage").set_index("la_code")
    assert (
        lineage.loc["942", "note"]
        == "Cumberland and Westmorland and Furness replaced Cumbria (909) in April 2023."
    )
    picture = analysis.local_picture(
        "E14001424"
    )  # Penrith and Solway: Cumberland and Westmorland and Furness
    assert picture.census_year == 202425 and picture.rate_year == 202324
    assert [(a.la_code, a.rate.la_code) for a in picture.authorities] == [("942", "942"), ("943", "943")]
    assert picture.authorities[0].pupils == 166
    seats = datasets.load("seats").set_index("gss_code")
    assert seats.loc["E14001063", "mp_display_name"] == "A. N. Other"


def test_la_codes_when_every_authority_has_a_year_as_new_as_the_seat_weights(raw):
    """A release whose years run past 2023/24 for every current authority (Luton included) leaves no
    older code to replace with the seat weights' one: each number keeps its newest year's code."""
    weights = curate.build_seat_la_weights(raw)
    current = weights[weights["la_code"] != ""].drop_duplicates("la_code").set_index("la_code")
    newest = pd.DataFrame(
        {
            "time_period": "202425",
            "region_code": "",
            "region_name": "",
            "old_la_code": current.index,
            "new_la_code": current["la_gss_code"].where(current.index != "370", "E08000038"),
            "la_name": current["la_name"],
        }
    )
    write(raw, LA_CODES, pd.concat([read(raw, LA_CODES), newest], ignore_index=True))
    codes = curate.latest_la_codes(raw, weights)
    assert codes.loc["370", "new_la_code"] == "E08000038"  # made up: Barnsley's code in the newest year
    others = current.index.drop("370")
    assert codes.loc[others, "new_la_code"].tolist() == current.loc[others, "la_gss_code"].tolist()


def test_ap_figures_beyond_the_denominators_are_reported(raw, tmp_path):
    data = tmp_path / "data"
    changes = curate.build_data(raw, data)["changelog"][-1]["changes"]
    assert changes[-1].startswith(
        "warning: LA-funded AP figures reach 2024/25 but the pupil headcounts "
        "(the rate denominator) end at 2022/23"
    )


def test_an_unknown_layout_stops_the_build_naming_what_is_missing(raw):
    census = read(raw, CENSUS).rename(
        columns={"old_la_code": "la_code_3digit", "number_of_pupils": "headcount"}
    )
    write(raw, CENSUS, census)
    with pytest.raises(
        DataFileError, match=r"missing column\(s\) old_la_code, number_of_pupils; this layout"
    ):
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


def fake_release(raw, title_answer=None):
    """What the fake opener serves: the latest SPC release in the EES Content API's own shapes
    (tests/data/ees_answers.py), a new MP lookup and the register page. The CSVs are the raw files
    with a made-up 2023/24 added, laid out as a later release lays them out; the school characteristics
    data set is laid out as EES publishes it (tests/fixtures/ees/)."""
    api = download.EES_CONTENT_API
    pub = ees.PUBLICATION_ID
    listing = f"{api}/data-set-files?publicationId={pub}&latestOnly=true&page={{}}&pageSize=40"
    ods = "https://assets.publishing.service.gov.uk/media/1/dfe-external-data-shares.ods"
    census = ees.data_set_file_summary(
        "9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d01", ees.PUPIL_COUNTS, time_to="2024/25"
    )
    other = ees.data_set_file_summary("9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d00", "Class size - by school")
    reasons = ees.data_set_file_summary(
        "9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d02", ees.PLACEMENT_REASONS, time_from="2022/23"
    )
    schools = ees.data_set_file_summary(
        "9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d03", ees.SCHOOL_CHARACTERISTICS, time_from="2015/16"
    )
    return {
        f"{api}/publications/{download.SPC_PUBLICATION}/title": json.dumps(
            title_answer or ees.publication_title()
        ).encode(),
        listing.format(1): json.dumps(
            ees.paginated([census, other], page=1, page_size=40, total_results=41)
        ).encode(),
        listing.format(2): json.dumps(
            ees.paginated([reasons, schools], page=2, page_size=40, total_results=42)
        ).encode(),
        f"{api}/data-set-files/{census['id']}/download": csv_bytes(
            later_layout(add_year(read(raw, CENSUS))), bom=True
        ),
        f"{api}/data-set-files/{reasons['id']}/download": csv_bytes(
            later_layout(add_year(read(raw, PLACEMENT))), bom=True
        ),
        f"{api}/data-set-files/{schools['id']}/download": csv_bytes(
            school_characteristics(add_year(read(raw, PUPILS))), bom=True
        ),
        download.MP_LOOKUP_URL: csv_bytes(new_mp(read(raw, MPS))),
        download.REGISTER_CONTENT_API: json.dumps(
            {
                "public_updated_at": "2026-09-10T09:30:00Z",
                "details": {"attachments": [{"title": "DfE external data shares: June 2026", "url": ods}]},
            }
        ).encode(),
        ods: b"PK fake spreadsheet",
    }


def serve(monkeypatch, served, failing=()):
    """Answer each request from ``served``; a URL in ``failing`` answers HTTP 500."""

    def fake_urlopen(request, timeout):
        if request.full_url in failing:
            raise urllib.error.HTTPError(request.full_url, 500, "Internal Server Error", {}, None)
        if request.full_url not in served:
            raise urllib.error.URLError(f"no fake answer for {request.full_url}")
        return io.BytesIO(served[request.full_url])

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)


def sources_of(data_dir):
    return {
        s["id"]: s for r in read_manifest(data_dir / "datapackage.json")["resources"] for s in r["sources"]
    }


def test_download_fetches_the_release_records_it_and_rebuilds(raw, data_dir, tmp_path, monkeypatch, capsys):
    curate.build_data(raw, data_dir)
    served = fake_release(raw)
    serve(monkeypatch, served)
    downloads = tmp_path / "downloads"
    assert cli.main(["data", "--download", "--raw", str(raw), "--download-dir", str(downloads)]) == 0
    out = capsys.readouterr().out
    census_url = f"{download.EES_CONTENT_API}/data-set-files/9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d01/download"
    assert f"downloaded dfe/ap/ap_placements_ap_census.csv from {census_url}" in out
    assert "Aldershot (E14001063): MP Alex Baker (Labour) -> A. N. Other (Independent)" in out
    assert "not downloaded:" not in out.split("not downloaded, copied from --raw")[0]

    sources = sources_of(data_dir)
    census = sources["ap_census_totals"]
    # published: what EES says of the data set; retrieved: the day it was downloaded.
    assert (census["download_url"], census["published"], census["retrieved"]) == (
        census_url,
        "2026-06-04",
        date.today().isoformat(),
    )
    assert census["download_sha256"] == hashlib.sha256(served[census_url]).hexdigest()
    assert (
        census["title"]
        == f"Schools, pupils and their characteristics, Academic year 2025/26: {ees.PUPIL_COUNTS}"
    )
    assert census["repository"] == census["commit"] == census["commit_date"] == ""
    # A briefing's source line names the release the figures were downloaded from.
    assert source_line(census) == "DfE, Schools, pupils and their characteristics 2025/26, 4 June 2026"
    assert source_line(sources["la_codes_by_year"]) == source_line(census)
    mps = sources["dfe_mp_lookup"]
    assert mps["download_sha256"] == hashlib.sha256(served[download.MP_LOOKUP_URL]).hexdigest()
    assert (mps["published"], mps["retrieved"]) == ("not recorded", date.today().isoformat())
    assert source_line(mps) == f"DfE, MP lookup, as of {date.today():%-d %B %Y}"  # DfE keeps it current
    assert "download_url" not in sources["pupil_headcounts"]
    assert set(pd.read_csv(data_dir / "seats.csv", dtype=str)["mps_as_of"]) == {date.today().isoformat()}
    assert (downloads / download.REGISTER_FILE).read_bytes() == b"PK fake spreadsheet"
    register = json.loads((downloads / "downloads.json").read_text())["dfe_external_data_shares"]
    assert (register["published"], register["retrieved"]) == ("2026-09-10", date.today().isoformat())


def test_the_title_answer_before_december_2025_is_accepted(monkeypatch):
    served = {
        f"{download.EES_CONTENT_API}/publications/{download.SPC_PUBLICATION}/title": json.dumps(
            ees.legacy_publication_title()
        ).encode()
    }
    serve(monkeypatch, served)
    assert download.publication_id(download.SPC_PUBLICATION) == ees.PUBLICATION_ID
    served[next(iter(served))] = json.dumps({"title": ees.PUBLICATION_TITLE}).encode()
    with pytest.raises(
        DataFileError, match=r"/title: the answer has no publicationId; the EES API may have changed"
    ):
        download.publication_id(download.SPC_PUBLICATION)


def test_one_source_failing_does_not_stop_the_others(raw, data_dir, tmp_path, monkeypatch, capsys):
    curate.build_data(raw, data_dir)
    before = curate.build_tables(raw)["school_arranged_ap_reasons"]
    served = fake_release(raw)
    reasons_url = f"{download.EES_CONTENT_API}/data-set-files/9a3e5d6c-8b3f-4a51-9c0e-2f6f1b7c0d02/download"
    serve(monkeypatch, served, failing={reasons_url, download.REGISTER_CONTENT_API})
    downloads = tmp_path / "downloads"
    assert cli.main(["data", "--download", "--raw", str(raw), "--download-dir", str(downloads)]) == 0
    out = capsys.readouterr().out
    failed = (
        f"not downloaded: school_ap_placement: could not download {reasons_url} (HTTP 500); check the "
        f"internet connection, or rebuild from local files with `python build.py data --raw DIR` (built "
        f"from the --raw copy)"
    )
    assert failed in out and "not downloaded: dfe_external_data_shares: could not download" in out
    assert "downloaded dfe/ap/ap_placements_ap_census.csv" in out
    assert "downloaded constituencies/dfe_mp_lookup.csv" in out

    record = json.loads((downloads / "downloads.json").read_text())
    assert record["school_ap_placement"] == {
        "not_downloaded": failed.split(": ", 2)[2].removesuffix(" (built from the --raw copy)")
    }
    assert "download_url" in record["ap_census_totals"] and "download_url" in record["dfe_mp_lookup"]
    manifest = read_manifest(data_dir / "datapackage.json")
    assert failed in manifest["changelog"][-1]["changes"]
    assert "not_downloaded" in sources_of(data_dir)["school_ap_placement"]
    # The placement reasons were built from the --raw copy (only Barnsley's ONS code follows the newer
    # census); the census from the download.
    after = pd.read_csv(data_dir / "school_arranged_ap_reasons.csv", dtype=str, keep_default_na=False)
    expected = pd.read_csv(io.BytesIO(table_csv_bytes(before)), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(after.drop(columns="la_gss_code"), expected.drop(columns="la_gss_code"))
    assert 202324 in set(pd.read_csv(data_dir / "la_ap.csv")["time_period"])


def test_a_changed_title_answer_skips_ees_and_keeps_the_mp_lookup(
    raw, data_dir, tmp_path, monkeypatch, capsys
):
    """The failure issue 11 describes: the title answer changed shape, and the whole download stopped."""
    served = fake_release(raw, title_answer={"title": ees.PUBLICATION_TITLE})
    serve(monkeypatch, served)
    downloads = tmp_path / "downloads"
    assert cli.main(["data", "--download", "--raw", str(raw), "--download-dir", str(downloads)]) == 0
    out = capsys.readouterr().out
    for source_id in ("ap_census_totals", "school_ap_placement"):
        assert f"not downloaded: {source_id}: {download.EES_CONTENT_API}/publications/" in out
    assert "downloaded constituencies/dfe_mp_lookup.csv" in out
    assert set(pd.read_csv(data_dir / "seats.csv", dtype=str)["mps_as_of"]) == {date.today().isoformat()}
    assert 202324 not in set(pd.read_csv(data_dir / "la_ap.csv")["time_period"])  # the census came from --raw


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
