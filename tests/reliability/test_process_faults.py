"""Process faults: SIGINT / SIGTERM while a briefing renders, an interrupt while files are written, a
kernel that dies, an output folder that cannot exist. Costs two interrupted renders and one small
warm kernel.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from npd_briefing import config
from npd_briefing.exceptions import (
    DataFileError,
    NotebookExecutionError,
    OutputError,
)
from npd_briefing.pipeline import brief as brief_module
from npd_briefing.pipeline import notebook as notebook_module
from npd_briefing.pipeline import pdf as pdf_module
from npd_briefing.pipeline import request as request_module
from tests.conftest import BUILD, run_main
from tests.reliability.cases import SENDER_NAME_WORD, assert_one_line_error, files_under


def _fake_notebook():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    return new_notebook(
        cells=[
            new_code_cell(
                "", outputs=[new_output("display_data", data={"text/html": "<h1>Briefing</h1><p>Words.</p>"})]
            )
        ]
    )


@pytest.fixture
def stand_in_annex(tmp_path):
    """The national annex as the cache would hold it, outside the output folder."""
    path = tmp_path / "cache" / "annex.pdf"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.7 stand-in annex")
    return path


@pytest.fixture
def fast_render(monkeypatch):
    """render_request with a canned executed notebook and a stand-in PDF: only the writing is real."""
    monkeypatch.setattr(notebook_module, "execute_notebook", lambda *a, **k: _fake_notebook())
    monkeypatch.setattr(pdf_module, "html_to_pdf_bytes", lambda html, **k: b"%PDF-1.7 stand-in")
    return request_module.check_request("Aldershot", formats="pdf,html", sender_name="Jo", date="2026-03-12")


def test_outputs_are_written_together(fast_render, stand_in_annex, tmp_path):
    written = brief_module.render_request(fast_render, tmp_path / "out", annex=stand_in_annex)
    assert sorted(p.name for p in written) == sorted(p.name for p in files_under(tmp_path / "out"))
    assert len(written) == 4  # PDF, draft email, HTML, and the annex the first briefing in a folder brings


@pytest.mark.parametrize("step", ["pdf", "eml", "html"])
@pytest.mark.parametrize("fault", ["KeyboardInterrupt", "OSError"])
def test_a_fault_while_writing_leaves_no_file_at_all(
    fast_render, stand_in_annex, tmp_path, monkeypatch, step, fault
):
    """The fault strikes inside the real writer, when the temporary file is complete but not yet renamed."""
    real_replace = os.replace
    struck = []

    def replace(source, target, *args, **kwargs):
        if str(target).endswith(f".{step}"):
            struck.append(files_under(tmp_path / "out"))
            raise (
                KeyboardInterrupt if fault == "KeyboardInterrupt" else OSError(28, "No space left on device")
            )
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt if fault == "KeyboardInterrupt" else OutputError):
        brief_module.render_request(fast_render, tmp_path / "out", annex=stand_in_annex)
    assert any(path.name.endswith(".tmp") for path in struck[0])  # there was a temporary file
    assert files_under(tmp_path / "out") == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_writing_is_held_until_the_files_are_whole_then_removes_them(
    fast_render, stand_in_annex, tmp_path, monkeypatch, signum
):
    """The signal arrives between the first and second file: it is acted on only after all are written,
    and the interrupt then removes them all, so no half-set or temporary file is ever left."""
    real_write = brief_module.write_output
    out = tmp_path / "out"
    sent, acted_on = [], []

    def write(path, payload, **options):
        real_write(path, payload, **options)
        if not sent:
            sent.append(path.name)
            os.kill(os.getpid(), signum)
            time.sleep(0.05)  # long enough for a signal that was not held to be acted on here

    def stop(signum, _frame):
        acted_on.append(sorted(path.name for path in files_under(out)))
        raise KeyboardInterrupt if signum == signal.SIGINT else SystemExit(128 + signum)

    monkeypatch.setattr(brief_module, "write_output", write)
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(KeyboardInterrupt if signum == signal.SIGINT else SystemExit):
            brief_module.render_request(fast_render, out, annex=stand_in_annex)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    assert sent == ["E14001063-aldershot.pdf"]
    assert len(acted_on) == 1 and len(acted_on[0]) == 4, acted_on  # held until all four were whole
    assert files_under(out) == []


def test_an_output_folder_under_a_file_is_an_output_error_before_anything_runs(blocked_out, no_render):
    with pytest.raises(OutputError, match=re.escape(str(blocked_out))):
        brief_module.brief("Aldershot", out_dir=blocked_out)
    code, out, err = run_main(["brief", "Aldershot", "--out", str(blocked_out)])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert "cannot create the output folder" in err


def test_an_output_folder_with_a_nul_byte_is_an_output_error(fast_render, stand_in_annex):
    with pytest.raises(OutputError, match="output folder"):
        brief_module.render_request(fast_render, Path("out\x00dir"), annex=stand_in_annex)


def _kernel_notebook(path: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    params = new_code_cell('action = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        new_code_cell(
            "import os\n"
            "if action == 'die':\n"
            "    os._exit(1)\n"
            "if action == 'damaged':\n"
            "    from npd_briefing.exceptions import DataFileError\n"
            "    raise DataFileError('data/seats.csv: contents do not match; rebuild with python build.py data')\n"
            "print('pid', os.getpid())"
        ),
    ]
    nbformat.write(nb, path)
    return path


def test_a_kernel_that_dies_gives_a_clear_error_and_the_next_run_works(tmp_path):
    notebook = _kernel_notebook(tmp_path / "dies.ipynb")

    def pid_of(nb):
        return next(
            o["text"]
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
            if o.get("name") == "stdout" and o["text"].startswith("pid")
        )

    def batch_worker_handler(signum, _frame):  # as a batch worker sets one
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, batch_worker_handler)
    try:
        first, second, third, handler = _die_and_recover(notebook, pid_of)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert first != second != third
    assert handler is batch_worker_handler  # nbclient's reset of the handlers is undone


def _die_and_recover(notebook, pid_of):
    with notebook_module.WarmKernel() as kernel:
        first = pid_of(notebook_module.execute_notebook(notebook, {}, kernel=kernel))
        with pytest.raises(NotebookExecutionError, match="dies.ipynb failed while running: DeadKernelError"):
            notebook_module.execute_notebook(notebook, {"action": "die"}, kernel=kernel)
        second = pid_of(notebook_module.execute_notebook(notebook, {}, kernel=kernel))
        # A PackError raised in the kernel (a table the kernel finds damaged) is the same one-line
        # error in the caller, not a NotebookExecutionError with a traceback.
        with pytest.raises(DataFileError, match=r"^data/seats\.csv: contents do not match"):
            notebook_module.execute_notebook(notebook, {"action": "damaged"}, kernel=kernel)
        third = pid_of(notebook_module.execute_notebook(notebook, {}, kernel=kernel))
        handler = signal.getsignal(signal.SIGTERM)
    return first, second, third, handler


def _kernel_children(process: psutil.Process) -> list[psutil.Process]:
    kernels = []
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append(child)
    return kernels


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _interrupted_brief(root: Path, signum: int, phase: str) -> dict:
    """Start ``build.py brief``; send ``signum`` while its kernel runs ("kernel"), while the national
    annex is built in a kernel of its own, the pack's cache being empty ("annex"), or right after the
    kernel has finished, while the HTML and PDF are made ("pdf")."""
    out = root / "out"
    env = dict(os.environ)
    if phase == "annex":
        env["NPD_BRIEFING_CACHE"] = str(root / "empty-cache")
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            str(BUILD),
            "brief",
            "Aldershot",
            "--out",
            str(out),
            "--format",
            "pdf,html",
            "--sender-name",
            f"Jo {SENDER_NAME_WORD}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=config.ROOT,
        env=env,
    )
    parent = psutil.Process(process.pid)
    kernels = []
    try:
        while process.poll() is None and not kernels and time.monotonic() - started < 60:
            kernels = _kernel_children(parent)
            time.sleep(0.02)
        if phase == "kernel":
            time.sleep(0.5)
        elif phase == "annex":
            time.sleep(1.5)  # the annex's notebook draws its charts afresh: it runs for seconds
        else:
            while process.poll() is None and any(_alive(k) for k in kernels):
                time.sleep(0.01)
        still_running = process.poll() is None
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 5
    while any(_alive(k) for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.05)
    leftover = [k.pid for k in kernels if _alive(k)]
    for pid in leftover:  # only the kernel this test started
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return {
        "code": process.returncode,
        "stdout": stdout.decode(errors="replace"),
        "stderr": stderr.decode(errors="replace"),
        "files": files_under(out),
        "kernels": kernels,
        "leftover_kernels": leftover,
        "still_running": still_running,
    }


@contextlib.contextmanager
def ctrl_c_as_in_a_terminal():
    """A suite started in the background (``make test &``, nohup) ignores SIGINT, and a child inherits
    that, so Python would never see Ctrl-C; a command typed in a terminal does. Undo it for the child."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    with ctrl_c_as_in_a_terminal():
        return {
            "SIGINT": _interrupted_brief(tmp_path_factory.mktemp("sigint"), signal.SIGINT, "kernel"),
            "SIGTERM": _interrupted_brief(tmp_path_factory.mktemp("sigterm"), signal.SIGTERM, "pdf"),
            "SIGINT, annex": _interrupted_brief(
                tmp_path_factory.mktemp("sigint-annex"), signal.SIGINT, "annex"
            ),
        }


@pytest.mark.parametrize("which", ["SIGINT", "SIGTERM", "SIGINT, annex"])
def test_an_interrupted_brief_leaves_no_file_and_no_kernel(interrupted, which):
    run = interrupted[which]
    assert run["kernels"] and run["still_running"], "the signal came too late to test anything"
    assert run["code"] != 0
    assert run["files"] == [], run["files"]  # no PDF, no half-written or temporary file
    assert run["leftover_kernels"] == []
    assert SENDER_NAME_WORD not in run["stdout"] + run["stderr"]


def test_sigterm_while_the_pdf_is_made_exits_143_quietly(interrupted):
    run = interrupted["SIGTERM"]
    assert run["code"] == 143 and run["stderr"] == "" and run["stdout"] == ""


def test_ctrl_c_exits_130_with_one_line_not_a_traceback(interrupted):
    """Fails today, in cli.py (not this helper's module): KeyboardInterrupt is not caught, so Ctrl-C
    prints a traceback through asyncio and exits -2. Fix: in cli.main, ``except KeyboardInterrupt:
    print("error: interrupted; no files were written", file=sys.stderr); return 130``."""
    for which in ("SIGINT", "SIGINT, annex"):  # the annex's kernel, too, leaves Ctrl-C to the command
        run = interrupted[which]
        assert run["code"] == 130 and "Traceback" not in run["stderr"], (which, run["stderr"][-300:])
        assert run["stderr"].count("\n") == 1


def test_a_query_starting_with_a_dash_gets_one_line_not_argparse_usage():
    """Fails today, in cli.py: argparse reports a usage error on two lines (usage, then the error).
    Fix: a parser subclass whose ``error()`` prints ``error: <message>`` on one line and exits 2."""
    code, out, err = run_main(["resolve", "-x"])
    assert_one_line_error(code, out, err, allowed=(2,))
