"""Hardening: bad input, faults, and the pack's own privacy, as one tested matrix.

Rows (see the README's "Reliability" section for the counts):

1. What people type: queries, sender name and address, dates and letter text that are empty, huge,
   control characters, Unicode look-alikes, or look like code. Through the Python functions (most
   cases, and hypothesis properties) and through ``build.py resolve`` / ``build.py brief`` in a
   subprocess (a few, run side by side). Every case ends in exit 0 or 2, one line on stderr for 2,
   never a traceback; code-like text is only ever text (canary files that an executed payload would
   create never appear).
2. Letter files: unknown placeholders, HTML and scripts, local and remote references, not UTF-8,
   too big, empty, a folder, missing.
3. Data faults: a curated table missing, truncated, altered, with a renamed column or a wrong type,
   or a damaged manifest: one line naming the file and how to rebuild, exit 2, nothing written.
4. Process faults: SIGINT / SIGTERM while a briefing renders, an interrupt while files are written, a
   kernel that dies, an output folder that cannot exist.
5. Privacy: a real briefing rendered with every non-loopback connection refused in both the CLI
   process and its kernel (a ``sitecustomize`` on PYTHONPATH), and the sender's name and address
   found only in the files asked for.

Costs: one full briefing render (row 5), two interrupted ones (row 4), one small warm kernel.
"""

import contextlib
import csv
import datetime
import email
import email.policy
import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import psutil
import pypdf
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from npd_briefing import caches, config
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.data import datasets, tables
from npd_briefing.exceptions import (
    DataFileError,
    LetterTemplateError,
    NotebookExecutionError,
    OutputError,
    PackError,
    ParameterError,
    PostcodeError,
    UnknownSeatError,
)
from npd_briefing.letters.letter import (
    MAX_LETTER_BYTES,
    PLACEHOLDERS,
    fill_letter,
    letter_to_html,
    load_letter_template,
)
from npd_briefing.parameters import validate_parameters
from npd_briefing.pipeline import brief as brief_module
from npd_briefing.pipeline import notebook as notebook_module
from npd_briefing.pipeline import pdf as pdf_module
from npd_briefing.pipeline import request as request_module
from npd_briefing.seats import resolve as resolve_module
from npd_briefing.seats.postcodes import normalise_postcode
from npd_briefing.seats.resolve import Seat, resolve
from tests.conftest import rehash, run_build, run_main, squeeze

BUILD = config.ROOT / "build.py"
TOKEN = "7Q4X"  # in every sender string, so a leak can be searched for
SENDER_NAME_WORD = f"Quillfeather{TOKEN}"
SENDER_ADDRESS_WORD = f"Canarylane{TOKEN}"

# Unicode look-alikes and invisible characters.
FULLWIDTH = "Ａｌｄｅｒｓｈｏｔ"  # resolves: NFKD folds it to "Aldershot"
CYRILLIC = "Аldershot"  # Cyrillic А: a different word
LOOKALIKES = [
    FULLWIDTH,
    CYRILLIC,
    "Ald\u200dershot",
    "Ald\u200cershot",
    "\u202eAldershot",
    "Aldershot\u200b",
    "\ufeffAldershot",
    "Ａldershot",
    "ＳＷ１Ａ １ＡＡ",
    "SW1А 1АА",
    "ЅW1A 1AA",
    "SW1A\u00a01AA",
    "Ｅ１４００１０６３",
    "E١٤٠٠١٠٦٣",
    "ynys mo\u0302n",
    "Ynys M\u00f4n\u0301",
]
CONTROLS = [
    "\x00",
    "Aldershot\x00",
    "\x07",
    "\x1b[31mAldershot",
    "\x7f",
    "Ald\x08ershot",
    "\x85",
    "\u2028",
    "Aldershot\r",
    "\tAldershot\n",
    "SW1A 1AA\n",
    "\x1c\x1d\x1e\x1f",
    "\ud800",
    "\udcff",
]
CODE_LIKE = [
    "'; import os #",
    "$(id)",
    "`id`",
    "{{7*7}}",
    "${7*7}",
    "__import__('os').system('id')",
    "<script>alert(1)</script>",
    "<% 7*7 %>",
    "{% print(1) %}",
    "#{7*7}",
    "%s%s%s%n",
    "../../etc/passwd",
    "Robert'); DROP TABLE seats;--",
    "\\",
    "'",
    '"',
    '"""',
    "\\x00",
    "; rm -rf ~",
    "| cat /etc/passwd",
    "&& id",
    "\"; exec('id'); \"",
    "{0.__class__}",
    "[[7*7]]",
]
SIZES = ["", " ", "\t \n", "x" * 10_000, "a" * 201, "Aldershot " * 30, "E" * 10_000 + "14001063"]
POSTCODES = [
    "SW1A",
    "SW1A 1A",
    "ZZ9 9ZZ",
    "QQ1 1AA",
    "B1 1AA",
    "SW1A 1AAA",
    "sw1a-1aa",
    "12345",
    "BT1 1AA",
    "bt93 8ad",
    "BT48 6DQ",
    "GY1 1AA",
    "JE2 3AA",
    "IM1 1AA",
    "BFPO 123",
    "GIR 0AA",
    "SR43 2AA",
]
TYPED = SIZES + CONTROLS + LOOKALIKES + CODE_LIKE + POSTCODES

# What resolves although it looks odd (everything else in TYPED must be refused).
RESOLVES = {
    FULLWIDTH: "E14001063",
    "Ａldershot": "E14001063",
    "\tAldershot\n": "E14001063",
    "Aldershot\r": "E14001063",
    "SW1A 1AA\n": "E14001172",
    "SW1A\u00a01AA": "E14001172",
    "ynys mo\u0302n": "W07000112",
    "Ynys M\u00f4n\u0301": "W07000112",
}


def canary_payloads(folder: Path) -> list[str]:
    """Text that creates a file in ``folder`` if a shell, Python, papermill or a template runs it."""
    target = str(folder)
    return [
        f"$(touch {target}/sh1)",
        f"`touch {target}/sh2`",
        f"; touch {target}/sh3 #",
        f"__import__('pathlib').Path({target + '/py1'!r}).touch()",
        f"'; __import__('pathlib').Path({target + '/py2'!r}).touch(); '",
        f"\"; __import__('pathlib').Path({target + '/py3'!r}).touch(); \"",
        f'"""; __import__(\'pathlib\').Path({target + "/py4"!r}).touch(); """',
        f"\\'; __import__('pathlib').Path({target + '/py5'!r}).touch() #",
        f"${{__import__('pathlib').Path({target + '/tpl1'!r}).touch()}}",
        f"{{% set x = cycler.__init__.__globals__.os.system('touch {target}/tpl2') %}}",
        f"<%= system('touch {target}/tpl3') %>",
        f"<script>fetch('file://{target}/js1')</script>",
    ]


def assert_one_line_error(code, out: str, err: str, *, allowed=(0, 2)):
    shown = (code, out[:300], err[-1500:])
    assert code in allowed, shown
    assert "Traceback" not in err and "Traceback" not in out, shown
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1 and err.endswith("\n"), shown
        assert out == ""
        assert len(err) < 600, shown


class _Tags(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


FORBIDDEN_TAGS = {
    "script",
    "img",
    "a",
    "link",
    "iframe",
    "frame",
    "object",
    "embed",
    "style",
    "base",
    "svg",
    "form",
    "input",
    "video",
    "audio",
    "source",
}
FORBIDDEN_ATTRS = {"src", "srcset", "href", "action", "formaction", "data", "background", "poster"}
REMOTE_CSS = re.compile(r"@import|expression\(|url\(\s*(?!['\"]?(?:data:|#))", re.IGNORECASE)


def live_markup(page: str, *, allow_tags=frozenset(), allow_data_urls=False) -> list:
    """Real (unescaped) tags, attributes or CSS in ``page`` that could run or fetch something."""
    found = []
    for tag, attrs in _Tags(page).tags:
        if tag in FORBIDDEN_TAGS - set(allow_tags) or (tag == "meta" and "http-equiv" in attrs):
            found.append((tag, attrs))
        for name, value in attrs.items():
            value = str(value or "")
            if name.startswith("on") or (name == "style" and REMOTE_CSS.search(value)):
                found.append((tag, name, value))
            elif name in FORBIDDEN_ATTRS and not (allow_data_urls and value.startswith(("data:", "#"))):
                if not (tag == "a" and name == "href" and "a" in allow_tags):
                    found.append((tag, name, value))
    for css in re.findall(r"<style[^>]*>(.*?)</style>", page, re.DOTALL | re.IGNORECASE):
        found.extend(("style", match) for match in REMOTE_CSS.findall(css))
    return found


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in Path(folder).rglob("*") if path.is_file()) if Path(folder).exists() else []


@pytest.fixture
def no_render(monkeypatch):
    """Fail the test if anything reaches the notebook: these cases must stop before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("the notebook ran, but the input should have been refused first")

    monkeypatch.setattr(notebook_module, "execute_notebook", refuse)


@pytest.fixture
def blocked_out(tmp_path):
    """An output folder that cannot be created (its parent is a file): root cannot write there either."""
    (tmp_path / "afile").write_text("")
    return tmp_path / "afile" / "sub"


# --- 1. What people type ---------------------------------------------------------------------------


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


# --- 2. Letter files ---------------------------------------------------------------------------------


@pytest.fixture
def letter_file(tmp_path):
    def write(content, name="letter.md"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return write


@pytest.mark.parametrize(
    "content, named",
    [
        ("Dear {{mp_nmae}},\n\n{{ sender }}\n", ["{{mp_nmae}}", "{{sender}}"]),
        ("{{date}} {{__import__('os').system('id')}}\n", ["{{__import__('os').system('id')}}"]),
        ("Total {{7*7}} and {{ config }}\n", ["{{7*7}}", "{{config}}"]),
        ("Hello {{date}\n", ["unmatched"]),
        ("Hello }} there\n", ["unmatched"]),
    ],
)
def test_letter_with_unknown_placeholders_names_them(letter_file, blocked_out, no_render, content, named):
    path = letter_file(content)
    code, out, err = run_main(["brief", "Aldershot", "--out", str(blocked_out), "--letter", str(path)])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert str(path) in err
    for text in named:
        assert text in err
    if named != ["unmatched"]:
        assert all(f"{{{{{name}}}}}" in err for name in PLACEHOLDERS)


@pytest.mark.parametrize(
    "kind, needle",
    [
        ("latin-1", "not UTF-8"),
        ("utf-16", "not UTF-8"),
        ("binary", "not UTF-8"),
        ("too-big", "at most 100,000"),
        ("empty", "empty"),
        ("blank", "empty"),
        ("folder", "not a file"),
        ("missing", "does not exist"),
        ("dev-null", "not a file"),
        ("broken-link", "does not exist"),
    ],
)
def test_unusable_letter_files_fail_with_one_line(
    tmp_path, letter_file, blocked_out, no_render, kind, needle
):
    if kind == "latin-1":
        path = letter_file("Dear {{mp_name}}, caf\u00e9".encode("latin-1"))
    elif kind == "utf-16":
        path = letter_file("Dear {{mp_name}}".encode("utf-16"))
    elif kind == "binary":
        path = letter_file(bytes(range(256)) * 4)
    elif kind == "too-big":
        path = letter_file("a" * (MAX_LETTER_BYTES + 1))
    elif kind == "empty":
        path = letter_file("")
    elif kind == "blank":
        path = letter_file(" \n\t\r\n\ufeff")
    elif kind == "folder":
        path = tmp_path
    elif kind == "missing":
        path = tmp_path / "nope.md"
    elif kind == "dev-null":
        path = Path(os.devnull)
    else:
        path = tmp_path / "link.md"
        path.symlink_to(tmp_path / "gone.md")
    code, out, err = run_main(["brief", "Aldershot", "--out", str(blocked_out), "--letter", str(path)])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert needle in err and str(path) in err


def test_a_letter_that_grows_past_the_limit_after_stat_is_still_refused(letter_file, monkeypatch):
    """Files under /proc report size 0 whatever they hold: the read itself is bounded."""
    path = letter_file("a" * (MAX_LETTER_BYTES + 10))
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 0, *real_fstat(fd)[7:])))
    with pytest.raises(LetterTemplateError, match="over 100,000 bytes"):
        load_letter_template(path)


def test_letter_html_and_references_render_as_text_and_nothing_is_fetched(monkeypatch):
    """The letter's HTML and links reach the PDF renderer only as text: Typst is given no image and
    no file to read, and the bytes of /etc/passwd never reach the PDF."""
    markdown = textwrap.dedent("""\
        <script>alert(1)</script> <img src="file:///etc/passwd" alt="p"> <iframe src="http://example.com/"></iframe>
        ![passwd](/etc/passwd) ![x](file:///etc/passwd) [link](file:///etc/passwd) ![remote](http://example.com/x.png)
        <link rel="stylesheet" href="http://example.com/x.css"> <style>@import url(http://example.com/y.css);</style>
        <http://example.com/track> [ref][1]

        [1]: http://example.com/ref.png
        """)
    body = letter_to_html(markdown)
    page = (
        f'<!DOCTYPE html><html lang="en-GB"><head><title>t</title><link rel="stylesheet" href="briefing.css">'
        f"</head><body>{body}</body></html>"
    )
    markup = pdf_module.html_to_typst(page)
    assert markup.images == {} and "image-with-alt(" not in markup.markup and "read(" not in markup.markup
    pdf = pdf_module.html_to_pdf_bytes(page, title="t")
    text = squeeze(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    assert live_markup(body) == []
    assert "<script>alert(1)</script>" in text and "http://example.com/x.png" not in text  # alt text only
    assert "file:///etc/passwd" in text  # a link's URL is shown as text
    for line in Path("/etc/passwd").read_text().splitlines()[:3]:
        assert squeeze(line) not in text


# --- 3. Data faults ----------------------------------------------------------------------------------


def damage(data: Path, table: str, fault: str) -> str:
    """Damage ``table`` in ``data``; return text the error message must contain."""
    path = data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]

    def write_rows(new_rows):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(new_rows)

    if fault == "missing":
        path.unlink()
        return "curated table is missing"
    if fault == "truncated":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        return "do not match the sha256"
    if fault == "one-byte-changed":
        path.write_bytes(path.read_bytes()[:-2] + b"#\n")
        return "do not match the sha256"
    if fault == "truncated-rehashed":
        write_rows(rows[:5])
        rehash(data, table)
        return "4 rows, manifest says"
    if fault == "renamed-column":
        column = header[1]
        write_rows([[*header[:1], column + "_renamed", *header[2:]], *rows[1:]])
        rehash(data, table)
        return f"missing column(s) '{column}'"
    if fault == "wrong-type":
        kinds = tables.TABLES[table].columns
        index = next(i for i, c in enumerate(header) if kinds.get(c) in ("integer", "number", "boolean"))
        rows[1][index] = "twelve"
        write_rows(rows)
        rehash(data, table)
        return f"column '{header[index]}' should be"
    raise ValueError(fault)


DATA_TABLES = ["seats", "postcode_ranges", "la_ap", "npd_facts", "school_arranged_ap_reasons"]
DATA_FAULTS = [
    "missing",
    "truncated",
    "one-byte-changed",
    "truncated-rehashed",
    "renamed-column",
    "wrong-type",
]


@pytest.mark.parametrize("fault", DATA_FAULTS)
@pytest.mark.parametrize("table", DATA_TABLES)
def test_damaged_table_stops_the_brief_with_one_line_naming_it(data_copy, tmp_path, no_render, table, fault):
    needle = damage(data_copy, table, fault)
    out_dir = tmp_path / "out"
    code, out, err = run_main(["brief", "Aldershot", "--out", str(out_dir)])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert f"{data_copy / table}.csv" in err and needle in err, err
    assert "python build.py data" in err
    assert not out_dir.exists()


@pytest.mark.parametrize("fault", ["missing", "not-json", "empty"])
def test_damaged_manifest_stops_the_brief(data_copy, tmp_path, no_render, fault):
    manifest = data_copy / "datapackage.json"
    if fault == "missing":
        manifest.unlink()
    else:
        manifest.write_text("{" if fault == "not-json" else "", encoding="utf-8")
    code, out, err = run_main(["brief", "Aldershot", "--out", str(tmp_path / "out")])
    assert_one_line_error(code, out, err, allowed=(2,))
    assert str(manifest) in err and "python build.py data" in err
    assert not (tmp_path / "out").exists()


def test_the_data_check_covers_every_table_a_briefing_reads(monkeypatch):
    """Spy on the loaders while the briefing's sections are built for an English and a Welsh seat,
    and the national annex's."""
    from npd_briefing.evidence import annex, briefing

    used = set()
    for name in ("load", "columns", "resource"):
        real = getattr(datasets, name)
        monkeypatch.setattr(
            datasets, name, lambda table, *a, _real=real, **k: used.add(table) or _real(table, *a, **k)
        )
    caches.clear()
    try:
        for seat in ("Aldershot", "Ynys Môn"):
            b = briefing.prepare(seat, date="2026-03-12")
            for name in briefing.SECTIONS:
                assert briefing.SECTIONS[name](b) or not b.local
        for name in annex.SECTIONS:  # the annex every briefing brings with it
            assert annex.SECTIONS[name]()
    finally:
        caches.clear()
    checked = set(request_module.BRIEF_TABLES)
    assert used and used <= checked, used - checked


# --- 4. Process faults -------------------------------------------------------------------------------


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


# --- 5. Privacy: no network, and the sender only where asked for ------------------------------------

SITECUSTOMIZE = r'''
"""Test-only: refuse every non-loopback connection and log URLs opened, in every Python process."""
import os
import socket
import sys

_LOG = os.environ["NPD_TEST_NET_LOG"]


def _log(kind, detail):
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\t{kind}\t{' '.join(str(detail).split())[:200]}\n")


with open("/proc/self/cmdline", "rb") as _cmdline:
    _log("armed", _cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:160])


def _local(address):
    if not isinstance(address, tuple):  # AF_UNIX
        return True
    host = str(address[0])
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")


def _guard(name):
    real = getattr(socket.socket, name)

    def guarded(self, *args):
        address = args[-1] if args else None
        if name in ("connect", "connect_ex", "sendto") and not _local(address):
            _log("blocked", f"{name} {address!r}")
            raise OSError(101, "network is blocked in this test")
        return real(self, *args)
    setattr(socket.socket, name, guarded)


for _name in ("connect", "connect_ex", "sendto"):
    _guard(_name)
_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "::1") and not str(host).startswith("127."):
        _log("blocked", f"getaddrinfo {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, "network is blocked in this test")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo

import urllib.request  # noqa: E402

_real_open = urllib.request.OpenerDirector.open


def _open(self, url, *args, **kwargs):
    _log("url", getattr(url, "full_url", url))
    return _real_open(self, url, *args, **kwargs)


urllib.request.OpenerDirector.open = _open
'''


@pytest.fixture(scope="module")
def private_run(tmp_path_factory):
    """One real briefing through ``build.py brief``: network refused in the CLI and its kernel, a
    fresh $HOME and $TMPDIR, a hostile letter, and a sender whose details carry canary payloads."""
    root = tmp_path_factory.mktemp("private")
    folders = {name: root / name for name in ("site", "home", "tmp", "out", "canary")}
    for folder in folders.values():
        folder.mkdir()
    (folders["site"] / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = root / "net.log"
    payloads = canary_payloads(folders["canary"])
    sender_name = f"Zara {SENDER_NAME_WORD} <script>alert(1)</script> {{{{7*7}}}} {payloads[0]}"
    address_lines = [f"1 {SENDER_ADDRESS_WORD}", "Bridlington", payloads[1], payloads[4], payloads[8]]
    letter = root / "my letter '$(id)' \"x\".md"
    letter.write_text(
        "{{sender_address}}\n\n{{date}}\n\n{{salutation}},\n\n"
        f"Reliability check {TOKEN}. <script>document.title = 'x'</script> <b onclick=\"x()\">bold?</b>\n"
        '<img src="file:///etc/passwd" alt="p"> ![passwd](/etc/passwd) ![x](file:///etc/passwd)\n'
        '![remote](http://example.com/x.png) <iframe src="http://example.com/"></iframe>\n'
        '<link rel="stylesheet" href="http://example.com/x.css"> <style>@import url(http://example.com/y.css);</style>\n\n'
        + "\n\n".join(payloads)
        + "\n\nYours sincerely,\n\n{{sender_name}}\n",
        encoding="utf-8",
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "IPYTHON", "MPL", "PYTHONPATH"))
    }
    env.update(
        PYTHONPATH=str(folders["site"]),
        NPD_TEST_NET_LOG=str(log),
        HOME=str(folders["home"]),
        TMPDIR=str(folders["tmp"]),
        MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(folders["home"])),
    )
    started = time.time() - 1
    result = run_build(
        "brief",
        "Aldershot",
        "--out",
        str(folders["out"]),
        "--format",
        "pdf,html",
        "--date",
        "2026-03-12",
        "--sender-name",
        sender_name,
        "--sender-address",
        "\\n".join(address_lines),
        "--letter",
        str(letter),
        env=env,
        timeout=300,
    )
    code, out, err = result.returncode, result.stdout, result.stderr
    # The guard itself: a connection to a documentation address (TEST-NET-1) is refused and logged.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), "
            "timeout=2)\nexcept OSError as e:\n    print(e)",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    return {
        "code": code,
        "stdout": out,
        "stderr": err,
        "folders": folders,
        "log": log,
        "started": started,
        "letter": letter,
        "sender_name": sender_name,
        "address_lines": address_lines,
        "probe": probe.stdout,
    }


def _outputs(run) -> dict[str, Path]:
    """The seat's own files by suffix (the national annex beside them is the same for everyone)."""
    return {
        path.suffix: path for path in files_under(run["folders"]["out"]) if path.name != config.ANNEX_FILE
    }


def test_private_run_succeeds_with_three_files_and_the_annex(private_run):
    assert private_run["code"] == 0, private_run["stderr"]
    assert sorted(_outputs(private_run)) == [".eml", ".html", ".pdf"]
    assert (private_run["folders"]["out"] / config.ANNEX_FILE).is_file()
    assert private_run["stdout"].count("\n") == 4


def test_network_is_refused_in_the_cli_and_the_kernel_and_nothing_tries_it(private_run):
    assert "network is blocked in this test" in private_run["probe"]  # the guard works
    entries = [line.split("\t", 2) for line in private_run["log"].read_text(encoding="utf-8").splitlines()]
    entries = [e for e in entries if "192.0.2.1" not in e[2] and "import socket" not in e[2]]  # the probe's
    armed = {pid for pid, kind, _ in entries if kind == "armed"}
    assert len(armed) >= 2, entries  # build.py and its kernel (and any helper process)
    assert any("ipykernel" in detail for _, kind, detail in entries if kind == "armed")
    assert [e for e in entries if e[1] == "blocked"] == []
    urls = [detail for _, kind, detail in entries if kind == "url"]  # Typst opens none: it reads files itself
    assert all(url.startswith("data:") or url.startswith(TEMPLATES_DIR.as_uri()) for url in urls), urls


def test_code_like_text_was_never_run(private_run):
    assert list(private_run["folders"]["canary"].iterdir()) == []


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(path).pages)


def test_letter_markup_and_references_are_text_and_passwd_is_not_read(private_run):
    outputs = _outputs(private_run)
    text = squeeze(_pdf_text(outputs[".pdf"]))
    page = outputs[".html"].read_text(encoding="utf-8")
    assert f"Reliabilitycheck{TOKEN}." in text
    assert squeeze("<script>document.title = 'x'</script>") in text and "<bonclick" in text
    # Only the pack's own links (to sources) and inline images survive in the page.
    assert live_markup(page, allow_tags={"img", "a", "svg", "style"}, allow_data_urls=True) == []
    assert all(
        attrs.get("href", "").startswith(("https:", "http:", "mailto:", "#"))
        for tag, attrs in _Tags(page).tags
        if tag == "a"
    )
    assert "example.com/x.png" not in text  # an image becomes its alt text
    assert "$(touch" in text and "__import__('pathlib')" in text  # the payloads, as words
    for line in Path("/etc/passwd").read_text().splitlines()[:5]:
        assert squeeze(line) not in text and line not in page


def test_sender_details_are_in_the_letter_and_the_draft_email(private_run):
    outputs = _outputs(private_run)
    text = squeeze(_pdf_text(outputs[".pdf"]))
    assert SENDER_NAME_WORD in text and SENDER_ADDRESS_WORD in text
    assert "<script>alert(1)</script>{{7*7}}" in text
    page = outputs[".html"].read_text(encoding="utf-8")
    assert SENDER_NAME_WORD in page and SENDER_ADDRESS_WORD in page
    message = email.message_from_bytes(outputs[".eml"].read_bytes(), policy=email.policy.default)
    assert private_run["sender_name"] in message.get_body(("plain",)).get_content()
    assert SENDER_ADDRESS_WORD not in message.as_string()  # the draft email needs no address


def test_sender_details_appear_nowhere_else(private_run):
    secrets = [SENDER_NAME_WORD.encode(), SENDER_ADDRESS_WORD.encode()]
    assert not any(s.decode() in private_run["stdout"] + private_run["stderr"] for s in secrets)
    outputs = set(_outputs(private_run).values())
    for path in files_under(private_run["folders"]["out"]):
        assert TOKEN not in path.name and "Zara" not in path.name
    reader = pypdf.PdfReader(_outputs(private_run)[".pdf"])
    assert reader.metadata and not any(
        TOKEN in str(value) or "Zara" in str(value) for value in reader.metadata.values()
    )
    # Every other file the run could have written: its $HOME and $TMPDIR, the out folder, and any
    # file in the repository (including .venv) changed since the run began.
    candidates = [p for name in ("home", "tmp", "out") for p in files_under(private_run["folders"][name])]
    for folder, dirs, names in os.walk(config.ROOT):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = Path(folder, name)
            with contextlib.suppress(OSError):
                if path.is_file() and path.stat().st_mtime >= private_run["started"]:
                    candidates.append(path)
    leaks = []
    for path in set(candidates) - outputs:
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            if any(s in data for s in secrets):
                leaks.append(path)
    assert leaks == []
    assert candidates  # the scan saw something (at least the kernel's and Jupyter's files)


# --- 6. Properties (hypothesis) ----------------------------------------------------------------------

SEAT_NAMES = [seat.name for seat in resolve_module.default_resolver().seats()]
HOMOGLYPHS = {"A": "АΑＡ", "E": "ЕΕＥ", "O": "ОΟＯ0", "S": "ЅＳ", "1": "１l", "a": "аａ", "o": "оο"}


@st.composite
def near_misses(draw):
    """A real seat name, code or postcode, then changed: case, spacing, a look-alike, an invisible
    character, a cut, or code-like text added."""
    base = draw(
        st.one_of(
            st.sampled_from(SEAT_NAMES),
            st.sampled_from(["E14001063", "W07000112", "S14000021"]),
            st.sampled_from(["SW1A 1AA", "M1 1AE", "CF10 1EP", "YO15 1AA", "BT1 1AA", "LL65 1AA"]),
        )
    )
    change = draw(st.sampled_from(["none", "case", "space", "homoglyph", "invisible", "cut", "append"]))
    if change == "case":
        return draw(st.sampled_from([base.upper(), base.lower(), base.swapcase()]))
    if change == "space":
        return draw(st.sampled_from(["", " ", "\t", "\u00a0", "\u3000"])).join(base.split(" ")) + " "
    index = draw(st.integers(0, max(len(base) - 1, 0)))
    if change == "homoglyph" and base[index] in HOMOGLYPHS:
        return base[:index] + draw(st.sampled_from(HOMOGLYPHS[base[index]])) + base[index + 1 :]
    if change == "invisible":
        return (
            base[:index]
            + draw(st.sampled_from(["\u200b", "\u200d", "\u202e", "\ufeff", "\x00", "\x1b"]))
            + base[index:]
        )
    if change == "cut":
        return base[:index]
    if change == "append":
        return base + draw(st.sampled_from(CODE_LIKE))
    return base


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=300)  # surrogates included
QUERIES = st.one_of(ANY_TEXT, near_misses(), st.sampled_from(TYPED))


@settings(max_examples=600, deadline=None)
@given(query=QUERIES)
def test_property_resolver_returns_a_seat_or_raises_pack_error(query):
    try:
        seat = resolve(query)
    except PackError as error:
        assert "\n" not in str(error) and len(str(error)) < 600
    else:
        assert isinstance(seat, Seat) and seat.gss_code in resolve_module.default_resolver()._seats


RANGE_STARTS = datasets.load("postcode_ranges")


@settings(max_examples=400, deadline=None)
@given(
    row=st.integers(0, len(RANGE_STARTS) - 1),
    swap=st.integers(0, 6),
    glyph=st.sampled_from("АЕОЅＡＢ１０\u200b"),
)
def test_property_real_postcodes_resolve_and_look_alikes_never_do(row, swap, glyph):
    start, gss_code = RANGE_STARTS.iloc[row]
    compact = np.base_repr(int(start), 36)
    postcode = normalise_postcode(compact)  # every range starts at a real postcode
    assert normalise_postcode(postcode) == postcode
    try:
        assert resolve(postcode).gss_code == gss_code
    except PostcodeError as error:
        assert gss_code == "" and "no constituency" in str(error)
    index = swap % len(postcode)
    spoofed = postcode[:index] + glyph + postcode[index + 1 :]
    with pytest.raises(PackError):
        resolve(spoofed)


LETTER_PIECES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(sorted(f"{{{{{name}}}}}" for name in PLACEHOLDERS)),
    st.sampled_from(
        [
            "{{ date }}",
            "{{nope}}",
            "{{",
            "}}",
            "[Date]",
            "[title and name of your MP]",
            "\r\n",
            "\ufeff",
            "<script>x</script>",
            "![i](file:///etc/passwd)",
            "[l](http://example.com)",
            "<img src=x>",
            "\n\n# ",
            "\n- ",
            "\n1. ",
            "> ",
            "```",
            "*",
            "_",
            "`",
            "\\",
            "&amp;",
            "<!--",
            "-->",
            "|a|b|\n|-|-|",
        ]
    ),
)
VALUES = {
    "date": "12 March 2026",
    "salutation": "Dear Sir Mel Stride",
    "mp_name": "Sir Mel Stride",
    "mp_full_title": "Rt Hon Sir Mel Stride MP",
    "seat_name": "Central Devon",
}


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(LETTER_PIECES, max_size=30),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
    name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    address=st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
)
def test_property_any_letter_file_loads_fills_and_renders_or_fails_with_letter_error(
    tmp_path_factory, pieces, encoding, name, address
):
    path = tmp_path_factory.getbasetemp() / "property-letter.md"
    try:
        path.write_bytes("".join(pieces).encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        template = load_letter_template(path)
    except LetterTemplateError as error:
        assert str(path) in str(error) and "\n" not in str(error)
        event(f"refused: {str(error).split(': ')[0].split(' ', 3)[-1][:25]}")
        return
    event("loaded, filled and rendered")
    filled = fill_letter(template, VALUES | {"sender_name": name, "sender_address": address})
    assert not any(f"{{{{{placeholder}}}}}" in filled for placeholder in PLACEHOLDERS)
    page = letter_to_html(filled)
    assert live_markup(page) == [], page


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
    | st.lists(LETTER_PIECES).map("".join)
)
def test_property_letter_html_never_fetches_or_runs_anything(text):
    page = letter_to_html(text)
    assert isinstance(page, str) and live_markup(page) == [], page


@settings(max_examples=300, deadline=None)
@given(query=QUERIES.filter(lambda q: "\x00" not in q))
def test_property_cli_resolve_in_process_exits_0_or_2_with_one_line(query):
    code, out, err = run_main(["resolve", "--", query])
    assert_one_line_error(code, out, err)
    assert code == 2 or out.count("\n") == 1


BRIEF_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=80),
    st.sampled_from(CODE_LIKE),
    st.just(""),
    st.text(max_size=600),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.one_of(st.sampled_from(SEAT_NAMES), QUERIES),
    name=BRIEF_TEXT,
    address=BRIEF_TEXT,
    date=st.one_of(st.just("2026-03-12"), st.dates().map(str), BRIEF_TEXT),
    formats=st.sampled_from(["pdf", "html", "pdf,html", "PDF", "", "docx", "pdf;html", "pdf,,html"]),
)
def test_property_cli_brief_in_process_stops_before_rendering_with_one_line(
    blocked_out, no_render, query, name, address, date, formats
):
    code, out, err = run_main(
        [
            "brief",
            "--out",
            str(blocked_out),
            f"--sender-name={name}",
            f"--sender-address={address}",
            f"--date={date}",
            f"--format={formats}",
            "--",
            query,
        ]
    )
    assert_one_line_error(code, out, err, allowed=(2,))
    assert not blocked_out.exists()


ARGV_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@settings(max_examples=25, deadline=None)
@given(query=st.one_of(ARGV_TEXT, near_misses().filter(lambda q: "\x00" not in q)))
def test_property_cli_resolve_subprocess(query):
    result = run_build("resolve", "--", query, timeout=120)
    code, out, err = result.returncode, result.stdout, result.stderr
    assert_one_line_error(code, out, err)


@settings(max_examples=15, deadline=None)
@given(
    query=st.one_of(st.sampled_from(SEAT_NAMES), ARGV_TEXT),
    name=ARGV_TEXT,
    date=ARGV_TEXT | st.dates().map(str),
)
def test_property_cli_brief_subprocess_stops_before_rendering(tmp_path_factory, query, name, date):
    blocked = tmp_path_factory.getbasetemp() / "afile"
    blocked.write_text("")
    result = run_build(
        "brief",
        "--out",
        str(blocked / "sub"),
        f"--sender-name={name}",
        f"--date={date}",
        "--",
        query,
        timeout=120,
    )
    code, out, err = result.returncode, result.stdout, result.stderr
    assert_one_line_error(code, out, err, allowed=(2,))
