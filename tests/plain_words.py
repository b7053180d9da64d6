"""What a reader of the briefings, the annex and the site must never see, listed once for every test.

Curation terms record how a row was checked: they belong in the data package and are said in plain
words on the methodology page, never printed where an MP's office reads. The campaign's claims are
printed only in a sentence that says whose they are.
"""

import re

from npd_briefing.data.citations import STATUSES
from npd_briefing.data.sources import NOT_RECORDED, PER_ROW, TRANSCRIPTION

CURATION_TERMS = (
    *STATUSES,  # the data package's citation_status values: "address kept", "title only", ...
    TRANSCRIPTION,  # "short factual transcription with attribution", a licence note
    PER_ROW,  # "each row gives its own source date"
    f"publication date {NOT_RECORDED}",
    f"retrieval date {NOT_RECORDED}",
    "official (mirror copy)",
    "date not in stored copy",
    "all-Total rows",
    "year inferred",
    "transcribed",
    "secondary citation",
    "campaign source",
    "Quote:",
    "(Mar 2012 - Dec 2016) (March 2012",
)
# Claims the campaign makes that the pack's data do not establish.
CAMPAIGN_CLAIMS = (
    "young offender",
    "kept for ever",
    "kept indefinitely",
    "forever",
    "23 m ",
    "over 23 million",
    "named national",
    "not asked for consent",
    "to journalists",
    "identifying, pupil-level data are given",
)
ATTRIBUTIONS = ("defenddigitalme", "the campaign", "campaign's", "The campaign")


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;:])\s+", text)


def curation_terms_in(text: str) -> list[str]:
    return [term for term in CURATION_TERMS if term.lower() in text.lower()]


def unattributed_claims(text: str) -> list[tuple[str, str]]:
    """(claim, sentence) for each campaign claim in a sentence that does not say whose it is."""
    return [
        (claim, sentence)
        for sentence in sentences(text)
        for claim in CAMPAIGN_CLAIMS
        if claim in sentence and not any(who in sentence for who in ATTRIBUTIONS)
    ]
