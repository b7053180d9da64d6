"""Turn what a person types (GSS code, seat name, GB postcode) into one 2024 Westminster seat.

Anything that does not name exactly one seat raises :class:`UnknownSeatError` (or
:class:`PostcodeError`) with one line saying what was typed and what would be valid: the closest
seats for a misspelling, every candidate for an ambiguous name.
"""

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from npd_briefing import caches
from npd_briefing.data import datasets
from npd_briefing.data.manifest import REBUILD_HINT
from npd_briefing.exceptions import DataFileError, UnknownSeatError
from npd_briefing.seats.postcodes import PostcodeLookup, looks_like_postcode
from npd_briefing.text import fold_name, quoted

GSS_CODE = re.compile(r"^[EWSN]\d{8}$", re.IGNORECASE)
MAX_QUERY_LENGTH = 200
MAX_LISTED = 8  # candidates named in one message; the rest are counted


@dataclass(frozen=True)
class Seat:
    """One constituency and its MP, as the briefing needs them."""

    gss_code: str
    name: str
    name_cy: str
    nation: str
    region: str
    mp_display_name: str
    mp_full_title: str
    party: str
    mp_email: str
    mps_as_of: str
    member_id: int | None = None  # Parliament's member id: the MP's page on members.parliament.uk

    @property
    def in_england(self) -> bool:
        return self.nation == "England"


class SeatResolver:
    """Resolves queries against the curated seats table (its columns, as :func:`datasets.columns`
    gives them) and postcode ranges.

    ``postcodes`` is the lookup, or a function that builds it: the 54,000 postcode ranges are then
    read only when a postcode is first asked for (a briefing kernel given a GSS code never is).
    """

    def __init__(
        self, seats: Mapping[str, Sequence], postcodes: "PostcodeLookup | Callable[[], PostcodeLookup]"
    ):
        fields = list(Seat.__dataclass_fields__)
        rows = zip(*(seats[field] for field in fields), strict=True)
        self._seats = {seat.gss_code: seat for seat in (Seat(**dict(zip(fields, row))) for row in rows)}
        self._by_name: dict[str, set[str]] = {}
        for seat in self._seats.values():
            for name in (seat.name, seat.name_cy):
                if name:
                    self._by_name.setdefault(fold_name(name), set()).add(seat.gss_code)
        self._postcodes = postcodes

    @property
    def postcodes(self) -> PostcodeLookup:
        if not isinstance(self._postcodes, PostcodeLookup):
            self._postcodes = self._postcodes()
        return self._postcodes

    def seats(self) -> list[Seat]:
        return sorted(self._seats.values(), key=lambda s: s.gss_code)

    def by_code(self, gss_code: str) -> Seat:
        return self._seats[gss_code]

    def resolve(self, query: str) -> Seat:
        text = "" if query is None else str(query)
        # Tabs, line ends and other whitespace controls are spacing (a pasted "SW1A 1AA\n"); any
        # other control or format character (NUL, escape, zero-width, bidi override) is refused.
        if any(unicodedata.category(ch) in {"Cc", "Cf"} and not ch.isspace() for ch in text):
            raise UnknownSeatError(
                f"query {quoted(text)} contains control characters; give a seat "
                f"name, a GSS code such as E14001063, or a postcode"
            )
        text = " ".join(text.split())
        if not text:
            raise UnknownSeatError(
                "empty query; give a seat name (e.g. 'Ynys Môn'), a GSS code "
                "(e.g. E14001063) or a GB postcode (e.g. SW1A 1AA)"
            )
        if len(text) > MAX_QUERY_LENGTH:
            raise UnknownSeatError(
                f"query of {len(text)} characters is too long to be a seat name, "
                f"code or postcode (at most {MAX_QUERY_LENGTH})"
            )
        if GSS_CODE.match(text):
            code = text.upper()
            if code not in self._seats:
                raise UnknownSeatError(
                    f"no 2024 Westminster seat has the GSS code {code} (seat codes "
                    f"start E14, W07, S14 or N05)"
                )
            return self._seats[code]
        if looks_like_postcode(text):
            code = self.postcodes.lookup(text)
            if code not in self._seats:
                raise DataFileError(
                    f"postcode_ranges.csv gives {code} for {quoted(text)} but seats.csv has "
                    f"no such seat; {REBUILD_HINT}"
                )
            return self._seats[code]
        return self._by_seat_name(text)

    def _by_seat_name(self, text: str) -> Seat:
        folded = fold_name(text)
        exact = self._by_name.get(folded, set())
        if len(exact) == 1:
            return self._seats[next(iter(exact))]
        words = folded.split()
        containing = sorted(
            {
                code
                for name, codes in self._by_name.items()
                if words and _contains_words(name.split(), words)
                for code in codes
            }
        )
        if len(containing) > 1:
            names = "; ".join(self._seats[c].name for c in containing[:MAX_LISTED])
            if len(containing) > MAX_LISTED:
                names += f"; and {len(containing) - MAX_LISTED} more"
            raise UnknownSeatError(
                f"{quoted(text)} matches {len(containing)} seats: {names}. Give the full seat name"
            )
        if containing:
            suggestions = [self._seats[containing[0]].name]
        else:
            close = difflib.get_close_matches(folded, list(self._by_name), n=5, cutoff=0.6)
            suggestions = list(dict.fromkeys(self._seats[c].name for n in close for c in self._by_name[n]))
        if suggestions:
            raise UnknownSeatError(
                f"no seat is called {quoted(text)}; did you mean: {'; '.join(suggestions)}?"
            )
        raise UnknownSeatError(
            f"no seat matches {quoted(text)}; give a 2024 seat name, a GSS code "
            f"(e.g. E14001063) or a GB postcode"
        )


def _contains_words(name_words: list[str], query_words: list[str]) -> bool:
    """True when the query's words appear in the name, in order and next to each other."""
    size = len(query_words)
    return any(name_words[i : i + size] == query_words for i in range(len(name_words) - size + 1))


@caches.per_process
def default_resolver() -> SeatResolver:
    """The resolver over the committed curated data (built once per process)."""
    return SeatResolver(
        datasets.columns("seats"), lambda: PostcodeLookup(datasets.columns("postcode_ranges"))
    )


def resolve(query: str) -> Seat:
    """Resolve ``query`` against the committed data; see :class:`SeatResolver`."""
    return default_resolver().resolve(query)
