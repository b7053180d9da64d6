"""The briefing's HTML page as Typst markup, so the PDF is printed from the very sections the HTML shows.

The section templates stay the one source of every sentence: this is a thin translation of the
subset of HTML they and the notebook's outputs produce (headings, paragraphs, lists, tables with
header cells, charts with alt text, strong/em, links, line breaks) into calls of the functions that
``briefing/templates/briefing.typ`` defines. Every piece of text is escaped, so nothing typed or
quoted can become Typst code; an element not in the subset keeps its text. Class names pass through
to the template, which styles the ones it knows (``summary``, ``letter``, ``note``...) and ignores
the rest. Images come only from ``data:`` PNG URLs; they are returned by name for the caller to put
where Typst reads them.
"""

import base64
import hashlib
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

# Characters with a meaning in Typst markup; a backslash before any character makes it literal.
_MARKUP_ESCAPES = str.maketrans({char: "\\" + char for char in "\\#*_`$<>@=-+/[]~'\".:()"})
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote"}
_SKIPPED = {"script", "style", "noscript", "template", "head", "title", "meta", "link"}
_HIDDEN_IN_PRINT = "screen-only"
_PX_TO_PT = 0.75
_WIDTH_PX = re.compile(r"width:\s*([\d.]+)px")
_PNG_DATA_URL = "data:image/png;base64,"
_LINK_SCHEMES = ("https:", "http:", "mailto:")


def markup_text(text: str) -> str:
    """``text`` as literal Typst markup, its whitespace collapsed as HTML does."""
    return _HTML_SPACE.sub(" ", text).translate(_MARKUP_ESCAPES)


def string_literal(text: str) -> str:
    """``text`` as a Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'


def _classes(tag: Tag) -> str:
    names = [name for name in tag.get("class", []) if re.fullmatch(r"[A-Za-z][\w-]*", name)]
    return "(" + "".join(string_literal(name) + ", " for name in names) + ")"


@dataclass
class TypstDocument:
    """The body as Typst markup, the images it names (file name to PNG bytes), and the page's language."""

    markup: str
    images: dict[str, bytes] = field(default_factory=dict)
    lang: str = "en-GB"


class _Converter:
    def __init__(self):
        self.images: dict[str, bytes] = {}

    def children(self, tag: Tag) -> str:
        return "".join(self.node(child) for child in tag.children)

    def node(self, node) -> str:
        if isinstance(node, Comment):
            return ""
        if isinstance(node, NavigableString):
            return markup_text(str(node))
        if not isinstance(node, Tag) or node.name in _SKIPPED or _HIDDEN_IN_PRINT in node.get("class", []):
            return ""
        name = node.name
        if name in _HEADINGS:
            return f"\n\n#heading(level: {_HEADINGS[name]})[{self.children(node).strip()}]\n\n"
        if name in _BLOCKS:
            return f"\n\n#styled({_classes(node)})[{self.children(node).strip()}]\n\n"
        if name in ("ul", "ol"):
            items = [self.children(li).strip() for li in node.find_all("li", recursive=False)]
            kind = "list" if name == "ul" else "enum"
            return f"\n\n#styled({_classes(node)})[#{kind}(" + "".join(f"[{i}], " for i in items) + ")]\n\n"
        if name == "table":
            return self.table(node)
        if name == "figure":
            return self.figure(node)
        if name == "img":
            return self.image(node)
        if name in ("strong", "b"):
            return f"#strong[{self.children(node)}];"
        if name in ("em", "i", "cite"):
            return f"#emph[{self.children(node)}];"
        if name == "a":
            href = node.get("href", "").strip()
            if href.lower().startswith(_LINK_SCHEMES):
                return f"#link({string_literal(href)})[{self.children(node)}];"
            return self.children(node)
        if name == "br":
            return "#linebreak();"
        if name == "hr":
            return "\n\n#rule()\n\n"
        if name in ("code", "pre"):
            return f"#raw(block: {'true' if name == 'pre' else 'false'}, {string_literal(node.get_text())});"
        if name == "span":
            lang = node.get("lang", "")
            inner = self.children(node)
            if re.fullmatch(r"[a-z]{2,3}", lang):
                inner = f"#text(lang: {string_literal(lang)})[{inner}];"
            return f"#styled({_classes(node)})[{inner}];" if node.get("class") else inner
        return self.children(node)

    def table(self, table: Tag) -> str:
        rows = table.find_all("tr")
        columns = max((len(row.find_all(("th", "td"), recursive=False)) for row in rows), default=1)
        head = [row for row in rows if row.parent.name == "thead"]
        cells = []
        caption = table.find("caption")
        if head:
            cells.append("table.header(" + "".join(self.cells(row) for row in head) + "),")
        for row in rows:
            if row in head:
                continue
            if "england" in row.get("class", []) or "total" in row.get("class", []):
                cells.append("table.hline(stroke: 1pt + luma(33%)),")
            cells.append(self.cells(row))
        caption_markup = self.children(caption).strip() if caption else ""
        return (
            f"\n\n#data-table({_classes(table)}, {columns}, caption: [{caption_markup}], "
            + "".join(cells)
            + ")\n\n"
        )

    def cells(self, row: Tag) -> str:
        out = []
        for cell in row.find_all(("th", "td"), recursive=False):
            number = "true" if "number" in cell.get("class", []) else "false"
            if cell.name == "th":
                in_head = "true" if row.parent.name == "thead" else "false"
                out.append(f"head-cell(number: {number}, column: {in_head})[{self.children(cell).strip()}],")
            else:
                out.append(f"body-cell(number: {number})[{self.children(cell).strip()}],")
        return "".join(out)

    def figure(self, figure: Tag) -> str:
        images = [self.image(img) for img in figure.find_all("img")]
        caption = figure.find("figcaption")
        caption_markup = self.children(caption).strip() if caption else ""
        return f"\n\n#chart(({''.join(i + ', ' for i in images)}), [{caption_markup}])\n\n"

    def image(self, img: Tag) -> str:
        src = img.get("src", "")
        alt = img.get("alt", "").strip()
        if not src.startswith(_PNG_DATA_URL) or not alt:
            return markup_text(alt)  # an image from anywhere else is left out; its alt text stays
        png = base64.b64decode(src[len(_PNG_DATA_URL) :])
        name = hashlib.sha256(png).hexdigest()[:32] + ".png"
        self.images[name] = png
        width = _WIDTH_PX.search(img.get("style", ""))
        width_pt = f"{float(width.group(1)) * _PX_TO_PT:.1f}pt" if width else "none"
        return f"image-with-alt({string_literal(name)}, {string_literal(alt)}, {width_pt})"


def html_to_typst(page: str) -> TypstDocument:
    """The ``<body>`` of an HTML page (a whole document or a fragment) as Typst markup."""
    soup = BeautifulSoup(page, "html.parser")
    converter = _Converter()
    body = soup.body or soup
    markup = re.sub(r"\n{3,}", "\n\n", converter.children(body)).strip() + "\n"
    html = soup.find("html")
    lang = html.get("lang", "en-GB") if html else "en-GB"
    return TypstDocument(markup=markup, images=converter.images, lang=lang)
