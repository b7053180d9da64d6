"""Every curated table in ``data/``, declared once: its columns and types, the raw sources it is
derived from, the caveats that travel with it, and which outputs read it.

The build (:mod:`.curate`) derives exactly these columns and copies sources and caveats into
``data/datapackage.json``; the loaders (:mod:`.datasets`) check each file against its columns and
types; the briefing checks and cites the tables marked as used by it. Types follow the frictionless
table schema names (``string``, ``integer``, ``number``, ``boolean``); an integer column may be
blank, and blank means "no data". Caveats may hold ``{years}``, ``{years_by_measure}`` and
``{mp_changes}``, filled in from the data at each build so that a refresh never leaves them stale.
"""

from dataclasses import dataclass

# What reads a table; a briefing checks every table it or the annex reads before it runs, and cites
# the ones its figures come from. "briefing": any seat's briefing. "local figures": an English
# seat's local figures. "annex": the national annex. "seat lookup": resolving what a person typed.
# "notebooks": the research notebooks.
BRIEFING = "briefing"
LOCAL = "local figures"
ANNEX = "annex"
SEAT_LOOKUP = "seat lookup"
NOTEBOOKS = "notebooks"


def _columns(spec: str) -> dict[str, str]:
    """``"name year:integer"`` -> ``{"name": "string", "year": "integer"}``; string unless typed."""
    return dict((word.split(":") + ["string"])[:2] for word in spec.split())


GEOGRAPHY = "time_period:integer academic_year geographic_level region_name la_code la_gss_code la_name"
CITATION = "source_url source_title publisher source_date"
CITATION_FLAGS = "citation secondary:boolean disputed:boolean note citation_status"
# How each hand-transcribed row is cited (data/citations.py derives it from the row's own fields).
CITATION_STATUS_RULE = (
    "citation_status says what the row keeps of its source: 'address and quoted words kept' (a source "
    "URL, and the note quotes the source's words: after 'Quote:', or in quotation marks holding the "
    "row's figure or, for a named category, its words), "
    "'address kept' (a URL, no such quotation), 'title only' (no URL: the page is cited by title and "
    "publisher), 'not found in any cited page' (the note says the figure or its period was inferred, not "
    "read); a few rows are corrected by hand where their fields cannot tell (listed in "
    "npd_briefing/data/citations.py)."
)


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


TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "seats",
            _columns(
                "gss_code name name_cy nation region mp_display_name mp_full_title party "
                "member_id:integer mp_email council_names mps_as_of"
            ),
            ("dfe_mp_lookup", "mysociety_pcon_lookup"),
            (
                "Join on GSS code, not on name.",
                "MPs as of the date in mps_as_of; {mp_changes}.",
                "mp_email is blank where the source has none.",
            ),
            frozenset({BRIEFING, SEAT_LOOKUP}),
        ),
        Table(
            "seat_la_weights",
            _columns(
                "gss_code seat_name nation la_code la_gss_code la_name "
                "share_of_seat_pop:number share_of_la_pop:number share_of_seat_area:number "
                "shares_incomplete:boolean weights_note"
            ),
            ("seat_la_overlap",),
            (
                "Shares come from mySociety's rough 2019 population estimate apportioned to postcodes.",
                "Three seats' shares sum to less than 1 (shares_incomplete): Hexham, West Dunbartonshire, "
                "Clwyd East.",
                "la_code is the DfE 3-digit number, set only for England.",
            ),
            frozenset({LOCAL}),
        ),
        Table(
            "la_lineage",
            _columns(
                "la_code la_name predecessor_la_code predecessor_la_name first_time_period:integer note"
            ),
            ("la_codes_by_year",),
            (
                "Boundary changes between 2017/18 and the 2024 map; earlier figures for a successor LA are "
                "its predecessor's.",
            ),
            frozenset({LOCAL}),
        ),
        Table(
            "la_ap",
            _columns(f"{GEOGRAPHY} measure pupils:integer source_id"),
            (
                "ap_census_totals",
                "ap_2024_25_by_la",
                "ap_2024_25_by_la_age",
                "ap_2024_25_by_region_age",
                "ap_2024_25_england_by_age",
                "ap_counts_by_provision",
                "school_ap_placement",
                "la_codes_by_year",
                "seat_la_overlap",
            ),
            (
                "Years by measure: {years_by_measure}. A year missing from a measure has no figure in the "
                "sources at hand: nothing is interpolated.",
                "Each figure is a January census count: time_period 202425 is the census of January 2025. "
                "la_funded_ap_pupils is the AP census; state_funded_ap_school_pupils and "
                "school_arranged_ap_pupils are the school census.",
                "la_funded_ap_pupils counts pupils (not placements) in LA-funded AP, by the LA that funds the "
                "placement; pupils in schools are counted where their school is.",
                "source_id names the row's source in this table's sources: la_funded_ap_pupils for 2024/25 "
                "comes from DfE's figures in its SPC quality-assurance repository, whose year (2024/25) is "
                "inferred, not stated (see that source's note); a later official release covering the same "
                "year replaces them.",
                "state_funded_ap_school_pupils is from a DfE dashboard's intermediate data, not an EES file.",
                "An LA missing in a year has no figure for that year in its source (Luton: no LA-funded AP "
                "figure for 2022/23).",
                "la_gss_code is the latest ONS code of the LA number, as the seat weights give it (mySociety "
                "LAD23 and dfeR): Gateshead, Northumberland, Buckinghamshire, North Yorkshire and Somerset "
                "changed code; Barnsley's and Sheffield's 2025 codes are not applied.",
            ),
            frozenset({LOCAL, ANNEX, NOTEBOOKS}),
        ),
        Table(
            "school_arranged_ap_reasons",
            _columns(f"{GEOGRAPHY} placement_reason pupils:integer"),
            ("school_ap_placement", "la_codes_by_year", "seat_la_overlap"),
            (
                "School-census reasons for school-arranged AP, {years}; not the AP-census reason for "
                "placement in LA-funded AP collected from January 2018.",
                "Blank pupils means suppressed (c) or not applicable (z) in the source; a reason with no row "
                "for an LA was not published for it.",
            ),
            frozenset({ANNEX, NOTEBOOKS}),
        ),
        Table(
            "pupils",
            _columns(f"{GEOGRAPHY} pupils_state_funded:integer pupils_sf_nursery_primary_secondary:integer"),
            ("spc_school_characteristics", "pupil_headcounts", "la_codes_by_year", "seat_la_overlap"),
            (
                "School census headcounts, January, {years}: the rate denominator; a rate exists only for a "
                "year with a headcount here.",
                "Where the source spc_school_characteristics covers a year, both columns are DfE's headcounts "
                "summed by phase (state-funded nursery, primary, secondary, special and AP schools); for earlier "
                "years pupils_state_funded is derived from rounded shares (error about 0.003% for England).",
                "Pupils are counted in the LA where their school is, not where they live.",
                "DfE's mainstream number-on-roll scorecards are not used: they count other pupils (reception to "
                "Year 11 in mainstream schools) and are labelled a year behind their census.",
            ),
            frozenset({LOCAL, NOTEBOOKS}),
        ),
        Table(
            "npd_facts",
            _columns(f"fact_id fact value unit period_or_as_at {CITATION} source_type {CITATION_FLAGS}"),
            ("npd_key_facts",),
            (
                "Typed in by hand from public pages; citation says how direct the source is; secondary and "
                "disputed rows are marked.",
                CITATION_STATUS_RULE,
                "F13's period ('2012 to 2016') is in no cited page, so it is left blank.",
            ),
            frozenset({BRIEFING, ANNEX, NOTEBOOKS}),
        ),
        Table(
            "npd_release_counts",
            _columns(f"count_id measure breakdown value:number unit period {CITATION} {CITATION_FLAGS}"),
            ("npd_release_counts",),
            (
                "Counts are mostly defenddigitalme's, made from the DfE register; superseded police and Home "
                "Office figures are marked disputed.",
                CITATION_STATUS_RULE,
            ),
            frozenset({BRIEFING, ANNEX, NOTEBOOKS}),
        ),
        Table(
            "npd_named_releases",
            _columns(
                f"release_id date year:integer organisation sector tier identifying "
                f"purpose status {CITATION} {CITATION_FLAGS}"
            ),
            ("npd_named_releases",),
            (
                "Named in FOI threads and campaign posts; dates are register dates whose meaning is not stated.",
                "status separates releases from a rejected application and DSAP applications with no outcome.",
                CITATION_STATUS_RULE,
            ),
            frozenset({ANNEX, NOTEBOOKS}),
        ),
        Table(
            "ap_reason_categories",
            _columns(
                "category source_url source_title source_date citation secondary:boolean note citation_status"
            ),
            ("ap_reason_categories",),
            (
                "The official 2018 list of eight reasons for placement was not found in the sources at hand.",
                CITATION_STATUS_RULE,
            ),
            frozenset({BRIEFING, ANNEX, NOTEBOOKS}),
        ),
        Table(
            "ap_reason_counts",
            _columns(
                f"reason time_period geography value:number unit collection setting_type "
                f"{CITATION} citation secondary:boolean note citation_status"
            ),
            ("ap_reason_counts",),
            (
                "Mixed sources: Schools Week percentages (secondary), EES previews, school-census counts.",
                CITATION_STATUS_RULE,
            ),
            frozenset({BRIEFING, ANNEX, NOTEBOOKS}),
        ),
        Table(
            "national_ap_figures",
            _columns(f"fact_id fact value unit period_or_as_at {CITATION} source_type {CITATION_FLAGS}"),
            ("national_ap_figures",),
            (
                "National figures for 2021 to 2024 as news, Parliament and campaign pages quote them, each with "
                "the words quoted; the unit says what is counted (pupils, placements, records).",
                "N03 counts placements, not pupils; N01 (sole registration) and N04 (state-funded AP) use "
                "different definitions; N06 is defenddigitalme's figure, not DfE's.",
                CITATION_STATUS_RULE,
            ),
            frozenset({BRIEFING, ANNEX}),
        ),
        Table(
            "primary_citations",
            _columns(
                f"fact_id fact value unit period_or_as_at {CITATION} source_type primary_page copy_url "
                f"supports {CITATION_FLAGS}"
            ),
            ("primary_citations",),
            (
                "The public body's own page for a national figure or statement (ICO, DfE, UK Parliament), "
                "curated by the project with the words that carry it; supports names the row of npd_facts "
                "it confirms.",
                "primary_page says whether the body's page is stored, or was read in a copy (copy_url) "
                "because it is not stored or is gone: the ICO no longer links its 2020 audit summary, so "
                "P02 is read as Tes reported it; such rows have citation 'official (mirror copy)'.",
                CITATION_STATUS_RULE,
            ),
            frozenset({BRIEFING, ANNEX}),
        ),
        Table(
            "postcode_ranges",
            _columns("range_start:integer gss_code"),
            ("mysociety_postcode_ranges", "mysociety_pcon_lookup"),
            (
                "Great Britain only: Northern Ireland (BT) postcodes are not covered.",
                "A range lookup cannot tell whether a single postcode exists; the resolver validates format "
                "and district first.",
            ),
            frozenset({SEAT_LOOKUP}),
        ),
    )
}


def used_by(*outputs: str) -> tuple[str, ...]:
    """The tables any of ``outputs`` reads, in the data package's order."""
    return tuple(name for name, table in TABLES.items() if table.used_by & set(outputs))


def columns(name: str) -> dict[str, str]:
    return TABLES[name].columns
