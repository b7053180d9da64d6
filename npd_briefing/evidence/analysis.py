"""The figures the notebooks and briefings show, computed from the curated tables only.

Rates are pupils in local-authority-funded AP per 10,000 pupils in state-funded schools (school
census, same January), a denominator chosen because it exists for every LA and year here; its
caveats travel with it (:data:`RATE_DENOMINATOR`).
"""

import difflib
from dataclasses import dataclass, field

import pandas as pd

from npd_briefing.data import datasets
from npd_briefing.dates import academic_year, january
from npd_briefing.exceptions import ParameterError
from npd_briefing.text import fold_name, quoted

RATE_DENOMINATOR = ("pupils in state-funded schools in the same local authority and January (school "
                    "census; derived from DfE's published headcount and rounded phase shares; pupils are "
                    "counted where their school is)")
RATE_UNIT = "per 10,000 pupils in state-funded schools"
SEAT_ESTIMATE_METHOD = ("Estimated for the seat by sharing out each local authority's count in proportion "
                        "to the share of the authority's population living in the seat (mySociety's 2019 "
                        "population overlap); it is an approximation, not a published figure.")


def measure_series(measure: str, geographic_level: str = "National", la_code: str | None = None,
                   region: str | None = None) -> pd.DataFrame:
    """Pupils by year for England, a region or an LA (columns academic_year, time_period, pupils)."""
    ap = datasets.load("la_ap")
    rows = ap[(ap["measure"] == measure) & (ap["geographic_level"] == geographic_level)]
    if la_code is not None:
        rows = rows[rows["la_code"] == la_code]
    if region is not None:
        rows = rows[rows["region_name"] == region]
    return rows[["time_period", "academic_year", "pupils"]].sort_values("time_period").reset_index(drop=True)


def latest_year(measure: str = "la_funded_ap_pupils") -> int:
    ap = datasets.load("la_ap")
    return int(ap.loc[ap["measure"] == measure, "time_period"].max())


def latest_rate_year() -> int:
    """The newest January with both an England AP count and an England pupil denominator.

    After a refresh the AP census may run a year ahead of the denominators; rates then stay at
    the last year both exist, while counts show the newest year.
    """
    ap = datasets.load("la_ap")
    ap = ap[(ap["measure"] == "la_funded_ap_pupils") & (ap["geographic_level"] == "National") & ap["pupils"].notna()]
    pupils = datasets.load("pupils")
    pupils = pupils[(pupils["geographic_level"] == "National") & pupils["pupils_state_funded"].notna()]
    return int(max(set(ap["time_period"]) & set(pupils["time_period"])))


def la_rates(time_period: int | None = None) -> pd.DataFrame:
    """LA-funded AP pupils per 10,000 state-funded pupils, for every LA with both figures, ranked
    (rank 1 = highest rate). Also returns England and region rows with rank blank."""
    time_period = time_period or latest_rate_year()
    ap = datasets.load("la_ap")
    ap = ap[(ap["measure"] == "la_funded_ap_pupils") & (ap["time_period"] == time_period)]
    pupils = datasets.load("pupils")
    pupils = pupils[pupils["time_period"] == time_period]
    keys = ["geographic_level", "region_name", "la_code"]
    merged = ap.merge(pupils[keys + ["pupils_state_funded"]], on=keys, how="left")
    merged["rate_per_10000"] = (merged["pupils"] / merged["pupils_state_funded"] * 10_000).astype("Float64")
    las = merged["geographic_level"] == "Local authority"
    ranked = merged.loc[las & merged["rate_per_10000"].notna(), "rate_per_10000"]
    merged["rank"] = ranked.rank(ascending=False, method="min").astype("Int64")
    merged["of_las"] = int(ranked.notna().sum())
    return merged[["time_period", "academic_year", "geographic_level", "region_name", "la_code", "la_name",
                   "pupils", "pupils_state_funded", "rate_per_10000", "rank", "of_las"]]


@dataclass(frozen=True)
class Trend:
    """An authority's count in its first and last published years, and the change between them."""

    first_year: str
    first_pupils: int
    last_year: str
    last_pupils: int

    @property
    def change(self) -> float:
        return (self.last_pupils - self.first_pupils) / self.first_pupils


@dataclass
class LocalAuthorityFigures:
    """One LA a seat lies in, and its AP figures (its predecessor's where it did not yet exist)."""

    la_code: str
    la_name: str
    share_of_seat_pop: float
    share_of_la_pop: float
    data_la_code: str
    data_la_name: str
    la_funded: pd.DataFrame
    ap_schools: pd.DataFrame
    latest_pupils: int | None
    latest_ap_school_pupils: int | None
    latest_rate: float | None
    rank: int | None
    of_las: int
    notes: list[str] = field(default_factory=list)

    @property
    def trend(self) -> Trend | None:
        """First to last published LA-funded AP count; None with fewer than two years or a first of 0."""
        published = self.la_funded.dropna(subset=["pupils"])
        if len(published) < 2 or published["pupils"].iloc[0] <= 0:
            return None
        first, last = published.iloc[0], published.iloc[-1]
        return Trend(str(first["academic_year"]), int(first["pupils"]), str(last["academic_year"]),
                     int(last["pupils"]))


@dataclass
class LocalPicture:
    """What a briefing says about an English seat's local AP figures."""

    gss_code: str
    region: str
    time_period: int
    academic_year: str
    rate_academic_year: str
    authorities: list[LocalAuthorityFigures]
    england_rate: float
    region_rate: float | None
    england_pupils: int | None
    seat_estimate: float | None
    weights_note: str


def _series_for(measure: str, la_code: str, predecessors: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """An LA's series; years before it existed come from its predecessor(s), summed, and say so."""
    own = measure_series(measure, "Local authority", la_code=la_code).assign(area="own")
    notes = []
    if len(predecessors):
        first = int(predecessors["first_time_period"].iloc[0])
        frames = [measure_series(measure, "Local authority", la_code=code) for code in predecessors["predecessor_la_code"]]
        earlier = pd.concat(frames).groupby(["time_period", "academic_year"], as_index=False)["pupils"].sum(min_count=1)
        earlier = earlier[(earlier["time_period"] < first) & ~earlier["time_period"].isin(own["time_period"])]
        if len(earlier):
            names = " and ".join(predecessors["predecessor_la_name"])
            notes.append(f"Figures before {academic_year(first)} are for {names}. "
                         f"{predecessors['note'].iloc[0]}")
            own = pd.concat([earlier.assign(area="predecessor"), own], ignore_index=True)
    return own.sort_values("time_period").reset_index(drop=True), notes


def _at(series: pd.DataFrame, time_period: int) -> int | None:
    """The count for one year of a series, or None where it was not published."""
    rows = series[series["time_period"] == time_period]
    return None if rows.empty or pd.isna(rows["pupils"].iloc[0]) else int(rows["pupils"].iloc[0])


def local_picture(gss_code: str) -> LocalPicture | None:
    """The local AP figures for an English seat; None for seats outside England (no data there)."""
    weights = datasets.load("seat_la_weights")
    weights = weights[(weights["gss_code"] == gss_code) & (weights["nation"] == "England")]
    if weights.empty:
        return None
    year = latest_year()
    rates = la_rates(latest_rate_year())
    la_rate_rows = rates[rates["geographic_level"] == "Local authority"]
    lineage = datasets.load("la_lineage")
    region = datasets.load("seats").set_index("gss_code").loc[gss_code, "region"]
    authorities = []
    for row in weights.itertuples(index=False):
        predecessors = lineage[lineage["la_code"] == row.la_code]
        la_funded, notes = _series_for("la_funded_ap_pupils", row.la_code, predecessors)
        ap_schools, _ = _series_for("state_funded_ap_school_pupils", row.la_code, predecessors)
        data_code, data_name = row.la_code, row.la_name
        latest = la_rate_rows[la_rate_rows["la_code"] == row.la_code]
        if latest.empty and len(predecessors):
            candidates = la_rate_rows[la_rate_rows["la_code"].isin(predecessors["predecessor_la_code"])]
            if len(candidates) == 1:
                latest = candidates
                data_code, data_name = candidates["la_code"].iloc[0], candidates["la_name"].iloc[0]
                notes.append(f"{row.la_name} did not exist in January {january(year)}; the latest "
                             f"figures are for {data_name}, which covered it.")
        count = _at(la_funded, year)
        if count is None:
            notes.append(f"No figure was published for {row.la_name} for {academic_year(year)}.")
        pick = latest.iloc[0] if len(latest) == 1 else None
        authorities.append(LocalAuthorityFigures(
            la_code=row.la_code, la_name=row.la_name, share_of_seat_pop=float(row.share_of_seat_pop),
            share_of_la_pop=float(row.share_of_la_pop), data_la_code=data_code, data_la_name=data_name,
            la_funded=la_funded, ap_schools=ap_schools, latest_pupils=count,
            latest_ap_school_pupils=_at(ap_schools, year),
            latest_rate=None if pick is None or pd.isna(pick["rate_per_10000"]) else float(pick["rate_per_10000"]),
            rank=None if pick is None or pd.isna(pick["rank"]) else int(pick["rank"]),
            of_las=int(rates["of_las"].iloc[0]), notes=notes))
    england_rate = rates[rates["geographic_level"] == "National"].iloc[0]
    region_row = rates[(rates["geographic_level"] == "Regional") & (rates["region_name"] == region)]
    # An estimate needs each LA's own count: a predecessor's count cannot be shared by the new LA's population.
    counts_known = all(a.latest_pupils is not None and a.data_la_code == a.la_code for a in authorities)
    estimate = (sum(a.latest_pupils * a.share_of_la_pop for a in authorities)
                if counts_known and not weights["shares_incomplete"].any() else None)
    return LocalPicture(
        gss_code=gss_code, region=region, time_period=year, academic_year=academic_year(year),
        rate_academic_year=str(england_rate["academic_year"]), authorities=authorities,
        england_rate=float(england_rate["rate_per_10000"]),
        region_rate=float(region_row["rate_per_10000"].iloc[0]) if len(region_row) else None,
        england_pupils=_at(measure_series("la_funded_ap_pupils"), year), seat_estimate=estimate,
        weights_note=weights["weights_note"].iloc[0])


def la_series(measure: str, la_code: str) -> tuple[pd.DataFrame, list[str]]:
    """One LA's series for a measure, years before it existed filled from its predecessors (column
    ``area`` says which), with notes saying so; the same series a briefing shows."""
    lineage = datasets.load("la_lineage")
    return _series_for(measure, la_code, lineage[lineage["la_code"] == la_code])


def local_authorities() -> pd.DataFrame:
    """Every LA in the AP data (any year), by its DfE 3-digit code, with its name and latest year."""
    ap = datasets.load("la_ap")
    las = ap[ap["geographic_level"] == "Local authority"].sort_values("time_period")
    return (las.groupby("la_code", as_index=False)
               .agg(la_name=("la_name", "last"), la_gss_code=("la_gss_code", "last"),
                    region_name=("region_name", "last"), last_time_period=("time_period", "max"))
               .sort_values("la_name").reset_index(drop=True))


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
    forms = {form: (code, name) for code, name in zip(las["la_code"], las["la_name"])
             for form in _name_forms(name)}
    wanted = fold_name(text)
    if wanted in forms:
        return forms[wanted]
    containing = list(dict.fromkeys(forms[f] for f in forms if wanted and f" {wanted} " in f" {f} "))
    if len(containing) == 1:
        return containing[0]
    close = containing + [forms[f] for f in difflib.get_close_matches(wanted, list(forms), n=5, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:6]
    hint = (f"closest: {'; '.join(f'{name} ({code})' for code, name in close)}" if close
            else "give an English local authority name (e.g. Derbyshire) or its 3-digit DfE code (e.g. 830)")
    raise ParameterError(f"la = {quoted(text)} names no single local authority in the AP data; {hint}")
