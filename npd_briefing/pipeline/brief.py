"""One seat's briefing files: the PDF (and HTML) and the draft meeting-request email.

Everything a person typed, and the curated tables the briefing reads, are checked before the
notebook runs, so bad input or damaged data writes nothing. Each file is rendered in memory first and
then written whole (temporary file, then rename), with SIGINT and SIGTERM held back for the few
milliseconds of writing; if a later file fails, the earlier ones from the same run are removed, so a
seat's outputs appear together or not at all.
"""

import contextlib
import datetime
import signal
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from npd_briefing import config
from npd_briefing.data import datasets
from npd_briefing.exceptions import OutputError, ParameterError
from npd_briefing.letters.letter import load_letter_template, salutation
from npd_briefing.files import write_output
from npd_briefing.letters.meeting_request import build_meeting_request, write_eml
from npd_briefing.seats.resolve import Seat, fold_name, resolve

BRIEFING_NOTEBOOK = config.NOTEBOOKS_DIR / "briefing.ipynb"
FORMATS = ("pdf", "html")
MAX_SENDER_CHARS = 500
# Every curated table the briefing notebook reads (resolver, analysis, charts, sources list);
# tests/test_reliability.py checks this against the tables a briefing actually loads.
BRIEFING_DATA = ("seats", "postcode_ranges", "la_ap", "pupils", "seat_la_weights", "la_lineage",
                 "school_arranged_ap_reasons", "npd_facts", "npd_release_counts", "npd_named_releases")


@dataclass(frozen=True)
class BriefRequest:
    """A checked request for one briefing: what the notebook is run with."""

    seat: Seat
    formats: tuple[str, ...]
    sender_name: str
    sender_address: str
    letter_path: str
    date: datetime.date

    def notebook_parameters(self) -> dict[str, str]:
        return {"constituency": self.seat.gss_code, "sender_name": self.sender_name,
                "sender_address": self.sender_address, "letter_path": self.letter_path,
                "date": self.date.isoformat()}


def parse_formats(text: str | tuple[str, ...]) -> tuple[str, ...]:
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text) if f.strip()]
    unknown = [f for f in items if f not in FORMATS]
    if unknown or not items:
        shown = ",".join(items) or "(empty)"
        shown = repr(shown) if len(shown) <= 40 else f"{shown[:40]!r}... ({len(shown):,} characters)"
        raise ParameterError(f"--format {shown} is not valid; use pdf, html or pdf,html")
    return tuple(dict.fromkeys(items))


def parse_date(text: str | None) -> datetime.date:
    """``YYYY-MM-DD``, or today when blank."""
    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ParameterError(f"date {str(text)[:40]!r} is not a date; write it as YYYY-MM-DD, "
                             f"e.g. 2026-03-12") from None


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
            raise ParameterError(f"{label} is not valid text (it has bytes that are not UTF-8); type it again "
                                 f"in a UTF-8 terminal")
        if category == "Cc" and char not in allowed_controls:
            raise ParameterError(f"{label} contains the control character U+{ord(char):04X}; give plain text")
    return value


def check_request(query: str, *, formats="pdf", sender_name: str = "", sender_address: str = "",
                  letter: str | Path | None = None, date: str | None = None) -> BriefRequest:
    """Validate everything a person typed; raises a PackError naming the bad input."""
    seat = resolve(query)
    letter_path = ""
    if letter:
        load_letter_template(Path(letter))  # raises LetterTemplateError naming the file
        letter_path = str(Path(letter).resolve())
        try:
            letter_path.encode("utf-8")
        except UnicodeEncodeError:
            raise ParameterError(f"the letter file's path {letter_path[:80]!r} is not valid UTF-8; rename or "
                                 f"move the file") from None
    sender_name = _check_text("--sender-name", sender_name, "\t")
    sender_address = _check_text("--sender-address", sender_address, "\t\n\r")
    sender_address = sender_address.replace("\r\n", "\n").replace("\r", "\n")
    return BriefRequest(seat=seat, formats=parse_formats(formats), sender_name=sender_name,
                        sender_address=sender_address, letter_path=letter_path, date=parse_date(date))


def check_data() -> None:
    """Check every curated table the briefing reads (sha256, rows, columns, types); raises
    DataFileError naming the first damaged file and how to rebuild it. Cached per process."""
    for name in BRIEFING_DATA:
        datasets.load(name)


def output_stem(seat: Seat) -> str:
    """``E14001127-bridlington-and-the-wolds``: the seat's code and a plain slug of its name."""
    return f"{seat.gss_code}-{fold_name(seat.name).replace(' ', '-')}"


def document_title(seat: Seat) -> str:
    return f"Children's privacy in school data: briefing for {seat.name}"


def render_request(request: BriefRequest, out_dir: Path, *, kernel=None) -> list[Path]:
    """Run the briefing notebook for a checked request and write its files; return their paths."""
    from npd_briefing.pipeline import render  # the notebook toolchain is only imported when something is rendered

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL character
        raise OutputError(f"cannot create the output folder {out_dir}: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
    nb = render.execute_notebook(BRIEFING_NOTEBOOK, request.notebook_parameters(), kernel=kernel)
    title = document_title(request.seat)
    page = render.notebook_to_html(nb, title=title)
    stem = output_stem(request.seat)
    pdf_path = out_dir / f"{stem}.pdf"
    pdf = render.html_to_pdf_bytes(page, title=title) if "pdf" in request.formats else None
    written: list[Path] = []
    try:
        with _signals_deferred():
            if pdf is not None:
                write_output(pdf_path, pdf)
                written.append(pdf_path)
                eml_path = out_dir / f"{stem}-meeting-request.eml"
                write_eml(meeting_request(request, pdf_path, pdf), eml_path)
                written.append(eml_path)
            if "html" in request.formats:
                html_path = out_dir / f"{stem}.html"
                write_output(html_path, page.encode("utf-8"))
                written.append(html_path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM until the block ends, then act on the first one as usual.

    A signal that arrives while the files are written is delivered afterwards, so the files are
    either all written and then removed by the interrupt (see ``render_request``), or, when the
    signal's action is to end the process, all written. Only the main thread can set handlers;
    elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    signums = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, lambda signum, _frame: received.append(signum))
                for signum in signums}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if received:
            signal.raise_signal(received[0])


@contextlib.contextmanager
def _sigterm_raises_system_exit():
    """While ``build.py brief`` runs, SIGTERM unwinds like Ctrl-C does, so the kernel is shut down
    and no temporary file is left; the process then exits with status 143 (128 + SIGTERM)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def meeting_request(request: BriefRequest, pdf_path: Path, pdf_bytes: bytes | None = None):
    seat = request.seat
    return build_meeting_request(
        to_address=seat.mp_email or None, mp_full_title=seat.mp_full_title,
        salutation=salutation(seat.mp_full_title, seat.mp_display_name), seat_name=seat.name,
        sender_name=request.sender_name or None,
        pdf_bytes=pdf_path.read_bytes() if pdf_bytes is None else pdf_bytes, pdf_filename=pdf_path.name,
        date=request.date)


def brief(query: str, *, out_dir: str | Path = config.BRIEFING_OUT_DIR, formats="pdf", sender_name: str = "",
          sender_address: str = "", letter: str | Path | None = None, date: str | None = None) -> list[Path]:
    """Render one seat's briefing: ``build.py brief``."""
    request = check_request(query, formats=formats, sender_name=sender_name, sender_address=sender_address,
                            letter=letter, date=date)
    check_data()
    with _sigterm_raises_system_exit():
        return render_request(request, Path(out_dir))
