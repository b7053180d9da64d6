"""The national annex: the full national picture, the same for every seat, rendered once.

NPD scale, third-party releases by tier, named releases, police and Home Office requests, and
reasons for placement, each chart with every figure's source. ``notebooks/national_annex.ipynb``
calls :func:`show` per section; the charts are the ones the research notebooks draw, from the same
functions in :mod:`.charts`. Runs in the notebook kernel.
"""

from IPython.display import HTML, display
from markupsafe import Markup

from npd_briefing import __version__
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.data import datasets, tables
from npd_briefing.evidence import charts, national
from npd_briefing.evidence.figures import figure_html
from npd_briefing.letters.letter import letter_to_html
from npd_briefing.templates import render

TITLE = "Children's privacy in England's school data: the national annex"
RELEASE_ROWS = ("F06", "F13", "F14", "F15", "C013", "C020", "F04", "P01")
POLICE_HOME_OFFICE_ROWS = ("P05", "F22", "F23", "C034", "C035")
NATIONAL_AP_ROWS = ("N01", "N02", "N03", "N04")
# The public bodies' own pages for the national figures and statements (data/primary_citations.csv).
PRIMARY_ROWS = ("P01", "P02", "P03", "P04", "P05", "P06")
# defenddigitalme's talking points as it wrote them in late 2017, kept as a dated quotation.
CAMPAIGN_TALKING_POINTS = TEMPLATES_DIR / "campaign_talking_points_2017.md"


def _figures(*shown: charts.Chart) -> Markup:
    return Markup("".join(figure_html(chart.figure, chart.alt, chart.source) for chart in shown))


def _reported_shares():
    counts = datasets.load("ap_reason_counts")
    return counts[(counts["geography"] == "England") & counts["collection"].str.startswith("AP census")]


SECTIONS = {
    "title": lambda: render(
        "sections/annex_title.html.j2", title=TITLE, data_version=datasets.data_version(), version=__version__
    ),
    "scale": lambda: render(
        "sections/annex_facts.html.j2",
        heading="How big is the National Pupil Database?",
        intro="Each cited figure counts something different (people, records, data "
        "subjects) at a different date, and each is someone's word: the source says whose.",
        facts=national.figures((*national.SCALE_ROWS, "P02", national.FOR_SCALE_ROW)),
        charts=_figures(charts.npd_scale_chart()),
    ),
    "releases": lambda: render(
        "sections/annex_facts.html.j2",
        heading="Releases to third parties",
        intro="Requests and releases as counted from DfE's third-party register, by "
        "tier of data, with the outcomes and the refusals DfE gave Parliament.",
        facts=national.figures(RELEASE_ROWS),
        charts=_figures(
            charts.requests_by_tier_chart(),
            charts.release_outcomes_chart(),
            charts.refusals_by_year_chart(),
            charts.named_releases_timeline(),
        ),
    ),
    "police_home_office": lambda: render(
        "sections/annex_facts.html.j2",
        heading="Police and Home Office",
        intro="DfE's corrected figures to Parliament, its first answers, and the latest figures reported since.",
        facts=national.figures(POLICE_HOME_OFFICE_ROWS),
        charts=_figures(charts.police_home_office_chart()),
    ),
    "reasons": lambda: render(
        "sections/annex_reasons.html.j2",
        reasons=national.placement_reasons(),
        shares=_reported_shares(),
        facts=national.figures(("P03", *NATIONAL_AP_ROWS)),
        charts=_figures(charts.ap_trend_chart(), charts.school_arranged_reasons_chart()),
    ),
    "campaign_2017": lambda: render(
        "sections/annex_campaign.html.j2",
        talking_points=Markup(letter_to_html(CAMPAIGN_TALKING_POINTS.read_text(encoding="utf-8"))),
    ),
    "sources": lambda: render(
        "sections/sources.html.j2",
        sources=_sources(),
        attributions=_attributions(),
        version=__version__,
        annex=None,
        with_urls=True,
    ),
}


def _cited_resources() -> list[dict]:
    return [datasets.resource(name) for name in tables.used_by(tables.ANNEX)]


def _sources() -> list[tuple[str, str]]:
    rows = (*national.SCALE_ROWS, national.FOR_SCALE_ROW, *RELEASE_ROWS, *POLICE_HOME_OFFICE_ROWS)
    return national.source_list(_cited_resources(), dict.fromkeys((*rows, *NATIONAL_AP_ROWS, *PRIMARY_ROWS)))


def _attributions() -> list[str]:
    return sorted({line for resource in _cited_resources() for line in resource["attribution"]})


def show(section: str) -> None:
    """Display one section of the annex in the notebook."""
    display(HTML(SECTIONS[section]()))
