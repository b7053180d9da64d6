"""The letter: greetings for every real MP, letter files checked, user text kept inert."""

import csv
import re

import pytest

from npd_briefing.config import RAW_DATA_DIR
from npd_briefing.exceptions import LetterTemplateError
from npd_briefing.letters.letter import (
    MAX_LETTER_BYTES,
    PLACEHOLDERS,
    fill_letter,
    letter_to_html,
    load_letter_template,
)
from npd_briefing.letters.salutation import address_line, salutation

MP_LOOKUP = RAW_DATA_DIR / "constituencies" / "dfe_mp_lookup.csv"


@pytest.fixture(scope="module")
def mps():
    with open(MP_LOOKUP, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 650
    return rows


def _values(**overrides):
    values = {
        "date": "12 March 2026",
        "salutation": "Dear Sir Mel Stride",
        "mp_name": "Sir Mel Stride",
        "mp_full_title": "Rt Hon Sir Mel Stride MP",
        "seat_name": "Central Devon",
    }
    return values | overrides


def test_every_mp_gets_a_plain_greeting(mps):
    for row in mps:
        greeting = salutation(row["full_title"], row["display_as"])
        assert greeting.startswith("Dear ") and len(greeting) > len("Dear ")
        assert "Rt Hon" not in greeting and "Hon" not in greeting.split()
        assert not re.search(r"\b(MP|KC)$", greeting), greeting
        assert "  " not in greeting


def test_knights_dames_and_doctors_keep_their_style(mps):
    for row in mps:
        title_words = row["full_title"].replace("Rt Hon ", "").split()
        if title_words[0] in {"Sir", "Dame", "Dr"}:
            assert salutation(row["full_title"], row["display_as"]).startswith(f"Dear {title_words[0]} ")


@pytest.mark.parametrize(
    "full_title, display_as, expected",
    [
        ("Rt Hon Sir Mel Stride MP", "Sir Mel Stride", "Dear Sir Mel Stride"),
        ("Dame Meg Hillier MP", "Dame Meg Hillier", "Dear Dame Meg Hillier"),
        ("Rt Hon Dame Diana Johnson MP", "Dame Diana Johnson", "Dear Dame Diana Johnson"),
        ("Dr Rosena Allin-Khan MP", "Dr Rosena Allin-Khan", "Dear Dr Rosena Allin-Khan"),
        ("Rt Hon Dr Andrew Murrison MP", "Dr Andrew Murrison", "Dear Dr Andrew Murrison"),
        ("Alex Baker MP", "Alex Baker", "Dear Alex Baker"),
        ("Rt Hon Wendy Morton MP", "Wendy Morton", "Dear Wendy Morton"),
        ("Rt Hon Sir Lindsay Hoyle MP", "Sir Lindsay Hoyle", "Dear Sir Lindsay Hoyle"),  # the Speaker
        ("Rt Hon Sir Iain Duncan Smith MP", "Sir Iain Duncan Smith", "Dear Sir Iain Duncan Smith"),
        ("Rt Hon Sir Jeremy Wright KC MP", "Sir Jeremy Wright", "Dear Sir Jeremy Wright"),
        ("Rt Hon Shabana Mahmood KC MP", "Shabana Mahmood", "Dear Shabana Mahmood"),
        ("Jim Allister KC MP", "Jim Allister", "Dear Jim Allister"),
        ("Rt Hon David Lammy MP", "Mr David Lammy", "Dear Mr David Lammy"),
        ("Rt Hon Kemi Badenoch MP", "Mrs Kemi Badenoch", "Dear Mrs Kemi Badenoch"),
        ("Ms Stella Creasy MP", "Ms Stella Creasy", "Dear Ms Stella Creasy"),
        ("Rt Hon Andy Burnham", "Andy Burnham", "Dear Andy Burnham"),
        ("Warinder Juss", "Warinder Juss", "Dear Warinder Juss"),
        ("Zöe Franklin MP", "Zöe Franklin", "Dear Zöe Franklin"),
        ("Rt Hon Sir Mel Stride MP", "Mel Stride", "Dear Sir Mel Stride"),  # style only in the title
        ("Rt Hon Sir Mel Stride MP", "", "Dear Sir Mel Stride"),
    ],
)
def test_salutation_examples(mps, full_title, display_as, expected):
    assert salutation(full_title, display_as) == expected


def test_examples_match_the_real_file(mps):
    by_title = {row["full_title"]: row["display_as"] for row in mps}
    assert by_title["Rt Hon Sir Mel Stride MP"] == "Sir Mel Stride"
    assert by_title["Rt Hon David Lammy MP"] == "Mr David Lammy"
    assert by_title["Warinder Juss"] == "Warinder Juss"


def test_address_line_keeps_the_full_title():
    assert address_line("Rt Hon Sir Mel Stride MP") == "Rt Hon Sir Mel Stride MP"
    assert address_line("Rt Hon Sir Jeremy Wright KC MP") == "Rt Hon Sir Jeremy Wright KC MP"
    assert address_line("Rt Hon Andy Burnham") == "Rt Hon Andy Burnham MP"


def test_default_template_loads_and_fills():
    template = load_letter_template()
    assert "{{date}}" in template and "{{salutation}}," in template and "defenddigitalme" in template
    filled = fill_letter(template, _values(sender_name="Jo Bloggs", sender_address="1 High Street\nCrediton"))
    assert "Dear Sir Mel Stride," in filled and "Jo Bloggs" in filled and "{{" not in filled
    rendered = letter_to_html(filled)
    assert "1 High Street<br />\nCrediton" in rendered
    assert "Rt Hon Sir Mel Stride MP<br />\nHouse of Commons" in rendered


def test_sender_left_out_renders_nothing():
    filled = fill_letter(load_letter_template(), _values())
    assert filled.startswith("\n\n12 March 2026")
    assert "{{" not in filled and "None" not in filled


def test_missing_required_value_is_an_error():
    with pytest.raises(ValueError, match="date"):
        fill_letter("{{date}} {{salutation}}", {"salutation": "Dear Alex Baker"})


def test_unknown_placeholder_is_named(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_text("{{date}}\n\nDear {{mp_nmae}},\n{{ 7*7 }}\n", encoding="utf-8")
    with pytest.raises(LetterTemplateError) as error:
        load_letter_template(letter)
    message = str(error.value)
    assert "{{mp_nmae}}" in message and "{{7*7}}" in message and str(letter) in message
    for name in PLACEHOLDERS:
        assert f"{{{{{name}}}}}" in message


def test_unmatched_braces_are_an_error(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_text("{{date}\n\nHello\n", encoding="utf-8")
    with pytest.raises(LetterTemplateError, match="unmatched"):
        load_letter_template(letter)


def test_not_utf8_is_an_error(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_bytes("Dear MP, caf\u00e9".encode("latin-1"))
    with pytest.raises(LetterTemplateError, match="must be UTF-8 text") as error:
        load_letter_template(letter)
    assert str(letter) in str(error.value)


@pytest.mark.parametrize("content", ["", "  \n\n\t\n"])
def test_empty_is_an_error(tmp_path, content):
    letter = tmp_path / "letter.md"
    letter.write_text(content, encoding="utf-8")
    with pytest.raises(LetterTemplateError, match="empty"):
        load_letter_template(letter)


def test_too_big_is_an_error(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_text("a" * (MAX_LETTER_BYTES + 1), encoding="utf-8")
    with pytest.raises(LetterTemplateError, match="at most"):
        load_letter_template(letter)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(LetterTemplateError, match="does not exist"):
        load_letter_template(tmp_path / "nope.md")


def test_campaign_bracket_placeholders_are_accepted(tmp_path):
    letter = tmp_path / "letter.md"
    letter.write_bytes(
        "\ufeff[Date]\r\n\r\nDear [title and name of your MP]\r\n\r\nI am concerned.\r\n".encode()
    )
    template = load_letter_template(letter)
    assert template == "{{date}}\n\nDear {{mp_name}}\n\nI am concerned.\n"
    filled = fill_letter(template, _values())
    assert filled.startswith("12 March 2026\n\nDear Sir Mel Stride\n")


@pytest.mark.parametrize(
    "hostile", ["{{7*7}}", "{{date}}", "${7*7}", "<%= 7*7 %>", "{% print(1) %}", "__import__('os')"]
)
def test_values_stay_literal(hostile):
    filled = fill_letter("{{sender_name}}", {"sender_name": hostile})
    rendered = letter_to_html(filled)
    assert "49" not in filled and "12 March" not in filled
    assert hostile.replace("<", "&lt;").replace(">", "&gt;") in rendered


def test_placeholder_syntax_in_template_is_not_evaluated():
    with pytest.raises(LetterTemplateError, match=re.escape("{{7*7}}")):
        fill_letter("Total: {{7*7}}", _values())


def test_markdown_in_values_stays_text():
    filled = fill_letter("{{sender_address}}", {"sender_address": "1. High Street\n# Flat *2*\n- Town"})
    rendered = letter_to_html(filled)
    assert "<ol" not in rendered and "<h1" not in rendered and "<ul" not in rendered and "<em" not in rendered
    assert "1. High Street<br />\n# Flat *2*<br />\n- Town" in rendered


def test_raw_html_is_escaped():
    rendered = letter_to_html("Hello <script>alert(1)</script>\n\n<div onclick=x>block</div>\n")
    assert "<script" not in rendered and "<div" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


@pytest.mark.parametrize(
    "markdown",
    [
        "[passwords](file:///etc/passwd)",
        "![chart](file:///etc/passwd)",
        "<file:///etc/passwd>",
        "[tracker](http://evil.example/pixel.png)",
        "![pixel](http://evil.example/pixel.png)",
        "<http://evil.example/pixel.png>",
        "[ref][1]\n\n[1]: http://evil.example/pixel.png",
        '<img src="http://evil.example/pixel.png">',
        '<a href="file:///etc/passwd">x</a>',
    ],
)
def test_links_and_images_are_never_fetchable(markdown):
    rendered = letter_to_html(markdown)
    assert not re.search(r"<(a|img|link|iframe|object|embed)\b", rendered), rendered
    assert not re.search(r"<[^>]*\b(src|href)=", rendered), rendered


def test_links_show_their_url_as_text():
    assert letter_to_html("[passwords](file:///etc/passwd)") == "<p>passwords (file:///etc/passwd)</p>\n"
    assert letter_to_html("![a chart](http://x.example/c.png)") == "<p>a chart</p>\n"
    assert letter_to_html("<http://defenddigitalme.com>") == "<p>http://defenddigitalme.com</p>\n"
