"""mySociety's compressed GB postcode range lookup, decoded into the ``postcode_ranges`` table.

The file (built from OS Code-Point Open, mid-2024) lists the first postcode of each range as a base-36
number, delta-encoded, and the constituency each range holds; :mod:`npd_briefing.seats.postcodes`
reads the decoded table to find a postcode's seat.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from npd_briefing.exceptions import DataFileError


def _decoded_value_indexes(value_key: list[int]) -> np.ndarray:
    """mySociety's value_key: a 0 after the first two means "same as two back"; then minus one."""
    values = list(value_key[:2])
    for value in value_key[2:]:
        values.append(values[-2] if value == 0 else value)
    return np.asarray(values, dtype=np.int64) - 1


def decode_range_lookup(range_json_path: Path, pcon_lookup_json_path: Path) -> pd.DataFrame:
    """Decode mySociety's pcon_2024.json into ordered rows of (range_start, gss_code).

    A value index of -1, or one past the end of value_values (the file uses 634 with 633 values,
    as mySociety's own reader allows), or a null value means no constituency. gss_code is "" then.
    """
    try:
        ranges = json.loads(Path(range_json_path).read_text(encoding="utf-8"))
        seats = json.loads(Path(pcon_lookup_json_path).read_text(encoding="utf-8"))
        deltas, value_key, short_codes = ranges["postcode_keys"], ranges["value_key"], ranges["value_values"]
        gss_by_short_code = {short: seat["parlcon_2024_gss_code"] for short, seat in seats.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataFileError(
            f"{range_json_path} / {pcon_lookup_json_path}: not the mySociety postcode "
            f"range and constituency lookups ({exc.__class__.__name__}: {exc})"
        ) from None
    if len(deltas) != len(value_key) or not deltas:
        raise DataFileError(
            f"{range_json_path}: {len(deltas)} postcode_keys but {len(value_key)} "
            f"value_key entries; expected equal, non-zero counts"
        )
    starts = np.cumsum(np.asarray(deltas, dtype=np.int64))
    if (np.diff(starts) <= 0).any():
        raise DataFileError(f"{range_json_path}: range starts do not increase")
    unknown = {code for code in short_codes if code is not None and code not in gss_by_short_code}
    if unknown:
        raise DataFileError(
            f"{range_json_path}: {len(unknown)} constituency short code(s) missing from "
            f"{pcon_lookup_json_path}, e.g. {sorted(unknown)[0]}"
        )
    gss_by_index = [gss_by_short_code[code] if code else "" for code in short_codes]
    gss_codes = [
        gss_by_index[i] if 0 <= i < len(gss_by_index) else ""
        for i in _decoded_value_indexes(value_key).tolist()
    ]
    return pd.DataFrame(
        {"range_start": pd.Series(starts, dtype="int64"), "gss_code": pd.Series(gss_codes, dtype="string")}
    )
