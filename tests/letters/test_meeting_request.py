"""The draft meeting request: a well-formed unsent email that parses back to what went in."""

import datetime
import email
import email.policy
import os

import pytest

from npd_briefing.exceptions import OutputError
from npd_briefing.letters.meeting_request import NAME_PLACEHOLDER, build_meeting_request, write_eml

PDF = b"%PDF-1.7\n\x00\xff binary briefing bytes\n%%EOF\n"


def _request(**overrides):
    arguments = {
        "to_address": "mel.stride.mp@parliament.uk",
        "mp_full_title": "Rt Hon Sir Mel Stride MP",
        "salutation": "Dear Sir Mel Stride",
        "seat_name": "Central Devon",
        "sender_name": "Jo Bloggs",
        "attachments": [("npd-briefing-central-devon.pdf", PDF)],
        "date": datetime.date(2026, 3, 12),
    }
    return build_meeting_request(**(arguments | overrides))


def _written_and_parsed(message, tmp_path):
    path = tmp_path / "request.eml"
    write_eml(message, path)
    with open(path, "rb") as handle:
        return email.message_from_binary_file(handle, policy=email.policy.default), path.read_bytes()


def test_round_trip(tmp_path):
    parsed, raw = _written_and_parsed(_request(), tmp_path)
    assert parsed["To"].addresses[0].addr_spec == "mel.stride.mp@parliament.uk"
    assert parsed["To"].addresses[0].display_name == "Rt Hon Sir Mel Stride MP"
    assert (
        parsed["Subject"]
        == "Request to meet: children's privacy in the National Pupil Database (Central Devon)"
    )
    assert parsed["X-Unsent"] == "1"
    assert parsed["From"] is None and parsed["Message-ID"] is None
    assert parsed["Date"].datetime.date() == datetime.date(2026, 3, 12)

    body = parsed.get_body(preferencelist=("plain",))
    assert body.get_content_type() == "text/plain" and body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert text.startswith("Dear Sir Mel Stride,\n")
    assert "Central Devon" in text and "surger" in text and "National Pupil Database" in text
    assert "attached" in text and text.rstrip().endswith("Jo Bloggs")

    attachments = list(parsed.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_filename() == "npd-briefing-central-devon.pdf"
    assert attachments[0].get_content() == PDF
    assert b"\r\n" in raw


def test_no_address_leaves_to_empty(tmp_path):
    parsed, _ = _written_and_parsed(_request(to_address=None), tmp_path)
    assert "To" in parsed and str(parsed["To"]) == ""
    assert "@" not in parsed.get_body(preferencelist=("plain",)).get_content()


def test_no_sender_name_leaves_a_placeholder(tmp_path):
    parsed, _ = _written_and_parsed(_request(sender_name=None), tmp_path)
    assert parsed.get_body(preferencelist=("plain",)).get_content().rstrip().endswith(NAME_PLACEHOLDER)


def test_non_ascii_seat_survives(tmp_path):
    parsed, _ = _written_and_parsed(_request(seat_name="Ynys Môn", salutation="Dear Zöe Franklin"), tmp_path)
    assert parsed["Subject"].endswith("(Ynys Môn)")
    assert "Dear Zöe Franklin," in parsed.get_body(preferencelist=("plain",)).get_content()


def test_no_local_paths_or_machine_names(tmp_path):
    _, raw = _written_and_parsed(_request(), tmp_path)
    for private in (str(tmp_path), os.path.expanduser("~")):
        assert private.encode() not in raw
    with pytest.raises(ValueError, match="bare file name"):
        _request(attachments=[(str(tmp_path / "briefing.pdf"), PDF)])


def test_invalid_address_is_refused():
    with pytest.raises(ValueError, match="not an email address"):
        _request(to_address="No email found")


def test_write_replaces_atomically_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "request.eml"
    path.write_bytes(b"old draft")
    write_eml(_request(), path)
    assert path.read_bytes().startswith(b"To: ")
    assert [entry.name for entry in tmp_path.iterdir()] == ["request.eml"]


def test_unwritable_folder_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="request.eml"):
        write_eml(_request(), tmp_path / "missing-folder" / "request.eml")
