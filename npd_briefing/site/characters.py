"""The resolver's character rules, as tables for the seat finder in the browser.

``resolve.py`` and ``postcodes.py`` lean on Python's Unicode database: which characters ``str.split``
treats as spaces, which are controls, what ``\\d`` and ``\\w`` match in their regular expressions,
how ``fold_name`` folds each character, and which characters ``repr`` escapes in a message. A
browser has its own, possibly newer, Unicode tables, so the site ships Python's: the browser then
gives the same answer as ``build.py resolve`` for any text, not just for the text we thought of.

Ranges are flat lists ``[first, last, first, last, ...]`` of code points, in order; the lookup
file writes every such list as steps (:func:`steps`).
"""

import re
import sys
import unicodedata

from npd_briefing import caches
from npd_briefing.text import base36, fold_name

# The pieces of postcodes.LOOSE_POSTCODE, each matched with re.IGNORECASE as there
# (tests/site checks they still make up that pattern).
LOOSE_LETTER = r"[^\W\d_]"
LOOSE_DIGIT = r"\d"
LOOSE_WORD = r"[^\W_]"
LOOSE_LITERALS = "BFPOGIRA0"  # the letters of its BFPO and GIR0AA branches
GSS_LETTERS = "[EWSN]"  # resolve.GSS_CODE's first character, also matched with re.IGNORECASE
SURROGATES = (0xD800, 0xDFFF)
# Unassigned and private-use code points have no decomposition, combining class or case mapping
# (Unicode's defaults), so fold_name makes each a separator; only the others need folding one by one.
_NEVER_FOLDED = {"Cn", "Co", "Cs"}


def steps(values) -> str:
    """Ascending integers as the base-36 differences from the one before (the first from 0), comma
    separated: compact, and what the browser's ``decodeSteps`` reads back."""
    previous, out = 0, []
    for value in values:
        out.append(base36(int(value) - previous))
        previous = int(value)
    return ",".join(out)


def _planes() -> list[tuple[int, str]]:
    """Every code point as text, in two runs around the surrogates (which text cannot hold)."""
    low, high = SURROGATES
    return [
        (0, "".join(map(chr, range(low)))),
        (high + 1, "".join(map(chr, range(high + 1, sys.maxunicode + 1)))),
    ]


def _merged(ranges: list[tuple[int, int]]) -> list[int]:
    flat: list[int] = []
    for first, last in sorted(ranges):
        if flat and first == flat[-1] + 1:
            flat[-1] = last
        else:
            flat += [first, last]
    return flat


def _regex_ranges(pattern: str, flags: int = 0) -> list[int]:
    """The code points a one-character pattern matches, as ranges."""
    runs = re.compile(f"(?:{pattern})+", flags)
    return _merged(
        [
            (offset + match.start(), offset + match.end() - 1)
            for offset, text in _planes()
            for match in runs.finditer(text)
        ]
    )


def _predicate_ranges(predicate) -> list[int]:
    return _merged([(code, code) for code in range(sys.maxunicode + 1) if predicate(chr(code))])


def _fold_of(char: str) -> str:
    """What ``fold_name`` turns one character into inside a word: letters and digits, a space for
    a separator, or nothing (a combining mark)."""
    folded = fold_name(f"a{char}a")
    return folded[1:-1]


def fold_table() -> tuple[list[int], list[int], list[str]]:
    """Non-ASCII characters that fold to something other than a separator: ranges of those that
    vanish, and the code points that fold to letters or digits with what each folds to."""
    vanish, codes, folded = [], [], []
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in _NEVER_FOLDED:
            continue
        result = _fold_of(char)
        if result == "":
            vanish.append((code, code))
        elif result != " ":
            codes.append(code)
            folded.append(result)
    return _merged(vanish), codes, folded


def _is_control(char: str) -> bool:
    """resolve.SeatResolver.resolve refuses these (whitespace controls count as spacing)."""
    return unicodedata.category(char) in {"Cc", "Cf"} and not char.isspace()


@caches.per_process
def character_tables() -> dict:
    """Every table, range lists written as steps; ``fold`` pairs ``fold_codes`` with what each
    folds to, comma separated (folded text is only ``[0-9a-z ]``). They depend on this Python's Unicode
    database only, so they are worked out once per process and shared: callers must not change them."""
    vanish, fold_codes, folded = fold_table()
    gss_letters = _regex_ranges(GSS_LETTERS, re.IGNORECASE)
    return {
        "unicode_version": unicodedata.unidata_version,
        "space": steps(_predicate_ranges(str.isspace)),
        "control": steps(_predicate_ranges(_is_control)),
        "unprintable": steps(_predicate_ranges(lambda char: not char.isprintable())),
        "digit": steps(_regex_ranges(LOOSE_DIGIT)),
        "word": steps(_regex_ranges(LOOSE_WORD, re.IGNORECASE)),
        "letter": steps(_regex_ranges(LOOSE_LETTER, re.IGNORECASE)),
        "literal": {
            letter: steps(_regex_ranges(re.escape(letter), re.IGNORECASE)) for letter in LOOSE_LITERALS
        },
        "gss_letter": {
            chr(code): chr(code).upper()
            for first, last in zip(gss_letters[::2], gss_letters[1::2])
            for code in range(first, last + 1)
        },
        "vanish": steps(vanish),
        "fold_codes": steps(fold_codes),
        "fold": ",".join(folded),
    }
