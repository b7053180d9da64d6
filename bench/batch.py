#!/usr/bin/env python3
"""Time the briefings: the loop a researcher would write against ``build.py all``.

    .venv/bin/python bench/batch.py [--n 8]     # --n 650 for every seat

For N seats spread over the four nations it measures, one after the other, with the pack's disk
cache (the national annex, the authorities' charts) in a folder of its own that starts empty:
  (a) naive: per seat ``papermill`` (fresh kernel), ``jupyter nbconvert --to html --no-input``, then
      WeasyPrint (the pack's engine before Typst, ``weasyprint_pdf_bytes``) on that HTML in a fresh
      Python; run on at most 6 of the seats and
      given per seat (it does not get cheaper with more seats), with a cache of its own;
  (b0) ``build.py all --only <the N seats> --force`` with the cache empty: builds the annex and
      every authority's charts;
  (b) the same again, the cache now holding them: the run the targets are about;
  (c) the same without ``--force``, nothing changed (every seat skipped; editing any of the pack's
      files during the run changes the fingerprints, and the bench then stops with an error);
  (d) one cold ``build.py brief``, the cache warm; (d0) the same with an empty cache: a first run;
  (e) where a seat's time goes, stage by stage (``bench/stages.py``).
Peak memory is the RSS summed over the whole process tree (kernels included), sampled every 0.1 s.
The table goes to stdout and to bench/out/latest.txt.
"""

import argparse
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from npd_briefing.pipeline.request import document_title  # noqa: E402
from npd_briefing.seats.resolve import default_resolver  # noqa: E402

BIN = Path(sys.executable).parent
NAIVE_MAX_SEATS = 6
SAMPLE_EVERY_S = 0.1
OUT_FILE = ROOT / "bench" / "out" / "latest.txt"
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
# The targets, on 2 cores.
TARGET_ALL_650_S = 120
TARGET_RATIO = 30
TARGET_RSS_MB = 1024
TARGET_RERUN_S = 10
TARGET_COLD_S = 4
STAGE_SEATS = 40


def spread_seats(n: int) -> list:
    """``n`` seats: at least one per nation, the rest in proportion, evenly spaced within each."""
    seats = default_resolver().seats()
    if n >= len(seats):
        return seats
    by_nation = {nation: [seat for seat in seats if seat.nation == nation] for nation in NATIONS}
    quota = {nation: (1 if n >= len(NATIONS) else 0) for nation in NATIONS}
    spare = n - sum(quota.values())
    shares = {nation: spare * len(group) / len(seats) for nation, group in by_nation.items()}
    for nation in NATIONS:
        quota[nation] += int(shares[nation])
    for nation in sorted(NATIONS, key=lambda nation: shares[nation] % 1, reverse=True)[
        : n - sum(quota.values())
    ]:
        quota[nation] += 1
    chosen = []
    for nation, group in by_nation.items():
        step = len(group) / quota[nation] if quota[nation] else 0
        chosen += [group[int(i * step)] for i in range(quota[nation])]
    return sorted(chosen, key=lambda seat: seat.gss_code)


def run(cmd: list[str], expect: str = "", *, cache: Path) -> tuple[float, int, float]:
    """Run ``cmd`` with the pack's disk cache in ``cache``; it must succeed and print ``expect`` on
    stderr. Return its wall time, the peak RSS of its process tree in bytes, and the CPU time (user +
    system) of the whole tree: every process in it is waited for by its parent, so its time reaches
    this process's children's usage."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NPD_BRIEFING_CACHE": str(cache)},
    )
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                break
            peak = max(peak, total)
            done.wait(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0 or expect not in stderr:
        sys.exit(f"{' '.join(cmd[:4])} ... exited {process.returncode}:\n{stderr[-2000:]}")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return seconds, peak, cpu


def naive(seats: list, work: Path) -> tuple[float, int]:
    """The loop a researcher would write: three commands per seat, each in a fresh process, with a
    disk cache of its own."""
    total, peak, cpu = 0.0, 0, 0.0
    for seat in seats:
        executed, page, pdf = (work / f"{seat.gss_code}{suffix}" for suffix in (".ipynb", ".html", ".pdf"))
        steps = [
            [
                str(BIN / "papermill"),
                "notebooks/briefing.ipynb",
                str(executed),
                "-p",
                "constituency",
                seat.gss_code,
                "--no-progress-bar",
            ],
            [
                str(BIN / "jupyter"),
                "nbconvert",
                "--to",
                "html",
                "--no-input",
                str(executed),
                "--output-dir",
                str(work),
                "--output",
                page.stem,
            ],
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from npd_briefing.pipeline.weasyprint_pdf import "
                "weasyprint_pdf_bytes; Path(sys.argv[2]).write_bytes(weasyprint_pdf_bytes(Path(sys.argv[1]).read_text("
                "encoding='utf-8'), title=sys.argv[3]))",
                str(page),
                str(pdf),
                document_title(seat),
            ],
        ]
        for step in steps:
            seconds, rss, step_cpu = run(step, cache=work / "cache")
            total += seconds
            cpu += step_cpu
            peak = max(peak, rss)
    return total, peak, cpu


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="seats to render (650 = all; default: %(default)s)")
    args = parser.parse_args()
    seats = spread_seats(args.n)
    naive_seats = spread_seats(min(len(seats), NAIVE_MAX_SEATS))
    codes = ",".join(seat.gss_code for seat in seats)
    cpus = os.cpu_count()
    print(
        f"{len(seats)} seats ({', '.join(f'{sum(s.nation == n for s in seats)} {n}' for n in NATIONS)}), "
        f"{cpus} CPUs",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory(prefix="npd-bench-") as tmp:
        work = Path(tmp)
        (work / "naive").mkdir()
        print(f"(a) naive loop on {len(naive_seats)} seats ...", file=sys.stderr)
        naive_s, naive_rss, naive_cpu = naive(naive_seats, work / "naive")
        print(f"    {naive_s:.1f} s", file=sys.stderr)
        cache, first_cache = work / "cache", work / "first-cache"
        batch_cmd = [sys.executable, "build.py", "all", "--only", codes, "--out", str(work / "all")]
        rendered = f"rendered {len(seats)}, skipped 0, failed 0"
        print(f"(b0) build.py all on {len(seats)} seats, empty cache ...", file=sys.stderr)
        empty_s, empty_rss, empty_cpu = run([*batch_cmd, "--force"], expect=rendered, cache=cache)
        print(f"    {empty_s:.1f} s, peak RSS {empty_rss / 2**20:.0f} MB", file=sys.stderr)
        print(f"(b) build.py all on {len(seats)} seats ...", file=sys.stderr)
        batch_s, batch_rss, batch_cpu = run([*batch_cmd, "--force"], expect=rendered, cache=cache)
        print(f"    {batch_s:.1f} s, peak RSS {batch_rss / 2**20:.0f} MB", file=sys.stderr)
        print("(c) rerun, nothing changed ...", file=sys.stderr)
        rerun_s, rerun_rss, rerun_cpu = run(
            batch_cmd, expect=f"rendered 0, skipped {len(seats)}, failed 0", cache=cache
        )
        print(f"    {rerun_s:.1f} s", file=sys.stderr)
        print("(d) one cold build.py brief, then (d0) one with an empty cache ...", file=sys.stderr)
        brief_cmd = [sys.executable, "build.py", "brief", seats[0].gss_code]
        cold_s, cold_rss, cold_cpu = run([*brief_cmd, "--out", str(work / "one")], cache=cache)
        first_s, first_rss, first_cpu = run([*brief_cmd, "--out", str(work / "first")], cache=first_cache)
        print("(e) stages ...", file=sys.stderr)
        stages = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "stages.py"), "--n", str(STAGE_SEATS)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "NPD_BRIEFING_CACHE": str(cache)},
        ).stdout
    naive_per_seat = naive_s / len(naive_seats)
    batch_per_seat = batch_s / len(seats)
    all_650 = batch_per_seat * 650
    mb = 1024 * 1024
    per_seat = len(seats)
    steps = [
        (
            "(a) naive loop",
            naive_s,
            naive_cpu,
            len(naive_seats),
            naive_rss,
            f"measured on {len(naive_seats)} seats, per seat",
        ),
        (
            "(b0) build.py all --force, empty cache",
            empty_s,
            empty_cpu,
            per_seat,
            empty_rss,
            f"{len(seats)} seats, --jobs {cpus}: builds the annex and charts",
        ),
        (
            "(b) build.py all --force",
            batch_s,
            batch_cpu,
            per_seat,
            batch_rss,
            f"{len(seats)} seats, --jobs {cpus}, cache warm",
        ),
        (
            "(c) rerun, nothing changed",
            rerun_s,
            rerun_cpu,
            per_seat,
            rerun_rss,
            f"{len(seats)} seats skipped",
        ),
        ("(d) cold build.py brief", cold_s, cold_cpu, 1, cold_rss, "one seat, cache warm"),
        (
            "(d0) cold build.py brief, empty cache",
            first_s,
            first_cpu,
            1,
            first_rss,
            "one seat, a first run: builds the annex and the seat's charts",
        ),
    ]
    rows = [
        (
            label,
            f"{wall:.1f}",
            f"{wall / count:.3f}",
            f"{cpu:.1f}",
            f"{cpu / count:.3f}",
            f"{rss / mb:.0f}",
            note,
        )
        for label, wall, cpu, count, rss, note in steps
    ]
    header = ("step", "wall s", "wall s/seat", "CPU s", "CPU s/seat", "peak RSS MB", "note")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"npd_briefing batch benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}, {cpus} CPUs, "
        f"N = {len(seats)}",
        "",
    ]
    lines += [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in [header, *rows]
    ]
    ratio = naive_per_seat / batch_per_seat
    lines += [
        "",
        f"naive / batch CPU per seat: {(naive_cpu / len(naive_seats)) / (batch_cpu / len(seats)):.1f}x",
        f"naive / batch per seat: {ratio:.1f}x (target >= {TARGET_RATIO}x: {verdict(ratio >= TARGET_RATIO)})",
        f"all 650 seats at the batch rate: {all_650:.0f} s"
        + ("" if len(seats) == 650 else " (extrapolated)")
        + f" (target <= {TARGET_ALL_650_S} s: {verdict(all_650 <= TARGET_ALL_650_S)})",
        f"peak RSS of the batch, all processes: {batch_rss / mb:.0f} MB "
        f"(target < {TARGET_RSS_MB} MB: {verdict(batch_rss / mb < TARGET_RSS_MB)})",
        f"rerun with nothing changed: {rerun_s:.1f} s for {len(seats)} seats "
        f"(target < {TARGET_RERUN_S} s for 650: {verdict(rerun_s < TARGET_RERUN_S)})",
        f"cold build.py brief: {cold_s:.1f} s (target < {TARGET_COLD_S} s: {verdict(cold_s < TARGET_COLD_S)})",
        "",
    ]
    report = "\n".join(lines) + "\n" + stages
    print(report, end="")
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
