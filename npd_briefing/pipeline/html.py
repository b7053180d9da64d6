"""An executed briefing notebook as one offline HTML document: outputs only, nothing that runs or loads.

nbconvert's ``basic`` template gives the outputs without code or prompts (and without the cells
tagged ``researcher-notes``, which explain the notebook to someone reading it in JupyterLab); the
page around them is ``briefing/templates/document.html.j2`` with the pack's stylesheet inlined.
"""

import copy
import re
import sys

# jsonschema imports rfc3987_syntax when it is installed (jupyterlab pulls it in) and building its
# grammar costs ~0.8 s on every `import nbformat`. nbformat never checks IRI formats, so the
# import is blocked unless something already loaded it. Must run before nbformat is imported.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from markupsafe import Markup  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402
from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: E402

from npd_briefing import __version__, caches  # noqa: E402
from npd_briefing.config import TEMPLATES_DIR  # noqa: E402
from npd_briefing.data import datasets  # noqa: E402
from npd_briefing.templates import render  # noqa: E402

BRIEFING_CSS = TEMPLATES_DIR / "briefing.css"
GENERATOR = f"npd_briefing {__version__}"
NOTES_TAG = "researcher-notes"


@caches.per_process
def _html_exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTES_TAG}), enabled=True)
    return exporter


def _without_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without stderr streams: library warnings have no place in a letter to an MP."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                output
                for output in cell.outputs
                if not (output.output_type == "stream" and output.name == "stderr")
            ]
    return nb


_REMOVED_TAGS = ("script", "noscript", "iframe", "frame", "object", "embed", "link", "base", "meta")
_RESOURCE_ATTRS = (
    "src",
    "srcset",
    "poster",
    "data",
    "background",
    "href",
    "xlink:href",
    "action",
    "formaction",
)
_LINK_SCHEMES = ("https:", "http:", "mailto:", "#")
# Inline data, or a fragment within the page itself (as inline SVG's <use href="#glyph">).
_LOCAL_URL_PREFIXES = ("data:", "#")
# What nbconvert writes into an <img> that came without alt: as good as none to a reader.
_NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"
_CSS_REMOTE = re.compile(r"@import[^;]*;?|url\(\s*(?!['\"]?(?:data:|#))[^)]*\)", re.IGNORECASE)


def _offline_css(css: str) -> str:
    return _CSS_REMOTE.sub("none", css)


def _offline_body(body: str) -> str:
    """The exported body with nothing that runs or loads from elsewhere.

    Scripts, frames and <link>s go; an image, stylesheet or font may only come from a ``data:``
    URL or a ``#fragment`` of the page. Hyperlinks to web pages stay: they are followed by the
    reader, never fetched.
    """
    soup = BeautifulSoup(body, "html.parser")
    for tag in soup.find_all(_REMOVED_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        for attr, value in list(tag.attrs.items()):
            value = " ".join(value) if isinstance(value, list) else value
            if attr.startswith("on"):
                del tag[attr]
            elif attr == "href" and tag.name == "a":
                if not value.strip().lower().startswith(_LINK_SCHEMES):
                    del tag[attr]
            elif attr in _RESOURCE_ATTRS:
                if not value.strip().lower().startswith(_LOCAL_URL_PREFIXES):
                    del tag[attr]
            elif attr == "style":
                tag[attr] = _offline_css(value)
    for style in soup.find_all("style"):
        style.string = _offline_css(style.get_text())
    without_alt = [
        img for img in soup.find_all("img") if img.get("alt", "").strip() in ("", _NBCONVERT_PLACEHOLDER_ALT)
    ]
    if without_alt:
        raise ValueError(
            f"{len(without_alt)} image(s) in the notebook output have no alt text; "
            "show charts with npd_briefing.evidence.figures.display_figure"
        )
    return str(soup)


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal; hex escapes keep quotes and ``</style>`` inert."""
    return (
        '"'
        + "".join(char if char.isalnum() or char in " ,.'-:" else f"\\{ord(char):x} " for char in text)
        + '"'
    )


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, lang: str = "en-GB") -> str:
    """A complete, offline HTML5 document of the notebook's outputs only (no code, no prompts).

    The pack's ``briefing.css`` is inlined, then the page margin texts: the title as running header,
    the pack and data versions in the footer. Raises ValueError if an output image has no alt text.
    """
    body, _ = _html_exporter().from_notebook_node(_without_stderr(nb))
    margins = (
        f"@page {{ @top-left {{ content: {_css_string(title)}; }} "
        f"@bottom-left {{ content: {_css_string(f'{GENERATOR}, data {datasets.data_version()}')}; }} }}\n"
        "@page :first { @top-left { content: none; } }"
    )
    css = BRIEFING_CSS.read_text(encoding="utf-8") + "\n" + margins
    return render(
        "document.html.j2",
        lang=lang,
        title=title,
        generator=GENERATOR,
        css=Markup(css),
        body=Markup(_offline_body(body)),
    )
