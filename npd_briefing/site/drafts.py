"""A seat's letter and meeting-request email, made by the pack's own code with the sender left open.

The seat page fills the sender's name and address (and today's date) in the browser, as text, so
what a person types never reaches a server. Everything else comes from the same functions and
templates as ``build.py brief``: the letter from ``letter.md`` through ``fill_letter`` and
``letter_to_html``, the email's subject and body from ``meeting_request.txt``, and its ``To`` and
``Subject`` header lines folded and encoded by Python's ``email`` package.
"""

import datetime
import email.policy
import html

from markupsafe import Markup

from npd_briefing.dates import long_date
from npd_briefing.evidence.analysis import LocalPicture
from npd_briefing.evidence.briefing import letter_values
from npd_briefing.letters.letter import fill_letter, letter_to_html, load_letter_template
from npd_briefing.letters.meeting_request import NAME_PLACEHOLDER, build_meeting_request, fill, load_template
from npd_briefing.letters.salutation import salutation
from npd_briefing.seats.resolve import Seat

SENDER_SLOT = "{{sender_name}}"  # left in the email body for the browser to fill
# Letters and digits only, so the letter's Markdown passes them through unchanged.
_LETTER_SLOTS = {
    "sender_name": "NPDSITESLOTSENDERNAME",
    "sender_address": "NPDSITESLOTSENDERADDRESS",
    "date": "NPDSITESLOTDATE",
}


def letter_html(seat: Seat, day: datetime.date, local: LocalPicture | None) -> Markup:
    """The letter the briefing prints for this seat's MP, as HTML, with empty ``<span data-slot=...>``
    where the sender's name and address go, and the date in a slot holding ``day`` until the browser
    writes today. ``local`` is the seat's local picture (None outside England)."""
    values = letter_values(
        seat,
        day,
        local,
        sender_name=_LETTER_SLOTS["sender_name"],
        sender_address=_LETTER_SLOTS["sender_address"],
    ) | {"date": _LETTER_SLOTS["date"]}
    letter = letter_to_html(fill_letter(load_letter_template(), values))
    for slot, token in _LETTER_SLOTS.items():
        shown = html.escape(long_date(day)) if slot == "date" else ""
        letter = letter.replace(token, f'<span class="slot" data-slot="{slot}">{shown}</span>')
    return Markup(letter)


def email_draft(seat: Seat) -> dict:
    """What the browser needs to write the draft ``build.py brief`` writes: the ``To`` and
    ``Subject`` header lines as the pack's email code writes them, the body with ``{{sender_name}}``
    still in it, and what to sign with when no name is given."""
    subject_template, body_template = load_template()
    if SENDER_SLOT in subject_template:
        raise ValueError(
            "meeting_request.txt: the subject cannot hold {{sender_name}}; the website encodes "
            "the subject before anyone types a name"
        )
    values = {"salutation": salutation(seat.mp_full_title, seat.mp_display_name), "seat_name": seat.name}
    message = build_meeting_request(
        to_address=seat.mp_email or None,
        mp_full_title=seat.mp_full_title,
        salutation=values["salutation"],
        seat_name=seat.name,
        sender_name=None,
        attachments=[],
        date=datetime.date.today(),
    )
    return {
        "to_header": email.policy.SMTP.fold("To", message["To"]),
        "subject_header": email.policy.SMTP.fold("Subject", message["Subject"]),
        "subject": fill(subject_template, values),
        "body": fill(body_template, values),
        "sender_slot": SENDER_SLOT,
        "name_placeholder": NAME_PLACEHOLDER,
    }
