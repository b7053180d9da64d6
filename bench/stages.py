#!/usr/bin/env python3
"""Where a seat's time goes: the batch's per-seat work, stage by stage, in one warm worker.

    .venv/bin/python bench/stages.py [--n 40]

Renders ``n`` seats spread over the four nations the way a batch worker does (one warm kernel,
``render_request`` per seat, into a temporary folder) after a few seats to warm up, and times each
stage by wrapping the function that does it: papermill's loading and parameterising of the notebook,
the kernel's run of it, nbconvert's HTML export, the HTML's translation to Typst markup, Typst's
layout and writing of the PDF (with the charts it reads), the draft email, and the files written.
Each stage is timed in CPU seconds of this process and its kernel together, so a busy machine
barely moves the figures. The table goes to stdout.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil
from batch import ROOT, spread_seats  # bench/ is on the path when this runs as a script

sys.path.insert(0, str(ROOT))

from npd_briefing.pipeline import brief, html, notebook, pdf  # noqa: E402
from npd_briefing.pipeline.annex import cached_annex  # noqa: E402
from npd_briefing.pipeline.request import KERNEL_PRELOAD, check_request  # noqa: E402

WARM_UP_SEATS = 3
DATE = "2026-03-12"  # the letters' date, pinned so that every run renders the same text
# (label, owner, attribute): the function that does each stage.
STAGES = [
    ("papermill: load and parameterise", notebook, "load_notebook"),
    ("papermill: load and parameterise", notebook, "parameterize_notebook"),
    ("kernel: run the notebook", notebook.WarmKernel, "_execute"),
    ("nbconvert: HTML export", html, "notebook_to_html"),
    ("Typst: HTML to markup", pdf, "html_to_typst"),
    ("Typst: lay out and write the PDF", pdf, "html_to_pdf_bytes"),
    ("email draft", brief, "meeting_request"),
    ("email draft", brief, "write_eml"),
    ("files written", brief, "write_output"),
]
LABELS = list(dict.fromkeys(label for label, _, _ in STAGES))
# label: the label timed within it, taken off
INSIDE = {
    "kernel: run the notebook": "papermill: load and parameterise",
    "Typst: lay out and write the PDF": "Typst: HTML to markup",
}


class CpuClock:
    """CPU seconds (user + system) of this process and the worker's kernel together: a seat's work
    runs in one or the other, and CPU time, unlike wall time, barely moves on a busy machine."""

    def __init__(self):
        self.kernel = None

    def __call__(self) -> float:
        kernel = self.kernel.cpu_times() if self.kernel is not None else None
        return time.process_time() + (kernel.user + kernel.system if kernel else 0.0)


def timed(totals: dict[str, float], label: str, function, clock):
    def wrapper(*args, **kwargs):
        started = clock()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += clock() - started

    return wrapper


def profile(n: int) -> list[tuple[str, float, float]]:
    """Per stage, the median and mean CPU seconds a seat, over ``n`` seats after the warm-up."""
    seats = spread_seats(n + WARM_UP_SEATS)
    totals: dict[str, float] = defaultdict(float)
    clock = CpuClock()
    for label, owner, attribute in STAGES:
        setattr(owner, attribute, timed(totals, label, getattr(owner, attribute), clock))
    per_seat: dict[str, list[float]] = defaultdict(list)
    annex = cached_annex()
    with (
        tempfile.TemporaryDirectory(prefix="npd-stages-") as out,
        notebook.WarmKernel(restart_every=len(seats) + 1, preload=KERNEL_PRELOAD) as kernel,
    ):
        for number, seat in enumerate(seats):
            totals.clear()
            started = clock()
            brief.render_request(check_request(seat, date=DATE), Path(out), annex=annex, kernel=kernel)
            clock.kernel = clock.kernel or psutil.Process(kernel._manager.provisioner.pid)  # started by now
            whole = clock() - started
            if number < WARM_UP_SEATS:
                continue
            for inner_label, outer_label in INSIDE.items():
                totals[inner_label] -= totals[outer_label]
            for label in LABELS:
                per_seat[label].append(totals[label])
            per_seat["other (the pack's own code)"].append(whole - sum(totals[label] for label in LABELS))
            per_seat["whole seat"].append(whole)
    return [(label, statistics.median(values), statistics.mean(values)) for label, values in per_seat.items()]


def report(rows: list[tuple[str, float, float]], n: int) -> str:
    width = max(len(label) for label, _, _ in rows)
    lines = [
        f"per-seat stages, one warm worker, {n} seats after {WARM_UP_SEATS} to warm up "
        "(CPU seconds a seat, this process and its kernel)",
        f"{'stage'.ljust(width)}  median  mean",
    ]
    lines += [f"{label.ljust(width)}  {median:6.3f}  {mean:5.3f}" for label, median, mean in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="seats to time (default: %(default)s)")
    args = parser.parse_args()
    print(report(profile(args.n), args.n), end="")


if __name__ == "__main__":
    main()
