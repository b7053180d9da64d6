"""Derive the curated tables in ``data/`` from the raw public files, and write their manifest.

``python build.py data`` runs :func:`build_data`; ``--raw DIR`` points it at another folder laid
out like ``raw/`` (``--download`` fills such a folder from the official releases first,
see :mod:`.download`). The raw files are never modified. Each table is written whole (temp file,
then rename) and described in ``data/datapackage.json`` with its sources (their publication and
retrieval dates), licences, sha256 and row count, and the manifest's data version; what changed since
the last build goes into its change log (:mod:`.changes`).

Years, LAs and MPs are never listed here: a later edition with more years or new LA numbers
builds without a code change, and the briefings show its latest year.
"""

import json
from pathlib import Path

import pandas as pd

from npd_briefing import __version__, config
from npd_briefing.data.changes import describe_changes, read_tables
from npd_briefing.data.citation_file import CITATION_FILE, write_citation
from npd_briefing.data.citations import drop_unsupported_periods, with_citations
from npd_briefing.data.manifest import write_manifest
from npd_briefing.data.postcode_ranges import decode_range_lookup
from npd_briefing.data.raw import (
    CENSUS_ALIASES,
    CENSUS_BREAKDOWNS,
    PLACE_COLUMNS,
    STATE_FUNDED_PHASES,
    all_total_rows,
    known_levels,
    read_state_funded_phases,
    read_text_csv,
    require_rows,
    to_count,
)
from npd_briefing.data.sources import SOURCES, effective_sources, raw_file
from npd_briefing.data.tables import TABLES
from npd_briefing.dates import academic_year, year_span
from npd_briefing.exceptions import DataFileError

# LA boundary changes between 2017/18 and the 2024 constituency map (dfe/PROVENANCE.md):
# (current LA code, predecessor LA code, first year the current code publishes, note).
LA_SUCCESSIONS = [
    ("838", "835", 201920, "Dorset (835) lost Christchurch to Bournemouth, Christchurch and Poole in 2019."),
    (
        "839",
        "836",
        201920,
        "Bournemouth, Christchurch and Poole replaced Poole (836), Bournemouth (837) "
        "and Christchurch (part of Dorset) in 2019.",
    ),
    (
        "839",
        "837",
        201920,
        "Bournemouth, Christchurch and Poole replaced Poole (836), Bournemouth (837) "
        "and Christchurch (part of Dorset) in 2019.",
    ),
    (
        "940",
        "928",
        202122,
        "North Northamptonshire and West Northamptonshire replaced Northamptonshire (928) in April 2021.",
    ),
    (
        "941",
        "928",
        202122,
        "North Northamptonshire and West Northamptonshire replaced Northamptonshire (928) in April 2021.",
    ),
    ("942", "909", 202324, "Cumberland and Westmorland and Furness replaced Cumbria (909) in April 2023."),
    ("943", "909", 202324, "Cumberland and Westmorland and Furness replaced Cumbria (909) in April 2023."),
]

INCOMPLETE_WEIGHT_NOTES = {
    "E14001285": "About 11% of Hexham's population lies in Newcastle upon Tyne (Callerton and "
    "Throckley ward); that overlap is missing from mySociety's table, so the shares "
    "here cover only part of the seat.",
    "S14000106": "Part of West Dunbartonshire lies in Glasgow City; that overlap is missing from "
    "mySociety's table.",
    "W07000094": "Part of Clwyd East lies in Wrexham; that overlap is missing from mySociety's table.",
}

MP_CHANGES_IN_SNAPSHOT = "five seats have changed MP since July 2024"  # constituencies/PROVENANCE.md


def _raw(raw_dir: Path, source_id: str) -> Path:
    return raw_file(raw_dir, SOURCES[source_id])


def _blank_to_none(value: str) -> str:
    value = (value or "").strip()
    return "" if value.lower() in {"z", "nan", "not applicable", "no email found"} else value


def build_seats(raw_dir: Path, mps_as_of: str) -> pd.DataFrame:
    """650 seats with their current MP, joined on GSS code (never on name)."""
    mps = read_text_csv(
        _raw(raw_dir, "dfe_mp_lookup"),
        [
            "pcon_name",
            "pcon_code",
            "member_id",
            "full_title",
            "display_as",
            "party_text",
            "member_email",
            "la_names",
            "region_name",
            "country_name",
        ],
    )
    with open(_raw(raw_dir, "mysociety_pcon_lookup"), encoding="utf-8-sig") as handle:
        welsh = {
            entry["parlcon_2024_gss_code"]: entry.get("parlcon_2024_name_cy") or ""
            for entry in json.load(handle).values()
        }
    seats = pd.DataFrame(
        {
            "gss_code": mps["pcon_code"].str.strip(),
            "name": mps["pcon_name"].str.strip(),
            "name_cy": mps["pcon_code"].str.strip().map(welsh).fillna(""),
            "nation": mps["country_name"].str.strip(),
            "region": mps["region_name"].str.strip(),
            "mp_display_name": mps["display_as"].str.strip(),
            "mp_full_title": mps["full_title"].str.strip(),
            "party": mps["party_text"].str.strip(),
            "member_id": mps["member_id"].str.strip(),
            "mp_email": mps["member_email"].map(_blank_to_none),
            "council_names": mps["la_names"].map(_blank_to_none),
            "mps_as_of": mps_as_of,
        }
    )
    return seats.sort_values("gss_code", ignore_index=True)


def build_seat_la_weights(raw_dir: Path) -> pd.DataFrame:
    """Population share of each seat in each LA; seats known to be incomplete are flagged."""
    weights = read_text_csv(
        _raw(raw_dir, "seat_la_overlap"),
        [
            "pcon_code",
            "pcon_name",
            "country_name",
            "la_code",
            "la_code_3digit",
            "la_name",
            "share_of_pcon_pop",
            "share_of_la_pop",
            "share_of_pcon_area",
        ],
    )
    england = weights["country_name"] == "England"
    frame = pd.DataFrame(
        {
            "gss_code": weights["pcon_code"],
            "seat_name": weights["pcon_name"],
            "nation": weights["country_name"],
            "la_code": weights["la_code_3digit"].where(england, ""),
            "la_gss_code": weights["la_code"],
            "la_name": weights["la_name"],
            "share_of_seat_pop": pd.to_numeric(weights["share_of_pcon_pop"]),
            "share_of_la_pop": pd.to_numeric(weights["share_of_la_pop"]),
            "share_of_seat_area": pd.to_numeric(weights["share_of_pcon_area"]),
        }
    )
    frame["shares_incomplete"] = frame["gss_code"].isin(INCOMPLETE_WEIGHT_NOTES)
    frame["weights_note"] = frame["gss_code"].map(INCOMPLETE_WEIGHT_NOTES).fillna("")
    return frame.sort_values(["gss_code", "share_of_seat_pop"], ascending=[True, False], ignore_index=True)


# The seat weights give each LA's code as of 2024 (constituencies/PROVENANCE.md, file 9); a census year
# from 2023/24 on is as new, so its own codes stand (a later release may carry later codes).
WEIGHTS_CODES_AS_OF = 202324


def latest_la_codes(raw_dir: Path, weights: pd.DataFrame) -> pd.DataFrame:
    """For each 3-digit DfE LA number, its most recent ONS code and name: the AP census file's code in
    the last year it lists the LA, or the seat weights' 2024 code (mySociety LAD23 and dfeR) where that
    is newer. Gateshead, Northumberland and Buckinghamshire changed ONS code while keeping their
    number, North Yorkshire and Somerset in 2023; Cumberland and Westmorland and Furness are new
    numbers from 2023."""
    codes = read_text_csv(
        _raw(raw_dir, "la_codes_by_year"), ["time_period", "old_la_code", "new_la_code", "la_name"]
    )
    codes = codes.sort_values("time_period").groupby("old_la_code").tail(1).set_index("old_la_code")
    current = (
        weights[weights["la_code"] != ""]
        .drop_duplicates("la_code")
        .set_index("la_code")[["la_gss_code", "la_name"]]
        .rename(columns={"la_gss_code": "new_la_code"})
    )
    older = codes.index[codes["time_period"].astype(int) < WEIGHTS_CODES_AS_OF].intersection(current.index)
    codes.loc[older, "new_la_code"] = current.loc[older, "new_la_code"]
    codes = codes[["new_la_code", "la_name"]]
    return pd.concat([codes, current.drop(codes.index, errors="ignore")]).sort_index()


def build_la_lineage(la_codes: pd.DataFrame, weights: pd.DataFrame, la_ap: pd.DataFrame) -> pd.DataFrame:
    """Successor LAs and their predecessors. Until a successor has AP figures of its own, its note
    says the figures shown are its predecessor's; once an edition publishes them, they are used."""
    names = dict(zip(weights["la_code"], weights["la_name"]))
    names.update(la_codes["la_name"].to_dict())
    published = set(la_ap.loc[la_ap["geographic_level"] == "Local authority", "la_code"])
    last_january = int(la_ap["time_period"].max()) // 100 + 1
    rows = []
    for new, old, first, note in LA_SUCCESSIONS:
        if new not in published:
            note = (
                f"{note.rstrip('.')}; the AP figures here end at January {last_january}, so they are "
                f"{names.get(old, old)}'s."
            )
        rows.append(
            {
                "la_code": new,
                "la_name": names.get(new, ""),
                "predecessor_la_code": old,
                "predecessor_la_name": names.get(old, ""),
                "first_time_period": first,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def _geography(frame: pd.DataFrame, la_codes: pd.DataFrame) -> pd.DataFrame:
    """The common geography columns, with LA ONS codes harmonised to each number's latest code."""
    level = frame["geographic_level"].str.strip()
    is_la = level == "Local authority"
    la_code = frame["old_la_code"].str.strip().where(is_la, "")
    region = frame["region_name"].str.strip().where(level != "National", "")
    return pd.DataFrame(
        {
            "time_period": frame["time_period"].astype(int),
            "academic_year": frame["time_period"].map(academic_year),
            "geographic_level": level,
            "region_name": region.replace("England", ""),
            "la_code": la_code,
            "la_gss_code": la_code.map(la_codes["new_la_code"])
            .fillna(frame["new_la_code"].str.strip())
            .where(is_la, ""),
            "la_name": frame["la_name"].str.strip().where(is_la, ""),
        }
    )


def build_la_ap(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """Pupils in AP by LA, region and England, long format (one row per area, year and measure)."""
    census_path = _raw(raw_dir, "ap_census_totals")
    census = known_levels(
        read_text_csv(census_path, [*PLACE_COLUMNS, "number_of_pupils"], aliases=CENSUS_ALIASES)
    )
    census = require_rows(all_total_rows(census), census_path, f"{', '.join(CENSUS_BREAKDOWNS)} all Total")
    la_funded = _geography(census, la_codes).assign(
        measure="la_funded_ap_pupils",
        pupils=to_count(census["number_of_pupils"]).values,
        source_id="ap_census_totals",
    )
    later = la_funded_from_qa_repository(raw_dir, la_codes, set(la_funded["time_period"]))

    by_type_path = _raw(raw_dir, "ap_counts_by_provision")
    by_type = known_levels(
        read_text_csv(by_type_path, [*PLACE_COLUMNS, "prov_type", "number_of_pupils_or_placements"])
    )
    schools = require_rows(
        by_type[by_type["prov_type"].str.strip() == "State-funded AP school"],
        by_type_path,
        "prov_type State-funded AP school",
    )
    ap_schools = _geography(schools, la_codes).assign(
        measure="state_funded_ap_school_pupils",
        pupils=to_count(schools["number_of_pupils_or_placements"]).values,
        source_id="ap_counts_by_provision",
    )

    placement = read_school_ap_placement(raw_dir)
    totals = require_rows(
        placement[
            (placement["characteristic_grouping"].str.strip() == "Total")
            & (placement["setting_type"].str.strip() == "Total")
        ],
        _raw(raw_dir, "school_ap_placement"),
        "characteristic_grouping and setting_type Total",
    )
    school_arranged = _geography(totals, la_codes).assign(
        measure="school_arranged_ap_pupils",
        pupils=to_count(totals["pupils"]).values,
        source_id="school_ap_placement",
    )

    frame = pd.concat([la_funded, later, ap_schools, school_arranged], ignore_index=True)
    order = {"National": 0, "Regional": 1, "Local authority": 2}
    frame = frame.assign(_level=frame["geographic_level"].map(order))
    frame = frame.sort_values(["measure", "time_period", "_level", "region_name", "la_code"])
    return frame.drop(columns="_level").reset_index(drop=True)


def la_funded_from_qa_repository(
    raw_dir: Path, la_codes: pd.DataFrame, census_years: set[int]
) -> pd.DataFrame:
    """Pupils in LA-funded AP for the year of DfE's SPC QA repository files (2024/25, inferred: see
    sources.AP_2024_25_NOTE), for England, the regions and each LA, joined to the pack's codes on the DfE
    LA number. A year the official census file already covers is left to it. The build stops, naming the
    file, unless the LAs add up to each region and to England and match the files they were derived from.
    """
    las_path = _raw(raw_dir, "ap_2024_25_by_la")
    las = read_text_csv(
        las_path,
        [
            "time_period_inferred",
            "la_name",
            "number_of_pupils_sum_of_ages",
            "old_la_code",
            "region_name",
            "new_la_code_as_in_202223_file",
        ],
    )
    years = set(las["time_period_inferred"].str.strip())
    if len(years) != 1 or not next(iter(years)).isdigit():
        raise DataFileError(
            f"{las_path}: time_period_inferred should hold one year (e.g. 202425), not "
            f"{', '.join(sorted(years)) or 'nothing'}"
        )
    year = int(years.pop())
    if year in census_years:
        return pd.DataFrame()
    las = las.assign(
        pupils=to_count(las["number_of_pupils_sum_of_ages"]), old_la_code=las["old_la_code"].str.strip()
    )
    if (
        not las["old_la_code"].str.fullmatch(r"\d{3}").all()
        or las["old_la_code"].duplicated().any()
        or las["pupils"].isna().any()
    ):
        raise DataFileError(f"{las_path}: every row needs its own 3-digit old_la_code and a count")
    by_age = read_text_csv(_raw(raw_dir, "ap_2024_25_by_la_age"), ["la_name", "age", "la_total"])
    regions = read_text_csv(_raw(raw_dir, "ap_2024_25_by_region_age"), ["region_name", "age", "region_total"])
    england = read_text_csv(_raw(raw_dir, "ap_2024_25_england_by_age"), ["age", "national_total"])
    # The LA totals were summed from the per-age file, whose only key is the name: check they still agree.
    ages_summed = to_count(by_age["la_total"]).groupby(by_age["la_name"].str.strip()).sum()
    _same_totals(
        las_path, "the per-age LA file", las.groupby(las["la_name"].str.strip())["pupils"].sum(), ages_summed
    )
    region_totals = to_count(regions["region_total"]).groupby(regions["region_name"].str.strip()).sum()
    _same_totals(
        las_path,
        "the regional file",
        las.groupby(las["region_name"].str.strip())["pupils"].sum(),
        region_totals,
    )
    england_total = int(to_count(england["national_total"]).sum())
    if int(las["pupils"].sum()) != england_total or int(region_totals.sum()) != england_total:
        raise DataFileError(
            f"{las_path}: the LAs sum to {int(las['pupils'].sum()):,} and the regions to "
            f"{int(region_totals.sum()):,}, but the England file gives {england_total:,}"
        )
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "geographic_level": ["National"],
                    "region_name": [""],
                    "old_la_code": [""],
                    "new_la_code": [""],
                    "la_name": [""],
                    "pupils": [england_total],
                    "source_id": ["ap_2024_25_england_by_age"],
                }
            ),
            pd.DataFrame(
                {
                    "geographic_level": "Regional",
                    "region_name": region_totals.index,
                    "old_la_code": "",
                    "new_la_code": "",
                    "la_name": "",
                    "pupils": region_totals.values,
                    "source_id": "ap_2024_25_by_region_age",
                }
            ),
            las.assign(
                geographic_level="Local authority",
                new_la_code=las["new_la_code_as_in_202223_file"],
                source_id="ap_2024_25_by_la",
            ),
        ],
        ignore_index=True,
    ).assign(time_period=str(year))
    return _geography(rows, la_codes).assign(
        measure="la_funded_ap_pupils", pupils=rows["pupils"].astype("Int64"), source_id=rows["source_id"]
    )


def _same_totals(path: Path, other: str, ours: pd.Series, theirs: pd.Series) -> None:
    """Stop the build with one line when two sets of totals (by name) disagree."""
    differ = sorted(
        name for name in set(ours.index) | set(theirs.index) if ours.get(name) != theirs.get(name)
    )
    if differ:
        first = differ[0]
        raise DataFileError(
            f"{path}: totals differ from {other} for {len(differ)} area(s), e.g. {first}: "
            f"{ours.get(first, 'none')} here, {theirs.get(first, 'none')} there"
        )


def read_school_ap_placement(raw_dir: Path) -> pd.DataFrame:
    return known_levels(
        read_text_csv(
            _raw(raw_dir, "school_ap_placement"),
            [*PLACE_COLUMNS, "characteristic_grouping", "pupil_characteristic", "setting_type", "pupils"],
        )
    )


def build_school_arranged_ap_reasons(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """School-arranged AP by placement reason (all setting types together)."""
    placement = read_school_ap_placement(raw_dir)
    reasons = placement[
        (placement["characteristic_grouping"].str.strip() == "Placement Reason")
        & (placement["setting_type"].str.strip() == "Total")
    ]
    frame = _geography(reasons, la_codes).assign(
        placement_reason=reasons["pupil_characteristic"].str.strip().values,
        pupils=to_count(reasons["pupils"]).values,
    )
    return frame.sort_values(
        ["time_period", "geographic_level", "region_name", "la_code", "placement_reason"], ignore_index=True
    )


def pupils_from_phases(phases: pd.DataFrame, la_codes: pd.DataFrame) -> pd.DataFrame:
    """Both denominators from DfE's headcounts by phase: all five state-funded phases, and nursery,
    primary and secondary. A phase with no row has no pupils (not every LA has state-funded nursery or
    AP schools); a primary or secondary figure that is missing or suppressed leaves both blank."""
    phases = phases.assign(
        pupils=to_count(phases["total_pupil_count"]), phase=phases["phase_type_grouping"].str.strip()
    )
    counts = phases.set_index([*PLACE_COLUMNS, "phase"])["pupils"].unstack("phase")
    counts = counts.reindex(columns=list(STATE_FUNDED_PHASES))
    nursery, primary, secondary, special, ap = (counts[phase] for phase in STATE_FUNDED_PHASES)
    known = primary.notna() & secondary.notna()
    mainstream = (nursery.fillna(0) + primary + secondary).where(known).astype("Int64")
    state_funded = (mainstream + special.fillna(0) + ap.fillna(0)).astype("Int64")
    heads = counts.reset_index()[PLACE_COLUMNS]
    return _geography(heads, la_codes).assign(
        pupils_state_funded=state_funded.values, pupils_sf_nursery_primary_secondary=mainstream.values
    )


def build_pupils(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """Pupils in state-funded schools by LA: the denominator for rates per 10,000 pupils. DfE's
    headcounts by phase (EES, once downloaded) for every year they cover; the SEND and AP dashboard's
    prepared figures for the years before."""
    heads = known_levels(
        read_text_csv(
            _raw(raw_dir, "pupil_headcounts"),
            [
                *PLACE_COLUMNS,
                "headcount_sf_nursery_primary_secondary",
                "derived_headcount_state_funded_all_types",
            ],
        )
    )
    frame = _geography(heads, la_codes).assign(
        pupils_state_funded=to_count(heads["derived_headcount_state_funded_all_types"]).values,
        pupils_sf_nursery_primary_secondary=to_count(heads["headcount_sf_nursery_primary_secondary"]).values,
    )
    if _raw(raw_dir, "spc_school_characteristics").is_file():
        official = pupils_from_phases(
            read_state_funded_phases(_raw(raw_dir, "spc_school_characteristics")), la_codes
        )
        frame = pd.concat(
            [frame[~frame["time_period"].isin(official["time_period"])], official], ignore_index=True
        )
    return frame.sort_values(["time_period", "geographic_level", "region_name", "la_code"], ignore_index=True)


def build_npd_facts(raw_dir: Path) -> pd.DataFrame:
    facts = read_text_csv(_raw(raw_dir, "npd_key_facts"), list(TABLES["npd_facts"].columns)[:10] + ["note"])
    facts = drop_unsupported_periods("npd_facts", facts, "fact_id", "period_or_as_at")
    return with_citations("npd_facts", facts, "fact_id", "publisher", "source_type")[
        list(TABLES["npd_facts"].columns)
    ]


def build_primary_citations(raw_dir: Path) -> pd.DataFrame:
    """The project's own primary citations: where a public body's page is gone or not stored, the row
    is read in a copy (copy_url) and counts as an official figure seen through a mirror copy."""
    columns = list(TABLES["primary_citations"].columns)
    derived = ("citation", "secondary", "disputed", "citation_status")
    rows = read_text_csv(_raw(raw_dir, "primary_citations"), [c for c in columns if c not in derived])
    cited = with_citations("primary_citations", rows, "fact_id", "publisher", "source_type")
    through_copy = cited["primary_page"] != "stored"
    cited.loc[through_copy, "citation"] = "official (mirror copy)"
    return cited[columns]


def build_national_ap_figures(raw_dir: Path) -> pd.DataFrame:
    figures = read_text_csv(
        _raw(raw_dir, "national_ap_figures"), list(TABLES["national_ap_figures"].columns)[:10] + ["note"]
    )
    return with_citations("national_ap_figures", figures, "fact_id", "publisher", "source_type")[
        list(TABLES["national_ap_figures"].columns)
    ]


def build_npd_release_counts(raw_dir: Path) -> pd.DataFrame:
    counts = read_text_csv(
        _raw(raw_dir, "npd_release_counts"),
        [
            "count_id",
            "measure",
            "breakdown",
            "value",
            "unit",
            "period",
            "source_url",
            "source_title",
            "source_publisher",
            "source_date",
            "note",
        ],
    )
    counts = counts.rename(columns={"source_publisher": "publisher"})
    return with_citations("npd_release_counts", counts, "count_id", "publisher")[
        list(TABLES["npd_release_counts"].columns)
    ]


def release_status(publisher: str, note: str) -> str:
    """A register row is a release, a rejected or pending application, or one with no known outcome."""
    if "as rejected" in note.lower():
        return "rejected application"
    if "as pending" in note.lower():
        return "pending application"
    if "dsap" in publisher.lower():
        return "application (outcome not known)"
    return "release"


def build_npd_named_releases(raw_dir: Path) -> pd.DataFrame:
    releases = read_text_csv(
        _raw(raw_dir, "npd_named_releases"),
        [
            "release_id",
            "date",
            "organisation",
            "sector",
            "tier",
            "identifying",
            "purpose",
            "source_url",
            "source_title",
            "source_publisher",
            "source_date",
            "note",
        ],
    )
    releases = releases.rename(columns={"source_publisher": "publisher"})
    year = releases["date"].str.extract(r"^(\d{4})", expand=False)
    releases = releases.assign(
        year=year.fillna(""),
        status=[release_status(p, n) for p, n in zip(releases["publisher"], releases["note"])],
    )
    return with_citations(
        "npd_named_releases", releases, "release_id", "publisher", subject_col="organisation"
    )[list(TABLES["npd_named_releases"].columns)]


def build_ap_reason_categories(raw_dir: Path) -> pd.DataFrame:
    categories = read_text_csv(
        _raw(raw_dir, "ap_reason_categories"),
        ["category", "source_url", "source_title", "source_date", "note"],
    )
    categories = categories.assign(publisher=categories["source_title"])
    return with_citations(
        "ap_reason_categories", categories, "category", "publisher", subject_col="category"
    )[list(TABLES["ap_reason_categories"].columns)]


def build_ap_reason_counts(raw_dir: Path) -> pd.DataFrame:
    counts = read_text_csv(
        _raw(raw_dir, "ap_reason_counts"),
        [
            "reason",
            "time_period",
            "geography",
            "value",
            "unit",
            "collection",
            "setting_type",
            "source_url",
            "source_title",
            "source_publisher",
            "source_date",
            "note",
        ],
    )
    counts = counts.rename(columns={"source_publisher": "publisher"})
    return with_citations("ap_reason_counts", counts, "reason", "publisher")[
        list(TABLES["ap_reason_counts"].columns)
    ]


def build_postcode_ranges(raw_dir: Path) -> pd.DataFrame:
    return decode_range_lookup(
        _raw(raw_dir, "mysociety_postcode_ranges"), _raw(raw_dir, "mysociety_pcon_lookup")
    )


def _years_by_measure(la_ap: pd.DataFrame) -> str:
    """ "la_funded_ap_pupils 2017/18 to 2022/23 and 2024/25 (none for 2023/24); ...": each measure's
    years as runs, so a missing year is named rather than hidden inside a span."""
    parts = []
    for measure, rows in la_ap.groupby("measure", sort=False):
        years = sorted({int(p) for p in rows["time_period"]})
        runs = [[years[0]]]
        for year in years[1:]:
            if year == runs[-1][-1] + 101:  # 202223 -> 202324
                runs[-1].append(year)
            else:
                runs.append([year])
        text = " and ".join(
            academic_year(run[0]) if len(run) == 1 else f"{academic_year(run[0])} to {academic_year(run[-1])}"
            for run in runs
        )
        missing = [
            academic_year(year)
            for before, after in zip(runs, runs[1:])
            for year in range(before[-1] + 101, after[0], 101)
        ]
        parts.append(f"{measure} {text}" + (f" (none for {', '.join(missing)})" if missing else ""))
    return "; ".join(parts)


def table_caveats(name: str, frame: pd.DataFrame, sources: dict[str, dict]) -> list[str]:
    """A table's caveats with the years it covers and the MP-change note filled in."""
    mp_changes = (
        MP_CHANGES_IN_SNAPSHOT
        if "download_url" not in sources["dfe_mp_lookup"]
        else "seats may have changed MP since July 2024; the change log lists the changes found at each "
        "rebuild"
    )
    has_years = TABLES[name].columns.get("time_period") == "integer"
    years = year_span(frame["time_period"]) if has_years else ""
    by_measure = _years_by_measure(frame) if has_years and "measure" in frame else ""
    return [
        caveat.format(years=years, years_by_measure=by_measure, mp_changes=mp_changes)
        for caveat in TABLES[name].caveats
    ]


def mps_as_of(source: dict) -> str:
    """The date the MP list is as of: the day it was downloaded, else the snapshot's publication date."""
    return source["retrieved"] if "download_url" in source else source["published"]


def build_tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Every curated table, in memory, with exactly the columns its schema names."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataFileError(
            f"{raw_dir}: raw data folder not found (expected a folder laid out like "
            f"raw/, with constituencies/ and dfe/)"
        )
    weights = build_seat_la_weights(raw_dir)
    codes = latest_la_codes(raw_dir, weights)
    la_ap = build_la_ap(raw_dir, codes)
    tables = {
        "seats": build_seats(raw_dir, mps_as_of(effective_sources(raw_dir)["dfe_mp_lookup"])),
        "seat_la_weights": weights,
        "la_lineage": build_la_lineage(codes, weights, la_ap),
        "la_ap": la_ap,
        "school_arranged_ap_reasons": build_school_arranged_ap_reasons(raw_dir, codes),
        "pupils": build_pupils(raw_dir, codes),
        "npd_facts": build_npd_facts(raw_dir),
        "npd_release_counts": build_npd_release_counts(raw_dir),
        "npd_named_releases": build_npd_named_releases(raw_dir),
        "ap_reason_categories": build_ap_reason_categories(raw_dir),
        "ap_reason_counts": build_ap_reason_counts(raw_dir),
        "national_ap_figures": build_national_ap_figures(raw_dir),
        "primary_citations": build_primary_citations(raw_dir),
        "postcode_ranges": build_postcode_ranges(raw_dir),
    }
    return {name: frame[list(TABLES[name].columns)] for name, frame in tables.items()}


def build_data(
    raw_dir: Path = config.RAW_DATA_DIR, data_dir: Path = config.DATA_DIR, download_failures: list[str] = ()
) -> dict:
    """Rebuild every curated table and the manifest from ``raw_dir``; return the manifest.

    The change report (rows, years, MPs, LA codes; :func:`.changes.describe_changes`) against the
    tables already in ``data_dir``, with ``download_failures`` (the sources ``--download`` could not
    fetch, built from their ``--raw`` copy), becomes the change log entry; a rebuild that changes
    nothing adds none. ``CITATION.cff`` beside ``data_dir`` is rewritten with the new data version.
    """
    raw_dir, data_dir = Path(raw_dir), Path(data_dir)
    tables = build_tables(raw_dir)
    sources = effective_sources(raw_dir)
    changes = describe_changes(read_tables(data_dir, tables), tables) + list(download_failures)
    caveats = {name: table_caveats(name, frame, sources) for name, frame in tables.items()}
    manifest = write_manifest(
        tables, caveats, raw_dir, data_dir, pack_version=__version__, changes=changes, sources=sources
    )
    write_citation(data_dir.parent / CITATION_FILE, __version__, manifest["data_version"])
    return manifest
