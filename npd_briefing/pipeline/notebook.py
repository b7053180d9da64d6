"""Run a briefing notebook with checked parameters: once with papermill, or many times in a warm kernel.

Parameters reach the notebook the way papermill injects them, as Python literals, and only names
the notebook declares are accepted, so nothing a person types can become code. Each notebook file
is read once per process and copied for every run.
"""

import asyncio
import copy
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

# jsonschema imports rfc3987_syntax when it is installed (jupyterlab pulls it in) and building its
# grammar costs ~0.8 s on every `import nbformat`. nbformat never checks IRI formats, so the
# import is blocked unless something already loaded it. Must run before nbformat is imported.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
import papermill  # noqa: E402
import zmq  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from jupyter_core.utils import run_sync  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402
from papermill.parameterize import parameterize_notebook  # noqa: E402
from traitlets.config import Config  # noqa: E402

from npd_briefing import caches, exceptions  # noqa: E402
from npd_briefing.exceptions import NotebookExecutionError, PackError  # noqa: E402
from npd_briefing.parameters import read_notebook, validate_parameters  # noqa: E402

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 120
KERNEL_START_TIMEOUT_S = 60
# History in memory, not in $HOME (as nbclient does for papermill); and the kernel's own log (e.g.
# the traceback it prints when jupyter_client interrupts it on Ctrl-C) kept off the user's terminal:
# errors reach us as messages.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=CRITICAL"]
# CurveZMQ between us and the kernel when libzmq has it: ipykernel otherwise warns on every start
# that its localhost TCP traffic is plain text.
TRANSPORT_ENCRYPTION = "auto" if zmq.has("curve") else "disabled"

# papermill reports a dying kernel through its logger as well as by raising; the exception is what we
# turn into a message, so the log line must not reach the user's terminal on its own.
logging.getLogger("papermill").addHandler(logging.NullHandler())


class _SignalsLeftToTheProcess(asyncio.DefaultEventLoopPolicy):
    """Event loops on which nothing may claim SIGINT or SIGTERM.

    While a notebook runs, nbclient handles both signals on its event loop and only shuts its kernel
    down, so Ctrl-C was lost (the briefing went on and exited 0) and, if it came while the annex was
    made, ended in a traceback. Refusing the loop's handler the way asyncio refuses it off the main
    thread (nbclient then goes on without one) leaves the signals to the process's own handlers:
    KeyboardInterrupt for Ctrl-C, and a batch worker's or ``brief``'s SIGTERM handler.
    """

    class _Loop(asyncio.SelectorEventLoop):
        def add_signal_handler(self, sig, callback, *args):
            raise RuntimeError("signals are left to the process's own handlers")

    def new_event_loop(self):
        return self._Loop()


asyncio.set_event_loop_policy(_SignalsLeftToTheProcess())


@caches.per_process
def _notebook(nb_path: Path) -> nbformat.NotebookNode:
    nb = nbformat.reads(json.dumps(read_notebook(nb_path)), as_version=4)  # joins each cell's source lines
    # As papermill's own loader leaves it: it finds the parameters cell by its tags.
    nb.metadata.setdefault(
        "papermill",
        {
            "default_parameters": {},
            "parameters": {},
            "environment_variables": {},
            "version": papermill.__version__,
        },
    )
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    return nb


def load_notebook(nb_path: str | os.PathLike) -> nbformat.NotebookNode:
    """The notebook as a fresh node to parameterise and run (the file is read once per process)."""
    return copy.deepcopy(_notebook(Path(nb_path)))


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


def execute_notebook(
    nb_path: str | os.PathLike, params: dict[str, object], *, kernel: "WarmKernel | None" = None
) -> nbformat.NotebookNode:
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
            load_notebook(nb_path),
            None,
            parameters=params,
            kernel_name=KERNEL_NAME,
            language="python",
            cwd=str(nb_path.parent),
            progress_bar=False,
            execution_timeout=CELL_TIMEOUT_S,
            start_timeout=KERNEL_START_TIMEOUT_S,
            extra_arguments=KERNEL_ARGUMENTS,
            config=Config({"KernelManager": {"transport_encryption": TRANSPORT_ENCRYPTION}}),
        )
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


# Between notebooks: delete every variable a notebook made (IPython's own names and its "_" history
# are kept). Not ``%reset -f``, whose garbage collection over a warm kernel's caches costs ~0.17 s a seat.
FORGET_USER_VARIABLES = (
    "[get_ipython().user_ns.pop(_name) for _name in [_name for _name in get_ipython().user_ns "
    "if _name not in get_ipython().user_ns_hidden and not _name.startswith('_')]]"
)


class WarmKernel:
    """One Python kernel kept running across notebooks, for the batch.

    Kernel start and the pandas imports are most of a cold run; this pays them once.
    Before each notebook the variables the last one made are deleted and the working folder is set to
    the notebook's, so no variable leaks from one seat to the next. Imported modules stay loaded
    (that is the saving), so a notebook must not change module-level state such as matplotlib's
    rcParams. The kernel is replaced every ``restart_every`` runs to cap memory, and after a failed
    run. Use it from the thread that entered it: its channels belong to that thread's event loop.

    Entering starts the kernel and sends it ``preload`` (imports) without waiting: the kernel starts
    and imports in its own process while the caller goes on (a single briefing checks the data and
    imports the PDF toolchain meanwhile); the first notebook waits until the kernel is ready.
    """

    def __init__(self, restart_every: int = 50, preload: str = ""):
        if restart_every < 1:
            raise ValueError("restart_every must be at least 1")
        self.restart_every = restart_every
        self.preload = preload
        self._manager = None
        self._client = None
        self._ready = False
        self._runs_since_start = 0

    def __enter__(self) -> "WarmKernel":
        try:
            run_sync(self._launch)()
        except BaseException:
            run_sync(self._stop)()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        run_sync(self._stop)()

    async def _launch(self) -> None:
        self._manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport_encryption=TRANSPORT_ENCRYPTION)
        await self._manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS)
        self._client = self._manager.client()
        self._client.start_channels()
        if self.preload:
            self._client.execute(self.preload, silent=True, store_history=False)
        self._ready = False
        self._runs_since_start = 0

    async def _start(self) -> None:
        await self._launch()
        await self._wait_until_ready()

    async def _wait_until_ready(self) -> None:
        await self._client.wait_for_ready(timeout=KERNEL_START_TIMEOUT_S)
        self._ready = True

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

    async def _execute_async(self, nb_path: Path, params: dict[str, object]) -> nbformat.NotebookNode:
        # A kernel that died between notebooks (OOM killer, a crash) would only show as a timeout.
        if self._runs_since_start >= self.restart_every or not await self._manager.is_alive():
            await self._stop()
            await self._start()
        elif not self._ready:
            await self._wait_until_ready()
        nb = load_notebook(nb_path)
        if params:
            nb = parameterize_notebook(nb, params, kernel_name=KERNEL_NAME, language="python")
        self._runs_since_start += 1
        try:
            reset = await self._client.execute_interactive(
                f"{FORGET_USER_VARIABLES}\n__import__('os').chdir({str(nb_path.parent)!r})\n",
                store_history=False,
                allow_stdin=False,
                timeout=CELL_TIMEOUT_S,
            )
            if reset["content"]["status"] != "ok":
                raise NotebookExecutionError(f"could not reset the kernel before {nb_path.name}")
            runner = NotebookClient(nb, km=self._manager, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT_S)
            runner.kc = self._client
            return await runner.async_execute()
        except (CellExecutionError, DeadKernelError, TimeoutError) as exc:
            # TimeoutError includes nbclient's CellTimeoutError. The kernel may be dead, busy or
            # half-way through a cell: the next run starts a fresh one.
            self._runs_since_start = self.restart_every
            raise _execution_error(nb_path, exc) from exc
