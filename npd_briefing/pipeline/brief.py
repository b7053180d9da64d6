"""One seat's briefing files: the PDF (and HTML) and the draft meeting-request email.

Everything a person typed, and the curated tables the briefing reads, are checked first
(:mod:`.request`), so bad input or damaged data writes nothing. Each file is rendered in memory and
then written whole (temporary file, then rename), with SIGINT and SIGTERM held back for the few
milliseconds of writing; if a later file fails, the earlier ones from the same run are removed, so a
seat's outputs appear together or not at all.
"""

import contextlib
import importlib
import signal
import threading
from pathlib import Path

from npd_briefing import config
from npd_briefing.files import make_folder, write_output
from npd_briefing.letters.meeting_request import build_meeting_request, write_eml
from npd_briefing.letters.salutation import salutation
from npd_briefing.pipeline.annex import cached_annex, copy_annex
from npd_briefing.pipeline.request import (
    BRIEFING_NOTEBOOK,
    KERNEL_PRELOAD,
    BriefRequest,
    check_data,
    check_request,
    document_title,
    output_stem,
)


def render_request(request: BriefRequest, out_dir: Path, *, annex: Path, kernel=None) -> list[Path]:
    """Run the briefing notebook for a checked request and write its files; return their paths."""
    from npd_briefing.pipeline.notebook import execute_notebook  # the toolchain: only when rendering

    out_dir = make_folder(out_dir)
    return write_request(
        request,
        execute_notebook(BRIEFING_NOTEBOOK, request.notebook_parameters(), kernel=kernel),
        out_dir,
        annex=annex,
    )


def write_request(request: BriefRequest, nb, out_dir: Path, *, annex: Path) -> list[Path]:
    """The executed briefing notebook ``nb`` as the request's files; return their paths. ``annex`` is
    the national annex (the cache's file): the draft email attaches it, and it is copied beside the
    briefing unless the same file is there already."""
    from npd_briefing.pipeline.html import notebook_to_html
    from npd_briefing.pipeline.pdf import html_to_pdf_bytes

    title = document_title(request.seat)
    page = notebook_to_html(nb, title=title)
    stem = output_stem(request.seat)
    pdf_path = out_dir / f"{stem}.pdf"
    pdf = html_to_pdf_bytes(page, title=title) if "pdf" in request.formats else None
    written: list[Path] = []
    try:
        with _signals_deferred():
            if pdf is not None:
                write_output(pdf_path, pdf)
                written.append(pdf_path)
            if pdf is not None and request.email_draft:
                eml_path = out_dir / f"{stem}-meeting-request.eml"
                write_eml(
                    meeting_request(request, [(pdf_path.name, pdf), (config.ANNEX_FILE, annex.read_bytes())]),
                    eml_path,
                )
                written.append(eml_path)
            if "html" in request.formats:
                html_path = out_dir / f"{stem}.html"
                write_output(html_path, page.encode("utf-8"))
                written.append(html_path)
            annex_copy, created = copy_annex(out_dir, annex)
            if created:  # the first briefing in this folder: the annex goes or stays with it
                written.append(annex_copy)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM until the block ends, then act on the first one as usual.

    A signal that arrives while the files are written is delivered afterwards, so the files are
    either all written and then removed by the interrupt (see ``write_request``), or, when the
    signal's action is to end the process, all written. Only the main thread can set handlers;
    elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    signums = (signal.SIGINT, signal.SIGTERM)
    previous = {
        signum: signal.signal(signum, lambda signum, _frame: received.append(signum)) for signum in signums
    }
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


def meeting_request(request: BriefRequest, attachments: list[tuple[str, bytes]]):
    """The draft email for a request, with ``attachments`` as (file name, PDF bytes)."""
    seat = request.seat
    return build_meeting_request(
        to_address=seat.mp_email or None,
        mp_full_title=seat.mp_full_title,
        salutation=salutation(seat.mp_full_title, seat.mp_display_name),
        seat_name=seat.name,
        sender_name=request.sender_name or None,
        attachments=attachments,
        date=request.date,
    )


def brief(
    query: str,
    *,
    out_dir: str | Path = config.BRIEFING_OUT_DIR,
    formats="pdf",
    sender_name: str = "",
    sender_address: str = "",
    letter: str | Path | None = None,
    date: str | None = None,
) -> list[Path]:
    """Render one seat's briefing: ``build.py brief``."""
    request = check_request(
        query,
        formats=formats,
        sender_name=sender_name,
        sender_address=sender_address,
        letter=letter,
        date=date,
    )
    check_data()
    out_dir = make_folder(out_dir)
    from npd_briefing.pipeline.notebook import WarmKernel, execute_notebook

    with _sigterm_raises_system_exit():
        # The kernel starts and imports the briefing's code in its own process while this one imports
        # the HTML and PDF toolchain; it is shut down as soon as the notebook has run.
        with WarmKernel(preload=KERNEL_PRELOAD) as kernel:
            for module in ("npd_briefing.pipeline.html", "npd_briefing.pipeline.pdf"):
                importlib.import_module(module)
            annex = cached_annex(kernel=kernel)
            nb = execute_notebook(BRIEFING_NOTEBOOK, request.notebook_parameters(), kernel=kernel)
        written = write_request(request, nb, out_dir, annex=annex)
    annex = out_dir / config.ANNEX_FILE
    return written if annex in written else [*written, annex]
