"""Read a copy of DfE's NPD third-party request register that a user supplies, and chart it.

The pack holds no copy of the register (none could be found), so this serves people who have one.
DfE published it as CSV, XLSX and later ODS and renamed its columns between editions
("Organisation name", "Requestor organisation", "Applicant organisation name", ...), so headers
are matched loosely and every edition comes out in one shape: organisation, purpose, tier, date,
year, sector. The file is the user's, not the pack's evidence: its charts cite "the copy supplied".
"""

import csv
import importlib.util
import io
import re
from pathlib import Path

import pandas as pd

from npd_briefing.evidence.charts import FIGSIZE, LABEL_PT, OKABE_ITO, TICK_PT, Chart, _figure, _number, _value_grid
from npd_briefing.exceptions import DataFileError
from npd_briefing.data.sources import OGL

COLUMNS = ["organisation", "purpose", "tier", "date", "year", "sector"]
REGISTER_TITLE = "National pupil database: third-party requests"
# Header synonyms as people read them, compared with case, spaces and punctuation removed. One
# ending in "..." also matches headers that start with it, so "Date first Extract sent / Date
# permission for re-use granted / ..." counts as the date. Exact matches are taken first, then the
# longest prefix, so "Organisation type" is the sector even though it starts like "Organisation".
SYNONYMS = {
    "organisation": ["Organisation", "Organization", "Organisation name...", "Organization name...", "Requestor",
                     "Requester", "Requestor organisation...", "Requester organisation...", "Applicant",
                     "Applicant organisation...", "Name of organisation..."],
    "purpose": ["Purpose...", "Project", "Project title...", "Project name...", "Project description",
                "Title of project"],
    "tier": ["Tier...", "Data level...", "Level of data...", "Data tier", "Level"],
    "date": ["Date", "Date of release...", "Release date...", "Date first extract sent...", "Date approved...",
             "Approval date", "Date of approval"],
    "sector": ["Sector...", "Requestor type...", "Requester type...", "Organisation type...", "Organization type...",
               "Type of organisation...", "Applicant type"],
}
ENGINES = {".csv": None, ".xlsx": "openpyxl", ".xlsm": "openpyxl", ".ods": "odf"}
PACKAGES = {"openpyxl": "openpyxl", "odf": "odfpy"}
HEADER_SEARCH_ROWS = 15  # editions put a title and notes above the header row
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
PLAUSIBLE_YEARS = (1990, 2100)


def _key(header: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(header).lower())


def match_headers(headers: list[object]) -> dict[str, int]:
    """The column position of each field found among ``headers``: exact synonyms first, then the
    longest matching prefix."""
    keys = [_key(h) for h in headers]
    exact = [(field, i) for field, synonyms in SYNONYMS.items() for i, key in enumerate(keys)
             if key and key in {_key(s) for s in synonyms}]
    prefixed = sorted(((len(_key(s)), field, i) for field, synonyms in SYNONYMS.items() for s in synonyms
                       if s.endswith("...") for i, key in enumerate(keys) if key.startswith(_key(s))), reverse=True)
    found: dict[str, int] = {}
    for field, i in exact + [(field, i) for _, field, i in prefixed]:
        if field not in found and i not in found.values():
            found[field] = i
    return found


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if b"\x00" in data:
        raise DataFileError(f"{path}: not a readable CSV file: it holds binary data (a spreadsheet saved "
                            f"with a .csv name?)")
    # DfE's older CSVs are Windows-1252, newer ones UTF-8 with a byte-order mark.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DataFileError(f"{path}: not a readable CSV file ({exc})") from None
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet as text cells, no header row chosen yet."""
    if not path.is_file():
        raise DataFileError(f"{path}: no such register file")
    suffix = path.suffix.lower()
    if suffix not in ENGINES:
        raise DataFileError(f"{path}: cannot read '{suffix or 'no extension'}' files; a register must be "
                            f"one of {', '.join(ENGINES)}")
    engine = ENGINES[suffix]
    if engine is None:
        return {path.name: _read_csv(path)}
    if importlib.util.find_spec(engine) is None:
        raise DataFileError(f"{path}: reading {suffix} files needs the Python package '{PACKAGES[engine]}', "
                            f"which is not installed; install it or save the register as CSV")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine=engine)
    except Exception as exc:  # each engine raises its own types for a damaged file
        raise DataFileError(f"{path}: not a readable {suffix} file ({type(exc).__name__})") from None
    return {name: sheet.fillna("") for name, sheet in sheets.items()}


def _header_row(sheet: pd.DataFrame) -> int | None:
    for i in range(min(HEADER_SEARCH_ROWS, len(sheet))):
        if "organisation" in match_headers(list(sheet.iloc[i])):
            return i
    return None


def _first_row(sheet: pd.DataFrame) -> str:
    """The first non-blank row, as the headers a person would see; for error messages."""
    for _, row in sheet.head(HEADER_SEARCH_ROWS).iterrows():
        cells = [str(c).strip() for c in row if str(c).strip()]
        if cells:
            return ", ".join(repr(c) for c in cells)
    return "(no text)"


def _dates(text: pd.Series) -> pd.Series:
    """ISO dates as written, others day first (British), Excel serial numbers from their epoch."""
    text = text.str.strip()
    iso = pd.to_datetime(text.where(text.str.match(r"^\d{4}-\d{2}-\d{2}")), format="ISO8601", errors="coerce")
    serial = pd.to_numeric(text.where(text.str.fullmatch(r"\d{5}(\.\d+)?")), errors="coerce")
    british = pd.to_datetime(text.where(iso.isna() & serial.isna() & (text != "")), format="mixed",
                             dayfirst=True, errors="coerce")
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    dates = iso.fillna(from_serial).fillna(british).dt.normalize()
    return dates.where(dates.dt.year.between(*PLAUSIBLE_YEARS))  # a typo such as '27.2.207' is no date


def _tier(text: pd.Series) -> pd.Series:
    """'Tier 1', '1', 'Tier 1 - identifiable...' -> 'Tier 1'; anything else kept; blank -> 'not stated'."""
    number = text.str.extract(r"^\s*(?:tier\s*)?(\d)\b", flags=re.IGNORECASE)[0]
    return ("Tier " + number).fillna(text.str.strip().replace("", "not stated"))


def _tidy(sheet: pd.DataFrame, header: int) -> pd.DataFrame:
    """The rows under ``header`` in the pack's shape; a field the edition lacks is blank."""
    columns = match_headers(list(sheet.iloc[header]))
    body = sheet.iloc[header + 1:]
    blank = pd.Series("", index=body.index)
    cell = {field: body.iloc[:, columns[field]].astype(str).str.strip() if field in columns else blank
            for field in SYNONYMS}
    frame = pd.DataFrame({
        "organisation": cell["organisation"],
        "purpose": cell["purpose"].replace("", "not stated"),
        "tier": _tier(cell["tier"]),
        "date": _dates(cell["date"]),
        "sector": cell["sector"].replace("", "not stated"),
    })
    year_in_text = pd.to_numeric(cell["date"].str.extract(r"\b((?:19|20)\d{2})\b")[0], errors="coerce")
    year_in_text = year_in_text.where(year_in_text.between(*PLAUSIBLE_YEARS))
    frame["year"] = frame["date"].dt.year.fillna(year_in_text).astype("Int64")
    return frame.loc[frame["organisation"] != "", COLUMNS]


def load_register(path: str | Path) -> pd.DataFrame:
    """A register file as one row per request, columns ``COLUMNS``; every sheet with an organisation
    column is read. ``attrs['source']`` names the file, for the charts' source line."""
    path = Path(path)
    sheets = _sheets(path)
    frames, seen = [], []
    for name, sheet in sheets.items():
        header = _header_row(sheet)
        if header is None:
            seen.append(f"{name}: {_first_row(sheet)}")
        else:
            frames.append(_tidy(sheet, header))
    if not frames:
        raise DataFileError(f"{path}: no column naming the requesting organisation in the first "
                            f"{HEADER_SEARCH_ROWS} rows. Found {'; '.join(seen)}. Accepted headers: "
                            f"{', '.join(SYNONYMS['organisation'])} (case, spaces and punctuation ignored; "
                            f"'...' means 'starting with')")
    frame = pd.concat(frames, ignore_index=True)
    if frame.empty:
        raise DataFileError(f"{path}: has an organisation column but no rows naming an organisation")
    frame.attrs["source"] = (f"Department for Education, '{REGISTER_TITLE}' register, the copy supplied as "
                             f"{path.name} (not checked by this pack), {OGL}")
    return frame


def _count_chart(counts: pd.Series, title: str, axis_label: str, alt_intro: str, source: str,
                 horizontal: bool, note: str = "") -> Chart:
    fig, (ax,) = _figure(title, height=max(FIGSIZE[1], 1.4 + 0.25 * len(counts)) if horizontal else FIGSIZE[1])
    positions = range(len(counts))
    if horizontal:
        bars = ax.barh(positions, counts.values, height=0.65, color=OKABE_ITO["blue"])
        ax.set_yticks(positions, [str(i) for i in counts.index], fontsize=TICK_PT)
        ax.invert_yaxis()
        ax.set_xlabel("Requests (count)", fontsize=LABEL_PT)
        ax.set_ylabel(axis_label, fontsize=LABEL_PT)
        _value_grid(ax, "x")
    else:
        bars = ax.bar(positions, counts.values, width=0.7, color=OKABE_ITO["blue"])
        ax.set_xticks(positions, [str(i) for i in counts.index], fontsize=TICK_PT,
                      rotation=90 if len(counts) > 12 else 0)
        ax.set_xlabel(axis_label, fontsize=LABEL_PT)
        ax.set_ylabel("Requests (count)", fontsize=LABEL_PT)
        _value_grid(ax, "y")
    ax.bar_label(bars, labels=[_number(v) for v in counts.values], padding=2, fontsize=TICK_PT)
    ax.margins(**({"x": 0.15} if horizontal else {"y": 0.15}))
    alt = (f"{alt_intro}: " + "; ".join(f"{k} {_number(v)}" for k, v in counts.items()) + "." + note)
    table = counts.rename("requests").rename_axis(axis_label).reset_index()
    return Chart(fig, title, alt, source, table)


def register_charts(frame: pd.DataFrame) -> list[Chart]:
    """Requests by year, by sector and by tier, from a frame that :func:`load_register` returned."""
    source = frame.attrs.get("source", f"Department for Education, '{REGISTER_TITLE}' register, copy supplied "
                                       f"(not checked by this pack), {OGL}")
    total = len(frame)
    undated = int(frame["year"].isna().sum())
    by_year = frame["year"].dropna().astype(int).value_counts().sort_index()
    if len(by_year):  # years with no request are shown as 0, not skipped
        by_year = by_year.reindex(range(by_year.index.min(), by_year.index.max() + 1), fill_value=0)
    by_sector = frame["sector"].value_counts()
    by_tier = frame["tier"].value_counts().sort_index()
    years = f"{by_year.index.min()} to {by_year.index.max()}" if len(by_year) else "no readable dates"
    return [
        _count_chart(by_year, f"Requests in the NPD third-party register by year, {years}", "Year of the register date",
                     f"Column chart of {_number(total)} requests in the supplied register, by year", source,
                     horizontal=False,
                     note=f" Not shown: {undated} with no readable date." if undated else ""),
        _count_chart(by_sector, "Requests in the NPD third-party register by sector of the requester",
                     "Sector",
                     f"Bar chart of {_number(total)} requests in the supplied register, by sector", source,
                     horizontal=True),
        _count_chart(by_tier, "Requests in the NPD third-party register by tier of data", "Tier",
                     f"Bar chart of {_number(total)} requests in the supplied register, by tier of data", source,
                     horizontal=True),
    ]
