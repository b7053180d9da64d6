"""How the pack writes and reads dates: academic years, census months and dates in letters.

DfE's ``time_period`` is a six-digit academic year (``202223``); its censuses are taken in January, so
the 2022/23 figures are January 2023's.
"""

import calendar
import datetime
import re

from npd_briefing.exceptions import ParameterError
from npd_briefing.text import quoted


def academic_year(time_period: int) -> str:
    """202223 -> "2022/23"."""
    text = str(int(time_period))
    return f"{text[:4]}/{text[4:]}"


def academic_years(first: int, last: int) -> list[int]:
    """Every academic year from ``first`` to ``last``, those with no figure included: 202223, 202324, ..."""
    years = [int(first)]
    while years[-1] < int(last):
        years.append(years[-1] + 101)
    return years


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


def long_date(day: datetime.date | str) -> str:
    """2026-03-12 (a date, or the text) -> "12 March 2026", as a letter is dated."""
    day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.day} {day:%B %Y}"


def parse_date(text: str | None) -> datetime.date:
    """``YYYY-MM-DD``, or today when blank."""
    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ParameterError(
            f"date {quoted(str(text))} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-12"
        ) from None


def month_names(text: str, short: bool = False) -> str:
    """'2015-07 to 2022-09' -> 'July 2015 to September 2022' ('Jul 2015 to Sep 2022' if ``short``),
    as a reader says a period; full dates and other text are left as they are."""
    names = calendar.month_abbr if short else calendar.month_name
    return re.sub(r"\b(\d{4})-(\d{2})\b(?!-)", lambda m: f"{names[int(m[2])]} {m[1]}", text)


def date_words(text: str) -> str:
    """A source date as a reader says it: '2020-10-07' -> '7 October 2020', '2023-06 (2022/23 release)'
    -> 'June 2023', '2024 (June; ...)' -> '2024'; '' for an undated page."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text.strip())
    if not match:
        return ""
    year, month, day = match.groups()
    if not month:
        return year
    name = calendar.month_name[int(month)]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"
