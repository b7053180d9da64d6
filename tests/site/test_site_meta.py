"""Links that travel and figures that say their age: each page's title, description and share tags,
the sitemap and robots.txt, the census and check date on the pages, and the changes page."""

import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_setup import BASE_URL, SUB_PATH

from npd_briefing import config
from npd_briefing.data.manifest import read_manifest
from npd_briefing.dates import long_date
from npd_briefing.pipeline.request import output_stem
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.site import build as site_build
from npd_briefing.site import pages
from npd_briefing.site.figures import local_picture, seat_figures

SEATS = default_resolver().seats()
BY_CODE = {seat.gss_code: seat for seat in SEATS}


class Head(HTMLParser):
    """A page's title, meta tags (by name or property), canonical link and text."""

    def __init__(self):
        super().__init__()
        self.title, self.meta, self.canonical, self.text, self._in_title = "", {}, None, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_title = tag == "title"
        if tag == "meta" and (attrs.get("name") or attrs.get("property")):
            self.meta[attrs.get("name") or attrs["property"]] = attrs["content"]
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        self.text.append(data)


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.text = " ".join("".join(parser.text).split())
    return parser


def site_pages(site_dir: Path) -> dict[str, Path]:
    """Each page by its path in the site, as the sitemap lists it ("" for the home page)."""
    found = {"": site_dir / "index.html"}
    found |= {name: site_dir / name for name in ("methodology.html", "privacy.html", "changes.html")}
    found |= {f"seats/{path.name}": path for path in sorted((site_dir / "seats").glob("*.html"))}
    return found


def newest_retrieval() -> str:
    manifest = read_manifest(config.MANIFEST_PATH)
    dates = [
        source["retrieved"]
        for resource in manifest["resources"]
        for source in resource["sources"]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["retrieved"])
    ]
    return max(dates)


def test_every_page_has_its_own_title_description_and_share_tags(site_dir):
    heads = {path: head(page) for path, page in site_pages(site_dir).items()}
    assert len(heads) == 654
    assert len({h.title for h in heads.values()}) == len(heads)
    assert len({h.meta["description"] for h in heads.values()}) == len(heads)
    for path, h in heads.items():
        assert h.canonical == h.meta["og:url"] == BASE_URL + path, path
        assert h.meta["og:title"] and h.title.startswith(h.meta["og:title"] + " – "), path
        assert h.meta["og:description"] == h.meta["description"], path
        assert h.meta["og:image"] == BASE_URL + pages.SHARE_IMAGE and h.meta["og:type"] == "website", path
    png = (site_dir / pages.SHARE_IMAGE).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630)
    assert h.meta["og:image:width"] == "1200" and h.meta["og:image:height"] == "630"


@pytest.mark.parametrize("code", ["E14001063", "E14001076", "W07000086"])
def test_a_seat_pages_description_names_the_seat_the_mp_and_the_newest_local_figure(site_dir, code):
    seat = BY_CODE[code]
    h = head(site_dir / "seats" / f"{output_stem(seat)}.html")
    description = h.meta["description"]
    assert description.startswith(f"{seat.name}: a briefing for {seat.mp_display_name} ")
    local = seat_figures(seat, local_picture(seat))["local"]
    if local is None:
        assert description.endswith("No local figures: the census covers schools in England only.")
        return
    figures = "; ".join(f"{a['la_name']} {a['la_funded_ap_pupils']:,}" for a in local["authorities"])
    expected = f"Pupils in local-authority-funded alternative provision, {local['census']} census: {figures}."
    assert description.endswith(expected)
    for a in local["authorities"]:  # the figure the page itself prints
        assert f"{local['census']} census ({local['academic_year']}): {a['la_funded_ap_pupils']:,}" in h.text


def test_sitemap_lists_every_page_and_robots_txt_points_to_it(site_dir):
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    urls = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    assert urls == [BASE_URL + path for path in site_pages(site_dir)]
    robots = (site_dir / "robots.txt").read_text(encoding="utf-8")
    assert robots == f"User-agent: *\nAllow: /\nSitemap: {BASE_URL}sitemap.xml\n"


def test_without_a_base_url_nothing_absolute_is_made_up():
    renderer = pages.Pages(
        build_date="2026-12-01",
        attributions=[],
        csv_name="seat-figures.csv",
        currency={"census": "January 2025", "academic_year": "2024/25", "checked": "1 December 2026"},
        site_url=None,
    )
    page = renderer.privacy().decode()
    assert "canonical" not in page and "og:url" not in page and "og:image" not in page
    assert 'property="og:title" content="Privacy"' in page
    not_found = renderer.not_found().decode()
    assert 'href="/static/site.css"' in not_found and 'href="/index.html"' in not_found
    assert site_build._robots(renderer.url("sitemap.xml")) == b"User-agent: *\nAllow: /\n"


def test_the_home_page_and_every_seat_page_say_which_census_and_when_checked(site_dir):
    local = seat_figures(BY_CODE["E14001063"], local_picture(BY_CODE["E14001063"]))["local"]
    sentence = (
        f"Figures from the {local['census']} census ({local['academic_year']}), the newest in this pack. "
        f"Last checked against their sources on {long_date(newest_retrieval())}: what changed."
    )
    for path, page in site_pages(site_dir).items():
        if path == "" or path.startswith("seats/"):
            assert sentence in head(page).text, path
        assert "changes.html" in page.read_text(encoding="utf-8"), path  # the footer links it


def _changes_page(manifest: dict, checked: str) -> str:
    renderer = pages.Pages(
        build_date="2026-12-01",
        attributions=[],
        csv_name="seat-figures.csv",
        currency={"census": "January 2026", "academic_year": "2025/26", "checked": long_date(checked)},
        site_url=None,
    )
    currency = {"checked_iso": checked}
    return " ".join(site_build._changes(renderer, manifest, currency).decode().split())


def test_the_changes_page_shows_the_last_checks_report_or_no_change_since(site_dir):
    manifest = read_manifest(config.MANIFEST_PATH)
    built = " ".join((site_dir / "changes.html").read_text(encoding="utf-8").split())
    newest = manifest["changelog"][-1]
    assert f"Changes found on {long_date(newest['date'])}" in built
    assert all(f"<li>{line.replace('>', '&gt;')}</li>" in built for line in newest["changes"])

    refresh = {"date": "2027-01-05", "pack_version": "0.1.0", "changes": ["la_ap: 2195 -> 2350 rows"]}
    nothing = {"date": "2027-02-05", "pack_version": "0.1.0", "changes": []}
    page = _changes_page({"changelog": [*manifest["changelog"], refresh]}, "2027-01-05")
    assert "Changes found on 5 January 2027" in page and "<li>la_ap: 2195 -&gt; 2350 rows</li>" in page
    for log, checked in (([refresh, nothing], "2027-02-05"), ([refresh], "2027-02-05")):
        page = _changes_page({"changelog": [*manifest["changelog"], *log]}, checked)
        assert "No change since 5 January 2027." in page and "last checked on 5 February 2027" in page
        assert "Changes found" not in page


def test_the_404_page_starts_its_links_from_the_sites_path(site_dir):
    page = (site_dir / "404.html").read_text(encoding="utf-8")
    assert f'href="{SUB_PATH}static/site.css"' in page and f'href="{SUB_PATH}index.html"' in page
    assert "canonical" not in page and "Page not found" in page
