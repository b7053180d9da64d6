"""The AP figures the notebooks and briefings show, computed from the curated tables only.

Counts are pupils in local-authority-funded AP (AP census, January), counted by the authority that
funds the placement. Rates are those pupils per 10,000 pupils in the same authority's state-funded
schools (school census, same January), given only for years whose headcount the pack holds. The
small-numbers rule: no rate or rank from fewer than ``MIN_COUNT_FOR_RATE`` pupils, and a rate from
fewer than ``RELIABLE_COUNT`` is marked unreliable.
"""

import dataclasses
import difflib
from dataclasses import dataclass, field

import pandas as pd

from npd_briefing import caches
from npd_briefing.data import datasets
from npd_briefing.dates import academic_year, academic_years, january
from npd_briefing.exceptions import ParameterError
from npd_briefing.text import fold_name, quoted

MIN_COUNT_FOR_RATE = 10
RELIABLE_COUNT = 30
NUMERATOR = "pupils in local-authority-funded alternative provision (AP census)"
RATE_DENOMINATOR = (
    "pupils in state-funded schools in the same local authority and January (school "
    "census; derived from DfE's published headcount and rounded phase shares; pupils are "
    "counted where their school is)"
)
RATE_UNIT = "per 10,000 pupils in state-funded schools"
FUNDING_CAVEAT = (
    "Pupils are counted by the local authority that funds the placement. This may not be where the "
    "child lives or goes to school."
)
SMALL_NUMBERS_RULE = (
    f"No rate or rank is given from fewer than {MIN_COUNT_FOR_RATE} pupils. A rate from "
    f"fewer than {RELIABLE_COUNT} pupils is marked unreliable."
)
SEAT_ESTIMATE_METHOD = (
    "The estimate for the seat shares out each local authority's count by the share of the "
    "authority's population living in the seat (mySociety's 2019 population overlap). It is an "
    "approximation, not a published figure."
)


def measure_series(
    measure: str, geographic_level: str = "National", la_code: str | None = None, region: str | None = None
) -> pd.DataFrame:
    """Pupils by year for England, a region or an LA (columns academic_year, time_period, pupils)."""
    return _measure_series(measure, geographic_level, la_code, region).copy()


@caches.per_process
def _measure_series(
    measure: str, geographic_level: str, la_code: str | None, region: str | None
) -> pd.DataFrame:
    if la_code is not None and region is None and la_code in _series_by_la(measure, geographic_level):
        return _series_by_la(measure, geographic_level)[la_code]
    ap = datasets.load("la_ap")
    rows = ap[(ap["measure"] == measure) & (ap["geographic_level"] == geographic_level)]
    if la_code is not None:
        rows = rows[rows["la_code"] == la_code]
    if region is not None:
        rows = rows[rows["region_name"] == region]
    return rows[SERIES_COLUMNS].sort_values("time_period").reset_index(drop=True)


SERIES_COLUMNS = ["time_period", "academic_year", "pupils"]


@caches.per_process
def _series_by_la(measure: str, geographic_level: str) -> dict[str, pd.DataFrame]:
    """Every LA's series of one measure, split once: a page or kernel asks for hundreds of them."""
    ap = datasets.load("la_ap")
    rows = ap[(ap["measure"] == measure) & (ap["geographic_level"] == geographic_level)]
    return {
        code: frame[SERIES_COLUMNS].sort_values("time_period").reset_index(drop=True)
        for code, frame in rows.groupby("la_code", sort=False)
    }


@caches.per_process
def latest_year(measure: str = "la_funded_ap_pupils") -> int:
    ap = datasets.load("la_ap")
    return int(ap.loc[ap["measure"] == measure, "time_period"].max())


@caches.per_process
def latest_rate_year() -> int:
    """The newest January with both an England AP count and an England pupil denominator.

    After a refresh the AP census may run a year ahead of the denominators; rates then stay at
    the last year both exist, while counts show the newest year.
    """
    ap = datasets.load("la_ap")
    ap = ap[
        (ap["measure"] == "la_funded_ap_pupils")
        & (ap["geographic_level"] == "National")
        & ap["pupils"].notna()
    ]
    pupils = datasets.load("pupils")
    pupils = pupils[(pupils["geographic_level"] == "National") & pupils["pupils_state_funded"].notna()]
    return int(max(set(ap["time_period"]) & set(pupils["time_period"])))


@caches.per_process
def la_rates(time_period: int | None = None) -> pd.DataFrame:
    """LA-funded AP pupils per 10,000 state-funded pupils in one January, for England, the regions and
    every LA with both figures.

    The small-numbers rule: an LA with fewer than ``MIN_COUNT_FOR_RATE`` pupils gets no rate and no
    rank; a rate from fewer than ``RELIABLE_COUNT`` is marked ``unreliable``. Ranks (1 = highest
    rate) are among the LAs that have a rate; ``of_las`` says how many that is. Computed once per
    process and shared: callers must not change the frame.
    """
    time_period = time_period or latest_rate_year()
    ap = datasets.load("la_ap")
    ap = ap[(ap["measure"] == "la_funded_ap_pupils") & (ap["time_period"] == time_period)]
    pupils = datasets.load("pupils")
    pupils = pupils[pupils["time_period"] == time_period]
    keys = ["geographic_level", "region_name", "la_code"]
    merged = ap.merge(pupils[keys + ["pupils_state_funded"]], on=keys, how="left")
    las = merged["geographic_level"] == "Local authority"
    too_few = las & (merged["pupils"].fillna(0) < MIN_COUNT_FOR_RATE)
    rate = (merged["pupils"] / merged["pupils_state_funded"] * 10_000).astype("Float64")
    merged["rate_per_10000"] = rate.mask(too_few)
    merged["unreliable"] = las & ~too_few & (merged["pupils"] < RELIABLE_COUNT)
    ranked = merged.loc[las & merged["rate_per_10000"].notna(), "rate_per_10000"]
    merged["rank"] = ranked.rank(ascending=False, method="min").astype("Int64")
    merged["of_las"] = int(ranked.notna().sum())
    return merged[
        [
            "time_period",
            "academic_year",
            "geographic_level",
            "region_name",
            "la_code",
            "la_name",
            "pupils",
            "pupils_state_funded",
            "rate_per_10000",
            "unreliable",
            "rank",
            "of_las",
        ]
    ]


@dataclass(frozen=True)
class Rate:
    """One January's rate for an area, with its numerator and denominator."""

    time_period: int
    area: str  # whose figures: the LA's own, or its predecessor's
    la_code: str  # the DfE number of ``area`` ("" for England and the regions)
    pupils: int  # numerator: pupils in LA-funded AP (AP census)
    denominator: int  # pupils in the area's state-funded schools (school census)
    per_10000: float | None  # None: too few pupils for a rate (the small-numbers rule)
    unreliable: bool
    rank: int | None
    of_las: int


def _rate(row: pd.Series, area: str) -> Rate:
    value = row["rate_per_10000"]
    return Rate(
        time_period=int(row["time_period"]),
        area=area,
        la_code=str(row["la_code"]),
        pupils=int(row["pupils"]),
        denominator=int(row["pupils_state_funded"]),
        per_10000=None if pd.isna(value) else float(value),
        unreliable=bool(row["unreliable"]),
        rank=None if pd.isna(row["rank"]) else int(row["rank"]),
        of_las=int(row["of_las"]),
    )


@dataclass(frozen=True)
class Trend:
    """An authority's first and newest published counts, and the years between with no figure."""

    first_year: str
    first_pupils: int
    last_year: str
    last_pupils: int
    missing_years: tuple[str, ...]

    @property
    def change(self) -> float:
        return (self.last_pupils - self.first_pupils) / self.first_pupils


@dataclass
class LocalAuthorityFigures:
    """One LA a seat lies in: its newest count, its trend, its rate (its predecessor's where it did
    not yet exist in the rate year) and notes saying what is missing or whose figures are shown."""

    la_code: str
    la_name: str
    share_of_seat_pop: float
    share_of_la_pop: float
    la_funded: pd.DataFrame  # every year published, predecessor years marked in ``area``
    pupils: int | None  # newest census, the LA's own figure
    ap_school_pupils: int | None  # state-funded AP schools, the newest year of that series
    rate: Rate | None
    trend: Trend | None
    notes: list[str] = field(default_factory=list)


@dataclass
class LocalPicture:
    """What a briefing says about an English seat's local AP figures, and from which census."""

    gss_code: str
    region: str
    census_year: int  # newest AP census with figures by LA
    ap_school_year: int  # newest school census with state-funded AP school pupils by LA
    rate_year: int  # newest January with both AP counts and pupil headcounts
    authorities: list[LocalAuthorityFigures]
    england_rate: Rate
    region_rate: Rate | None
    england_pupils: int | None
    seat_estimate: float | None
    weights_note: str

    @property
    def rate_academic_year(self) -> str:
        return academic_year(self.rate_year)

    @property
    def notes(self) -> list[str]:
        """Every authority's notes, each said once."""
        return list(dict.fromkeys(note for a in self.authorities for note in a.notes))

    @property
    def trend_gaps(self) -> list[str]:
        """Years within the authorities' trends with no figure, each said once."""
        return list(
            dict.fromkeys(year for a in self.authorities if a.trend for year in a.trend.missing_years)
        )


def _series_for(measure: str, la_code: str, predecessors: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """An LA's series; years before it existed come from its predecessor(s), summed, and say so."""
    own = measure_series(measure, "Local authority", la_code=la_code).assign(area="own")
    notes = []
    if len(predecessors):
        first = int(predecessors["first_time_period"].iloc[0])
        frames = [
            measure_series(measure, "Local authority", la_code=code)
            for code in predecessors["predecessor_la_code"]
        ]
        earlier = (
            pd.concat(frames)
            .groupby(["time_period", "academic_year"], as_index=False)["pupils"]
            .sum(min_count=1)
        )
        earlier = earlier[(earlier["time_period"] < first) & ~earlier["time_period"].isin(own["time_period"])]
        if len(earlier):
            names = " and ".join(predecessors["predecessor_la_name"])
            notes.append(
                f"Figures before {academic_year(first)} are for {names}. {predecessors['note'].iloc[0]}"
            )
            own = pd.concat([earlier.assign(area="predecessor"), own], ignore_index=True)
    return own.sort_values("time_period").reset_index(drop=True), notes


def _at(series: pd.DataFrame, time_period: int) -> int | None:
    """The count for one year of a series, or None where it was not published."""
    rows = series[series["time_period"] == time_period]
    return None if rows.empty or pd.isna(rows["pupils"].iloc[0]) else int(rows["pupils"].iloc[0])


def _own_at(series: pd.DataFrame, time_period: int) -> int | None:
    return _at(series[series["area"] == "own"], time_period)


def _trend(la_funded: pd.DataFrame) -> Trend | None:
    """First to newest published LA-funded AP count; None with fewer than two years or a first of 0."""
    published = la_funded.dropna(subset=["pupils"])
    if len(published) < 2 or published["pupils"].iloc[0] <= 0:
        return None
    first, last = published.iloc[0], published.iloc[-1]
    missing = tuple(
        academic_year(year)
        for year in academic_years(first["time_period"], last["time_period"])
        if year not in set(published["time_period"])
    )
    return Trend(
        str(first["academic_year"]),
        int(first["pupils"]),
        str(last["academic_year"]),
        int(last["pupils"]),
        missing,
    )


def _authority(row, year: int, ap_year: int, rate_year: int) -> LocalAuthorityFigures:
    """One LA's figures in one seat: the LA's own (worked out once) with the seat's population shares."""
    figures = _authority_figures(row.la_code, row.la_name, year, ap_year, rate_year)
    return dataclasses.replace(
        figures,
        share_of_seat_pop=float(row.share_of_seat_pop),
        share_of_la_pop=float(row.share_of_la_pop),
        notes=list(figures.notes),
    )


@caches.per_process
def _authority_figures(
    la_code: str, la_name: str, year: int, ap_year: int, rate_year: int
) -> LocalAuthorityFigures:
    """An LA's figures, the same in every seat it lies in (an LA lies in up to a dozen), with no shares
    yet: computed once per process and shared, so callers copy it with the seat's shares."""
    lineage = datasets.load("la_lineage")
    predecessors = lineage[lineage["la_code"] == la_code]
    la_funded, series_notes = la_series("la_funded_ap_pupils", la_code)
    ap_schools, _ = la_series("state_funded_ap_school_pupils", la_code)
    notes = list(series_notes)
    rates = la_rates(rate_year)
    la_rate_rows = rates[rates["geographic_level"] == "Local authority"]
    rate_row, area = la_rate_rows[la_rate_rows["la_code"] == la_code], la_name
    if rate_row.empty and len(predecessors):
        candidates = la_rate_rows[la_rate_rows["la_code"].isin(predecessors["predecessor_la_code"])]
        if len(candidates) == 1:
            rate_row, area = candidates, str(candidates["la_name"].iloc[0])
            notes.append(
                f"{la_name} did not exist in January {january(rate_year)}; its rate for that "
                f"year is {area}'s, which covered it."
            )
    rate = _rate(rate_row.iloc[0], area) if len(rate_row) == 1 else None
    if rate is not None and rate.per_10000 is None:
        notes.append(
            f"{area} had fewer than {MIN_COUNT_FOR_RATE} pupils in LA-funded AP in January "
            f"{january(rate_year)}: too few for a rate or a rank."
        )
    count = _own_at(la_funded, year)
    if count is None:
        notes.append(
            f"No figure for {la_name} is published for {academic_year(year)} (January {january(year)})."
        )
    return LocalAuthorityFigures(
        la_code=la_code,
        la_name=la_name,
        share_of_seat_pop=float("nan"),
        share_of_la_pop=float("nan"),
        la_funded=la_funded,
        pupils=count,
        ap_school_pupils=_own_at(ap_schools, ap_year),
        rate=rate,
        trend=_trend(la_funded),
        notes=notes,
    )


@caches.per_process
def _english_seat_weights() -> dict[str, pd.DataFrame]:
    """Each English seat's rows of LA weights, with the seat's region, split once for the 543 seats."""
    weights = datasets.load("seat_la_weights")
    weights = weights[weights["nation"] == "England"].merge(
        datasets.load("seats")[["gss_code", "region"]], on="gss_code", how="left", validate="many_to_one"
    )
    return {code: rows for code, rows in weights.groupby("gss_code", sort=False)}


def local_picture(gss_code: str) -> LocalPicture | None:
    """The local AP figures for an English seat; None for seats outside England (no data there)."""
    weights = _english_seat_weights().get(gss_code)
    if weights is None:
        return None
    year, ap_year, rate_year = latest_year(), latest_year("state_funded_ap_school_pupils"), latest_rate_year()
    rates = la_rates(rate_year)
    region = weights["region"].iloc[0]
    authorities = [_authority(row, year, ap_year, rate_year) for row in weights.itertuples(index=False)]
    region_row = rates[(rates["geographic_level"] == "Regional") & (rates["region_name"] == region)]
    # An estimate needs each LA's own newest count, and shares that cover the whole seat.
    counts_known = all(a.pupils is not None for a in authorities)
    estimate = (
        sum(a.pupils * a.share_of_la_pop for a in authorities)
        if counts_known and not weights["shares_incomplete"].any()
        else None
    )
    return LocalPicture(
        gss_code=gss_code,
        region=region,
        census_year=year,
        ap_school_year=ap_year,
        rate_year=rate_year,
        authorities=authorities,
        england_rate=_rate(rates[rates["geographic_level"] == "National"].iloc[0], "England"),
        region_rate=_rate(region_row.iloc[0], region) if len(region_row) else None,
        england_pupils=_at(measure_series("la_funded_ap_pupils"), year),
        seat_estimate=estimate,
        weights_note=weights["weights_note"].iloc[0],
    )


@caches.per_process
def la_series(measure: str, la_code: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """One LA's series for a measure, years before it existed filled from its predecessors (column
    ``area`` says which), with notes saying so; the same series a briefing shows. Computed once per
    process (an LA lies in several seats) and shared: callers must not change the frame."""
    lineage = datasets.load("la_lineage")
    series, notes = _series_for(measure, la_code, lineage[lineage["la_code"] == la_code])
    return series, tuple(notes)


def local_authorities() -> pd.DataFrame:
    """Every LA in the AP data (any year), by its DfE 3-digit code, with its name and latest year."""
    ap = datasets.load("la_ap")
    las = ap[ap["geographic_level"] == "Local authority"].sort_values("time_period")
    return (
        las.groupby("la_code", as_index=False)
        .agg(
            la_name=("la_name", "last"),
            la_gss_code=("la_gss_code", "last"),
            region_name=("region_name", "last"),
            last_time_period=("time_period", "max"),
        )
        .sort_values("la_name")
        .reset_index(drop=True)
    )


def _name_forms(name: str) -> list[str]:
    """Folded ways to write an LA name: DfE's "Bristol, City of" is also "City of Bristol"."""
    forms = [fold_name(name)]
    if name.endswith(", City of"):
        forms.append(fold_name("City of " + name[: -len(", City of")]))
    return forms


def resolve_la(query: str | int) -> tuple[str, str]:
    """(la_code, la_name) for an LA name, DfE 3-digit code or ONS code, as a person types it.

    A name part that fits one LA only ("Hull") is enough. Anything else raises
    :class:`ParameterError` naming the closest LAs, so a notebook stops at once with a message a
    campaigner can act on rather than drawing an empty chart.
    """
    las = local_authorities()
    text = " ".join(str(query).split()) if query is not None else ""
    by_code = las[(las["la_code"] == text.zfill(3)) | (las["la_gss_code"].str.upper() == text.upper())]
    if text and len(by_code) == 1:
        return str(by_code["la_code"].iloc[0]), str(by_code["la_name"].iloc[0])
    forms = {
        form: (code, name) for code, name in zip(las["la_code"], las["la_name"]) for form in _name_forms(name)
    }
    wanted = fold_name(text)
    if wanted in forms:
        return forms[wanted]
    containing = list(dict.fromkeys(forms[f] for f in forms if wanted and f" {wanted} " in f" {f} "))
    if len(containing) == 1:
        return containing[0]
    close = containing + [forms[f] for f in difflib.get_close_matches(wanted, list(forms), n=5, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:6]
    hint = (
        f"closest: {'; '.join(f'{name} ({code})' for code, name in close)}"
        if close
        else "give an English local authority name (e.g. Derbyshire) or its 3-digit DfE code (e.g. 830)"
    )
    raise ParameterError(f"la = {quoted(text)} names no single local authority in the AP data; {hint}")
