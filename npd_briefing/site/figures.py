"""A seat's local figures for its web page and the site's CSV, with the census each comes from.

:func:`seat_figures` is the only place the site reads the analysis: when the analysis changes
(newer censuses, other dates), this one function is adapted and the pages and CSV follow.
"""

import csv
import io

import pandas as pd

from npd_briefing.evidence import analysis
from npd_briefing.seats.resolve import Seat

CSV_COLUMNS = (
    "gss_code", "seat_name", "nation", "region", "mp", "party",
    "local_authority", "la_code", "share_of_seat_population", "share_of_la_population_in_seat",
    "figures_for", "census", "la_funded_ap_pupils", "state_funded_ap_school_pupils",
    "rate_census", "rate_per_10000_pupils", "england_rate_per_10000_pupils", "region_rate_per_10000_pupils",
    "la_rank_highest_rate_first", "of_local_authorities", "seat_estimate_la_funded_ap_pupils", "notes",
)


def _count(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _series(authority: analysis.LocalAuthorityFigures) -> list[dict]:
    """Each January's counts for one authority, oldest first; ``predecessor`` marks years counted
    for the authority it replaced."""
    schools = authority.ap_schools.set_index("time_period")["pupils"]
    return [{"census": f"January {analysis.january(int(row.time_period))}", "academic_year": row.academic_year,
             "la_funded_ap_pupils": _count(row.pupils),
             "state_funded_ap_school_pupils": _count(schools.get(row.time_period)),
             "predecessor": row.area == "predecessor"}
            for row in authority.la_funded.itertuples(index=False)]


def seat_figures(seat: Seat) -> dict:
    """What the site shows about a seat's local figures: ``local`` is None outside England, where
    the AP census and the NPD hold no data. Counts are None where none was published."""
    picture = analysis.local_picture(seat.gss_code) if seat.in_england else None
    if picture is None:
        return {"gss_code": seat.gss_code, "local": None}
    rate_census = f"January {analysis.january(analysis.latest_rate_year())}"
    return {"gss_code": seat.gss_code, "local": {
        "census": f"January {analysis.january(picture.time_period)}",
        "academic_year": picture.academic_year,
        "rate_census": rate_census,
        "rate_academic_year": picture.rate_academic_year,
        "rate_unit": analysis.RATE_UNIT,
        "rate_denominator": analysis.RATE_DENOMINATOR,
        "england_la_funded_ap_pupils": picture.england_pupils,
        "england_rate": picture.england_rate,
        "region": picture.region,
        "region_rate": picture.region_rate,
        "seat_estimate": picture.seat_estimate,
        "seat_estimate_method": analysis.SEAT_ESTIMATE_METHOD,
        "weights_note": picture.weights_note,
        "authorities": [{
            "la_code": a.la_code, "la_name": a.la_name,
            "share_of_seat_pop": a.share_of_seat_pop, "share_of_la_pop": a.share_of_la_pop,
            "figures_for": a.data_la_name if a.data_la_code != a.la_code else None,
            "la_funded_ap_pupils": a.latest_pupils, "state_funded_ap_school_pupils": a.latest_ap_school_pupils,
            "rate": a.latest_rate, "rank": a.rank, "of_las": a.of_las, "notes": list(a.notes),
            "series": _series(a),
        } for a in picture.authorities],
    }}


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
            writer.writerow(head + [""] * (len(CSV_COLUMNS) - len(head) - 1)
                            + ["No local figures: the AP census and the NPD cover England only."])
            continue
        for a in local["authorities"]:
            writer.writerow(head + [
                a["la_name"], a["la_code"], f"{a['share_of_seat_pop']:.4f}", f"{a['share_of_la_pop']:.4f}",
                a["figures_for"] or "", local["census"], _number(a["la_funded_ap_pupils"]),
                _number(a["state_funded_ap_school_pupils"]), local["rate_census"], _number(a["rate"], 1),
                _number(local["england_rate"], 1), _number(local["region_rate"], 1), _number(a["rank"]),
                a["of_las"], _number(local["seat_estimate"]), " ".join(a["notes"] + [local["weights_note"] or ""]).strip(),
            ])
    return stream.getvalue().encode("utf-8")
