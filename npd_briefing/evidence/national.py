"""The national picture in words: which cited rows the briefing and the annex state, and how.

Each figure is one row of ``data/``, stated in that row's own terms (people, records, data
subjects, requests, placements) for the period it names, with its publisher and date, marked where
the source is secondary or disputed, and with its citation status. A figure that is a campaign's
is attributed to the campaign. Rows are chosen by id, so a sentence can always be traced to its row.
"""

from dataclasses import dataclass

import pandas as pd

from npd_briefing import caches
from npd_briefing.data import datasets

# How many people the NPD holds, as each cited source puts it, and one school year for scale.
SCALE_ROWS = ("F01", "F03", "F02", "N06")
FOR_SCALE_ROW = "F30"
# What each of those counts, in the words of its row.
SCALE_LABELS = {
    "F01": "People (unique individuals) whose records were stored",
    "F03": "Named records, per DfE's first Data Protection Impact Assessment",
    "F02": "Data subjects in the ICO audit's scope (the NPD and DfE's other databases)",
    "N06": "Records in the NPD: the campaign's own figure",
    "F30": "For scale: pupils covered by the NPD in one school year, 2016/17",
}
# The three national facts on a briefing's first page: size, third-party requests, the Home Office.
SUMMARY_ROWS = ("F02", "F06", "C034")
# The facts listed in the annex, after the scale figures.
ANNEX_ROWS = ("F06", "F13", "F14", "F15", "C013", "C020", "F22", "F23", "C034", "C035")
# A row's id says its table: F01 is a key fact, C034 a release count, N06 a national AP figure.
TABLE_OF_PREFIX = {
    "F": ("npd_facts", "fact_id"),
    "C": ("npd_release_counts", "count_id"),
    "N": ("national_ap_figures", "fact_id"),
}


@dataclass(frozen=True)
class CitedFigure:
    """One cited row, ready to state."""

    row_id: str
    value: str  # as the source gives it: "over 21,000,000", "about 1,000"
    number: float | None
    unit: str  # the row's own terms: people, records, data subjects, requests ...
    what: str
    period: str
    publisher: str
    source_title: str
    source_date: str
    source_url: str
    citation: str
    citation_status: str
    marks: tuple[str, ...]  # "secondary source", "disputed", "campaign figure"

    @property
    def is_campaign(self) -> bool:
        return self.citation == "campaign"

    @property
    def shown_value(self) -> str:
        """The value as printed before what it counts: with its unit only where the unit is a share or a
        rate ("86 percent of releases"); a count's ``what`` says what is counted."""
        return f"{self.value} {self.unit}" if "percent" in self.unit or "per " in self.unit else self.value

    @property
    def shown_period(self) -> str:
        """The period, unless the row's own words already give it."""
        return "" if self.period in self.what else self.period


def _value_text(value: str, unit: str) -> tuple[str, float | None]:
    try:
        number = float(value)
    except ValueError:
        return value, None
    text = f"{number:,.0f}"
    if "lower bound" in unit:
        text = f"over {text}"
    elif "approximate" in unit or "in the region" in unit:
        text = f"about {text}"
    return text, number


def _row(row: pd.Series, row_id: str) -> CitedFigure:
    unit = str(row["unit"])
    value, number = _value_text(str(row["value"]), unit)
    what = row["fact"] if "fact" in row.index else f"{row['measure']}"
    if "breakdown" in row.index and row["breakdown"] not in ("", "all") and "=" not in str(row["breakdown"]):
        what = f"{what} ({row['breakdown']})"
    period = row["period_or_as_at"] if "period_or_as_at" in row.index else row["period"]
    marks = tuple(
        mark
        for mark, flag in (
            ("campaign source", row["citation"] == "campaign"),
            ("secondary source", bool(row["secondary"])),
            ("disputed", bool(row["disputed"])),
        )
        if flag
    )
    return CitedFigure(
        row_id=row_id,
        value=value,
        number=number,
        unit=unit.split(" (")[0],
        what=str(what),
        period=str(period),
        publisher=str(row["publisher"]),
        source_title=str(row["source_title"]),
        source_date=str(row["source_date"]),
        source_url=str(row["source_url"]),
        citation=str(row["citation"]),
        citation_status=str(row.get("citation_status", "")),
        marks=marks,
    )


@caches.per_process
def _rows(table: str) -> dict[str, CitedFigure]:
    frame = datasets.load(table)
    id_column = next(column for prefix, (name, column) in TABLE_OF_PREFIX.items() if name == table)
    return {row[id_column]: _row(row, row[id_column]) for _, row in frame.iterrows()}


def figures(row_ids) -> list[CitedFigure]:
    """The cited rows ``row_ids`` (from any of the transcribed tables), in that order."""
    return [_rows(TABLE_OF_PREFIX[row_id[0]][0])[row_id] for row_id in row_ids]


def figure(row_id: str) -> CitedFigure:
    return figures([row_id])[0]


@dataclass(frozen=True)
class PlacementReasons:
    """The reasons for placement the pack's data establish, and the campaign's list, kept apart."""

    recorded_by_dfe: tuple[str, ...]  # values seen in DfE's own published data
    reported: tuple[str, ...]  # named in guidance copies or news reports of DfE's statistics
    campaign: tuple[str, ...]  # named by defenddigitalme


def placement_reasons() -> PlacementReasons:
    counts = datasets.load("ap_reason_counts")
    official = counts[
        (counts["citation"] == "official")
        & counts["collection"].str.startswith("AP census")
        & ~counts["reason"].str.startswith("Total")
    ]
    categories = datasets.load("ap_reason_categories")
    reported = categories[categories["citation"] != "campaign"]
    campaign = categories[categories["citation"] == "campaign"]
    return PlacementReasons(
        tuple(dict.fromkeys(official["reason"])), tuple(reported["category"]), tuple(campaign["category"])
    )
