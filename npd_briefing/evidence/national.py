"""The national picture in words: which cited rows the briefing and the annex state, and how.

Each figure is one row of ``data/``, stated in that row's own terms (people, records, data
subjects, requests, placements) for the period it names, with its publisher and date, marked where
the source is secondary or disputed, and with its citation status. A figure that is a campaign's
is attributed to the campaign. Rows are chosen by id, so a sentence can always be traced to its row.
"""

import re
from dataclasses import dataclass

import pandas as pd

from npd_briefing import caches
from npd_briefing.data import datasets, sources
from npd_briefing.dates import date_words

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
# The national facts on a briefing's first page, each from a public body's own page: the ICO's audit
# (its scope and its finding), and DfE's corrected figures to Parliament on the Home Office's requests;
# then the campaign's later Home Office total, attributed to the campaign.
SUMMARY_ROWS = ("P02", "P01", "F23", "C034")
# The facts listed in the annex, after the scale figures.
ANNEX_ROWS = ("F06", "F13", "F14", "F15", "C013", "C020", "F22", "F23", "C034", "C035")
# A row's id says its table: F01 is a key fact, C034 a release count, N06 a national AP figure.
TABLE_OF_PREFIX = {
    "F": ("npd_facts", "fact_id"),
    "C": ("npd_release_counts", "count_id"),
    "N": ("national_ap_figures", "fact_id"),
    "P": ("primary_citations", "fact_id"),
}
# How a source line names a publisher: the short names an MP's office knows.
SHORT_PUBLISHERS = {
    "Department for Education": "DfE",
    "Information Commissioner's Office": "ICO",
    "UK Parliament answer": "UK Parliament",
}
# Who reported a public body's page that is gone, by the address of the copy read.
REPORTED_BY = {"www.tes.com": "Tes"}
QUOTING = re.compile(r"\s*\((?:requester )?(?:quoting|citing) (?:an earlier |the |a )?(?P<whose>[^)]+)\)")
ASIDE = re.compile(r"\s*\([^)]*\)")
SHORT_PERIOD = re.compile(r"\s*\([A-Z][a-z]{2} \d{4} - [A-Z][a-z]{2} \d{4}\)")
OTHER_ROW = re.compile(r"^Of [A-Z]\d+: ")
QUOTE = re.compile(r"Quote: '(.+?)'(?=\s|$)")
# The reasons other sources name, one sentence each saying whose word it is; the campaign's list in words.
REASON_WORDS = {
    "Permanent exclusion": "DfE's 2023 census guidance also names permanent exclusion.",
    "Setting named on the pupil's EHC plan": "Schools Week (2024) reports placements made because the setting "
    "was named in the pupil's education, health and care plan.",
    "Other reasons (reported as including pregnancy or childcare)": "Schools Week also reports other reasons, "
    "including pregnancy or childcare.",
    "Young offender": "being a young offender",
}


def plain_source_line(
    publisher: str, source_title: str, source_date: str, primary_page: str = "stored", copy_url: str = ""
) -> str:
    """Who published what, when, in plain words ("ICO, Statement on ..., 7 October 2020"); a figure a
    news page or a requester quotes from someone else says so ("..., as reported by Tes"). How the row
    was checked stays in the data package."""
    quoting = QUOTING.search(publisher)
    name = SHORT_PUBLISHERS.get(ASIDE.sub("", publisher), ASIDE.sub("", publisher))
    title = ASIDE.sub("", source_title).strip().removeprefix(f"{name} ").replace(" - ", " – ")
    when = date_words(source_date)
    parts = [name, title, when] if not quoting else [quoting["whose"], f"as reported by {name}", when]
    line = ", ".join(part for part in parts if part)
    if primary_page.startswith("gone"):
        host = copy_url.split("/")[2] if "//" in copy_url else ""
        line += f", as reported by {REPORTED_BY.get(host, host)} ({primary_page.split(': ', 1)[1]})"
    return line


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
    primary_page: str = "stored"  # primary citations only: stored, read in a copy, or gone
    copy_url: str = ""
    note: str = ""

    @property
    def is_campaign(self) -> bool:
        return self.citation == "campaign"

    @property
    def shown_value(self) -> str:
        """The value as printed before what it counts: with its unit only where the unit is a share or a
        rate ("86 percent of releases"); a count's ``what`` says what is counted."""
        return f"{self.value} {self.unit}" if "percent" in self.unit or "per " in self.unit else self.value

    @property
    def source_line(self) -> str:
        return plain_source_line(
            self.publisher, self.source_title, self.source_date, self.primary_page, self.copy_url
        )

    @property
    def quote(self) -> str:
        """The source's own words the row quotes, if it quotes them after 'Quote:'."""
        match = QUOTE.search(self.note)
        return match[1] if match else ""

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
    campaign = row["citation"] == "campaign"
    marks = tuple(
        mark
        for mark, flag in (
            ("campaign figure", campaign),
            ("secondary source", bool(row["secondary"]) and not campaign),
            ("disputed", bool(row["disputed"])),
        )
        if flag
    )
    # A row's own words may repeat its period, or name another row ("Of F06: ..."): say it once, in words.
    what = OTHER_ROW.sub("Of these: ", SHORT_PERIOD.sub("", str(what)))
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
        primary_page=str(row.get("primary_page", "stored")),
        copy_url=str(row.get("copy_url", "")),
        note=str(row["note"]),
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


def _reason_words(category: str) -> str:
    return REASON_WORDS.get(category, category[:1].lower() + category[1:])


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
        tuple(dict.fromkeys(official["reason"])),
        tuple(
            REASON_WORDS.get(c, f"Other sources also name {c[:1].lower() + c[1:]}.")
            for c in reported["category"]
        ),
        tuple(_reason_words(c) for c in campaign["category"]),
    )


def source_list(resources: list[dict], row_ids) -> list[tuple[str, str]]:
    """One (plain line, address) per source: the data files of ``resources``, then the pages the rows
    ``row_ids`` cite (a public body's page that is gone gives the copy read instead), each once."""
    files = [
        (sources.source_line(s), s.get("url", ""))
        for resource in resources
        for s in resource["sources"]
        if s["published"] != sources.PER_ROW
    ]
    pages = [(f.source_line, f.source_url or f.copy_url) for f in figures(row_ids)]
    return list(dict(files + pages).items())
