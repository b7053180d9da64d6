"""Fetch the official files for ``python build.py data --download`` into a folder laid out like the raw one.

Only files with an established download address are fetched (with urllib; nothing is installed);
every other file the build reads is copied from the raw folder, so a download never loses a table.
Nothing is written until every fetch has succeeded; offline, the first fetch fails with one line.
``downloads.json`` beside the files records each fetch (URL, date, sha256, release), and the build
copies that record into the manifest's source entries.

Addresses, and where they were established:

- DfE "Schools, pupils and their characteristics" AP tables, from the latest release: the EES content
  API behind explore-education-statistics.service.gov.uk (its code is public in
  dfe-analytical-services/explore-education-statistics). ``publications/{slug}/title`` gives the
  publication id; ``data-set-files?publicationId=...&latestOnly=true`` lists the latest release's
  data sets; ``data-set-files/{id}/download`` returns one as CSV (the data catalogue's
  ``/data-catalogue/data-set/{id}/csv`` link redirects there). Data sets are picked by title, as
  the data catalogue shows them, so a new release needs no new ids.
- DfE's MP lookup: the raw-file URL its README gives (dfe-analytical-services/mp-lookup, branch
  main, updated automatically from the UK Parliament Members API).
- DfE external data shares (the third-party register): the GOV.UK Content API entry of its page
  lists the current spreadsheet, whose own address changes every quarter. It is saved for reading;
  no table is built from it, because its sheet layout is not established (the official layouts
  file, row L12) and the NPD release tables are typed in by hand with citations. So a failure to
  fetch it is recorded and does not stop the refresh.

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
from npd_briefing.exceptions import DataFileError
from npd_briefing.files import write_whole
from npd_briefing.data.manifest import table_csv_bytes
from npd_briefing.data.raw import CENSUS_ALIASES, all_total_rows, known_levels, read_text_csv
from npd_briefing.data.sources import DOWNLOAD_RECORD, SOURCES

DOWNLOAD_DIR = config.DATA_DIR / "downloads"  # git-ignored: the raw files are not committed, the tables are

EES_CONTENT_API = "https://content.explore-education-statistics.service.gov.uk/api"
SPC_PUBLICATION = "school-pupils-and-their-characteristics"
CENSUS_FILE = "dfe/ap/ap_placements_ap_census.csv"  # the official file; the build reads subsets of it
# Source id -> (data set title in the data catalogue, where the download is saved).
EES_DATA_SETS = {
    "ap_census_totals": ("Alternative provision - local authority funded placements - pupil counts", CENSUS_FILE),
    "school_ap_placement": ("School arranged alternative provision - by placement reason",
                            SOURCES["school_ap_placement"]["path"]),
}
MP_LOOKUP_URL = "https://raw.githubusercontent.com/dfe-analytical-services/mp-lookup/refs/heads/main/mp_lookup.csv"
REGISTER_ID = "dfe_external_data_shares"
REGISTER_CONTENT_API = "https://www.gov.uk/api/content/government/publications/dfe-external-data-shares"
REGISTER_FILE = "dfe/npd/dfe_external_data_shares.ods"

NOT_DOWNLOADED = {
    "ap_counts_by_provision": "state-funded AP school headcounts come from an intermediate file of DfE's SEND "
                              "and AP dashboard, not an EES data set",
    "pupil_headcounts": "the pupil denominators come from the same dashboard's prepared data",
    "seat_la_overlap": "derived here from mySociety and dfeR files",
    "mysociety_pcon_lookup": "a fixed 2024-boundary file",
    "mysociety_postcode_ranges": "a fixed 2024-boundary file",
    "npd_key_facts": "typed in by hand",
    "npd_release_counts": "typed in by hand",
    "npd_named_releases": "typed in by hand",
    "ap_reason_categories": "typed in by hand",
    "ap_reason_counts": "typed in by hand",
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
    raise DataFileError(f"could not download {url} ({reason}); check the internet connection, or rebuild "
                        f"from local files with `python build.py data --raw DIR`")


def fetch_json(url: str):
    try:
        return json.loads(fetch(url))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataFileError(f"{url}: the answer is not JSON; the API may have changed") from None


def _unexpected_answer() -> DataFileError:
    return DataFileError(f"{EES_CONTENT_API}: the data set list for {SPC_PUBLICATION} is not in the shape "
                         f"npd_briefing/data/download.py expects; the EES API may have changed")


def latest_data_sets(publication_slug: str) -> list[dict]:
    """The data sets of a publication's latest EES release (id, title, release, published)."""
    try:
        publication_id = fetch_json(f"{EES_CONTENT_API}/publications/{publication_slug}/title")["id"]
        found, page = [], 1
        while True:
            query = urllib.parse.urlencode({"publicationId": publication_id, "latestOnly": "true",
                                            "page": page, "pageSize": 40})
            listing = fetch_json(f"{EES_CONTENT_API}/data-set-files?{query}")
            found += listing["results"]
            if page >= listing["paging"]["totalPages"]:
                return found
            page += 1
    except (KeyError, TypeError):
        raise _unexpected_answer() from None


def _record(url: str, payload: bytes, saved_as: str, today: str, **overrides) -> dict:
    """What the manifest says of a fetched file: overrides of its SOURCES entry plus the download."""
    return {**overrides, "download_url": url, "downloaded": today,
            "download_sha256": hashlib.sha256(payload).hexdigest(), "download_file": saved_as}


def fetch_ees(data_sets: list[dict], today: str) -> tuple[dict[str, bytes], dict[str, dict]]:
    """The AP data sets of the latest SPC release, by title; and their records."""
    try:
        by_title = {d["title"].strip().lower(): d for d in data_sets}
        files, record = {}, {}
        for source_id, (title, saved_as) in EES_DATA_SETS.items():
            data_set = by_title.get(title.lower())
            if data_set is None:
                raise DataFileError(f"the latest '{SPC_PUBLICATION}' release has no data set titled '{title}' "
                                    f"(titles: {'; '.join(sorted(by_title))[:300]}); update EES_DATA_SETS in "
                                    f"npd_briefing/data/download.py")
            url = f"{EES_CONTENT_API}/data-set-files/{data_set['id']}/download"
            files[saved_as] = fetch(url)
            release = f"{data_set['publication']['title']}, {data_set['release']['title']}"
            record[source_id] = _record(url, files[saved_as], saved_as, today,
                                        title=f"{release}: {data_set['title']}", repository="", commit="",
                                        release_date=str(data_set["published"])[:10])
    except (KeyError, TypeError, AttributeError):
        raise _unexpected_answer() from None
    census = record["ap_census_totals"]
    record["la_codes_by_year"] = {**census, "title": f"LA codes by year, from {census['title']}"}
    return files, record


def fetch_register(today: str) -> tuple[dict[str, bytes], dict[str, dict]]:
    """The register spreadsheet its GOV.UK page lists now. No table is built from it, so when the page
    lists none or cannot be read, the record says why and the AP and MP refresh goes on."""
    try:
        page = fetch_json(REGISTER_CONTENT_API)
        attachments = page.get("details", {}).get("attachments", []) if isinstance(page, dict) else []
        for attachment in attachments:
            url = urllib.parse.urljoin("https://www.gov.uk/", attachment.get("url", ""))
            if url.lower().endswith(".ods"):
                payload = fetch(url)
                return {REGISTER_FILE: payload}, {REGISTER_ID: _record(
                    url, payload, REGISTER_FILE, today, title=attachment.get("title", ""),
                    release_date=str(page.get("public_updated_at", ""))[:10])}
        reason = f"{REGISTER_CONTENT_API} lists no spreadsheet"
    except DataFileError as exc:
        reason = str(exc)
    return {}, {REGISTER_ID: {"skipped": reason}}


def write_census_subsets(download_dir: Path) -> None:
    """The two files the build reads from the AP census download: its all-Total rows and the LA codes
    of each year (as dfe/PROVENANCE.md describes the derived copies in the raw folder)."""
    census = read_text_csv(download_dir / CENSUS_FILE,
                           ["time_period", "geographic_level", "region_code", "region_name", "old_la_code",
                            "new_la_code", "la_name", "number_of_pupils"], aliases=CENSUS_ALIASES)
    census = known_levels(census)
    write_whole(download_dir / SOURCES["ap_census_totals"]["path"], table_csv_bytes(all_total_rows(census)))
    las = census[census["geographic_level"].str.strip() == "Local authority"]
    codes = (las[["time_period", "region_code", "region_name", "old_la_code", "new_la_code", "la_name"]]
             .drop_duplicates().sort_values(["time_period", "old_la_code"]))
    write_whole(download_dir / SOURCES["la_codes_by_year"]["path"], table_csv_bytes(codes))


def download_all(raw_dir: Path, download_dir: Path = DOWNLOAD_DIR) -> dict[str, dict]:
    """Fetch every established file, then lay ``download_dir`` out like ``raw_dir`` (files not
    downloaded are copied from it); return the record written to ``downloads.json``."""
    raw_dir, download_dir = Path(raw_dir), Path(download_dir)
    today = date.today().isoformat()
    files, record = fetch_ees(latest_data_sets(SPC_PUBLICATION), today)
    files[SOURCES["dfe_mp_lookup"]["path"]] = fetch(MP_LOOKUP_URL)
    record["dfe_mp_lookup"] = _record(MP_LOOKUP_URL, files[SOURCES["dfe_mp_lookup"]["path"]],
                                      SOURCES["dfe_mp_lookup"]["path"], today, commit="", release_date=today)
    register_files, register_record = fetch_register(today)
    files.update(register_files)
    record.update(register_record)

    for meta in SOURCES.values():
        source, target = raw_dir / meta["path"], download_dir / meta["path"]
        if source.is_file() and not (target.is_file() and target.samefile(source)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    for saved_as, payload in files.items():
        (download_dir / saved_as).parent.mkdir(parents=True, exist_ok=True)
        write_whole(download_dir / saved_as, payload)
    write_census_subsets(download_dir)
    write_whole(download_dir / DOWNLOAD_RECORD,
                       (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode())
    return record


def summary_lines(record: dict[str, dict]) -> list[str]:
    """What ``build.py data --download`` prints before it rebuilds."""
    fetched = {entry["download_file"]: entry for entry in record.values() if "download_file" in entry}
    lines = [f"downloaded {path} from {entry['download_url']} (sha256 {entry['download_sha256'][:12]})"
             for path, entry in fetched.items()]
    lines += [f"not downloaded: {name}: {entry['skipped']}" for name, entry in record.items() if "skipped" in entry]
    lines.append(f"not downloaded, copied from --raw: {', '.join(NOT_DOWNLOADED)} (why: npd_briefing/data/download.py)")
    return lines
