"""Real briefings, rendered as a campaigner would, read back from the PDF's text."""

import email
import email.policy
import getpass

import pytest
from pypdf import PdfReader

from npd_briefing import config
from npd_briefing.pipeline.brief import brief
from tests.conftest import flat, pdf_text, read_csv, run_build, seat_row

SEATS = {
    "england": "Bridlington and The Wolds",
    "wales": "Ynys Môn",
    "scotland": "Edinburgh East and Musselburgh",
    "northern_ireland": "Belfast East",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("briefings")
    paths = {}
    for nation, seat in SEATS.items():
        sender = {"sender_name": "Jo Campaigner", "sender_address": "1 High Street\nBridlington"} \
            if nation == "england" else {}
        paths[nation] = brief(seat, out_dir=out, formats="pdf,html", date="2026-03-12", **sender)
    return out, paths


def test_files_are_named_by_code_and_slug(rendered):
    _, paths = rendered
    names = sorted(p.name for p in paths["england"])
    code = seat_row(SEATS["england"])["gss_code"]
    assert names == [f"{code}-bridlington-and-the-wolds-meeting-request.eml",
                     f"{code}-bridlington-and-the-wolds.html", f"{code}-bridlington-and-the-wolds.pdf"]


def test_english_briefing_has_seat_mp_local_figure_letter_and_sources(rendered):
    _, paths = rendered
    pdf = next(p for p in paths["england"] if p.suffix == ".pdf")
    text = flat(pdf_text(pdf))
    seat = seat_row(SEATS["england"])
    assert seat["name"] in text
    assert seat["mp_display_name"] in text
    # The local figure, computed here straight from the curated CSVs.
    weights = [w for w in read_csv("seat_la_weights") if w["gss_code"] == seat["gss_code"]]
    la_code = max(weights, key=lambda w: float(w["share_of_seat_pop"]))["la_code"]
    ap = [r for r in read_csv("la_ap") if r["measure"] == "la_funded_ap_pupils" and r["la_code"] == la_code]
    latest = max(ap, key=lambda r: int(r["time_period"]))
    assert f"{int(latest['pupils']):,}" in text
    england = max((r for r in read_csv("la_ap") if r["measure"] == "la_funded_ap_pupils"
                   and r["geographic_level"] == "National"), key=lambda r: int(r["time_period"]))
    assert f"{int(england['pupils']):,}" in text
    assert "estimate" in text.lower()
    assert "I am concerned about children's privacy" in text
    assert "12 March 2026" in text
    assert "Jo Campaigner" in text and "1 High Street" in text
    assert "Sources" in text and "Open Government Licence" in text


def test_salutation_follows_the_rule(rendered):
    _, paths = rendered
    from npd_briefing.letters.salutation import salutation
    for nation, seat_name in SEATS.items():
        seat = seat_row(seat_name)
        pdf = next(p for p in paths[nation] if p.suffix == ".pdf")
        assert salutation(seat["mp_full_title"], seat["mp_display_name"]) + "," in flat(pdf_text(pdf))


@pytest.mark.parametrize("nation", ["wales", "scotland", "northern_ireland"])
def test_outside_england_says_so_and_shows_no_local_figure(rendered, nation):
    _, paths = rendered
    pdf = next(p for p in paths[nation] if p.suffix == ".pdf")
    text = flat(pdf_text(pdf))
    seat = seat_row(SEATS[nation])
    assert seat["name"] in text and seat["mp_display_name"] in text
    assert "cover schools in England only" in text
    assert "Rate:" not in text and "Estimate for the seat" not in text
    assert "I am concerned about children's privacy" in text


def test_pdf_is_a4_tagged_titled_small_and_leaks_nothing(rendered):
    out, paths = rendered
    pdf = next(p for p in paths["england"] if p.suffix == ".pdf")
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5
    assert pdf.stat().st_size < 1_000_000
    assert 3 <= len(reader.pages) <= 12
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert "Bridlington" in meta.get("/Title", "")
    for secret in (str(out), str(config.ROOT), getpass.getuser(), "Jo Campaigner"):
        assert secret not in " ".join(meta.values()), secret
    assert str(reader.trailer["/Root"].get("/Lang", "")) == "en-GB"
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                          if "/DescendantFonts" in font else font["/FontDescriptor"])
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object())


def test_every_image_in_the_briefing_has_alt_text(rendered):
    _, paths = rendered
    page = next(p for p in paths["england"] if p.suffix == ".html").read_text(encoding="utf-8")
    assert page.count("<img") >= 5
    assert page.count("<img") == page.count(' alt="') - page.count(' alt=""')
    assert "<script" not in page and "<code" not in page


def test_meeting_request_draft_attaches_the_pdf(rendered):
    _, paths = rendered
    eml = next(p for p in paths["england"] if p.suffix == ".eml")
    pdf = next(p for p in paths["england"] if p.suffix == ".pdf")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    seat = seat_row(SEATS["england"])
    assert seat["mp_email"] in message["To"]
    assert message["X-Unsent"] == "1"
    assert seat["name"] in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Jo Campaigner" in body and seat["name"] in body
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == pdf.name
    assert attachment.get_content() == pdf.read_bytes()


def test_custom_letter_replaces_the_campaign_letter(tmp_path):
    letter = tmp_path / "mine.md"
    letter.write_text("{{salutation}},\n\nMy own words about [Date] and my school.\n\n{{sender_name}}\n",
                      encoding="utf-8")
    paths = brief("Aldershot", out_dir=tmp_path / "out", letter=letter, date="2026-01-05", sender_name="Sam")
    text = flat(pdf_text(next(p for p in paths if p.suffix == ".pdf")))
    assert "My own words about 5 January 2026 and my school." in text
    assert "I am concerned about children's privacy" not in text


def test_unknown_seat_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run_build("brief", "Atlantis", "--out", str(out))
    assert result.returncode == 2
    assert "Atlantis" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())
