"""The local AP figures, recomputed here from the curated CSVs read as text (not through the pack's
loaders), so the tests hold for whatever census years a refresh brings: the 2024/25 figures' own
derivation from DfE's raw files is tested in tests/data/test_newest_census.py."""

import pytest

from npd_briefing.dates import academic_year, academic_years
from npd_briefing.evidence import analysis
from tests.conftest import newest_census, read_csv, rehash


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


def la_code_of(la_name: str) -> str:
    return next(r["la_code"] for r in read_csv("seat_la_weights") if r["la_name"] == la_name)


@pytest.mark.parametrize(
    "seat, la_name", [("E14001063", "Hampshire"), ("E14001345", "Luton"), ("E14001152", "Cumberland")]
)
def test_the_headline_count_is_the_newest_census(seat, la_name):
    picture = analysis.local_picture(seat)
    assert picture.census_year == newest_census()
    authority = next(a for a in picture.authorities if a.la_name == la_name)
    assert authority.pupils == curated("la_funded_ap_pupils", newest_census(), la_code_of(la_name))
    assert authority.pupils is not None


def test_rates_are_for_the_newest_year_with_a_headcount_with_numerator_and_denominator():
    # Counts may run ahead of the headcounts (2024/25 had none at first): the rate is for the newest
    # year with both.
    years_with_headcount = {int(r["time_period"]) for r in read_csv("pupils") if r["pupils_state_funded"]}
    years_with_count = {
        int(r["time_period"])
        for r in read_csv("la_ap")
        if r["measure"] == "la_funded_ap_pupils" and r["geographic_level"] == "National" and r["pupils"]
    }
    picture = analysis.local_picture("E14001063")
    assert picture.rate_year == max(years_with_headcount & years_with_count) <= picture.census_year
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


def hampshire_years() -> list[int]:
    return sorted(
        int(r["time_period"])
        for r in read_csv("la_ap")
        if r["measure"] == "la_funded_ap_pupils" and r["la_code"] == "850" and r["pupils"]
    )


def test_the_trend_runs_from_the_first_to_the_newest_published_year_with_gaps_named():
    trend = analysis.local_picture("E14001063").authorities[0].trend  # Hampshire
    published = hampshire_years()
    assert (trend.first_year, trend.last_year) == (academic_year(published[0]), academic_year(published[-1]))
    assert trend.last_pupils == curated("la_funded_ap_pupils", published[-1], "850")
    gaps = tuple(academic_year(y) for y in academic_years(published[0], published[-1]) if y not in published)
    assert trend.missing_years == gaps


def test_the_trend_leaves_a_missing_year_as_a_gap(data_copy):
    """A year with no figure (2023/24 in the first sources) is a gap, never interpolated: here a middle
    year is taken out of a copy of the table, so the test holds whichever years the table has."""
    published = hampshire_years()
    gone = published[len(published) // 2]
    path = data_copy / "la_ap.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not (line.startswith(f"{gone},") and ",la_funded_ap_pupils," in line)]
    assert len(kept) < len(lines)
    path.write_text("".join(kept), encoding="utf-8")
    rehash(data_copy, "la_ap", len(kept) - 1)
    trend = analysis.local_picture("E14001063").authorities[0].trend
    left = [year for year in published if year != gone]
    assert trend.missing_years == tuple(
        academic_year(year) for year in academic_years(left[0], left[-1]) if year not in left
    )
    assert academic_year(gone) in trend.missing_years
    assert trend.last_year == academic_year(published[-1])


def test_the_seat_estimate_shares_out_the_newest_counts():
    picture = analysis.local_picture("E14001063")
    weights = [w for w in read_csv("seat_la_weights") if w["gss_code"] == "E14001063"]
    newest = newest_census()
    expected = sum(
        curated("la_funded_ap_pupils", newest, w["la_code"]) * float(w["share_of_la_pop"]) for w in weights
    )
    assert picture.seat_estimate == pytest.approx(expected)
