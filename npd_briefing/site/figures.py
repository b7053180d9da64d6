"""A seat's local figures for its web page and the site's CSV, with the census each comes from.

:func:`seat_figures` is the only place the site reads the analysis: when the analysis changes
(newer censuses, other dates), this one function is adapted and the pages and CSV follow.
"""

import csv
import io

import pandas as pd

from npd_briefing.dates import academic_year, academic_years, january
from npd_briefing.evidence import analysis
from npd_briefing.seats.resolve import Seat

CSV_COLUMNS = (
    "gss_code",
    "seat_name",
    "nation",
    "region",
    "mp",
    "party",
    "local_authority",
    "la_code",
    "share_of_seat_population",
    "share_of_la_population_in_seat",
    "rate_for",
    "census",
    "la_funded_ap_pupils",
    "ap_school_census",
    "state_funded_ap_school_pupils",
    "rate_census",
    "rate_per_10000_pupils",
    "rate_numerator_pupils",
    "rate_denominator_pupils",
    "rate_unreliable",
    "england_rate_per_10000_pupils",
    "region_rate_per_10000_pupils",
    "la_rank_highest_rate_first",
    "of_local_authorities",
    "seat_estimate_la_funded_ap_pupils",
    "notes",
)


def _count(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _series(authority: analysis.LocalAuthorityFigures) -> list[dict]:
    """Each January's counts for one authority, oldest first, a year with no figure in the pack
    included as a gap; ``predecessor`` marks years counted for the authority it replaced."""
    schools, _ = analysis.la_series("state_funded_ap_school_pupils", authority.la_code)
    funded = authority.la_funded.set_index("time_period")
    schools = schools.set_index("time_period")["pupils"]
    years = [int(year) for year in funded.index] + [int(year) for year in schools.index]
    rows = []
    for year in academic_years(min(years), max(years)):
        row = funded.loc[year] if year in funded.index else None
        rows.append(
            {
                "census": f"January {january(year)}",
                "academic_year": academic_year(year),
                "la_funded_ap_pupils": _count(row["pupils"]) if row is not None else None,
                "state_funded_ap_school_pupils": _count(schools.get(year)),
                "predecessor": row is not None and row["area"] == "predecessor",
            }
        )
    return rows


def local_picture(seat: Seat) -> analysis.LocalPicture | None:
    """The seat's local picture, as the briefing computes it; None outside England."""
    return analysis.local_picture(seat.gss_code) if seat.in_england else None


def seat_figures(seat: Seat, picture: analysis.LocalPicture | None) -> dict:
    """What the site shows about a seat's local figures (``picture``, from :func:`local_picture`):
    ``local`` is None outside England, where the AP census and the NPD hold no data. Counts are None
    where none was published."""
    if picture is None:
        return {"gss_code": seat.gss_code, "local": None}
    return {
        "gss_code": seat.gss_code,
        "local": {
            "census": f"January {january(picture.census_year)}",
            "academic_year": academic_year(picture.census_year),
            "ap_school_census": f"January {january(picture.ap_school_year)}",
            "rate_census": f"January {january(picture.rate_year)}",
            "rate_academic_year": picture.rate_academic_year,
            "rate_unit": analysis.RATE_UNIT,
            "rate_denominator": analysis.RATE_DENOMINATOR,
            "funding_caveat": analysis.FUNDING_CAVEAT,
            "small_numbers_rule": analysis.SMALL_NUMBERS_RULE,
            "england_la_funded_ap_pupils": picture.england_pupils,
            "england_rate": picture.england_rate.per_10000,
            "region": picture.region,
            "region_rate": picture.region_rate.per_10000 if picture.region_rate else None,
            "seat_estimate": picture.seat_estimate,
            "seat_estimate_method": analysis.SEAT_ESTIMATE_METHOD,
            "weights_note": picture.weights_note,
            "authorities": [
                {
                    "la_code": a.la_code,
                    "la_name": a.la_name,
                    "share_of_seat_pop": a.share_of_seat_pop,
                    "share_of_la_pop": a.share_of_la_pop,
                    "figures_for": a.rate.area if a.rate and a.rate.area != a.la_name else None,
                    "la_funded_ap_pupils": a.pupils,
                    "state_funded_ap_school_pupils": a.ap_school_pupils,
                    "rate": a.rate.per_10000 if a.rate else None,
                    "rate_pupils": a.rate.pupils if a.rate else None,
                    "rate_denominator_pupils": a.rate.denominator if a.rate else None,
                    "rate_unreliable": bool(a.rate and a.rate.unreliable),
                    "rank": a.rate.rank if a.rate else None,
                    "of_las": a.rate.of_las if a.rate else None,
                    "notes": list(a.notes),
                    "series": _series(a),
                }
                for a in picture.authorities
            ],
        },
    }


def _number(value, places: int = 0) -> str:
    """Blank means no data; rates to one decimal place and estimates to whole pupils, as the pages show them."""
    if value is None:
        return ""
    return f"{value:.{places}f}" if places else str(int(round(value)))


def figures_csv(seats: list[Seat], figures: dict[str, dict]) -> bytes:
    """One row per seat and local authority it lies in (one row with blank figures outside England)."""
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for seat in seats:
        head = [seat.gss_code, seat.name, seat.nation, seat.region, seat.mp_display_name, seat.party]
        local = figures[seat.gss_code]["local"]
        if local is None:
            writer.writerow(
                head
                + [""] * (len(CSV_COLUMNS) - len(head) - 1)
                + ["No local figures: the AP census and the NPD cover England only."]
            )
            continue
        for a in local["authorities"]:
            writer.writerow(
                head
                + [
                    a["la_name"],
                    a["la_code"],
                    f"{a['share_of_seat_pop']:.4f}",
                    f"{a['share_of_la_pop']:.4f}",
                    a["figures_for"] or "",
                    local["census"],
                    _number(a["la_funded_ap_pupils"]),
                    local["ap_school_census"],
                    _number(a["state_funded_ap_school_pupils"]),
                    local["rate_census"],
                    _number(a["rate"], 1),
                    _number(a["rate_pupils"]),
                    _number(a["rate_denominator_pupils"]),
                    "yes" if a["rate_unreliable"] else "",
                    _number(local["england_rate"], 1),
                    _number(local["region_rate"], 1),
                    _number(a["rank"]),
                    a["of_las"],
                    _number(local["seat_estimate"]),
                    " ".join(a["notes"] + [local["weights_note"] or ""]).strip(),
                ]
            )
    return stream.getvalue().encode("utf-8")
