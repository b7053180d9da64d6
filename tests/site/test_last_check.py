"""A refresh that found nothing to change moves the site's "last checked" date, through the record it
writes (``build.py data --check-record``), and only for the data version it checked."""

import datetime
import json

import pytest

from npd_briefing import cli, config
from npd_briefing.data.manifest import read_manifest
from npd_briefing.dates import long_date
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.site import build as site_build
from npd_briefing.site import pages
from npd_briefing.site.figures import local_picture, seat_figures

MANIFEST = read_manifest(config.MANIFEST_PATH)
ALDERSHOT = default_resolver().resolve("E14001063")


def write_record(folder, checked, version=MANIFEST["data_version"]):
    path = folder / "check-record.json"
    path.write_text(json.dumps({"checked": checked, "data_version": version}), encoding="utf-8")
    return path


def newest_retrieval() -> str:
    return max(
        source["retrieved"]
        for resource in MANIFEST["resources"]
        for source in resource["sources"]
        if source["retrieved"][:1].isdigit() and len(source["retrieved"]) == 10
    )


class February2027(datetime.date):
    """A day after every retrieval and change-log entry in data/, as a monthly check's would be."""

    @classmethod
    def today(cls):
        return cls(2027, 2, 3)


def test_a_record_of_the_published_data_says_when_it_was_last_checked(tmp_path, monkeypatch):
    monkeypatch.setattr(site_build.datetime, "date", February2027)
    today = "2027-02-03"
    assert today > newest_retrieval() and today > MANIFEST["changelog"][-1]["date"]
    checked = site_build.last_check(write_record(tmp_path, today), MANIFEST)
    assert checked == today
    figures = {ALDERSHOT.gss_code: seat_figures(ALDERSHOT, local_picture(ALDERSHOT))}
    currency = site_build._currency([ALDERSHOT], figures, MANIFEST, checked)
    assert currency["checked_iso"] == today and currency["checked"] == long_date(today)
    assert site_build._currency([ALDERSHOT], figures, MANIFEST, None)["checked_iso"] == newest_retrieval()
    # The changes page: no report is the last check's any more, so it says since when nothing changed.
    renderer = pages.Pages(
        build_date=today, attributions=[], csv_name="seat-figures.csv", currency=currency, site_url=None
    )
    page = " ".join(site_build._changes(renderer, MANIFEST, currency).decode().split())
    last_report = [entry for entry in MANIFEST["changelog"] if entry["changes"]][-1]
    assert f"No change since {long_date(last_report['date'])}." in page
    assert f"last checked on {long_date(today)}" in page and "Changes found" not in page


def test_a_record_of_other_data_is_set_aside_with_a_note(tmp_path, capsys):
    record = write_record(tmp_path, datetime.date.today().isoformat(), version="2026-01-01.00000000")
    assert site_build.last_check(record, MANIFEST) is None
    assert "is for data version 2026-01-01.00000000" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"checked": "2026-13-01", "data_version": "x"}',
        '{"checked": "2026-12-01"}',
        '{"checked": "2026-12-01", "data_version": 7}',
        json.dumps(
            {"checked": (datetime.date.today() + datetime.timedelta(days=1)).isoformat(), "data_version": "x"}
        ),
    ],
)
def test_a_bad_record_stops_the_site_in_one_line_before_anything_is_built(tmp_path, capsys, content):
    record = tmp_path / "check-record.json"
    record.write_text(content, encoding="utf-8")
    out = tmp_path / "site"
    assert cli.main(["site", "--out", str(out), "--check-record", str(record)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--check-record {record}: not a check record; expected" in err
    assert not out.exists()


def test_a_missing_record_is_named(tmp_path, capsys):
    missing = tmp_path / "missing.json"
    assert cli.main(["site", "--out", str(tmp_path / "site"), "--check-record", str(missing)]) == 2
    assert capsys.readouterr().err == f"error: --check-record {missing}: no such file\n"
