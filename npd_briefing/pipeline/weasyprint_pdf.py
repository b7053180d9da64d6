"""An offline HTML briefing printed to an A4 PDF with WeasyPrint, tagged for screen readers.

The pack's engine before Typst (:mod:`.pdf`), kept as the baseline the benches compare with: the
naive loop in ``bench/batch.py`` and the engines in ``bench/engines.py`` print with it. WeasyPrint may load only ``data:`` URLs and the pack's own templates; font subsets, decoded images and
image streams are kept across PDFs, since every briefing in a batch uses the same fonts and many
share charts.
"""

import hashlib
import os
import urllib.parse
import urllib.request
from pathlib import Path

import weasyprint
from weasyprint import images as weasyprint_images
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.urls import URLFetcher

from npd_briefing import caches
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.pipeline.html import GENERATOR


def _is_pack_asset(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return False
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    return path.is_relative_to(TEMPLATES_DIR.resolve())


class PackAssetsFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to ``data:`` URLs and files under ``briefing/templates/``.

    Anything else (http, https, other local files) is refused before any I/O; WeasyPrint logs
    the refusal and leaves the resource out.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("data", "file"))

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:") and not _is_pack_asset(url):
            raise ValueError(f"refused {url}: only the pack's templates and data: URLs are loaded")
        return super().fetch(url, headers)


class _Recent(dict):
    """A dict that keeps at most ``max_entries``, dropping the oldest first: the caches below live as
    long as a batch worker, so they are bounded; a briefing uses a few dozen entries, far below the
    bounds, so nothing in use is dropped mid-render."""

    def __init__(self, max_entries: int):
        super().__init__()
        self.max_entries = max_entries

    def __setitem__(self, key, value):
        if key not in self and len(self) >= self.max_entries:
            del self[next(iter(self))]
        super().__setitem__(key, value)


# WeasyPrint subsets every embedded font for every PDF; without the system's libharfbuzz-subset it
# uses fontTools, ~0.1 s a font and five fonts a briefing. The glyphs a briefing uses barely change
# from seat to seat, so in a batch most subsets are repeats. A subset depends only on the font's
# bytes, the glyph ids, hinting and whether glyphs are missing, so a repeat is served from memory
# with the very bytes the first call produced.
_font_subsets = _Recent(64)
_subset_font = weasyprint_fonts.Font.subset


def _cached_font_subset(font, to_unicode, hinting) -> None:
    if not to_unicode:
        return _subset_font(font, to_unicode, hinting)
    key = (
        hashlib.sha256(font.file_content).digest(),
        font.index,
        tuple(sorted(to_unicode)),
        hinting,
        bool(font.missing),
    )
    if key in _font_subsets:
        font.file_content = _font_subsets[key] = _font_subsets.pop(key)  # now the most recently used
        return
    _subset_font(font, to_unicode, hinting)
    _font_subsets[key] = font.file_content


weasyprint_fonts.Font.subset = _cached_font_subset
caches.register(_font_subsets.clear)

# WeasyPrint turns every raster image into a PDF image stream by saving its pixels as PNG again, for
# every PDF, even an image it has cached: a fifth of a briefing's PDF time. The charts repeat from
# seat to seat (an authority's, the national one), and the stream depends only on the pixels, so it
# is kept by their hash and a repeat gets the very bytes the first save produced.
_png_streams = _Recent(256)
_png_stream = weasyprint_images.RasterImage._get_png_data


def _cached_png_stream(pillow_image) -> bytes:
    key = (pillow_image.mode, pillow_image.size, hashlib.sha256(pillow_image.tobytes()).digest())
    if key not in _png_streams:
        _png_streams[key] = _png_stream(pillow_image)
    return _png_streams[key]


weasyprint_images.RasterImage._get_png_data = staticmethod(_cached_png_stream)
caches.register(_png_streams.clear)

# WeasyPrint's cache of decoded images, kept across PDFs.
_image_cache = _Recent(400)
caches.register(_image_cache.clear)


def weasyprint_pdf_bytes(
    html: str, *, title: str, base_url: str | os.PathLike | None = None, **options
) -> bytes:
    """``html`` printed to an A4 PDF, tagged for screen readers, as bytes (nothing is written);
    ``options`` go to WeasyPrint's ``write_pdf`` (``pdf_variant="pdf/ua-1"``, ``dpi``...).

    Relative URLs resolve against ``base_url``, by default the pack's templates folder, the only
    place besides ``data:`` URLs that resources may come from. The PDF's metadata holds the title,
    the HTML's lang, ``npd_briefing X.Y.Z`` as creator and WeasyPrint as producer; no author, date
    or path.
    """
    document = weasyprint.HTML(
        string=html, base_url=str(base_url or TEMPLATES_DIR), url_fetcher=PackAssetsFetcher()
    ).render(cache=_image_cache)
    document.metadata.title = title
    document.metadata.authors = []
    document.metadata.generator = GENERATOR
    return document.write_pdf(pdf_tags=True, **options)
