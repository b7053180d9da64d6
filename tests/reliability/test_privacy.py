"""Privacy: a real briefing rendered with every non-loopback connection refused in both the CLI process
and its kernel (a ``sitecustomize`` on PYTHONPATH), and the sender's name and address found only in
the files asked for. Costs one full briefing render.
"""

import contextlib
import email
import email.policy
import os
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from npd_briefing import config
from npd_briefing.config import TEMPLATES_DIR
from tests.conftest import run_build, squeeze
from tests.reliability.cases import (
    SENDER_ADDRESS_WORD,
    SENDER_NAME_WORD,
    TOKEN,
    _Tags,
    canary_payloads,
    files_under,
    live_markup,
)

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
