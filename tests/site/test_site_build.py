"""`build.py site`: what lands in the folder, read back as files (the browser tests use it live)."""

import csv
import datetime
import gzip
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from markupsafe import escape
from site_setup import BASE_URL, LETTER_DATE, SITE_SEATS, SUB_PATH

from npd_briefing import cli, config
from npd_briefing.data import datasets
from npd_briefing.dates import academic_year, january, long_date
from npd_briefing.evidence import analysis
from npd_briefing.evidence.briefing import letter_values
from npd_briefing.letters.letter import fill_letter, letter_to_html, load_letter_template
from npd_briefing.letters.meeting_request import meeting_request_text
from npd_briefing.letters.salutation import address_line, salutation
from npd_briefing.pipeline.request import output_stem
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.site import build as site_build
from npd_briefing.site.check import BUDGETS, NOT_FOUND_PAGE
from npd_briefing.site.drafts import letter_html
from npd_briefing.site.figures import CSV_COLUMNS, local_picture, seat_figures
from npd_briefing.site.pages import CSP
from tests.plain_words import curation_terms_in, unattributed_claims

SEATS = default_resolver().seats()
BY_CODE = {seat.gss_code: seat for seat in SEATS}


class Links(HTMLParser):
    """Every URL an HTML page refers to, the elements it has, and its CSP meta."""

    def __init__(self):
        super().__init__()
        self.urls, self.tags, self.csp, self.lang = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs["content"]
        for name in ("href", "src", "data-lookup"):
            if attrs.get(name):
                self.urls.append(attrs[name])


def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(path for path in site_dir.rglob("*.html") if path.parent.name != site_build.BRIEFINGS_DIR)


def test_every_seat_has_a_page_named_by_its_gss_code(site):
    site_dir, result = site
    assert result.seat_pages == 650 and result.with_briefing == len(SITE_SEATS)
    pages = {path.name for path in (site_dir / "seats").glob("*.html")}
    assert pages == {f"{output_stem(seat)}.html" for seat in SEATS}
    index_links = [url for url in parsed(site_dir / "index.html").urls if url.startswith("seats/")]
    assert sorted(index_links) == sorted(f"seats/{name}" for name in pages)


def test_every_page_is_self_contained_relative_and_locked_down(site_dir):
    """Relative links that resolve to files in the folder (so any sub-path works), the same CSP
    everywhere, and nothing loaded from anywhere else. Only the canonical link is absolute; the 404
    page, served at any depth, starts its links from the base URL's path."""
    for page in html_pages(site_dir):
        links = parsed(page)
        root = SUB_PATH if page.name == NOT_FOUND_PAGE else ""
        assert links.csp == CSP and links.lang == "en-GB", page
        for tag, attrs in links.tags:
            if tag in ("script", "img", "link", "iframe", "source", "audio", "video", "object", "embed"):
                url = attrs.get("src") or attrs.get("href")
                assert tag != "script" or attrs.get("type") == "application/json" or url, page
                if tag == "link" and attrs.get("rel") == "canonical":
                    assert url.startswith(BASE_URL), (page, url)
                    continue
                assert url is None or not urlsplit(url).scheme and url.startswith(root), (page, url)
        for url in links.urls:
            parts = urlsplit(url)
            if parts.scheme in ("https", "mailto"):
                assert (
                    parts.scheme == "mailto"
                    or parts.netloc == "members.parliament.uk"
                    or url.startswith(BASE_URL)
                ), (page, url)
                continue
            if not parts.path:  # a part of the same page
                continue
            assert not parts.scheme and url.startswith(root) and (root or not url.startswith("/")), (
                page,
                url,
            )
            path = unquote(parts.path)
            target = site_dir / path[len(root) :] if root else page.parent / path
            assert target.resolve().is_file(), (page, url)
    csp = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert csp["default-src"] == "'none'" and all(value in ("'self'", "'none'") for value in csp.values())


def test_seat_page_links_the_mp_the_pdfs_and_marks_welsh(site_dir):
    seat = BY_CODE["W07000086"]  # Bridgend / Pen-y-bont
    page = (site_dir / "seats" / f"{output_stem(seat)}.html").read_text(encoding="utf-8")
    member_id = int(
        pd.read_csv(config.DATA_DIR / "seats.csv").set_index("gss_code").loc[seat.gss_code, "member_id"]
    )
    assert f'href="https://members.parliament.uk/member/{member_id}/contact"' in page
    assert f'href="../briefings/{output_stem(seat)}.pdf"' in page
    assert 'href="../briefings/national-annex.pdf"' in page
    assert '<h1>Bridgend <span class="welsh" lang="cy">Pen-y-bont</span></h1>' in page
    assert "cover schools in England only" in " ".join(page.split())
    unbuilt = (site_dir / "seats" / f"{output_stem(BY_CODE['E14001064'])}.html").read_text(encoding="utf-8")
    assert "has not been published on this site yet" in unbuilt and "-aldridge-brownhills.pdf" not in unbuilt


def test_local_figures_come_from_the_analysis_with_their_census(site_dir):
    seat = BY_CODE["E14001076"]  # Barrow and Furness: two authorities, both new since 2023
    page = (site_dir / "seats" / f"{output_stem(seat)}.html").read_text(encoding="utf-8")
    picture = analysis.local_picture(seat.gss_code)
    census = f"January {january(picture.census_year)} census ({academic_year(picture.census_year)})"
    assert census in page
    assert (
        f"(England: {picture.england_rate.per_10000:.1f}; {picture.region}: "
        f"{picture.region_rate.per_10000:.1f})"
    ) in page
    assert len(picture.authorities) == 2
    for authority in picture.authorities:
        assert f"<h3>{escape(authority.la_name)}" in page
        assert f"{census}:\n <strong>{authority.pupils:,}</strong>" in page
        rate = authority.rate  # the predecessor's, Cumbria's, for a year before the authority existed
        assert (
            f"<strong>{rate.per_10000:.1f}</strong>" in page
            and f"({rate.pupils:,} of {rate.denominator:,})" in page
        )
        for note in authority.notes:
            assert str(escape(note)) in page
    assert "January 2024" in page and "2023/24" in page  # the year with no figure is a visible gap


def test_csv_has_every_seat_and_the_same_figures(site_dir):
    rows = list(csv.DictReader(io.StringIO((site_dir / site_build.CSV_NAME).read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["gss_code"] for row in rows} == set(BY_CODE)
    aldershot = [row for row in rows if row["gss_code"] == "E14001063"]
    local = seat_figures(BY_CODE["E14001063"], local_picture(BY_CODE["E14001063"]))["local"]
    assert len(aldershot) == len(local["authorities"]) == 1
    row, authority = aldershot[0], local["authorities"][0]
    assert row["la_funded_ap_pupils"] == str(authority["la_funded_ap_pupils"])
    assert row["rate_per_10000_pupils"] == f"{authority['rate']:.1f}"
    assert (
        row["census"] == local["census"]
        and row["seat_estimate_la_funded_ap_pupils"] == f"{local['seat_estimate']:.0f}"
    )
    belfast = [row for row in rows if row["gss_code"] == "N05000001"]
    assert (
        len(belfast) == 1
        and belfast[0]["la_funded_ap_pupils"] == ""
        and "England only" in belfast[0]["notes"]
    )


def test_letter_is_the_packs_own_with_sender_slots(site_dir):
    """The letter on the page is the briefing's letter (letter.md filled with the seat's figures, through
    fill_letter and letter_to_html), with the sender's name and address (empty here) and the date in
    slots the browser fills as text."""
    seat = BY_CODE["E14001063"]
    day = datetime.date.fromisoformat(LETTER_DATE)
    picture = local_picture(seat)
    unsigned = letter_to_html(fill_letter(load_letter_template(), letter_values(seat, day, picture)))
    with_slots = str(letter_html(seat, day, picture))
    emptied = re.sub(
        r'<p><span class="slot" data-slot="sender_(?:name|address)"></span></p>\n', "", with_slots
    )
    emptied = emptied.replace(f'<span class="slot" data-slot="date">{long_date(day)}</span>', long_date(day))
    assert emptied == unsigned
    assert (
        f"{picture.authorities[0].pupils:,} pupils were in alternative provision funded by Hampshire"
        in unsigned
    )
    page = (site_dir / "seats" / f"{output_stem(seat)}.html").read_text(encoding="utf-8")
    assert with_slots in page


def test_email_draft_data_is_the_brief_commands_text(site_dir):
    seat = BY_CODE["E14001063"]
    page = (site_dir / "seats" / f"{output_stem(seat)}.html").read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/json" id="draft-data">(.*?)</script>', page, re.S).group(1)
    )
    seats = csv.DictReader(io.StringIO((config.DATA_DIR / "seats.csv").read_text(encoding="utf-8")))
    row = next(r for r in seats if r["gss_code"] == seat.gss_code)  # Aldershot's MP, whoever it is
    greeting = salutation(row["mp_full_title"], row["mp_display_name"])
    subject, body = meeting_request_text(
        salutation=greeting,
        seat_name=seat.name,
        sender_name="Jo Bloggs",
    )
    assert data["body"].replace(data["sender_slot"], "Jo Bloggs") == body
    assert body.startswith(f"{greeting},") and row["mp_display_name"] in greeting
    assert data["subject_header"] == f"Subject: {subject}\r\n".replace("Database (", "Database\r\n (")
    assert data["to_header"] == f"To: {address_line(row['mp_full_title'])} <{row['mp_email']}>\r\n"
    assert data["filename"] == f"{output_stem(seat)}-meeting-request.eml"
    assert [a["name"] for a in data["attachments"]] == [f"{output_stem(seat)}.pdf", "national-annex.pdf"]


def test_index_and_its_scripts_fit_the_budget_and_the_lookup_is_compact(site_dir):
    index = parsed(site_dir / "index.html")
    loaded = [
        url
        for tag, attrs in index.tags
        for url in [attrs.get("src") or attrs.get("href")]
        if tag in ("script", "link") and url and attrs.get("rel") != "canonical"
    ]
    weight = (site_dir / "index.html").stat().st_size + sum((site_dir / url).stat().st_size for url in loaded)
    assert weight < BUDGETS["page"].limit, weight
    lookups = list(site_dir.glob("lookup-*.json"))
    assert len(lookups) == 1 and index.urls.count(lookups[0].name) == 1
    raw = lookups[0].read_bytes()
    assert (
        len(raw) < BUDGETS["lookup"].limit and len(gzip.compress(raw)) < 110_000
    )  # mySociety's ranges alone: 434 KB, 82 KB


def test_methodology_names_the_data_version_and_every_source(site_dir):
    page = (site_dir / "methodology.html").read_text(encoding="utf-8")
    for name in site_build.SITE_TABLES:
        resource = datasets.resource(name)
        assert f"<code>{name}</code>" in page and resource["sha256"][:12] in page
    assert "Built on " in page and "Curated data last rebuilt on " in page
    privacy = (site_dir / "privacy.html").read_text(encoding="utf-8")
    assert "no cookies, no local or session storage" in privacy


def _page_text(path: Path) -> str:
    """What a visitor reads on a page: its text, without markup, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_no_page_uses_a_curation_term_or_states_a_campaign_claim_as_fact(site_dir):
    """Every page of the site is held to the briefing's rules; the home page's "Why it matters" keeps
    what DfE's pages establish apart from the campaign's list, and never says records are kept
    indefinitely as a fact."""
    pages = [site_dir / "index.html", site_dir / "methodology.html", site_dir / "privacy.html"]
    pages += sorted((site_dir / "seats").glob("*.html"))[::25] + [
        next((site_dir / "seats").glob(f"{code}-*.html")) for code in SITE_SEATS
    ]
    for page in pages:
        text = _page_text(page)
        assert not curation_terms_in(text), page.name
        assert not unattributed_claims(text), page.name
    why = _page_text(site_dir / "index.html").split("Why it matters", 1)[1]
    assert "The campaign, defenddigitalme, says the reasons include" in why
    assert "kept indefinitely" not in why and "DfE's privacy notice for the NPD" in why


@pytest.mark.parametrize(
    "argv, named",
    [
        (["--nation", "Atlantis"], "--nation 'Atlantis' is not valid"),
        (["--date", "12/03/2026"], "date '12/03/2026' is not a date"),
        (["--jobs", "0"], "--jobs 0 is not valid"),
        (["--base-url", "campaign.example.org"], "--base-url 'campaign.example.org' is not valid"),
        (
            ["--base-url", "ftp://campaign.example.org/"],
            "--base-url 'ftp://campaign.example.org/' is not valid",
        ),
    ],
)
def test_bad_options_are_one_line_exit_2_and_write_nothing(tmp_path, capsys, argv, named):
    out = tmp_path / "site"
    assert cli.main(["site", "--out", str(out), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and named in captured.err
    assert not out.exists()


def test_briefing_fingerprints_ignore_the_websites_own_files():
    from npd_briefing.pipeline.state import input_files

    inputs = input_files()
    assert config.TEMPLATES_DIR / "meeting_request.txt" in inputs
    assert not [
        path
        for path in inputs
        if path.is_relative_to(config.SITE_TEMPLATES_DIR) or path.is_relative_to(config.SITE_PACKAGE_DIR)
    ]


def test_rerun_renders_nothing_and_rewrites_the_pages(site_dir):
    result = site_build.build_site(
        out_dir=site_dir, only=list(SITE_SEATS), jobs=1, date=LETTER_DATE, base_url=BASE_URL
    )
    assert (
        result.exit_code == 0
        and result.batch.rendered == []
        and sorted(result.batch.skipped) == sorted(SITE_SEATS)
    )
    assert result.seat_pages == 650 and len(list(site_dir.glob("lookup-*.json"))) == 1
    assert result.problems == [] and result.exit_code == 0


def test_site_checks_what_it_built_and_fails_over_budget(site_dir, monkeypatch, capsys):
    """`build.py site` runs the site's check before it returns: here with a page budget no page meets."""
    monkeypatch.setitem(BUDGETS, "page", BUDGETS["page"].__class__(1_000, "a budget for this test"))
    result = site_build.build_site(
        out_dir=site_dir, only=list(SITE_SEATS), jobs=1, date=LETTER_DATE, base_url=BASE_URL
    )
    assert result.exit_code == 2 and result.batch.rendered == []
    assert any("index.html: weighs" in problem for problem in result.problems)
    err = capsys.readouterr().err
    assert f"site check: {len(result.problems)} problems in {site_dir}:" in err
