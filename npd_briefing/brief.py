"""One seat's briefing files: the PDF (and HTML) and the draft meeting-request email.

Everything a person typed is checked before the notebook runs, so bad input writes nothing. Each
file is written whole (temporary file, then rename); if a later file fails, the earlier ones from
the same run are removed, so a seat's outputs appear together or not at all.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from . import config
from .exceptions import OutputError, ParameterError
from .letter import load_letter_template, salutation
from .manifest import atomic_write_bytes
from .meeting_request import build_meeting_request, write_eml
from .resolve import Seat, fold_name, resolve

BRIEFING_NOTEBOOK = config.NOTEBOOKS_DIR / "briefing.ipynb"
FORMATS = ("pdf", "html")


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
        raise ParameterError(f"--format {','.join(items) or '(empty)'!r} is not valid; use pdf, html or pdf,html")
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


def check_request(query: str, *, formats="pdf", sender_name: str = "", sender_address: str = "",
                  letter: str | Path | None = None, date: str | None = None) -> BriefRequest:
    """Validate everything a person typed; raises a PackError naming the bad input."""
    seat = resolve(query)
    letter_path = ""
    if letter:
        load_letter_template(Path(letter))  # raises LetterTemplateError naming the file
        letter_path = str(Path(letter).resolve())
    for label, value in (("--sender-name", sender_name), ("--sender-address", sender_address)):
        if len(value or "") > 500:
            raise ParameterError(f"{label} is {len(value)} characters; at most 500 are allowed")
    return BriefRequest(seat=seat, formats=parse_formats(formats), sender_name=sender_name or "",
                        sender_address=sender_address or "", letter_path=letter_path, date=parse_date(date))


def output_stem(seat: Seat) -> str:
    """``E14001127-bridlington-and-the-wolds``: the seat's code and a plain slug of its name."""
    return f"{seat.gss_code}-{fold_name(seat.name).replace(' ', '-')}"


def document_title(seat: Seat) -> str:
    return f"Children's privacy in school data: briefing for {seat.name}"


def render_request(request: BriefRequest, out_dir: Path, *, kernel=None) -> list[Path]:
    """Run the briefing notebook for a checked request and write its files; return their paths."""
    from . import render  # the notebook toolchain is only imported when something is rendered

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from None
    nb = render.execute_notebook(BRIEFING_NOTEBOOK, request.notebook_parameters(), kernel=kernel)
    title = document_title(request.seat)
    page = render.notebook_to_html(nb, title=title)
    stem = output_stem(request.seat)
    written: list[Path] = []
    try:
        if "pdf" in request.formats:
            pdf_path = out_dir / f"{stem}.pdf"
            render.html_to_pdf(page, pdf_path, title=title)
            written.append(pdf_path)
            eml_path = out_dir / f"{stem}-meeting-request.eml"
            write_eml(meeting_request(request, pdf_path), eml_path)
            written.append(eml_path)
        if "html" in request.formats:
            html_path = out_dir / f"{stem}.html"
            try:
                atomic_write_bytes(html_path, page.encode("utf-8"))
            except OSError as exc:
                raise OutputError(f"cannot write {html_path}: {exc.strerror or exc}") from None
            written.append(html_path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def meeting_request(request: BriefRequest, pdf_path: Path):
    seat = request.seat
    return build_meeting_request(
        to_address=seat.mp_email or None, mp_full_title=seat.mp_full_title,
        salutation=salutation(seat.mp_full_title, seat.mp_display_name), seat_name=seat.name,
        sender_name=request.sender_name or None, pdf_bytes=pdf_path.read_bytes(), pdf_filename=pdf_path.name,
        date=request.date)


def brief(query: str, *, out_dir: str | Path = config.BRIEFING_OUT_DIR, formats="pdf", sender_name: str = "",
          sender_address: str = "", letter: str | Path | None = None, date: str | None = None) -> list[Path]:
    """Render one seat's briefing: ``build.py brief``."""
    request = check_request(query, formats=formats, sender_name=sender_name, sender_address=sender_address,
                            letter=letter, date=date)
    return render_request(request, Path(out_dir))
