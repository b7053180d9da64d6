"""Every seat's briefing in one command: ``build.py all``.

Seats are shared out to worker processes that each keep one warm kernel, so kernel start and the
notebook's imports are paid once per worker instead of once per seat. A seat is skipped when the
fingerprint of everything its briefing is made from is unchanged and its files are still there, so
a rerun after an interruption, or with nothing changed, renders only what is missing or stale.
"""

import hashlib
import html
import json
import multiprocessing
import os
import queue
import signal
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from npd_briefing import __version__, config
from npd_briefing.pipeline.brief import (BRIEFING_NOTEBOOK, BriefRequest, check_data, check_request, output_stem, parse_date,
                    parse_formats)
from npd_briefing.exceptions import OutputError, PackError, ParameterError
from npd_briefing.files import write_whole
from npd_briefing.seats.resolve import Seat, SeatResolver, default_resolver

NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
STATE_FILE = ".briefing-state.json"
INDEX_FILE = "index.html"
KERNEL_RESTART_EVERY = 50
# A worker's memory creeps up by ~0.5 MB a seat (WeasyPrint and urllib caches, fragmentation): it
# hands over to a fresh process after this many seats, which costs ~1 s.
SEATS_PER_WORKER = 100
WORKER_STOP_TIMEOUT_S = 10.0
STOP_SIGNAL = signal.SIGUSR1  # parent -> worker: abandon the seat in hand and exit
MAX_REASON_CHARS = 300
# At most this many comma-separated pieces are joined back into one seat name ("Ayr, Carrick and
# Cumnock"); no 2024 seat name has more than one comma.
MAX_PIECES_PER_NAME = 3


@dataclass
class BatchResult:
    """What a batch did: GSS codes rendered and skipped, and each failure with its reason."""

    rendered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # seat code, or the entry as given -> reason
    interrupted_by: int | None = None  # the signal that stopped the batch
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


def input_files() -> list[Path]:
    """Every file a briefing is made from, besides its parameters (the website's own templates
    and code are not: changing a page must not re-render 650 PDFs)."""
    def used(path: Path) -> bool:
        return path.is_file() and not path.is_relative_to(config.SITE_TEMPLATES_DIR) \
            and not path.is_relative_to(config.SITE_PACKAGE_DIR)

    return [config.MANIFEST_PATH, BRIEFING_NOTEBOOK,
            *sorted(path for path in config.TEMPLATES_DIR.rglob("*") if used(path)),
            *sorted(path for path in config.PACKAGE_DIR.rglob("*.py") if used(path))]


def inputs_digest(paths: list[Path]) -> str:
    """sha256 of the pack version and each file's name and bytes (the data manifest holds the
    sha256 of every curated table, so hashing it covers the data)."""
    digest = hashlib.sha256(f"npd_briefing {__version__}\n".encode())
    for path in paths:
        digest.update(f"{os.path.relpath(path, config.ROOT)}\0".encode())
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


def seat_fingerprint(request: BriefRequest, inputs: str) -> str:
    """What one seat's files depend on: the shared inputs, its notebook parameters, its formats."""
    payload = json.dumps({"inputs": inputs, "parameters": request.notebook_parameters(),
                          "formats": list(request.formats)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def parse_nation(text: str | None) -> str | None:
    if text is None:
        return None
    by_folded = {nation.lower(): nation for nation in NATIONS}
    nation = by_folded.get(" ".join(str(text).split()).lower())
    if nation is None:
        raise ParameterError(f"--nation {str(text)[:40]!r} is not valid; use one of {', '.join(NATIONS)}")
    return nation


def _resolves(resolver: SeatResolver, query: str) -> bool:
    try:
        resolver.resolve(query)
    except PackError:
        return False
    return True


def _comma_queries(text: str, resolver: SeatResolver) -> list[str]:
    """Split on commas, joining back the pieces of a seat name that has one ("Ayr, Carrick and Cumnock")."""
    pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
    queries, start = [], 0
    while start < len(pieces):
        last = min(start + MAX_PIECES_PER_NAME, len(pieces))
        end = next((end for end in range(start + 1, last + 1)
                    if _resolves(resolver, ", ".join(pieces[start:end]))), start + 1)
        queries.append(", ".join(pieces[start:end]))
        start = end
    return queries


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a list of 650 codes is too long for a file name
        return False


def parse_only(only: str | list[str], resolver: SeatResolver) -> list[str]:
    """The queries in ``--only``: a file with one per line, or comma-separated codes and names."""
    if not isinstance(only, str):
        return [str(entry).strip() for entry in only if str(entry).strip()]
    if _is_file(only):
        try:
            lines = Path(only).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"--only file {only} cannot be read: {exc}") from None
        queries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    elif os.sep in only:
        raise ParameterError(f"--only file {only} does not exist")
    else:
        queries = _comma_queries(only, resolver)
    if not queries:
        raise ParameterError("--only names no seats; give GSS codes or seat names, comma-separated, "
                             "or a file with one per line")
    return queries


def select_seats(only: str | list[str] | None, nation: str | None) -> tuple[list[Seat], dict[str, str]]:
    """The seats to brief, in GSS order, and the ``--only`` entries that name no seat, with why."""
    resolver = default_resolver()
    if only is None:
        seats, failed = resolver.seats(), {}
    else:
        chosen, failed = {}, {}
        for query in parse_only(only, resolver):
            try:
                seat = resolver.resolve(query)
            except PackError as exc:
                failed[query] = _one_line(str(exc))
            else:
                chosen[seat.gss_code] = seat
        seats = sorted(chosen.values(), key=lambda seat: seat.gss_code)
    if nation is not None:
        seats = [seat for seat in seats if seat.nation == nation]
    return seats, failed


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON_CHARS else text[:MAX_REASON_CHARS - 3] + "..."


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PackError):
        return _one_line(str(exc))
    return _one_line(f"{type(exc).__name__}: {exc}")


def load_state(out_dir: Path) -> dict[str, dict]:
    """Per seat, the fingerprint and file names of its last good render; empty if unreadable."""
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        seats = state["seats"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return seats if isinstance(seats, dict) else {}


def save_state(out_dir: Path, seats: dict[str, dict]) -> None:
    payload = json.dumps({"pack_version": __version__, "seats": dict(sorted(seats.items()))}, indent=1)
    write_whole(out_dir / STATE_FILE, payload.encode("utf-8"))


def _is_current(entry: dict | None, fingerprint: str, out_dir: Path) -> bool:
    return (isinstance(entry, dict) and entry.get("fingerprint") == fingerprint and bool(entry.get("files"))
            and all((out_dir / name).is_file() for name in entry["files"]))


def _worker(tasks, results, out_dir: Path) -> None:
    """Render the seats taken from ``tasks`` with one warm kernel until a ``None`` arrives or
    ``SEATS_PER_WORKER`` are done (exit status 0 either way).

    SIGINT and SIGTERM are blocked: Ctrl-C reaches the whole process group and only the parent
    decides what happens (nbclient would otherwise shut the kernel down mid-seat). The parent stops
    a worker with ``STOP_SIGNAL``, which raises SystemExit wherever the worker is, so the
    ``finally`` clauses in brief.py and render.py remove the seat's temporary and half-set files;
    the kernel is then killed and the process ends at once, without the teardown that an
    interrupted event loop would only fill with noise.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(STOP_SIGNAL, _exit_on_stop)
    from npd_briefing.pipeline import render
    from npd_briefing.pipeline.brief import render_request

    parent = multiprocessing.parent_process()
    kernel = None
    try:
        for _ in range(SEATS_PER_WORKER):
            request = _next_task(tasks, parent)
            if request is None:
                break
            code = request.seat.gss_code
            results.put(("start", code, os.getpid()))
            try:
                if kernel is None:
                    kernel = render.WarmKernel(KERNEL_RESTART_EVERY).__enter__()
                files = render_request(request, out_dir, kernel=kernel)
            except Exception as exc:  # one seat's failure, whatever it is, must not stop the batch
                results.put(("failed", code, _reason(exc)))
                _close(kernel)
                kernel = None  # the next seat gets a fresh kernel
            else:
                results.put(("done", code, [path.name for path in files]))
    except SystemExit:
        if kernel is not None:
            kernel.kill()
        results.close()
        results.join_thread()  # seats finished before the stop still reach the parent
        os._exit(1)
    _close(kernel)


def _next_task(tasks, parent) -> BriefRequest | None:
    """The next seat, or None when there are no more or the parent has gone."""
    while parent.is_alive():
        try:
            return tasks.get(timeout=1.0)
        except queue.Empty:
            continue
    return None


def _exit_on_stop(_signum: int, _frame) -> None:
    raise SystemExit(1)


def _close(kernel) -> None:
    if kernel is not None:
        try:
            kernel.__exit__(None, None, None)
        except Exception:  # a kernel that died cannot be shut down in order; kill what is left
            kernel.kill()


def _raise_stopped(signum: int, _frame) -> None:
    raise _Stopped(signum)


class _Workers:
    """The worker processes, the seats not yet handed out, and the seat each worker has in hand.

    Seats are handed out a few at a time rather than all at once, so that after a stop nothing is
    left stuck in the queue's pipe.
    """

    def __init__(self, out_dir: Path, count: int, requests: list[BriefRequest]):
        self._context = multiprocessing.get_context("spawn")  # the kernel client is not fork-safe
        self._out_dir = out_dir
        self._waiting = iter(requests)
        self.tasks = self._context.Queue()
        self.results = self._context.Queue()
        self.processes: dict[int, multiprocessing.Process] = {}
        self.in_hand: dict[int, str] = {}  # worker pid -> GSS code
        for _ in range(2 * count):
            self.hand_out_next()
        for _ in range(count):
            self.start_one()

    def hand_out_next(self) -> None:
        request = next(self._waiting, None)
        if request is not None:
            self.tasks.put(request)

    def start_one(self) -> None:
        # Started with SIGINT ignored, which the child keeps: Ctrl-C reaches the whole process
        # group, and only the parent decides what happens next.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            process = self._context.Process(target=_worker, args=(self.tasks, self.results, self._out_dir),
                                            daemon=True)
            process.start()
        finally:
            signal.signal(signal.SIGINT, previous)
        self.processes[process.pid] = process

    def died(self) -> list[tuple[int, int | None]]:
        """Workers that ended on their own before the batch did: (pid, exit code), forgotten here."""
        dead = [(pid, process.exitcode) for pid, process in self.processes.items() if not process.is_alive()]
        for pid, _ in dead:
            del self.processes[pid]
        return dead

    def finish(self) -> None:
        """Let each worker shut its kernel down and exit; stop any that do not."""
        for _ in self.processes:
            self.tasks.put(None)
        self._join(WORKER_STOP_TIMEOUT_S)
        self.stop()

    def stop(self) -> None:
        """Send every worker ``STOP_SIGNAL``, then SIGKILL any still running after the timeout."""
        self._waiting = iter(())
        for process in self.processes.values():
            if process.is_alive():
                os.kill(process.pid, STOP_SIGNAL)
        self._join(WORKER_STOP_TIMEOUT_S)
        for process in self.processes.values():
            if process.is_alive():
                process.kill()
                process.join()
        self.tasks.cancel_join_thread()  # nothing is waiting to read what is left in it

    def _join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            process.join(max(0.0, deadline - time.monotonic()))


def _remove_temporaries(out_dir: Path, seats: list[Seat]) -> None:
    """Belt and braces after a stop: no seat's half-written temporary file outlives the batch."""
    for seat in seats:
        for temporary in out_dir.glob(f".{output_stem(seat)}*.tmp"):
            temporary.unlink(missing_ok=True)


def _render(requests: dict[str, BriefRequest], fingerprints: dict[str, str], state: dict[str, dict],
            out_dir: Path, jobs: int, result: BatchResult) -> None:
    """Render ``requests`` with ``jobs`` workers, recording each seat in ``result`` and ``state``."""
    pending = dict(requests)
    workers = None
    progress = tqdm(total=len(requests), unit="seat", file=sys.stderr, dynamic_ncols=True, disable=None)

    def record(message: tuple) -> None:
        kind, code, detail = message
        if kind == "start":
            workers.in_hand[detail] = code
            progress.set_postfix_str(requests[code].seat.name, refresh=True)
            return
        if pending.pop(code, None) is None:
            return
        workers.in_hand = {pid: held for pid, held in workers.in_hand.items() if held != code}
        workers.hand_out_next()
        if kind == "done":
            result.rendered.append(code)
            state[code] = {"fingerprint": fingerprints[code], "files": detail}
            save_state(out_dir, state)  # so that a stop at any moment keeps every finished seat
        else:
            result.failed[code] = detail
        progress.update()

    previous_sigterm = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        workers = _Workers(out_dir, min(jobs, len(requests)), list(requests.values()))
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
                if code is not None:  # died on a seat: that seat fails, a new worker takes the rest
                    record(("failed", code, f"its worker process died (exit code {exit_code})"))
                    workers.start_one()
                elif exit_code == 0:  # retired after SEATS_PER_WORKER seats
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


def _nation_order(nation: str) -> tuple[int, str]:
    return (NATIONS.index(nation) if nation in NATIONS else len(NATIONS), nation)


def write_index(out_dir: Path, state: dict[str, dict]) -> Path:
    """``index.html``: every briefing in the folder, by nation and region, with the seat's MP."""
    resolver = default_resolver()
    groups: dict[str, dict[str, list[tuple[Seat, list[str]]]]] = {}  # nation -> region -> seats
    for code, entry in state.items():
        links = [name for name in entry.get("files", [])
                 if name.endswith((".pdf", ".html")) and (out_dir / name).is_file()]
        try:
            seat = resolver.by_code(code)
        except KeyError:  # a seat the current data no longer has
            continue
        if links:
            groups.setdefault(seat.nation, {}).setdefault(seat.region, []).append((seat, links))
    parts = []
    for nation in sorted(groups, key=_nation_order):
        parts.append(f"<h2>{html.escape(nation)}</h2>")
        for region, seats in sorted(groups[nation].items()):
            if region != nation:
                parts.append(f"<h3>{html.escape(region)}</h3>")
            items = []
            for seat, links in sorted(seats, key=lambda item: item[0].name):
                main, *others = [html.escape(urllib.parse.quote(name)) for name in links]
                more = "".join(f' &middot; <a href="{href}">{href.rsplit(".", 1)[1].upper()} version</a>'
                               for href in others)
                items.append(f'<li><a href="{main}">{html.escape(seat.name)}</a> ({html.escape(seat.gss_code)}): '
                             f"{html.escape(seat.mp_display_name)}, {html.escape(seat.party)}{more}</li>\n")
            parts.append(f"<ul>\n{''.join(items)}</ul>")
    count = sum(len(seats) for regions in groups.values() for seats in regions.values())
    title = "Briefings for MPs: children's privacy in school data"
    page = (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            f"<p>{count} constituency briefing{'' if count == 1 else 's'}, generated by npd_briefing "
            f"{html.escape(__version__)}.</p>\n" + "\n".join(parts) + "\n</body>\n</html>\n")
    path = out_dir / INDEX_FILE
    write_whole(path, page.encode("utf-8"))
    return path


def _print_summary(result: BatchResult, names: dict[str, str]) -> None:
    rendered = len(result.rendered)
    per_seat = f" ({result.seconds / rendered:.2f} s per rendered seat)" if rendered else ""
    print(f"rendered {rendered}, skipped {len(result.skipped)}, failed {len(result.failed)} "
          f"in {result.seconds:.1f} s{per_seat}", file=sys.stderr)
    for key, reason in result.failed.items():
        label = f"{key} {names[key]}" if key in names else repr(key)
        print(f"failed: {label}: {reason}", file=sys.stderr)
    if result.interrupted_by:
        print(f"stopped by {signal.Signals(result.interrupted_by).name}: finished seats are saved; "
              "run the same command again to resume", file=sys.stderr)
    if result.index_path:
        print(f"index: {result.index_path}", file=sys.stderr)


def render_all(*, out_dir: str | Path = config.BRIEFING_OUT_DIR, jobs: int | None = None,
               only: str | list[str] | None = None, nation: str | None = None, force: bool = False,
               formats="pdf", date: str | None = None) -> BatchResult:
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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out_dir}: {exc.strerror or exc}") from None
    state = load_state(out_dir)
    inputs = inputs_digest(input_files())
    todo: dict[str, BriefRequest] = {}
    fingerprints: dict[str, str] = {}
    for seat in seats:
        request = check_request(seat.gss_code, formats=formats, date=day)
        fingerprints[seat.gss_code] = seat_fingerprint(request, inputs)
        if not force and _is_current(state.get(seat.gss_code), fingerprints[seat.gss_code], out_dir):
            result.skipped.append(seat.gss_code)
        else:
            todo[seat.gss_code] = request
    if todo:
        check_data()  # a damaged table is one clear error, not a failure for every seat
        _render(todo, fingerprints, state, out_dir, jobs, result)
    result.index_path = write_index(out_dir, state)
    result.seconds = time.perf_counter() - began
    _print_summary(result, {seat.gss_code: seat.name for seat in seats})
    return result
