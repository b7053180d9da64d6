"""What the site tests build: one seat in each nation, served under a sub-path (see conftest.py)."""

# England, Wales (with a Welsh name), Scotland, Northern Ireland.
SITE_SEATS = ("E14001063", "W07000086", "S14000021", "N05000001")
SUB_PATH = "/campaign/site/"
LETTER_DATE = "2026-03-12"
