"""The rate denominator from EES's school characteristics data set (read in chunks, its all-Total rows of
the five state-funded phases), in the layout EES publishes it and its older edition's. The files are
fixtures (tests/fixtures/ees/); their counts are made up."""

import pandas as pd
import pytest

from npd_briefing.data import curate
from npd_briefing.data.manifest import table_csv_bytes
from npd_briefing.data.raw import read_state_funded_phases
from npd_briefing.data.sources import SOURCES
from npd_briefing.exceptions import DataFileError
from tests.data.conftest import read, write
from tests.fixtures.ees.school_characteristics import older_layout, school_characteristics

PUPILS = SOURCES["pupil_headcounts"]["path"]
SUBSET = SOURCES["spc_school_characteristics"]["path"]


def with_subset(raw, tmp_path, frame):
    """The raw folder with the subset a download writes, from ``frame`` laid out as EES serves it."""
    write(tmp_path, "schools.csv", frame, bom=True)
    (raw / SUBSET).write_bytes(
        table_csv_bytes(read_state_funded_phases(tmp_path / "schools.csv", chunk_rows=997))
    )


@pytest.mark.parametrize(
    "layout", [school_characteristics, lambda heads: older_layout(school_characteristics(heads))]
)
def test_headcounts_by_phase_give_the_same_denominators_as_before(raw, tmp_path, layout):
    before = curate.build_tables(raw)["pupils"]
    with_subset(raw, tmp_path, layout(read(raw, PUPILS)))
    pd.testing.assert_frame_equal(curate.build_tables(raw)["pupils"], before)


def test_the_newer_years_replace_the_dashboards_and_a_missing_primary_figure_is_blank(raw, tmp_path):
    heads = read(raw, PUPILS)
    latest = heads[heads["time_period"] == "202223"]
    frame = school_characteristics(latest)
    luton = (frame["old_la_code"] == "821") & (frame["phase_type_grouping"] == "State-funded primary")
    frame.loc[luton, "total_pupil_count"] = "c"
    with_subset(raw, tmp_path, frame)
    pupils = curate.build_tables(raw)["pupils"]
    assert sorted(pupils["time_period"].unique())[-1] == 202223 and len(pupils) == len(heads)
    row = pupils[(pupils["la_code"] == "821") & (pupils["time_period"] == 202223)].iloc[0]
    assert pd.isna(row["pupils_state_funded"]) and pd.isna(row["pupils_sf_nursery_primary_secondary"])


def test_a_breakdown_the_pack_does_not_know_stops_the_build(raw, tmp_path):
    frame = school_characteristics(read(raw, PUPILS).head(3))
    doubled = pd.concat([frame.assign(religious_character="Total"), frame.assign(religious_character="None")])
    write(tmp_path, "schools.csv", doubled)
    with pytest.raises(DataFileError, match="more than one all-Total row for a place, year and phase"):
        read_state_funded_phases(tmp_path / "schools.csv")
