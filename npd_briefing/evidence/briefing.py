"""The constituency briefing's content, section by section, as HTML the notebook displays.

The briefing notebook calls :func:`prepare` once and then one ``show_*`` function per section, so
the notebook stays thin and every figure printed comes from ``data/`` through :mod:`analysis`.
All text from data or from the user is escaped before it reaches HTML.
"""

import datetime
import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from IPython.display import HTML, display

from npd_briefing import __version__
from npd_briefing.evidence import analysis, charts
from npd_briefing.data import datasets
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.evidence.figures import figure_html
from npd_briefing.pipeline.brief import parse_date
from npd_briefing.letters.letter import address_line, fill_letter, letter_to_html, load_letter_template, salutation, salutation_name
from npd_briefing.seats.resolve import Seat, resolve

TALKING_POINTS_PATH = TEMPLATES_DIR / "talking_points.md"
# The tables a briefing draws on, listed in its sources section.
BRIEFING_TABLES = ("la_ap", "pupils", "seat_la_weights", "seats", "school_arranged_ap_reasons", "npd_facts",
                   "npd_release_counts", "npd_named_releases")
E = html.escape


@dataclass
class Briefing:
    """Everything one briefing shows, resolved and checked before anything is rendered."""

    seat: Seat
    date: datetime.date
    letter_markdown: str
    local: analysis.LocalPicture | None

    @property
    def salutation(self) -> str:
        return salutation(self.seat.mp_full_title, self.seat.mp_display_name)


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


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


def _show(markup: str) -> None:
    display(HTML(markup))


def _count(value: int | None) -> str:
    return "not published" if value is None else f"{value:,}"


def _rate(value: float | None) -> str:
    return "not available" if value is None else f"{value:.1f}"


def cover_html(b: Briefing) -> str:
    seat = b.seat
    ap_year = datasets.resource("la_ap")["release_date"]
    welsh = f" ({E(seat.name_cy)})" if seat.name_cy and seat.name_cy != seat.name else ""
    scope = ("This briefing sets out what public data show for this constituency and for England."
             if seat.in_england else
             f"These collections cover England; this briefing sets out what public data show for England "
             f"and why they matter to {seat.nation}'s MPs.")
    return f"""
<section class="cover">
<p class="kicker">Children's privacy in England's school data: a briefing for your MP</p>
<h1>{E(seat.name)}{welsh}</h1>
<p class="mp">{E(address_line(seat.mp_full_title))} &middot; {E(seat.party)}</p>
<dl class="facts">
<dt>Date</dt><dd>{E(long_date(b.date))}</dd>
<dt>Constituency</dt><dd>{E(seat.name)}, {E(seat.region if seat.region != seat.nation else seat.nation)}
 ({E(seat.gss_code)}, 2024 boundaries)</dd>
<dt>Data as of</dt><dd>Alternative provision: January {E(analysis.january(analysis.latest_year()))} census (DfE release {E(ap_year)});
 MP: {E(seat.mps_as_of)}; national facts: as dated beside each figure</dd>
</dl>
<p class="lede">Since January 2018 the Department for Education (DfE) has recorded, in the Alternative
Provision (AP) census, a reason for each child placed in alternative provision by a local authority,
among them mental or physical health, pregnancy and being a young offender. These records join the
National Pupil Database (NPD): named, pupil-level, kept indefinitely and released to third parties.
{E(scope)}</p>
</section>"""


def local_html(b: Briefing) -> str:
    if b.local is None:
        return _outside_england_html(b.seat)
    local = b.local
    rows = "".join(
        f"<tr><td>{E(a.la_name)}</td><td class='number'>{a.share_of_seat_pop:.0%}</td>"
        f"<td class='number'>{a.share_of_la_pop:.0%}</td></tr>" for a in local.authorities)
    parts = [f"""
<section class="local">
<h2>The local picture</h2>
<p>{E(b.seat.name)} lies in {_la_list(local)}. Alternative provision is arranged and counted by local
authority, so the figures below are for the authority as a whole.</p>
<table class="compact"><thead><tr><th>Local authority</th><th>Share of the seat's population</th>
<th>Share of the authority's population in the seat</th></tr></thead><tbody>{rows}</tbody></table>"""]
    if local.weights_note:
        parts.append(f"<p class='note'>{E(local.weights_note)}</p>")
    for a in local.authorities:
        parts.append(_authority_html(a, local))
    if local.seat_estimate is not None:
        parts.append(f"<p><strong>Estimate for the seat itself:</strong> about "
                     f"{local.seat_estimate:,.0f} pupils in local-authority-funded AP in January "
                     f"{E(analysis.january(local.time_period))}. {E(analysis.SEAT_ESTIMATE_METHOD)}</p>")
    else:
        parts.append("<p class='note'>No estimate for the seat itself is given: the population shares or "
                     "the local figures needed for it are incomplete.</p>")
    main = max(local.authorities, key=lambda a: a.share_of_seat_pop)
    parts.append(local_charts_html(main.data_la_code))
    parts.append("</section>")
    return "".join(parts)


@lru_cache(maxsize=None)
def local_charts_html(la_code: str) -> str:
    """An authority's trend and ranking charts; several seats share an authority, so built once."""
    trend = charts.ap_trend_chart(la_code)
    ranking = charts.la_rate_ranking_chart(la_code)
    return figure_html(trend.figure, trend.alt, trend.source) + figure_html(ranking.figure, ranking.alt, ranking.source)


def _la_list(local: analysis.LocalPicture) -> str:
    names = [E(a.la_name) for a in local.authorities]
    if len(names) == 1:
        return f"one local authority, <strong>{names[0]}</strong>"
    return "the local authorities " + ", ".join(names[:-1]) + f" and {names[-1]}"


def _authority_html(a: analysis.LocalAuthorityFigures, local: analysis.LocalPicture) -> str:
    published = a.la_funded.dropna(subset=["pupils"])
    trend = ""
    if len(published) >= 2 and published["pupils"].iloc[0] > 0:
        first, last = published.iloc[0], published.iloc[-1]
        change = (last["pupils"] - first["pupils"]) / first["pupils"]
        trend = (f"<li>Trend: {_count(int(first['pupils']))} in {E(first['academic_year'])} to "
                 f"{_count(int(last['pupils']))} in {E(last['academic_year'])} ({change:+.0%}).</li>")
    january = E(analysis.january(local.time_period))
    region = (f"; {E(local.region)}: {_rate(local.region_rate)}" if local.region_rate is not None else "")
    rank = (f"<li>Rank: {a.rank} of {a.of_las} local authorities in England (1 = highest rate).</li>"
            if a.rank else "")
    figures_for = "" if a.data_la_code == a.la_code else f" (figures for {E(a.data_la_name)})"
    notes = "".join(f"<p class='note'>{E(n)}</p>" for n in a.notes)
    return f"""
<h3>{E(a.la_name)}{figures_for}</h3>
<ul class="figures">
<li>Pupils in local-authority-funded alternative provision, January {january}:
 <strong>{_count(a.latest_pupils)}</strong> (England: {_count(local.england_pupils)}).</li>
{trend}
<li>Pupils on roll at state-funded AP schools (pupil referral units, AP academies and free schools),
 January {january}: <strong>{_count(a.latest_ap_school_pupils)}</strong>.</li>
<li>Rate, {E(local.rate_academic_year)}: <strong>{_rate(a.latest_rate)}</strong> {E(analysis.RATE_UNIT)} (England: {_rate(local.england_rate)}{region}).
 Denominator: {E(analysis.RATE_DENOMINATOR)}.</li>
{rank}
</ul>{notes}"""


def _outside_england_html(seat: Seat) -> str:
    return f"""
<section class="local">
<h2>The local picture</h2>
<p><strong>{E(seat.name)} is in {E(seat.nation)}. The National Pupil Database and the Alternative
Provision census cover schools in England only, so this briefing shows no local figure for this seat:
none exists in these collections.</strong> Schools in {E(seat.nation)} report to the
{E(_devolved_government(seat.nation))}, which keeps its own pupil records; this pack holds no data on them.</p>
<p>Why it still matters to {E(seat.mp_display_name)}: Members of Parliament for every nation vote on the
UK-wide data protection law that governs how the Department for Education collects, keeps and shares
pupil data, and can question ministers about it in the Commons. Children educated in England for part of
their lives, including those who later move to {E(seat.nation)}, are in the National Pupil Database
for good. Practices accepted for England's pupil data set the standard that others are measured against.</p>
</section>"""


def _devolved_government(nation: str) -> str:
    return {"Wales": "Welsh Government", "Scotland": "Scottish Government",
            "Northern Ireland": "Northern Ireland Executive"}.get(nation, f"government of {nation}")


@lru_cache(maxsize=1)
def national_html() -> str:
    """The national picture is the same for every seat: built once per process."""
    facts = datasets.load("npd_facts").set_index("fact_id")
    items = []
    for fact_id in ("F01", "F03", "F02", "F06", "F13", "F22", "F23"):
        row = facts.loc[fact_id]
        marks = [m for m, flag in (("secondary source", row["secondary"]), ("disputed", row["disputed"])) if flag]
        mark = f" <span class='mark'>[{E('; '.join(marks))}]</span>" if marks else ""
        value = f"{int(float(row['value'])):,}" if row["value"].replace(".", "").isdigit() else row["value"]
        items.append(f"<li><strong>{E(value)}</strong> {E(row['unit'])}: {E(row['fact'])} "
                     f"({E(row['period_or_as_at'])}). <span class='cite'>Source: {E(row['publisher'])}, "
                     f"{E(row['source_title'])}, {E(row['source_date'])}.</span>{mark}</li>")
    figures = [charts.npd_scale_chart(), charts.requests_by_tier_chart(), charts.police_home_office_chart(),
               charts.named_releases_timeline()]
    return (f"""
<section class="national">
<h2>The national picture: the National Pupil Database</h2>
<p>The figures below are as published or reported at the date shown. Several come from the campaign
group defenddigitalme or from freedom-of-information requesters quoting DfE; they are marked as secondary,
and figures later corrected or contested are marked as disputed. The campaign's own phrase, "over 23 million
people", is its estimate; the cited figures are shown here instead.</p>
<ul class="facts-list">{''.join(items)}</ul>"""
            + "".join(figure_html(c.figure, c.alt, c.source) for c in figures) + "</section>")


def talking_points_html() -> str:
    markdown = TALKING_POINTS_PATH.read_text(encoding="utf-8")
    return f"<section class='talking-points'><h2>What you can say</h2>{letter_to_html(markdown)}</section>"


def letter_html(b: Briefing) -> str:
    return f"<section class='letter'><h2 class='screen-only'>Letter to your MP</h2>{letter_to_html(b.letter_markdown)}</section>"


def sources_html() -> str:
    rows = []
    for name in BRIEFING_TABLES:
        resource = datasets.resource(name)
        for source in resource["sources"]:
            link = f" {E(source['url'])}" if source.get("url") else ""
            rows.append(f"<li><strong>{E(source['title'])}</strong>. {E(source['publisher'])}; released "
                        f"{E(source['release_date'])}; {E('; '.join(source['licences']))}.{link}</li>")
    attributions = sorted({a for name in BRIEFING_TABLES for a in datasets.resource(name)["attribution"]})
    unique_rows = list(dict.fromkeys(rows))
    return f"""
<section class="sources">
<h2>Sources</h2>
<ul>{''.join(unique_rows)}</ul>
<p>Each row of the pack's data keeps its own citation; figures typed in from public pages carry the page,
publisher and date and are marked secondary where they are not DfE's or Parliament's own words.</p>
<p class="attribution">{'<br>'.join(E(a) for a in attributions)}</p>
<p class="attribution">The talking points and letter are defenddigitalme's campaign text (written in late
2017, before the collection began in January 2018). Generated by npd_briefing {E(__version__)}.</p>
</section>"""


def show_cover(b: Briefing) -> None:
    _show(cover_html(b))


def show_local(b: Briefing) -> None:
    _show(local_html(b))


def show_national() -> None:
    _show(national_html())


def show_talking_points() -> None:
    _show(talking_points_html())


def show_letter(b: Briefing) -> None:
    _show(letter_html(b))


def show_sources() -> None:
    _show(sources_html())
