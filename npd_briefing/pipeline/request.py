"""What a person asks ``build.py brief`` for, checked before anything runs: the seat, the sender's
details, the letter file, the date and the formats.

Bad input raises a PackError naming it, so nothing is rendered or written. The seat is resolved
here once; the notebook then receives its GSS code and plain values.
"""

import datetime
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from npd_briefing import config
from npd_briefing.data import datasets, tables
from npd_briefing.dates import parse_date
from npd_briefing.exceptions import ParameterError
from npd_briefing.letters.letter import BUILT_IN_LETTERS, load_letter_template
from npd_briefing.seats.resolve import Seat, resolve
from npd_briefing.text import quoted, slug

BRIEFING_NOTEBOOK = config.NOTEBOOKS_DIR / "briefing.ipynb"
ANNEX_NOTEBOOK = config.NOTEBOOKS_DIR / "national_annex.ipynb"
# What a kernel imports as it starts, before the first notebook asks for it.
KERNEL_PRELOAD = "import npd_briefing.evidence.briefing"
FORMATS = ("pdf", "html")
MAX_SENDER_CHARS = 500
# Every table a briefing, its annex or the seat lookup reads: checked before anything runs.
BRIEF_TABLES = tables.used_by(tables.BRIEFING, tables.LOCAL, tables.ANNEX, tables.SEAT_LOOKUP)


@dataclass(frozen=True)
class BriefRequest:
    """A checked request for one briefing: what the notebook is run with."""

    seat: Seat
    formats: tuple[str, ...]
    sender_name: str
    sender_address: str
    letter_path: str
    date: datetime.date
    email_draft: bool = True  # the website builds its drafts in the browser, so its batch writes none

    def notebook_parameters(self) -> dict[str, str]:
        return {
            "constituency": self.seat.gss_code,
            "sender_name": self.sender_name,
            "sender_address": self.sender_address,
            "letter_path": self.letter_path,
            "date": self.date.isoformat(),
        }


def parse_formats(text: str | tuple[str, ...]) -> tuple[str, ...]:
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text) if f.strip()]
    unknown = [f for f in items if f not in FORMATS]
    if unknown or not items:
        raise ParameterError(
            f"--format {quoted(','.join(items) or '(empty)')} is not valid; use pdf, html or pdf,html"
        )
    return tuple(dict.fromkeys(items))


def _check_text(label: str, value, allowed_controls: str = "") -> str:
    """A sender field as plain text: at most MAX_SENDER_CHARS characters, no control characters
    (but ``allowed_controls``) and nothing that cannot be written as UTF-8 (the lone surrogates
    Python makes of undecodable bytes in a command line)."""
    value = "" if value is None else str(value)
    if len(value) > MAX_SENDER_CHARS:
        raise ParameterError(f"{label} is {len(value):,} characters; at most {MAX_SENDER_CHARS} are allowed")
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ParameterError(
                f"{label} is not valid text (it has bytes that are not UTF-8); type it again "
                f"in a UTF-8 terminal"
            )
        if category == "Cc" and char not in allowed_controls:
            raise ParameterError(f"{label} contains the control character U+{ord(char):04X}; give plain text")
    return value


def check_request(
    query: "str | Seat",
    *,
    formats="pdf",
    sender_name: str = "",
    sender_address: str = "",
    letter: str | Path | None = None,
    date: str | None = None,
    email_draft: bool = True,
) -> BriefRequest:
    """Validate everything a person typed; raises a PackError naming the bad input. ``query`` may be
    a seat already resolved (the batch resolves its seats once, when it selects them)."""
    seat = query if isinstance(query, Seat) else resolve(query)
    letter_path = ""
    if letter:
        load_letter_template(letter)  # raises LetterTemplateError naming the file
        letter_path = str(letter) if str(letter) in BUILT_IN_LETTERS else str(Path(letter).resolve())
        try:
            letter_path.encode("utf-8")
        except UnicodeEncodeError:
            raise ParameterError(
                f"the letter file's path {quoted(letter_path)} is not valid UTF-8; rename or move the file"
            ) from None
    sender_name = _check_text("--sender-name", sender_name, "\t")
    sender_address = _check_text("--sender-address", sender_address, "\t\n\r")
    sender_address = sender_address.replace("\r\n", "\n").replace("\r", "\n")
    return BriefRequest(
        seat=seat,
        formats=parse_formats(formats),
        sender_name=sender_name,
        sender_address=sender_address,
        letter_path=letter_path,
        date=parse_date(date),
        email_draft=email_draft,
    )


def check_data() -> None:
    """Check every curated table the briefing reads (sha256, rows, columns, types); raises
    DataFileError naming the first damaged file and how to rebuild it. Cached per process."""
    for name in BRIEF_TABLES:
        datasets.columns(name)


def output_stem(seat: Seat) -> str:
    """``E14001127-bridlington-and-the-wolds``: the seat's code and a plain slug of its name."""
    return f"{seat.gss_code}-{slug(seat.name)}"


def document_title(seat: Seat) -> str:
    return f"Children's privacy in school data: briefing for {seat.name}"
