"""What every build of the curated tables must satisfy, checked on the files before they replace data/.

The scheduled refresh runs these on the tables it rebuilt from new releases: a release that lost a
seat, a nation's count, or LA figures that no longer add up to England stops the refresh, naming the
table, instead of reaching a briefing. The test suite checks the same rules on the committed tables.
"""

from pathlib import Path

import pandas as pd

SEATS_BY_NATION = {"England": 543, "Scotland": 57, "Wales": 32, "Northern Ireland": 18}
REGIONS = 9
# pupils_state_funded comes from rounded shares for the dashboard's years (about 0.003% for England).
STATE_FUNDED_TOLERANCE = 0.0001


def _read(data_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(Path(data_dir) / f"{name}.csv", dtype=str, keep_default_na=False)


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.replace("", None), errors="coerce")


def seat_problems(seats: pd.DataFrame) -> list[str]:
    counts = seats["nation"].value_counts().to_dict()
    problems = []
    if len(seats) != sum(SEATS_BY_NATION.values()) or not seats["gss_code"].is_unique:
        problems.append(f"{len(seats)} seats ({seats['gss_code'].nunique()} codes), not 650")
    if counts != SEATS_BY_NATION:
        found = ", ".join(f"{nation} {n}" for nation, n in sorted(counts.items()))
        problems.append(
            f"seats by nation are {found}, not England 543, Wales 32, Scotland 57, Northern Ireland 18"
        )
    return problems


def adds_up(rows: pd.DataFrame, value: str, what: str, tolerance: float = 0.0) -> list[str]:
    """One year's rows of one measure: 9 regions adding to England, and LAs adding to it too (or falling
    short where some LA figures are blank, never exceeding it)."""
    england = _number(rows.loc[rows["geographic_level"] == "National", value])
    if len(england) != 1 or england.isna().all():
        return [f"{what}: no England figure"]
    total = england.iloc[0]
    problems = []
    regions = _number(rows.loc[rows["geographic_level"] == "Regional", value])
    if len(regions) and (len(regions) != REGIONS or abs(regions.sum() - total) > tolerance * total):
        problems.append(
            f"{what}: {len(regions)} regions add to {regions.sum():,.0f}, England is {total:,.0f}"
        )
    las = _number(rows.loc[rows["geographic_level"] == "Local authority", value])
    short = las.isna().any()
    if las.sum() > total * (1 + tolerance) or (not short and abs(las.sum() - total) > tolerance * total):
        problems.append(f"{what}: local authorities add to {las.sum():,.0f}, England is {total:,.0f}")
    return problems


def problems(data_dir: Path) -> dict[str, list[str]]:
    """Every broken rule, by table; empty when the tables are sound."""
    found = {"seats": seat_problems(_read(data_dir, "seats"))}
    la_ap = _read(data_dir, "la_ap")
    found["la_ap"] = [
        line
        for (measure, year), rows in la_ap.groupby(["measure", "time_period"])
        for line in adds_up(rows, "pupils", f"{measure} {year}")
    ]
    pupils = _read(data_dir, "pupils")
    found["pupils"] = [
        line
        for year, rows in pupils.groupby("time_period")
        for line in adds_up(
            rows, "pupils_sf_nursery_primary_secondary", f"pupils_sf_nursery_primary_secondary {year}"
        )
        + adds_up(rows, "pupils_state_funded", f"pupils_state_funded {year}", STATE_FUNDED_TOLERANCE)
    ]
    weights = _read(data_dir, "seat_la_weights")
    english = weights.loc[weights["nation"] == "England", "gss_code"].nunique()
    found["seat_la_weights"] = [] if english == 543 else [f"{english} English seats have weights, not 543"]
    return {table: lines for table, lines in found.items() if lines}
