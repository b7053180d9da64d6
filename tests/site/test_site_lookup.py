"""The seat finder's lookup file, checked in Python: the browser port's assumptions hold.

The browser folds text one character at a time from Python's table (as site.check's port of it
does), and matches postcode shapes with character classes cut out of postcodes.LOOSE_POSTCODE; both
are checked here against the resolver itself. (tests/site/test_site_browser.py runs the port against the resolver.)
"""

import re
import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from npd_briefing.data import datasets
from npd_briefing.seats import postcodes, resolve
from npd_briefing.seats.resolve import fold_name
from npd_briefing.site import characters
from npd_briefing.site.check import browser_fold, browser_folding, decode_steps, in_ranges
from npd_briefing.site.lookup import lookup_payload


@pytest.fixture(scope="module")
def payload():
    return lookup_payload()


@pytest.fixture(scope="module")
def folding(payload):
    return browser_folding(payload["characters"])


def test_the_loose_postcode_pattern_is_made_of_the_shipped_classes():
    assert postcodes.LOOSE_POSTCODE.pattern == (
        f"{characters.LOOSE_LETTER}{{1,2}}{characters.LOOSE_DIGIT}{characters.LOOSE_WORD}{{3,5}}"
        f"|BFPO{characters.LOOSE_DIGIT}{{1,4}}|GIR0AA"
    )
    assert postcodes.LOOSE_POSTCODE.flags & re.IGNORECASE
    assert set(characters.LOOSE_LITERALS) == set("BFPO" + "GIR0AA")
    assert (
        resolve.GSS_CODE.pattern == f"^{characters.GSS_LETTERS}\\d{{8}}$"
        and resolve.GSS_CODE.flags & re.IGNORECASE
    )


def test_the_ranges_decode_to_the_curated_table(payload):
    frame = datasets.load("postcode_ranges")
    assert decode_steps(payload["ranges"]["starts"]) == frame["range_start"].tolist()
    seats = [int(index, 36) for index in payload["ranges"]["seats"].split(",")]
    codes = [payload["seats"][index - 1][0] if index else "" for index in seats]
    assert codes == frame["gss_code"].fillna("").tolist()


# Any text, and text made of what folding must get right: accents precomposed and decomposed,
# ligatures, compatibility forms, look-alikes, marks that vanish, "&".
TRICKY = "aAzZ09 &-'ÂâŵŷĲǆﬁ½①ＡАΑİıſẞΣς\u0301\u0308\u0327\u20dd\u0f71\u034f\u3099\U0001d400"


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(max_size=30), st.text(st.sampled_from(TRICKY), max_size=30)))
@example("Ynys Mo\u0302n")
@example("A\u0301\u0301b")
@example("ǄĲ ½ ① Ⅻ ẞ")
def test_folding_one_character_at_a_time_is_fold_name(folding, text):
    assert browser_fold(text, folding) == fold_name(text)


def test_characters_left_out_of_the_fold_table_are_separators(folding):
    """Unassigned and private-use code points are skipped when the table is made; sample them."""
    vanish, folds = folding
    skipped = [
        code
        for code in range(0x80, sys.maxunicode + 1, 97)
        if unicodedata.category(chr(code)) in ("Cn", "Co")
    ]
    assert len(skipped) > 5000
    for code in skipped:
        assert fold_name(f"a{chr(code)}a") == "a a" and code not in folds and not in_ranges(vanish, code)


def test_every_seat_name_folds_the_same_in_the_browser(payload, folding):
    for row in payload["seats"]:
        for name in row[1:3]:
            assert browser_fold(name, folding) == fold_name(name)
