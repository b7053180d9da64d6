"""An executed notebook as one offline HTML document: outputs only, nothing that runs or loads."""

import base64
import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from npd_briefing import __version__
from npd_briefing.pipeline.html import notebook_to_html
from tests.pipeline.conftest import TITLE, TagCollector

# A 1x1 PNG.
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


def test_html_is_a_complete_document_in_british_english(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in page
    assert f"<title>{TITLE}</title>" in page
    assert f'<meta name="generator" content="npd_briefing {__version__}">' in page
    assert "@page" in page and "counter(pages)" in page and f"npd_briefing {__version__}" in page


def test_html_has_outputs_but_no_code_scripts_or_warnings(page):
    assert "<script" not in page.lower()
    assert "display_figure(" not in page and "import html" not in page and "In&nbsp;[" not in page
    assert "a library warning" not in page
    assert "Briefing for &#x27;; import os" in page or "Briefing for '; import os" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "In <strong>2024</strong> the share was 25%." in page


def test_every_image_has_alt_text_and_an_inline_source(page):
    images = TagCollector(page).attrs_of("img")
    assert len(images) == 1
    for image in images:
        assert image.get("alt", "").strip()
        assert image["src"].startswith("data:image/png;base64,")
    assert "Source: Test data</figcaption>" in page


def resource_urls(page):
    urls = []
    for tag, attrs in TagCollector(page).tags:
        for name in ("src", "srcset", "poster", "data", "action"):
            if attrs.get(name):
                urls.append(attrs[name])
        if tag != "a" and attrs.get("href"):
            urls.append(attrs["href"])
    urls.extend(re.findall(r"url\(\s*['\"]?([^'\")]*)", page))
    urls.extend(re.findall(r"@import\s+['\"]?([^'\";]*)", page))
    return urls


def test_html_references_no_remote_resource(page):
    assert all(url.startswith(("data:", "#")) for url in resource_urls(page))


def test_foreign_markup_in_outputs_is_made_offline():
    hostile = (
        '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" '
        'href="https://cdn.example/x.css"><iframe src="https://example.com"></iframe>'
        '<style>@import "https://cdn.example/y.css"; p { background: url(http://x/y.png) }</style>'
        '<p style="background:url(https://x/z.png)" onclick="steal()">text</p>'
        '<img src="https://tracker.example/pixel.png" alt="pixel">'
        '<a href="https://www.gov.uk/npd">NPD</a><a href="javascript:steal()">bad</a>'
        '<svg><defs><path id="g" d="M0 0"/></defs><use href="#g" style="clip-path: url(#c)"/></svg>'
    )
    nb = new_notebook(
        cells=[
            new_markdown_cell("![a remote picture](http://example.com/p.png)"),
            new_code_cell("", outputs=[new_output("display_data", data={"text/html": hostile})]),
        ]
    )
    page = notebook_to_html(nb, title='a title with </style><script>x</script> "quotes"')
    assert "<script" not in page and "<iframe" not in page and "onclick" not in page
    assert page.split("</head>")[0].count("</style>") == 1  # the title stayed inside its string
    assert all(url.startswith(("data:", "#")) for url in resource_urls(page))
    assert "example" not in page.replace('href="https://www.gov.uk/npd"', "")
    assert '<a href="https://www.gov.uk/npd">NPD</a>' in page  # links stay: they are not fetched
    assert 'alt="pixel"' in page and 'alt="a remote picture"' in page
    assert '<use href="#g" style="clip-path: url(#c)">' in page  # same-page references stay


def test_an_image_without_alt_text_is_refused():
    png = base64.b64encode(PNG_1PX).decode()
    nb = new_notebook(
        cells=[new_code_cell("", outputs=[new_output("display_data", data={"image/png": png})])]
    )
    with pytest.raises(ValueError, match="alt text"):
        notebook_to_html(nb, title="t")
