"""Every chart: a titled, labelled figure whose alt text carries numbers the test finds in data/ itself."""

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from npd_briefing.data import datasets  # noqa: E402
from npd_briefing.data.sources import source_line as data_file_line  # noqa: E402
from npd_briefing.dates import academic_year  # noqa: E402
from npd_briefing.evidence import charts, national, register  # noqa: E402
from npd_briefing.evidence.charts import Chart  # noqa: E402

LA = "830"  # Derbyshire: in every year of the data
CHART_FUNCTIONS = {
    "npd_scale": charts.npd_scale_chart,
    "requests_by_tier": charts.requests_by_tier_chart,
    "refusals_by_year": charts.refusals_by_year_chart,
    "release_outcomes": charts.release_outcomes_chart,
    "police_home_office": charts.police_home_office_chart,
    "named_releases": charts.named_releases_timeline,
    "ap_trend_england": charts.ap_trend_chart,
    "ap_trend_la": lambda: charts.ap_trend_chart(LA),
    "ap_trend_successor_la": lambda: charts.ap_trend_chart("940"),
    "la_rate_ranking": lambda: charts.la_rate_ranking_chart(LA),
    "school_arranged_england": charts.school_arranged_reasons_chart,
    "school_arranged_la": lambda: charts.school_arranged_reasons_chart(LA),
}
UNIT = re.compile(r"\([^)]+\)|per 10,000")


def n(value) -> str:
    return f"{float(value):,.0f}"


def facts(*ids) -> pd.DataFrame:
    return datasets.load("npd_facts").set_index("fact_id").loc[list(ids)]


def counts(*ids) -> pd.DataFrame:
    return datasets.load("npd_release_counts").set_index("count_id").loc[list(ids)]


@pytest.fixture(scope="module")
def made() -> dict[str, Chart]:
    return {name: make() for name, make in CHART_FUNCTIONS.items()}


@pytest.mark.parametrize("name", CHART_FUNCTIONS)
def test_chart_has_title_alt_source_and_labelled_axes(made, name):
    chart = made[name]
    assert isinstance(chart, Chart)
    assert chart.title.strip() and chart.alt.strip() and chart.source.strip()
    fig = chart.figure
    assert " ".join(fig.get_suptitle().split()) == chart.title
    assert fig.get_size_inches()[0] == pytest.approx(6.3)
    for ax in fig.axes:
        labels = ax.get_xlabel() + " " + ax.get_ylabel()
        assert labels.strip(), f"{name}: an axes without axis labels"
        assert UNIT.search(labels), f"{name}: no unit in axis labels {labels!r}"
    assert len(chart.rows), f"{name}: the cited rows should travel with the chart"


@pytest.mark.parametrize("name", CHART_FUNCTIONS)
def test_no_text_smaller_than_8pt(made, name):
    fig = made[name].figure
    fig.savefig(io.BytesIO(), format="png", dpi=50)  # lays out and draws every tick label
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert sizes and min(sizes) >= 8


def source_line(row) -> str:
    """A row's source as a chart's caption gives it: who published what, when (no row ids or licences)."""
    return national.plain_source_line(row["publisher"], row["source_title"], row["source_date"])


def test_charts_leave_no_pyplot_figures(made):
    assert plt.get_fignums() == []


def test_scale_chart_shows_each_cited_count_and_marks_secondary(made):
    chart = made["npd_scale"]
    for _, row in facts("F01", "F02", "F03", "F30").iterrows():
        assert n(row["value"]) in chart.alt
        assert source_line(row) in chart.source
    assert "over " + n(facts("F02")["value"].iloc[0]) in chart.title  # a lower bound says so
    assert "secondary source" in chart.alt and "secondary source" in chart.source


def test_tier_chart_numbers_periods_and_checked_totals(made):
    chart = made["requests_by_tier"]
    for value in list(facts("F06", "F07", "F08", "F09", "F10", "F11")["value"]) + list(
        counts("C001", "C002", "C003", "C004", "C005", "C006")["value"]
    ):
        assert n(value) in chart.alt
    assert "Mar 2012 to Dec 2016" in chart.alt and "Apr 2012 to Dec 2014" in chart.alt
    tiers_sum = counts("C002", "C003", "C004", "C005", "C006")["value"].sum()
    total = counts("C001")["value"].iloc[0]
    if tiers_sum != total:
        assert f"add up to {n(tiers_sum)}" in chart.alt
    assert "secondary source" in chart.source


def test_refusals_chart_years_and_total(made):
    chart = made["refusals_by_year"]
    rows = facts("F16", "F17", "F18", "F19", "F20")
    for period, value in zip(rows["period_or_as_at"], rows["value"]):
        assert f"{period}: {n(value)}" in chart.alt
    assert f"{int(rows['value'].astype(int).sum())} in all" in chart.title
    assert source_line(rows.iloc[0]) in chart.source and "secondary" not in chart.source
    assert chart.source.startswith("UK Parliament, Pupils: Personal Records, 10 January 2017")


def test_outcomes_chart_marks_conflicting_open_cases(made):
    chart = made["release_outcomes"]
    table = datasets.load("npd_release_counts")
    outcomes = table[table["breakdown"].str.startswith("outcome=")]
    for value in outcomes["value"]:
        assert n(value) in chart.alt
    for value in counts("C017", "C018")["value"]:
        assert f"{n(value)} [secondary source; disputed]" in chart.alt
    assert source_line(counts("C017").iloc[0]) in chart.source and "disputed" in chart.source


def test_police_chart_pairs_corrected_and_superseded_figures(made):
    chart = made["police_home_office"]
    for value in facts("F22", "F23")["value"]:
        assert f"{n(value)} " in chart.alt
    for _, row in counts("C029", "C030", "C031", "C032", "C033").iterrows():
        corrected = re.search(r"Corrected to ([\d,]+)", row["note"])[1].replace(",", "")
        assert f"{n(corrected)} {row['unit']} (corrected" in chart.alt
        assert f"first given as {n(row['value'])}" in chart.alt
        assert source_line(row) in chart.source
    assert "UK Parliament, Written statement HCWS272, 27 November 2017" in chart.source
    assert "[disputed]" in chart.source


def test_timeline_counts_plotted_undated_and_left_out_rows(made):
    chart = made["named_releases"]
    table = datasets.load("npd_named_releases")
    releases = table[table["status"] == "release"]
    dated = releases[releases["date"] != "unknown"]
    assert f"Timeline of {len(dated)} dated releases" in chart.alt
    assert f"{(releases['date'] == 'unknown').sum()} releases with no date" in chart.alt
    for status, number in table.loc[table["status"] != "release", "status"].value_counts().items():
        assert f"{number} with status '{status}'" in chart.alt and status in chart.source
    assert "rejected application" in chart.alt
    disputed = dated[dated["disputed"]]
    assert len(disputed) and all(org in chart.alt for org in disputed["organisation"])
    assert "[secondary source; disputed]" in chart.alt and "hollow" in chart.alt


def test_ap_trend_alt_has_first_and_last_year_for_england_and_la(made):
    ap = datasets.load("la_ap")
    for name, level, code in (("ap_trend_england", "National", None), ("ap_trend_la", "Local authority", LA)):
        rows = ap[(ap["measure"] == "la_funded_ap_pupils") & (ap["geographic_level"] == level)]
        if code:
            rows = rows[rows["la_code"] == code]
        rows = rows.sort_values("time_period")
        for _, row in rows.iloc[[0, -1]].iterrows():
            assert f"{row['academic_year']} {n(row['pupils'])}" in made[name].alt
    assert "Derbyshire" in made["ap_trend_la"].title
    # Every release the England series is read from, as the manifest records it, in plain words.
    england = ap[(ap["measure"] == "la_funded_ap_pupils") & (ap["geographic_level"] == "National")]
    for source_id in set(england["source_id"]):
        source = datasets.source("la_ap", source_id)
        line = data_file_line(source)
        assert re.fullmatch(r"DfE, .+, (\d{1,2} )?[A-Z][a-z]+ \d{4}", line), line
        assert line in made["ap_trend_england"].source
        if "release" in source:  # downloaded: the line names the release, not the raw copy's edition
            assert source["release"].split()[-1] in line


def test_successor_la_trend_says_whose_figures_the_early_years_are(made):
    chart = made["ap_trend_successor_la"]
    assert "are for Northamptonshire" in chart.alt
    assert set(chart.rows["area"]) == {"own", "predecessor"}


def test_ranking_states_england_rate_rank_and_denominator(made):
    chart = made["la_rate_ranking"]
    ap, pupils = datasets.load("la_ap"), datasets.load("pupils")
    # The newest year with both a count and a denominator (counts may run ahead: 2024/25 has no headcount).
    year = max(
        set(ap.loc[ap["measure"] == "la_funded_ap_pupils", "time_period"]) & set(pupils["time_period"])
    )
    ap = ap[(ap["measure"] == "la_funded_ap_pupils") & (ap["time_period"] == year)]
    pupils = pupils[pupils["time_period"] == year]
    england = (
        ap.loc[ap["geographic_level"] == "National", "pupils"].iloc[0]
        / pupils.loc[pupils["geographic_level"] == "National", "pupils_state_funded"].iloc[0]
        * 10_000
    )
    las = ap[ap["geographic_level"] == "Local authority"].merge(
        pupils[pupils["geographic_level"] == "Local authority"][["la_code", "pupils_state_funded"]],
        on="la_code",
    )
    las = las[las["pupils"] >= 10]  # the small-numbers rule: no rate or rank from fewer than 10 pupils
    las["rate"] = las["pupils"] / las["pupils_state_funded"] * 10_000
    las = las.sort_values("rate", ascending=False).reset_index(drop=True)
    rank = int(las.index[las["la_code"] == LA][0]) + 1
    assert f"England: {england:.1f}" in chart.alt
    assert f"rank {rank} of {len(las)}" in chart.alt
    assert f"{las.loc[rank - 1, 'rate']:.1f}" in chart.alt
    assert "denominator" in chart.alt.lower() and "denominator" in chart.source.lower()
    assert "per 10,000 pupils in state-funded schools" in chart.figure.axes[0].get_ylabel().replace("\n", " ")


def test_ranking_for_la_without_latest_figure_says_so():
    chart = charts.la_rate_ranking_chart("928")  # Northamptonshire, split in 2021
    assert "Northamptonshire has no figure" in chart.alt


def test_school_arranged_reasons_with_census_caveat(made):
    table = datasets.load("school_arranged_ap_reasons")
    table = table[table["time_period"] == table["time_period"].max()]  # the newest year is charted
    national = table[table["geographic_level"] == "National"]
    chart = made["school_arranged_england"]
    assert f"England, {national['academic_year'].iloc[0]}" in chart.alt
    for reason, pupils in zip(national["placement_reason"], national["pupils"]):
        assert f"{reason} {n(pupils)}" in chart.alt
    assert f"{n(national['pupils'].sum())} pupils in all" in chart.alt
    for made_chart in (chart, made["school_arranged_la"]):
        assert "not the AP census's reason for placement" in made_chart.alt
        assert "not the AP-census reason for placement" in made_chart.source
    local = table[(table["geographic_level"] == "Local authority") & (table["la_code"] == LA)]
    missing = set(national["placement_reason"]) - set(local["placement_reason"])
    if missing:
        assert "No figure published for" in made["school_arranged_la"].alt


def test_unknown_la_code_is_an_error():
    with pytest.raises(ValueError, match="'999'"):
        charts.ap_trend_chart("999")


def test_register_charts_on_a_fixture(tmp_path):
    fixture = tmp_path / "register_fixture.csv"  # a test fixture, never evidence
    fixture.write_text(
        "Organisation name,Project title,Tier,Date of release,Sector\n"
        "Fixture Org A,Project A,Tier 1,2014-03-01,Commercial\n"
        "Fixture Org B,Project B,Tier 2,2016-05-02,Academic\n"
        "Fixture Org C,Project C,Tier 2,,Academic\n",
        encoding="utf-8",
    )
    made = register.register_charts(register.load_register(fixture))
    assert len(made) == 3
    by_year, by_sector, by_tier = made
    assert "2014 1; 2015 0; 2016 1" in by_year.alt and "1 with no readable date" in by_year.alt
    assert "Academic 2; Commercial 1" in by_sector.alt
    assert "Tier 1 1; Tier 2 2" in by_tier.alt
    for chart in made:
        assert "register_fixture.csv" in chart.source and chart.title == " ".join(
            chart.figure.get_suptitle().split()
        )
        assert all(UNIT.search(ax.get_xlabel() + ax.get_ylabel()) for ax in chart.figure.axes)


def test_the_reasons_chart_shows_the_newest_year_when_a_refresh_brings_more(monkeypatch):
    """The EES data set covers 2022/23 to 2025/26: after a refresh the table holds several years."""
    original = charts.datasets.load
    later_year = int(original("school_arranged_ap_reasons")["time_period"].max()) + 101

    def with_a_later_year(name, *args, **kwargs):
        table = original(name, *args, **kwargs)
        if name != "school_arranged_ap_reasons":
            return table
        newest = table[table["time_period"] == table["time_period"].max()]
        later = newest.assign(
            time_period=later_year, academic_year=academic_year(later_year), pupils=newest["pupils"] + 1
        )
        return pd.concat([table, later], ignore_index=True)  # the later year's figures are made up

    monkeypatch.setattr(charts.datasets, "load", with_a_later_year)
    chart = charts.school_arranged_reasons_chart()
    assert chart.title.endswith(f", England, {academic_year(later_year)}")
    national = with_a_later_year("school_arranged_ap_reasons")
    national = national[
        (national["geographic_level"] == "National") & (national["time_period"] == later_year)
    ]
    assert f"{int(national['pupils'].sum()):,} pupils in all" in chart.alt
    plt.close(chart.figure)
