"""The constituency briefing's sections, as HTML the briefing notebook displays.

The notebook calls :func:`prepare` once and then :func:`show` for each section; each section is a
Jinja2 template in ``briefing/templates/sections/``, filled with figures that come from ``data/``
through :mod:`.analysis` and :mod:`.charts`. Runs in the notebook kernel: given a GSS code it looks
the seat up without reading the postcode ranges.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from IPython.display import HTML, display
from markupsafe import Markup

from npd_briefing import __version__, caches
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.data import datasets, tables
from npd_briefing.dates import long_date, parse_date
from npd_briefing.evidence import analysis, charts
from npd_briefing.evidence.figures import figure_html
from npd_briefing.letters.letter import fill_letter, letter_to_html, load_letter_template
from npd_briefing.letters.salutation import address_line, salutation, salutation_name
from npd_briefing.seats.resolve import Seat, resolve
from npd_briefing.templates import render

TALKING_POINTS_PATH = TEMPLATES_DIR / "talking_points.md"
NATIONAL_FACTS = ("F01", "F03", "F02", "F06", "F13", "F22", "F23")
DEVOLVED_GOVERNMENTS = {"Wales": "Welsh Government", "Scotland": "Scottish Government",
                        "Northern Ireland": "Northern Ireland Executive"}


@dataclass
class Briefing:
    """Everything one briefing shows, resolved and checked before anything is rendered."""

    seat: Seat
    date: datetime.date
    letter_markdown: str
    local: analysis.LocalPicture | None


def prepare(constituency: str, *, sender_name: str = "", sender_address: str = "", letter_path: str = "",
            date: str = "") -> Briefing:
    """Resolve the seat, check the letter and date, and compute the local picture."""
    seat = resolve(constituency)
    day = parse_date(date)
    template = load_letter_template(Path(letter_path) if letter_path else None)
    letter = fill_letter(template, {
        "date": long_date(day),
        "salutation": salutation(seat.mp_full_title, seat.mp_display_name),
        "mp_name": salutation_name(seat.mp_full_title, seat.mp_display_name),
        "mp_full_title": address_line(seat.mp_full_title),
        "seat_name": seat.name,
        "sender_name": sender_name or None,
        "sender_address": sender_address or None,
    })
    local = analysis.local_picture(seat.gss_code) if seat.in_england else None
    return Briefing(seat=seat, date=day, letter_markdown=letter, local=local)


def cover_html(b: Briefing) -> str:
    ap_year = analysis.latest_year()
    ap = datasets.load("la_ap")
    newest = ap.loc[(ap["measure"] == "la_funded_ap_pupils") & (ap["time_period"] == ap_year), "source_id"].iloc[0]
    return render("sections/cover.html.j2", seat=b.seat, day=b.date, mp_address=address_line(b.seat.mp_full_title),
                  ap_year=ap_year, ap_published=datasets.source("la_ap", newest)["published"])


def local_html(b: Briefing) -> str:
    if b.local is None:
        return render("sections/outside_england.html.j2", seat=b.seat,
                      devolved_government=DEVOLVED_GOVERNMENTS.get(b.seat.nation, f"government of {b.seat.nation}"))
    main = max(b.local.authorities, key=lambda a: a.share_of_seat_pop)
    return render("sections/local.html.j2", seat=b.seat, local=b.local, rate_unit=analysis.RATE_UNIT,
                  rate_denominator=analysis.RATE_DENOMINATOR, estimate_method=analysis.SEAT_ESTIMATE_METHOD,
                  charts=local_charts_html(main.data_la_code))


@caches.per_process
def local_charts_html(la_code: str) -> Markup:
    """An authority's trend and ranking charts; several seats share an authority, so built once."""
    return _figures(charts.ap_trend_chart(la_code), charts.la_rate_ranking_chart(la_code))


def _figures(*shown: charts.Chart) -> Markup:
    return Markup("".join(figure_html(chart.figure, chart.alt, chart.source) for chart in shown))


def _fact(row) -> dict:
    value = row["value"]
    return {**row, "value": f"{int(float(value)):,}" if value.replace(".", "").isdigit() else value,
            "marks": [mark for mark, flag in (("secondary source", row["secondary"]), ("disputed", row["disputed"]))
                      if flag]}


@caches.per_process
def national_html() -> str:
    """The national picture is the same for every seat: built once per process."""
    facts = datasets.load("npd_facts").set_index("fact_id", drop=False)
    return render("sections/national.html.j2", facts=[_fact(facts.loc[fact_id]) for fact_id in NATIONAL_FACTS],
                  charts=_figures(charts.npd_scale_chart(), charts.requests_by_tier_chart(),
                                  charts.police_home_office_chart(), charts.named_releases_timeline()))


def talking_points_html() -> str:
    markdown = TALKING_POINTS_PATH.read_text(encoding="utf-8")
    return render("sections/talking_points.html.j2", talking_points=Markup(letter_to_html(markdown)))


def letter_html(b: Briefing) -> str:
    return render("sections/letter.html.j2", letter=Markup(letter_to_html(b.letter_markdown)))


def sources_html() -> str:
    """Each source of the tables the briefing cites, once, and their attributions."""
    cited = [datasets.resource(name) for name in tables.used_by(tables.BRIEFING)]
    sources = {(s["title"], s["publisher"], s["published"], s["retrieved"], tuple(s["licences"]), s.get("url", "")): s
               for resource in cited for s in resource["sources"]}
    attributions = sorted({line for resource in cited for line in resource["attribution"]})
    return render("sections/sources.html.j2", sources=list(sources.values()), attributions=attributions,
                  version=__version__)


SECTIONS = {"cover": cover_html, "local": local_html, "letter": letter_html}
SHARED_SECTIONS = {"national": national_html, "talking_points": talking_points_html, "sources": sources_html}


def show(section: str, b: Briefing) -> None:
    """Display one section of the briefing ``b`` in the notebook."""
    markup = SECTIONS[section](b) if section in SECTIONS else SHARED_SECTIONS[section]()
    display(HTML(markup))
