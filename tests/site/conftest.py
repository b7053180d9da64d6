"""The campaign website, built once for the site tests from a handful of seats, and served locally.

Briefings are rendered for one seat in each nation (every seat still gets a page), and a small
stand-in for the national annex (whose real PDF other work produces) is put in the briefings
folder first, so the pages link it and the email drafts attach it. The site is served by
``http.server`` on 127.0.0.1 under a sub-path, with every request it receives recorded; like GitHub
Pages, it answers an address that is not in the site with the site's 404 page.
"""

import functools
import http.server
import io
import sys
import threading
from pathlib import Path

import pypdf
import pytest
from site_setup import BASE_URL, LETTER_DATE, SITE_SEATS, SUB_PATH

from npd_briefing.site.build import BRIEFINGS_DIR, NATIONAL_ANNEX, build_site
from npd_briefing.site.check import NOT_FOUND_PAGE
from tests.conftest import built_once


def _blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def _build_site(root: Path):
    out = root / SUB_PATH.strip("/")
    (out / BRIEFINGS_DIR).mkdir(parents=True)
    (out / BRIEFINGS_DIR / NATIONAL_ANNEX).write_bytes(_blank_pdf())
    result = build_site(out_dir=out, only=list(SITE_SEATS), jobs=2, date=LETTER_DATE, base_url=BASE_URL)
    assert result.exit_code == 0 and sorted(result.batch.rendered) == sorted(SITE_SEATS)
    return result


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """(site folder, SiteResult) for a site whose briefings are rendered for SITE_SEATS: built once a
    run, by the first parallel worker that needs it."""
    root, result = built_once(tmp_path_factory, "site-root", _build_site)
    return root / SUB_PATH.strip("/"), result


@pytest.fixture(scope="session")
def site_dir(site) -> Path:
    return site[0]


class QuietServer(http.server.ThreadingHTTPServer):
    """A threading server that says nothing when the browser drops a connection it no longer needs (a page
    left mid-load); any other error in a request is printed as usual."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RecordingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the files and records every request: method, path, headers and body."""

    requests: list[dict]
    not_found_page: Path

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )

    def do_GET(self):
        self._record()
        if Path(self.translate_path(self.path)).exists():
            super().do_GET()
            return
        page = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def do_HEAD(self):
        self._record()
        super().do_HEAD()

    def do_POST(self):
        self._record()
        self.send_error(405)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site_dir):
    """(base URL of the site under its sub-path, the list of requests the server received)."""
    root = site_dir
    for _ in SUB_PATH.strip("/").split("/"):
        root = root.parent
    requests: list[dict] = []
    handler = type(
        "Handler", (RecordingHandler,), {"requests": requests, "not_found_page": site_dir / NOT_FOUND_PAGE}
    )
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{SUB_PATH}", requests
    httpd.shutdown()
    httpd.server_close()
