"""The seat finder's data: one file, the same for every query, that the browser loads once.

It holds what ``resolve.py`` and ``postcodes.py`` decide with: every seat (the browser folds
their names with the same rules and tables), mySociety's postcode ranges (each start as the
difference from the one before, and its seat, both in base 36), the postcode patterns and
messages, and Python's character tables (:mod:`characters`). The file name carries a hash of its bytes, so browsers may cache it for good
and a new build is fetched afresh.
"""

import hashlib
import json
from pathlib import Path

from npd_briefing import text
from npd_briefing.data import datasets
from npd_briefing.files import write_whole
from npd_briefing.pipeline.selection import NATIONS
from npd_briefing.seats import postcodes, resolve
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.site.characters import character_tables, steps
from npd_briefing.text import base36

LOOKUP_PREFIX = "lookup-"
FORMAT_VERSION = 1


def _ranges(index: dict[str, int]) -> dict:
    """Range starts as steps, and each range's seat as its index in ``seats`` plus one (0: no
    constituency), as mySociety's own file has them."""
    frame = datasets.load("postcode_ranges")
    seats = [index[code] + 1 if code else 0 for code in frame["gss_code"].fillna("").astype(str)]
    return {"starts": steps(frame["range_start"]), "seats": ",".join(map(base36, seats))}


def lookup_payload() -> dict:
    seats = default_resolver().seats()
    index = {seat.gss_code: position for position, seat in enumerate(seats)}
    regions = sorted({seat.region for seat in seats})
    return {
        "format": FORMAT_VERSION,
        "nations": list(NATIONS),
        "regions": regions,
        # code, name, Welsh name, nation, region, MP, party; in the resolver's order
        "seats": [
            [
                seat.gss_code,
                seat.name,
                seat.name_cy,
                NATIONS.index(seat.nation),
                regions.index(seat.region),
                seat.mp_display_name,
                seat.party,
            ]
            for seat in seats
        ],
        "ranges": _ranges(index),
        "postcode": {
            "outward": postcodes._OUTWARD,
            "inward": postcodes._INWARD,
            "example": postcodes.EXAMPLE,
            "not_in_lookup": postcodes.NOT_IN_LOOKUP,
        },
        "limits": {
            "max_query_length": resolve.MAX_QUERY_LENGTH,
            "max_listed": resolve.MAX_LISTED,
            "quoted_chars": text.QUOTED_CHARS,
        },
        "characters": character_tables(),
    }


def write_lookup(out_dir: Path) -> str:
    """Write the lookup file into ``out_dir``, remove older builds' ones, and return its name."""
    payload = json.dumps(lookup_payload(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    name = f"{LOOKUP_PREFIX}{hashlib.sha256(payload).hexdigest()[:16]}.json"
    write_whole(Path(out_dir) / name, payload)
    for old in Path(out_dir).glob(f"{LOOKUP_PREFIX}*.json"):
        if old.name != name:
            old.unlink()
    return name
