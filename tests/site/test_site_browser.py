"""The campaign website in a real browser: Debian's chromium, driven by Playwright, served from 127.0.0.1
under a sub-path, with its Content-Security-Policy in force.

Every request the pages make is recorded (URL, method, body) by the browser and by the server, and
anything not bound for the local server is refused and remembered. At the end nothing may have
gone anywhere else, and nothing typed may appear in any request or in the page's storage.
"""

import datetime
import email
import email.policy
import random
import re
import shutil
import unicodedata
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import numpy as np
import pytest
from site_setup import SUB_PATH

from npd_briefing import cli
from npd_briefing.data import datasets
from npd_briefing.exceptions import PackError
from npd_briefing.letters.meeting_request import NAME_PLACEHOLDER, build_meeting_request
from npd_briefing.letters.salutation import address_line, salutation
from npd_briefing.pipeline.request import output_stem
from npd_briefing.seats.postcodes import normalise_postcode
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.site.build import BRIEFINGS_DIR, NATIONAL_ANNEX
from npd_briefing.text import fold_name

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements.txt installs it
    sync_playwright = None
if sync_playwright is None or CHROMIUM is None:
    pytest.skip(
        "no browser: the site's browser tests need Debian's chromium (apt-get install chromium; .ci/run does)",
        allow_module_level=True,
    )

SEATS = default_resolver().seats()
BY_CODE = {seat.gss_code: seat for seat in SEATS}
HOSTILE = "<img src=x onerror=alert(1)>"
SENDER_NAME = "Siân O'Brien-Jones <script>alert(2)</script>"
SENDER_ADDRESS = "1 High Street\n<b>Flat 2</b>\n\nAldershot GU11 1AA"
TYPED = []  # everything typed into a page, to look for in requests and storage


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def traffic():
    """Requests seen by the browser: (method, url, body); and those refused for leaving 127.0.0.1."""
    return {"seen": [], "refused": [], "console": [], "dialogs": []}


@pytest.fixture(scope="module")
def context(browser, server, traffic, tmp_path_factory):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})

    def route(route):
        request = route.request
        traffic["seen"].append((request.method, request.url, request.post_data_buffer))
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            traffic["refused"].append(request.url)
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


@pytest.fixture()
def page(context, traffic):
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            traffic["console"].append((message.type, message.text))
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("dialog", lambda dialog: (traffic["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: traffic["console"].append(("pageerror", str(error))))
    yield page
    page.close()


def type_into(page, selector: str, text: str) -> None:
    """Type as a person would (pasting long text), remembering it unless it names a seat: a seat's
    name or code rightly appears in the address of the seat page a person then opens."""
    if not _names_a_seat(text):
        TYPED.append(text)
    page.fill(selector, "")
    page.locator(selector).press_sequentially(text) if len(text) < 80 else page.fill(selector, text)


def _names_a_seat(text: str) -> bool:
    folded = fold_name(text)
    return any(
        folded in (fold_name(seat.name), fold_name(seat.name_cy)) or text.strip().upper() == seat.gss_code
        for seat in SEATS
    )


def search(page, text: str):
    """Type a query and press Enter; the lookup file is loaded first, so the answer shows at once."""
    page.evaluate("window.npdSearch.ready().then(() => true)")
    type_into(page, "#query", text)
    page.press("#query", "Enter")
    results = page.locator("#results")
    results.locator("p").first.wait_for()
    return results


def a_real_postcode(gss_code: str) -> str:
    """A range in mySociety's table starts at a real postcode; take one of this seat's."""
    ranges = datasets.load("postcode_ranges")
    start = int(ranges.loc[ranges["gss_code"] == gss_code, "range_start"].iloc[3])
    return normalise_postcode(np.base_repr(start, 36))


# ---- finding a seat ----------------------------------------------------------------------------


def test_a_postcode_in_any_spacing_and_case_leads_to_the_seat_page(page, server):
    base, _ = server
    page.goto(base + "index.html")
    postcode = a_real_postcode("E14001063").lower().replace(" ", "  ")
    results = search(page, f" {postcode}")
    link = results.get_by_role("link", name="Aldershot")
    assert "Your constituency" in results.inner_text()
    link.click()
    page.wait_for_load_state()
    assert page.url == f"{base}seats/{output_stem(BY_CODE['E14001063'])}.html" and SUB_PATH in page.url
    assert page.locator("h1").inner_text() == "Aldershot"
    assert (
        page.get_by_role("link", name=re.compile("contact details on the UK Parliament website"))
        .get_attribute("href")
        .startswith("https://members.parliament.uk/member/")
    )


def test_names_with_or_without_accents_welsh_names_and_codes(page, server):
    base, _ = server
    page.goto(base + "index.html")
    for query, code in (
        ("ynys mon", "W07000112"),
        ("YNYS MÔN", "W07000112"),
        ("pen y bont", "W07000086"),
        ("w07000086", "W07000086"),
        ("Belfast East", "N05000001"),
    ):
        results = search(page, query)
        href = results.locator("a").first.get_attribute("href")
        assert code in href, (query, href)
    results = search(page, "Pen-y-bont")
    assert results.locator("a").first.inner_text() == "Bridgend / Pen-y-bont"
    assert results.locator('a span[lang="cy"]').inner_text() == "Pen-y-bont"
    results.locator("a").first.click()
    page.wait_for_load_state()
    assert "W07000086" in page.url and page.locator('h1 [lang="cy"]').inner_text() == "Pen-y-bont"


def test_refusals_match_the_resolver_and_offer_links(page, server):
    base, _ = server
    page.goto(base + "index.html")
    for query in ("BT1 1AA", "JE2 3AB", "GIR 0AA", "E14999999", "SW1A 1A"):
        results = search(page, query)
        with pytest.raises(PackError) as refused:
            default_resolver().resolve(query)
        assert results.locator(".problem").inner_text() == str(refused.value)
        assert results.locator("a").count() == 0
    results = search(page, "Hackney")
    assert "matches 2 seats" in results.inner_text()
    assert sorted(results.locator("a").all_inner_texts()) == [
        "Hackney North and Stoke Newington",
        "Hackney South and Shoreditch",
    ]
    results = search(page, "Aldershoot")
    assert "did you mean: Aldershot?" in results.locator(".problem").inner_text()
    results.get_by_role("link", name="Aldershot").click()
    page.wait_for_load_state()
    assert "E14001063" in page.url


def _queries() -> list[str]:
    """Every seat name (and Welsh name, and code in lower case), real postcodes in odd spacing, and
    near misses, hostile and random text: what the page's resolver must answer as Python does."""
    rng = random.Random(14)
    queries = []
    for seat in SEATS:
        queries += [seat.name, seat.gss_code.lower(), seat.name.upper()[: max(4, len(seat.name) - 2)]]
        if seat.name_cy:
            queries.append(seat.name_cy)
    ranges = datasets.load("postcode_ranges")
    for start in ranges["range_start"].sample(1500, random_state=14):
        postcode = np.base_repr(int(start) + rng.choice([0, 0, 1, 35, 36 * 36]), 36)
        queries.append(
            rng.choice(
                [
                    postcode,
                    postcode.lower(),
                    f"{postcode[:-3]} {postcode[-3:]}",
                    f"  {postcode[:2]} {postcode[2:].lower()} ",
                ]
            )
        )
    queries += [
        "",
        " ",
        "\t\n",
        "x" * 10_000,
        "a" * 201,
        "Aldershot " * 30,
        "ſ14000021",
        "E1400١٠٦٣",
        "Ｅ14001063",
        "ＳＷ１Ａ １ＡＡ",
        "SW1A\u00a01AA",
        "Ald\u200bershot",
        "\u202eAldershot",
        "Ald\x00ershot",
        "\x85Hackney",
        "Hackney\u2028",
        "'; import os #",
        "$(id)",
        "{{7*7}}",
        "<script>x</script>",
        HOSTILE,
        'it\'s "quoted"',
        "back\\slash",
        "BFPO 1234",
        "bfpo12345",
        "gır0aa",
        "GIR0AA",
        "BT1 1AA",
        "IM1 1AA",
        "GY1 1AA",
        "B1 1AA",
        "AB9 9ZZ",
        "ZZ9 9ZZ",
        "QQ1 1AA",
        "YO27 1AA",
        "BF1 1AA",
        "SW1A",
        "12345",
        "sw1a-1aa",
        "Hackney",
        "Leeds",
        "Newcastle",
        "North",
        "and",
        "&",
        "East & West",
        "St Ives",
        "st. ives",
        "Ynys Mon!",
        "Ynys Môn",
        "Montgomeryshire and Glyndŵr",
        "Brecon, Radnor and Cwm Tawe",
        "Ceredigion Preseli",
        "Cities of London",
        "Westminster",
        "ﬁfe",
        "Ⅳ",
        "½",
        "Ærfyrddin",
        "Dwyrain Caerdydd",
        "\U0001d400ldershot",
        "\ue000Leeds",
        "\U000e0041",
        "\ud800Leeds",
        "x" * 199 + "\u0301",
        "&" * 200,
        "a b " * 100,
        "Alder" + "\u0308" * 50,
    ]
    alphabet = [chr(code) for code in range(0x20, 0x250)] + list(
        "ŵŷâêîôû\u0301\u0308\u00a0\u2003ﬁ½①ＡАΑ\u0130\u0131ſ"
    )
    for _ in range(400):
        queries.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))))
    for seat in rng.sample(SEATS, 150):  # combining marks inside names: decomposed accents, stray diacritics
        name = unicodedata.normalize("NFD", seat.name)
        position = rng.randrange(1, len(name))
        queries.append(name[:position] + rng.choice("\u0301\u0308\u0327\u20dd\u0f71") + name[position:])
    queries += [unicodedata.normalize("NFD", seat.name) for seat in SEATS if not seat.name.isascii()]
    for _ in range(300):  # near misses of real names
        name = list(rng.choice(SEATS).name)
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(name))
            name[position] = rng.choice("aeiou xyz")
        queries.append("".join(name))
    return queries


def _python_answer(query: str):
    try:
        seat = default_resolver().resolve(query)
    except PackError as error:
        return (False, str(error))
    return (True, seat.gss_code)


def test_the_pages_resolver_answers_exactly_as_build_py_resolve(page, server, capsys):
    """One page load; the page's own resolver over thousands of queries, against Python's."""
    base, _ = server
    page.goto(base + "index.html")
    queries = _queries()
    answers = page.evaluate(
        """async (queries) => {
        const finder = await window.npdSearch.ready();
        return queries.map((query) => { const answer = finder.resolve(query);
            return [answer.ok, answer.ok ? answer.seat.code : answer.message,
                    answer.ok ? answer.seat.page : answer.candidates.map((seat) => seat.code).join(",")]; });
    }""",
        queries,
    )
    mismatches = [
        (query, answer[:2], _python_answer(query))
        for query, answer in zip(queries, answers)
        if tuple(answer[:2]) != _python_answer(query)
    ]
    assert mismatches == [], mismatches[:10]
    for ok, code, page_name in answers:
        if ok:
            assert page_name == f"{output_stem(BY_CODE[code])}.html"
    # The command line prints the same: "code<TAB>name<TAB>MP", or "error: " and the message on one line.
    for query, (ok, text, _) in list(zip(queries, answers))[:: max(1, len(queries) // 400)]:
        if "\x00" in query:
            continue
        status = cli.main(["resolve", "--", query])
        out, err = capsys.readouterr()
        if ok:
            seat = BY_CODE[text]
            assert (status, out) == (0, f"{seat.gss_code}\t{seat.name}\t{seat.mp_display_name}\n")
        else:
            assert (status, err) == (2, f"error: {' '.join(text.split())}\n")
    assert len(queries) > 3000


def test_hostile_text_is_shown_as_text_and_creates_nothing(page, server, traffic):
    base, _ = server
    page.goto(base + "index.html")
    count = page.evaluate("document.getElementsByTagName('*').length")
    results = search(page, HOSTILE)
    assert HOSTILE in results.inner_text()
    assert page.locator("#results img, #results script").count() == 0
    assert page.evaluate("document.getElementsByTagName('*').length") - count <= 2  # the message's own <p>
    long_text = "Lorem ipsum " * 2000
    results = search(page, long_text)
    assert "is too long" in results.inner_text()
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert traffic["dialogs"] == []


# ---- the seat page ----------------------------------------------------------------------------


def _fill_sender(page):
    type_into(page, "#sender-name", SENDER_NAME)
    TYPED.append(SENDER_ADDRESS)
    page.fill("#sender-address", SENDER_ADDRESS)


def test_the_letter_and_email_fill_in_as_text_as_you_type(page, server, traffic):
    base, _ = server
    seat = BY_CODE["E14001063"]
    page.goto(f"{base}seats/{output_stem(seat)}.html")
    letter = page.locator("#letter")
    elements_before = letter.locator("*").count()
    assert page.locator(".email-body").inner_text().rstrip().endswith(NAME_PLACEHOLDER)
    _fill_sender(page)
    assert letter.locator('[data-slot="sender_name"]').text_content() == SENDER_NAME
    assert (
        letter.locator('[data-slot="sender_address"]').text_content()
        == "1 High Street\n<b>Flat 2</b>\nAldershot GU11 1AA"
    )
    assert page.locator('[data-slot="email_sender_name"]').text_content() == SENDER_NAME
    assert letter.locator("*").count() == elements_before
    assert page.locator("script").count() == 2 and page.locator("b").count() == 0 and traffic["dialogs"] == []
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", letter.locator('[data-slot="date"]').text_content())


def _download_draft(page) -> tuple[email.message.EmailMessage, str]:
    with page.expect_download() as download:
        page.click("#download-email")
    path = download.value.path()
    return email.message_from_bytes(
        Path(path).read_bytes(), policy=email.policy.default
    ), download.value.suggested_filename


def _python_draft(seat, sender_name, pdf: Path):
    message = build_meeting_request(
        to_address=seat.mp_email or None,
        mp_full_title=seat.mp_full_title,
        salutation=salutation(seat.mp_full_title, seat.mp_display_name),
        seat_name=seat.name,
        sender_name=sender_name,
        attachments=[(pdf.name, pdf.read_bytes())],
        date=datetime.date.today(),
    )
    return email.message_from_bytes(message.as_bytes(policy=email.policy.SMTP), policy=email.policy.default)


@pytest.mark.parametrize("code", ["E14001063", "W07000086"])
def test_the_email_draft_is_the_brief_commands_with_the_pdfs_attached(page, server, site_dir, code):
    base, _ = server
    seat = BY_CODE[code]
    page.goto(f"{base}seats/{output_stem(seat)}.html")
    _fill_sender(page)
    draft, filename = _download_draft(page)
    pdf = site_dir / BRIEFINGS_DIR / f"{output_stem(seat)}.pdf"
    expected = _python_draft(seat, SENDER_NAME, pdf)
    assert filename == f"{output_stem(seat)}-meeting-request.eml"
    assert draft["X-Unsent"] == "1" and draft["From"] is None and draft["Message-ID"] is None
    assert draft["To"].addresses[0].addr_spec == seat.mp_email
    assert draft["To"].addresses[0].display_name == address_line(seat.mp_full_title)
    assert draft["Subject"] == expected["Subject"] and draft["Date"] == expected["Date"]
    body = draft.get_body(preferencelist=("plain",)).get_content()
    assert body == expected.get_body(preferencelist=("plain",)).get_content()
    assert SENDER_NAME in body and SENDER_ADDRESS not in body
    attachments = {part.get_filename(): part.get_content() for part in draft.iter_attachments()}
    assert attachments == {
        pdf.name: pdf.read_bytes(),
        NATIONAL_ANNEX: (site_dir / BRIEFINGS_DIR / NATIONAL_ANNEX).read_bytes(),
    }


def test_an_unsigned_draft_matches_the_one_build_brief_writes(page, server, site_dir):
    """The site's batch writes no drafts (the page builds them); unsigned, it is what `build.py brief` writes."""
    base, _ = server
    seat = BY_CODE["S14000021"]
    assert not list((site_dir / BRIEFINGS_DIR).glob("*.eml"))
    page.goto(f"{base}seats/{output_stem(seat)}.html")
    draft, _ = _download_draft(page)
    written = _python_draft(seat, None, site_dir / BRIEFINGS_DIR / f"{output_stem(seat)}.pdf")
    for header in ("To", "Subject", "X-Unsent"):
        assert str(draft[header]) == str(written[header])
    assert draft.get_body(("plain",)).get_content() == written.get_body(("plain",)).get_content()
    assert draft.get_body(("plain",)).get_content().rstrip().endswith(NAME_PLACEHOLDER)


def test_print_shows_the_signed_letter_alone(page, server):
    base, _ = server
    page.add_init_script("window.print = () => { window.printed = true; };")
    page.goto(f"{base}seats/{output_stem(BY_CODE['E14001063'])}.html")
    _fill_sender(page)
    page.click("#print-letter")
    assert page.evaluate("window.printed") is True
    page.emulate_media(media="print")
    visible = page.evaluate("""() => [...document.querySelectorAll('h1, #sender-name, .email-preview, .letter p')]
        .filter((node) => getComputedStyle(node).visibility === 'visible' && node.getClientRects().length)
        .map((node) => node.textContent)""")
    assert any(SENDER_NAME == text for text in visible)
    assert not [text for text in visible if "Aldershot" == text or "Dear Alex Baker,\n" in text]


def test_without_javascript_every_seat_is_listed_and_pages_still_work(browser, server):
    base, _ = server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "index.html")
    assert page.locator("#finder").is_hidden()
    assert page.locator(".seat-list a").count() == 650
    assert page.locator(".all-seats h3").all_inner_texts() == [
        "England",
        "Wales",
        "Scotland",
        "Northern Ireland",
    ]
    assert page.locator('.seat-list span[lang="cy"]').count() == sum(
        1 for s in SEATS if s.name_cy and s.name_cy != s.name
    )
    page.goto(f"{base}seats/{output_stem(BY_CODE['E14001063'])}.html")
    assert page.locator(".js-only").is_hidden()
    assert page.get_by_text("You can print this page and sign the letter by hand", exact=False).is_visible()
    context.close()


AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}


def test_axe_finds_no_accessibility_violations(page, server):
    """WCAG 2.2 A and AA and axe's best practices, on a desktop and a phone-sized window."""
    from axe_playwright_python.sync_playwright import Axe

    base, _ = server
    axe, checked = Axe(), {}
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + "index.html")
        search(page, "Hackney")  # with results showing
        checked[f"index {width}"] = axe.run(page, options=AXE_OPTIONS)
        for code in ("E14001063", "W07000086"):
            page.goto(f"{base}seats/{output_stem(BY_CODE[code])}.html")
            _fill_sender(page)
            checked[f"{code} {width}"] = axe.run(page, options=AXE_OPTIONS)
        for name in ("methodology.html", "privacy.html"):
            page.goto(base + name)
            checked[f"{name} {width}"] = axe.run(page, options=AXE_OPTIONS)
    problems = {
        name: [
            (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result.response["violations"]
        ]
        for name, result in checked.items()
    }
    assert all(not found for found in problems.values()), problems
    assert all(result.response["passes"] for result in checked.values())


def test_keyboard_alone_reaches_the_seat_and_the_draft(page, server):
    base, _ = server
    page.goto(base + "index.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "query":
            break
    assert page.evaluate("document.activeElement.id") == "query"
    page.evaluate("window.npdSearch.ready().then(() => true)")
    page.keyboard.type("Aldershot")
    page.keyboard.press("Enter")
    page.locator("#results a").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aldershot"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("E14001063"))


# ---- the site under its sub-path ---------------------------------------------------------------


def test_every_page_a_seat_page_links_opens_under_the_sub_path(page, server, site_dir):
    base, _ = server
    seat = BY_CODE["E14001063"]
    page.goto(f"{base}seats/{output_stem(seat)}.html")
    for name, file in (
        (f"Download the briefing for {seat.name}", f"{output_stem(seat)}.pdf"),
        ("Download the national annex", NATIONAL_ANNEX),
    ):
        href = page.get_by_role("link", name=name).get_attribute("href")
        response = page.request.get(urljoin(page.url, href))
        assert response.status == 200 and response.url == f"{base}{BRIEFINGS_DIR}/{file}"
        assert response.body() == (site_dir / BRIEFINGS_DIR / file).read_bytes()
    for link, heading in (
        ("where the figures come from", "Where the figures come from"),
        ("privacy", "Privacy: what this site does with what you type"),
        (
            "what changed when the figures were last checked",
            "What changed when the figures were last checked",
        ),
    ):
        page.goto(f"{base}seats/{output_stem(seat)}.html")
        page.locator(".site-footer").get_by_role("link", name=link, exact=True).click()
        page.wait_for_load_state()
        assert page.url.startswith(base) and page.locator("h1").inner_text() == heading
    page.get_by_role("link", name="Find your MP").first.click()
    page.wait_for_url(base + "index.html", wait_until="load")
    assert "Aldershot" in search(page, "Aldershot").inner_text()


def test_nothing_on_the_home_page_moves_once_it_is_drawn(page, server):
    """No layout shift as the page's scripts start (Lighthouse's cumulative layout shift), on a phone."""
    base, _ = server
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(base + "index.html", wait_until="load")
    page.wait_for_timeout(500)
    shifts = page.evaluate("""() => new Promise(resolve => {
        new PerformanceObserver(list => resolve(list.getEntries().map(entry => entry.value)))
            .observe({type: "layout-shift", buffered: true});
        setTimeout(() => resolve([]), 1000);
    })""")
    assert page.locator("#finder").is_visible() and sum(shifts) == 0, shifts


@pytest.mark.parametrize("missing", ["no-such-page.html", "seats/2019/old/E14000530-aldershot.html"])
def test_the_404_page_works_at_any_depth(page, server, missing):
    """GitHub Pages answers any missing address with 404.html, at whatever depth: its style sheet
    and links still reach the site (here at depth 1 and 3 under the sub-path)."""
    base, _ = server
    response = page.goto(base + missing)
    assert response.status == 404 and page.locator("h1").inner_text() == "Page not found"
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert header == "rgb(29, 79, 145)"  # site.css loaded
    page.get_by_role("link", name="Find your MP by postcode or constituency name").click()
    page.wait_for_url(base + "index.html", wait_until="load")
    assert "Your constituency" in search(page, "Aldershot").inner_text()


# ---- what left the page ----------------------------------------------------------------------


def test_nothing_typed_left_the_page_and_nothing_went_elsewhere(context, traffic, server):
    """Runs last in this module: every request of every test above, by browser and by server."""
    base, served = server
    assert traffic["refused"] == []
    assert traffic["seen"] and all(url.startswith(base) for _, url, _ in traffic["seen"])
    assert {method for method, _, _ in traffic["seen"]} == {"GET"}
    assert all(not body for _, _, body in traffic["seen"])
    assert served and all(
        request["path"].startswith(SUB_PATH) and request["method"] == "GET" and not request["body"]
        for request in served
    )
    assert [message for message in traffic["console"] if "Content Security Policy" in message[1]] == []
    assert [message for message in traffic["console"] if message[0] == "pageerror"] == []
    lookups = {url for _, url, _ in traffic["seen"] if "/lookup-" in url}
    assert len(lookups) == 1
    recorded = " ".join(
        [url for _, url, _ in traffic["seen"]] + [str(request["headers"]) for request in served]
    )
    for typed in TYPED:
        pieces = {
            typed,
            typed.strip(),
            typed.replace(" ", ""),
            typed.replace(" ", "%20"),
            typed.replace(" ", "+"),
        }
        for piece in pieces:
            if len(piece) >= 4:
                assert piece not in recorded and piece.lower() not in recorded.lower(), piece
    assert context.cookies() == []
    page = context.new_page()
    page.goto(base + "index.html")
    stored = page.evaluate("""async () => ({cookie: document.cookie, local: localStorage.length,
        session: sessionStorage.length, databases: (await indexedDB.databases()).length,
        caches: (await caches.keys()).length})""")
    assert stored == {"cookie": "", "local": 0, "session": 0, "databases": 0, "caches": 0}
    assert context.storage_state()["origins"] == []
