"""How each hand-transcribed row is cited: how direct its source is, and what it keeps of that source.

Every table typed in from public pages (dfe/npd/*_transcribed.csv) gets the same columns:
``citation`` (official, official (mirror copy), campaign, news, FOI requester, research, secondary),
``secondary``, ``disputed`` and ``citation_status`` (:data:`STATUSES`), all derived here from the
row's own fields. Where those fields cannot tell, :data:`STATUS_CORRECTIONS` says so, row by row.
"""

import re

import pandas as pd

ADDRESS_AND_QUOTE = "address and quoted words kept"
ADDRESS = "address kept"
TITLE_ONLY = "title only"
NOT_FOUND = "not found in any cited page"
STATUSES = (ADDRESS_AND_QUOTE, ADDRESS, TITLE_ONLY, NOT_FOUND)

OFFICIAL_PUBLISHER = re.compile(
    r"^(Department for Education|UK Parliament|Information Commissioner|Office for Statistics Regulation)\b"
)
DISPUTED_NOTE = re.compile(r"disputed|superseded|conflict|campaign claim|not confirmed", re.IGNORECASE)
# A passage in single quotes: opened after a space, a bracket or the start, closed before punctuation or
# a space, so the apostrophes of "Schools Week's" or "pupil's" neither open nor close one.
QUOTED = re.compile(r"(?:^|(?<=[\s(]))'(.+?)'(?=[\s.,;:)]|$)")
QUOTE_LABEL = "Quote:"  # how the transcriber marks the source's own words supporting the row
INFERRED = re.compile(r"\b(period|figure) is inferred\b", re.IGNORECASE)

# Rows whose own fields give the wrong status, corrected by hand (table, row id) -> (status, why).
STATUS_CORRECTIONS = {
    ("ap_reason_categories", "Pregnancy"): (
        ADDRESS,
        "the quoted words are a PQ's question text and Schools Week's, not the cited campaign page's",
    ),
    ("ap_reason_categories", "Setting named on the pupil's EHC plan"): (
        ADDRESS_AND_QUOTE,
        "the cited page's words spell out EHC: 'education, health and care plan'",
    ),
}

# A figure the transcription gives a period no cited page supports: the period is dropped (blank).
UNSUPPORTED_PERIODS = {
    ("npd_facts", "F13"): "Period dropped: the transcription gave '2012 to 2016', which is in no cited page.",
}


def classify_citation(publisher: str, source_type: str, note: str) -> str:
    """How directly a row's figure comes from the body that holds the data.

    official: DfE or Parliament itself; official (mirror copy): their words via a mirror site;
    anything else is secondary (research, news, campaign or FOI requester) and is shown as such.
    """
    text = f"{publisher} {source_type}".lower()
    if OFFICIAL_PUBLISHER.match(publisher or "") and "secondary citation" not in (note or "").lower():
        return "official (mirror copy)" if "mirror" in text else "official"
    for word, label in (
        ("whatdotheyknow", "FOI requester"),
        ("defenddigitalme", "campaign"),
        ("schools week", "news"),
        ("tes", "news"),
        ("computer weekly", "news"),
        ("journal", "research"),
        ("ucl", "research"),
        ("echild", "research"),
    ):
        if word in text:
            return label
    return "secondary"


def _figure_forms(value: str) -> set[str]:
    """How a figure may be written in a quotation: 15833, 15,833, 23 million."""
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        return set()
    if number != int(number):
        return {f"{number:g}"}
    whole = int(number)
    forms = {str(whole), f"{whole:,}"}
    if whole >= 1_000_000 and whole % 100_000 == 0:
        forms.add(f"{whole / 1_000_000:g} million")
    return forms


def _quotes_the_row(note: str, value: str, subject: str) -> bool:
    """Whether the note quotes the source's words for this row: the transcriber's ``Quote:`` label, or a
    quoted passage holding the row's figure (or, for a row with no figure, every word of its subject)."""
    if QUOTE_LABEL in note:
        return True
    passages = QUOTED.findall(note)
    forms = _figure_forms(value)
    if forms:
        return any(
            re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d,])", passage)
            for passage in passages
            for form in forms
        )
    words = set(re.findall(r"[a-z]+", subject.lower())) - {"the", "of", "and", "or", "on", "s"}
    return bool(words) and any(words <= set(re.findall(r"[a-z]+", passage.lower())) for passage in passages)


def citation_status(
    table: str, row_id: str, source_url: str, note: str, value: str = "", subject: str = ""
) -> str:
    """One of :data:`STATUSES`, from the row's own fields (see ``tables.CITATION_STATUS_RULE``)."""
    if (table, row_id) in STATUS_CORRECTIONS:
        return STATUS_CORRECTIONS[(table, row_id)][0]
    if INFERRED.search(note):
        return NOT_FOUND
    if not source_url.strip():
        return TITLE_ONLY
    return ADDRESS_AND_QUOTE if _quotes_the_row(note, value, subject) else ADDRESS


def drop_unsupported_periods(
    table: str, frame: pd.DataFrame, id_column: str, period_column: str
) -> pd.DataFrame:
    """Blank each period in :data:`UNSUPPORTED_PERIODS` and say so in the row's note."""
    frame = frame.copy()
    for (name, row_id), why in UNSUPPORTED_PERIODS.items():
        rows = frame[id_column] == row_id
        if name == table and rows.any():
            frame.loc[rows, period_column] = ""
            frame.loc[rows, "note"] = (frame.loc[rows, "note"].str.rstrip() + " " + why).str.strip()
    return frame


def with_citations(
    table: str,
    frame: pd.DataFrame,
    id_column: str,
    publisher_col: str,
    type_col: str | None = None,
    subject_col: str | None = None,
) -> pd.DataFrame:
    """``frame`` with citation, secondary, disputed and citation_status derived from each row."""
    types = frame[type_col] if type_col else pd.Series("", index=frame.index)
    citation = [classify_citation(p, t, n) for p, t, n in zip(frame[publisher_col], types, frame["note"])]
    values = frame["value"] if "value" in frame else pd.Series("", index=frame.index)
    subjects = frame[subject_col] if subject_col else pd.Series("", index=frame.index)
    status = [
        citation_status(table, row_id, url, note, value, subject)
        for row_id, url, note, value, subject in zip(
            frame[id_column], frame["source_url"], frame["note"], values, subjects
        )
    ]
    return frame.assign(
        citation=citation,
        secondary=[not c.startswith("official") for c in citation],
        disputed=frame["note"].str.contains(DISPUTED_NOTE),
        citation_status=status,
    )
