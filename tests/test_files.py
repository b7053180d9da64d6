"""Writing a file whole or not at all, and making an output folder, each failure one OutputError."""

import os
import re

import pytest

from npd_briefing import files
from npd_briefing.exceptions import OutputError


def test_an_output_folder_that_cannot_be_created_raises_output_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(OutputError, match=re.escape(str(blocker / "out"))):
        files.make_folder(blocker / "out")
    assert not (blocker / "out").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_a_read_only_output_folder_raises_output_error(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    with pytest.raises(OutputError, match=re.escape(str(folder))):
        files.write_output(folder / "b.pdf", b"%PDF")
    assert list(folder.iterdir()) == []


def test_a_failed_write_leaves_the_old_pdf_and_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "b.pdf"
    target.write_bytes(b"old")

    def fail(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OutputError, match="Permission denied"):
        files.write_output(target, b"new")
    assert [path.name for path in tmp_path.iterdir()] == ["b.pdf"]
    assert target.read_bytes() == b"old"
