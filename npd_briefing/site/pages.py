"""The site's pages, rendered from the Jinja2 templates in ``briefing/templates/site/`` (autoescaped).

Every page carries the same Content-Security-Policy: only the site's own files may load, so the
pages can fetch nothing from anywhere else. Links between pages are relative, so the site works
from any folder of any host. What must be absolute (the canonical link, Open Graph's page and
image, the sitemap) needs the address the site is published at, ``--base-url``: without it, pages
carry no canonical link, no ``og:url`` or ``og:image``, and the site has no sitemap.
"""

import html
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from npd_briefing import __version__, config
from npd_briefing.data.sources import TRANSCRIPTION, source_line
from npd_briefing.data.tables import CITATION_STATUS_RULE
from npd_briefing.dates import long_date
from npd_briefing.exceptions import SiteOptionError
from npd_briefing.text import quoted

SITE_NAME = "Children's privacy in school data"
# The picture shown when a page is shared (Open Graph), drawn by the build (site.share_image).
SHARE_IMAGE = "static/share.png"
SHARE_SIZE = (1200, 630)  # pixels: Open Graph's usual size
SHARE_COLOURS = ("#1d4f91", "#ffffff")  # the site's header: white on its blue
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


def base_url(url: str | None) -> str | None:
    """``url`` as the site's published address, ending in "/", or None; anything but an http(s)
    address with a host and no query is refused."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SiteOptionError(
            f"--base-url {quoted(url)} is not valid; give the address the site is published at, "
            "such as https://owner.github.io/repo/"
        )
    return url if url.endswith("/") else url + "/"


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

    def __init__(
        self, *, build_date: str, attributions: list[str], csv_name: str, currency: dict, site_url: str | None
    ):
        self._environment = _environment()
        self.site_url = site_url
        self._shared = {
            "site_name": SITE_NAME,
            "csp": CSP,
            "build_date": build_date,
            "version": __version__,
            "attributions": attributions,
            "csv_name": csv_name,
            "currency": currency,
            "share_image": f"{site_url}{SHARE_IMAGE}" if site_url else None,
            "share_size": SHARE_SIZE,
        }

    def url(self, path: str) -> str | None:
        """The absolute address of the page at ``path`` in the site ("" for the home page)."""
        return f"{self.site_url}{path}" if self.site_url else None

    def render(self, template: str, *, root: str, page: str, path: str, **context) -> bytes:
        """``root`` is the way back to the site's top folder from the page ("" or "../"); ``path`` is
        where the page is in the site, for its canonical address."""
        text = self._environment.get_template(template).render(
            **self._shared, root=root, page=page, canonical=self.url(path), **context
        )
        return text.encode("utf-8")

    def index(self, *, nations: list[dict], seat_count: int, lookup_name: str) -> bytes:
        return self.render(
            "index.html",
            root="",
            page="index",
            path="",
            nations=nations,
            seat_count=seat_count,
            lookup_name=lookup_name,
            lede=LEDE,
        )

    def seat(self, *, path: str, **context) -> bytes:
        return self.render("seat.html", root="../", page="seat", path=path, **context)

    def methodology(self, **context) -> bytes:
        return self.render(
            "methodology.html", root="", page="methodology", path="methodology.html", **context
        )

    def privacy(self) -> bytes:
        return self.render("privacy.html", root="", page="privacy", path="privacy.html")

    def changes(self, **context) -> bytes:
        return self.render("changes.html", root="", page="changes", path="changes.html", **context)

    def not_found(self) -> bytes:
        """The page a host serves for any missing address, at any depth: its links and assets start
        from the site's own path when the base URL is known ("/repo/"), and from the host's root
        otherwise (right for a site at a domain's root)."""
        root = urlsplit(self.site_url).path if self.site_url else "/"
        text = self._environment.get_template("404.html").render(
            **self._shared, root=root, page="404", canonical=None
        )
        return text.encode("utf-8")


def email_body_html(body: str, sender_slot: str, name_placeholder: str) -> Markup:
    """The email body as text, with a slot where the browser writes the sender's name."""
    slot = f'<span class="slot" data-slot="email_sender_name">{html.escape(name_placeholder)}</span>'
    return Markup(slot.join(html.escape(part) for part in body.split(sender_slot)))


def share_image() -> bytes:
    """The picture shown with a shared link (SHARE_SIZE): the site's name on its
    colour, drawn here so that no binary file is kept in the templates. PNG, with no metadata."""
    import io
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(SHARE_SIZE[0] / 100, SHARE_SIZE[1] / 100), dpi=100, facecolor=SHARE_COLOURS[0])
    figure.text(
        0.07,
        0.5,
        textwrap.fill(SITE_NAME, 20),
        color=SHARE_COLOURS[1],
        fontsize=50,
        fontweight="bold",
        va="bottom",
    )
    figure.text(
        0.07, 0.3, "Find your MP, get a briefing, ask for a meeting", color=SHARE_COLOURS[1], fontsize=26
    )
    stream = io.BytesIO()
    figure.savefig(stream, format="png", metadata={"Software": None})
    return stream.getvalue()
