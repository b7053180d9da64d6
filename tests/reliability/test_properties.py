"""Properties (hypothesis): generated queries, postcodes, letter files and command lines, in this
process and in subprocesses.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from npd_briefing.data import datasets
from npd_briefing.exceptions import (
    LetterTemplateError,
    PackError,
    PostcodeError,
)
from npd_briefing.letters.letter import (
    PLACEHOLDERS,
    fill_letter,
    letter_to_html,
    load_letter_template,
)
from npd_briefing.seats import resolve as resolve_module
from npd_briefing.seats.postcodes import normalise_postcode
from npd_briefing.seats.resolve import Seat, resolve
from tests.conftest import run_build, run_main
from tests.reliability.cases import CODE_LIKE, TYPED, assert_one_line_error, live_markup

SEAT_NAMES = [seat.name for seat in resolve_module.default_resolver().seats()]
HOMOGLYPHS = {"A": "АΑＡ", "E": "ЕΕＥ", "O": "ОΟＯ0", "S": "ЅＳ", "1": "１l", "a": "аａ", "o": "оο"}


@st.composite
def near_misses(draw):
    """A real seat name, code or postcode, then changed: case, spacing, a look-alike, an invisible
    character, a cut, or code-like text added."""
    base = draw(
        st.one_of(
            st.sampled_from(SEAT_NAMES),
            st.sampled_from(["E14001063", "W07000112", "S14000021"]),
            st.sampled_from(["SW1A 1AA", "M1 1AE", "CF10 1EP", "YO15 1AA", "BT1 1AA", "LL65 1AA"]),
        )
    )
    change = draw(st.sampled_from(["none", "case", "space", "homoglyph", "invisible", "cut", "append"]))
    if change == "case":
        return draw(st.sampled_from([base.upper(), base.lower(), base.swapcase()]))
    if change == "space":
        return draw(st.sampled_from(["", " ", "\t", "\u00a0", "\u3000"])).join(base.split(" ")) + " "
    index = draw(st.integers(0, max(len(base) - 1, 0)))
    if change == "homoglyph" and base[index] in HOMOGLYPHS:
        return base[:index] + draw(st.sampled_from(HOMOGLYPHS[base[index]])) + base[index + 1 :]
    if change == "invisible":
        return (
            base[:index]
            + draw(st.sampled_from(["\u200b", "\u200d", "\u202e", "\ufeff", "\x00", "\x1b"]))
            + base[index:]
        )
    if change == "cut":
        return base[:index]
    if change == "append":
        return base + draw(st.sampled_from(CODE_LIKE))
    return base


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=300)  # surrogates included
QUERIES = st.one_of(ANY_TEXT, near_misses(), st.sampled_from(TYPED))


@settings(max_examples=600, deadline=None)
@given(query=QUERIES)
def test_property_resolver_returns_a_seat_or_raises_pack_error(query):
    try:
        seat = resolve(query)
    except PackError as error:
        assert "\n" not in str(error) and len(str(error)) < 600
    else:
        assert isinstance(seat, Seat) and seat.gss_code in resolve_module.default_resolver()._seats


RANGE_STARTS = datasets.load("postcode_ranges")


@settings(max_examples=400, deadline=None)
@given(
    row=st.integers(0, len(RANGE_STARTS) - 1),
    swap=st.integers(0, 6),
    glyph=st.sampled_from("АЕОЅＡＢ１０\u200b"),
)
def test_property_real_postcodes_resolve_and_look_alikes_never_do(row, swap, glyph):
    start, gss_code = RANGE_STARTS.iloc[row]
    compact = np.base_repr(int(start), 36)
    postcode = normalise_postcode(compact)  # every range starts at a real postcode
    assert normalise_postcode(postcode) == postcode
    try:
        assert resolve(postcode).gss_code == gss_code
    except PostcodeError as error:
        assert gss_code == "" and "no constituency" in str(error)
    index = swap % len(postcode)
    spoofed = postcode[:index] + glyph + postcode[index + 1 :]
    with pytest.raises(PackError):
        resolve(spoofed)


LETTER_PIECES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(sorted(f"{{{{{name}}}}}" for name in PLACEHOLDERS)),
    st.sampled_from(
        [
            "{{ date }}",
            "{{nope}}",
            "{{",
            "}}",
            "[Date]",
            "[title and name of your MP]",
            "\r\n",
            "\ufeff",
            "<script>x</script>",
            "![i](file:///etc/passwd)",
            "[l](http://example.com)",
            "<img src=x>",
            "\n\n# ",
            "\n- ",
            "\n1. ",
            "> ",
            "```",
            "*",
            "_",
            "`",
            "\\",
            "&amp;",
            "<!--",
            "-->",
            "|a|b|\n|-|-|",
        ]
    ),
)
VALUES = {
    "date": "12 March 2026",
    "salutation": "Dear Sir Mel Stride",
    "mp_name": "Sir Mel Stride",
    "mp_full_title": "Rt Hon Sir Mel Stride MP",
    "seat_name": "Central Devon",
}


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(LETTER_PIECES, max_size=30),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
    name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    address=st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
)
def test_property_any_letter_file_loads_fills_and_renders_or_fails_with_letter_error(
    tmp_path_factory, pieces, encoding, name, address
):
    path = tmp_path_factory.getbasetemp() / "property-letter.md"
    try:
        path.write_bytes("".join(pieces).encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        template = load_letter_template(path)
    except LetterTemplateError as error:
        assert str(path) in str(error) and "\n" not in str(error)
        event(f"refused: {str(error).split(': ')[0].split(' ', 3)[-1][:25]}")
        return
    event("loaded, filled and rendered")
    filled = fill_letter(template, VALUES | {"sender_name": name, "sender_address": address})
    assert not any(f"{{{{{placeholder}}}}}" in filled for placeholder in PLACEHOLDERS)
    page = letter_to_html(filled)
    assert live_markup(page) == [], page


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
    | st.lists(LETTER_PIECES).map("".join)
)
def test_property_letter_html_never_fetches_or_runs_anything(text):
    page = letter_to_html(text)
    assert isinstance(page, str) and live_markup(page) == [], page


@settings(max_examples=300, deadline=None)
@given(query=QUERIES.filter(lambda q: "\x00" not in q))
def test_property_cli_resolve_in_process_exits_0_or_2_with_one_line(query):
    code, out, err = run_main(["resolve", "--", query])
    assert_one_line_error(code, out, err)
    assert code == 2 or out.count("\n") == 1


BRIEF_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=80),
    st.sampled_from(CODE_LIKE),
    st.just(""),
    st.text(max_size=600),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.one_of(st.sampled_from(SEAT_NAMES), QUERIES),
    name=BRIEF_TEXT,
    address=BRIEF_TEXT,
    date=st.one_of(st.just("2026-03-12"), st.dates().map(str), BRIEF_TEXT),
    formats=st.sampled_from(["pdf", "html", "pdf,html", "PDF", "", "docx", "pdf;html", "pdf,,html"]),
)
def test_property_cli_brief_in_process_stops_before_rendering_with_one_line(
    blocked_out, no_render, query, name, address, date, formats
):
    code, out, err = run_main(
        [
            "brief",
            "--out",
            str(blocked_out),
            f"--sender-name={name}",
            f"--sender-address={address}",
            f"--date={date}",
            f"--format={formats}",
            "--",
            query,
        ]
    )
    assert_one_line_error(code, out, err, allowed=(2,))
    assert not blocked_out.exists()


ARGV_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@settings(max_examples=25, deadline=None)
@given(query=st.one_of(ARGV_TEXT, near_misses().filter(lambda q: "\x00" not in q)))
def test_property_cli_resolve_subprocess(query):
    result = run_build("resolve", "--", query, timeout=120)
    code, out, err = result.returncode, result.stdout, result.stderr
    assert_one_line_error(code, out, err)


@settings(max_examples=15, deadline=None)
@given(
    query=st.one_of(st.sampled_from(SEAT_NAMES), ARGV_TEXT),
    name=ARGV_TEXT,
    date=ARGV_TEXT | st.dates().map(str),
)
def test_property_cli_brief_subprocess_stops_before_rendering(tmp_path_factory, query, name, date):
    blocked = tmp_path_factory.getbasetemp() / "afile"
    blocked.write_text("")
    result = run_build(
        "brief",
        "--out",
        str(blocked / "sub"),
        f"--sender-name={name}",
        f"--date={date}",
        "--",
        query,
        timeout=120,
    )
    code, out, err = result.returncode, result.stdout, result.stderr
    assert_one_line_error(code, out, err, allowed=(2,))
