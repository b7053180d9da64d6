"""Real briefings and the annex as PDF/UA-1: declared, and built so a screen reader finds what the HTML
shows: the same headings in the same order, the tables' column headers, every chart's alt text,
the language and the document's title."""

import getpass
import re
from html.parser import HTMLParser

import pypdf
import pytest

from npd_briefing import config
from npd_briefing.pipeline.annex import ANNEX_TITLE
from npd_briefing.pipeline.brief import brief
from npd_briefing.pipeline.request import document_title
from npd_briefing.seats.resolve import resolve
from tests.pipeline.pdf_tags import struct_elements

SEATS = ("Barrow and Furness", "Ynys Môn")  # two authorities and three charts; a Welsh seat


class _Outline(HTMLParser):
    """The headings (by level), column header cells and image alt texts of the HTML, as printed."""

    def __init__(self):
        super().__init__()
        self.headings, self.alts, self.column_headers = [], [], 0
        self._hidden = 0
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and "screen-only" not in (attrs.get("class") or ""):
            self.headings.append(f"H{tag[1]}")
        elif tag == "img":
            self.alts.append(attrs["alt"])
        elif tag == "thead":
            self._in_head = True
        elif tag == "th" and self._in_head:
            self.column_headers += 1

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def tags(path) -> dict:
    """The PDF's structure: heading levels in order, TH cells with their scope, figures' alt texts."""
    found = {"headings": [], "th_scopes": [], "alts": []}
    reader = pypdf.PdfReader(path)
    for kind, node in struct_elements(reader):
        if re.fullmatch(r"H[1-6]", kind):
            found["headings"].append(kind)
        elif kind == "TH":
            attributes = node.get("/A")
            attributes = attributes.get_object() if attributes is not None else {}
            attributes = attributes if isinstance(attributes, list) else [attributes]
            found["th_scopes"] += [str(a.get_object().get("/Scope", "")) for a in attributes if "/Scope" in a]
        elif kind == "Figure":
            found["alts"].append(str(node.get("/Alt", "")))
    root = reader.trailer["/Root"]
    found["xmp"] = root["/Metadata"].get_object().get_data().decode("utf-8")
    found["lang"] = str(root["/Lang"])
    found["title"] = str(reader.metadata["/Title"])
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("ua")
    documents = {}
    for seat in SEATS:
        paths = brief(seat, out_dir=out, formats="pdf,html", date="2026-03-12")
        pdf = next(p for p in paths if p.suffix == ".pdf" and p.name != config.ANNEX_FILE)
        documents[seat] = (pdf, pdf.with_suffix(".html").read_text(encoding="utf-8"))
    return out, documents


def declares_pdf_ua_1(xmp: str) -> bool:
    return re.search(r"<pdfuaid:part>\s*1\s*</pdfuaid:part>|pdfuaid:part=\"1\"", xmp) is not None


@pytest.mark.parametrize("seat", SEATS)
def test_each_briefing_is_pdf_ua_1_with_the_htmls_structure(rendered, seat):
    _, documents = rendered
    pdf, html = documents[seat]
    found, expected = tags(pdf), outline(html)
    assert declares_pdf_ua_1(found["xmp"])
    assert found["headings"] == expected.headings and found["headings"][0] == "H1"
    assert all(int(b[1]) - int(a[1]) <= 1 for a, b in zip(found["headings"], found["headings"][1:]))
    assert found["th_scopes"].count("/Column") == expected.column_headers
    assert found["alts"] == expected.alts and all(alt.strip() for alt in found["alts"])
    assert found["lang"] == "en-GB"
    assert found["title"] == document_title(resolve(seat))
    for private in (str(pdf.parent), str(config.ROOT), str(config.CACHE_DIR), getpass.getuser()):
        assert private not in found["xmp"]


def test_an_english_briefing_has_its_table_headers_and_charts(rendered):
    _, documents = rendered
    found = tags(documents["Barrow and Furness"][0])
    assert found["th_scopes"].count("/Column") == 8 and len(found["alts"]) == 3


def test_the_annex_is_pdf_ua_1(rendered):
    out, _ = rendered
    found = tags(out / config.ANNEX_FILE)
    assert declares_pdf_ua_1(found["xmp"])
    assert found["headings"][0] == "H1" and found["headings"].count("H1") == 1
    assert len(found["alts"]) >= 8 and all(alt.strip() for alt in found["alts"])
    assert found["th_scopes"].count("/Column") >= 4
    assert found["lang"] == "en-GB" and found["title"] == ANNEX_TITLE
