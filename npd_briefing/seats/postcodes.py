"""GB postcode -> 2024 Westminster seat (GSS code), from mySociety's compressed range table.

The table (built from OS Code-Point Open, mid-2024) is a sorted list of ranges. Each range starts at a
real postcode, read as a base-36 number after removing the space, and holds one constituency. A
postcode belongs to the last range that starts at or below it. A new range starts only where the
constituency changes. So every range start is a real postcode, but a postcode that does not exist
still falls inside some range. The lookup therefore checks the postcode before it trusts the range.

What the lookup checks:

* Format, strictly (Royal Mail rules): outward code A9, A99, AA9, AA99, A9A or AA9A, then inward
  code 9AA, with the letters that are allowed in each position. Only ASCII is accepted: look-alike
  letters (fullwidth, Cyrillic) are rejected, never mapped. Spaces and case do not matter.
* Coverage. Northern Ireland (BT), the Channel Islands (GY, JE), the Isle of Man (IM), BFPO and
  GIR 0AA each get their own message.
* Postcode area. The area (the leading letters) must be one of the areas the ranges start in. The
  table yields all 120 GB areas.
* Own-area range. The range the postcode falls in must start in the postcode's own area. This
  rejects made-up codes that sort before an area's first real postcode (e.g. B1 1AA, AB9 9ZZ),
  which would otherwise get a neighbouring area's seat.
* Constituency. The 31 ranges with no constituency are refused. They are non-geographic codes,
  such as PO boxes and large-user codes.

What it cannot check:

* Whether an individual postcode exists.
* Whether a district exists, when it lies inside a real area. A district that was never used can
  still fall inside a real area's range. The ranges name 2,317 districts. About one real district
  in five (e.g. YO16 Bridlington, LL61-LL78 Anglesey, TR17-TR26 including the Isles of Scilly)
  never starts a range, because every postcode in it is in the same seat as the district before
  it. So a strict "known district" list from the ranges would reject real postcodes. A made-up
  district in a real area (e.g. YO27, LL99) is therefore accepted and gets that range's seat.
* Split postcodes. Each postcode gets one seat, and postcodes split by a boundary are not flagged.
* Postcodes created after the mid-2024 Code-Point Open release, or boundary changes since 2024.
"""

import bisect
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from npd_briefing.data.datasets import read_columns
from npd_briefing.data.tables import TABLES
from npd_briefing.exceptions import DataFileError, PostcodeError
from npd_briefing.text import base36, quoted

EXAMPLE = "a valid postcode looks like 'SW1A 1AA' or 'M1 1AE'"
_OUTWARD = (
    r"[A-PR-UWYZ](?:[0-9][0-9]?|[0-9][ABCDEFGHJKPSTUW]"
    r"|[A-HK-Y][0-9][0-9]?|[A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
STRICT_POSTCODE = re.compile(rf"({_OUTWARD})({_INWARD})")
# Loose shape in any script: 1-2 letters, a digit, 3-5 letters/digits (no seat name has a digit).
LOOSE_POSTCODE = re.compile(r"[^\W\d_]{1,2}\d[^\W_]{3,5}|BFPO\d{1,4}|GIR0AA", re.IGNORECASE)
NOT_IN_LOOKUP = {
    "BT": "is in Northern Ireland, which this postcode lookup does not cover (it is GB only); "
    "give the seat name instead",
    "GY": "is in the Channel Islands (Guernsey), which have no Westminster seat and are not in the lookup",
    "JE": "is in the Channel Islands (Jersey), which have no Westminster seat and are not in the lookup",
    "IM": "is in the Isle of Man, which has no Westminster seat and is not in the lookup",
    "BF": "is a British Forces (BFPO) postcode, which has no constituency in the lookup; give the "
    "seat name instead",
}


def _invalid(text: str, why: str) -> PostcodeError:
    return PostcodeError(f"{quoted(text)} is not a valid UK postcode: {why}; {EXAMPLE}")


def normalise_postcode(text: str) -> str:
    """Canonical "SW1A 1AA" from any spacing or case, after a strict format check."""
    if not isinstance(text, str):
        raise PostcodeError(f"a postcode must be text, not {type(text).__name__}; {EXAMPLE}")
    compact = text.strip().replace(" ", "")
    if not compact:
        raise _invalid(text, "it is empty")
    if not (compact.isascii() and compact.isalnum()):
        raise _invalid(text, "it may only contain the letters A-Z, the digits 0-9 and spaces")
    compact = compact.upper()
    if compact == "GIR0AA":
        raise PostcodeError(
            f"{quoted(text)} is the non-geographic Girobank postcode, which has no "
            f"constituency in the lookup; give the seat name instead"
        )
    if re.fullmatch(r"BFPO[0-9]{1,4}", compact):
        raise PostcodeError(f"{quoted(text)} {NOT_IN_LOOKUP['BF']}")
    if re.fullmatch(_OUTWARD, compact):
        raise _invalid(text, "it is only the outward code (the district); add the inward code, e.g. '1AA'")
    if not 5 <= len(compact) <= 7:
        raise _invalid(text, f"it has {len(compact)} letters and digits, a full postcode has 5 to 7")
    match = STRICT_POSTCODE.fullmatch(compact)
    if not match:
        raise _invalid(text, "the letters and digits are not in the order or positions a postcode uses")
    return f"{match.group(1)} {match.group(2)}"


def looks_like_postcode(text: str) -> bool:
    """Cheap routing test: is this query meant as a postcode (even a malformed one)?

    Loose on purpose. An incomplete "SW1A 1A" or a fullwidth "ＳＷ１Ａ １ＡＡ" goes to the postcode
    path and gets the postcode error message, not "no seat is called ...".
    """
    return isinstance(text, str) and LOOSE_POSTCODE.fullmatch("".join(text.split())) is not None


def _area(postcode: str) -> str:
    return re.match(r"[A-Z]*", postcode).group()


class PostcodeLookup:
    """Postcode -> GSS code over the decoded ranges, refusing anything it cannot vouch for."""

    def __init__(self, ranges: Mapping[str, Sequence]):
        """``ranges``: the postcode_ranges table's columns (as :func:`datasets.columns` gives them, or a
        DataFrame); a blank or missing ``gss_code`` is a range with no constituency."""
        try:
            self._starts = [int(start) for start in ranges["range_start"]]
            self._gss_codes = [code if isinstance(code, str) else "" for code in ranges["gss_code"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(
                f"postcode ranges need integer 'range_start' and text 'gss_code' "
                f"columns ({exc.__class__.__name__}: {exc})"
            ) from None
        if not self._starts or any(
            later <= earlier for earlier, later in zip(self._starts, self._starts[1:])
        ):
            raise DataFileError("postcode ranges are empty or their starts do not increase")
        # The area each range starts in; their union is the set of postcode areas the lookup knows.
        self._start_areas = [_area(base36(start).upper()) for start in self._starts]
        self.areas = frozenset(self._start_areas)

    @classmethod
    def from_csv(cls, path: Path) -> "PostcodeLookup":
        return cls(read_columns(Path(path), TABLES["postcode_ranges"].columns))

    def lookup(self, text: str) -> str:
        """The GSS code of the 2024 seat containing this GB postcode; PostcodeError otherwise."""
        postcode = normalise_postcode(text)
        area = _area(postcode)
        if area in NOT_IN_LOOKUP:
            raise PostcodeError(f"{postcode} {NOT_IN_LOOKUP[area]}")
        if area not in self.areas:
            raise PostcodeError(
                f"{postcode} cannot exist: there is no GB postcode area {area!r}; "
                f"check the postcode or give the seat name instead"
            )
        index = bisect.bisect_right(self._starts, int(postcode.replace(" ", ""), 36)) - 1
        if index < 0 or self._start_areas[index] != area:
            raise PostcodeError(
                f"{postcode} cannot exist: the mid-2024 lookup has no postcode in district "
                f"{postcode.split()[0]} at or before it; check the postcode or give the seat "
                f"name instead"
            )
        gss_code = self._gss_codes[index]
        if not gss_code:
            raise PostcodeError(
                f"{postcode} has no constituency in the lookup (a non-geographic "
                f"postcode such as a PO box or large-user code); give the seat name instead"
            )
        return gss_code
