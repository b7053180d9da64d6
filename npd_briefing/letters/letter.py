"""The letter to the MP: the campaign's template or the user's own file, filled in and made safe.

A letter file is the user's own text, so it is only ever substituted and rendered, never evaluated:
placeholders are a fixed set of names, values are inserted as literal text, and the Markdown is
rendered with raw HTML escaped and links/images reduced to text (the PDF engine must fetch nothing).
"""

import html
import os
import re
from pathlib import Path

import mistune
from mistune.util import escape

from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.exceptions import LetterTemplateError

DEFAULT_LETTER_PATH = TEMPLATES_DIR / "letter.md"  # today's letter, adapted from the campaign's
# Letters the pack ships, chosen by name (``--letter campaign-2017``); a path such as
# ./campaign-2017 is always a file.
BUILT_IN_LETTERS = {"campaign-2017": TEMPLATES_DIR / "letter-campaign-2017.md"}
ASKS_PATH = TEMPLATES_DIR / "asks.md"
MAX_LETTER_BYTES = 100_000

PLACEHOLDERS = frozenset(
    {
        "date",  # the date the letter is sent, e.g. "12 March 2026"
        "salutation",  # "Dear Sir Mel Stride" (the template adds the comma)
        "mp_name",  # the name as greeted, "Sir Mel Stride"
        "mp_full_title",  # the formal address line, "Rt Hon Sir Mel Stride MP"
        "seat_name",  # the constituency
        "sender_name",
        "sender_address",
        "local_figures",  # for a seat in England, its authorities' newest counts, with their census
        "national_figures",  # the size of the NPD and releases from it, each with whose figure it is
        "asks",  # what the letter asks the MP to do (briefing/templates/asks.md)
    }
)
# These render as nothing when not given: the sender may stay anonymous, and a seat outside
# England has no local figure.
OPTIONAL_PLACEHOLDERS = frozenset(
    {"sender_name", "sender_address", "local_figures", "national_figures", "asks"}
)
# Values that are the pack's own Markdown (a list of asks), inserted as Markdown, not as text.
MARKDOWN_PLACEHOLDERS = frozenset({"asks"})

# The campaign letter's own bracket placeholders, accepted so it can be pasted in unchanged.
BRACKET_ALIASES = {
    "[Date]": "{{date}}",
    "[title and name of your MP]": "{{mp_name}}",
}

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_ALIAS = re.compile("|".join(re.escape(alias) for alias in BRACKET_ALIASES), re.IGNORECASE)
_ALIAS_TARGET = {alias.lower(): target for alias, target in BRACKET_ALIASES.items()}
# Markdown in a value must stay text: escape inline markup anywhere, and list/heading/quote
# markers at the start of a line ("1. High Street" is an address, not a list).
_INLINE_MARKUP = re.compile(r"([\\`*_{}\[\]<>&])")
_LINE_START_MARKER = re.compile(r"^([#>+=-])")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
# What a letter that shows nothing consists of: whitespace, zero-width characters and stray BOMs.
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")


def _with_aliases(text: str) -> str:
    return _ALIAS.sub(lambda match: _ALIAS_TARGET[match.group(0).lower()], text)


def _check_placeholders(text: str, source: str) -> None:
    unknown = sorted({name.strip() for name in _PLACEHOLDER.findall(text)} - PLACEHOLDERS)
    valid = ", ".join(f"{{{{{name}}}}}" for name in sorted(PLACEHOLDERS))
    aliases = " and ".join(BRACKET_ALIASES)
    if unknown:
        named = ", ".join(f"{{{{{name}}}}}" for name in unknown)
        raise LetterTemplateError(
            f"{source} uses unknown placeholder(s) {named}; valid placeholders are {valid} (or {aliases})."
        )
    leftover = _PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise LetterTemplateError(
            f"{source} has an unmatched '{{{{' or '}}}}'; write placeholders as {{{{name}}}}, one of {valid}."
        )


def letter_file(letter: str | Path | None) -> Path:
    """The file a ``--letter`` value names: a built-in letter's, or the path as given."""
    if letter is None:
        return DEFAULT_LETTER_PATH
    return BUILT_IN_LETTERS.get(str(letter), Path(letter))


def load_letter_template(path: str | Path | None = None) -> str:
    """The letter Markdown (today's letter by default, or a built-in one by name), checked before
    anything is built."""
    path = letter_file(path)
    if not path.is_file():
        raise LetterTemplateError(f"Letter file {path} does not exist or is not a file.")
    try:
        # Read at most one byte past the limit: a file may grow after stat, and some (under /proc)
        # report a size of 0 whatever they hold.
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = handle.read(MAX_LETTER_BYTES + 1)
        if size > MAX_LETTER_BYTES or len(data) > MAX_LETTER_BYTES:
            shown = f"{size:,} bytes" if size > MAX_LETTER_BYTES else f"over {MAX_LETTER_BYTES:,} bytes"
            raise LetterTemplateError(
                f"Letter file {path} is {shown}; a letter may be at most {MAX_LETTER_BYTES:,} bytes (100 KB)."
            )
        text = data.decode("utf-8-sig")
    except OSError as error:
        raise LetterTemplateError(f"Letter file {path} cannot be read: {error.strerror or error}.") from None
    except UnicodeDecodeError as error:
        raise LetterTemplateError(
            f"Letter file {path} is not UTF-8 (bad byte at position {error.start}); "
            "it must be UTF-8 text: save it as UTF-8 and try again."
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _INVISIBLE.sub("", text):
        raise LetterTemplateError(f"Letter file {path} is empty; write the letter text in it.")
    text = _with_aliases(text)
    _check_placeholders(text, f"Letter file {path}")
    return text


def _as_markdown_text(value: str) -> str:
    """A plain-text value written so Markdown shows it literally, one line per line."""
    lines = []
    for line in value.splitlines():
        line = _INLINE_MARKUP.sub(r"\\\1", line.strip())
        line = _LINE_START_NUMBER.sub(r"\1\\\2", _LINE_START_MARKER.sub(r"\\\1", line))
        if line:
            lines.append(line)
    return "\n".join(lines)


def fill_letter(template: str, values: dict) -> str:
    """The letter Markdown with each placeholder replaced by its value as literal text.

    Substitution is one pass over the template, so a value that looks like a placeholder or
    markup (``{{7*7}}``, ``<script>``) stays text. Optional placeholders left out render as nothing.
    Only ``asks``, the pack's own Markdown, is inserted as Markdown.
    """
    template = _with_aliases(template)
    _check_placeholders(template, "The letter template")
    unknown = sorted(set(values) - PLACEHOLDERS)
    if unknown:
        raise ValueError(f"fill_letter got values for unknown placeholder(s): {', '.join(unknown)}")
    used = {name.strip() for name in _PLACEHOLDER.findall(template)}
    missing = sorted(name for name in used - OPTIONAL_PLACEHOLDERS if values.get(name) is None)
    if missing:
        raise ValueError(f"fill_letter needs values for: {', '.join(missing)}")

    def substitute(match: re.Match) -> str:
        name = match.group(1).strip()
        value = values.get(name)
        if value is None:
            return ""
        return str(value) if name in MARKDOWN_PLACEHOLDERS else _as_markdown_text(str(value))

    return _PLACEHOLDER.sub(substitute, template)


class _TextOnlyLinksRenderer(mistune.HTMLRenderer):
    """Links become "text (URL)" and images their alt text: nothing in the PDF is fetchable."""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        shown = html.unescape(text)
        if url in (shown, f"mailto:{shown}"):
            return text
        return f"{text} ({escape(url)})"

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return text


_MARKDOWN = mistune.create_markdown(escape=True, hard_wrap=True, renderer=_TextOnlyLinksRenderer(escape=True))


def letter_to_html(markdown_text: str) -> str:
    """HTML for the letter: raw HTML shown as text, line breaks kept (address blocks)."""
    return _MARKDOWN(markdown_text)


def asks_markdown() -> str:
    """What the letter and the briefing's first page ask the MP to do."""
    return ASKS_PATH.read_text(encoding="utf-8").strip()
