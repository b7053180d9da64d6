"""Where each raw input comes from, as its PROVENANCE.md records it.

This is metadata about sources (publisher, licence, commit, release date), never a figure. The
build copies it into ``data/datapackage.json`` beside each curated table it derives, updated with
what ``build.py data --download`` recorded for the files it fetched (:func:`effective_sources`).
"""

import json
from pathlib import Path

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


def _transcribed(file_name: str, title: str, licences: list[str]) -> dict:
    """A table typed in by hand from public pages (dfe/npd/): each row carries its own citation."""
    return {"path": f"dfe/npd/{file_name}", "title": title, "publisher": "Various (each row names its own source)",
            "repository": "", "commit": "", "url": "", "licences": licences, "release_date": "2026-11-28"}


SOURCES: dict[str, dict] = {
    "dfe_mp_lookup": {
        "path": "constituencies/dfe_mp_lookup.csv",
        "title": "DfE MP lookup (current MPs, constituencies and local authorities)",
        "publisher": "Department for Education (data from UK Parliament Members API and ONS)",
        "repository": "dfe-analytical-services/mp-lookup",
        "commit": "793ea661826202d050e95291e6f64021ce6c94d1",
        "url": "https://github.com/dfe-analytical-services/mp-lookup",
        "licences": [OPL, OGL],
        "release_date": "2026-06-27",
    },
    "mysociety_pcon_lookup": {
        "path": "constituencies/mysociety_pcon_2024_lookup.json",
        "title": "mySociety 2025-constituencies: constituency names and codes",
        "publisher": "mySociety",
        "repository": "mysociety/2025-constituencies",
        "commit": "a0b99a674f0b92e6a0c82ecc609bd2f1fd19681c",
        "url": "https://github.com/mysociety/2025-constituencies",
        "licences": [CC_BY_MYSOCIETY],
        "release_date": "2024-07-02",
    },
    "mysociety_postcode_ranges": {
        "path": "constituencies/mysociety_pcon_2024_postcode_range_lookup.json",
        "title": "mySociety 2025-constituencies: postcode range lookup (GB, mid-2024 Code-Point Open)",
        "publisher": "mySociety (built from OS Code-Point Open)",
        "repository": "mysociety/2025-constituencies",
        "commit": "a0b99a674f0b92e6a0c82ecc609bd2f1fd19681c",
        "url": "https://github.com/mysociety/2025-constituencies",
        "licences": [CC_BY_MYSOCIETY, "OS/Royal Mail"],
        "release_date": "2024-07-02",
    },
    "seat_la_overlap": {
        "path": "constituencies/derived_pcon2024_to_la_overlap_weights.csv",
        "title": "Constituency to DfE local authority population overlap weights (derived from "
                 "mySociety PARL25 x LAD23 overlaps and the dfeR geography hierarchy)",
        "publisher": "mySociety; Department for Education (dfeR); ONS",
        "repository": "mysociety/2025-constituencies; dfe-analytical-services/dfeR",
        "commit": "c1e5e55ff605b1802ee5133c20ddb8a6458db5eb; f54528a11ccc7f8b4e582146ac19535f23e41b94",
        "url": "https://github.com/mysociety/2025-constituencies",
        "licences": [CC_BY_MYSOCIETY, OGL],
        "release_date": "2023-08-10",
    },
    "ap_census_totals": {
        "path": "dfe/ap/derived_ap_census_la_funded_pupils_totals_2017-18_to_2022-23.csv",
        "title": "Schools, pupils and their characteristics 2022/23: pupils in local-authority-funded "
                 "alternative provision (AP census), all-Total rows",
        "publisher": "Department for Education",
        "repository": "dfe-analytical-services/SEND-AP-Inclusion-Dashboard",
        "commit": "1b3c1267506bc8aefe403ea61cdfb9d17ec0feb6",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/"
               "school-pupils-and-their-characteristics",
        "licences": [OGL],
        "release_date": "2023-06",
    },
    "ap_counts_by_provision": {
        "path": "dfe/ap/derived_ap_counts_by_provision_type_la_2017-18_to_2022-23.csv",
        "title": "DfE SEND and AP inclusion dashboard: AP counts by provision type and LA "
                 "(state-funded AP school headcounts from the school census)",
        "publisher": "Department for Education",
        "repository": "dfe-analytical-services/SEND-AP-Inclusion-Dashboard",
        "commit": "1b3c1267506bc8aefe403ea61cdfb9d17ec0feb6",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/"
               "school-pupils-and-their-characteristics",
        "licences": [OGL],
        "release_date": "2024-01-09",
    },
    "school_ap_placement": {
        "path": "dfe/ap/spc_school_ap_placement.csv",
        "title": "Schools, pupils and their characteristics 2022/23: pupils in school-arranged "
                 "alternative provision by placement reason (school census)",
        "publisher": "Department for Education",
        "repository": "dfe-analytical-services/SEND-AP-Inclusion-Dashboard",
        "commit": "1b3c1267506bc8aefe403ea61cdfb9d17ec0feb6",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/"
               "school-pupils-and-their-characteristics",
        "licences": [OGL],
        "release_date": "2023-06",
    },
    "la_codes_by_year": {
        "path": "dfe/reference/la_codes_by_year_from_ap_census.csv",
        "title": "LA codes by year, from the AP census file (boundary changes)",
        "publisher": "Department for Education",
        "repository": "dfe-analytical-services/SEND-AP-Inclusion-Dashboard",
        "commit": "1b3c1267506bc8aefe403ea61cdfb9d17ec0feb6",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/"
               "school-pupils-and-their-characteristics",
        "licences": [OGL],
        "release_date": "2023-06",
    },
    "pupil_headcounts": {
        "path": "dfe/pupils/la_pupil_headcount_sen_in_england_2017_18_to_2022_23.csv",
        "title": "Pupils in state-funded schools by LA (school census, January), via DfE's SEND and "
                 "AP inclusion dashboard (Special educational needs in England, sen_phase_type)",
        "publisher": "Department for Education",
        "repository": "dfe-analytical-services/SEND-AP-Inclusion-Dashboard",
        "commit": "1b3c1267506bc8aefe403ea61cdfb9d17ec0feb6",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/"
               "special-educational-needs-in-england",
        "licences": [OGL],
        "release_date": "2024-01-09",
    },
    "npd_key_facts": _transcribed("npd_key_facts_transcribed.csv",
                       "NPD key facts, transcribed by hand with a citation on every row",
                       [OGL, OPL, TRANSCRIPTION]),
    "npd_release_counts": _transcribed("npd_release_counts_transcribed.csv",
                       "NPD third-party release counts, transcribed by hand with a citation on every row",
                       [OGL, OPL, TRANSCRIPTION]),
    "npd_named_releases": _transcribed("npd_named_releases_transcribed.csv",
                       "Named releases of NPD data to third parties, transcribed by hand with citations",
                       [TRANSCRIPTION]),
    "ap_reason_categories": _transcribed("ap_census_reason_categories_transcribed.csv",
                       "AP census reasons for placement named in public sources, transcribed",
                       [TRANSCRIPTION]),
    "ap_reason_counts": _transcribed("ap_reason_counts_transcribed.csv",
                       "AP placement reason counts and shares, transcribed with citations",
                       [OGL, TRANSCRIPTION]),
}


def effective_sources(raw_dir: Path) -> dict[str, dict]:
    """SOURCES, updated with what the download recorded for the files it fetched into ``raw_dir``
    (download URL, date and sha256, release title and date), so the manifest says where they came from."""
    path = Path(raw_dir) / DOWNLOAD_RECORD
    if not path.is_file():
        return SOURCES
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: not valid JSON ({exc}); download again with "
                            f"`python build.py data --download`") from None
    return {sid: {**meta, **record.get(sid, {})} for sid, meta in SOURCES.items()}
