"""Every seat's briefing in one command: ``build.py all``.

Seats are shared out to worker processes (:mod:`.workers`) that each keep one warm kernel, so kernel
start and the notebook's imports are paid once per worker instead of once per seat. A seat is
skipped when the fingerprint of everything its briefing is made from is unchanged and its files are
still there (:mod:`.state`), so a rerun after an interruption, or with nothing changed, renders
only what is missing or stale.
"""

import os
import queue
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from npd_briefing import config, disk_cache
from npd_briefing.data import datasets
from npd_briefing.dates import parse_date
from npd_briefing.exceptions import ParameterError
from npd_briefing.files import make_folder
from npd_briefing.pipeline.annex import cached_annex, copy_annex
from npd_briefing.pipeline.index import write_index
from npd_briefing.pipeline.request import BriefRequest, check_data, check_request, output_stem, parse_formats
from npd_briefing.pipeline.selection import parse_nation, select_seats
from npd_briefing.pipeline.state import (
    input_files,
    is_current,
    load_state,
    only_batch_in,
    save_state,
    seat_fingerprint,
)
from npd_briefing.pipeline.workers import Workers
from npd_briefing.seats.resolve import Seat


@dataclass
class BatchResult:
    """What a batch did: GSS codes rendered and skipped, and each failure with its reason."""

    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # seat code, or the entry as given -> reason
    interrupted_by: int | None = None  # the signal that stopped the batch
    annex_path: Path | None = None
    index_path: Path | None = None
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """128 + the signal when interrupted (130 for Ctrl-C, 143 for SIGTERM); 1 if a seat failed."""
        if self.interrupted_by:
            return 128 + self.interrupted_by
        return 1 if self.failed else 0


class _Stopped(BaseException):
    """SIGINT or SIGTERM reached the parent while seats were rendering."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, _frame) -> None:
    raise _Stopped(signum)


def _remove_temporaries(out_dir: Path, seats: list[Seat]) -> None:
    """Belt and braces after a stop: no seat's half-written temporary file outlives the batch."""
    for seat in seats:
        for temporary in out_dir.glob(f".{output_stem(seat)}*.tmp"):
            temporary.unlink(missing_ok=True)


def _render(
    requests: dict[str, BriefRequest],
    fingerprints: dict[str, str],
    state: dict[str, dict],
    out_dir: Path,
    annex: Path,
    jobs: int,
    result: BatchResult,
) -> None:
    """Render ``requests`` with ``jobs`` workers, recording each seat in ``result`` and ``state``."""
    pending = dict(requests)
    bundles = bundle_by_authority(list(requests.values()))
    bundle_of = {request.seat.gss_code: bundle for bundle in bundles for request in bundle}
    workers = None
    progress = tqdm(total=len(requests), unit="seat", file=sys.stderr, dynamic_ncols=True, disable=None)

    def record(message: tuple) -> None:
        kind, code, detail = message
        if kind == "took":
            workers.holding[detail] = bundle_of[code]
            return
        if kind == "start":
            workers.in_hand[detail] = code
            progress.set_postfix_str(requests[code].seat.name, refresh=True)
            return
        if pending.pop(code, None) is None:
            return
        workers.in_hand = {pid: held for pid, held in workers.in_hand.items() if held != code}
        if not any(request.seat.gss_code in pending for request in bundle_of[code]):
            workers.hand_out_next()  # that bundle is finished
        if kind == "done":
            result.rendered.append(code)
            state[code] = {"fingerprint": fingerprints[code], "files": detail}
            save_state(out_dir, state)  # so that a stop at any moment keeps every finished seat
        else:
            result.failed[code] = detail
        progress.update()

    previous_sigterm = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        workers = Workers(out_dir, min(jobs, len(bundles)), bundles, annex)
        while pending:
            try:
                record(workers.results.get(timeout=0.2))
            except queue.Empty:
                pass
            dead = workers.died()
            while dead:  # a dead worker's last messages are already in the pipe: read them first
                try:
                    record(workers.results.get_nowait())
                except queue.Empty:
                    break
            for pid, exit_code in dead:
                code = workers.in_hand.pop(pid, None)
                # The seats of its bundle it had not started go to another worker.
                unstarted = tuple(
                    request
                    for request in workers.holding.pop(pid, ())
                    if request.seat.gss_code in pending and request.seat.gss_code != code
                )
                if unstarted:
                    bundle_of.update((request.seat.gss_code, unstarted) for request in unstarted)
                    workers.hand_out_again(unstarted)
                if code is not None:  # died on a seat: that seat fails, a new worker takes the rest
                    record(("failed", code, f"its worker process died (exit code {exit_code})"))
                    workers.start_one()
                elif (
                    exit_code == 0 or unstarted
                ):  # retired after SEATS_PER_WORKER seats, or died between seats
                    workers.start_one()
                elif not workers.processes:  # died before taking any seat: trying again would too
                    for code in list(pending):
                        record(("failed", code, f"no worker process could run (exit code {exit_code})"))
        workers.finish()
    except (KeyboardInterrupt, _Stopped) as exc:
        result.interrupted_by = exc.signum if isinstance(exc, _Stopped) else signal.SIGINT
        if workers is not None:
            workers.stop()
            while True:  # keep the seats finished before the stop
                try:
                    message = workers.results.get(timeout=0.1)
                except queue.Empty:
                    break
                if message[0] == "done":
                    record(message)
        _remove_temporaries(out_dir, [requests[code].seat for code in pending])
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        progress.close()
        if workers is not None:
            workers.stop()
        save_state(out_dir, state)


def bundle_by_authority(requests: list[BriefRequest]) -> list[tuple[BriefRequest, ...]]:
    """The seats in bundles that one worker renders together: those whose largest authority is the
    same share its charts; seats outside England, which have none, go in fours."""
    weights = datasets.load("seat_la_weights")
    main = (
        weights.sort_values("share_of_seat_pop", ascending=False)
        .drop_duplicates("gss_code")
        .set_index("gss_code")["la_code"]
    )
    groups: dict[str, list[BriefRequest]] = {}
    for index, request in enumerate(requests):
        seat = request.seat
        key = main.get(seat.gss_code) if seat.in_england else f"{seat.nation} {index // 4}"
        groups.setdefault(str(key), []).append(request)
    return [tuple(group) for group in groups.values()]


def _print_summary(result: BatchResult, names: dict[str, str]) -> None:
    rendered = len(result.rendered)
    per_seat = f" ({result.seconds / rendered:.2f} s per rendered seat)" if rendered else ""
    print(
        f"rendered {rendered}, skipped {len(result.skipped)}, failed {len(result.failed)} "
        f"in {result.seconds:.1f} s{per_seat}",
        file=sys.stderr,
    )
    for key, reason in result.failed.items():
        label = f"{key} {names[key]}" if key in names else repr(key)
        print(f"failed: {label}: {reason}", file=sys.stderr)
    if result.interrupted_by:
        print(
            f"stopped by {signal.Signals(result.interrupted_by).name}: finished seats are saved; "
            "run the same command again to resume",
            file=sys.stderr,
        )
    if result.annex_path:
        print(f"national annex: {result.annex_path}", file=sys.stderr)
    if result.index_path:
        print(f"index: {result.index_path}", file=sys.stderr)


def render_all(
    *,
    out_dir: str | Path = config.BRIEFING_OUT_DIR,
    jobs: int | None = None,
    only: str | list[str] | None = None,
    nation: str | None = None,
    force: bool = False,
    formats="pdf",
    date: str | None = None,
    email_drafts: bool = True,
) -> BatchResult:
    """Render every seat's briefing (or those in ``only`` / ``nation``) into ``out_dir``.

    Seats whose inputs are unchanged since their files were written are skipped unless ``force``.
    A seat that fails is recorded with its reason and the rest carry on; see ``BatchResult``.
    """
    began = time.perf_counter()
    out_dir = Path(out_dir)
    formats = parse_formats(formats)
    nation = parse_nation(nation)
    day = parse_date(date).isoformat()
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if type(jobs) is not int or jobs < 1:
        raise ParameterError(f"--jobs {jobs!r} is not valid; give a whole number of at least 1")
    seats, failed = select_seats(only, nation)
    result = BatchResult(failed=failed)
    make_folder(out_dir)
    with only_batch_in(out_dir):
        state = load_state(out_dir)
        inputs = disk_cache.inputs_digest(input_files())
        todo: dict[str, BriefRequest] = {}
        fingerprints: dict[str, str] = {}
        for seat in seats:
            request = check_request(seat, formats=formats, date=day, email_draft=email_drafts)
            fingerprints[seat.gss_code] = seat_fingerprint(request, inputs)
            if not force and is_current(state.get(seat.gss_code), fingerprints[seat.gss_code], out_dir):
                result.skipped.append(seat.gss_code)
            else:
                todo[seat.gss_code] = request
        if todo:
            check_data()  # a damaged table is one clear error, not a failure for every seat
            disk_cache.prune("charts")  # charts drawn from earlier data or code
        annex = cached_annex()  # once per batch; the cache keeps it across batches
        result.annex_path, _ = copy_annex(out_dir, annex)
        if todo:
            _render(todo, fingerprints, state, out_dir, annex, jobs, result)
        result.index_path = write_index(out_dir, state)
        result.seconds = time.perf_counter() - began
    _print_summary(result, {seat.gss_code: seat.name for seat in seats})
    return result
