"""Where each raw input comes from, as its PROVENANCE.md records it.

This is metadata about sources, never a figure. The build copies it into ``data/datapackage.json``
beside each curated table it derives, updated with what ``build.py data --download`` recorded for
the files it fetched (:func:`effective_sources`).

Each date field means one thing:

- ``published``: when the publisher released the figures ("2023-06"), or NOT_RECORDED where no
  publication date is known (a dashboard's intermediate data, a derived file, a file whose year is
  inferred), or PER_ROW for tables typed in by hand, whose rows each give their own source date;
- ``retrieved``: when the pack's raw copy was collected, typed in or downloaded (NOT_RECORDED where
  the raw folder's PROVENANCE.md does not say);
- ``commit_date``: for a copy read from a repository snapshot, the date of that commit (provenance,
  never a publication date unless the repository is how the publisher publishes the file).
"""

import json
import re
from pathlib import Path

from npd_briefing import config
from npd_briefing.exceptions import DataFileError

DOWNLOAD_RECORD = "downloads.json"  # written by data/download.py beside the files it fetched

OGL = "Open Government Licence v3.0"
OPL = "Open Parliament Licence v3.0"
CC_BY_MYSOCIETY = "CC-BY 4.0 (mySociety)"

ATTRIBUTIONS = {
    OGL: "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Department for Education; ONS.",
    OPL: "Contains Parliamentary information licensed under the Open Parliament Licence v3.0.",
    CC_BY_MYSOCIETY: "Constituency lookups and overlaps: mySociety 2025-constituencies, CC-BY 4.0.",
    "OS/Royal Mail": "Contains OS data © Crown copyright and database right; Royal Mail data © Royal "
    "Mail copyright and database right; National Statistics data © Crown copyright.",
}

TRANSCRIPTION = "short factual transcription with attribution"
NOT_RECORDED = "not recorded"
PER_ROW = "each row gives its own source date"

# dfe/PROVENANCE.md: "Collected on 2026-11-28"; the ap/2024-25/ files and the national AP figures were
# added on 2026-11-29. constituencies/PROVENANCE.md gives no collection date.
DFE_COLLECTED = "2026-11-28"
DFE_ADDED_LATER = "2026-11-29"

SEND_AP_DASHBOARD = {
    "repository": "dfe-analytical-services/SEND-AP-Inclusion-Dashboard",
    "commit": "1b3c1267506bc8aefe403ea61cdfb9d17ec0feb6",
    "commit_date": "2024-01-09",
    "retrieved": DFE_COLLECTED,
}
SPC_RELEASES = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "school-pupils-and-their-characteristics"
)


def _transcribed(file_name: str, title: str, licences: list[str], retrieved: str = DFE_COLLECTED) -> dict:
    """A table typed in by hand from public pages (dfe/npd/): each row carries its own citation."""
    return {
        "path": f"dfe/npd/{file_name}",
        "title": title,
        "publisher": "Various (each row names its own source)",
        "repository": "",
        "commit": "",
        "url": "",
        "licences": licences,
        "published": PER_ROW,
        "retrieved": retrieved,
    }


# DfE's own figures for January 2025, read from its SPC quality-assurance repository (dfe/PROVENANCE.md,
# "ap/2024-25/"): the files do not state their year, so every entry says how it was established.
AP_2024_25_TITLE = (
    "Pupils in local-authority-funded alternative provision (AP census) by local authority, "
    "2024/25 (January 2025; year inferred): DfE's figures as published in its SPC and SEN "
    "quality-assurance repository"
)
AP_2024_25_NOTE = (
    "The files do not state their year; it is inferred as 2024/25 (January 2025 census) because "
    "the repository's write-up and summary scripts filter time_period 202425, Derbyshire's ages "
    "sum to 732, which equals the 2024/25 Derbyshire total in EES's placement-reason data set "
    "(2023/24: 436), and Cumberland and Westmorland and Furness (new from 2023/24) are present. "
    "Upstream: the EES data set 'Alternative provision - local authority funded placements - "
    "pupil counts' (ap_placements_ap_census.csv of 'Schools, pupils and their characteristics'), "
    "rows with sex, fsm and ethnicity_minor Total, summed by LA and age. No DfE release text "
    "quoting the England total (58,450) was found."
)
AP_2024_25_REPOSITORY = "dfe-analytical-services/hackathon-2025-spc-sen-qa"


def _ap_2024_25(file_name: str, repository_file: str, commit: str) -> dict:
    return {
        "path": f"dfe/ap/2024-25/{file_name}",
        "title": AP_2024_25_TITLE,
        "publisher": "Department for Education",
        "repository": AP_2024_25_REPOSITORY,
        "commit": commit,
        "url": f"https://github.com/{AP_2024_25_REPOSITORY}",
        "licences": [OGL],
        "published": NOT_RECORDED,
        "retrieved": DFE_ADDED_LATER,
        "repository_file": repository_file,
        "note": AP_2024_25_NOTE,
    }


SOURCES: dict[str, dict] = {
    "dfe_mp_lookup": {
        "path": "constituencies/dfe_mp_lookup.csv",
        "title": "DfE MP lookup (current MPs, constituencies and local authorities)",
        "publisher": "Department for Education (data from UK Parliament Members API and ONS)",
        "repository": "dfe-analytical-services/mp-lookup",
        "commit": "793ea661826202d050e95291e6f64021ce6c94d1",
        "commit_date": "2026-06-27",
        "url": "https://github.com/dfe-analytical-services/mp-lookup",
        "licences": [OPL, OGL],
        # DfE publishes the lookup as this repository, updated automatically: the commit is the release.
        "published": "2026-06-27",
        "retrieved": NOT_RECORDED,
    },
    "mysociety_pcon_lookup": {
        "path": "constituencies/mysociety_pcon_2024_lookup.json",
        "title": "mySociety 2025-constituencies: constituency names and codes",
        "publisher": "mySociety",
        "repository": "mysociety/2025-constituencies",
        "commit": "a0b99a674f0b92e6a0c82ecc609bd2f1fd19681c",
        "commit_date": "2024-07-02",
        "url": "https://github.com/mysociety/2025-constituencies",
        "licences": [CC_BY_MYSOCIETY],
        "published": "2024-07-02",  # mySociety publishes its data package from this repository
        "retrieved": NOT_RECORDED,
    },
    "mysociety_postcode_ranges": {
        "path": "constituencies/mysociety_pcon_2024_postcode_range_lookup.json",
        "title": "mySociety 2025-constituencies: postcode range lookup (GB, mid-2024 Code-Point Open)",
        "publisher": "mySociety (built from OS Code-Point Open)",
        "repository": "mysociety/2025-constituencies",
        "commit": "a0b99a674f0b92e6a0c82ecc609bd2f1fd19681c",
        "commit_date": "2024-07-02",
        "url": "https://github.com/mysociety/2025-constituencies",
        "licences": [CC_BY_MYSOCIETY, "OS/Royal Mail"],
        "published": "2024-07-02",
        "retrieved": NOT_RECORDED,
    },
    "seat_la_overlap": {
        "path": "constituencies/derived_pcon2024_to_la_overlap_weights.csv",
        "title": "Constituency to DfE local authority population overlap weights (derived from "
        "mySociety PARL25 x LAD23 overlaps and the dfeR geography hierarchy)",
        "publisher": "mySociety; Department for Education (dfeR); ONS",
        "repository": "mysociety/2025-constituencies; dfe-analytical-services/dfeR",
        "commit": "c1e5e55ff605b1802ee5133c20ddb8a6458db5eb; f54528a11ccc7f8b4e582146ac19535f23e41b94",
        "commit_date": "2023-08-10; 2025-09-29",
        "url": "https://github.com/mysociety/2025-constituencies",
        "licences": [CC_BY_MYSOCIETY, OGL],
        "published": NOT_RECORDED,  # derived by the pack's data collector, never published as such
        "retrieved": NOT_RECORDED,
    },
    "ap_census_totals": {
        "path": "dfe/ap/derived_ap_census_la_funded_pupils_totals_2017-18_to_2022-23.csv",
        "title": "Schools, pupils and their characteristics 2022/23: pupils in local-authority-funded "
        "alternative provision (AP census), all-Total rows",
        "publisher": "Department for Education",
        **SEND_AP_DASHBOARD,
        "url": SPC_RELEASES,
        "licences": [OGL],
        "published": "2023-06",
    },
    "ap_counts_by_provision": {
        "path": "dfe/ap/derived_ap_counts_by_provision_type_la_2017-18_to_2022-23.csv",
        "title": "DfE SEND and AP inclusion dashboard: AP counts by provision type and LA "
        "(state-funded AP school headcounts from the school census)",
        "publisher": "Department for Education",
        **SEND_AP_DASHBOARD,
        "url": SPC_RELEASES,
        "licences": [OGL],
        "published": NOT_RECORDED,  # the dashboard's intermediate data, not a published EES file
    },
    "school_ap_placement": {
        "path": "dfe/ap/spc_school_ap_placement.csv",
        "title": "Schools, pupils and their characteristics 2022/23: pupils in school-arranged "
        "alternative provision by placement reason (school census)",
        "publisher": "Department for Education",
        **SEND_AP_DASHBOARD,
        "url": SPC_RELEASES,
        "licences": [OGL],
        "published": "2023-06",
    },
    "la_codes_by_year": {
        "path": "dfe/reference/la_codes_by_year_from_ap_census.csv",
        "title": "LA codes by year, from the AP census file (boundary changes)",
        "publisher": "Department for Education",
        **SEND_AP_DASHBOARD,
        "url": SPC_RELEASES,
        "licences": [OGL],
        "published": "2023-06",
    },
    "ap_2024_25_by_la": _ap_2024_25(
        "derived_la_funded_ap_pupils_by_la_2024-25.csv",
        "derived from output/la_total_spc_ap_census_age.csv: the ages summed per LA, with the DfE LA number "
        "and region added by the pack's data collector (dfe/PROVENANCE.md)",
        "ca97be6af9387e012076a116f165000a6aff09dd",
    ),
    "ap_2024_25_by_la_age": _ap_2024_25(
        "la_total_spc_ap_census_age.csv",
        "output/la_total_spc_ap_census_age.csv",
        "ca97be6af9387e012076a116f165000a6aff09dd",
    ),
    "ap_2024_25_by_region_age": _ap_2024_25(
        "regional_total_spc_ap_census_age.csv",
        "output/regional_total_spc_ap_census_age.csv",
        "ca97be6af9387e012076a116f165000a6aff09dd",
    ),
    "ap_2024_25_england_by_age": _ap_2024_25(
        "national_total_spc_ap_census_age.csv",
        "output/national_total_spc_ap_census_age.csv",
        "bcde39fb914f10aa1e8197e81612b7743e2e46af",
    ),
    "pupil_headcounts": {
        "path": "dfe/pupils/la_pupil_headcount_sen_in_england_2017_18_to_2022_23.csv",
        "title": "Pupils in state-funded schools by LA (school census, January), via DfE's SEND and "
        "AP inclusion dashboard (Special educational needs in England, sen_phase_type)",
        "publisher": "Department for Education",
        **SEND_AP_DASHBOARD,
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/"
        "special-educational-needs-in-england",
        "licences": [OGL],
        "published": NOT_RECORDED,  # the dashboard's prepared data
    },
    # Written by `build.py data --download` from the EES data set; a raw folder without it builds the
    # denominators from pupil_headcounts alone.
    "spc_school_characteristics": {
        "path": "dfe/pupils/spc_state_funded_pupils_by_phase.csv",
        "title": "Schools, pupils and their characteristics: pupils in state-funded schools by phase and "
        "LA (school census, January), from the data set 'School characteristics by age, sex and "
        "attendance pattern' (every other breakdown at Total)",
        "publisher": "Department for Education",
        "repository": "",
        "commit": "",
        "commit_date": "",
        "url": SPC_RELEASES,
        "licences": [OGL],
        "published": NOT_RECORDED,
        "retrieved": NOT_RECORDED,
        "note": "Used for every year it covers, in place of pupil_headcounts; only present once downloaded.",
    },
    "npd_key_facts": _transcribed(
        "npd_key_facts_transcribed.csv",
        "NPD key facts, transcribed by hand with a citation on every row",
        [OGL, OPL, TRANSCRIPTION],
    ),
    "npd_release_counts": _transcribed(
        "npd_release_counts_transcribed.csv",
        "NPD third-party release counts, transcribed by hand with a citation on every row",
        [OGL, OPL, TRANSCRIPTION],
    ),
    "npd_named_releases": _transcribed(
        "npd_named_releases_transcribed.csv",
        "Named releases of NPD data to third parties, transcribed by hand with citations",
        [TRANSCRIPTION],
    ),
    "ap_reason_categories": _transcribed(
        "ap_census_reason_categories_transcribed.csv",
        "AP census reasons for placement named in public sources, transcribed",
        [TRANSCRIPTION],
    ),
    "ap_reason_counts": _transcribed(
        "ap_reason_counts_transcribed.csv",
        "AP placement reason counts and shares, transcribed with citations",
        [OGL, TRANSCRIPTION],
    ),
    "national_ap_figures": _transcribed(
        "national_ap_figures_2021_to_2024_transcribed.csv",
        "National AP figures 2021 to 2024, transcribed by hand with the words quoted",
        [OGL, OPL, TRANSCRIPTION],
        retrieved=DFE_ADDED_LATER,
    ),
}


# Primary citations the project curates itself: a small CSV committed in the package, not in the raw
# folder, so ``build.py data`` reads it from the checkout whatever ``--raw`` says.
PRIMARY_CITATIONS_FILE = "npd_briefing/data/curated/primary_citations.csv"
SOURCES["primary_citations"] = {
    "path": PRIMARY_CITATIONS_FILE,
    "in_checkout": True,
    "title": "Primary sources for the national figures: the ICO's, DfE's and Parliament's own pages, "
    "curated by the project with the words that carry each figure",
    "publisher": "Various public bodies (each row names its own: ICO, DfE, UK Parliament)",
    "repository": "",
    "commit": "",
    "url": "",
    "licences": [OGL, OPL],
    "published": PER_ROW,
    "retrieved": "2026-12-04",
}


def raw_file(raw_dir: Path, meta: dict) -> Path:
    """Where a source's file is read from: the raw folder, or the checkout for the project's own files."""
    return (config.ROOT if meta.get("in_checkout") else Path(raw_dir)) / meta["path"]


def effective_sources(raw_dir: Path) -> dict[str, dict]:
    """SOURCES, updated with what the download recorded for each source into ``raw_dir`` (for a fetched
    file: URL, sha256, release title, ``published`` as the service gives it and ``retrieved`` = the
    download date; for one that failed, ``not_downloaded`` with the reason), so the manifest says where
    every file came from."""
    path = Path(raw_dir) / DOWNLOAD_RECORD
    if not path.is_file():
        return SOURCES
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(
            f"{path}: not valid JSON ({exc}); download again with `python build.py data --download`"
        ) from None
    return {sid: {**meta, **record.get(sid, {})} for sid, meta in SOURCES.items()}


# How a briefing's source line names each data file, in the House of Commons Library's style ("DfE,
# Schools, pupils and their characteristics 2022/23, June 2023"); the full record stays in the data package.
PLAIN_NAMES = {
    "dfe_mp_lookup": "DfE, MP lookup",
    "mysociety_pcon_lookup": "mySociety, 2025 constituencies",
    "mysociety_postcode_ranges": "mySociety, 2025 constituencies: postcode lookup",
    "seat_la_overlap": "mySociety, 2025 constituencies, and DfE, dfeR geography lookup: overlaps of "
    "constituencies and local authorities",
    "ap_census_totals": "DfE, Schools, pupils and their characteristics 2022/23",
    "school_ap_placement": "DfE, Schools, pupils and their characteristics 2022/23",
    "la_codes_by_year": "DfE, Schools, pupils and their characteristics 2022/23",
    "ap_counts_by_provision": "DfE, Local Area SEND and AP inclusion dashboard",
    "pupil_headcounts": "DfE, Special educational needs in England, in its SEND and AP inclusion dashboard",
    "ap_2024_25": "DfE, AP census figures for January 2025, in its SPC and SEN quality-assurance repository",
}
# When the publisher made a copy public where ``published`` is not a date: the repository's commit (DfE
# and mySociety publish these files as repositories), or for the January 2025 figures the repository's
# write-up, dated 4 September 2025 (dfe/PROVENANCE.md).
MADE_PUBLIC = {"ap_2024_25": "2025-09-04"}
DATED = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def plain_name(source: dict) -> str:
    """What a data file is, in plain words: a file downloaded from EES is named by the release it came
    from ("DfE, Schools, pupils and their characteristics 2025/26"), never by the edition the raw copy was."""
    if "download_url" in source and source.get("release"):
        return "DfE, " + re.sub(
            r",?\s*(academic|calendar|financial) year\s+", " ", source["release"], flags=re.I
        )
    key = "ap_2024_25" if source["id"].startswith("ap_2024_25") else source["id"]
    return PLAIN_NAMES.get(key, source["title"])


def source_line(source: dict) -> str:
    """One plain line for a data file: who published what, when ("DfE, ..., June 2023")."""
    from npd_briefing.dates import date_words

    key = "ap_2024_25" if source["id"].startswith("ap_2024_25") else source["id"]
    made_public = sorted([MADE_PUBLIC.get(key, ""), *source.get("commit_date", "").split("; ")])[-1][:7]
    published = source.get("published", "")
    when = date_words(published if DATED.fullmatch(published) else made_public)
    if not when and "download_url" in source:  # a file its publisher keeps current (the MP lookup)
        when = f"as of {date_words(source['retrieved'])}"
    return ", ".join(part for part in (plain_name(source), when) if part)
