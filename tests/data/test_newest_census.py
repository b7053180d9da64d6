"""The January 2025 census (2024/25) from DfE's QA repository files, as the build derives it.

Figures are recomputed here from the raw files (the ages summed) and compared with the tables the raw
folder builds, not with data/: once a refresh brings an official release covering 2024/25, data/ holds
that release's figures instead (the last test here), and these tests still check the derivation.
Fixtures that break a raw copy are written in tmp_path and their numbers are made up.
"""

import pandas as pd
import pytest

from npd_briefing import config
from npd_briefing.data import curate, datasets
from npd_briefing.data.sources import NOT_RECORDED, SOURCES
from npd_briefing.exceptions import DataFileError
from tests.data.conftest import read, write

LA_AGES = SOURCES["ap_2024_25_by_la_age"]["path"]
REGION_AGES = SOURCES["ap_2024_25_by_region_age"]["path"]
ENGLAND_AGES = SOURCES["ap_2024_25_england_by_age"]["path"]
BY_LA = SOURCES["ap_2024_25_by_la"]["path"]
CENSUS = SOURCES["ap_census_totals"]["path"]

# DfE number -> the name DfE's per-age file uses (the file has no codes).
CHECKED_LAS = {
    "850": "Hampshire",
    "821": "Luton",
    "942": "Cumberland",
    "943": "Westmorland and Furness",
    "815": "North Yorkshire",
    "933": "Somerset",
    "201": "City of London",
}


@pytest.fixture(scope="module")
def built() -> dict[str, pd.DataFrame]:
    """Every table as the raw folder builds it, with no download."""
    return curate.build_tables(config.RAW_DATA_DIR)


def newest(built, level: str) -> pd.DataFrame:
    ap = built["la_ap"]
    return ap[
        (ap["measure"] == "la_funded_ap_pupils")
        & (ap["time_period"] == 202425)
        & (ap["geographic_level"] == level)
    ]


def test_2024_25_figures_are_the_raw_ages_summed(built):
    by_age = read(config.RAW_DATA_DIR, LA_AGES)
    las = newest(built, "Local authority").set_index("la_code")
    for code, name in CHECKED_LAS.items():
        ages = by_age[by_age["la_name"] == name]
        assert len(ages) == 20, name
        assert las.loc[code, "pupils"] == ages["la_total"].astype(int).sum(), name
        assert las.loc[code, "la_name"] == name
    assert las.loc["850", "pupils"] == 1644  # Aldershot's authority, Hampshire

    regions = read(config.RAW_DATA_DIR, REGION_AGES)
    expected = regions["region_total"].astype(int).groupby(regions["region_name"]).sum()
    assert (
        newest(built, "Regional").set_index("region_name")["pupils"].astype(int).to_dict()
        == expected.to_dict()
    )
    england = read(config.RAW_DATA_DIR, ENGLAND_AGES)["national_total"].astype(int).sum()
    assert newest(built, "National")["pupils"].tolist() == [england] == [58450]
    assert len(newest(built, "Local authority")) == 153


def test_2024_25_rows_name_their_source_and_say_the_year_is_inferred(built):
    assert set(newest(built, "Local authority")["source_id"]) == {"ap_2024_25_by_la"}
    assert set(newest(built, "Regional")["source_id"]) == {"ap_2024_25_by_region_age"}
    assert set(newest(built, "National")["source_id"]) == {"ap_2024_25_england_by_age"}
    ap = built["la_ap"]
    assert set(ap.loc[ap["time_period"] < 202425, "source_id"]) == {
        "ap_census_totals",
        "ap_counts_by_provision",
        "school_ap_placement",
    }
    for source_id in (
        "ap_2024_25_by_la",
        "ap_2024_25_by_la_age",
        "ap_2024_25_by_region_age",
        "ap_2024_25_england_by_age",
    ):
        source = datasets.source("la_ap", source_id)
        assert source["repository"] == "dfe-analytical-services/hackathon-2025-spc-sen-qa"
        assert source["commit"] in {
            "ca97be6af9387e012076a116f165000a6aff09dd",
            "bcde39fb914f10aa1e8197e81612b7743e2e46af",
        }
        assert "year inferred" in source["title"] and "inferred as 2024/25" in source["note"]
        assert "Alternative provision - local authority funded placements - pupil counts" in source["note"]
        assert (source["published"], source["retrieved"]) == (NOT_RECORDED, "2026-11-29")


def test_no_year_is_invented_and_the_caveats_name_the_gap(built):
    ap = built["la_ap"]
    funded = ap[ap["measure"] == "la_funded_ap_pupils"]
    # January 2018 to January 2023 from the 2022/23 release, January 2025 from DfE's QA repository; the
    # raw sources hold no 2023/24 by LA, and none is made up.
    assert sorted(funded["time_period"].unique()) == [201718, 201819, 201920, 202021, 202122, 202223, 202425]
    assert 202324 not in set(ap["time_period"])
    caveats = curate.table_caveats("la_ap", ap, SOURCES)
    assert caveats[0].startswith(
        "Years by measure: la_funded_ap_pupils 2017/18 to 2022/23 and 2024/25 "
        "(none for 2023/24); school_arranged_ap_pupils 2022/23; "
        "state_funded_ap_school_pupils 2017/18 to 2022/23."
    )


def test_cumbria_successors_have_their_own_2024_25_figure_and_a_true_lineage_note(built):
    funded = built["la_ap"][built["la_ap"]["measure"] == "la_funded_ap_pupils"]
    assert set(funded.loc[funded["la_code"].isin(["942", "943"]), "time_period"]) == {202425}
    assert funded.loc[funded["la_code"] == "909", "time_period"].max() == 202223
    lineage = built["la_lineage"].set_index("la_code")
    for code in ("942", "943"):
        assert lineage.loc[code, "note"] == (
            "Cumberland and Westmorland and Furness replaced Cumbria (909) in April 2023."
        )


def _one_line(excinfo) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    return message


def test_the_build_stops_when_the_2024_25_figures_do_not_add_up(raw):
    regions = read(raw, REGION_AGES)
    regions.loc[regions["region_name"] == "London", "region_total"] = "0"
    write(raw, REGION_AGES, regions)
    with pytest.raises(DataFileError) as excinfo:
        curate.build_tables(raw)
    assert _one_line(excinfo).startswith(
        f"{raw / BY_LA}: totals differ from the regional file for 1 area(s), e.g. London: 8540 here, 0 there"
    )

    write(raw, REGION_AGES, read(config.RAW_DATA_DIR, REGION_AGES))
    england = read(raw, ENGLAND_AGES)
    england.loc[0, "national_total"] = "100"
    write(raw, ENGLAND_AGES, england)
    with pytest.raises(DataFileError) as excinfo:
        curate.build_tables(raw)
    assert _one_line(excinfo) == (
        f"{raw / BY_LA}: the LAs sum to 58,450 and the regions to 58,450, but the England file gives 58,550"
    )

    write(raw, ENGLAND_AGES, read(config.RAW_DATA_DIR, ENGLAND_AGES))
    las = read(raw, BY_LA)
    las.loc[las["old_la_code"] == "850", "number_of_pupils_sum_of_ages"] = "1645"
    write(raw, BY_LA, las)
    with pytest.raises(DataFileError, match="totals differ from the per-age LA file for 1 area"):
        curate.build_tables(raw)


def test_the_2024_25_rows_are_joined_on_the_dfe_number_not_the_name(raw):
    las = read(raw, BY_LA)
    las.loc[las["old_la_code"] == "850", "new_la_code_as_in_202223_file"] = "E99999999"
    write(raw, BY_LA, las)
    built = curate.build_tables(raw)["la_ap"]
    hampshire = built[(built["la_code"] == "850") & (built["time_period"] == 202425)]
    assert hampshire["la_gss_code"].tolist() == ["E10000014"]  # the code of number 850, not the file's

    las.loc[las["old_la_code"] == "850", "old_la_code"] = "85"
    write(raw, BY_LA, las)
    with pytest.raises(DataFileError, match="every row needs its own 3-digit old_la_code"):
        curate.build_tables(raw)


def test_an_official_release_covering_2024_25_replaces_the_qa_figures(raw):
    census = read(raw, CENSUS)
    later = census[census["time_period"] == "202223"].assign(time_period="202425")
    write(raw, CENSUS, pd.concat([census, later], ignore_index=True))
    built = curate.build_tables(raw)["la_ap"]
    rows = built[(built["measure"] == "la_funded_ap_pupils") & (built["time_period"] == 202425)]
    assert set(rows["source_id"]) == {"ap_census_totals"} and len(rows) == len(later)
    assert not rows.duplicated(["geographic_level", "region_name", "la_code"]).any()
    hampshire = later.loc[later["old_la_code"] == "850", "number_of_pupils"].astype(int).tolist()
    assert rows.loc[rows["la_code"] == "850", "pupils"].tolist() == hampshire != [1644]
