"""How the MP is greeted in a letter and addressed on the envelope, from Parliament's record.

One rule for the letter, the email and the site, so the three never greet the same MP differently.
"""

import re

from npd_briefing.exceptions import DataFileError

# "Rt Hon" is a style for envelopes and lists, not for "Dear ...".
_ADDRESS_STYLE = re.compile(r"^(?:the\s+)?(?:rt\.?|right)\s+hon(?:\.|ourable)?\s+", re.IGNORECASE)
_POST_NOMINALS = frozenset({"MP", "KC", "QC", "PC", "CBE", "OBE", "MBE", "KBE", "DBE", "BEM"})
_PERSONAL_STYLES = frozenset({"Sir", "Dame", "Dr", "Professor", "Prof", "Mr", "Mrs", "Ms", "Miss", "Mx"})


def _bare_name(title: str) -> list[str]:
    """The words of a title without "Rt Hon" in front or "MP"/"KC"/honours behind."""
    words = _ADDRESS_STYLE.sub("", " ".join(title.split())).split()
    while words and words[-1] in _POST_NOMINALS:
        words.pop()
    return words


def salutation_name(full_title: str, display_name: str) -> str:
    """The MP's name as greeted in a letter, e.g. "Sir Mel Stride"; see ``salutation``."""
    name = _bare_name(display_name) or _bare_name(full_title)
    if not name:
        raise DataFileError(f"MP name is blank (full title {full_title!r}, display name {display_name!r}).")
    title_words = _bare_name(full_title)
    if name[0] not in _PERSONAL_STYLES and title_words and title_words[0] in _PERSONAL_STYLES:
        name.insert(0, title_words[0])
    return " ".join(name)


def salutation(full_title: str, display_name: str) -> str:
    """The greeting line without its comma, e.g. "Dear Sir Mel Stride".

    Rule (UK parliamentary convention, adapted to data that records no gender):
    - "Rt Hon" (Privy Counsellor) is a style for the envelope, never the greeting: dropped.
    - "MP" and post-nominals such as "KC" or "CBE" are dropped.
    - The personal style the member uses is kept: "Sir"/"Dame" ("Dear Sir Mel Stride",
      "Dear Dame Meg Hillier"), "Dr", and "Mr"/"Mrs"/"Ms" where the Parliament record gives one
      (in ``display_name`` or ``full_title``), e.g. "Dear Mr David Lammy".
    - Otherwise the full name alone, gender-neutral: "Dear Alex Baker".
    The name comes from ``display_name`` (how the member is listed); ``full_title`` supplies a
    style the display name lacks and stands in when the display name is blank.
    """
    return f"Dear {salutation_name(full_title, display_name)}"


def address_line(full_title: str) -> str:
    """The formal address for the envelope and the To line, e.g. "Rt Hon Sir Mel Stride MP".

    The full title is kept as Parliament gives it; "MP" is added when the record lacks it
    (a few new members' titles do), since every member in the lookup sits in the Commons.
    """
    words = full_title.split()
    if not words:
        raise DataFileError("MP full title is blank.")
    if words[-1] != "MP":
        words.append("MP")
    return " ".join(words)
