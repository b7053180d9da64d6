"""One briefing: parameterised notebook -> executed notebook -> HTML without code -> A4 PDF.

Each stage is its own function so the batch can run notebooks in a ``WarmKernel`` and reuse the
rest. Parameters reach the notebook the way papermill injects them, as Python literals, and only
names the notebook declares are accepted, so nothing a person types can become code.
"""

import copy
import hashlib
import html
import logging
import os
import re
import signal
import sys
import threading
import urllib.parse
import urllib.request
from functools import cache
from pathlib import Path

# jsonschema imports rfc3987_syntax when it is installed (jupyterlab pulls it in) and building its
# grammar costs ~0.8 s on every `import nbformat`. nbformat never checks IRI formats, so the
# import is blocked unless something already loaded it. Must run before nbformat is imported.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
import papermill  # noqa: E402
import weasyprint  # noqa: E402
import zmq  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402
from papermill.iorw import load_notebook_node  # noqa: E402
from papermill.parameterize import parameterize_notebook  # noqa: E402
from traitlets.config import Config  # noqa: E402
from weasyprint.pdf import fonts as weasyprint_fonts  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

from npd_briefing import __version__  # noqa: E402
from npd_briefing.config import TEMPLATES_DIR  # noqa: E402
from npd_briefing import exceptions  # noqa: E402
from npd_briefing.files import write_output  # noqa: E402
from npd_briefing.parameters import notebook_parameters, validate_parameters  # noqa: E402,F401
from npd_briefing.exceptions import NotebookExecutionError, OutputError, PackError  # noqa: E402

KERNEL_NAME = "python3"
# papermill reports a dying kernel through its logger as well as by raising; the exception is what we
# turn into a message, so the log line must not reach the user's terminal on its own.
logging.getLogger("papermill").addHandler(logging.NullHandler())
# History in memory, not in $HOME; and the kernel's own log (e.g. the traceback it prints when
# jupyter_client interrupts it on Ctrl-C) kept off the user's terminal: errors reach us as messages.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=CRITICAL"]
CELL_TIMEOUT_S = 120
KERNEL_START_TIMEOUT_S = 60
BRIEFING_CSS = TEMPLATES_DIR / "briefing.css"
GENERATOR = f"npd_briefing {__version__}"
# CurveZMQ between us and the kernel when libzmq has it: ipykernel otherwise warns on every start
# that its localhost TCP traffic is plain text.
TRANSPORT_ENCRYPTION = "auto" if zmq.has("curve") else "disabled"

def _execution_error(nb_path: Path, exc: Exception) -> NotebookExecutionError | PackError:
    """The error to raise for a failed run: a cell's PackError (such as a curated table found
    damaged by the kernel) is raised again as itself, with its one-line message; anything else
    is a NotebookExecutionError."""
    if isinstance(exc, (papermill.PapermillExecutionError, CellExecutionError)):
        pack_error = getattr(exceptions, exc.ename, None)
        if isinstance(pack_error, type) and issubclass(pack_error, PackError):
            return pack_error(exc.evalue)
        detail = f"{exc.ename}: {exc.evalue}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return NotebookExecutionError(f"{nb_path.name} failed while running: {detail}")


def execute_notebook(nb_path: str | os.PathLike, params: dict[str, object], *,
                     kernel: "WarmKernel | None" = None) -> nbformat.NotebookNode:
    """Validate ``params``, then run the notebook in its own folder and return it with outputs.

    Without ``kernel`` papermill starts a fresh kernel (≈1.5 s a run); pass a ``WarmKernel`` in a batch.
    Nothing is written to disk.
    """
    nb_path = Path(nb_path)
    validate_parameters(nb_path, params)
    if kernel is not None:
        return kernel._execute(nb_path, params)
    try:
        return papermill.execute_notebook(
            str(nb_path), None, parameters=params, kernel_name=KERNEL_NAME, language="python",
            cwd=str(nb_path.parent), progress_bar=False, execution_timeout=CELL_TIMEOUT_S,
            start_timeout=KERNEL_START_TIMEOUT_S, extra_arguments=KERNEL_ARGUMENTS,
            config=Config({"KernelManager": {"transport_encryption": TRANSPORT_ENCRYPTION}}))
    except (papermill.PapermillExecutionError, CellTimeoutError, DeadKernelError) as exc:
        raise _execution_error(nb_path, exc) from exc


def _current_signal_handlers() -> dict:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}


def _restore_signal_handlers(handlers: dict) -> None:
    for signum, handler in handlers.items():
        if handler is not None and signal.getsignal(signum) is not handler:
            signal.signal(signum, handler)


class WarmKernel:
    """One Python kernel kept running across notebooks, for the batch.

    Kernel start and the pandas/matplotlib imports are most of a cold run; this pays them once.
    Before each notebook ``%reset -f`` empties the user namespace and the working folder is set to
    the notebook's, so no variable leaks from one seat to the next. Imported modules stay loaded
    (that is the saving), so a notebook must not change module-level state such as matplotlib's
    rcParams. The kernel is replaced every ``restart_every`` runs to cap memory, and after a failed
    run. Use it from the thread that entered it: its channels belong to that thread's event loop.
    """

    def __init__(self, restart_every: int = 50):
        if restart_every < 1:
            raise ValueError("restart_every must be at least 1")
        self.restart_every = restart_every
        self._manager = None
        self._client = None
        self._runs_since_start = 0

    def __enter__(self) -> "WarmKernel":
        try:
            run_sync(self._start)()
        except BaseException:
            run_sync(self._stop)()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        run_sync(self._stop)()

    async def _start(self) -> None:
        self._manager = AsyncKernelManager(kernel_name=KERNEL_NAME,
                                           transport_encryption=TRANSPORT_ENCRYPTION)
        # As nbclient does for papermill: keep IPython's history in memory, not in $HOME.
        await self._manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS)
        self._client = self._manager.client()
        self._client.start_channels()
        await self._client.wait_for_ready(timeout=KERNEL_START_TIMEOUT_S)
        self._runs_since_start = 0

    async def _stop(self) -> None:
        if self._client is not None:
            self._client.stop_channels()
        if self._manager is not None and self._manager.has_kernel:
            await self._manager.shutdown_kernel(now=True)
        self._manager = self._client = None

    def kill(self) -> None:
        """Kill the kernel now, without the shutdown handshake; nothing if none is running.

        For a batch worker stopped by a signal: its event loop may be half-way through a message,
        so the orderly ``__exit__`` cannot run.
        """
        provisioner = self._manager.provisioner if self._manager is not None else None
        process = getattr(provisioner, "process", None)  # a LocalProvisioner's Popen
        self._manager = self._client = None
        if process is None or process.poll() is not None:
            return
        try:
            if provisioner.pgid:  # the kernel leads its own session: its children go too
                os.killpg(provisioner.pgid, signal.SIGKILL)
            else:
                process.kill()
        except ProcessLookupError:
            pass
        process.wait()

    def _execute(self, nb_path: Path, params: dict[str, object]) -> nbformat.NotebookNode:
        """Run a notebook whose ``params`` ``execute_notebook`` has already validated.

        nbclient sets SIGINT and SIGTERM handlers on the event loop while a notebook runs and, when
        it is done, resets them to Python's defaults, dropping any the caller had set (a batch
        worker's SIGTERM handler): they are put back here.
        """
        handlers = _current_signal_handlers()
        try:
            return run_sync(self._execute_async)(nb_path, params)
        finally:
            _restore_signal_handlers(handlers)

    async def _execute_async(self, nb_path: Path,
                             params: dict[str, object]) -> nbformat.NotebookNode:
        # A kernel that died between notebooks (OOM killer, a crash) would only show as a timeout.
        if self._runs_since_start >= self.restart_every or not await self._manager.is_alive():
            await self._stop()
            await self._start()
        nb = load_notebook_node(str(nb_path))
        if params:
            nb = parameterize_notebook(nb, params, kernel_name=KERNEL_NAME, language="python")
        self._runs_since_start += 1
        try:
            reset = await self._client.execute_interactive(
                f"%reset -f\n__import__('os').chdir({str(nb_path.parent)!r})\n",
                store_history=False, allow_stdin=False, timeout=CELL_TIMEOUT_S)
            if reset["content"]["status"] != "ok":
                raise NotebookExecutionError(f"could not reset the kernel before {nb_path.name}")
            runner = NotebookClient(nb, km=self._manager, kernel_name=KERNEL_NAME,
                                    timeout=CELL_TIMEOUT_S)
            runner.kc = self._client
            return await runner.async_execute()
        except (CellExecutionError, DeadKernelError, TimeoutError) as exc:
            # TimeoutError includes nbclient's CellTimeoutError. The kernel may be dead, busy or
            # half-way through a cell: the next run starts a fresh one.
            self._runs_since_start = self.restart_every
            raise _execution_error(nb_path, exc) from exc


@cache
def _html_exporter() -> HTMLExporter:
    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_anchor_links=True)


def _without_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without stderr streams: library warnings have no place in a letter to an MP."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs
                            if not (output.output_type == "stream" and output.name == "stderr")]
    return nb


_REMOVED_TAGS = ("script", "noscript", "iframe", "frame", "object", "embed", "link", "base", "meta")
_RESOURCE_ATTRS = ("src", "srcset", "poster", "data", "background", "href", "xlink:href",
                   "action", "formaction")
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
    without_alt = [img for img in soup.find_all("img")
                   if img.get("alt", "").strip() in ("", _NBCONVERT_PLACEHOLDER_ALT)]
    if without_alt:
        raise ValueError(f"{len(without_alt)} image(s) in the notebook output have no alt text; "
                         "show charts with npd_briefing.evidence.figures.display_figure")
    return str(soup)


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal; hex escapes keep quotes and ``</style>`` inert."""
    return '"' + "".join(char if char.isalnum() or char in " ,.'-:" else f"\\{ord(char):x} "
                         for char in text) + '"'


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, lang: str = "en-GB",
                     css_paths: tuple[str | os.PathLike, ...] = ()) -> str:
    """A complete, offline HTML5 document of the notebook's outputs only (no code, no prompts).

    The pack's ``briefing.css`` is inlined first, then any ``css_paths``, then the page margin
    texts: the title as running header, the pack version in the footer. Raises ValueError if an
    output image has no alt text.
    """
    body, _ = _html_exporter().from_notebook_node(_without_stderr(nb))
    stylesheets = [Path(path).read_text(encoding="utf-8") for path in (BRIEFING_CSS, *css_paths)]
    stylesheets.append(f"@page {{ @top-left {{ content: {_css_string(title)}; }} "
                       f"@bottom-left {{ content: {_css_string(GENERATOR)}; }} }}\n"
                       "@page :first { @top-left { content: none; } }")
    css = "\n".join(stylesheets)
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="generator" content="{GENERATOR}">\n'
            f"<title>{html.escape(title)}</title>\n<style>\n{css}\n</style>\n</head>\n"
            f"<body>\n{_offline_body(body)}\n</body>\n</html>\n")


def _is_pack_asset(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return False
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    return path.is_relative_to(TEMPLATES_DIR.resolve())


class PackAssetsFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to ``data:`` URLs and files under ``briefing/templates/``.

    Anything else (http, https, other local files) is refused before any I/O; WeasyPrint logs
    the refusal and leaves the resource out.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("data", "file"))

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:") and not _is_pack_asset(url):
            raise ValueError(f"refused {url}: only the pack's templates and data: URLs are loaded")
        return super().fetch(url, headers)


# WeasyPrint subsets every embedded font for every PDF; without the system's libharfbuzz-subset it
# uses fontTools, ~0.1 s a font and five fonts a briefing. The glyphs a briefing uses barely change
# from seat to seat, so in a batch most subsets are repeats. A subset depends only on the font's
# bytes, the glyph ids, hinting and whether glyphs are missing, so a repeat is served from memory
# with the very bytes the first call produced.
FONT_SUBSET_CACHE_SIZE = 64
_font_subsets: dict[tuple, bytes] = {}
_subset_font = weasyprint_fonts.Font.subset


def _cached_font_subset(font, to_unicode, hinting) -> None:
    if not to_unicode:
        return _subset_font(font, to_unicode, hinting)
    key = (hashlib.sha256(font.file_content).digest(), font.index, tuple(sorted(to_unicode)), hinting,
           bool(font.missing))
    if key in _font_subsets:
        font.file_content = _font_subsets[key] = _font_subsets.pop(key)  # now the most recently used
        return
    _subset_font(font, to_unicode, hinting)
    if len(_font_subsets) >= FONT_SUBSET_CACHE_SIZE:
        del _font_subsets[next(iter(_font_subsets))]  # the least recently used
    _font_subsets[key] = font.file_content


weasyprint_fonts.Font.subset = _cached_font_subset


class _RecentImages(dict):
    """WeasyPrint's image cache, kept across PDFs but bounded: the national charts are the same in
    every briefing, and seats in one authority share its charts, so their PNGs are decoded and
    re-encoded for the PDF once, not once per seat. Oldest entries go first; one briefing uses
    about 20, far below the bound, so nothing in use is evicted mid-render."""

    max_entries = 400

    def __setitem__(self, key, value):
        if key not in self and len(self) >= self.max_entries:
            del self[next(iter(self))]
        super().__setitem__(key, value)


_image_cache = _RecentImages()


def html_to_pdf_bytes(html: str, *, title: str, base_url: str | os.PathLike | None = None) -> bytes:
    """``html`` printed to an A4 PDF, tagged for screen readers, as bytes (nothing is written).

    Relative URLs resolve against ``base_url``, by default the pack's templates folder, the only
    place besides ``data:`` URLs that resources may come from. The PDF's metadata holds the title,
    the HTML's lang, ``npd_briefing X.Y.Z`` as creator and WeasyPrint as producer; no author, date
    or path.
    """
    document = weasyprint.HTML(string=html, base_url=str(base_url or TEMPLATES_DIR),
                               url_fetcher=PackAssetsFetcher()).render(cache=_image_cache)
    document.metadata.title = title
    document.metadata.authors = []
    document.metadata.generator = GENERATOR
    return document.write_pdf(pdf_tags=True)


def html_to_pdf(html: str, pdf_path: str | os.PathLike, *, title: str,
                base_url: str | os.PathLike | None = None) -> None:
    """Print ``html`` to an A4 PDF at ``pdf_path``, written atomically; see ``html_to_pdf_bytes``."""
    pdf_path = Path(pdf_path)
    pdf = html_to_pdf_bytes(html, title=title, base_url=base_url)
    try:
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {pdf_path.parent}: {exc.strerror or exc}") from None
    write_output(pdf_path, pdf)
