"""A draft email asking the MP for a surgery meeting, with the briefing PDF attached.

The .eml is a draft for the user to open, check and send from their own mail program; the pack
never sends anything. It has no From header (the mail program fills in the user's own account),
no Message-ID (Python's would embed this machine's host name) and ``X-Unsent: 1``, which makes
Outlook open it as an editable draft. Thunderbird and Apple Mail open it as a message; their
"Edit as New Message" / "Send Again" turn it into one.
"""

import datetime
import email.policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from npd_briefing.files import write_output
from npd_briefing.letters.salutation import address_line

NAME_PLACEHOLDER = "[Your name]"


def _body(*, salutation: str, seat_name: str, sender_name: str | None) -> str:
    """The request in the campaign's spirit: short, polite, one ask (a surgery appointment)."""
    return f"""{salutation},

I live in {seat_name} and I would like to meet you at one of your constituency surgeries to talk about children's privacy in the National Pupil Database.

The Department for Education's Alternative Provision census records the reason a child moves from mainstream school into Alternative Provision, and those reasons include pregnancy, physical and mental health, and being a young offender. These records join the named National Pupil Database, where they are kept forever, and identifying pupil-level data from the database are released to third parties, including for commercial re-use and to journalists. Parents and children are not asked for consent.

I have attached a short briefing for {seat_name}. I would be grateful if your office could offer me an appointment at a surgery.

Yours sincerely,

{sender_name or NAME_PLACEHOLDER}
"""


def build_meeting_request(*, to_address: str | None, mp_full_title: str, salutation: str, seat_name: str,
                          sender_name: str | None, pdf_bytes: bytes, pdf_filename: str,
                          date: datetime.date) -> EmailMessage:
    """The draft request: plain-text body (UTF-8) plus the briefing as application/pdf.

    ``to_address`` is the MP's email from the lookup, or None when there is none; then the To
    header is left empty for the user to fill in, and nothing in the draft claims an address.
    ``pdf_filename`` must be a bare file name: a path would leak where the user keeps files.
    """
    if "/" in pdf_filename or "\\" in pdf_filename or not pdf_filename.strip():
        raise ValueError(f"pdf_filename must be a bare file name, not {pdf_filename!r}")
    message = EmailMessage()
    if to_address is None:
        message["To"] = ""
    else:
        local_part, at, domain = to_address.strip().rpartition("@")
        if not (at and local_part and domain):
            raise ValueError(f"to_address is not an email address: {to_address!r}")
        message["To"] = Address(display_name=address_line(mp_full_title), username=local_part, domain=domain)
    message["Subject"] = f"Request to meet: children's privacy in the National Pupil Database ({seat_name})"
    # A date without a time of day: "-0000" says the local zone is not known.
    message["Date"] = format_datetime(datetime.datetime.combine(date, datetime.time()))
    message["X-Unsent"] = "1"
    message.set_content(_body(salutation=salutation, seat_name=seat_name, sender_name=sender_name))
    message.add_attachment(pdf_bytes, maintype="application", subtype="pdf", filename=pdf_filename)
    return message


def write_eml(message: EmailMessage, path: str | Path) -> None:
    """Write the draft whole or not at all, readable only by its owner (it names the sender)."""
    write_output(Path(path), message.as_bytes(policy=email.policy.SMTP), mode=0o600)  # CRLF, as .eml readers expect
