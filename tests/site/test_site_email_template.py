"""The meeting request's wording comes from one template, and `build.py brief` still writes the same bytes.

The golden drafts in tests/site/data/ were written by the code before the wording moved into
briefing/templates/meeting_request.txt (with a fixed MIME boundary), and written again when the wording
changed on purpose (the evidence issue: every campaign claim attributed; the annex attached; plain
English, #20). When the
wording is changed on purpose, write them again with the new template.
"""

import datetime
import email.policy
from pathlib import Path

import pytest

from npd_briefing.letters.meeting_request import build_meeting_request, fill, load_template

GOLDEN = Path(__file__).parent / "data"
PDF = b"%PDF-1.7\n\x00\xff briefing\n%%EOF\n"
CASES = {
    "meeting_request_signed.eml": dict(
        to_address="mel.stride.mp@parliament.uk",
        mp_full_title="Rt Hon Sir Mel Stride MP",
        salutation="Dear Sir Mel Stride",
        seat_name="Central Devon",
        sender_name="Jo Bloggs",
    ),
    "meeting_request_unsigned_no_address.eml": dict(
        to_address=None,
        mp_full_title="Siân Berry MP",
        salutation="Dear Siân Berry",
        seat_name="Ynys Môn",
        sender_name=None,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_drafts_are_byte_identical_to_before_the_template(name):
    message = build_meeting_request(
        **CASES[name],
        attachments=[("briefing.pdf", PDF), ("national-annex.pdf", PDF)],
        date=datetime.date(2026, 3, 12),
    )
    message.set_boundary("===============0000000000000000000==")
    assert message.as_bytes(policy=email.policy.SMTP) == (GOLDEN / name).read_bytes()


def test_fill_is_one_pass_and_leaves_unknown_placeholders():
    assert (
        fill("{{seat_name}} / {{sender_name}}", {"seat_name": "{{sender_name}}"})
        == "{{sender_name}} / {{sender_name}}"
    )
    subject, body = load_template()
    assert "{{seat_name}}" in subject and body.rstrip().endswith("{{sender_name}}")


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path):
    broken = tmp_path / "meeting_request.txt"
    broken.write_text("Subject: Hello {{mp_shoe_size}}\n\nDear {{salutation}},\n", encoding="utf-8")
    with pytest.raises(ValueError, match="placeholders"):
        load_template(broken)
