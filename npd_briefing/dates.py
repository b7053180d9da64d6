"""How the pack writes and reads dates: academic years, census months and dates in letters.

DfE's ``time_period`` is a six-digit academic year (``202223``); its censuses are taken in January, so
the 2022/23 figures are January 2023's.
"""

import datetime

from npd_briefing.exceptions import ParameterError
from npd_briefing.text import quoted


def academic_year(time_period: int) -> str:
    """202223 -> "2022/23"."""
    text = str(int(time_period))
    return f"{text[:4]}/{text[4:]}"


def january(time_period: int) -> str:
    """202223 -> "2023": the year of the academic year's January census."""
    text = str(int(time_period))
    return f"{text[:2]}{text[4:]}"


def year_span(time_periods) -> str:
    """The academic years a table covers: "2022/23 only" or "2017/18 to 2023/24"."""
    years = sorted({int(p) for p in time_periods})
    if not years:
        return "no years"
    first, last = academic_year(years[0]), academic_year(years[-1])
    return f"{first} only" if first == last else f"{first} to {last}"


def long_date(day: datetime.date) -> str:
    """2026-03-12 -> "12 March 2026", as a letter is dated."""
    return f"{day.day} {day:%B %Y}"


def parse_date(text: str | None) -> datetime.date:
    """``YYYY-MM-DD``, or today when blank."""
    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ParameterError(f"date {quoted(str(text))} is not a date; write it as YYYY-MM-DD, "
                             f"e.g. 2026-03-12") from None
