"""``build.py site``: the campaign website, one folder of static files to publish anywhere.

The folder holds ``index.html`` (the seat finder, and every seat listed by nation and region for
browsers without JavaScript), a page per seat under ``seats/`` named by its GSS code, the
briefing PDFs under ``briefings/`` (rendered like ``build.py all``: only seats whose briefing is
missing or stale), the lookup file, a methodology page, a privacy page, what changed when the data
was last checked (``changes.html``), a 404 page, ``robots.txt`` (and ``sitemap.xml`` when the base
URL is known) and a CSV of every seat's figures. Every page is written whole; a rerun rewrites the
pages and renders only what changed. The finished folder is checked (:mod:`.check`) before the
build reports success.
"""

import datetime
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from npd_briefing import config
from npd_briefing.data import datasets
from npd_briefing.data.manifest import read_manifest
from npd_briefing.dates import long_date, parse_date
from npd_briefing.evidence.briefing import member_contact_url
from npd_briefing.exceptions import OutputError, SiteOptionError
from npd_briefing.files import write_output
from npd_briefing.letters.salutation import address_line
from npd_briefing.pipeline.batch import BatchResult, render_all
from npd_briefing.pipeline.request import MAX_SENDER_CHARS, output_stem
from npd_briefing.pipeline.selection import NATIONS
from npd_briefing.seats.resolve import Seat, default_resolver
from npd_briefing.site import drafts, pages
from npd_briefing.site.check import NOT_FOUND_PAGE, SITEMAP, check_site, report
from npd_briefing.site.figures import figures_csv, local_picture, seat_figures
from npd_briefing.site.lookup import write_lookup

BRIEFINGS_DIR = "briefings"
SEATS_DIR = "seats"
STATIC_DIR = "static"
CSV_NAME = "seat-figures.csv"
# The national annex PDF, which every batch copies into its folder: linked from every seat page and
# attached to every email draft.
NATIONAL_ANNEX = config.ANNEX_FILE
# The curated tables the site's pages draw on, listed on the methodology page.
SITE_TABLES = ("seats", "seat_la_weights", "la_lineage", "la_ap", "pupils", "postcode_ranges")


@dataclass
class SiteResult:
    """The briefings batch, and what was built around it."""

    batch: BatchResult
    index_path: Path | None = None
    seat_pages: int = 0
    with_briefing: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 2 if self.problems else self.batch.exit_code


def national_annex(briefings: Path) -> Path | None:
    path = briefings / NATIONAL_ANNEX
    return path if path.is_file() else None


def _write(path: Path, payload: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {path.parent}: {exc.strerror or exc}") from None
    write_output(path, payload)


def _copy_static(out_dir: Path) -> None:
    for source in sorted((config.SITE_TEMPLATES_DIR / "static").iterdir()):
        if source.is_file():
            _write(out_dir / STATIC_DIR / source.name, source.read_bytes())


def _download(path: Path | None, href: str) -> dict | None:
    return None if path is None else {"href": href, "size": pages.file_size(path.stat().st_size)}


def _index_groups(seats: list[Seat]) -> list[dict]:
    nations = []
    for nation in NATIONS:
        in_nation = [seat for seat in seats if seat.nation == nation]
        regions = sorted({seat.region for seat in in_nation})
        nations.append(
            {
                "name": nation,
                "regions": [
                    {
                        "name": region,
                        "seats": [
                            {
                                "name": seat.name,
                                "name_cy": seat.name_cy if seat.name_cy != seat.name else "",
                                "page": f"{output_stem(seat)}.html",
                            }
                            for seat in sorted(in_nation, key=lambda seat: seat.name)
                            if seat.region == region
                        ],
                    }
                    for region in regions
                ],
            }
        )
    return nations


def _seat_page(
    renderer: pages.Pages, seat: Seat, figures: dict, picture, briefings: Path, day, path: str
) -> bytes:
    stem = output_stem(seat)
    pdf = briefings / f"{stem}.pdf"
    pdf = pdf if pdf.is_file() else None
    annex = national_annex(briefings)
    draft = drafts.email_draft(seat)
    attachments = [
        {"href": f"../{BRIEFINGS_DIR}/{path.name}", "name": path.name} for path in (pdf, annex) if path
    ]
    return renderer.seat(
        path=path,
        seat={
            "gss_code": seat.gss_code,
            "name": seat.name,
            "name_cy": seat.name_cy if seat.name_cy != seat.name else "",
            "nation": seat.nation,
            "region": seat.region,
            "mp": seat.mp_display_name,
            "mp_address": address_line(seat.mp_full_title),
            "party": seat.party,
            "mps_as_of": seat.mps_as_of,
            "mp_email": seat.mp_email,
            "contact_url": member_contact_url(seat),
        },
        figures=figures["local"],
        briefing=_download(pdf, f"../{BRIEFINGS_DIR}/{stem}.pdf"),
        annex=_download(annex, f"../{BRIEFINGS_DIR}/{NATIONAL_ANNEX}"),
        letter=drafts.letter_html(seat, day, picture),
        draft=draft,
        email_body=pages.email_body_html(draft["body"], draft["sender_slot"], draft["name_placeholder"]),
        draft_data={
            key: draft[key]
            for key in ("to_header", "subject_header", "body", "sender_slot", "name_placeholder")
        }
        | {"filename": f"{stem}-meeting-request.eml", "attachments": attachments},
        max_sender_chars=MAX_SENDER_CHARS,
    )


def last_check(path: str | Path | None, manifest: dict) -> str | None:
    """The day of the last refresh that found the published figures unchanged, from the record that
    ``build.py data --download --strict --check-record FILE`` wrote; None when it checked other data."""
    if path is None:
        return None
    expected = '{"checked": "YYYY-MM-DD", "data_version": "..."} as `build.py data --check-record` writes it'
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        checked = datetime.date.fromisoformat(record["checked"])
        version = record["data_version"]
    except FileNotFoundError:
        raise SiteOptionError(f"--check-record {path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        raise SiteOptionError(f"--check-record {path}: not a check record; expected {expected}") from None
    if not isinstance(version, str) or checked > datetime.date.today():
        raise SiteOptionError(f"--check-record {path}: not a check record; expected {expected}")
    if version != manifest.get("data_version"):
        print(
            f"check record {path} is for data version {version}, not {manifest.get('data_version')}: "
            "the pages give the date of the data's own sources",
            file=sys.stderr,
        )
        return None
    return checked.isoformat()


def _currency(seats: list[Seat], figures: dict[str, dict], manifest: dict, checked: str | None) -> dict:
    """Which census the newest figures come from (as the seat pages print it), and when the data was
    last checked against its sources: the newest date any source was retrieved, or a later refresh that
    found nothing to change (``checked``)."""
    local = next(figures[seat.gss_code]["local"] for seat in seats if figures[seat.gss_code]["local"])
    retrieved = [
        source["retrieved"]
        for resource in manifest["resources"]
        for source in resource["sources"]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.get("retrieved", ""))
    ] + ([checked] if checked else [])
    return {
        "census": local["census"],
        "academic_year": local["academic_year"],
        "checked": long_date(max(retrieved)) if retrieved else "an unrecorded date",
        "checked_iso": max(retrieved, default=""),
    }


def _changes(renderer: pages.Pages, manifest: dict, currency: dict) -> bytes:
    """The newest change-log entry's report, when it is the last check's: a check that found nothing
    either logs an entry with no changes or none at all (the sources' retrieval dates then moved on
    past the newest entry), and the page says "no change since" the last report."""
    changelog = manifest.get("changelog", [])
    reports = [entry for entry in changelog if entry.get("changes")]
    newest = changelog[-1] if changelog else None
    current = newest is not None and newest.get("changes") and newest["date"] >= currency["checked_iso"]
    return renderer.changes(
        report={"date": long_date(newest["date"]), "changes": newest["changes"]} if current else None,
        unchanged_since=long_date(reports[-1]["date"]) if reports else "the data was first built",
    )


def _sitemap(urls: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    ).encode()


def _robots(sitemap_url: str | None) -> bytes:
    """Every page may be indexed; crawlers read robots.txt only at a host's root, so under a sub-path
    the sitemap is found through the host's own robots.txt or given to search engines by hand."""
    return ("User-agent: *\nAllow: /\n" + (f"Sitemap: {sitemap_url}\n" if sitemap_url else "")).encode()


def _methodology(renderer: pages.Pages, seats: list[Seat], figures: dict[str, dict], manifest: dict) -> bytes:
    local = next(figures[seat.gss_code]["local"] for seat in seats if figures[seat.gss_code]["local"])
    resources = [datasets.resource(name) for name in SITE_TABLES]
    changelog = manifest.get("changelog", [])
    return renderer.methodology(
        latest_census=f"{local['census']} ({local['academic_year']})",
        rate_census=f"{local['rate_census']} ({local['rate_academic_year']})",
        rate_denominator=local["rate_denominator"],
        seat_estimate_method=local["seat_estimate_method"],
        mps_as_of=max(seat.mps_as_of for seat in seats),
        tables=resources,
        data_date=changelog[-1]["date"] if changelog else "unknown",
        data_version=datasets.data_version(),
        manifest_sha256=hashlib.sha256(config.MANIFEST_PATH.read_bytes()).hexdigest(),
    )


def build_site(
    *,
    out_dir: str | Path = config.SITE_OUT_DIR,
    only: str | list[str] | None = None,
    nation: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    date: str | None = None,
    base_url: str | None = None,
    check_record: str | Path | None = None,
) -> SiteResult:
    """Render missing or stale briefings (``only``/``nation`` choose which, as for ``build.py all``),
    then write every page, the lookup file and the CSV into ``out_dir``, and check the folder. Every
    seat gets a page; a seat whose briefing is not there yet says so on its page. ``base_url`` is the
    address the site will be published at, for canonical links, share tags and the sitemap;
    ``check_record`` a refresh's record of the day it last found these figures unchanged."""
    site_url = pages.base_url(base_url)
    manifest = read_manifest(config.MANIFEST_PATH)
    checked = last_check(check_record, manifest)
    out_dir = Path(out_dir)
    briefings = out_dir / BRIEFINGS_DIR
    # No email drafts beside the PDFs: each seat page builds its draft in the browser, and 650 drafts that
    # each carry two PDFs would make the site too big for many hosts.
    batch = render_all(
        out_dir=briefings,
        jobs=jobs,
        only=only,
        nation=nation,
        force=force,
        formats="pdf",
        date=date,
        email_drafts=False,
    )
    result = SiteResult(batch=batch)
    if batch.interrupted_by:
        return result
    day = parse_date(date)
    seats = default_resolver().seats()
    pictures = {seat.gss_code: local_picture(seat) for seat in seats}
    figures = {seat.gss_code: seat_figures(seat, pictures[seat.gss_code]) for seat in seats}
    attributions = sorted({line for name in SITE_TABLES for line in datasets.resource(name)["attribution"]})
    currency = _currency(seats, figures, manifest, checked)
    renderer = pages.Pages(
        build_date=datetime.date.today().isoformat(),
        attributions=attributions,
        csv_name=CSV_NAME,
        currency=currency,
        site_url=site_url,
    )

    _copy_static(out_dir)
    _write(out_dir / pages.SHARE_IMAGE, pages.share_image())
    lookup_name = write_lookup(out_dir)
    paths = ["", "methodology.html", "privacy.html", "changes.html"]
    for seat in seats:
        path = f"{SEATS_DIR}/{output_stem(seat)}.html"
        _write(
            out_dir / path,
            _seat_page(renderer, seat, figures[seat.gss_code], pictures[seat.gss_code], briefings, day, path),
        )
        paths.append(path)
        result.seat_pages += 1
        result.with_briefing += (briefings / f"{output_stem(seat)}.pdf").is_file()
    _write(out_dir / CSV_NAME, figures_csv(seats, figures))
    _write(out_dir / "methodology.html", _methodology(renderer, seats, figures, manifest))
    _write(out_dir / "privacy.html", renderer.privacy())
    _write(out_dir / "changes.html", _changes(renderer, manifest, currency))
    _write(out_dir / NOT_FOUND_PAGE, renderer.not_found())
    _write(out_dir / "robots.txt", _robots(renderer.url(SITEMAP)))
    if site_url:
        _write(out_dir / SITEMAP, _sitemap([renderer.url(path) for path in paths]))
    else:
        # A sitemap lists absolute addresses: without the base URL there is none (an older one would lie).
        (out_dir / SITEMAP).unlink(missing_ok=True)
    result.index_path = out_dir / "index.html"
    _write(
        result.index_path,
        renderer.index(nations=_index_groups(seats), seat_count=len(seats), lookup_name=lookup_name),
    )
    print(
        f"site: {result.seat_pages} seat pages, {result.with_briefing} with a briefing PDF"
        + ("" if site_url else "; no sitemap.xml or canonical links without --base-url")
        + f"; open {result.index_path}, or preview it with: python -m http.server -d {out_dir}",
        file=sys.stderr,
    )
    result.problems = check_site(out_dir)
    print(report(out_dir, result.problems), file=sys.stderr)
    return result
