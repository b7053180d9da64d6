"""Every curated table in ``data/``, declared once: its columns and types, the raw sources it is
derived from, the caveats that travel with it, and which outputs read it.

The build (:mod:`.curate`) derives exactly these columns and copies sources and caveats into
``data/datapackage.json``; the loaders (:mod:`.datasets`) check each file against its columns and
types; the briefing checks and cites the tables marked as used by it. Types follow the frictionless
table schema names (``string``, ``integer``, ``number``, ``boolean``); an integer column may be
blank, and blank means "no data". Caveats may hold ``{years}`` and ``{mp_changes}``, filled in from
the data at each build so that a refresh never leaves them stale.
"""

from dataclasses import dataclass

# What reads a table. "briefing": a figure in the briefing comes from it, so the briefing checks it
# before running and its sources section cites it. "seat lookup": resolving what a person typed.
# "notebooks": the research notebooks only.
BRIEFING = "briefing"
SEAT_LOOKUP = "seat lookup"
NOTEBOOKS = "notebooks"


def _columns(spec: str) -> dict[str, str]:
    """``"name year:integer"`` -> ``{"name": "string", "year": "integer"}``; string unless typed."""
    return dict((word.split(":") + ["string"])[:2] for word in spec.split())


GEOGRAPHY = "time_period:integer academic_year geographic_level region_name la_code la_gss_code la_name"
CITATION = "source_url source_title publisher source_date"
CITATION_FLAGS = "citation secondary:boolean disputed:boolean note"


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, str]
    sources: tuple[str, ...]  # ids in sources.SOURCES
    caveats: tuple[str, ...]
    used_by: frozenset[str]

    @property
    def path(self) -> str:
        return f"{self.name}.csv"


TABLES: dict[str, Table] = {table.name: table for table in (
    Table("seats", _columns("gss_code name name_cy nation region mp_display_name mp_full_title party "
                            "member_id:integer mp_email council_names mps_as_of"),
          ("dfe_mp_lookup", "mysociety_pcon_lookup"), (
              "Join on GSS code, not on name.",
              "MPs as of the date in mps_as_of; {mp_changes}.",
              "mp_email is blank where the source has none.",
          ), frozenset({BRIEFING, SEAT_LOOKUP})),
    Table("seat_la_weights", _columns("gss_code seat_name nation la_code la_gss_code la_name "
                                      "share_of_seat_pop:number share_of_la_pop:number share_of_seat_area:number "
                                      "shares_incomplete:boolean weights_note"),
          ("seat_la_overlap",), (
              "Shares come from mySociety's rough 2019 population estimate apportioned to postcodes.",
              "Three seats' shares sum to less than 1 (shares_incomplete): Hexham, West Dunbartonshire, "
              "Clwyd East.",
              "la_code is the DfE 3-digit number, set only for England.",
          ), frozenset({BRIEFING})),
    Table("la_lineage", _columns("la_code la_name predecessor_la_code predecessor_la_name "
                                 "first_time_period:integer note"),
          ("la_codes_by_year",), (
              "Boundary changes between 2017/18 and the 2024 map; earlier figures for a successor LA are "
              "its predecessor's.",
          ), frozenset({BRIEFING})),
    Table("la_ap", _columns(f"{GEOGRAPHY} measure pupils:integer"),
          ("ap_census_totals", "ap_counts_by_provision", "school_ap_placement", "la_codes_by_year"), (
              "la_funded_ap_pupils counts pupils (not placements) in LA-funded AP, AP census, January.",
              "state_funded_ap_school_pupils is from a DfE dashboard's intermediate data, not an EES file.",
              "school_arranged_ap_pupils exists only from 2022/23.",
              "An LA missing in a year had no figure published for that year.",
              "la_gss_code is the latest ONS code of the LA number (Gateshead, Northumberland, "
              "Buckinghamshire changed code).",
          ), frozenset({BRIEFING})),
    Table("school_arranged_ap_reasons", _columns(f"{GEOGRAPHY} placement_reason pupils:integer"),
          ("school_ap_placement", "la_codes_by_year"), (
              "School-census reasons for school-arranged AP, {years}; not the AP-census reason for "
              "placement in LA-funded AP collected from January 2018.",
              "Blank pupils means suppressed (c) or not applicable (z) in the source; a reason with no row "
              "for an LA was not published for it.",
          ), frozenset({BRIEFING})),
    Table("pupils", _columns(f"{GEOGRAPHY} pupils_state_funded:integer pupils_sf_nursery_primary_secondary:integer"),
          ("pupil_headcounts", "la_codes_by_year"), (
              "pupils_state_funded is derived from rounded shares (error about 0.003% for England).",
              "Pupils are counted in the LA where their school is, not where they live.",
          ), frozenset({BRIEFING})),
    Table("npd_facts", _columns(f"fact_id fact value unit period_or_as_at {CITATION} source_type {CITATION_FLAGS}"),
          ("npd_key_facts",), (
              "Typed in by hand from public pages; citation says how direct the source is; secondary and "
              "disputed rows are marked.",
          ), frozenset({BRIEFING})),
    Table("npd_release_counts", _columns(f"count_id measure breakdown value:number unit period {CITATION} "
                                         f"{CITATION_FLAGS}"),
          ("npd_release_counts",), (
              "Counts are mostly defenddigitalme's, made from the DfE register; superseded police and Home "
              "Office figures are marked disputed.",
          ), frozenset({BRIEFING})),
    Table("npd_named_releases", _columns(f"release_id date year:integer organisation sector tier identifying "
                                         f"purpose status {CITATION} {CITATION_FLAGS}"),
          ("npd_named_releases",), (
              "Named in FOI threads and campaign posts; dates are register dates whose meaning is not stated.",
              "status separates releases from a rejected application and DSAP applications with no outcome.",
          ), frozenset({BRIEFING})),
    Table("ap_reason_categories", _columns("category source_url source_title source_date citation "
                                           "secondary:boolean note"),
          ("ap_reason_categories",), (
              "The official 2018 list of eight reasons for placement was not found in the sources at hand.",
          ), frozenset({NOTEBOOKS})),
    Table("ap_reason_counts", _columns(f"reason time_period geography value:number unit collection setting_type "
                                       f"{CITATION} citation secondary:boolean note"),
          ("ap_reason_counts",), (
              "Mixed sources: Schools Week percentages (secondary), EES previews, school-census counts.",
          ), frozenset({NOTEBOOKS})),
    Table("postcode_ranges", _columns("range_start:integer gss_code"),
          ("mysociety_postcode_ranges", "mysociety_pcon_lookup"), (
              "Great Britain only: Northern Ireland (BT) postcodes are not covered.",
              "A range lookup cannot tell whether a single postcode exists; the resolver validates format "
              "and district first.",
          ), frozenset({SEAT_LOOKUP})),
)}


def used_by(*outputs: str) -> tuple[str, ...]:
    """The tables any of ``outputs`` reads, in the data package's order."""
    return tuple(name for name, table in TABLES.items() if table.used_by & set(outputs))


def columns(name: str) -> dict[str, str]:
    return TABLES[name].columns
