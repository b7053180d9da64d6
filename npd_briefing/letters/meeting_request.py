"""A draft email asking the MP for a surgery meeting, with the briefing and the national annex attached.

The .eml is a draft for the user to open, check and send from their own mail program; the pack
never sends anything. It has no From header (the mail program fills in the user's own account),
no Message-ID (Python's would embed this machine's host name) and ``X-Unsent: 1``, which makes
Outlook open it as an editable draft. Thunderbird and Apple Mail open it as a message; their
"Edit as New Message" / "Send Again" turn it into one.
"""

import datetime
import email.policy
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.files import write_output
from npd_briefing.letters.salutation import address_line

# The wording lives in this one template, which the campaign website's browser code fills too.
TEMPLATE_PATH = TEMPLATES_DIR / "meeting_request.txt"
PLACEHOLDERS = ("salutation", "seat_name", "sender_name")
NAME_PLACEHOLDER = "[Your name]"
SUBJECT_PREFIX = "Subject: "
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def load_template(path: Path = TEMPLATE_PATH) -> tuple[str, str]:
    """The template's subject line and body, placeholders unfilled.

    The file is a ``Subject: ...`` line, a blank line, then the body; placeholders are
    ``{{salutation}}``, ``{{seat_name}}`` and ``{{sender_name}}``.
    """
    text = Path(path).read_text(encoding="utf-8")
    subject, blank, body = text.partition("\n\n")
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(PLACEHOLDERS))
    if not subject.startswith(SUBJECT_PREFIX) or "\n" in subject or not blank or unknown:
        raise ValueError(
            f"{path} must be a '{SUBJECT_PREFIX}...' line, a blank line and the body, with only "
            f"the placeholders {', '.join(PLACEHOLDERS)}"
        )
    return subject[len(SUBJECT_PREFIX) :], body


def fill(text: str, values: dict[str, str]) -> str:
    """Each ``{{name}}`` in ``values`` replaced in one pass, so a value is never read as a placeholder;
    placeholders not in ``values`` are left as written (the website leaves ``{{sender_name}}``)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def meeting_request_text(*, salutation: str, seat_name: str, sender_name: str | None) -> tuple[str, str]:
    """The subject and body: the request in the campaign's spirit, short and polite with one ask
    (a surgery appointment), signed with ``NAME_PLACEHOLDER`` when no name is given."""
    subject, body = load_template()
    values = {
        "salutation": salutation,
        "seat_name": seat_name,
        "sender_name": sender_name or NAME_PLACEHOLDER,
    }
    return fill(subject, values), fill(body, values)


def build_meeting_request(
    *,
    to_address: str | None,
    mp_full_title: str,
    salutation: str,
    seat_name: str,
    sender_name: str | None,
    attachments: list[tuple[str, bytes]],
    date: datetime.date,
) -> EmailMessage:
    """The draft request: plain-text body (UTF-8) plus the attachments as application/pdf.

    ``to_address`` is the MP's email from the lookup, or None when there is none; then the To
    header is left empty for the user to fill in, and nothing in the draft claims an address.
    ``attachments`` are (file name, PDF bytes): the seat's briefing and the national annex. Each name
    must be a bare file name: a path would leak where the user keeps files.
    """
    for filename, _ in attachments:
        if "/" in filename or "\\" in filename or not filename.strip():
            raise ValueError(f"an attachment's name must be a bare file name, not {filename!r}")
    message = EmailMessage()
    if to_address is None:
        message["To"] = ""
    else:
        local_part, at, domain = to_address.strip().rpartition("@")
        if not (at and local_part and domain):
            raise ValueError(f"to_address is not an email address: {to_address!r}")
        message["To"] = Address(display_name=address_line(mp_full_title), username=local_part, domain=domain)
    subject, body = meeting_request_text(salutation=salutation, seat_name=seat_name, sender_name=sender_name)
    message["Subject"] = subject
    # A date without a time of day: "-0000" says the local zone is not known.
    message["Date"] = format_datetime(datetime.datetime.combine(date, datetime.time()))
    message["X-Unsent"] = "1"
    message.set_content(body)
    for filename, payload in attachments:
        message.add_attachment(payload, maintype="application", subtype="pdf", filename=filename)
    return message


def write_eml(message: EmailMessage, path: str | Path) -> None:
    """Write the draft whole or not at all, readable only by its owner (it names the sender)."""
    write_output(
        Path(path), message.as_bytes(policy=email.policy.SMTP), mode=0o600
    )  # CRLF, as .eml readers expect
