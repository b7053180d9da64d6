"""Read a copy of DfE's NPD third-party register that a user supplies, say what was read, and chart it.

The pack holds no copy of the register (none could be found), so this serves people who have one.
The editions differ (register_layouts says what is known of each): a workbook's sheets hold
completed releases, open cases, live cases that repeat completed ones, reference tables, and from
2018 shares approved for any DfE data, Home Office, police and court-order shares. So sheets are
chosen by kind, not stacked; only release sheets are counted unless others are asked for; a share
listed on two sheets is counted once by its reference; a row counts as a release only when nothing
says it is pending, rejected or not pursued. What was read and dropped travels with the rows
(``attrs['read']``), naming the file by its name only: notebook output gets shared.
"""

import csv
import importlib.util
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from npd_briefing.data.sources import OGL
from npd_briefing.evidence.charts import (
    FIGSIZE,
    LABEL_PT,
    OKABE_ITO,
    TICK_PT,
    Chart,
    _figure,
    _number,
    _value_grid,
)
from npd_briefing.evidence.register_layouts import (
    COUNTABLE_KINDS,
    DEFAULT_KINDS,
    KIND_LABELS,
    KIND_OUTCOME,
    KIND_WORDS,
    OUTCOMES,
    REFERENCE,
    RELEASES,
    SYNONYMS,
    date_meaning,
    dates,
    kind_from_text,
    looks_like_references,
    match_headers,
    outcome_from_text,
    references,
    tiers,
    words,
)
from npd_briefing.exceptions import DataFileError, ParameterError

__all__ = ["COLUMNS", "RegisterRead", "SheetRead", "load_register", "match_headers", "register_charts"]

COLUMNS = [
    "reference",
    "organisation",
    "purpose",
    "tier",
    "classification",
    "sector",
    "date",
    "date_as_written",
    "year",
    "date_meaning",
    "outcome",
    "sheet",
    "sheet_kind",
]
ENGINES = {".csv": None, ".xlsx": "openpyxl", ".xlsm": "openpyxl", ".ods": "odf"}
PACKAGES = {"openpyxl": "openpyxl", "odf": "odfpy"}
HEADER_SEARCH_ROWS = 15  # editions put a title and notes above the header row
RELEASE_DATE_EVENTS = ("extract sent", "re-use granted", "approval")  # a date that shows data went out
COMBINED_DATE_NOTE = (
    "its date column also records rejections, so a rejected row whose date cell holds only a "
    "date is counted as released unless a status column or the cell's words say otherwise"
)


@dataclass
class SheetRead:
    """One sheet: its kind, and either how it was read or why it was skipped."""

    name: str
    kind: str | None
    header_row: int | None = None  # as the spreadsheet numbers rows, from 1
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as written
    date_meaning: str = ""
    rows: int = 0
    skipped: str = ""  # why, when the sheet was not counted

    def line(self) -> str:
        kind = KIND_LABELS.get(self.kind, "kind not recognised")
        if self.skipped:
            return f"'{self.name}' ({kind}): {self.skipped}"
        columns = "; ".join(f"{name} = '{header}'" for name, header in self.columns.items())
        return (
            f"'{self.name}' ({kind}): header on row {self.header_row}; {columns}; dates mean: "
            f"{self.date_meaning}; {self.rows} row{'s' if self.rows != 1 else ''} naming an organisation"
        )


@dataclass
class RegisterRead:
    """What was read from a register file: printed by the notebook, kept with the rows."""

    file_name: str
    kinds: tuple[str, ...]
    sheets: list[SheetRead]
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def read(self) -> list[SheetRead]:
        return [s for s in self.sheets if not s.skipped]

    def lines(self) -> list[str]:
        lines = [
            f"Register file: {self.file_name}",
            "Counting sheets of kind: " + "; ".join(KIND_LABELS[k] for k in self.kinds),
            "Sheets read:",
            *(f"  {s.line()}" for s in self.read),
        ]
        skipped = [s for s in self.sheets if s.skipped]
        if skipped:
            lines += ["Sheets skipped:", *(f"  {s.line()}" for s in skipped)]
        lines += ["Rows dropped:", *(f"  {d}" for d in self.dropped or ["none"])]
        lines.append(
            f"Shares read, one row each: {sum(self.outcomes.values())} ("
            + "; ".join(f"{k} {n}" for k, n in self.outcomes.items() if n)
            + "). Only the released ones are counted as releases."
        )
        lines += [f"Note: {n}" for n in self.notes]
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


# ---- reading the file ----------------------------------------------------------------------------


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if b"\x00" in data:
        raise DataFileError(
            f"{path.name}: not a readable CSV file: it holds binary data (a spreadsheet saved "
            f"with a .csv name?)"
        )
    # DfE's older CSVs are Windows-1252, newer ones UTF-8 with a byte-order mark.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DataFileError(f"{path.name}: not a readable CSV file ({exc})") from None
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet as text cells, no header row chosen yet."""
    if not path.is_file():
        raise DataFileError(f"{path.name}: no such register file")
    suffix = path.suffix.lower()
    if suffix not in ENGINES:
        raise DataFileError(
            f"{path.name}: cannot read '{suffix or 'no extension'}' files; a register must be "
            f"one of {', '.join(ENGINES)}"
        )
    engine = ENGINES[suffix]
    if engine is None:
        return {path.name: _read_csv(path)}
    if importlib.util.find_spec(engine) is None:
        raise DataFileError(
            f"{path.name}: reading {suffix} files needs the Python package '{PACKAGES[engine]}', "
            f"which is not installed; install it or save the register as CSV"
        )
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine=engine)
    except Exception as exc:  # each engine raises its own types for a damaged file
        raise DataFileError(f"{path.name}: not a readable {suffix} file ({type(exc).__name__})") from None
    return {str(name): sheet.fillna("").astype(str) for name, sheet in sheets.items()}


def _header_row(sheet: pd.DataFrame) -> int | None:
    """The first row naming an organisation column and at least one other known column."""
    for i in range(min(HEADER_SEARCH_ROWS, len(sheet))):
        found = match_headers(list(sheet.iloc[i]))
        if "organisation" in found and len(found) > 1:
            return i
    return None


def _text_above(sheet: pd.DataFrame, header: int | None) -> str:
    """The title and note cells above the header (or in the first rows when there is none)."""
    top = sheet.iloc[: header if header is not None else HEADER_SEARCH_ROWS]
    return " ".join(c.strip() for c in top.to_numpy().ravel() if str(c).strip())


def _kind_by_content(sheet: pd.DataFrame, header: int) -> str | None:
    """A sheet whose name and title say nothing (a CSV, 'Sheet1') is a release list when it has a status
    column or a date that shows data went out; anything else cannot be told."""
    headers = list(sheet.iloc[header])
    found = match_headers(headers)
    if "outcome" in found:
        return RELEASES
    if "date" in found and date_meaning(headers[found["date"]]).startswith(RELEASE_DATE_EVENTS):
        return RELEASES
    return None


def _column(body: pd.DataFrame, position: int | None) -> pd.Series:
    if position is None:
        return pd.Series(pd.NA, index=body.index, dtype="object")
    return body.iloc[:, position].astype(str).str.strip()


def _reference_column(body: pd.DataFrame, taken: set[int]) -> int | None:
    """No edition's reference header is established, so a column whose cells are references will do."""
    return next(
        (i for i in range(body.shape[1]) if i not in taken and looks_like_references(body.iloc[:, i])), None
    )


def _outcomes(cell: dict[str, pd.Series], date: pd.Series, kind: str) -> pd.Series:
    """A status column's words first, then the date cell's ('pending'), then what the sheet's kind implies
    (a release sheet lists releases). A status the words do not tell ('Closed') is an unknown outcome."""
    status = cell["outcome"].fillna("")
    outcome = outcome_from_text(status).mask(outcome_from_text(status).isna() & (status != ""), "unknown")
    outcome = outcome.fillna(outcome_from_text(cell["date"].where(date.isna())))
    return outcome.fillna(KIND_OUTCOME[kind]).astype(str)


def _tidy(
    sheet: pd.DataFrame, header: int, name: str, kind: str, read: SheetRead
) -> tuple[pd.DataFrame, int]:
    """The rows under ``header`` as one row per share, and how many rows named no organisation. A field
    the sheet has no column for is NA (never 'not stated'), so no chart is drawn from it."""
    headers = list(sheet.iloc[header])
    found = match_headers(headers)
    body = sheet.iloc[header + 1 :]
    if "reference" not in found and (by_cells := _reference_column(body, set(found.values()))) is not None:
        found["reference"] = by_cells
    read.columns = {f: str(headers[i]).strip() for f, i in sorted(found.items(), key=lambda item: item[1])}
    read.date_meaning = date_meaning(headers[found["date"]]) if "date" in found else "no date column"
    named = body.iloc[:, found["organisation"]].astype(str).str.strip() != ""
    unnamed = int((~named & (body.apply(lambda col: col.astype(str).str.strip()) != "").any(axis=1)).sum())
    body = body[named]
    cell = {f: _column(body, found.get(f)) for f in [*SYNONYMS, "date"]}
    date = dates(cell["date"])
    year_in_text = pd.to_numeric(
        cell["date"].fillna("").str.extract(r"\b((?:19|20)\d{2})\b")[0], errors="coerce"
    )
    raw_reference = cell["reference"].fillna("")
    extracted = references(raw_reference)
    frame = pd.DataFrame(
        {
            "reference": extracted.where(extracted != "", raw_reference),
            "organisation": cell["organisation"],
            "purpose": cell["purpose"].replace("", "not stated"),
            "tier": tiers(cell["tier"]) if "tier" in found else cell["tier"],
            "classification": cell["classification"].replace("", "not stated"),
            "sector": cell["sector"].replace("", "not stated"),
            "date": date,
            "date_as_written": cell["date"]
            .fillna("")
            .str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1", regex=True),
            "year": date.dt.year.fillna(year_in_text).astype("Int64"),
            "date_meaning": read.date_meaning,
            "outcome": _outcomes(cell, date, kind),
            "sheet": name,
            "sheet_kind": kind,
        }
    )
    read.rows = len(frame)
    return frame[COLUMNS], unnamed


def _check_kinds(kinds) -> tuple[str, ...]:
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    unknown = [k for k in kinds if k not in COUNTABLE_KINDS]
    if unknown or not kinds:
        raise ParameterError(
            f"register sheet kinds {list(kinds)!r}: valid kinds are "
            + ", ".join(repr(k) for k in COUNTABLE_KINDS)
        )
    return tuple(k for k in COUNTABLE_KINDS if k in kinds)


def _choose(
    name: str, sheet: pd.DataFrame, by_name: bool, kinds: tuple[str, ...]
) -> tuple[SheetRead, int | None]:
    """What kind of sheet this is, by its name, then its title rows, then its columns; and its header row."""
    header = _header_row(sheet)
    kind = (
        (kind_from_text(name, is_name=True) if by_name else None)
        or kind_from_text(_text_above(sheet, header), is_name=False)
        or (_kind_by_content(sheet, header) if header is not None else None)
    )
    read = SheetRead(name, kind, header_row=None if header is None else header + 1)
    if kind is None:
        read.skipped = (
            "neither its name, its title rows nor its columns say which kind of sheet it is"
            if header is not None
            else "no header row naming the organisation in its first "
            f"{HEADER_SEARCH_ROWS} rows, and neither its name nor its title says what it holds"
        )
    elif kind == REFERENCE:
        read.skipped = "a reference table, not a list of shares"
    elif header is None:
        read.skipped = f"no header row naming the organisation in its first {HEADER_SEARCH_ROWS} rows"
    elif kind not in kinds:
        read.skipped = f"not counted unless asked for (kind '{kind}')"
    return read, header


def _first_row(sheet: pd.DataFrame) -> str:
    """The first non-blank row, as the headers a person would see; for error messages."""
    for _, row in sheet.head(HEADER_SEARCH_ROWS).iterrows():
        cells = [str(c).strip() for c in row if str(c).strip()]
        if cells:
            return ", ".join(repr(c) for c in cells[:8]) + (", ..." if len(cells) > 8 else "")
    return "no text"


def _cannot_tell(file_name: str, sheets: dict[str, pd.DataFrame]) -> DataFileError:
    found = "; ".join(f"'{name}' (first row {_first_row(sheet)})" for name, sheet in sheets.items())
    organisation = ", ".join(
        repr(s)
        for s in (
            "Organisation",
            "Requestor",
            "Requesting organisation",
            "Recipient organisation",
            "Data recipient",
            "Applicant",
            "Third party",
        )
    )
    return DataFileError(
        f"{file_name}: cannot tell what kind of register this is. Looked for a sheet whose name or title says "
        f"{KIND_WORDS}, or a header row in its first {HEADER_SEARCH_ROWS} rows naming the organisation "
        f"({organisation}, ...) beside a status column or a date of release, extract or approval. Found: {found}"
    )


def _deduplicate(frame: pd.DataFrame, sheet_order: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """One row per share: rows sharing a reference, or (with no reference) the same organisation, purpose
    and date on another sheet, are kept once, from the release sheet if there is one."""
    order = frame.assign(
        _kind=frame["sheet_kind"].map(COUNTABLE_KINDS.index),
        _sheet=frame["sheet"].map(sheet_order.index),
        _row=range(len(frame)),
    )
    order = order.sort_values(["_kind", "_sheet", "_row"], kind="stable")
    referenced = order["reference"] != ""
    by_reference = referenced & order["reference"].duplicated()
    content = ["_organisation", "_purpose", "date"]
    keyed = order.assign(
        _organisation=order["organisation"].str.casefold(), _purpose=order["purpose"].str.casefold()
    )
    unreferenced = keyed[~referenced & keyed["date"].notna()]
    first_sheet = unreferenced.groupby(content, dropna=False)["sheet"].transform("first")
    by_content = pd.Series(False, index=order.index)
    by_content[unreferenced.index] = unreferenced.duplicated(content) & (unreferenced["sheet"] != first_sheet)
    kept_sheet = order.groupby("reference")["sheet"].transform("first").where(referenced)
    kept_sheet[unreferenced.index] = first_sheet
    dropped = []
    for mask, why in ((by_reference, "its reference"), (by_content, "its organisation, purpose and date")):
        pairs = order[mask].assign(_kept=kept_sheet[mask]).groupby(["sheet", "_kept"]).size()
        for (sheet, kept), rows in pairs.items():
            dropped.append(
                f"{rows} in '{sheet}': the same share as a row kept from '{kept}' (matched by {why})"
            )
    keep = ~(by_reference | by_content)
    return order[keep].sort_values(["_sheet", "_row"])[COLUMNS].reset_index(drop=True), dropped


def load_register(path: str | Path, kinds=DEFAULT_KINDS) -> pd.DataFrame:
    """A register file as one row per share (columns ``COLUMNS``), from the sheets of the ``kinds`` asked
    (default: completed or approved releases). Every outcome is kept; :func:`register_charts` counts the
    released ones. ``attrs['read']`` is a :class:`RegisterRead`; ``attrs['source']`` names the file."""
    path = Path(path)
    kinds = _check_kinds(kinds)
    sheets = _sheets(path)
    by_name = path.suffix.lower() != ".csv"  # a CSV's only "sheet" name is the file's
    reads, frames, blank_rows = [], [], []
    for name, sheet in sheets.items():
        read, header = _choose(name, sheet, by_name, kinds)
        reads.append(read)
        if not read.skipped:
            frame, blank = _tidy(sheet, header, name, read.kind, read)
            frames.append(frame)
            blank_rows.append((name, blank))
    if not any(r.kind and r.kind != REFERENCE and r.header_row for r in reads):
        raise _cannot_tell(path.name, sheets)
    if not frames:
        present = [k for k in COUNTABLE_KINDS if any(r.kind == k and r.header_row for r in reads)]
        raise DataFileError(
            f"{path.name}: no sheet of the kinds asked ({', '.join(kinds)}) has a header row naming "
            f"the organisation; it has sheets of kind {', '.join(present)}: ask for them with "
            f"kinds={present!r}"
        )
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        raise DataFileError(f"{path.name}: the sheets read have a header but no rows naming an organisation")
    frame, duplicates = _deduplicate(frame, list(sheets))
    dropped = [f"{n} in '{name}': no organisation named (total or note rows)" for name, n in blank_rows if n]
    read = RegisterRead(
        path.name,
        kinds,
        reads,
        dropped=dropped + duplicates,
        notes=_notes(reads, sheets),
        outcomes={o: int((frame["outcome"] == o).sum()) for o in OUTCOMES},
    )
    frame.attrs["read"] = read
    frame.attrs["source"] = (
        f"Department for Education, NPD third-party register (DfE external data shares), the "
        f"copy supplied as {path.name}, sheets "
        + ", ".join(f"'{r.name}'" for r in read.read)
        + f" (not checked by this pack), {OGL}"
    )
    return frame


def _notes(reads: list[SheetRead], sheets: dict[str, pd.DataFrame]) -> list[str]:
    """What a reader must know to read the counts: dates that also mean rejection, shares of any DfE data."""
    notes = []
    for read in reads:
        if read.skipped:
            continue
        if "application rejected" in read.date_meaning:
            notes.append(f"'{read.name}': {COMBINED_DATE_NOTE}.")
        described = f"{read.name} {_text_above(sheets[read.name], read.header_row - 1)}".lower()
        if re.search(r"\bdsap\b|\bdata sharing approval", described) or "classification" in read.columns:
            notes.append(
                f"'{read.name}': shares approved by the Data Sharing Approval Panel (DSAP, from May 2018) "
                "cover any DfE data, not only the National Pupil Database."
            )
    for table in (r for r in reads if r.kind == REFERENCE):
        described = "classifications" if "classification" in words(table.name) else "tiers"
        notes.append(
            f"'{table.name}' describes the {described} of data: read it with the counts by {described[:-1]}."
        )
    return notes


# ---- charts ----------------------------------------------------------------------------------------


def _count_chart(
    counts: pd.Series, title: str, axis_label: str, alt: str, source: str, horizontal: bool
) -> Chart:
    fig, (ax,) = _figure(
        title, height=max(FIGSIZE[1], 1.4 + 0.25 * len(counts)) if horizontal else FIGSIZE[1]
    )
    positions = range(len(counts))
    if horizontal:
        bars = ax.barh(positions, counts.values, height=0.65, color=OKABE_ITO["blue"])
        ax.set_yticks(positions, [str(i) for i in counts.index], fontsize=TICK_PT)
        ax.invert_yaxis()
        ax.set_xlabel("Releases (count)", fontsize=LABEL_PT)
        ax.set_ylabel(axis_label, fontsize=LABEL_PT)
        _value_grid(ax, "x")
    else:
        bars = ax.bar(positions, counts.values, width=0.7, color=OKABE_ITO["blue"])
        ax.set_xticks(
            positions,
            [str(i) for i in counts.index],
            fontsize=TICK_PT,
            rotation=90 if len(counts) > 12 else 0,
        )
        ax.set_xlabel(axis_label, fontsize=LABEL_PT)
        ax.set_ylabel("Releases (count)", fontsize=LABEL_PT)
        _value_grid(ax, "y")
    ax.bar_label(bars, labels=[_number(v) for v in counts.values], padding=2, fontsize=TICK_PT)
    ax.margins(**({"x": 0.15} if horizontal else {"y": 0.15}))
    table = counts.rename("releases").rename_axis(axis_label).reset_index()
    return Chart(fig, title, alt, source, table)


def _listing(counts: pd.Series) -> str:
    return "; ".join(f"{k} {_number(v)}" for k, v in counts.items())


def _by_field(releases: pd.DataFrame, column: str, noun: str, source: str, ordered: bool) -> Chart | None:
    """Releases by one field, from the sheets that have a column for it; None when no sheet has one."""
    having = releases[releases[column].notna()]
    if having.empty:
        return None
    counts = having[column].value_counts()
    counts = counts.sort_index() if ordered else counts
    sheets = ", ".join(f"'{s}'" for s in having["sheet"].unique())
    left_out = len(releases) - len(having)
    alt = (
        f"Bar chart of {_number(len(having))} releases in the supplied register, by {noun}, from sheet(s) "
        f"{sheets}: {_listing(counts)}."
        + (f" Not shown: {left_out} from sheets with no {noun} column." if left_out else "")
        + " Cells are shown as written."
    )
    return _count_chart(
        counts,
        f"Releases in the supplied register by {noun}",
        noun.capitalize(),
        alt,
        source,
        horizontal=True,
    )


def register_charts(frame: pd.DataFrame) -> list[Chart]:
    """Releases (rows whose outcome is 'released') by year, then by sector, tier and classification where
    the sheets read have those columns: a chart is never drawn from a column the file does not have."""
    source = frame.attrs.get(
        "source",
        f"Department for Education, NPD third-party register, copy supplied "
        f"(not checked by this pack), {OGL}",
    )
    releases = frame[frame["outcome"] == "released"]
    if releases.empty:
        return []
    not_counted = frame.loc[frame["outcome"] != "released", "outcome"].value_counts()
    undated = int(releases["year"].isna().sum())
    by_year = releases["year"].dropna().astype(int).value_counts().sort_index()
    if len(by_year):  # years with no release are shown as 0, not skipped
        by_year = by_year.reindex(range(by_year.index.min(), by_year.index.max() + 1), fill_value=0)
    first, last = (by_year.index.min(), by_year.index.max()) if len(by_year) else (None, None)
    years = "no readable dates" if first is None else str(first) if first == last else f"{first} to {last}"
    meanings = releases.groupby("date_meaning", sort=False)["sheet"].unique()
    if len(meanings) == 1:
        axis = f"Year of the date: {meanings.index[0]} (year)"
        said = f"by year of the date, which records: {meanings.index[0]}"
    else:
        axis = "Year of the date: its meaning differs by sheet (year)"
        said = "by year of the date, which records " + "; ".join(
            f"{m} in {', '.join(repr(str(s)) for s in sheets)}" for m, sheets in meanings.items()
        )
    kinds = "; ".join(KIND_LABELS[k] for k in releases["sheet_kind"].unique())
    alt = (
        f"Column chart of {_number(len(releases))} releases counted from the supplied register ({kinds}), "
        f"{said}: {_listing(by_year)}."
        + (f" Not shown: {undated} with no readable date." if undated else "")
        + (f" Not counted: {_listing(not_counted)}." if len(not_counted) else "")
    )
    charts = [
        _count_chart(
            by_year,
            f"Releases in the supplied register by year, {years}",
            axis,
            alt,
            source,
            horizontal=False,
        )
    ]
    for column, noun, ordered in (
        ("sector", "sector", False),
        ("tier", "tier of data", True),
        ("classification", "classification of data", False),
    ):
        chart = _by_field(releases, column, noun, source, ordered)
        if chart is not None:
            charts.append(chart)
    return charts
