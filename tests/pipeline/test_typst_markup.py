"""The HTML the section templates produce, translated to Typst markup: every element of the subset,
text that stays text whatever it holds, and images only from inline PNGs with their alt text."""

import base64
import io
import re

import pypdf
import pytest
import typst

from npd_briefing.pipeline.pdf import PAGE_TEMPLATE, html_to_pdf_bytes, typst_source
from npd_briefing.pipeline.typst_markup import html_to_typst, markup_text
from tests.conftest import squeeze
from tests.pipeline.pdf_tags import struct_elements

# Everything that means something in Typst markup or code, and things that would run elsewhere.
HOSTILE = (
    '#import "@preview/cetz:0.3.0": * #read("/etc/passwd") // not a comment /* nor this */ '
    "*bold?* _em?_ `raw?` $x^2$ <label> @ref = heading? - item? + item? 1. item? [a] {b} (c) ~ \\ "
    "'single' \"double\" -- --- ... http://example.com {{7*7}} \\u{41} ‘curly’ Môn &"
)
PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00\x00\x00IEND\xaeB`\x82"
)
INLINE_PNG = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()


def page(body: str, lang: str = "en-GB") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head><title>t</title></head><body>{body}</body></html>'


def pdf_text(pdf: bytes) -> str:
    return squeeze(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def test_text_stays_text_whatever_it_holds():
    html = f"<p>{HOSTILE.replace('&', '&amp;').replace('<', '&lt;')}</p><h1>{HOSTILE.replace('&', '&amp;').replace('<', '&lt;')}</h1>"
    document = html_to_typst(page(html))
    assert not re.search(r"(?<!\\)#(import|read)", document.markup)
    text = pdf_text(html_to_pdf_bytes(page(html), title="t"))
    assert text.count(squeeze(HOSTILE)) == 2


def test_whitespace_collapses_as_in_html():
    assert markup_text("a \n\t b") == "a b"
    assert "[a b]" in html_to_typst(page("<p>a\n\n\n   b</p>")).markup


def test_each_element_of_the_subset_becomes_its_typst_call():
    html = (
        "<section class='summary'><h1>One</h1><h2>Two</h2><h3>Three</h3>"
        "<p class='note'>A <strong>strong</strong> and <em>em</em> word, a <a href='https://example.org/x_y'>link</a>,"
        " a <a href='javascript:alert(1)'>dead link</a><br>and a break.</p>"
        "<ul><li>first</li><li>second <strong>b</strong></li></ul><ol><li>numbered</li></ol>"
        "<table class='local-figures'><caption>Cap</caption><thead><tr><th scope='col'>Area</th>"
        "<th class='number' scope='col'>Pupils</th></tr></thead>"
        "<tbody><tr><th scope='row'>Hull</th><td class='number'>12</td></tr>"
        "<tr class='england'><th scope='row'>England</th><td class='number'>58,450</td></tr></tbody></table>"
        "<hr><pre>code  kept</pre><span lang='cy'>Ynys Môn</span> <blink>unknown tag keeps its text</blink>"
        "<h2 class='screen-only'>Only on screen</h2><script>alert(1)</script><style>p {}</style></section>"
    )
    markup = html_to_typst(page(html)).markup
    for call in (
        '#styled(("summary", ))[',
        "#heading(level: 1)[One]",
        "#heading(level: 3)[Three]",
        '#styled(("note", ))[A #strong[strong]; and #emph[em]; word',
        '#link("https://example.org/x_y")[link];',
        "#linebreak();",
        "#list([first], [second #strong[b];], )",
        "#enum([numbered], )",
        '#data-table(("local-figures", ), 2, caption: [Cap], table.header(head-cell(number: false, column: true)[Area],',
        "head-cell(number: false, column: false)[Hull],body-cell(number: true)[12],",
        "table.hline(",
        "#rule()",
        '#raw(block: true, "code  kept");',
        '#text(lang: "cy")[Ynys Môn];',
        "unknown tag keeps its text",
    ):
        assert call in markup, call
    assert "Only on screen" not in markup and "alert" not in markup and "javascript" not in markup
    assert "dead link" in markup


def test_a_table_keeps_its_header_cells_in_the_pdf():
    html = (
        "<table><thead><tr><th>Area</th><th>Pupils</th></tr></thead>"
        "<tbody><tr><td>Hull</td><td>12</td></tr></tbody></table>"
    )
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf_bytes(page(html), title="t")))
    kinds = [kind for kind, _ in struct_elements(reader)]
    assert kinds.count("TH") == 2 and kinds.count("TD") == 2 and "THead" in kinds


def test_images_only_from_inline_pngs_with_alt_text(tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG_1PX)
    html = (
        f'<figure class="chart"><img src="{INLINE_PNG}" style="width: 200px" alt="A chart: "quoted" \\ alt">'
        "<figcaption>Source: DfE</figcaption></figure>"
        f'<img src="{outside.as_uri()}" alt="outside"><img src="{outside}" alt="bare path">'
        '<img src="https://example.com/x.png" alt="remote"><img src="file:///etc/passwd" alt="passwd">'
    )
    document = html_to_typst(page(html))
    assert list(document.images.values()) == [PNG_1PX]
    assert document.markup.count("image-with-alt(") == 1
    assert "150.0pt" in document.markup  # 200 CSS px
    for alt in ("outside", "bare path", "remote", "passwd"):
        assert alt in document.markup  # what the image was is said in words
    text = pdf_text(html_to_pdf_bytes(page(html), title="t"))
    assert squeeze("Source: DfE") in text and "root:" not in text


def test_the_page_language_and_title_reach_the_pdf():
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf_bytes(page("<p>Bore da</p>", lang="cy"), title="Teitl")))
    assert reader.trailer["/Root"]["/Lang"] == "cy"
    assert reader.metadata["/Title"] == "Teitl"


@pytest.mark.parametrize("title", ['A "quoted" \\ title #with [markup]', "Ynys Môn"])
def test_any_title_is_a_string(title):
    source, _ = typst_source(page("<p>x</p>"), title=title)
    assert source.startswith('#let doc-title = "')
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf_bytes(page("<p>x</p>"), title=title)))
    assert reader.metadata["/Title"] == title


def test_typst_refuses_what_breaks_pdf_ua_1():
    with pytest.raises(typst.TypstError, match="PDF/UA-1"):
        html_to_pdf_bytes(page("<h2>A second-level heading first</h2>"), title="t")


def test_the_page_template_loads_nothing():
    template = PAGE_TEMPLATE.read_text(encoding="utf-8")
    for loader in ("#import", "#include", "read(", "@preview", "http"):
        assert loader not in template
