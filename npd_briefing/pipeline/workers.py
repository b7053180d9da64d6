"""The batch's worker processes: each renders the seats it is handed with one warm kernel.

Only the parent decides what a signal means: workers block SIGINT and SIGTERM, and the parent stops
them with ``STOP_SIGNAL``, which makes a worker drop the seat in hand (its ``finally`` clauses remove
the seat's temporary files), kill its kernel and exit at once.
"""

import collections
import multiprocessing
import os
import queue
import signal
import time
from pathlib import Path

from npd_briefing.exceptions import PackError
from npd_briefing.pipeline.request import KERNEL_PRELOAD, BriefRequest
from npd_briefing.text import one_line

KERNEL_RESTART_EVERY = 50
# A worker's memory creeps up by ~0.5 MB a seat (Typst's caches, fragmentation): it
# hands over to a fresh process after this many seats, which costs ~1 s.
SEATS_PER_WORKER = 100
WORKER_STOP_TIMEOUT_S = 10.0
STOP_SIGNAL = signal.SIGUSR1  # parent -> worker: abandon the seat in hand and exit
MAX_REASON_CHARS = 300


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PackError):
        return one_line(str(exc), MAX_REASON_CHARS)
    return one_line(f"{type(exc).__name__}: {exc}", MAX_REASON_CHARS)


def _worker(tasks, results, out_dir: Path, annex: Path) -> None:
    """Render the bundles of seats taken from ``tasks`` with one warm kernel until a ``None`` arrives
    or ``SEATS_PER_WORKER`` are done (exit status 0 either way). A bundle is the seats that share an
    authority, so its charts are drawn, decoded and encoded by one worker, once.

    SIGINT and SIGTERM are blocked: Ctrl-C reaches the whole process group and only the parent
    decides what happens (nbclient would otherwise shut the kernel down mid-seat). The parent stops
    a worker with ``STOP_SIGNAL``, which raises SystemExit wherever the worker is, so the
    ``finally`` clauses in brief.py and notebook.py remove the seat's temporary and half-set files;
    the kernel is then killed and the process ends at once, without the teardown that an
    interrupted event loop would only fill with noise.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(STOP_SIGNAL, _exit_on_stop)
    from npd_briefing.pipeline.brief import render_request
    from npd_briefing.pipeline.notebook import WarmKernel

    parent = multiprocessing.parent_process()
    kernel = None
    done = 0
    try:
        while done < SEATS_PER_WORKER:
            bundle = _next_task(tasks, parent)
            if bundle is None:
                break
            results.put(("took", bundle[0].seat.gss_code, os.getpid()))
            for request in bundle:
                code = request.seat.gss_code
                results.put(("start", code, os.getpid()))
                try:
                    if kernel is None:
                        kernel = WarmKernel(KERNEL_RESTART_EVERY, preload=KERNEL_PRELOAD).__enter__()
                    files = render_request(request, out_dir, annex=annex, kernel=kernel)
                except Exception as exc:  # one seat's failure, whatever it is, must not stop the batch
                    results.put(("failed", code, _reason(exc)))
                    _close(kernel)
                    kernel = None  # the next seat gets a fresh kernel
                else:
                    results.put(("done", code, [path.name for path in files]))
                done += 1
    except SystemExit:
        if kernel is not None:
            kernel.kill()
        results.close()
        results.join_thread()  # seats finished before the stop still reach the parent
        os._exit(1)
    _close(kernel)


def _next_task(tasks, parent) -> tuple[BriefRequest, ...] | None:
    """The next bundle of seats, or None when there are no more or the parent has gone."""
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


class Workers:
    """The worker processes, the bundles of seats not yet handed out, and the seat each worker has in
    hand.

    Bundles are handed out one more than there are workers rather than all at once, so that after a
    stop nothing is left stuck in the queue's pipe. When a worker dies, the seats of its bundle it had
    not started are handed out again.
    """

    def __init__(self, out_dir: Path, count: int, bundles: list[tuple[BriefRequest, ...]], annex: Path):
        self._context = multiprocessing.get_context("spawn")  # the kernel client is not fork-safe
        self._out_dir = out_dir
        self._annex = annex
        self._waiting = collections.deque(bundles)
        self.tasks = self._context.Queue()
        self.results = self._context.Queue()
        self.processes: dict[int, multiprocessing.Process] = {}
        self.in_hand: dict[int, str] = {}  # worker pid -> GSS code
        self.holding: dict[int, tuple[BriefRequest, ...]] = {}  # worker pid -> the bundle it took
        for _ in range(count + 1):
            self.hand_out_next()
        for _ in range(count):
            self.start_one()

    def hand_out_next(self) -> None:
        if self._waiting:
            self.tasks.put(self._waiting.popleft())

    def hand_out_again(self, bundle: tuple[BriefRequest, ...]) -> None:
        """Seats a dead worker had taken but not started: next in line."""
        self.tasks.put(bundle)

    def start_one(self) -> None:
        # Started with SIGINT ignored, which the child keeps: Ctrl-C reaches the whole process
        # group, and only the parent decides what happens next.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            process = self._context.Process(
                target=_worker, args=(self.tasks, self.results, self._out_dir, self._annex), daemon=True
            )
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
        self._waiting.clear()
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
