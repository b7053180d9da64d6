"""A constituency briefing's sections, as HTML the briefing notebook displays.

The notebook calls :func:`prepare` once and then :func:`show` for each section: a one-page summary
a caseworker can act on, the local detail, the national picture in brief, what you can say, the
sources and the letter. Each section is a Jinja2 template in ``briefing/templates/sections/``,
filled with figures from ``data/`` through :mod:`.analysis` and :mod:`.national`; the full national
evidence is the national annex (:mod:`.annex`). Runs in the notebook kernel.
"""

import datetime
from dataclasses import dataclass

from IPython.display import HTML, display
from markupsafe import Markup

from npd_briefing import __version__, caches, disk_cache
from npd_briefing.config import ANNEX_FILE
from npd_briefing.data import datasets, tables
from npd_briefing.dates import long_date, parse_date
from npd_briefing.evidence import analysis, national
from npd_briefing.letters.letter import asks_markdown, fill_letter, letter_to_html, load_letter_template
from npd_briefing.letters.salutation import address_line, salutation, salutation_name
from npd_briefing.seats.resolve import Seat, resolve
from npd_briefing.templates import render

MEMBER_CONTACT_URL = "https://members.parliament.uk/member/{member_id}/contact"
DEVOLVED_GOVERNMENTS = {
    "Wales": "Welsh Government",
    "Scotland": "Scottish Government",
    "Northern Ireland": "Northern Ireland Executive",
}
# The rows "What you can say" rests on, one or two a point: what DfE collects and why, what the NPD
# holds, what DfE releases and to whom, the Home Office's requests, the ICO's finding, the campaign's
# figure for the NPD's size.
TALKING_POINT_ROWS = ("P03", "P04", "P06", "F21", "F24", "P05", "F23", "P01", "N06")
# The rows the letter's national paragraph states (sections/letter_national.txt.j2).
LETTER_ROWS = ("P02", "P01", "F23", "N06", "C034", "C035")


@dataclass
class Briefing:
    """Everything one briefing shows, resolved and checked before anything is rendered."""

    seat: Seat
    date: datetime.date
    sender_name: str
    letter_markdown: str
    local: analysis.LocalPicture | None


def member_contact_url(seat: Seat) -> str:
    """The MP's official contact page on Parliament's members site."""
    return MEMBER_CONTACT_URL.format(member_id=seat.member_id)


def letter_values(
    seat: Seat,
    day: datetime.date,
    local: analysis.LocalPicture | None,
    *,
    sender_name: str = "",
    sender_address: str = "",
) -> dict:
    """What a letter's placeholders are filled with for this seat (the briefing's and the site's)."""
    return {
        "date": long_date(day),
        "salutation": salutation(seat.mp_full_title, seat.mp_display_name),
        "mp_name": salutation_name(seat.mp_full_title, seat.mp_display_name),
        "mp_full_title": address_line(seat.mp_full_title),
        "seat_name": seat.name,
        "sender_name": sender_name or None,
        "sender_address": sender_address or None,
        "local_figures": _one_paragraph(render("sections/letter_local.txt.j2", seat=seat, local=local))
        or None,
        "national_figures": _one_paragraph(render("sections/letter_national.txt.j2", **_national_values())),
        "asks": asks_markdown(),
    }


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def prepare(
    constituency: str,
    *,
    sender_name: str = "",
    sender_address: str = "",
    letter_path: str = "",
    date: str = "",
) -> Briefing:
    """Resolve the seat, check the letter and date, and compute the local picture."""
    seat = resolve(constituency)
    day = parse_date(date)
    template = load_letter_template(letter_path or None)
    local = analysis.local_picture(seat.gss_code) if seat.in_england else None
    letter = fill_letter(
        template, letter_values(seat, day, local, sender_name=sender_name, sender_address=sender_address)
    )
    return Briefing(seat=seat, date=day, sender_name=sender_name, letter_markdown=letter, local=local)


@caches.per_process
def _national_values() -> dict:
    """The national figures the sections and the letter quote: the same for every seat, read once."""
    return {
        "figure": {
            row_id: national.figure(row_id)
            for row_id in (*national.SCALE_ROWS, *national.SUMMARY_ROWS, *TALKING_POINT_ROWS, *LETTER_ROWS)
        },
        "reasons": national.placement_reasons(),
    }


def summary_html(b: Briefing) -> str:
    return render(
        "sections/summary.html.j2",
        seat=b.seat,
        day=b.date,
        sender=b.sender_name,
        mp_address=address_line(b.seat.mp_full_title),
        contact_url=member_contact_url(b.seat),
        local=b.local,
        analysis=analysis,
        facts=national.figures(national.SUMMARY_ROWS),
        asks=Markup(letter_to_html(asks_markdown())),
        annex=ANNEX_FILE,
        devolved_government=DEVOLVED_GOVERNMENTS.get(b.seat.nation, ""),
        **_national_values(),
    )


def local_html(b: Briefing) -> str:
    if b.local is None:
        return ""
    main = max(b.local.authorities, key=lambda a: a.share_of_seat_pop)
    # The ranking picks out the authority whose rate is given: a new authority's predecessor's.
    trend, ranking = local_charts_html(main.la_code, main.rate.la_code if main.rate else main.la_code)
    return render(
        "sections/local.html.j2", seat=b.seat, local=b.local, analysis=analysis, trend=trend, ranking=ranking
    )


# The tables each chart reads: a chart is kept on disk under their hash and redrawn when one changes.
CHART_TABLES = {
    "ap_trend_chart": ("la_ap", "la_lineage"),
    "la_rate_ranking_chart": ("la_ap", "la_lineage", "pupils"),
    "npd_scale_chart": ("national_ap_figures", "npd_facts", "npd_release_counts"),
}


@caches.per_process
def local_charts_html(la_code: str, ranked_code: str) -> tuple[Markup, Markup]:
    """An authority's trend and ranking charts. Several seats share an authority, so each is drawn
    once for given inputs and kept on disk for every worker and later run."""
    return (
        _chart_html(f"{la_code}-trend", "ap_trend_chart", la_code),
        _chart_html(f"{ranked_code}-ranking", "la_rate_ranking_chart", ranked_code),
    )


def _chart_html(name: str, chart: str, *args) -> Markup:
    """One chart as the briefing shows it, from the disk cache when it is there: matplotlib is only
    imported (half a second of a kernel's start) when a chart has to be drawn. Drawing it may read
    only the tables it is kept under."""
    tables = CHART_TABLES[chart]

    def draw() -> str:
        from npd_briefing.evidence import charts
        from npd_briefing.evidence.figures import figure_html

        with datasets.reading_only(tables):
            drawn = getattr(charts, chart)(*args)
        return figure_html(drawn.figure, drawn.alt, drawn.source)

    return Markup(disk_cache.text("charts", f"{name}.html", draw, data_digest=datasets.tables_digest(tables)))


def national_html(b: Briefing) -> str:
    """The national picture in brief; a seat outside England's briefing keeps to two pages without
    the chart (its first page already gives the national facts)."""
    return _national_section(with_chart=b.seat.in_england)


@caches.per_process
def _national_section(with_chart: bool) -> str:
    """The same for every seat: built once per process."""
    return render(
        "sections/national.html.j2",
        annex=ANNEX_FILE,
        charts=_chart_html("npd-scale", "npd_scale_chart") if with_chart else "",
        **_national_values(),
    )


def talking_points_html(b: Briefing) -> str:
    return render("sections/talking_points.html.j2", local=b.local, annex=ANNEX_FILE, **_national_values())


def letter_html(b: Briefing) -> str:
    return render("sections/letter.html.j2", letter=Markup(letter_to_html(b.letter_markdown)))


def sources_html(b: Briefing) -> str:
    """Each source this briefing's figures come from, once, in plain words, and their attributions."""
    outputs = (tables.BRIEFING, tables.LOCAL) if b.local is not None else (tables.BRIEFING,)
    cited = [datasets.resource(name) for name in tables.used_by(*outputs)]
    attributions = sorted({line for resource in cited for line in resource["attribution"]})
    rows = (*national.SUMMARY_ROWS, *TALKING_POINT_ROWS, *LETTER_ROWS)
    return render(
        "sections/sources.html.j2",
        sources=national.source_list(cited, dict.fromkeys(rows)),
        attributions=attributions,
        version=__version__,
        annex=ANNEX_FILE,
        with_urls=False,
    )


SECTIONS = {
    "summary": summary_html,
    "local": local_html,
    "national": national_html,
    "talking_points": talking_points_html,
    "sources": sources_html,
    "letter": letter_html,
}


def show(section: str, b: Briefing) -> None:
    """Display one section of the briefing ``b`` in the notebook."""
    markup = SECTIONS[section](b)
    if markup:
        display(HTML(markup))
