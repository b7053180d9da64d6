"""Invariants of the committed curated tables (the real data every briefing prints from)."""

import hashlib
import shutil

import pandas as pd
import pytest

from npd_briefing import config
from npd_briefing.data import curate, datasets
from npd_briefing.data.manifest import read_manifest, table_csv_bytes
from npd_briefing.data.tables import TABLES


def test_manifest_hashes_and_row_counts_match_the_files():
    manifest = read_manifest()
    assert {r["name"] for r in manifest["resources"]} == set(TABLES)
    for resource in manifest["resources"]:
        payload = (config.DATA_DIR / resource["path"]).read_bytes()
        assert hashlib.sha256(payload).hexdigest() == resource["sha256"], resource["path"]
        rows = len(pd.read_csv(config.DATA_DIR / resource["path"], dtype=str, keep_default_na=False))
        assert rows == resource["rows"], resource["path"]
        assert resource["licences"] and resource["sources"]
        for source in resource["sources"]:
            assert source["publisher"] and source["title"] and source["published"] and source["retrieved"]


def downloaded_tables() -> set[str]:
    """Tables built from a file the refresh downloaded (their manifest sources record a download_url)."""
    return {
        resource["name"]
        for resource in read_manifest()["resources"]
        if any("download_url" in source for source in resource["sources"])
    }


def test_rebuild_from_raw_reproduces_the_committed_data_byte_for_byte(tmp_path):
    """`python build.py data` changes nothing: every table, the manifest (sources, dates, caveats, data
    version, change log) and CITATION.cff. After a refresh, the tables built from its downloads (which it
    does not keep) cannot be rebuilt from the raw folder; the refresh checked them, and every other table
    is still rebuilt byte for byte."""
    downloaded = downloaded_tables()
    for name, frame in curate.build_tables(config.RAW_DATA_DIR).items():
        if name not in downloaded:
            assert table_csv_bytes(frame) == (config.DATA_DIR / f"{name}.csv").read_bytes(), name
    assert len(downloaded) < len(TABLES)
    if downloaded:
        return
    shutil.copytree(config.DATA_DIR, tmp_path / "data", ignore=shutil.ignore_patterns("downloads"))
    curate.build_data(config.RAW_DATA_DIR, tmp_path / "data")
    for path in sorted(config.DATA_DIR.glob("*.*")):
        assert (tmp_path / "data" / path.name).read_bytes() == path.read_bytes(), path.name
    assert (tmp_path / "CITATION.cff").read_bytes() == (config.ROOT / "CITATION.cff").read_bytes()


def test_650_seats_by_nation_with_unique_codes():
    seats = datasets.load("seats")
    assert len(seats) == 650
    assert seats["gss_code"].is_unique
    assert seats["nation"].value_counts().to_dict() == {
        "England": 543,
        "Scotland": 57,
        "Wales": 32,
        "Northern Ireland": 18,
    }
    prefixes = seats["gss_code"].str[:3].groupby(seats["nation"]).unique()
    assert {n: list(p) for n, p in prefixes.items()} == {
        "England": ["E14"],
        "Northern Ireland": ["N05"],
        "Scotland": ["S14"],
        "Wales": ["W07"],
    }
    assert seats["mp_display_name"].str.len().min() > 0
    assert (seats["name_cy"] != "").sum() == 24
    assert seats.set_index("name").loc["Ynys Môn", "nation"] == "Wales"


def test_weights_are_shares_summing_to_one_except_the_flagged_seats():
    weights = datasets.load("seat_la_weights")
    assert weights["share_of_seat_pop"].between(0, 1).all()
    assert weights["share_of_la_pop"].between(0, 1).all()
    totals = weights.groupby("gss_code")["share_of_seat_pop"].sum()
    flagged = set(weights.loc[weights["shares_incomplete"], "gss_code"])
    assert flagged == {"E14001285", "S14000106", "W07000094"}
    england_codes = set(weights.loc[weights["nation"] == "England", "gss_code"])
    complete = totals.drop(sorted(flagged))
    assert (complete[complete.index.isin(england_codes)] - 1).abs().max() < 0.001
    # One Northern Irish overlap has zero population in mySociety's table (PROVENANCE.md, file 5).
    assert (complete - 1).abs().max() < 0.005
    assert (totals[sorted(flagged)] < 0.99).all()
    england = weights[weights["nation"] == "England"]
    assert england["gss_code"].nunique() == 543
    assert england["la_code"].str.fullmatch(r"\d{3}").all()
    assert england["la_code"].nunique() == 153


@pytest.mark.parametrize(
    "measure", ["la_funded_ap_pupils", "state_funded_ap_school_pupils", "school_arranged_ap_pupils"]
)
def test_la_rows_add_up_to_their_region_and_to_england_every_year(measure):
    ap = datasets.load("la_ap")
    ap = ap[ap["measure"] == measure]
    for year, rows in ap.groupby("time_period"):
        england = rows.loc[rows["geographic_level"] == "National", "pupils"]
        assert len(england) == 1 and pd.notna(england.iloc[0]), (measure, year)
        las = rows[rows["geographic_level"] == "Local authority"]
        regions = rows[rows["geographic_level"] == "Regional"].set_index("region_name")["pupils"]
        assert len(regions) == 9 and set(las["region_name"]) == set(regions.index), (measure, year)
        assert regions.sum() == england.iloc[0], (measure, year)
        # Suppressed LA cells are blank: then the LAs may only fall short of their total, never exceed it.
        for region, in_region in las.groupby("region_name"):
            if in_region["pupils"].isna().any():
                assert in_region["pupils"].sum() <= regions[region], (measure, year, region)
            else:
                assert in_region["pupils"].sum() == regions[region], (measure, year, region)
        if las["pupils"].isna().any():
            assert las["pupils"].sum() <= england.iloc[0]
        else:
            assert las["pupils"].sum() == england.iloc[0], (measure, year)


def test_ap_covers_every_year_there_is_and_la_codes_are_harmonised():
    ap = datasets.load("la_ap")
    funded = ap[ap["measure"] == "la_funded_ap_pupils"]
    # Every year with an England figure has its authorities' figures, each year from one release (the raw
    # sources' years are tested in test_newest_census.py; none is made up, none interpolated).
    by_level = funded.groupby("geographic_level")["time_period"].unique()
    assert set(by_level["National"]) == set(by_level["Local authority"]) == set(by_level["Regional"])
    qa_repository = {"ap_2024_25_by_la", "ap_2024_25_by_region_age", "ap_2024_25_england_by_age"}
    for year, rows in funded.groupby("time_period"):
        assert set(rows["source_id"]) in ({"ap_census_totals"}, qa_repository), year
    assert funded.loc[funded["source_id"].isin(qa_repository), "time_period"].nunique() <= 1
    las = funded[funded["geographic_level"] == "Local authority"]
    assert las.groupby("la_code")["la_gss_code"].nunique().max() == 1  # one ONS code per LA number
    gateshead = las[las["la_code"] == "390"]
    assert set(gateshead["la_gss_code"]) == {"E08000037"}
    assert len(gateshead) == len(by_level["National"])  # in every year


def test_every_english_seat_la_has_its_own_figure_for_the_newest_census():
    weights = datasets.load("seat_la_weights")
    ap = datasets.load("la_ap")
    latest = ap[
        (ap["measure"] == "la_funded_ap_pupils")
        & (ap["time_period"] == ap["time_period"].max())
        & ap["pupils"].notna()
    ]
    # All 153 authorities, Luton (no 2022/23 figure in its source) and Cumberland and Westmorland and
    # Furness (Cumbria's until January 2023) included.
    assert set(weights.loc[weights["nation"] == "England", "la_code"]) == set(latest["la_code"]) - {""}
    luton = ap[(ap["la_code"] == "821") & (ap["measure"] == "la_funded_ap_pupils")]
    assert 202223 not in set(luton["time_period"])


def test_la_ons_codes_agree_with_the_seat_weights():
    weights = datasets.load("seat_la_weights")
    current = dict(zip(weights["la_code"], weights["la_gss_code"]))
    for name in ("la_ap", "pupils", "school_arranged_ap_reasons"):
        table = datasets.load(name)
        las = table[table["geographic_level"] == "Local authority"]
        las = las[las["la_code"].isin(current)]
        assert (las["la_gss_code"] == las["la_code"].map(current)).all(), name
    ap = datasets.load("la_ap").drop_duplicates("la_code").set_index("la_code")
    assert {code: ap.loc[code, "la_gss_code"] for code in ("815", "933", "942", "943", "821")} == {
        "815": "E06000065",
        "933": "E06000066",
        "942": "E06000063",
        "943": "E06000064",
        "821": "E06000032",
    }


def test_pupil_denominators_add_up_to_england():
    pupils = datasets.load("pupils")
    for year, rows in pupils.groupby("time_period"):
        england = rows.loc[
            rows["geographic_level"] == "National", "pupils_sf_nursery_primary_secondary"
        ].iloc[0]
        las = rows.loc[rows["geographic_level"] == "Local authority", "pupils_sf_nursery_primary_secondary"]
        assert las.sum() == england, year
        derived = rows.loc[rows["geographic_level"] == "National", "pupils_state_funded"].iloc[0]
        assert (
            abs(
                rows.loc[rows["geographic_level"] == "Local authority", "pupils_state_funded"].sum() - derived
            )
            / derived
            < 0.0001
        )


def test_npd_rows_keep_their_citation_and_marks():
    for name in ("npd_facts", "npd_release_counts", "npd_named_releases"):
        table = datasets.load(name)
        assert (table["source_title"].str.len() > 0).all(), name
        assert table["secondary"].any() and table["citation"].str.len().min() > 0, name
    counts = datasets.load("npd_release_counts")
    superseded = counts[counts["note"].str.contains("Superseded")]
    assert len(superseded) > 0 and superseded["disputed"].all()
    releases = datasets.load("npd_named_releases")
    assert releases.set_index("release_id").loc["R026", "status"] == "rejected application"
    facts = datasets.load("npd_facts").set_index("fact_id")
    assert not facts.loc["F16", "secondary"] and facts.loc["F01", "secondary"]
