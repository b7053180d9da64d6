"""What people type: queries, sender name and address, dates and letter text that are empty, huge,
control characters, Unicode look-alikes, or look like code, through the Python functions and through
``build.py resolve`` / ``build.py brief`` in a subprocess (a few, run side by side).
"""

import datetime
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from npd_briefing.exceptions import (
    PackError,
    ParameterError,
    PostcodeError,
    UnknownSeatError,
)
from npd_briefing.parameters import validate_parameters
from npd_briefing.pipeline import request as request_module
from npd_briefing.seats import resolve as resolve_module
from npd_briefing.seats.resolve import resolve
from tests.conftest import run_build, run_main
from tests.reliability.cases import (
    CODE_LIKE,
    CONTROLS,
    CYRILLIC,
    FULLWIDTH,
    LOOKALIKES,
    RESOLVES,
    SIZES,
    TYPED,
    assert_one_line_error,
    canary_payloads,
)


@pytest.mark.parametrize("query", TYPED, ids=[repr(q[:20]) for q in TYPED])
def test_typed_query_resolves_or_fails_with_one_line(query):
    try:
        seat = resolve(query)
    except PackError as error:
        assert query not in RESOLVES, f"{query!r} should resolve"
        message = str(error)
        assert "\n" not in message and "\r" not in message and 0 < len(message) < 400
        assert message.isprintable() and "\x1b" not in message  # quoted with escapes, never raw
    else:
        assert RESOLVES.get(query) == seat.gss_code, (query, seat)


@pytest.mark.parametrize("query", ["BT1 1AA", "bt93 8ad", "BT48 6DQ"])
def test_northern_irish_postcodes_ask_for_the_seat_name(query):
    with pytest.raises(PostcodeError, match="Northern Ireland.*give the seat name"):
        resolve(query)


def test_look_alike_letters_never_give_a_seat():
    for query in (
        CYRILLIC,
        "SW1А 1АА",
        "ЅW1A 1AA",
        "Ｅ１４００１０６３",
        "Ald\u200dershot",
        "\u202eAldershot",
    ):
        with pytest.raises((UnknownSeatError, PostcodeError)):
            resolve(query)


def test_every_seat_resolves_by_name_and_code_in_any_case_and_spacing():
    seats = resolve_module.default_resolver().seats()
    assert len(seats) == 650
    for seat in seats:
        for query in (seat.name, seat.name.upper(), f"  {seat.name.lower()}\t", seat.gss_code.lower()):
            assert resolve(query).gss_code == seat.gss_code, query


@pytest.mark.parametrize("query", TYPED, ids=[repr(q[:20]) for q in TYPED])
def test_cli_resolve_in_process_exits_0_or_2_with_one_line(query):
    code, out, err = run_main(["resolve", "--", query])
    assert_one_line_error(code, out, err)
    if code == 0:
        assert out.count("\n") == 1 and out.split("\t")[0] == RESOLVES[query]


@pytest.mark.parametrize("field", ["--sender-name", "--sender-address", "--date", "--format"])
@pytest.mark.parametrize(
    "value",
    SIZES + CONTROLS + CODE_LIKE + LOOKALIKES[:6],
    ids=[repr(v[:20]) for v in SIZES + CONTROLS + CODE_LIKE + LOOKALIKES[:6]],
)
def test_cli_brief_in_process_refuses_or_reaches_the_output_check(field, value, blocked_out, no_render):
    """Each typed value is refused with a message naming its option when the README's rules for it
    say so, and is otherwise accepted as text: the run then gets as far as the output folder, which
    cannot be created here. Both end with exit 2 and one line; the message says which happened."""
    code, out, err = run_main(["brief", "Aldershot", "--out", str(blocked_out), f"{field}={value}"])
    assert_one_line_error(code, out, err, allowed=(2,))
    if accepted(field, value):
        assert "cannot create the output folder" in err, err
    else:
        assert field.removeprefix("--") in err and "output folder" not in err, err
    assert not blocked_out.exists()


def accepted(field: str, value: str) -> bool:
    """The rules the README states for each option, written out here rather than taken from the code:
    sender fields are at most 500 characters of text (tabs, and line ends in an address, allowed); a
    date is YYYY-MM-DD or blank (today); formats are pdf and/or html, comma separated."""
    if field in ("--sender-name", "--sender-address"):
        allowed = "\t\n\r" if field == "--sender-address" else "\t"
        return len(value) <= 500 and not any(
            unicodedata.category(char) == "Cs" or (unicodedata.category(char) == "Cc" and char not in allowed)
            for char in value
        )
    if field == "--date":
        try:
            return not value or bool(datetime.date.fromisoformat(value.strip()))
        except ValueError:
            return False
    items = [item.strip().lower() for item in value.split(",") if item.strip()]
    return bool(items) and set(items) <= {"pdf", "html"}


@pytest.mark.parametrize("value", ["Jo\x00", "Jo\x1b[2J", "\udcff\udcfeJo", "Jo\x7f", "Jo\nBloggs"])
def test_control_characters_and_undecodable_bytes_in_the_sender_name_are_refused(
    value, blocked_out, no_render
):
    code, out, err = run_main(["brief", "Aldershot", "--out", str(blocked_out), f"--sender-name={value}"])
    assert code == 2 and "--sender-name" in err
    assert_one_line_error(code, out, err)


def test_address_lines_and_tabs_are_text_but_other_controls_are_refused():
    request = request_module.check_request("Aldershot", sender_address="1 High St\r\nFlat\t2\rTown")
    assert request.sender_address == "1 High St\nFlat\t2\nTown"
    with pytest.raises(ParameterError, match=re.escape("U+0000")):
        request_module.check_request("Aldershot", sender_address="1 High St\x00")
    with pytest.raises(ParameterError, match="501 characters"):
        request_module.check_request("Aldershot", sender_name="x" * 501)


def test_every_dangerous_value_reaches_the_notebook_only_as_a_string_literal(tmp_path):
    """The parameters papermill writes into the notebook are literals equal to what was typed."""
    import ast

    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    payloads = canary_payloads(tmp_path) + CODE_LIKE
    nb = load_notebook_node(str(request_module.BRIEFING_NOTEBOOK))
    for payload in payloads:
        request = request_module.check_request(
            "Aldershot", sender_name=payload[:500], sender_address=f"{payload}\n{payload}"[:500]
        )
        params = request.notebook_parameters()
        validate_parameters(request_module.BRIEFING_NOTEBOOK, params)
        injected = parameterize_notebook(nb, params, kernel_name="python3", language="python")
        cell = next(c for c in injected.cells if "injected-parameters" in c.metadata.get("tags", []))
        values = {s.targets[0].id: ast.literal_eval(s.value) for s in ast.parse(cell.source).body}
        assert values == params
    assert list(tmp_path.iterdir()) == []


# CLI in a subprocess: a few of each kind, run side by side.
def _cli_cases(root: Path) -> dict[str, list]:
    canary = root / "canary"
    canary.mkdir()
    (root / "afile").write_text("")
    blocked = str(root / "afile" / "sub")
    big = root / "big.md"
    with open(big, "wb") as handle:
        handle.truncate(1_000_000_000)  # sparse: refused by its size, never read
    return {
        "resolve-empty": ["resolve", ""],
        "resolve-10k": ["resolve", "x" * 10_000],
        "resolve-controls": ["resolve", "Aldershot\x1b[31m\x07"],
        "resolve-fullwidth": ["resolve", FULLWIDTH],
        "resolve-cyrillic": ["resolve", CYRILLIC],
        "resolve-rtl": ["resolve", "\u202eAldershot"],
        "resolve-not-utf8": ["resolve", b"Alder\xff\xfeshot"],
        "resolve-ni": ["resolve", "BT1 1AA"],
        "resolve-canary": ["resolve", " ".join(canary_payloads(canary))[:150]],
        "brief-code-query": ["brief", "'; import os #", "--out", blocked],
        "brief-canary-date": ["brief", "Aldershot", "--out", blocked, "--date", f"$(touch {canary}/d)"],
        "brief-not-utf8-sender": ["brief", "Aldershot", "--out", blocked, "--sender-name", b"J\xff\xfeo"],
        "brief-unwritable-out": ["brief", "Aldershot", "--out", blocked, "--sender-name", "Jo"],
        "brief-letter-folder": ["brief", "Aldershot", "--out", blocked, "--letter", str(root)],
        "brief-letter-huge": ["brief", "Aldershot", "--out", blocked, "--letter", str(big)],
    }


CLI_CASES = [
    "resolve-empty",
    "resolve-10k",
    "resolve-controls",
    "resolve-fullwidth",
    "resolve-cyrillic",
    "resolve-rtl",
    "resolve-not-utf8",
    "resolve-ni",
    "resolve-canary",
    "brief-code-query",
    "brief-canary-date",
    "brief-not-utf8-sender",
    "brief-unwritable-out",
    "brief-letter-folder",
    "brief-letter-huge",
]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    cases = _cli_cases(root)
    assert sorted(cases) == sorted(CLI_CASES)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(cases, pool.map(lambda args: run_build(*args, timeout=120), cases.values())))
    return root, results


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_subprocess_exits_0_or_2_with_one_line_and_runs_nothing(cli_runs, case):
    root, results = cli_runs
    code, out, err = results[case].returncode, results[case].stdout, results[case].stderr
    assert_one_line_error(code, out, err)
    assert code == (0 if case == "resolve-fullwidth" else 2), (case, code, err)
    assert list((root / "canary").iterdir()) == []
    assert not (root / "afile" / "sub").exists()
    expected = {
        "resolve-ni": "Northern Ireland",
        "brief-not-utf8-sender": "--sender-name",
        "brief-unwritable-out": "cannot create the output folder",
        "brief-letter-folder": "not a file",
        "brief-letter-huge": "1,000,000,000 bytes",
        "brief-canary-date": "YYYY-MM-DD",
        "resolve-10k": "too long",
        "resolve-controls": "control characters",
    }
    if case in expected:
        assert expected[case] in err, err
