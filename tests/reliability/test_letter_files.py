"""Letter files: unknown placeholders, HTML and scripts, local and remote references, not UTF-8, too
big, empty, a folder, missing.
"""

import io
import os
import textwrap
from pathlib import Path

import pypdf
import pytest

from npd_briefing.exceptions import (
    LetterTemplateError,
)
from npd_briefing.letters.letter import (
    MAX_LETTER_BYTES,
    PLACEHOLDERS,
    letter_to_html,
    load_letter_template,
)
from npd_briefing.pipeline import pdf as pdf_module
from tests.conftest import run_main, squeeze
from tests.reliability.cases import assert_one_line_error, live_markup


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
