"""What the editions of DfE's NPD third-party register are known to look like, and how to read a cell.

No copy of any edition could be found (see raw/dfe/PROVENANCE.md, "Searched for but NOT
found"), so everything here rests on public pages that describe or quote the files:

- the Sept 2017 gov.uk page for "National pupil database third-party requests" (mirrored on
  daveiw.co.uk): sheets "tier of data", "June 17 to Sept 17" (requests completed in the period),
  "open" (open requests that have received no data up to 31 May 2017) and "live cases April 12 to
  May 17" (requests within terms of agreement up to 31 May 2017);
- the June 2020 and Sept 2023 gov.uk pages for "DfE external data shares" (thegovernmentsays and
  govwire mirrors): one ODS file with the classification of data, shares approved by the Data
  Sharing Approval Panel (DSAP) from May 2018, regular shares under data-sharing agreements, NPD
  requests approved before April 2018 "where data is still held", and Home Office, police and
  court-order shares. The sheet NAMES of this edition are not established, only these descriptions;
- WhatDoTheyKnow threads quoting rows: "Pupil data: licensing agreements ref Third Party register
  as published in Aug 2017" (dates written 28/11/2016, 15/3/2016, 15.06.2016, 5.9.2013, 27.2.207;
  references DR170221.02, DR161117.01) and "Pupil data: Alternative Provision Data Protection Impact
  Assessment" (the April 2018 file's header "Date first Extract sent / Date permission for re-use
  granted/ Date Application Rejected", reference DR170124.04, and "pending" in that column);
  "National Pupil Data: Data MOUs and Data Sharing Arrangements" (DSAP references R0043, DS00628);
- defenddigitalme (2017-04-11 and 2017-10-31) counting from the register: tiers 1 to 4 and
  "unclassified", and outcomes approved/received data, not pursued, rejected and open.

The other header strings (organisation, purpose, tier, classification, sector, status) are not
established for any edition, so headers are matched loosely by the synonyms below.
"""

import re

import pandas as pd

# ---- kinds of sheet ------------------------------------------------------------------------------

# Every kind, in the order tried; only RELEASES is counted unless the caller asks for others.
RELEASES, OPEN, LIVE, HELD, AGREEMENTS, ORDERS, REFERENCE = (
    "releases",
    "open cases",
    "live cases",
    "held",
    "agreements",
    "orders",
    "reference",
)
KIND_LABELS = {
    RELEASES: "completed or approved releases",
    OPEN: "open cases (no data sent yet)",
    LIVE: "live cases (data sent, agreement still running)",
    HELD: "NPD requests approved before April 2018, data still held",
    AGREEMENTS: "regular shares under data-sharing agreements",
    ORDERS: "Home Office, police and court-order shares",
    REFERENCE: "reference table (tiers or classifications)",
}
COUNTABLE_KINDS = [RELEASES, LIVE, HELD, AGREEMENTS, ORDERS, OPEN]  # also the order duplicates are kept in
DEFAULT_KINDS = (RELEASES,)
# The outcome a row has when neither a status column nor its date cell says otherwise.
KIND_OUTCOME = {
    RELEASES: "released",
    LIVE: "released",
    HELD: "released",
    AGREEMENTS: "released",
    ORDERS: "released",
    OPEN: "pending",
}

# Tried against the sheet's name first, then against the title and note rows above its header. The
# order matters: a held or Home Office sheet's description also says "approved" or "data shares".
KIND_PATTERNS = [
    (REFERENCE, r"\btiers? of data\b|\bclassification of data\b|\bunderstanding the data\b"),
    (ORDERS, r"\bhome office\b|\bpolice\b|\bcourt orders?\b|\bcriminal investigation"),
    (HELD, r"\b(before|prior to|pre) april 2018\b|\bstill held\b|\bpre[- ]?2018\b"),
    (
        AGREEMENTS,
        r"\bregular\b|\bdata sharing agreements?\b|\bmemorand|\bmous?\b|\bservice level agreements?\b",
    ),
    (LIVE, r"\blive\b|\bwithin (the )?terms of agreement\b"),
    (OPEN, r"^open\b|\bopen (third[- ]party )?(cases|requests)\b|\breceived no data\b|\bin progress\b"),
    (
        RELEASES,
        r"\bcompleted\b|\bapproved\b|\bdsap\b|\breleases?\b|\breleased\b|\bexternal (third[- ]party )?"
        r"data shares\b",
    ),
]
KIND_WORDS = (
    '"completed", "approved", "DSAP", a period such as "June 17 to Sept 17", "open", "live", '
    '"still held", "before April 2018", "regular", "data sharing agreement", "Home Office", "police", '
    '"court order", "tier of data" or "classification of data"'
)
# A sheet named only by a period ("June 17 to Sept 17") held the requests completed in it (2017 page).
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
PERIOD_NAME = re.compile(rf"^{_MONTH} ?'?\d{{2,4}} ?(to|-|–) ?{_MONTH} ?'?\d{{2,4}}$")


def kind_from_text(text: str, is_name: bool) -> str | None:
    """The kind a sheet's name or title text names, or None."""
    text = " ".join(str(text).lower().replace("_", " ").split())
    if is_name and PERIOD_NAME.match(text):
        return RELEASES
    for kind, pattern in KIND_PATTERNS:
        if re.search(pattern, text):
            return kind
    return None


# ---- headers -------------------------------------------------------------------------------------

# Compared as lower-case words. "X" matches the header X exactly, "X..." a header starting with the
# words X, "...X..." a header containing them; exact matches win, then the longest prefix, then the
# longest containment, so "Organisation type" is the sector although it starts like "Organisation".
SYNONYMS = {
    "organisation": [
        "Organisation",
        "Organization",
        "Organisation name...",
        "Organization name...",
        "Name of organisation...",
        "Requestor",
        "Requester",
        "Requestor organisation...",
        "Requester organisation...",
        "Requesting organisation...",
        "Requesting organization...",
        "Recipient",
        "Recipient organisation...",
        "Recipient organization...",
        "Data recipient...",
        "Name of recipient...",
        "Applicant",
        "Applicant organisation...",
        "Third party",
        "Third party organisation...",
        "Third party name...",
        "Name of third party...",
    ],
    "purpose": [
        "Purpose...",
        "Project",
        "Project title...",
        "Project name...",
        "Project description...",
        "Title of project...",
        "Name of project...",
        "Reason for request...",
    ],
    "tier": [
        "Tier...",
        "Data tier...",
        "Data level...",
        "Level of data...",
        "Level",
        "...tier...",
        "...tiers...",
    ],
    "classification": ["Classification...", "Data classification...", "...classification..."],
    "sector": [
        "Sector...",
        "Requestor type...",
        "Requester type...",
        "Organisation type...",
        "Organization type...",
        "Type of organisation...",
        "Applicant type",
        "Recipient type...",
        "Type of requestor...",
        "Type of requester...",
    ],
    "reference": [
        "Reference",
        "Ref",
        "Ref no",
        "Reference number",
        "Reference no",
        "DfE reference...",
        "DfE ref...",
        "Request reference...",
        "Application reference...",
        "DSAP reference...",
        "Case reference...",
        "Unique reference...",
        "Request ID",
        "Application ID",
        "...reference...",
    ],
    "outcome": [
        "Outcome...",
        "Status...",
        "Decision...",
        "Result",
        "Application status...",
        "Request status...",
        "Current status...",
        "...status...",
        "...outcome...",
    ],
}
# What a date column records, read from its own header; the earlier a meaning, the better it dates a
# release. The April 2018 header names three events in one column, so its meaning names all three.
DATE_EVENTS = [
    ("extract sent", r"\bextract\b|\bsent\b|\breleased?\b|\brelease date\b|\bdate of release\b"),
    ("re-use granted", r"\bre ?use\b"),
    ("approval", r"\bapprov"),
    ("agreement start", r"\bstart"),
    ("application rejected", r"\breject"),
    ("request", r"\brequest|\breceived\b|\bapplication (date|received)\b|\bdate of application\b"),
]
APPROVAL_PANELS = ("dmap", "dsap")


def words(header: object) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", str(header).lower()))


def _rank(synonym: str, header: str) -> tuple[int, int] | None:
    """(mode, length) of ``synonym`` matching the header words, mode 0 exact, 1 prefix, 2 contains."""
    inner = words(synonym)
    if synonym.startswith("...") and synonym.endswith("...") and inner and f" {inner} " in f" {header} ":
        return (2, -len(inner))
    if synonym.endswith("...") and not synonym.startswith("...") and (header + " ").startswith(inner + " "):
        return (1, -len(inner))
    if header == inner:
        return (0, 0)
    return None


def match_headers(headers: list[object]) -> dict[str, int]:
    """The column position of each field found among ``headers`` (the date column: see date_column)."""
    keys = [words(h) for h in headers]
    candidates = sorted(
        (rank, field, i)
        for field, synonyms in SYNONYMS.items()
        for synonym in synonyms
        for i, key in enumerate(keys)
        if key and (rank := _rank(synonym, key)) is not None
    )
    found: dict[str, int] = {}
    for _, field, i in candidates:
        if field not in found and i not in found.values():
            found[field] = i
    date = date_column(headers, set(found.values()))
    if date is not None:
        found["date"] = date
    return found


def _date_events(header: object) -> list[str]:
    text = words(header)
    return [event for event, pattern in DATE_EVENTS if re.search(pattern, text)]


def date_meaning(header: object) -> str:
    """What a date column records, from its header: 'extract sent', 'approval (DSAP)', ... or 'not stated'."""
    events = _date_events(header)
    panels = [panel.upper() for panel in APPROVAL_PANELS if panel in words(header).split()]
    if "approval" in events and panels:
        events[events.index("approval")] = f"approval ({', '.join(panels)})"
    if not events:
        return "not stated"
    return events[0] if len(events) == 1 else ", ".join(events[:-1]) + " or " + events[-1]


def date_column(headers: list[object], taken: set[int]) -> int | None:
    """The date column that best dates a release: extract sent, then re-use, approval, request, unstated."""
    order = [event for event, _ in DATE_EVENTS]
    dated = [
        (order.index(events[0]) if (events := _date_events(h)) else len(order), i)
        for i, h in enumerate(headers)
        if i not in taken and "date" in words(h).split()
    ]
    return min(dated)[1] if dated else None


# ---- cells ---------------------------------------------------------------------------------------

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
PLAUSIBLE_YEARS = (1990, 2100)
# DfE request references (DR170124.04), DSAP application references (DS00628) and the older R0043.
REFERENCE_PATTERN = re.compile(r"\b(DR\d{6}\.\d{1,2}|DS\d{4,6}|R\d{4})\b", re.IGNORECASE)
OUTCOMES = ["released", "pending", "rejected", "not pursued", "unknown"]
# Words in a status or date cell, tried in this order ("not approved" is a rejection, not a release).
OUTCOME_WORDS = [
    ("rejected", r"\breject|\brefus|\bdeclin|\bnot approved\b|\bturned down\b"),
    (
        "not pursued",
        r"\bnot pursued\b|\bwithdrawn?\b|\bnot progressed\b|\bcancell?ed\b|\babandoned\b|\blapsed\b",
    ),
    (
        "pending",
        r"\bpending\b|\bopen\b|\bin progress\b|\bawaiting\b|\bunder review\b|\bon hold\b|\bnot yet\b",
    ),
    (
        "released",
        r"\breleased?\b|\bcompleted?\b|\bsent\b|\bapproved\b|\bgranted\b|\blive\b|\bagreed\b"
        r"|\bsupplied\b",
    ),
]


def outcome_from_text(text: pd.Series) -> pd.Series:
    """The outcome a cell's words state, or NA when they state none."""
    lowered = text.fillna("").astype(str).str.lower()
    outcome = pd.Series(pd.NA, index=text.index, dtype="object")
    for name, pattern in reversed(OUTCOME_WORDS):  # earlier entries win, so they are applied last
        outcome = outcome.mask(lowered.str.contains(pattern, regex=True), name)
    return outcome


def references(text: pd.Series) -> pd.Series:
    """The first reference in each cell, upper-cased ('dr170124.04 ' -> 'DR170124.04'); blank if none."""
    return text.fillna("").astype(str).str.extract(REFERENCE_PATTERN)[0].str.upper().fillna("")


def looks_like_references(column: pd.Series) -> bool:
    filled = column[column.astype(str).str.strip() != ""]
    return len(filled) > 0 and (references(filled) != "").mean() >= 0.5


def dates(text: pd.Series) -> pd.Series:
    """ISO dates as written, others day first (British: 5.9.2013 is 5 September), Excel serial numbers
    from their epoch; a year outside 1990-2100 (the register's '27.2.207') is no date."""
    text = text.fillna("").astype(str).str.strip()
    iso = pd.to_datetime(text.where(text.str.match(r"^\d{4}-\d{2}-\d{2}")), format="ISO8601", errors="coerce")
    serial = pd.to_numeric(text.where(text.str.fullmatch(r"\d{5}(\.\d+)?")), errors="coerce")
    numeric = text.str.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
    british = pd.to_datetime(
        text.where(iso.isna() & serial.isna() & numeric), format="mixed", dayfirst=True, errors="coerce"
    )
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    found = iso.fillna(from_serial).fillna(british).dt.normalize()
    return found.where(found.dt.year.between(*PLAUSIBLE_YEARS))


def tiers(text: pd.Series) -> pd.Series:
    """'Tier 1', '1', 'Tier 2 - identifiable' -> 'Tier N'; a cell naming several tiers ('Tier 1 and Tier 2')
    or none is kept as written, not guessed; blank -> 'not stated'."""
    cells = text.fillna("").astype(str).str.split().str.join(" ")
    numbers = cells.str.findall(r"(?i)(?:^|\btiers?\s*|\band\s*|&\s*|,\s*|/\s*)([1-4])\b")
    single = numbers.map(lambda found: f"Tier {found[0]}" if len(set(found)) == 1 else None)
    return single.fillna(cells.replace("", "not stated"))
