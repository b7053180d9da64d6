"""Which seats a batch renders: every seat, those named by ``--only`` (codes, names, or a file of
them), or one nation's. Each entry is resolved once; one that names no seat is a failure of the
batch, reported with the rest, not a reason to stop."""

import os
from pathlib import Path

from npd_briefing.exceptions import PackError, ParameterError
from npd_briefing.seats.resolve import Seat, SeatResolver, default_resolver
from npd_briefing.text import one_line, quoted

NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
MAX_REASON_CHARS = 300
# At most this many comma-separated pieces are joined back into one seat name ("Ayr, Carrick and
# Cumnock"); no 2024 seat name has more than one comma.
MAX_PIECES_PER_NAME = 3


def parse_nation(text: str | None) -> str | None:
    if text is None:
        return None
    by_folded = {nation.lower(): nation for nation in NATIONS}
    nation = by_folded.get(" ".join(str(text).split()).lower())
    if nation is None:
        raise ParameterError(f"--nation {quoted(str(text))} is not valid; use one of {', '.join(NATIONS)}")
    return nation


def _resolves(resolver: SeatResolver, query: str) -> bool:
    try:
        resolver.resolve(query)
    except PackError:
        return False
    return True


def _comma_queries(text: str, resolver: SeatResolver) -> list[str]:
    """Split on commas, joining back the pieces of a seat name that has one ("Ayr, Carrick and Cumnock")."""
    pieces = [piece.strip() for piece in text.split(",") if piece.strip()]
    queries, start = [], 0
    while start < len(pieces):
        last = min(start + MAX_PIECES_PER_NAME, len(pieces))
        end = next(
            (end for end in range(start + 1, last + 1) if _resolves(resolver, ", ".join(pieces[start:end]))),
            start + 1,
        )
        queries.append(", ".join(pieces[start:end]))
        start = end
    return queries


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a list of 650 codes is too long for a file name
        return False


def parse_only(only: str | list[str], resolver: SeatResolver) -> list[str]:
    """The queries in ``--only``: a file with one per line, or comma-separated codes and names."""
    if not isinstance(only, str):
        return [str(entry).strip() for entry in only if str(entry).strip()]
    if _is_file(only):
        try:
            lines = Path(only).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"--only file {only} cannot be read: {exc}") from None
        queries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    elif os.sep in only:
        raise ParameterError(f"--only file {only} does not exist")
    else:
        queries = _comma_queries(only, resolver)
    if not queries:
        raise ParameterError(
            "--only names no seats; give GSS codes or seat names, comma-separated, "
            "or a file with one per line"
        )
    return queries


def select_seats(only: str | list[str] | None, nation: str | None) -> tuple[list[Seat], dict[str, str]]:
    """The seats to brief, in GSS order, and the ``--only`` entries that name no seat, with why."""
    resolver = default_resolver()
    if only is None:
        seats, failed = resolver.seats(), {}
    else:
        chosen, failed = {}, {}
        for query in parse_only(only, resolver):
            try:
                seat = resolver.resolve(query)
            except PackError as exc:
                failed[query] = one_line(str(exc), MAX_REASON_CHARS)
            else:
                chosen[seat.gss_code] = seat
        seats = sorted(chosen.values(), key=lambda seat: seat.gss_code)
    if nation is not None:
        seats = [seat for seat in seats if seat.nation == nation]
    return seats, failed
