"""Derive the curated tables in ``data/`` from the raw public files, and write their manifest.

``python build.py data`` runs :func:`build_data`; ``--raw DIR`` points it at another folder laid
out like ``../shared/data`` (``--download`` fills such a folder from the official releases first,
see :mod:`.download`). The raw files are never modified. Each table is written whole (temp file,
then rename) and described in ``data/datapackage.json`` with its sources, licences, release date,
sha256 and row count; what changed since the last build goes into its change log (:mod:`.changes`).

Years, LAs and MPs are never listed here: a later edition with more years or new LA numbers
builds without a code change, and the briefings show its latest year.
"""

import json
import re
from pathlib import Path

import pandas as pd

from npd_briefing import __version__, config
from npd_briefing.data.changes import describe_changes, read_tables
from npd_briefing.exceptions import DataFileError
from npd_briefing.data.manifest import write_manifest
from npd_briefing.data.postcode_ranges import decode_range_lookup
from npd_briefing.data.raw import (CENSUS_ALIASES, CENSUS_BREAKDOWNS, all_total_rows, known_levels, read_text_csv,
                                   require_rows, to_count)
from npd_briefing.dates import academic_year, year_span
from npd_briefing.data.tables import TABLES
from npd_briefing.data.sources import SOURCES, effective_sources

# LA boundary changes between 2017/18 and the 2024 constituency map (dfe/PROVENANCE.md):
# (current LA code, predecessor LA code, first year the current code publishes, note).
LA_SUCCESSIONS = [
    ("838", "835", 201920, "Dorset (835) lost Christchurch to Bournemouth, Christchurch and Poole in 2019."),
    ("839", "836", 201920, "Bournemouth, Christchurch and Poole replaced Poole (836), Bournemouth (837) "
                           "and Christchurch (part of Dorset) in 2019."),
    ("839", "837", 201920, "Bournemouth, Christchurch and Poole replaced Poole (836), Bournemouth (837) "
                           "and Christchurch (part of Dorset) in 2019."),
    ("940", "928", 202122, "North Northamptonshire and West Northamptonshire replaced Northamptonshire "
                           "(928) in April 2021."),
    ("941", "928", 202122, "North Northamptonshire and West Northamptonshire replaced Northamptonshire "
                           "(928) in April 2021."),
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
    return Path(raw_dir) / SOURCES[source_id]["path"]


def _blank_to_none(value: str) -> str:
    value = (value or "").strip()
    return "" if value.lower() in {"z", "nan", "not applicable", "no email found"} else value


def build_seats(raw_dir: Path, mps_as_of: str) -> pd.DataFrame:
    """650 seats with their current MP, joined on GSS code (never on name)."""
    mps = read_text_csv(_raw(raw_dir, "dfe_mp_lookup"),
                        ["pcon_name", "pcon_code", "member_id", "full_title", "display_as", "party_text",
                         "member_email", "la_names", "region_name", "country_name"])
    with open(_raw(raw_dir, "mysociety_pcon_lookup"), encoding="utf-8-sig") as handle:
        welsh = {entry["parlcon_2024_gss_code"]: entry.get("parlcon_2024_name_cy") or ""
                 for entry in json.load(handle).values()}
    seats = pd.DataFrame({
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
    })
    return seats.sort_values("gss_code", ignore_index=True)


def build_seat_la_weights(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """Population share of each seat in each LA; seats known to be incomplete are flagged."""
    weights = read_text_csv(_raw(raw_dir, "seat_la_overlap"),
                            ["pcon_code", "pcon_name", "country_name", "la_code", "la_code_3digit",
                             "la_name", "share_of_pcon_pop", "share_of_la_pop", "share_of_pcon_area"])
    england = weights["country_name"] == "England"
    frame = pd.DataFrame({
        "gss_code": weights["pcon_code"],
        "seat_name": weights["pcon_name"],
        "nation": weights["country_name"],
        "la_code": weights["la_code_3digit"].where(england, ""),
        "la_gss_code": weights["la_code"],
        "la_name": weights["la_name"],
        "share_of_seat_pop": pd.to_numeric(weights["share_of_pcon_pop"]),
        "share_of_la_pop": pd.to_numeric(weights["share_of_la_pop"]),
        "share_of_seat_area": pd.to_numeric(weights["share_of_pcon_area"]),
    })
    frame["shares_incomplete"] = frame["gss_code"].isin(INCOMPLETE_WEIGHT_NOTES)
    frame["weights_note"] = frame["gss_code"].map(INCOMPLETE_WEIGHT_NOTES).fillna("")
    return frame.sort_values(["gss_code", "share_of_seat_pop"], ascending=[True, False], ignore_index=True)


def latest_la_codes(raw_dir: Path) -> pd.DataFrame:
    """For each 3-digit DfE LA number, its most recent ONS code (Gateshead, Northumberland,
    Buckinghamshire changed ONS code while keeping their number) and name."""
    codes = read_text_csv(_raw(raw_dir, "la_codes_by_year"),
                          ["time_period", "old_la_code", "new_la_code", "la_name"])
    codes = codes.sort_values("time_period").groupby("old_la_code").tail(1)
    return codes.set_index("old_la_code")[["new_la_code", "la_name"]]


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
            note = (f"{note.rstrip('.')}; the AP figures here end at January {last_january}, so they are "
                    f"{names.get(old, old)}'s.")
        rows.append({"la_code": new, "la_name": names.get(new, ""), "predecessor_la_code": old,
                     "predecessor_la_name": names.get(old, ""), "first_time_period": first, "note": note})
    return pd.DataFrame(rows)


def _geography(frame: pd.DataFrame, la_codes: pd.DataFrame) -> pd.DataFrame:
    """The common geography columns, with LA ONS codes harmonised to each number's latest code."""
    level = frame["geographic_level"].str.strip()
    is_la = level == "Local authority"
    la_code = frame["old_la_code"].str.strip().where(is_la, "")
    region = frame["region_name"].str.strip().where(level != "National", "")
    return pd.DataFrame({
        "time_period": frame["time_period"].astype(int),
        "academic_year": frame["time_period"].map(academic_year),
        "geographic_level": level,
        "region_name": region.replace("England", ""),
        "la_code": la_code,
        "la_gss_code": la_code.map(la_codes["new_la_code"]).fillna(frame["new_la_code"].str.strip())
                              .where(is_la, ""),
        "la_name": frame["la_name"].str.strip().where(is_la, ""),
    })


def build_la_ap(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """Pupils in AP by LA, region and England, long format (one row per area, year and measure)."""
    geo_cols = ["time_period", "geographic_level", "region_name", "old_la_code", "new_la_code", "la_name"]
    census_path = _raw(raw_dir, "ap_census_totals")
    census = known_levels(read_text_csv(census_path, geo_cols + ["number_of_pupils"], aliases=CENSUS_ALIASES))
    census = require_rows(all_total_rows(census), census_path, f"{', '.join(CENSUS_BREAKDOWNS)} all Total")
    la_funded = _geography(census, la_codes).assign(
        measure="la_funded_ap_pupils", pupils=to_count(census["number_of_pupils"]).values)

    by_type_path = _raw(raw_dir, "ap_counts_by_provision")
    by_type = known_levels(read_text_csv(by_type_path, geo_cols + ["prov_type", "number_of_pupils_or_placements"]))
    schools = require_rows(by_type[by_type["prov_type"].str.strip() == "State-funded AP school"],
                           by_type_path, "prov_type State-funded AP school")
    ap_schools = _geography(schools, la_codes).assign(
        measure="state_funded_ap_school_pupils",
        pupils=to_count(schools["number_of_pupils_or_placements"]).values)

    placement = read_school_ap_placement(raw_dir)
    totals = require_rows(placement[(placement["characteristic_grouping"].str.strip() == "Total")
                                    & (placement["setting_type"].str.strip() == "Total")],
                          _raw(raw_dir, "school_ap_placement"), "characteristic_grouping and setting_type Total")
    school_arranged = _geography(totals, la_codes).assign(
        measure="school_arranged_ap_pupils", pupils=to_count(totals["pupils"]).values)

    frame = pd.concat([la_funded, ap_schools, school_arranged], ignore_index=True)
    order = {"National": 0, "Regional": 1, "Local authority": 2}
    frame = frame.assign(_level=frame["geographic_level"].map(order))
    frame = frame.sort_values(["measure", "time_period", "_level", "region_name", "la_code"])
    return frame.drop(columns="_level").reset_index(drop=True)


def read_school_ap_placement(raw_dir: Path) -> pd.DataFrame:
    return known_levels(read_text_csv(_raw(raw_dir, "school_ap_placement"),
                                      ["time_period", "geographic_level", "region_name", "old_la_code",
                                       "new_la_code", "la_name", "characteristic_grouping",
                                       "pupil_characteristic", "setting_type", "pupils"]))


def build_school_arranged_ap_reasons(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """School-arranged AP by placement reason (all setting types together)."""
    placement = read_school_ap_placement(raw_dir)
    reasons = placement[(placement["characteristic_grouping"].str.strip() == "Placement Reason")
                        & (placement["setting_type"].str.strip() == "Total")]
    frame = _geography(reasons, la_codes).assign(
        placement_reason=reasons["pupil_characteristic"].str.strip().values,
        pupils=to_count(reasons["pupils"]).values)
    return frame.sort_values(["time_period", "geographic_level", "region_name", "la_code",
                              "placement_reason"], ignore_index=True)


def build_pupils(raw_dir: Path, la_codes: pd.DataFrame) -> pd.DataFrame:
    """Pupils in state-funded schools by LA: the denominator for rates per 10,000 pupils."""
    heads = known_levels(read_text_csv(_raw(raw_dir, "pupil_headcounts"),
                                       ["time_period", "geographic_level", "region_name", "old_la_code",
                                        "new_la_code", "la_name", "headcount_sf_nursery_primary_secondary",
                                        "derived_headcount_state_funded_all_types"]))
    frame = _geography(heads, la_codes).assign(
        pupils_state_funded=to_count(heads["derived_headcount_state_funded_all_types"]).values,
        pupils_sf_nursery_primary_secondary=to_count(heads["headcount_sf_nursery_primary_secondary"]).values)
    return frame.sort_values(["time_period", "geographic_level", "region_name", "la_code"], ignore_index=True)


OFFICIAL_PUBLISHER = re.compile(r"^(Department for Education|UK Parliament)\b")
DISPUTED_NOTE = re.compile(r"disputed|superseded|conflict|campaign claim|not confirmed", re.IGNORECASE)


def classify_citation(publisher: str, source_type: str, note: str) -> str:
    """How directly a row's figure comes from the body that holds the data.

    official: DfE or Parliament itself; official (mirror copy): their words via a mirror site;
    anything else is secondary (research, news, campaign or FOI requester) and is shown as such.
    """
    text = f"{publisher} {source_type}".lower()
    if OFFICIAL_PUBLISHER.match(publisher or "") and "secondary citation" not in (note or "").lower():
        return "official (mirror copy)" if "mirror" in text else "official"
    for word, label in (("whatdotheyknow", "FOI requester"), ("defenddigitalme", "campaign"),
                        ("schools week", "news"), ("tes", "news"), ("computer weekly", "news"),
                        ("journal", "research"), ("ucl", "research"), ("echild", "research")):
        if word in text:
            return label
    return "secondary"


def _citations(frame: pd.DataFrame, publisher_col: str, type_col: str | None = None) -> pd.DataFrame:
    types = frame[type_col] if type_col else pd.Series("", index=frame.index)
    citation = [classify_citation(p, t, n) for p, t, n in zip(frame[publisher_col], types, frame["note"])]
    return frame.assign(citation=citation,
                        secondary=[not c.startswith("official") for c in citation],
                        disputed=frame["note"].str.contains(DISPUTED_NOTE))


def build_npd_facts(raw_dir: Path) -> pd.DataFrame:
    facts = read_text_csv(_raw(raw_dir, "npd_key_facts"), list(TABLES["npd_facts"].columns)[:10] + ["note"])
    return _citations(facts, "publisher", "source_type")[list(TABLES["npd_facts"].columns)]


def build_npd_release_counts(raw_dir: Path) -> pd.DataFrame:
    counts = read_text_csv(_raw(raw_dir, "npd_release_counts"),
                           ["count_id", "measure", "breakdown", "value", "unit", "period", "source_url",
                            "source_title", "source_publisher", "source_date", "note"])
    counts = counts.rename(columns={"source_publisher": "publisher"})
    return _citations(counts, "publisher")[list(TABLES["npd_release_counts"].columns)]


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
    releases = read_text_csv(_raw(raw_dir, "npd_named_releases"),
                             ["release_id", "date", "organisation", "sector", "tier", "identifying",
                              "purpose", "source_url", "source_title", "source_publisher", "source_date",
                              "note"])
    releases = releases.rename(columns={"source_publisher": "publisher"})
    year = releases["date"].str.extract(r"^(\d{4})", expand=False)
    releases = releases.assign(year=year.fillna(""),
                               status=[release_status(p, n) for p, n in
                                       zip(releases["publisher"], releases["note"])])
    return _citations(releases, "publisher")[list(TABLES["npd_named_releases"].columns)]


def build_ap_reason_categories(raw_dir: Path) -> pd.DataFrame:
    categories = read_text_csv(_raw(raw_dir, "ap_reason_categories"),
                               ["category", "source_url", "source_title", "source_date", "note"])
    categories = categories.assign(publisher=categories["source_title"])
    return _citations(categories, "publisher")[list(TABLES["ap_reason_categories"].columns)]


def build_ap_reason_counts(raw_dir: Path) -> pd.DataFrame:
    counts = read_text_csv(_raw(raw_dir, "ap_reason_counts"),
                           ["reason", "time_period", "geography", "value", "unit", "collection",
                            "setting_type", "source_url", "source_title", "source_publisher",
                            "source_date", "note"])
    counts = counts.rename(columns={"source_publisher": "publisher"})
    return _citations(counts, "publisher")[list(TABLES["ap_reason_counts"].columns)]


def build_postcode_ranges(raw_dir: Path) -> pd.DataFrame:
    return decode_range_lookup(_raw(raw_dir, "mysociety_postcode_ranges"),
                               _raw(raw_dir, "mysociety_pcon_lookup"))


def table_caveats(name: str, frame: pd.DataFrame, sources: dict[str, dict]) -> list[str]:
    """A table's caveats with the years it covers and the MP-change note filled in."""
    mp_changes = (MP_CHANGES_IN_SNAPSHOT if "download_url" not in sources["dfe_mp_lookup"] else
                  "seats may have changed MP since July 2024; the change log lists the changes found at each "
                  "rebuild")
    years = year_span(frame["time_period"]) if TABLES[name].columns.get("time_period") == "integer" else ""
    return [caveat.format(years=years, mp_changes=mp_changes) for caveat in TABLES[name].caveats]


def build_tables(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """Every curated table, in memory, with exactly the columns its schema names."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise DataFileError(f"{raw_dir}: raw data folder not found (expected a folder laid out like "
                            f"../shared/data, with constituencies/ and dfe/)")
    codes = latest_la_codes(raw_dir)
    weights = build_seat_la_weights(raw_dir, codes)
    la_ap = build_la_ap(raw_dir, codes)
    tables = {
        "seats": build_seats(raw_dir, effective_sources(raw_dir)["dfe_mp_lookup"]["release_date"]),
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
        "postcode_ranges": build_postcode_ranges(raw_dir),
    }
    return {name: frame[list(TABLES[name].columns)] for name, frame in tables.items()}


def build_data(raw_dir: Path = config.RAW_DATA_DIR, data_dir: Path = config.DATA_DIR) -> dict:
    """Rebuild every curated table and the manifest from ``raw_dir``; return the manifest.

    The change report (rows, years, MPs, LA codes; :func:`.changes.describe_changes`) against the
    tables already in ``data_dir`` becomes the change log entry; a rebuild that changes nothing adds none.
    """
    raw_dir, data_dir = Path(raw_dir), Path(data_dir)
    tables = build_tables(raw_dir)
    sources = effective_sources(raw_dir)
    changes = describe_changes(read_tables(data_dir, tables), tables)
    caveats = {name: table_caveats(name, frame, sources) for name, frame in tables.items()}
    return write_manifest(tables, caveats, raw_dir, data_dir, pack_version=__version__, changes=changes,
                          sources=sources)
