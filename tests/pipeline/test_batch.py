"""``build.py all``: a small batch over three nations plus a seat that does not exist."""

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from npd_briefing import config, disk_cache
from npd_briefing.exceptions import ParameterError
from npd_briefing.pipeline import batch, selection, state
from npd_briefing.seats.resolve import default_resolver
from tests.conftest import read_csv, run_build

SEATS = {"E14001063": "Aldershot", "W07000112": "Ynys Môn", "N05000003": "Belfast South and Mid Down"}
BAD = "Atlantis"
DATE = "2026-03-12"
TIMEOUT_S = 240


def run_all(*args):
    return run_build("all", *args, timeout=TIMEOUT_S)


def seat_rows():
    return {row["gss_code"]: row for row in read_csv("seats")}


def state_of(out):
    return json.loads((out / state.STATE_FILE).read_text(encoding="utf-8"))["seats"]


def pdfs(out):
    """The seats' PDFs in a batch's folder (not the national annex beside them)."""
    return sorted(path.name for path in out.glob("*.pdf") if path.name != config.ANNEX_FILE)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("all")
    proc = run_all("--only", ",".join([*SEATS, BAD]), "--out", str(out), "--jobs", "2", "--date", DATE)
    return out, proc


def test_cli_renders_the_good_seats_and_reports_the_bad_one(first_run):
    out, proc = first_run
    assert proc.returncode == 1, proc.stderr
    assert "rendered 3, skipped 0, failed 1" in proc.stderr
    assert "failed: 'Atlantis': no seat is called 'Atlantis'" in proc.stderr
    for code, name in SEATS.items():
        pdf = next(out.glob(f"{code}-*.pdf"))
        assert name in " ".join(
            " ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages[:1]
        )
        assert (out / pdf.name.replace(".pdf", "-meeting-request.eml")).is_file()
    assert sorted(state_of(out)) == sorted(SEATS)
    assert not list(out.glob(".*.tmp"))


def test_index_lists_each_seat_with_its_mp_under_its_nation(first_run):
    out, _ = first_run
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = seat_rows()
    positions = [index.index(f"<h2>{nation}</h2>") for nation in ("England", "Wales", "Northern Ireland")]
    assert positions == sorted(positions)
    for code, name in SEATS.items():
        pdf = next(out.glob(f"{code}-*.pdf")).name
        assert f'<a href="{pdf}">{name}</a>' in index
        assert rows[code]["mp_display_name"] in index
    assert "Social Democratic &amp; Labour Party" in index  # text is escaped
    assert "<h3>South East</h3>" in index  # English seats are grouped by region
    assert f'<a href="{config.ANNEX_FILE}">' in index


def test_the_batch_copies_one_annex_from_the_cache_and_attaches_it_to_every_draft(first_run):
    out, proc = first_run
    cached = list((config.CACHE_DIR / "annex").glob("*.pdf"))
    assert len(cached) == 1 and (out / config.ANNEX_FILE).read_bytes() == cached[0].read_bytes()
    assert f"national annex: {out / config.ANNEX_FILE}" in proc.stderr
    for eml in out.glob("*-meeting-request.eml"):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        names = [attachment.get_filename() for attachment in message.iter_attachments()]
        assert names == [eml.name.replace("-meeting-request.eml", ".pdf"), config.ANNEX_FILE]


def test_rerun_with_nothing_changed_skips_every_seat_without_a_kernel(first_run):
    out, _ = first_run
    before = {name: (out / name).stat().st_mtime_ns for name in [*pdfs(out), config.ANNEX_FILE]}
    result = batch.render_all(out_dir=out, only=[*SEATS, BAD], jobs=2, date=DATE)
    assert result.rendered == [] and sorted(result.skipped) == sorted(SEATS)
    assert list(result.failed) == [BAD] and "no seat is called" in result.failed[BAD]
    assert result.exit_code == 1
    assert {name: (out / name).stat().st_mtime_ns for name in [*pdfs(out), config.ANNEX_FILE]} == before


def test_a_changed_parameter_or_format_rerenders_exactly_that_seat(first_run):
    out, _ = first_run
    england, wales, northern_ireland = SEATS
    assert batch.render_all(out_dir=out, only=[england], jobs=2, date="2026-03-13").rendered == [england]
    assert batch.render_all(out_dir=out, only=[wales], jobs=2, formats="pdf,html", date=DATE).rendered == [
        wales
    ]
    assert next(out.glob(f"{wales}-*.html")).is_file()
    # Back to the first run's date and formats: the two seats rendered differently since, and only they.
    result = batch.render_all(out_dir=out, only=list(SEATS), jobs=2, date=DATE)
    assert sorted(result.rendered) == sorted([england, wales])
    assert result.skipped == [northern_ireland] and result.exit_code == 0


def test_inputs_digest_follows_every_input_file(tmp_path):
    first, second = tmp_path / "a.css", tmp_path / "b.py"
    first.write_text("body {}", encoding="utf-8")
    second.write_text("x = 1\n", encoding="utf-8")
    digest = disk_cache.inputs_digest([first, second])
    second.write_text("x = 2\n", encoding="utf-8")
    assert disk_cache.inputs_digest([first, second]) != digest
    second.write_text("x = 1\n", encoding="utf-8")
    assert disk_cache.inputs_digest([first, second]) == digest
    inputs = state.input_files()
    assert config.MANIFEST_PATH in inputs and config.NOTEBOOKS_DIR / "briefing.ipynb" in inputs
    assert config.TEMPLATES_DIR / "briefing.css" in inputs
    assert {"batch.py", "briefing.py", "notebook.py", "local.html.j2"} <= {path.name for path in inputs}


def test_only_takes_names_with_commas_codes_or_a_file_and_nation_filters(tmp_path):
    seats, failed = selection.select_seats("Ayr, Carrick and Cumnock,E14001063, Atlantis", None)
    assert [seat.gss_code for seat in seats] == ["E14001063", "S14000107"] and list(failed) == ["Atlantis"]
    listing = tmp_path / "seats.txt"
    listing.write_text("# my seats\nYnys Môn\n\nN05000003\n", encoding="utf-8")
    seats, failed = selection.select_seats(str(listing), selection.parse_nation("wales"))
    assert [seat.gss_code for seat in seats] == ["W07000112"] and failed == {}
    every_code = ",".join(seat.gss_code for seat in default_resolver().seats())  # too long for a path
    assert len(selection.select_seats(every_code, None)[0]) == 650
    seats, _ = selection.select_seats(None, selection.parse_nation("NORTHERN ireland"))
    assert len(seats) == 18 and {seat.nation for seat in seats} == {"Northern Ireland"}
    with pytest.raises(ParameterError, match="England, Wales, Scotland, Northern Ireland"):
        selection.parse_nation("Mars")


def test_cli_refuses_an_unknown_nation_in_one_line():
    proc = run_all("--nation", "Mars", "--out", os.devnull)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: --nation 'Mars' is not valid; use one of England, Wales, Scotland, Northern Ireland"
    ]


def test_a_second_batch_into_the_same_folder_refuses_in_one_line(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    with state.only_batch_in(out):  # as a running batch holds it
        proc = run_all("--only", "E14001063", "--out", str(out), "--date", DATE)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {out}: another batch is writing briefings to this folder; wait for it to finish or give "
        "another --out"
    ]
    assert sorted(path.name for path in out.iterdir()) == [state.LOCK_FILE]
    assert run_all("--only", "E14001063", "--out", str(out), "--date", DATE).returncode == 0


def test_sigterm_keeps_finished_seats_leaves_no_partial_file_and_a_rerun_resumes(tmp_path):
    out = tmp_path / "stopped"
    codes = [*SEATS, "S14000107", "E14001090"]
    proc = start_batch_and_wait_for_first_seat(codes, out)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "stopped by SIGTERM" in stderr
    finished = state_of(out)
    assert 1 <= len(finished) < len(codes)
    assert not list(out.glob(".*.tmp"))
    assert len(pdfs(out)) == len(finished)
    for name in pdfs(out):
        assert len(PdfReader(out / name).pages) > 1
    result = batch.render_all(out_dir=out, only=list(finished), jobs=1, date=DATE)
    assert sorted(result.skipped) == sorted(finished) and result.rendered == []


def test_a_worker_killed_mid_bundle_fails_only_its_seat_and_the_rest_of_its_bundle_is_rendered(tmp_path):
    """Three seats whose largest authority is Birmingham form one bundle for one worker; the worker is
    killed when the first is done: the seat in its hands fails, a new worker renders the third."""
    import psutil

    out = tmp_path / "killed"
    codes = ["E14001098", "E14001099", "E14001100"]  # Birmingham Perry Barr, Selly Oak, Yardley
    proc = start_batch_and_wait_for_first_seat(codes, out)
    workers = [
        child for child in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(child.cmdline())
    ]
    assert len(workers) == 1
    workers[0].kill()
    _, stderr = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 1, stderr
    assert "rendered 2, skipped 0, failed 1" in stderr and "its worker process died" in stderr
    assert len(state_of(out)) == 2 and len(pdfs(out)) == 2


def start_batch_and_wait_for_first_seat(codes: list[str], out: Path) -> subprocess.Popen:
    """``build.py all`` for ``codes`` with one worker, returned once the first seat is recorded done."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "build.py",
            "all",
            "--only",
            ",".join(codes),
            "--out",
            str(out),
            "--jobs",
            "1",
            "--date",
            DATE,
        ],
        cwd=config.ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + TIMEOUT_S
    while not ((out / state.STATE_FILE).is_file() and state_of(out)):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return proc
