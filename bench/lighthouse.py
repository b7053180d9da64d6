"""Lighthouse scores for the campaign website: the home page and a seat page, mobile and desktop.

    python bench/lighthouse.py                 # builds a site (one seat's briefing) in a temporary folder
    python bench/lighthouse.py --site DIR      # audits a site already built

The site is served from 127.0.0.1 under a sub-path, as GitHub Pages serves a project site, by a
threading server. Lighthouse 12.2.3 (npm) is installed on first use into bench/.lighthouse/ (not
committed) and drives Debian's chromium (CHROME_PATH) headless, with Chrome's background
networking off so that the browser itself makes no request elsewhere. Not part of `make test`: four
audits take about a minute and a half. Prints one row per page and profile with the four category
scores and the cumulative layout shift.
"""

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE_VERSION = "12.2.3"
INSTALL_DIR = ROOT / "bench" / ".lighthouse"
SUB_PATH = "/campaign/"
SEAT = "E14001063"  # Aldershot
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-background-networking --disable-component-update "
    "--disable-default-apps --disable-sync --disable-domain-reliability --no-first-run "
    "--disable-client-side-phishing-detection --metrics-recording-only"
)


def lighthouse() -> Path:
    binary = INSTALL_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(INSTALL_DIR),
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    return binary


@contextlib.contextmanager
def serve(site: Path):
    """The site at http://127.0.0.1:PORT/campaign/, from a folder whose only entry is a link to it."""
    with tempfile.TemporaryDirectory() as parent:
        (Path(parent) / SUB_PATH.strip("/")).symlink_to(site.resolve(), target_is_directory=True)
        handler = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
        httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=parent)
        )
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}{SUB_PATH}"
        finally:
            httpd.shutdown()
            httpd.server_close()


def audit(binary: Path, url: str, profile: str, work: Path) -> dict:
    report = work / "report.json"
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ] + (["--preset=desktop"] if profile == "desktop" else [])
    environment = os.environ | {
        "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium",
        "HOME": str(work),
    }
    subprocess.run(command, check=True, env=environment)
    return json.loads(report.read_text(encoding="utf-8"))


def build(out: Path) -> Path:
    from npd_briefing.site.build import build_site

    result = build_site(out_dir=out, only=[SEAT], jobs=1)
    if result.exit_code:
        sys.exit(f"the site build failed (exit {result.exit_code})")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one in a temporary folder)")
    args = parser.parse_args(argv)
    binary = lighthouse()
    from npd_briefing.pipeline.request import output_stem
    from npd_briefing.seats.resolve import default_resolver

    seat_page = f"seats/{output_stem(default_resolver().by_code(SEAT))}.html"
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        site = args.site or build(work / "site")
        rows = []
        with serve(site) as base:
            for page in ("index.html", seat_page):
                for profile in ("mobile", "desktop"):
                    result = audit(binary, base + page, profile, work)
                    scores = [round(result["categories"][name]["score"] * 100) for name in CATEGORIES]
                    cls = result["audits"]["cumulative-layout-shift"]["numericValue"]
                    rows.append((page.split("/")[0], profile, *scores, f"{cls:.3f}"))
    header = ("page", "profile", *CATEGORIES, "CLS")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, chromium, served under {SUB_PATH}")
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
