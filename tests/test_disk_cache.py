"""What is kept on disk for many seats is used only while everything it was made from is unchanged:
a chart is redrawn exactly when a table it reads changes, never for one it does not read, and a
chart that reads a table it is not kept under fails rather than go stale."""

import csv

import pytest

from npd_briefing import caches, config, disk_cache
from npd_briefing.data import datasets
from npd_briefing.evidence import briefing, charts, figures
from npd_briefing.exceptions import DataFileError
from tests.conftest import rehash

# Birmingham, and Cumberland, an authority newer than most of the data whose rate is Cumbria's.
AUTHORITIES = (("330", "330"), ("942", "909"))


@pytest.fixture
def drawn(data_copy, tmp_path, monkeypatch):
    """Each chart function's calls, with an empty chart cache. The charts are rasterised at a tenth of
    their resolution: what is kept and when is the same, and each is drawn in a fifth of the time."""
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(figures, "DPI", figures.DPI // 10)
    calls = []
    for name in briefing.CHART_TABLES:
        chart = getattr(charts, name)
        monkeypatch.setattr(
            charts, name, lambda *args, chart=chart, name=name: calls.append((name, *args)) or chart(*args)
        )
    return calls


def draw_every_chart() -> None:
    """What a batch's seats ask for, in a new process: both charts of each authority, and the national one."""
    caches.clear()
    for la_code, ranked_code in AUTHORITIES:
        briefing.local_charts_html(la_code, ranked_code)
    briefing._chart_html("npd-scale", "npd_scale_chart")


def change_one_row(data, table: str, column: str) -> None:
    """Add one to the first number in ``table``'s ``column``, and record the file in the manifest."""
    path = data / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(row for row in rows if row[column].strip())
    row[column] = str(int(row[column]) + 1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    rehash(data, table)


def test_a_chart_is_redrawn_exactly_when_a_table_it_reads_changes(drawn, data_copy):
    draw_every_chart()
    everything = {
        ("ap_trend_chart", "330"),
        ("ap_trend_chart", "942"),
        ("la_rate_ranking_chart", "330"),
        ("la_rate_ranking_chart", "909"),
        ("npd_scale_chart",),
    }
    assert set(drawn) == everything and len(drawn) == 5
    drawn.clear()
    draw_every_chart()
    assert drawn == []  # nothing changed: every chart from the disk

    change_one_row(data_copy, "seats", "member_id")  # a new MP: no chart reads the seats
    draw_every_chart()
    assert drawn == []

    change_one_row(data_copy, "pupils", "pupils_state_funded")  # only the rankings divide by pupils
    draw_every_chart()
    assert set(drawn) == {("la_rate_ranking_chart", "330"), ("la_rate_ranking_chart", "909")}
    drawn.clear()

    change_one_row(data_copy, "la_ap", "pupils")  # every authority's charts, not the national one
    draw_every_chart()
    assert set(drawn) == everything - {("npd_scale_chart",)}
    drawn.clear()

    change_one_row(data_copy, "npd_release_counts", "value")
    draw_every_chart()
    assert drawn == [("npd_scale_chart",)]
    # One entry per chart is kept: the ones drawn from the data before are gone.
    assert len(list((config.CACHE_DIR / "charts").rglob("*.html"))) == 5


def test_a_chart_that_reads_a_table_it_is_not_kept_under_fails(drawn, monkeypatch):
    monkeypatch.setitem(briefing.CHART_TABLES, "ap_trend_chart", ("la_ap",))  # la_lineage left out
    caches.clear()
    with pytest.raises(
        DataFileError, match="table 'la_lineage' was read by work cached under the hash of la_ap"
    ):
        briefing.local_charts_html("942", "909")
    assert not list((config.CACHE_DIR / "charts").rglob("*-trend.*.html"))


def test_new_code_keeps_charts_apart_and_prune_removes_the_old(drawn, monkeypatch):
    draw_every_chart()
    old = {path.parent.name for path in (config.CACHE_DIR / "charts").rglob("*.html")}
    assert len(old) == 1
    monkeypatch.setattr(disk_cache, "code_files", lambda: [config.ROOT / "README.md"])
    caches.clear()
    drawn.clear()
    draw_every_chart()
    assert len(drawn) == 5
    disk_cache.prune("charts")
    assert (
        {path.parent.name for path in (config.CACHE_DIR / "charts").rglob("*.html")}
        == {disk_cache.code_digest()[:20]}
        != old
    )


def test_tables_digest_follows_each_table_s_manifest_entry(data_copy):
    before = {name: datasets.tables_digest((name,)) for name in ("seats", "la_ap")}
    change_one_row(data_copy, "seats", "member_id")
    assert datasets.tables_digest(("seats",)) != before["seats"]
    assert datasets.tables_digest(("la_ap",)) == before["la_ap"]
