"""The Jinja2 templates in ``briefing/templates/``, and the filters they format numbers and dates with.

Every page and section the pack writes as HTML is a template here, autoescaped: text from the data
or from a person is escaped, and only HTML the pack built itself (a chart's ``<figure>``, a letter
rendered from Markdown) is passed in as ``Markup``.
"""

import jinja2

from npd_briefing import caches
from npd_briefing.config import TEMPLATES_DIR
from npd_briefing.dates import academic_year, date_words, january, long_date, month_names


def count(value: int | None) -> str:
    return "not published" if value is None else f"{value:,}"


def rate(value: float | None) -> str:
    return "not available" if value is None else f"{value:.1f}"


@caches.per_process
def and_join(items) -> str:
    """'a, b and c', as a sentence lists things."""
    items = list(items)
    return f"{', '.join(items[:-1])} and {items[-1]}" if len(items) > 2 else " and ".join(items)


@caches.per_process
def environment() -> jinja2.Environment:
    """One per process, so each template is compiled once (Jinja reloads a template whose file changed).
    HTML is escaped; the letter's text pieces (.txt.j2) are not: fill_letter makes their values safe."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(("html", "html.j2")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(
        count=count,
        rate=rate,
        percent="{:.0%}".format,
        signed_percent="{:+.0%}".format,
        long_date=long_date,
        january=january,
        academic_year=academic_year,
        period=month_names,
        lower_first=lambda text: text[:1].lower() + text[1:],
        and_join=and_join,
        date_words=date_words,
    )
    return env


def render(name: str, **values) -> str:
    """The template ``name`` (a path under ``briefing/templates/``) filled with ``values``."""
    return environment().get_template(name).render(**values)
