"""Real briefings, rendered as a campaigner would, read back from the PDF's text.

Every figure the tests look for is computed here from the curated CSVs read as text, never through the
pack's own analysis, for whichever census years they hold: the refresh runs these tests on the newest
releases before it proposes them (the 2024/25 figures' derivation from DfE's raw files is tested in
tests/data/test_newest_census.py).
"""

import datetime
import email
import email.policy
import getpass
import json
import re

import pytest
from pypdf import PdfReader

from npd_briefing import config
from npd_briefing.pipeline.brief import brief
from tests.conftest import flat, newest_census, pdf_text, read_csv, run_build, seat_row
from tests.plain_words import curation_terms_in, sentences, unattributed_claims

SEATS = {
    "england": "Bridlington and The Wolds",
    "hampshire": "Aldershot",
    "wales": "Ynys Môn",
    "scotland": "Edinburgh East and Musselburgh",
    "northern_ireland": "Belfast East",
}
LETTER_2017 = [
    "will start to collect",
    "Justine Greening",
    "a recent report by think Tank IPPR",
    "before its collection starting on January 18, 2018",
]


def la_funded(la_code: str | None, time_period: int) -> int:
    """Pupils in LA-funded AP for an authority (or England, with None) in a year, as la_ap gives it."""
    level = "National" if la_code is None else "Local authority"
    return next(
        int(r["pupils"])
        for r in read_csv("la_ap")
        if r["measure"] == "la_funded_ap_pupils"
        and r["geographic_level"] == level
        and r["la_code"] == (la_code or "")
        and r["time_period"] == str(time_period)
    )


def rate_year() -> int:
    """The newest January with both an England count and a pupil headcount (counts may run ahead)."""
    counts = {r["time_period"] for r in read_csv("la_ap") if r["measure"] == "la_funded_ap_pupils"}
    return max(int(r["time_period"]) for r in read_csv("pupils") if r["time_period"] in counts)


def january(time_period: int) -> str:
    """202425 -> "January 2025"."""
    return f"January {str(time_period)[:2]}{str(time_period)[4:]}"


def main_authority(seat_name: str) -> dict:
    weights = [w for w in read_csv("seat_la_weights") if w["gss_code"] == seat_row(seat_name)["gss_code"]]
    return max(weights, key=lambda w: float(w["share_of_seat_pop"]))


def pages(path) -> list[str]:
    return [flat(page.extract_text() or "") for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    paths = {}
    for key, seat in SEATS.items():
        sender = (
            {"sender_name": "Jo Campaigner", "sender_address": "1 High Street\nBridlington"}
            if key == "england"
            else {}
        )
        paths[key] = brief(seat, out_dir=out, formats="pdf,html", date="2026-03-12", **sender)
    return out, paths


def pdf_of(rendered, key):
    return next(p for p in rendered[1][key] if p.suffix == ".pdf" and p.name != config.ANNEX_FILE)


def test_files_are_named_by_code_and_slug_beside_the_annex(rendered):
    out, paths = rendered
    code = seat_row(SEATS["england"])["gss_code"]
    assert sorted(p.name for p in paths["england"]) == sorted(
        [
            f"{code}-bridlington-and-the-wolds-meeting-request.eml",
            f"{code}-bridlington-and-the-wolds.html",
            f"{code}-bridlington-and-the-wolds.pdf",
            config.ANNEX_FILE,
        ]
    )
    assert (out / config.ANNEX_FILE).is_file()


@pytest.mark.parametrize("key", ["england", "hampshire"])
def test_page_one_says_who_asks_what_for_and_the_local_figures_with_their_census(rendered, key):
    first = pages(pdf_of(rendered, key))[0]
    seat = seat_row(SEATS[key])
    authority = main_authority(SEATS[key])
    assert seat["name"] in first and seat["mp_full_title"].removesuffix(" MP") in first
    assert ("Jo Campaigner" if key == "england" else "A constituent") in first
    assert "Asking for A meeting at a constituency surgery about children's privacy" in first
    assert f"https://members.parliament.uk/member/{seat['member_id']}/contact" in first.replace(" ", "")
    as_of = datetime.date.fromisoformat(seat["mps_as_of"])
    assert f"(MPs as of {as_of.day} {as_of:%B %Y}, DfE's MP lookup)" in first
    # The newest census (January 2025 when this was written), with the authority's count for it.
    newest = newest_census()
    assert (
        f"{la_funded(authority['la_code'], newest):,} pupils in alternative provision funded by "
        f"{authority['la_name']}, {january(newest)}" in first
    )
    # The rate, named with its numerator and denominator, for the last January with a headcount.
    year = rate_year()
    count = la_funded(authority["la_code"], year)
    heads = next(
        int(r["pupils_state_funded"])
        for r in read_csv("pupils")
        if r["la_code"] == authority["la_code"] and r["time_period"] == str(year)
    )
    assert f"{count / heads * 10_000:.1f} pupils in LA-funded AP per 10,000 pupils" in first
    assert f"({count:,} of {heads:,})" in first and january(year) in first
    assert "Estimate for the seat itself" in first and "an estimate from population shares" in first
    assert "What I ask you to do" in first and "national-annex.pdf" in first


def test_aldershot_shows_hampshires_newest_figure(rendered):
    text = flat(pdf_text(pdf_of(rendered, "hampshire")))
    newest = newest_census()
    assert (
        f"{la_funded('850', newest):,} pupils in alternative provision funded by Hampshire, {january(newest)}"
        in text
    )
    assert (
        f"Counts are from DfE's AP census of {january(newest)}. Rates use pupil numbers from "
        f"{january(rate_year())}" in text
    )


# Public bodies as a source line names them: the figure is the body's own, not a campaign's or a paper's.
PUBLIC_BODIES = ("ICO", "DfE", "UK Parliament", "Office for Statistics Regulation")


def test_page_one_cites_national_facts_from_public_bodies_own_pages(rendered):
    """At least two of page 1's national facts come from a public body's own page, named in the
    source line; the campaign's figure is said to be the campaign's."""
    first = pages(pdf_of(rendered, "england"))[0]
    national = first[first.index("Nationally") : first.index("What I ask you to do")]
    lines = re.findall(r"Source: ([^,]+),", national)
    assert sum(line in PUBLIC_BODIES for line in lines) >= 2, lines
    primary = {r["fact_id"]: r for r in read_csv("primary_citations")}
    facts = {r["fact_id"]: r for r in read_csv("npd_facts")}
    for row, value in ((primary["P02"], "over 21,000,000"), (primary["P01"], "139"), (facts["F23"], "2,461")):
        assert value in national and row["citation"].startswith("official")
    assert (
        "ICO, Statement on the outcome of the ICO's compulsory audit of the Department for Education, 7 October 2020"
        in national
    )
    assert "as reported by Tes (the ICO no longer links the summary)" in national
    assert "UK Parliament, Written statement HCWS272, 27 November 2017" in national
    assert (
        "The campaign, defenddigitalme, reports that the Home Office asked about 6,883 individuals"
        in national
    )


def test_no_curation_term_reaches_a_reader(rendered):
    out, _ = rendered
    for pdf in (pdf_of(rendered, "england"), pdf_of(rendered, "wales"), out / config.ANNEX_FILE):
        assert not curation_terms_in(flat(pdf_text(pdf))), pdf.name


def test_what_you_can_say_is_for_today(rendered):
    """Short present-tense points, each with its source; nothing about 2018 in the future tense. The
    campaign's 2017 points are quoted, dated, in the annex."""
    out, _ = rendered
    for key in ("england", "wales"):
        text = flat(pdf_text(pdf_of(rendered, key)))
        points = text[text.index("What you can say") : text.index("Sources")]
        for sentence in sentences(points):
            if "2018" in sentence or "January 18" in sentence:
                assert not re.search(r"\b(will|shall|is going to)\b", sentence), sentence
        assert "will start to collect" not in points and points.count("Source:") >= 6
    annex = flat(pdf_text(out / config.ANNEX_FILE))
    quoted = annex[annex.index("The campaign’s talking points, 2017") :]
    assert "written in late 2017" in quoted and "will start to collect" in quoted


def test_an_english_briefing_is_five_pages_a_devolved_one_two_and_the_letter(rendered):
    for key in ("england", "hampshire"):
        reader = PdfReader(pdf_of(rendered, key))
        assert len(reader.pages) <= 5
        assert "Yours sincerely" in (reader.pages[-1].extract_text() or "")
    for key in ("wales", "scotland", "northern_ireland"):
        assert len(PdfReader(pdf_of(rendered, key)).pages) <= 3


def test_the_annex_holds_every_national_chart_and_source(rendered):
    out, _ = rendered
    text = flat(pdf_text(out / config.ANNEX_FILE))
    for heading in (
        "How big is the National Pupil Database?",
        "Releases to third parties",
        "Police and Home Office",
        "Reasons for placement",
        "Sources",
    ):
        assert heading in text
    reader = PdfReader(out / config.ANNEX_FILE)
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    assert tree and "6,883" in text and "September 2022" in text


@pytest.mark.parametrize("key", ["wales", "scotland", "northern_ireland"])
def test_outside_england_says_so_and_shows_no_local_figure(rendered, key):
    text = flat(pdf_text(pdf_of(rendered, key)))
    seat = seat_row(SEATS[key])
    assert seat["name"] in text and seat["mp_display_name"] in text
    assert "cover schools in England only" in text and "Westminster" in text
    assert "Rate:" not in text and "Estimate for the seat" not in text and "funded by" not in text


def test_every_page_footer_has_the_pack_and_data_versions(rendered):
    version = __import__("json").loads(config.MANIFEST_PATH.read_text())["data_version"]
    for page in pages(pdf_of(rendered, "england")):
        assert f"data {version}" in page and "npd_briefing" in page


def test_source_lines_say_who_published_what_when(rendered):
    text = flat(pdf_text(pdf_of(rendered, "england")))
    assert "released 2026-11-28" not in text and "retrieved" not in text
    sources = {
        s["id"]: s for r in json.loads(config.MANIFEST_PATH.read_text())["resources"] for s in r["sources"]
    }
    census, mps = sources["ap_census_totals"], sources["dfe_mp_lookup"]
    if "download_url" in census:  # after a refresh: the release downloaded, dated as EES gives it
        published = datetime.date.fromisoformat(census["published"])
        year = census["release"].split()[-1]
        assert f"DfE, Schools, pupils and their characteristics {year}, {published:%-d %B %Y}." in text
    else:  # the raw copy's edition (fixed)
        assert "DfE, Schools, pupils and their characteristics 2022/23, June 2023." in text
    if "download_url" in mps:  # DfE updates the lookup daily: as of the day it was downloaded
        retrieved = datetime.date.fromisoformat(mps["retrieved"])
        assert f"DfE, MP lookup, as of {retrieved:%-d %B %Y}." in text
    else:  # the raw copy's commit (fixed)
        assert "DfE, MP lookup, 27 June 2026." in text


def test_no_campaign_claim_is_printed_as_fact(rendered):
    """Each sentence of a briefing or the annex that makes one of the campaign's claims says whose claim
    it is; the annex's quotation of the campaign's 2017 talking points is the campaign's own words."""
    out, _ = rendered
    for pdf in (pdf_of(rendered, "england"), pdf_of(rendered, "wales"), out / config.ANNEX_FILE):
        text = flat(pdf_text(pdf))
        if "The campaign’s talking points, 2017" in text:
            text = text[: text.index("The campaign’s talking points, 2017")]
        assert not unattributed_claims(text), pdf.name


def test_small_authorities_are_not_ranked(tmp_path):
    paths = brief("Cities of London and Westminster", out_dir=tmp_path, date="2026-03-12")
    text = flat(pdf_text(next(p for p in paths if p.name.endswith("westminster.pdf"))))
    year = rate_year()
    count = la_funded("201", year)
    assert count < 10  # the premise: the City of London's count stays small
    assert (
        f"City of London had fewer than 10 pupils in LA-funded AP in {january(year)}: too few for a rate or a rank"
        in text
    )
    assert f"City of London {count} " not in text


def test_the_default_letter_is_todays_with_each_figure_from_a_row(rendered):
    last = pages(pdf_of(rendered, "england"))[-1]
    authority = main_authority(SEATS["england"])
    for phrase in LETTER_2017:
        assert phrase not in last
    newest = newest_census()
    assert (
        f"In {january(newest)}, {la_funded(authority['la_code'], newest):,} pupils were in alternative "
        f"provision funded by {authority['la_name']}" in last
    )
    facts = {r["fact_id"]: r for r in read_csv("npd_facts") + read_csv("national_ap_figures")}
    counts = {r["count_id"]: r for r in read_csv("npd_release_counts")}
    primary = {r["fact_id"]: r for r in read_csv("primary_citations")}
    assert f"over {int(primary['P02']['value']):,} data subjects" in last
    assert f"made {int(primary['P01']['value']):,} recommendations" in last
    assert f"{int(facts['N06']['value']):,} records" in last
    assert f"asked about {int(float(counts['C034']['value'])):,} individuals" in last
    assert f"details of {int(float(counts['C035']['value'])):,} were returned" in last
    assert "12 March 2026" in last and "Jo Campaigner" in last and "1 High Street" in last
    assert "I ask you to" in last


def test_the_campaigns_2017_letter_only_when_asked_for(tmp_path):
    paths = brief("Aldershot", out_dir=tmp_path, letter="campaign-2017", date="2026-03-12")
    last = pages(next(p for p in paths if p.name.endswith("aldershot.pdf")))[-1]
    assert "will start to collect" in last and "Justine Greening" in last
    assert "This is defenddigitalme's letter to MPs as written in late 2017" in last
    assert "12 March 2026" in last


def test_pdf_is_a4_tagged_titled_small_and_leaks_nothing(rendered):
    out, _ = rendered
    pdf = pdf_of(rendered, "england")
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5
    assert pdf.stat().st_size < 1_000_000
    assert pdf.stat().st_size + (out / config.ANNEX_FILE).stat().st_size < 2_000_000
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert "Bridlington" in meta.get("/Title", "")
    for secret in (str(out), str(config.ROOT), getpass.getuser(), "Jo Campaigner"):
        assert secret not in " ".join(meta.values()), secret
    assert str(reader.trailer["/Root"].get("/Lang", "")) == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object())


def test_every_image_in_the_briefing_has_alt_text(rendered):
    page = next(p for p in rendered[1]["england"] if p.suffix == ".html").read_text(encoding="utf-8")
    assert page.count("<img") == 3  # the authority's trend and ranking, the NPD's scale
    assert page.count("<img") == page.count(' alt="') - page.count(' alt=""')
    assert "<script" not in page and "<code" not in page and "researcher-notes" not in page


def test_meeting_request_draft_attaches_the_briefing_and_the_annex(rendered):
    out, paths = rendered
    eml = next(p for p in paths["england"] if p.suffix == ".eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    seat = seat_row(SEATS["england"])
    assert (
        seat["mp_email"] in message["To"]
        and message["X-Unsent"] == "1"
        and seat["name"] in message["Subject"]
    )
    body = message.get_body(("plain",)).get_content()
    assert "Jo Campaigner" in body and seat["name"] in body
    attachments = {a.get_filename(): a.get_content() for a in message.iter_attachments()}
    assert attachments == {
        pdf_of(rendered, "england").name: pdf_of(rendered, "england").read_bytes(),
        config.ANNEX_FILE: (out / config.ANNEX_FILE).read_bytes(),
    }
    assert not unattributed_claims(flat(body))


def test_custom_letter_replaces_the_default_letter(tmp_path):
    letter = tmp_path / "mine.md"
    letter.write_text(
        "{{salutation}},\n\nMy own words about [Date] and my school.\n\n{{sender_name}}\n", encoding="utf-8"
    )
    paths = brief("Aldershot", out_dir=tmp_path / "out", letter=letter, date="2026-01-05", sender_name="Sam")
    text = flat(pdf_text(next(p for p in paths if p.name.endswith("aldershot.pdf"))))
    assert "My own words about 5 January 2026 and my school." in text
    assert "I am writing to you as my MP" not in text


def test_unknown_seat_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run_build("brief", "Atlantis", "--out", str(out))
    assert result.returncode == 2
    assert "Atlantis" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())
