"""What the site tests build: one seat in each nation, served under a sub-path (see conftest.py)."""

# England, Wales (with a Welsh name), Scotland, Northern Ireland.
SITE_SEATS = ("E14001063", "W07000086", "S14000021", "N05000001")
SUB_PATH = "/campaign/site/"
# Where the test site says it is published: the host is never contacted, the path is the served one.
BASE_URL = f"https://campaign.example.org{SUB_PATH}"
LETTER_DATE = "2026-03-12"
