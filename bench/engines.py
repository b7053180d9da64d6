#!/usr/bin/env python3
"""The PDF engines side by side on the same pages: WeasyPrint as before, WeasyPrint tuned, and Typst.

    .venv/bin/python bench/engines.py [--png DIR] [--repeats 3]

Three seats (an English seat in two authorities, a Welsh seat, an English seat with a small-numbers
authority) and the national annex are rendered to HTML once, as a briefing is (notebook, nbconvert,
the section templates); then each engine prints the same HTML, in a fresh Python of its own, warmed
up on the annex first so that every seat is printed the way a batch worker prints it. Time is the
printing process's CPU time (user + system, every thread), not wall time, so a busy machine barely
moves it; each figure is the median over ``--repeats`` fresh processes. For each PDF the table gives
the pages, the file size and what a screen reader gets: the headings in order, lists, table header
cells, figures and whether each has alt text, the document's language, its title and whether it
declares PDF/UA-1. ``--png DIR`` writes every page at 60 dpi for a person to look at. The table goes
to stdout and bench/engines.md.
"""

import argparse
import html
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pipeline.pdf_tags import struct_elements  # noqa: E402

OUT_FILE = ROOT / "bench" / "engines.md"
SEATS = {
    "two authorities": "Barrow and Furness",
    "Wales": "Ynys Môn",
    "small numbers": "St Ives",  # Cornwall and the Isles of Scilly (2 pupils in AP)
}
ANNEX = "national annex"
# name: (description, the call that prints ``page`` with ``title``)
ENGINES = {
    "weasyprint": (
        "WeasyPrint 70 as before (briefing.css, tagged)",
        "weasyprint_pdf_bytes(page, title=title)",
    ),
    "weasyprint-ua1": (
        'WeasyPrint tuned: pdf_variant="pdf/ua-1"',
        'weasyprint_pdf_bytes(page, title=title, pdf_variant="pdf/ua-1")',
    ),
    "weasyprint-ua1-small": (
        'WeasyPrint tuned: "pdf/ua-1", images at 150 dpi, JPEG 85, optimised',
        'weasyprint_pdf_bytes(page, title=title, pdf_variant="pdf/ua-1", dpi=150, jpeg_quality=85, '
        "optimize_images=True)",
    ),
    "typst": (
        "Typst 0.15 in-process (briefing.typ from the same HTML, PDF/UA-1)",
        "html_to_pdf_bytes(page, title=title)",
    ),
}
PRINTER = """
import json, sys, time
from pathlib import Path
from npd_briefing.pipeline.pdf import html_to_pdf_bytes
from npd_briefing.pipeline.weasyprint_pdf import weasyprint_pdf_bytes
jobs = json.loads(sys.argv[1])
times = {}
for name, page_path, title, out in jobs:  # the annex first: the warm-up, timed but not a seat
    page = Path(page_path).read_text(encoding="utf-8")
    started = time.process_time()
    pdf = %s
    times[name] = time.process_time() - started
    Path(out).write_bytes(pdf)
print(json.dumps(times))
"""


def render_pages(work: Path) -> dict[str, tuple[Path, str]]:
    """Each document's HTML page and title, as the pipeline makes them."""
    from npd_briefing.pipeline.annex import ANNEX_TITLE
    from npd_briefing.pipeline.html import notebook_to_html
    from npd_briefing.pipeline.notebook import WarmKernel, execute_notebook
    from npd_briefing.pipeline.request import (
        ANNEX_NOTEBOOK,
        BRIEFING_NOTEBOOK,
        KERNEL_PRELOAD,
        check_request,
        document_title,
    )

    pages = {}
    with WarmKernel(preload=KERNEL_PRELOAD) as kernel:
        page = notebook_to_html(execute_notebook(ANNEX_NOTEBOOK, {}, kernel=kernel), title=ANNEX_TITLE)
        pages[ANNEX] = (work / "annex.html", ANNEX_TITLE, page)
        for key, seat in SEATS.items():
            request = check_request(seat, date="2026-03-12")
            title = document_title(request.seat)
            nb = execute_notebook(BRIEFING_NOTEBOOK, request.notebook_parameters(), kernel=kernel)
            pages[key] = (work / f"{request.seat.gss_code}.html", title, notebook_to_html(nb, title=title))
    for path, _, page in pages.values():
        path.write_text(page, encoding="utf-8")
    return {name: (path, title) for name, (path, title, _) in pages.items()}


def structure(path: Path) -> dict:
    """What the PDF's tags and metadata give a screen reader."""
    reader = pypdf.PdfReader(path)
    root = reader.trailer["/Root"]
    found = {"headings": [], "L": 0, "TH": 0, "Table": 0, "figures": 0, "alts": 0}

    for kind, node in struct_elements(reader):
        if re.fullmatch(r"H[1-6]", kind):
            found["headings"].append(kind)
        elif kind in ("L", "TH", "Table"):
            found[kind] += 1
        elif kind == "Figure":
            found["figures"] += 1
            found["alts"] += bool(str(node.get("/Alt", "")).strip())
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8", "replace") if "/Metadata" in root else ""
    ua = re.search(r"pdfuaid:part(?:>|=\")\s*(\d)", xmp)
    found.update(
        pages=len(reader.pages),
        kb=path.stat().st_size / 1024,
        lang=str(root.get("/Lang", "")),
        title=str((reader.metadata or {}).get("/Title", "")),
        ua=ua.group(1) if ua else "",
    )
    return found


def headings_outline(headings: list[str]) -> str:
    """``H1 H2x3 H3`` for H1 H2 H2 H2 H3: the order, compressed."""
    runs: list[list] = []
    for level in headings:
        if runs and runs[-1][0] == level:
            runs[-1][1] += 1
        else:
            runs.append([level, 1])
    return " ".join(level + (f"x{count}" if count > 1 else "") for level, count in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, help="write each PDF's pages as PNG (60 dpi) here")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per engine (default: 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="npd-engines-") as tmp:
        work = Path(tmp)
        print("rendering the HTML of three seats and the annex ...", file=sys.stderr)
        pages = render_pages(work)
        order = [ANNEX, *SEATS]
        cpu: dict[str, dict[str, list[float]]] = {}
        shapes: dict[str, dict[str, dict]] = {}
        for engine, (_, call) in ENGINES.items():
            print(f"{engine} ...", file=sys.stderr)
            jobs = [
                [name, str(pages[name][0]), pages[name][1], str(work / f"{engine}-{i}.pdf")]
                for i, name in enumerate(order)
            ]
            cpu[engine] = {name: [] for name in order}
            for _ in range(args.repeats):
                result = subprocess.run(
                    [sys.executable, "-c", PRINTER % call, json.dumps(jobs)],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                for name, seconds in json.loads(result.stdout.strip().splitlines()[-1]).items():
                    cpu[engine][name].append(seconds)
            shapes[engine] = {name: structure(Path(job[3])) for name, job in zip(order, jobs)}
            if args.png:
                args.png.mkdir(parents=True, exist_ok=True)
                for name, job in zip(order, jobs):
                    stem = re.sub(r"\W+", "-", f"{engine} {name}")
                    subprocess.run(["pdftoppm", "-png", "-r", "60", job[3], str(args.png / stem)], check=True)
    lines = [
        "# PDF engines on the same pages",
        "",
        "Made by `bench/engines.py` (all rows in one run). CPU: seconds of the printing process's CPU"
        f" (user + system, all threads), median of {args.repeats} fresh processes, each warmed up on the"
        " annex first (the annex row is that first, cold, print). Tags read from the PDF's structure tree:"
        " headings in order, lists (L), tables, header cells (TH), figures with alt text / figures.",
        "",
        *(f"- **{engine}**: {description}" for engine, (description, _) in ENGINES.items()),
        "",
        "| engine | document | CPU s | pages | KB | headings | L | tables / TH | alt / figures | Lang | PDF/UA | title |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for engine in ENGINES:
        for name in order:
            s = shapes[engine][name]
            title = pages[name][1]
            lines.append(
                f"| {engine} | {html.escape(SEATS.get(name, name))}{'' if name == ANNEX else f' ({name})'} "
                f"| {statistics.median(cpu[engine][name]):.3f} | {s['pages']} | {s['kb']:.0f} "
                f"| {headings_outline(s['headings'])} | {s['L']} | {s['Table']} / {s['TH']} "
                f"| {s['alts']} / {s['figures']} | {s['lang'] or 'none'} | {s['ua'] or 'no'} "
                f"| {'the seat' if s['title'] == title else repr(s['title'])} |"
            )
    lines += [
        "",
        'Where the tags differ: WeasyPrint tags a table\'s row headers (`<th scope="row">`: To, From,'
        " each authority) as TH; Typst 0.15 tags only a table's header row as TH, so its row headers are"
        " TD (shown in bold). WeasyPrint splits a list that crosses a page into two L. WeasyPrint writes"
        " the PDF/UA-1 declaration without checking the document; Typst refuses to write one that breaks"
        " what it checks (title, language, alt text, heading order).",
    ]
    lines += ["", "CPU seconds a seat (median over the three seats):", ""]
    for engine in ENGINES:
        per_seat = statistics.median(statistics.median(cpu[engine][name]) for name in SEATS)
        lines.append(f"- {engine}: {per_seat:.3f}")
    report = "\n".join(lines) + "\n"
    print(report, end="")
    OUT_FILE.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
