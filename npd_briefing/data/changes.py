"""The change report after a rebuild: rows added or removed, years covered, MPs and LA codes changed.

``python build.py data`` prints it and the manifest's change log keeps it, so a refresh from a new
release can be checked line by line before it is committed. Tables are compared as the text they are
committed as: a rebuild that changes nothing reports nothing (and leaves ``data/`` byte-identical).
"""

import io
from collections import Counter
from pathlib import Path

import pandas as pd

from npd_briefing.data.manifest import table_csv_bytes
from npd_briefing.dates import academic_year, year_span

# Columns that say when a table was made, not what it holds: a rebuild that changes only these
# changes nothing (the MP list is as of the day it was downloaded).
AS_OF_COLUMNS = {"seats": ["mps_as_of"]}


def read_tables(data_dir: Path, names) -> dict[str, pd.DataFrame]:
    """The tables a rebuild is about to replace, as text; a missing or unreadable one is left out
    (and so reported as new)."""
    tables = {}
    for name in names:
        try:
            tables[name] = pd.read_csv(Path(data_dir) / f"{name}.csv", dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            continue
    return tables


def as_committed(frame: pd.DataFrame) -> pd.DataFrame:
    """A built table as the text its committed CSV will hold, to compare with what is there now."""
    return pd.read_csv(io.BytesIO(table_csv_bytes(frame)), dtype=str, keep_default_na=False)


def describe_changes(before: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame]) -> list[str]:
    """One line per changed table, then one per seat whose MP changed and per LA whose codes changed."""
    after = {name: as_committed(frame) for name, frame in tables.items()}
    lines = [line for name in after for line in table_change(name, before.get(name), after[name])]
    if "seats" in before and "seats" in after:
        lines += mp_changes(before["seats"], after["seats"])
    if "la_ap" in before and "la_ap" in after:
        lines += la_code_changes(before["la_ap"], after["la_ap"])
    if lines:
        lines += coverage_gaps(after)
    return lines


def _periods(frame: pd.DataFrame) -> pd.Series:
    """A table's 6-digit academic years (202324); free-text periods are not counted."""
    if "time_period" not in frame:
        return pd.Series(dtype=str)
    return frame["time_period"][frame["time_period"].str.fullmatch(r"\d{6}")]


def table_change(name: str, before: pd.DataFrame | None, after: pd.DataFrame) -> list[str]:
    if before is None:
        return [f"{name}: new table, {len(after)} rows"]
    as_of = AS_OF_COLUMNS.get(name, [])
    before, after = before.drop(columns=as_of, errors="ignore"), after.drop(columns=as_of, errors="ignore")
    if before.equals(after):
        return []
    old_rows = Counter(before.itertuples(index=False, name=None))
    new_rows = Counter(after.itertuples(index=False, name=None))
    added, removed = sum((new_rows - old_rows).values()), sum((old_rows - new_rows).values())
    line = f"{name}: {len(before)} -> {len(after)} rows ({added} added, {removed} removed)"
    if list(before.columns) != list(after.columns):
        line += "; columns changed"
    if len(_periods(after)):
        now, was = year_span(_periods(after)), year_span(_periods(before))
        line += f"; years {now}" + (f" (was {was})" if now != was else "")
    return [line]


def mp_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Seats whose MP (or MP's party) changed, matched on GSS code, never on name."""
    merged = before.merge(after, on="gss_code", how="outer", suffixes=("_was", "_now"), indicator="presence")
    lines = []
    for row in merged.fillna("").itertuples(index=False):
        if row.presence == "left_only":
            lines.append(f"seat {row.name_was} ({row.gss_code}) is no longer in the MP lookup")
        elif row.presence == "right_only":
            lines.append(f"seat {row.name_now} ({row.gss_code}) is new: MP {row.mp_display_name_now}")
        elif row.member_id_was != row.member_id_now or row.mp_display_name_was != row.mp_display_name_now:
            lines.append(
                f"{row.name_now} ({row.gss_code}): MP {row.mp_display_name_was} ({row.party_was}) -> "
                f"{row.mp_display_name_now} ({row.party_now})"
            )
        elif row.party_was != row.party_now:
            lines.append(
                f"{row.name_now} ({row.gss_code}): {row.mp_display_name_now}'s party "
                f"{row.party_was} -> {row.party_now}"
            )
    return lines


def _la_codes(la_ap: pd.DataFrame) -> pd.DataFrame:
    """Each DfE LA number in the AP data with its ONS code, name and first year."""
    las = la_ap[la_ap["geographic_level"] == "Local authority"].sort_values("time_period")
    return las.groupby("la_code").agg(
        gss=("la_gss_code", "last"), name=("la_name", "last"), first=("time_period", "first")
    )


def la_code_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """LA numbers whose ONS code changed, and numbers new to or gone from the AP data."""
    old, new = _la_codes(before), _la_codes(after)
    lines = []
    for code in sorted(set(old.index) | set(new.index)):
        was = old.loc[code] if code in old.index else None
        now = new.loc[code] if code in new.index else None
        if was is None:
            lines.append(
                f"LA {code} {now['name']}: new LA number ({now['gss']}), figures from "
                f"{academic_year(now['first'])}"
            )
        elif now is None:
            lines.append(f"LA {code} {was['name']}: no longer in the AP data (was {was['gss']})")
        elif was["gss"] != now["gss"]:
            lines.append(f"LA {code} {now['name']}: ONS code {was['gss']} -> {now['gss']}")
    return lines


def coverage_gaps(after: dict[str, pd.DataFrame]) -> list[str]:
    """A warning when the AP figures reach a year the rate denominators do not: rates stay blank."""
    if "la_ap" not in after or "pupils" not in after:
        return []
    ap = after["la_ap"]
    funded = _periods(ap[ap["measure"] == "la_funded_ap_pupils"]).astype(int)
    pupils = _periods(after["pupils"]).astype(int)
    if funded.empty or pupils.empty or funded.max() <= pupils.max():
        return []
    return [
        f"warning: LA-funded AP figures reach {academic_year(funded.max())} but the pupil headcounts "
        f"(the rate denominator) end at {academic_year(pupils.max())}; rates for the later years are "
        f"blank until the headcounts are refreshed"
    ]


# The figures a briefing prints, by table: the columns that say which figure a row holds, and its values.
FIGURES = {
    "la_ap": (
        ["measure", "time_period", "geographic_level", "region_name", "la_code", "la_name"],
        ["pupils"],
    ),
    "pupils": (
        ["time_period", "geographic_level", "region_name", "la_code", "la_name"],
        ["pupils_state_funded", "pupils_sf_nursery_primary_secondary"],
    ),
    "school_arranged_ap_reasons": (
        ["placement_reason", "time_period", "geographic_level", "region_name", "la_code", "la_name"],
        ["pupils"],
    ),
}


def figure_changes(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> list[dict]:
    """Each figure whose value changed, appeared or went: the table, the place and year it is for, the
    old and new value as committed ("" for none), and the row's ``source_id`` where the table has one."""
    found = []
    for name, (keys, values) in FIGURES.items():
        if name not in after:
            continue
        new = as_committed(after[name])
        old = before.get(name, pd.DataFrame(columns=new.columns))
        merged = old.merge(
            new, on=[k for k in keys if k != "la_name"], how="outer", suffixes=("_was", "_now")
        )
        merged = merged.fillna("")
        for row in merged.to_dict("records"):
            for value in values:
                was, now = row[f"{value}_was"], row[f"{value}_now"]
                if was != now:
                    found.append(
                        {
                            "table": name,
                            "figure": value,
                            "where": row["la_name_now"]
                            or row["la_name_was"]
                            or row["region_name"]
                            or "England",
                            "time_period": row["time_period"],
                            "measure": row.get("measure") or row.get("placement_reason") or "",
                            "was": was,
                            "now": now,
                            "source_id": row.get("source_id_now") or row.get("source_id_was") or "",
                        }
                    )
    return found


def tables_differ(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> list[str]:
    """The tables whose rows changed, leaving out the columns that only date the build."""
    differ = []
    for name, frame in after.items():
        new = as_committed(frame).drop(columns=AS_OF_COLUMNS.get(name, []))
        old = before.get(name)
        if old is None or not old.drop(columns=AS_OF_COLUMNS.get(name, []), errors="ignore").equals(new):
            differ.append(name)
    return differ
