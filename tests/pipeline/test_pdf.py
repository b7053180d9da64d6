"""HTML printed to an A4 PDF: tagged, titled, fonts embedded, nothing personal, nothing fetched."""

import base64
import getpass
import os
import urllib.request

import pypdf
import pytest

from npd_briefing import __version__
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.pipeline.weasyprint_pdf import PackAssetsFetcher, weasyprint_pdf_bytes
from tests.pipeline.conftest import TITLE
from tests.pipeline.pdf_tags import struct_elements
from tests.pipeline.test_html import PNG_1PX


def test_pdf_is_a4_with_extractable_text_and_the_title(pdf_path):
    reader = pypdf.PdfReader(pdf_path)
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1
        assert abs(float(page.mediabox.height) - 842) <= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert TITLE in text and "{{7*7}}" in text and "Source: Test data" in text
    assert f"npd_briefing {__version__}" in text and "Page 1 of" in text


def test_pdf_metadata_has_title_and_language_and_nothing_personal(pdf_path, tmp_path):
    reader = pypdf.PdfReader(pdf_path)
    metadata = dict(reader.metadata)
    assert metadata["/Title"] == TITLE
    assert metadata["/Keywords"] == f"npd_briefing {__version__}"  # Typst names itself the creator
    assert "/Author" not in metadata
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    private = [str(pdf_path.parent), str(tmp_path), os.environ["HOME"], getpass.getuser()]
    for value in metadata.values():
        assert not any(secret in str(value) for secret in private), value


def test_pdf_embeds_its_fonts(pdf_path):
    reader = pypdf.PdfReader(pdf_path)
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        )
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object())


def test_pdf_is_tagged_with_the_chart_alt_text(pdf_path):
    alts = [node.get("/Alt") for kind, node in struct_elements(pypdf.PdfReader(pdf_path)) if kind == "Figure"]
    assert alts == ["Bar chart: requests doubled from 2019 to 2023"]


@pytest.fixture
def opened_urls(monkeypatch):
    """Every URL WeasyPrint's fetcher actually opens (it opens through urllib): WeasyPrint is the
    benches' baseline engine."""
    opened = []
    real_open = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(url.full_url if isinstance(url, urllib.request.Request) else url)
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    return opened


def test_only_data_urls_and_pack_templates_are_fetched(tmp_path, opened_urls):
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG_1PX)
    inline = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    refused = [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.png",
        outside.as_uri(),
        f"{TEMPLATES_DIR.as_uri()}/../../npd_briefing/__init__.py",
    ]
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>t</title>'
        '<link rel="stylesheet" href="https://cdn.example/x.css">'
        '<link rel="stylesheet" href="briefing.css"></head><body><p>Words.</p>'
        + "".join(f'<img src="{url}" alt="refused">' for url in refused)
        + f'<img src="{inline}" alt="inline"></body></html>'
    )
    (tmp_path / "out.pdf").write_bytes(weasyprint_pdf_bytes(page, title="t"))
    assert pypdf.PdfReader(tmp_path / "out.pdf").pages
    assert sorted(opened_urls) == sorted([inline, (TEMPLATES_DIR / "briefing.css").as_uri()])


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/", "ftp://example.com/x"])
def test_the_fetcher_refuses_before_opening(url, opened_urls):
    with pytest.raises(ValueError):
        PackAssetsFetcher()(url)
    assert opened_urls == []
