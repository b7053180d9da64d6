"""Citation status of every hand-transcribed row, derived from its own fields, and F13's period."""

import pytest

from npd_briefing.data import datasets, tables
from npd_briefing.data.citations import (
    ADDRESS,
    ADDRESS_AND_QUOTE,
    NOT_FOUND,
    STATUSES,
    TITLE_ONLY,
    citation_status,
)

TRANSCRIBED = {
    "npd_facts": "fact_id",
    "npd_release_counts": "count_id",
    "npd_named_releases": "release_id",
    "ap_reason_categories": "category",
    "ap_reason_counts": "reason",
    "national_ap_figures": "fact_id",
}


def statuses(name: str) -> dict[str, str]:
    table = datasets.load(name)
    return dict(zip(table[TRANSCRIBED[name]], table["citation_status"]))


@pytest.mark.parametrize("name", TRANSCRIBED)
def test_every_transcribed_row_has_a_citation_status_and_the_rule_travels_with_it(name):
    table = datasets.load(name)
    assert set(table["citation_status"]) <= set(STATUSES)
    assert tables.CITATION_STATUS_RULE in datasets.resource(name)["caveats"]


def test_f13_keeps_no_period_that_no_cited_page_gives():
    f13 = datasets.load("npd_facts").set_index("fact_id").loc["F13"]
    assert f13["period_or_as_at"] == "" and f13["value"] == "1700"
    assert f13["note"].endswith(
        "Period dropped: the transcription gave '2012 to 2016', which is in no cited page."
    )
    assert f13["citation_status"] == ADDRESS  # its page, kept by address, gives the figure
    assert (
        "F13's period ('2012 to 2016') is in no cited page, so it is left blank."
        in datasets.resource("npd_facts")["caveats"]
    )


def test_statuses_of_the_rows_the_issue_names():
    counts = statuses("npd_release_counts")
    assert {counts[f"C{n:03}"] for n in range(1, 12)} == {
        TITLE_ONLY
    }  # defenddigitalme's page, cited by title
    assert counts["C021"] == NOT_FOUND  # "The period is inferred from context"
    assert counts["C020"] == ADDRESS_AND_QUOTE and counts["C012"] == ADDRESS
    assert set(statuses("national_ap_figures").values()) == {ADDRESS_AND_QUOTE}
    facts = statuses("npd_facts")
    assert facts["F02"] == ADDRESS_AND_QUOTE
    assert facts["F21"] == ADDRESS  # its quotation is another sentence of the answer, not the 350
    categories = statuses("ap_reason_categories")
    assert categories["Young offender"] == ADDRESS_AND_QUOTE  # the campaign's words, on the cited page
    assert categories["Pregnancy"] == ADDRESS  # corrected by hand: its quotations are other pages' words
    assert categories["Setting named on the pupil's EHC plan"] == ADDRESS_AND_QUOTE


def test_the_rule_reads_the_rows_own_fields():
    url = "https://example.org/page"
    assert citation_status("t", "r", "", "Quote: 'over 11 were rejected'.", "11") == TITLE_ONLY
    assert citation_status("t", "r", url, "Quote: 'words without the figure'.", "11") == ADDRESS_AND_QUOTE
    assert (
        citation_status("t", "r", url, "The page says 'a total of 1,780 pupils'.", "1780")
        == ADDRESS_AND_QUOTE
    )
    assert (
        citation_status("t", "r", url, "It says 'about 23 million records'.", "23000000") == ADDRESS_AND_QUOTE
    )
    assert citation_status("t", "r", url, "It says 'about 17,800 pupils'.", "1780") == ADDRESS
    assert citation_status("t", "r", url, "Schools Week's wording.", "83.4") == ADDRESS
    assert citation_status("t", "r", url, "The period is inferred from context.", "790") == NOT_FOUND
    assert (
        citation_status(
            "t", "r", url, "The campaign says 'young offender' reasons.", "", subject="Young offender"
        )
        == ADDRESS_AND_QUOTE
    )


def test_national_ap_figures_say_what_they_count():
    figures = datasets.load("national_ap_figures").set_index("fact_id")
    assert list(figures.index) == ["N01", "N02", "N03", "N04", "N05", "N06"]
    assert figures.loc["N03", "unit"] == "placements" and figures.loc["N04", "unit"] == "pupils"
    assert figures.loc["N06", "citation"] == "campaign" and figures.loc["N06", "secondary"]
    assert "national_ap_figures" in tables.used_by(tables.BRIEFING)
