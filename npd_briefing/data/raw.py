"""Read the raw public files (DfE EES CSVs, lookups) safely: by column name, never by position.

DfE files start with a BOM, hold codes with leading zeros and use symbols for missing values, so
everything is read as text first and converted only where the curated schema says so. Later
editions reorder columns, add some (``pcon_code``, ``pcon_name``) and rename a few (``gender`` became
``sex``); a loader names the columns it needs and the later names it accepts, and anything else
stops the build with the missing columns named.
"""

from pathlib import Path

import pandas as pd

from npd_briefing.exceptions import DataFileError

# DfE symbols for "no figure": not applicable, suppressed, confidential, not available, missing.
MISSING_SYMBOLS = {"x", "z", "c", ":", "-", "..", "u", "low", ""}
GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")  # newer files add constituency rows
CENSUS_ALIASES = {"sex": "gender"}  # the AP census file's gender column is sex from the 2023/24 release
CENSUS_BREAKDOWNS = ("gender", "age", "ethnicity_minor", "fsm")
# The school census's pupils by type of school, EES data set "School characteristics by age, sex and
# attendance pattern" (its data catalogue page lists the columns), or its older edition
# spc_school_characteristics_.csv (headcount_of_pupils; DfE's SEND and AP dashboard reads it with each
# breakdown at Total). Each breakdown the file has is kept at Total, so each pupil counts once.
SCHOOL_BREAKDOWNS = (
    "sex_of_school_description",
    "type_of_establishment",
    "denomination",
    "admissions_policy",
    "urban_rural",
    "academy_flag",
    "attendance_pattern",
    "sex",
)
SCHOOL_ALIASES = {"headcount_of_pupils": "total_pupil_count"}
STATE_FUNDED_PHASES = (
    "State-funded nursery",
    "State-funded primary",
    "State-funded secondary",
    "State-funded special school",
    "State-funded AP school",
)
# Where and when an EES row is: the columns every DfE file read here places its figures by.
PLACE_COLUMNS = ["time_period", "geographic_level", "region_name", "old_la_code", "new_la_code", "la_name"]
PHASE_COLUMNS = [*PLACE_COLUMNS, "phase_type_grouping", "total_pupil_count"]


def read_text_csv(path: Path, required: list[str], aliases: dict[str, str] | None = None) -> pd.DataFrame:
    """Read a CSV as strings, rename known aliases, and check the required columns are present.

    Header names are matched without case, surrounding spaces or a byte-order mark, in any order;
    ``aliases`` maps a later edition's name to the one the pack uses (``{"sex": "gender"}``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not a readable UTF-8 CSV ({exc.__class__.__name__})") from None
    frame.columns = [str(c).replace("\ufeff", "").strip().lower() for c in frame.columns]
    if aliases:
        frame = frame.rename(
            columns={
                old: new for old, new in aliases.items() if old in frame.columns and new not in frame.columns
            }
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns[:20]) + (", ..." if len(frame.columns) > 20 else "")
        raise DataFileError(
            f"{path}: missing column(s) {', '.join(missing)}; this layout is not one the pack knows "
            f"(columns found: {found}). If the publisher renamed a column, add the new name to the "
            f"loader's aliases in npd_briefing/data/curate.py"
        )
    return frame


def require_rows(frame: pd.DataFrame, path: Path, what: str) -> pd.DataFrame:
    """Stop when a filter finds nothing: an edition that renamed a value would otherwise give an
    empty table without a word."""
    if frame.empty:
        raise DataFileError(f"{path}: no rows with {what}; this edition's values are not ones the pack knows")
    return frame


def to_count(values: pd.Series) -> pd.Series:
    """Counts as nullable integers; DfE symbols and blanks become missing (blank means no data)."""
    cleaned = values.astype(str).str.strip().str.replace(",", "", regex=False)
    cleaned = cleaned.mask(cleaned.str.lower().isin(MISSING_SYMBOLS))
    numbers = pd.to_numeric(cleaned, errors="coerce")
    return numbers.round().astype("Int64")


def known_levels(frame: pd.DataFrame) -> pd.DataFrame:
    """England, region and LA rows only (later files also carry constituency and LAD rows)."""
    return frame[frame["geographic_level"].str.strip().isin(GEOGRAPHIC_LEVELS)]


def all_total_rows(census: pd.DataFrame) -> pd.DataFrame:
    """The AP census rows that count each pupil once: every breakdown the file has set to Total."""
    for column in CENSUS_BREAKDOWNS:
        if column in census.columns:
            census = census[census[column].str.strip() == "Total"]
    return census


def _normalise(columns) -> list[str]:
    return [str(c).replace("\ufeff", "").strip().lower() for c in columns]


def read_state_funded_phases(path: Path, chunk_rows: int = 200_000) -> pd.DataFrame:
    """Pupils in each state-funded phase by England, region and LA, from a school characteristics file.

    The national file has millions of rows (constituencies, every breakdown), so it is read in chunks
    and only the all-Total rows of the five state-funded phases are kept. A breakdown the pack does not
    know would count pupils twice, so more than one row for a place, year and phase stops the build.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: file not found")
    try:
        header = _normalise(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not a readable UTF-8 CSV ({exc.__class__.__name__})") from None
    names = [SCHOOL_ALIASES.get(c, c) if SCHOOL_ALIASES.get(c) not in header else c for c in header]
    missing = [c for c in PHASE_COLUMNS if c not in names]
    if missing:
        raise DataFileError(
            f"{path}: missing column(s) {', '.join(missing)}; this layout is not one the pack knows "
            f"(columns found: {', '.join(header[:20])}{', ...' if len(header) > 20 else ''})"
        )
    breakdowns = [c for c in SCHOOL_BREAKDOWNS if c in names]
    wanted = PHASE_COLUMNS + breakdowns
    keep = []
    chunks = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        header=0,
        names=names,
        usecols=wanted,
        chunksize=chunk_rows,
    )
    for chunk in chunks:
        chunk = known_levels(chunk)
        chunk = chunk[chunk["phase_type_grouping"].str.strip().isin(STATE_FUNDED_PHASES)]
        for column in breakdowns:
            chunk = chunk[chunk[column].str.strip() == "Total"]
        keep.append(chunk[PHASE_COLUMNS])
    frame = require_rows(
        pd.concat(keep, ignore_index=True),
        path,
        f"phase_type_grouping {STATE_FUNDED_PHASES[1]} and every breakdown at Total",
    )
    place = ["time_period", "geographic_level", "region_name", "old_la_code", "phase_type_grouping"]
    if frame.duplicated(place).any():
        raise DataFileError(
            f"{path}: more than one all-Total row for a place, year and phase; the file has a breakdown "
            f"the pack does not know (columns found: {', '.join(header)})"
        )
    return frame
