"""The site's pages, rendered from the Jinja2 templates in ``briefing/templates/site/`` (autoescaped).

Every page carries the same Content-Security-Policy: only the site's own files may load, so the
pages can fetch nothing from anywhere else. Links between pages are relative, so the site works
from any folder of any host.
"""

import html

import jinja2
from markupsafe import Markup

from npd_briefing import __version__, config
from npd_briefing.data.sources import TRANSCRIPTION, source_line
from npd_briefing.data.tables import CITATION_STATUS_RULE
from npd_briefing.dates import long_date

SITE_NAME = "Children's privacy in school data"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# Why it matters, as the briefing's first page puts it: what DfE's own pages establish, then the campaign's
# claims, said to be the campaign's.
LEDE = (
    "Since January 2018 the Department for Education (DfE) has recorded a reason for each child that a local "
    "authority places in alternative provision (AP). It does this in the AP census. These records join the "
    "National Pupil Database (NPD). DfE's privacy notice for the NPD (December 2022) says it holds names and "
    "addresses. DfE releases pupil-level data from the NPD to third parties. The campaign, defenddigitalme, says "
    "the reasons include mental or physical health, pregnancy and being a young offender. The campaign also "
    "says that NPD records are kept for ever."
)


def _count(value) -> str:
    return "not published" if value is None else f"{round(value):,}"


def _rate(value) -> str:
    return "not available" if value is None else f"{value:.1f}"


def _share(value: float) -> str:
    return f"{value:.0%}"


def file_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} KB"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.SITE_TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        count=_count,
        rate=_rate,
        share=_share,
        source_line=source_line,
        long_date=long_date,
        licence_words=lambda licence: (
            "quoted briefly, with attribution" if licence == TRANSCRIPTION else licence
        ),
    )
    # The data package's rule for how each row was checked is said in plain words on the methodology page.
    environment.globals["citation_status_rule"] = CITATION_STATUS_RULE
    return environment


class Pages:
    """Renders each page with what every page shares (footer, policy, build date)."""

    def __init__(self, *, build_date: str, attributions: list[str], csv_name: str):
        self._environment = _environment()
        self._shared = {
            "site_name": SITE_NAME,
            "csp": CSP,
            "build_date": build_date,
            "version": __version__,
            "attributions": attributions,
            "csv_name": csv_name,
        }

    def render(self, template: str, *, root: str, page: str, **context) -> bytes:
        """``root`` is the way back to the site's top folder from the page ("" or "../")."""
        text = self._environment.get_template(template).render(
            **self._shared, root=root, page=page, **context
        )
        return text.encode("utf-8")

    def index(self, *, nations: list[dict], seat_count: int, lookup_name: str) -> bytes:
        return self.render(
            "index.html",
            root="",
            page="index",
            nations=nations,
            seat_count=seat_count,
            lookup_name=lookup_name,
            lede=LEDE,
        )

    def seat(self, **context) -> bytes:
        return self.render("seat.html", root="../", page="seat", **context)

    def methodology(self, **context) -> bytes:
        return self.render("methodology.html", root="", page="methodology", **context)

    def privacy(self) -> bytes:
        return self.render("privacy.html", root="", page="privacy")


def email_body_html(body: str, sender_slot: str, name_placeholder: str) -> Markup:
    """The email body as text, with a slot where the browser writes the sender's name."""
    slot = f'<span class="slot" data-slot="email_sender_name">{html.escape(name_placeholder)}</span>'
    return Markup(slot.join(html.escape(part) for part in body.split(sender_slot)))
