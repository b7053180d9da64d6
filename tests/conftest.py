"""Shared test set-up and helpers.

matplotlib, IPython and Jupyter write under $HOME, so every test process gets a temporary one, and
the pack's own cache (the annex, local charts) a temporary folder that the parallel workers of one
run share, so the annex is rendered once a run. The helpers are for tests in every room: run
``build.py`` (in this process or as a subprocess), read the curated tables as text, and read a PDF's
text back.

The suite runs in parallel (``pytest -n auto``) a file per worker at a time (``--dist loadfile``), so
a module's expensive fixtures (its briefings, a batch, a browser) are made once; what several files
read (the test site) is made once a run by ``built_once``. The fast tier (``make test-fast``) leaves out the tests marked ``kernel``, ``pdf`` or
``browser``; the marks are given here, by the fixtures a test uses or by its name.
"""

import contextlib
import csv
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock
from pypdf import PdfReader

_HOME = tempfile.mkdtemp(prefix="npd-briefing-test-home-")
for _var, _sub in (
    ("HOME", ""),
    ("MPLCONFIGDIR", "mpl"),
    ("IPYTHONDIR", "ipython"),
    ("JUPYTER_CONFIG_DIR", "jupyter"),
    ("JUPYTER_DATA_DIR", "jupyter-data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
):
    os.environ[_var] = os.path.join(_HOME, _sub) if _sub else _HOME
    os.makedirs(os.environ[_var], exist_ok=True)
# The annex and chart caches too, outside the repository; ``shared_pack_cache`` moves them to a
# folder of the run's own that every parallel worker uses.
os.environ["NPD_BRIEFING_CACHE"] = os.path.join(_HOME, "cache")

from npd_briefing import caches, cli, config  # noqa: E402  (after $HOME is set)
from npd_briefing.data.manifest import sha256_of  # noqa: E402

BUILD = config.ROOT / "build.py"


def run_build(*args, env=None, timeout=300) -> subprocess.CompletedProcess:
    """``build.py ARGS`` in a subprocess, from the repository root, its output as text. Arguments may
    be bytes that are not UTF-8, as a terminal can send; output that is not UTF-8 is escaped."""
    result = subprocess.run(
        [sys.executable, str(BUILD), *args], capture_output=True, timeout=timeout, cwd=config.ROOT, env=env
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "backslashreplace"),
        result.stderr.decode("utf-8", "backslashreplace"),
    )


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``build.py`` in this process: (exit code, stdout, stderr). argparse exits via SystemExit."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def read_csv(name: str) -> list[dict[str, str]]:
    """A curated table's rows as text, read without the pack's own loaders."""
    with open(config.DATA_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def newest_census() -> int:
    """The newest January with LA-funded AP counts by local authority, as la_ap gives it: tests read it
    (and the figures for it) from the table, since a refresh brings later years before any person looks."""
    return max(
        int(r["time_period"])
        for r in read_csv("la_ap")
        if r["measure"] == "la_funded_ap_pupils"
        and r["geographic_level"] == "Local authority"
        and r["pupils"]
    )


def seat_row(name: str) -> dict[str, str]:
    return next(row for row in read_csv("seats") if row["name"].lower() == name.lower())


def pdf_text(path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(path).pages)


def flat(text: str) -> str:
    """Text with runs of whitespace as one space."""
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """Text without any whitespace: PDF text extraction breaks lines where the layout did."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that ``config.DATA_DIR`` points at, to change or damage (see ``rehash``)."""
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    monkeypatch.setattr(config, "DATA_DIR", copy)
    monkeypatch.setattr(config, "MANIFEST_PATH", copy / "datapackage.json")
    caches.clear()
    yield copy
    caches.clear()


def rehash(data: Path, table: str, rows: int | None = None) -> None:
    """Record ``table``'s changed file in the manifest of ``data``, as a rebuild would."""
    manifest_path = data / "datapackage.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for resource in manifest["resources"]:
        if resource["name"] == table:
            resource["sha256"] = sha256_of(data / resource["path"])
            if rows is not None:
                resource["rows"] = rows
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def fresh_caches():
    """Empty the pack's per-process caches before and after a test that swaps data or templates."""
    caches.clear()
    yield
    caches.clear()


# --- One run, several workers ------------------------------------------------------------------------


def run_folder(tmp_path_factory) -> Path:
    """A folder of this test run's own that every parallel worker sees: pytest's base temporary
    folder, the parent of each worker's own (kept for the last three runs, like every tmp_path)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def shared_pack_cache(tmp_path_factory):
    """The pack's cache, empty at the start of each run and shared by its workers: the annex (built
    under the pack's own lock) and the charts are made once a run. Subprocesses inherit it."""
    folder = run_folder(tmp_path_factory) / "pack-cache"
    os.environ["NPD_BRIEFING_CACHE"] = str(folder)
    config.CACHE_DIR = folder
    yield folder


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> tuple[Path, object]:
    """(folder, value): ``build(folder)`` run once a test run, by the first worker that asks; the
    others wait for it and get the same folder and value (pickled). A build that fails is tried again
    by the next worker that asks, and fails there too."""
    root = run_folder(tmp_path_factory)
    folder, value_file = root / name, root / f"{name}.pickle"
    with FileLock(root / f"{name}.lock"):
        if value_file.is_file():
            return folder, pickle.loads(value_file.read_bytes())
        shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
        folder.mkdir()
        value = build(folder)
        value_file.write_bytes(pickle.dumps(value))
        return folder, value


# --- The fast tier's marks ---------------------------------------------------------------------------

# Fixtures whose value is made by a Jupyter kernel (and for all but ``executed``, printed as PDFs),
# or by a browser: every test that uses one, directly or through another fixture, is marked.
KERNEL_FIXTURES = {"executed", "rendered", "first_run", "site", "private_run", "interrupted"}
PDF_FIXTURES = {"pdf_path", "rendered", "first_run", "site", "private_run", "interrupted"}
BROWSER_FIXTURES = {"browser"}
# Tests that start a kernel or print a PDF in their own body, or run ``build.py brief`` or ``all`` to
# the end in a subprocess, by file and name (parameters left out). A test that starts a kernel in
# this process unmarked fails and says to add it here (``kernel_tripwire``).
KERNEL_TESTS = {
    "tests/evidence/test_register.py": {"test_npd_scope_says_what_it_read_and_charts_releases"},
    "tests/pipeline/test_annex.py": {
        "test_the_annex_is_built_once_copied_and_rebuilt_only_when_an_input_changes"
    },
    "tests/pipeline/test_batch.py": {
        "test_a_second_batch_into_the_same_folder_refuses_in_one_line",
        "test_sigterm_keeps_finished_seats_leaves_no_partial_file_and_a_rerun_resumes",
        "test_a_worker_killed_mid_bundle_fails_only_its_seat_and_the_rest_of_its_bundle_is_rendered",
    },
    "tests/pipeline/test_brief.py": {
        "test_small_authorities_are_not_ranked",
        "test_the_campaigns_2017_letter_only_when_asked_for",
        "test_custom_letter_replaces_the_default_letter",
    },
    "tests/pipeline/test_notebook.py": {
        "test_a_failing_cell_raises_notebook_execution_error",
        "test_warm_kernel_keeps_the_process_but_not_the_variables",
        "test_warm_kernel_is_replaced_every_restart_every_runs",
    },
    "tests/test_notebooks.py": {
        "test_npd_scope_default_shows_every_chart_with_alt_text",
        "test_npd_scope_charts_a_supplied_register",
        "test_ap_census_for_default_and_other_las",
    },
    "tests/test_parameters.py": {
        "test_papermill_command_line_run_with_an_unknown_parameter_fails_in_the_kernel"
    },
    "tests/reliability/test_process_faults.py": {
        "test_a_kernel_that_dies_gives_a_clear_error_and_the_next_run_works"
    },
}
PDF_TESTS = {
    "tests/pipeline/test_annex.py": KERNEL_TESTS["tests/pipeline/test_annex.py"],
    "tests/pipeline/test_batch.py": KERNEL_TESTS["tests/pipeline/test_batch.py"],
    "tests/pipeline/test_brief.py": KERNEL_TESTS["tests/pipeline/test_brief.py"],
    "tests/pipeline/test_pdf.py": {"test_only_data_urls_and_pack_templates_are_fetched"},
    "tests/reliability/test_letter_files.py": {
        "test_letter_html_and_references_render_as_text_and_nothing_is_fetched"
    },
}


def _marks_for(item) -> set[str]:
    closure = set(item.fixturenames)
    path = item.nodeid.split("::")[0]
    name = item.originalname
    marks = set()
    if closure & KERNEL_FIXTURES or name in KERNEL_TESTS.get(path, ()):
        marks.add("kernel")
    if closure & PDF_FIXTURES or name in PDF_TESTS.get(path, ()):
        marks.add("pdf")
    if closure & BROWSER_FIXTURES:
        marks.add("browser")
    return marks


KERNELS_STARTED: list[list[str]] = []


def pytest_configure(config):
    """Count the Jupyter kernels this process starts (through jupyter_client's provisioner, as
    papermill and the warm kernel do), so that an unmarked test that starts one fails."""
    from jupyter_client.provisioning import LocalProvisioner

    launch = LocalProvisioner.launch_kernel

    async def counted(self, cmd, **kwargs):
        KERNELS_STARTED.append(cmd)
        return await launch(self, cmd, **kwargs)

    LocalProvisioner.launch_kernel = counted


def kernel_tripwire(item):
    """Fail a test that started a kernel in this process without being marked ``kernel``: the fast
    tier would run it. (Kernels a ``build.py`` subprocess starts are not seen.)"""
    before = len(KERNELS_STARTED)
    result = yield
    if len(KERNELS_STARTED) > before and not item.get_closest_marker("kernel"):
        pytest.fail(
            f"{item.nodeid} started a Jupyter kernel but is not marked kernel: add it to KERNEL_TESTS "
            "in tests/conftest.py, so that the fast tier leaves it out",
            pytrace=False,
        )
    return result


pytest_runtest_setup = pytest.hookimpl(wrapper=True)(kernel_tripwire)
pytest_runtest_call = pytest.hookimpl(wrapper=True)(kernel_tripwire)


def pytest_collection_modifyitems(config, items):
    for item in items:
        for mark in sorted(_marks_for(item)):
            item.add_marker(getattr(pytest.mark, mark))


def pytest_terminal_summary(terminalreporter):
    """One line, when the website's browser tests were skipped, on how to get them to run."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        terminalreporter.write_line(
            "note: no chromium, so the website's browser tests were skipped; "
            "install Debian's (apt-get install chromium) to run them"
        )
