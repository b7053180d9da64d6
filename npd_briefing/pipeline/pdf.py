"""An offline HTML briefing printed to an A4 PDF/UA-1 with Typst, in this process.

The page's HTML is translated to Typst markup (:mod:`.typst_markup`) and set with
``briefing/templates/briefing.typ``, with the DejaVu fonts matplotlib installs and no system font, so
a PDF looks the same on any machine set up by ``requirements.txt``. Typst reads only the charts
written here, named by their hash, under the pack's cache, and never a package or anything remote:
the markup escapes all text, and the template imports nothing. Typst checks PDF/UA-1 as it writes (a
title, a language, alt text on every image) and refuses a document that fails.
"""

import importlib.util
from pathlib import Path

import typst

from npd_briefing import caches, config
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.data import datasets
from npd_briefing.files import make_folder, write_whole
from npd_briefing.pipeline.html import GENERATOR
from npd_briefing.pipeline.typst_markup import html_to_typst, string_literal

PAGE_TEMPLATE = TEMPLATES_DIR / "briefing.typ"
# matplotlib's own copies of DejaVu Sans and Serif (found without importing matplotlib).
FONTS_DIR = Path(importlib.util.find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"
PDF_STANDARD = "ua-1"


@caches.per_process
def _compiler(images_dir: Path) -> typst.Compiler:
    """One compiler per process: it loads the fonts once and keeps its caches from PDF to PDF."""
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS_DIR)])
    return typst.Compiler(root=str(images_dir), font_paths=fonts, ignore_system_fonts=True)


@caches.per_process
def _page_template() -> str:
    return PAGE_TEMPLATE.read_text(encoding="utf-8")


def footer_line() -> str:
    """What every page's footer says besides its number: the pack's and the data's versions."""
    return f"{GENERATOR}, data {datasets.data_version()}"


def typst_source(html: str, *, title: str) -> tuple[str, dict[str, bytes]]:
    """The Typst document for ``html``, and the images it reads (file name to PNG bytes)."""
    document = html_to_typst(html)
    language, _, region = document.lang.partition("-")
    settings = {
        "doc-title": string_literal(title),
        "doc-lang": string_literal(language.lower() or "en"),
        "doc-region": string_literal(region.upper()) if region else "none",
        "doc-footer": string_literal(footer_line()),
        "doc-generator": string_literal(GENERATOR),
    }
    prelude = "".join(f"#let {name} = {value}\n" for name, value in settings.items())
    return prelude + _page_template() + "\n" + document.markup, document.images


def html_to_pdf_bytes(html: str, *, title: str) -> bytes:
    """``html`` printed to an A4 PDF/UA-1, as bytes; nothing is written but the charts Typst reads.

    The PDF's metadata holds the title, the HTML's lang and ``npd_briefing X.Y.Z`` as its keyword;
    Typst is the creator; no author, date or path. Raises ``typst.TypstError`` if the document breaks
    what Typst checks for PDF/UA-1 (an image without alt text, say).
    """
    source, images = typst_source(html, title=title)
    images_dir = make_folder(config.CACHE_DIR / "pdf-images")
    for name, png in images.items():
        if not (images_dir / name).is_file():
            write_whole(images_dir / name, png)
    return _compiler(images_dir).compile(source.encode("utf-8"), format="pdf", pdf_standards=[PDF_STANDARD])
