"""The local AP figures, recomputed here from the raw public files and the curated CSVs as text."""

import csv

import pytest

from npd_briefing import config
from npd_briefing.evidence import analysis
from tests.conftest import read_csv

RAW_2025 = config.RAW_DATA_DIR / "dfe" / "ap" / "2024-25" / "la_total_spc_ap_census_age.csv"


def raw_2025_total(la_name: str) -> int:
    """Pupils in LA-funded AP in January 2025, summed over the ages in DfE's own output file."""
    with open(RAW_2025, encoding="utf-8-sig", newline="") as handle:
        return sum(int(row["la_total"]) for row in csv.DictReader(handle) if row["la_name"] == la_name)


def curated(measure: str, time_period: int, la_code: str | None = None, level: str = "Local authority"):
    rows = [
        r
        for r in read_csv("la_ap")
        if r["measure"] == measure
        and r["time_period"] == str(time_period)
        and r["geographic_level"] == level
        and (la_code is None or r["la_code"] == la_code)
    ]
    return int(rows[0]["pupils"]) if rows and rows[0]["pupils"] else None


@pytest.mark.parametrize(
    "seat, la_name", [("E14001063", "Hampshire"), ("E14001345", "Luton"), ("E14001152", "Cumberland")]
)
def test_the_headline_count_is_the_newest_census(seat, la_name):
    picture = analysis.local_picture(seat)
    assert picture.census_year == 202425
    authority = next(a for a in picture.authorities if a.la_name == la_name)
    assert authority.pupils == raw_2025_total(la_name)


def test_rates_are_for_the_newest_year_with_a_headcount_with_numerator_and_denominator():
    years_with_headcount = {int(r["time_period"]) for r in read_csv("pupils")}
    picture = analysis.local_picture("E14001063")
    assert picture.rate_year == max(years_with_headcount) < picture.census_year
    rate = picture.authorities[0].rate
    heads = next(
        r for r in read_csv("pupils") if r["la_code"] == "850" and r["time_period"] == str(rate.time_period)
    )
    assert rate.pupils == curated("la_funded_ap_pupils", rate.time_period, "850")
    assert rate.denominator == int(heads["pupils_state_funded"])
    assert rate.per_10000 == pytest.approx(rate.pupils / rate.denominator * 10_000)


def test_small_numbers_get_no_rate_or_rank_and_unreliable_rates_are_marked():
    rates = analysis.la_rates()
    las = rates[rates["geographic_level"] == "Local authority"]
    too_few = las[las["pupils"] < analysis.MIN_COUNT_FOR_RATE]
    assert {"City of London", "Isles of Scilly"} <= set(too_few["la_name"])
    assert too_few["rate_per_10000"].isna().all() and too_few["rank"].isna().all()
    ranked = las.dropna(subset=["rank"])
    assert (ranked["pupils"] >= analysis.MIN_COUNT_FOR_RATE).all()
    assert int(ranked["rank"].max()) <= len(ranked) == int(las["of_las"].iloc[0])
    assert ranked["unreliable"].tolist() == (ranked["pupils"] < analysis.RELIABLE_COUNT).tolist()


def test_a_seat_with_a_tiny_authority_says_why_it_has_no_rate():
    picture = analysis.local_picture("E14001172")  # Cities of London and Westminster
    city = next(a for a in picture.authorities if a.la_name == "City of London")
    assert city.rate.per_10000 is None and city.rate.rank is None
    assert any("too few for a rate" in note for note in city.notes)


def test_the_trend_leaves_a_missing_year_as_a_gap():
    picture = analysis.local_picture("E14001063")
    trend = picture.authorities[0].trend
    published = {
        r["academic_year"]
        for r in read_csv("la_ap")
        if r["measure"] == "la_funded_ap_pupils" and r["la_code"] == "850" and r["pupils"]
    }
    national = {
        r["academic_year"]
        for r in read_csv("la_ap")
        if r["measure"] == "la_funded_ap_pupils" and r["geographic_level"] == "National"
    }
    assert trend.last_year == max(published)
    assert "2023/24" not in national and trend.missing_years == ("2023/24",)


def test_the_seat_estimate_shares_out_the_newest_counts():
    picture = analysis.local_picture("E14001063")
    weights = [w for w in read_csv("seat_la_weights") if w["gss_code"] == "E14001063"]
    expected = sum(raw_2025_total(w["la_name"]) * float(w["share_of_la_pop"]) for w in weights)
    assert picture.seat_estimate == pytest.approx(expected)
