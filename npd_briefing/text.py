"""Text as the pack compares and quotes it: folded names, and input shown safely in one-line messages."""

import re
import unicodedata

QUOTED_CHARS = 40  # how much of what a person typed an error message repeats


def base36(number: int) -> str:
    """A non-negative integer in base 36, lower case: ``int(text, 36)`` reversed."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def fold_name(text: str) -> str:
    """Case, accents, punctuation and "&" do not matter: "Ynys Môn" == "ynys mon"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = plain.replace("&", " and ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def slug(text: str) -> str:
    """ "Ynys Môn" -> "ynys-mon", for file names."""
    return fold_name(text).replace(" ", "-")


def quoted(text: str, limit: int = QUOTED_CHARS) -> str:
    """``text`` quoted and escaped (control characters shown as escapes), cut to ``limit`` characters
    with its full length said, so that anything typed fits one line of an error message."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def one_line(text: str, limit: int) -> str:
    """A message on one line and at most ``limit`` characters (a batch's failure reasons)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
