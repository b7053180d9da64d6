"""Fetch the official files for ``python build.py data --download`` into a folder laid out like the raw one.

Only files with an established download address are fetched (with urllib; nothing is installed);
every other file the build reads is copied from the raw folder, so a download never loses a table.
Each source is fetched on its own: one that fails (a changed API, a missing data set, a timeout) is
recorded as not downloaded, with the reason, and the build uses its ``--raw`` copy; only when nothing
at all could be fetched (offline) does the download stop, in one line, writing nothing.
``downloads.json`` beside the files records each source (URL, sha256, release, ``published`` as the
service gives it, ``retrieved`` = the download date; or ``not_downloaded`` and why), and the build
copies that record into the manifest's source entries.

Addresses, and where they were established:

- DfE "Schools, pupils and their characteristics" AP tables, from the latest release: the EES Content
  API behind explore-education-statistics.service.gov.uk, read against its own source
  (dfe-analytical-services/explore-education-statistics; file and commit for each answer's shape in
  tests/data/ees_answers.py). ``GET /api/publications/{slug}/title`` answers
  ``{"publicationId", "title"}`` (``PublicationTitleDto``; before December 2025 the id was ``id``,
  still accepted); ``GET /api/data-set-files?publicationId=...&latestOnly=true&page=N&pageSize=40``
  answers ``{"results": [...], "paging": {"page", "pageSize", "totalResults", "totalPages"}}``, each
  result a ``DataSetFileSummaryViewModel`` (of which the pack reads ``id``, ``title``,
  ``publication.title``, ``release.title`` and ``published``); ``GET /api/data-set-files/{id}/download``
  returns the data set as CSV. Data sets are picked by title, as the data catalogue shows them, so a
  new release needs no new ids.
- DfE's MP lookup: the raw-file URL its README gives (dfe-analytical-services/mp-lookup, branch
  main, updated automatically from the UK Parliament Members API).
- DfE external data shares (the third-party register): the GOV.UK Content API entry of its page
  lists the current spreadsheet, whose own address changes every quarter. It is saved for reading;
  no table is built from it, because its sheet layout is not established (the official layouts
  file, row L12) and the NPD release tables are typed in by hand with citations.

Not downloaded (copied from the raw folder), because no download address was established for the
file the build reads: NOT_DOWNLOADED below says why for each.
"""

import hashlib
import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from npd_briefing import __version__, config
from npd_briefing.data.manifest import table_csv_bytes
from npd_briefing.data.raw import (
    CENSUS_ALIASES,
    all_total_rows,
    known_levels,
    read_state_funded_phases,
    read_text_csv,
)
from npd_briefing.data.sources import DOWNLOAD_RECORD, NOT_RECORDED, SOURCES
from npd_briefing.exceptions import DataFileError
from npd_briefing.files import write_whole

# git-ignored: a download is not committed, the tables built from it are
DOWNLOAD_DIR = config.DATA_DIR / "downloads"

EES_CONTENT_API = "https://content.explore-education-statistics.service.gov.uk/api"
SPC_PUBLICATION = "school-pupils-and-their-characteristics"
CENSUS_FILE = "dfe/ap/ap_placements_ap_census.csv"  # the official file; the build reads subsets of it
SCHOOL_CHARACTERISTICS_FILE = "dfe/pupils/spc_school_characteristics.csv"  # likewise, for the denominator
# Source id -> (data set title in the data catalogue, where the download is saved). Both titles are the
# live catalogue's (its pages for the pupil counts, 2017/18 to 2024/25, and the placement reasons, 2022/23
# to 2025/26).
EES_DATA_SETS = {
    "ap_census_totals": (
        "Alternative provision - local authority funded placements - pupil counts",
        CENSUS_FILE,
    ),
    "school_ap_placement": (
        "School arranged alternative provision - by placement reason",
        SOURCES["school_ap_placement"]["path"],
    ),
    # The rate denominator: its data catalogue page (2015/16 to 2025/26, national, regional, LA and
    # constituency rows); the build reads only the subset write_pupil_subset keeps.
    "spc_school_characteristics": (
        "School characteristics by age, sex and attendance pattern",
        SCHOOL_CHARACTERISTICS_FILE,
    ),
}
EES_PAGE_SIZE = 40  # the most data-set-files allows (DataSetFileListRequest: PageSize 1 to 40)
MP_LOOKUP_URL = (
    "https://raw.githubusercontent.com/dfe-analytical-services/mp-lookup/refs/heads/main/mp_lookup.csv"
)
REGISTER_ID = "dfe_external_data_shares"
REGISTER_CONTENT_API = "https://www.gov.uk/api/content/government/publications/dfe-external-data-shares"
REGISTER_FILE = "dfe/npd/dfe_external_data_shares.ods"

NOT_DOWNLOADED = {
    "ap_counts_by_provision": "state-funded AP school headcounts come from an intermediate file of DfE's SEND "
    "and AP dashboard, not an EES data set",
    "pupil_headcounts": "the same dashboard's prepared pupil headcounts; used only for years the EES data "
    "set 'School characteristics by age, sex and attendance pattern' does not cover",
    "ap_2024_25_by_la": "DfE's QA repository files for 2024/25; used only while the AP census download does "
    "not cover that year",
    "ap_2024_25_by_la_age": "as ap_2024_25_by_la",
    "ap_2024_25_by_region_age": "as ap_2024_25_by_la",
    "ap_2024_25_england_by_age": "as ap_2024_25_by_la",
    "seat_la_overlap": "derived here from mySociety and dfeR files",
    "mysociety_pcon_lookup": "a fixed 2024-boundary file",
    "mysociety_postcode_ranges": "a fixed 2024-boundary file",
    "npd_key_facts": "typed in by hand",
    "npd_release_counts": "typed in by hand",
    "npd_named_releases": "typed in by hand",
    "ap_reason_categories": "typed in by hand",
    "ap_reason_counts": "typed in by hand",
    "national_ap_figures": "typed in by hand",
}
TIMEOUT_SECONDS = 120


def fetch(url: str) -> bytes:
    """One GET, or a one-line DataFileError saying what failed and how to build without the network."""
    request = urllib.request.Request(url, headers={"User-Agent": f"npd-briefing/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        reason = f"HTTP {exc.code}"
    except OSError as exc:  # URLError, timeouts and refused connections are all OSErrors
        reason = str(getattr(exc, "reason", exc)) or exc.__class__.__name__
    raise DataFileError(
        f"could not download {url} ({reason}); check the internet connection, or rebuild "
        f"from local files with `python build.py data --raw DIR`"
    )


def fetch_json(url: str):
    try:
        return json.loads(fetch(url))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataFileError(f"{url}: the answer is not JSON; the API may have changed") from None


def _unexpected(url: str, expected: str) -> DataFileError:
    return DataFileError(
        f"{url}: the answer has no {expected}; the EES API may have changed (see "
        f"npd_briefing/data/download.py)"
    )


def publication_id(publication_slug: str) -> str:
    """The publication's id from ``publications/{slug}/title``: ``publicationId`` (since December 2025),
    or ``id`` (before)."""
    url = f"{EES_CONTENT_API}/publications/{publication_slug}/title"
    answer = fetch_json(url)
    found = (answer.get("publicationId") or answer.get("id")) if isinstance(answer, dict) else None
    if not isinstance(found, str) or not found:
        raise _unexpected(url, "publicationId")
    return found


def latest_data_sets(publication_slug: str) -> list[dict]:
    """The data sets of a publication's latest EES release, every page of them."""
    found_id = publication_id(publication_slug)
    found, page = [], 1
    while True:
        query = urllib.parse.urlencode(
            {"publicationId": found_id, "latestOnly": "true", "page": page, "pageSize": EES_PAGE_SIZE}
        )
        url = f"{EES_CONTENT_API}/data-set-files?{query}"
        listing = fetch_json(url)
        try:
            found += list(listing["results"])
            total_pages = int(listing["paging"]["totalPages"])
        except (KeyError, TypeError, ValueError):
            raise _unexpected(url, "results and paging.totalPages") from None
        if page >= total_pages:
            return found
        page += 1


def _record(url: str, payload: bytes, saved_as: str, today: str, **overrides) -> dict:
    """What the manifest says of a fetched file: overrides of its SOURCES entry plus the download."""
    return {
        **overrides,
        "download_url": url,
        "retrieved": today,
        "download_sha256": hashlib.sha256(payload).hexdigest(),
        "download_file": saved_as,
    }


def fetch_data_set(data_sets: list[dict], source_id: str, today: str) -> tuple[bytes, dict]:
    """One AP data set of the latest SPC release, picked by title, and its record."""
    title, saved_as = EES_DATA_SETS[source_id]
    by_title = {str(d.get("title", "")).strip().lower(): d for d in data_sets if isinstance(d, dict)}
    data_set = by_title.get(title.lower())
    if data_set is None:
        raise DataFileError(
            f"the latest '{SPC_PUBLICATION}' release has no data set titled '{title}' "
            f"(titles: {'; '.join(sorted(by_title))[:300]}); update EES_DATA_SETS in "
            f"npd_briefing/data/download.py"
        )
    try:
        release = f"{data_set['publication']['title']}, {data_set['release']['title']}"
        published = str(data_set["published"])[:10]
        url = f"{EES_CONTENT_API}/data-set-files/{data_set['id']}/download"
    except (KeyError, TypeError):
        raise _unexpected(
            f"{EES_CONTENT_API}/data-set-files", f"id, publication, release and published for '{title}'"
        ) from None
    payload = fetch(url)
    return payload, _record(
        url,
        payload,
        saved_as,
        today,
        title=f"{release}: {data_set['title']}",
        release=release,
        repository="",
        commit="",
        commit_date="",
        published=published,
    )


def fetch_register(today: str) -> tuple[dict[str, bytes], dict[str, dict]]:
    """The register spreadsheet its GOV.UK page lists now (no table is built from it)."""
    page = fetch_json(REGISTER_CONTENT_API)
    attachments = page.get("details", {}).get("attachments", []) if isinstance(page, dict) else []
    for attachment in attachments:
        url = urllib.parse.urljoin("https://www.gov.uk/", attachment.get("url", ""))
        if url.lower().endswith(".ods"):
            payload = fetch(url)
            return {REGISTER_FILE: payload}, {
                REGISTER_ID: _record(
                    url,
                    payload,
                    REGISTER_FILE,
                    today,
                    title=attachment.get("title", ""),
                    published=str(page.get("public_updated_at", ""))[:10] or NOT_RECORDED,
                )
            }
    raise DataFileError(f"{REGISTER_CONTENT_API} lists no spreadsheet")


def write_census_subsets(download_dir: Path) -> None:
    """The two files the build reads from the AP census download: its all-Total rows and the LA codes
    of each year (as dfe/PROVENANCE.md describes the derived copies in the raw folder)."""
    census = read_text_csv(
        download_dir / CENSUS_FILE,
        [
            "time_period",
            "geographic_level",
            "region_code",
            "region_name",
            "old_la_code",
            "new_la_code",
            "la_name",
            "number_of_pupils",
        ],
        aliases=CENSUS_ALIASES,
    )
    census = known_levels(census)
    write_whole(download_dir / SOURCES["ap_census_totals"]["path"], table_csv_bytes(all_total_rows(census)))
    las = census[census["geographic_level"].str.strip() == "Local authority"]
    codes = (
        las[["time_period", "region_code", "region_name", "old_la_code", "new_la_code", "la_name"]]
        .drop_duplicates()
        .sort_values(["time_period", "old_la_code"])
    )
    write_whole(download_dir / SOURCES["la_codes_by_year"]["path"], table_csv_bytes(codes))


def write_pupil_subset(download_dir: Path) -> None:
    """The rows the build reads from the school characteristics download: pupils in each state-funded
    phase by England, region and LA, every other breakdown at Total."""
    phases = read_state_funded_phases(download_dir / SCHOOL_CHARACTERISTICS_FILE)
    write_whole(download_dir / SOURCES["spc_school_characteristics"]["path"], table_csv_bytes(phases))


def fetch_all(today: str) -> tuple[dict[str, bytes], dict[str, dict]]:
    """Every established file, each on its own: (files by path, record by source id), a source that
    could not be fetched recorded as ``{"not_downloaded": reason}``."""
    files, record = {}, {}

    def failed(source_ids, exc: DataFileError) -> None:
        record.update({source_id: {"not_downloaded": str(exc)} for source_id in source_ids})

    try:
        data_sets = latest_data_sets(SPC_PUBLICATION)
    except DataFileError as exc:
        failed(EES_DATA_SETS, exc)
    else:
        for source_id, (_, saved_as) in EES_DATA_SETS.items():
            try:
                files[saved_as], record[source_id] = fetch_data_set(data_sets, source_id, today)
            except DataFileError as exc:
                failed([source_id], exc)
    if CENSUS_FILE in files:
        census = record["ap_census_totals"]
        record["la_codes_by_year"] = {**census, "title": f"LA codes by year, from {census['title']}"}

    mp_lookup = SOURCES["dfe_mp_lookup"]["path"]
    try:
        files[mp_lookup] = fetch(MP_LOOKUP_URL)
    except DataFileError as exc:
        failed(["dfe_mp_lookup"], exc)
    else:
        record["dfe_mp_lookup"] = _record(
            MP_LOOKUP_URL,
            files[mp_lookup],
            mp_lookup,
            today,
            commit="",
            commit_date="",
            published=NOT_RECORDED,
        )

    try:
        register_files, register_record = fetch_register(today)
    except DataFileError as exc:
        failed([REGISTER_ID], exc)
    else:
        files.update(register_files)
        record.update(register_record)
    return files, record


def download_all(raw_dir: Path, download_dir: Path = DOWNLOAD_DIR, strict: bool = False) -> dict[str, dict]:
    """Fetch every established file, then lay ``download_dir`` out like ``raw_dir`` (files not
    downloaded, or that failed, are copied from it); return the record written to ``downloads.json``.
    When nothing could be fetched, stop with the first reason and write nothing; with ``strict`` (the
    scheduled refresh), stop so when any source could not be fetched, naming each one."""
    raw_dir, download_dir = Path(raw_dir), Path(download_dir)
    if not raw_dir.is_dir():
        raise DataFileError(
            f"{raw_dir}: raw data folder not found; the files with no download address are copied from it "
            f"(give it with --raw DIR)"
        )
    files, record = fetch_all(date.today().isoformat())
    failed = {name: entry["not_downloaded"] for name, entry in record.items() if "not_downloaded" in entry}
    if not files:
        raise DataFileError(next(iter(failed.values())))
    if strict and failed:
        raise DataFileError("; ".join(f"source {name}: {reason}" for name, reason in failed.items()))

    for meta in (meta for meta in SOURCES.values() if not meta.get("in_checkout")):
        source, target = raw_dir / meta["path"], download_dir / meta["path"]
        if source.is_file() and not (target.is_file() and target.samefile(source)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for saved_as, payload in files.items():
        (download_dir / saved_as).parent.mkdir(parents=True, exist_ok=True)
        write_whole(download_dir / saved_as, payload)
    if CENSUS_FILE in files:
        write_census_subsets(download_dir)
    if SCHOOL_CHARACTERISTICS_FILE in files:
        write_pupil_subset(download_dir)
    write_whole(
        download_dir / DOWNLOAD_RECORD, (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode()
    )
    return record


def failure_lines(record: dict[str, dict]) -> list[str]:
    """One line per source that could not be fetched, for the change report."""
    return [
        f"not downloaded: {name}: {entry['not_downloaded']} (built from the --raw copy)"
        for name, entry in record.items()
        if "not_downloaded" in entry
    ]


def summary_lines(record: dict[str, dict]) -> list[str]:
    """What ``build.py data --download`` prints before it rebuilds."""
    fetched = {entry["download_file"]: entry for entry in record.values() if "download_file" in entry}
    lines = [
        f"downloaded {path} from {entry['download_url']} (sha256 {entry['download_sha256'][:12]})"
        for path, entry in fetched.items()
    ]
    lines += failure_lines(record)
    lines.append(
        f"not downloaded, copied from --raw: {', '.join(NOT_DOWNLOADED)} (why: npd_briefing/data/download.py)"
    )
    return lines
