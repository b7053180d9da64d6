"""The pack's charts: one function per chart, every number drawn from a row of ``data/``.

Each returns a :class:`Chart` whose ``alt`` says in words what the picture shows (with its key
numbers) and whose ``source`` names publisher, title, date and licence, marking secondary and
disputed sources, so the notebooks and briefings never have to add a figure of their own.

One look for all: Okabe–Ito colours (safe for colour-blind readers), 6.3 × 3.2 in so a chart fits
an A4 text column at full size, no text under 8 pt. Charts are plain ``Figure`` objects, not
pyplot ones: nothing is kept in pyplot's registry, so a batch that renders hundreds cannot leak
them, and a notebook shows a chart only where it calls ``display_figure``. Secondary sources are
drawn hatched and pale and disputed ones cross-hatched, with the same words in labels and alt text,
so the marks survive greyscale printing.
"""

import re
import textwrap
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from npd_briefing.data import datasets
from npd_briefing.data.sources import source_line
from npd_briefing.dates import academic_year, academic_years, january, month_names
from npd_briefing.evidence import analysis, national

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
GREY = "#8C8C8C"
PALE_GREY = "#BFBFBF"
FIGSIZE = (6.3, 3.2)
TITLE_PT, LABEL_PT, TICK_PT = 10.5, 9, 8
TITLE_WRAP = 66  # characters of bold 10.5 pt text that fit 6.3 in
LEGEND_ROW_CHARS = 95  # characters of 8 pt legend text (with keys) that fit 6.3 in
SECTOR_COLOURS = {
    "journalism": OKABE_ITO["vermillion"],
    "commercial": OKABE_ITO["orange"],
    "charity": OKABE_ITO["green"],
    "think_tank": OKABE_ITO["purple"],
    "academic": OKABE_ITO["blue"],
    "government": OKABE_ITO["sky_blue"],
    "police_home_office": OKABE_ITO["black"],
    "other": GREY,
}
SECTOR_LABELS = {
    "journalism": "Journalism",
    "commercial": "Commercial",
    "charity": "Charity",
    "think_tank": "Think tank",
    "academic": "Academic",
    "government": "Government",
    "police_home_office": "Police and Home Office",
    "other": "Other",
}
# Rows chosen by id, so a chart says exactly which cited rows it shows.
TIER_FACTS = ["F07", "F08", "F09", "F10", "F11"]
TIER_COUNTS = ["C002", "C003", "C004", "C005", "C006"]
TIER_TOTALS = ("F06", "C001")
REFUSAL_FACTS = ["F16", "F17", "F18", "F19", "F20"]
OUTCOME_FACTS = {"F06": "all requests", "F12": "rejected", "F14": "approved (identifiable data)"}
CORRECTION_STATEMENT = "HCWS272"


@dataclass
class Chart:
    """A chart and what must travel with it: title, text alternative, source line, cited rows."""

    figure: Figure
    title: str
    alt: str
    source: str
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---- shared look -------------------------------------------------------------------------------


def _figure(title: str, ncols: int = 1, height: float = FIGSIZE[1]) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(FIGSIZE[0], height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    fig.suptitle(
        "\n".join(textwrap.wrap(title, TITLE_WRAP, break_on_hyphens=False)),
        x=0.01,
        ha="left",
        fontsize=TITLE_PT,
        fontweight="bold",
    )
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=TICK_PT, length=3)
    return fig, list(axes)


def _value_grid(ax: Axes, axis: str) -> None:
    ax.grid(axis=axis, color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    values_axis = ax.xaxis if axis == "x" else ax.yaxis
    values_axis.set_major_locator(MaxNLocator(integer=True))
    values_axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


def _panel_title(ax: Axes, text: str, width: int = 70) -> None:
    ax.set_title("\n".join(textwrap.wrap(text, width)), loc="left", fontsize=LABEL_PT)


def _legend(fig: Figure, handles: list) -> None:
    """The key goes under the plot, where it can never cover a bar or a label."""
    widths = [len(h.get_label()) + 8 for h in handles]
    ncols = next(
        n
        for n in range(len(handles), 0, -1)
        if n == 1
        or n * max(widths) <= LEGEND_ROW_CHARS
        or (n == len(handles) and sum(widths) <= LEGEND_ROW_CHARS)
    )
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, fontsize=TICK_PT, frameon=False)


def _bar_style(colour: str, secondary: bool, disputed: bool) -> dict:
    """Solid for official sources; pale and hatched for secondary; cross-hatched if disputed."""
    style = {"facecolor": colour, "edgecolor": colour, "linewidth": 0.8}
    if secondary or disputed:
        style.update(facecolor="white", hatch="xxx" if disputed else "////")
    return style


def _source_key(rows: pd.DataFrame, colour: str = GREY) -> list[Patch]:
    """Legend entries for the hatch marks that the chart actually uses."""
    handles = []
    if (~rows["secondary"] & ~rows["disputed"]).any():
        handles.append(Patch(**_bar_style(colour, False, False), label="official source"))
    if (rows["secondary"] & ~rows["disputed"]).any():
        handles.append(Patch(**_bar_style(colour, True, False), label="secondary source"))
    if rows["disputed"].any():
        handles.append(Patch(**_bar_style(colour, False, True), label="disputed"))
    return handles


def _marks(secondary: bool, disputed: bool) -> str:
    words = [w for w, flag in (("secondary source", secondary), ("disputed", disputed)) if flag]
    return f" [{'; '.join(words)}]" if words else ""


def _flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank secondary/disputed flags read as False, so plain ``if`` works on them."""
    return frame.assign(**{c: frame[c].fillna(False).astype(bool) for c in ("secondary", "disputed")})


def _number(value: float) -> str:
    return f"{value:,.0f}"


def _value_text(value: float, unit: str) -> str:
    """A value as its source gives it: 'over' a lower bound, 'about' an approximation."""
    text = _number(value)
    if "lower bound" in unit:
        return f"over {text}"
    if "approximate" in unit:
        return f"about {text}"
    return text


def _share(part: float, whole: float) -> str:
    """A percentage that never shows a real count as 0%."""
    share = part / whole if whole else 0
    return "under 1%" if 0 < share < 0.005 else f"{share:.0%}"


def _period(text: str) -> str:
    return month_names(text, short=True)


def _row_source(row: pd.Series) -> str:
    line = national.plain_source_line(row["publisher"], row["source_title"], row["source_date"])
    return f"{line}{_marks(row['secondary'], row['disputed'])}"


def _sources(rows: pd.DataFrame, id_column: str) -> str:
    """One entry per distinct source, in plain words (the rows' ids stay in the table beside the chart)."""
    rows = _flags(rows)
    return "; ".join(dict.fromkeys(_row_source(row) for _, row in rows.iterrows()))


def _dfe_source(table: str, source_id: str) -> str:
    return source_line(next(s for s in datasets.resource(table)["sources"] if s["id"] == source_id))


def _cited(frame: pd.DataFrame, id_column: str, columns: list[str]) -> pd.DataFrame:
    """The rows a chart drew from, with their citations, for the table shown beside it."""
    cite = ["publisher", "source_title", "source_date", "source_url", "secondary", "disputed"]
    return frame[[id_column, *columns, *[c for c in cite if c in frame]]].reset_index(drop=True)


def _facts(ids: list[str]) -> pd.DataFrame:
    facts = _flags(datasets.load("npd_facts")).set_index("fact_id", drop=False)
    rows = facts.loc[ids].copy()
    rows["number"] = pd.to_numeric(rows["value"], errors="raise").astype(float)
    return rows


def _counts(ids: list[str] | None = None) -> pd.DataFrame:
    counts = _flags(datasets.load("npd_release_counts")).set_index("count_id", drop=False)
    return counts.loc[ids].copy() if ids is not None else counts


# ---- the NPD -----------------------------------------------------------------------------------


def npd_scale_chart() -> Chart:
    """How many people the NPD holds, as each cited source counts it: a range, not one number, with
    the campaign's own figure marked as the campaign's and one school year's pupils for scale."""
    rows = national.figures((*national.SCALE_ROWS, national.FOR_SCALE_ROW))
    cited = [r for r in rows if not r.is_campaign and r.row_id != national.FOR_SCALE_ROW]
    campaign = [
        r for r in rows if r.is_campaign and r.row_id in national.SCALE_ROWS and r.row_id.startswith("N")
    ]
    low, high = min(cited, key=lambda r: r.number), max(cited, key=lambda r: r.number)
    title = f"How big is the National Pupil Database? Cited figures run from {low.value} to {high.value}" + (
        f"; the campaign says {campaign[0].value} {campaign[0].unit}" if campaign else ""
    )
    fig, (ax,) = _figure(title, height=3.9)
    # Each bar's label sits above it across the full width, leaving the bars the whole plot.
    for y, r in enumerate(reversed(rows)):
        colour = GREY if r.row_id == national.FOR_SCALE_ROW else OKABE_ITO["blue"]
        secondary, disputed = "secondary source" in r.marks, "disputed" in r.marks
        bar = ax.barh(y, r.number / 1e6, height=0.4, **_bar_style(colour, secondary, disputed))
        ax.bar_label(bar, labels=[r.value], padding=3, fontsize=TICK_PT)
        ax.text(
            0,
            y + 0.26,
            f"{national.SCALE_LABELS[r.row_id]}\n{r.publisher.split(' (')[0]}, {_period(r.period)}"
            + _marks(secondary, disputed),
            fontsize=TICK_PT,
            va="bottom",
            linespacing=1.1,
            in_layout=False,
        )
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.35, len(rows) - 0.05)
    ax.set_xlabel("Millions (of people, records or data subjects, as each source counts)", fontsize=LABEL_PT)
    ax.set_xlim(0, max(r.number for r in rows) / 1e6 * 1.3)
    _value_grid(ax, "x")
    frame = pd.DataFrame(
        [
            {
                "row_id": r.row_id,
                "value": r.value,
                "unit": r.unit,
                "what": r.what,
                "period": r.period,
                "publisher": r.publisher,
                "source_title": r.source_title,
                "source_date": r.source_date,
                "source_url": r.source_url,
                "citation_status": r.citation_status,
                "secondary": "secondary source" in r.marks,
                "disputed": "disputed" in r.marks,
            }
            for r in rows
        ]
    )
    _legend(fig, _source_key(frame, colour=OKABE_ITO["blue"]))
    parts = [
        f"{national.SCALE_LABELS[r.row_id]}: {r.value} {r.unit} ({_period(r.period)}; {r.publisher}"
        f"{'; ' + '; '.join(r.marks) if r.marks else ''})"
        for r in rows
    ]
    alt = (
        f"Horizontal bar chart of {len(rows)} cited figures for the size of the National Pupil Database. "
        + "; ".join(parts)
        + ". They count different things (people, named records, data subjects) at "
        "different dates; the campaign's figure is its own; the last is one school year's pupils, a different "
        "year and measure, shown for scale. No source gives a single agreed total."
    )
    return Chart(fig, title, alt, _sources(frame, "row_id"), frame)


def _tier_of(text: str) -> str:
    """'Of F06: Tier 1 requests (...)' or 'tier=1' -> '1'; either form of 'unclassified' -> itself."""
    match = re.search(r"tier[ =]?(\d)|(unclassified)", text, re.IGNORECASE)
    return (match[1] or match[2]).lower()


def _tier_rows() -> pd.DataFrame:
    """Tier counts from the key facts and the release counts as one frame, one period each."""
    facts, counts = _facts(TIER_FACTS + [TIER_TOTALS[0]]), _counts(TIER_COUNTS + [TIER_TOTALS[1]])
    facts = facts.assign(row_id=facts["fact_id"], label=facts["fact"], period=facts["period_or_as_at"])
    counts = counts.assign(
        row_id=counts["count_id"], label=counts["breakdown"], number=counts["value"].astype(float)
    )
    rows = pd.concat([counts, facts], ignore_index=True)
    rows["tier"] = [
        "all" if row_id in TIER_TOTALS else _tier_of(label)
        for row_id, label in zip(rows["row_id"], rows["label"])
    ]
    return rows


def requests_by_tier_chart() -> Chart:
    """Third-party requests by tier, for the two periods campaigners counted from DfE's register."""
    rows = _tier_rows()
    tier_facts = rows[rows["row_id"].isin(TIER_FACTS)]
    meaning = dict(zip(tier_facts["tier"], tier_facts["fact"].str.extract(r"\((.*)\)")[0]))
    tiers = list(tier_facts["tier"])
    title = "Requests for National Pupil Database data from third parties, by tier of data asked for"
    fig, (ax,) = _figure(title, height=3.4)
    height = 0.38
    handles, parts, notes = [], [], []
    for offset, colour, (period, group) in zip(
        (-height / 2, height / 2),
        (OKABE_ITO["orange"], OKABE_ITO["blue"]),
        rows.groupby("period", sort=False),
    ):
        by_tier = dict(zip(group["tier"], group["number"]))
        values = [by_tier.get(t, 0.0) for t in tiers]
        secondary, disputed = bool(group["secondary"].any()), bool(group["disputed"].any())
        bars = ax.barh(
            [i + offset for i in range(len(tiers))],
            values,
            height=height,
            **_bar_style(colour, secondary, disputed),
        )
        ax.bar_label(bars, labels=[_number(v) for v in values], padding=2, fontsize=TICK_PT)
        total, marks = _number(by_tier["all"]), _marks(secondary, disputed)
        handles.append(
            Patch(
                **_bar_style(colour, secondary, disputed), label=f"{_period(period)}: {total} requests{marks}"
            )
        )
        parts.append(
            f"{_period(period)}: {total} requests in all{marks}, "
            + ", ".join(f"{_tier_name(t).lower()} {_number(v)}" for t, v in zip(tiers, values))
        )
        total_note = group.loc[group["tier"] == "all", "note"].iloc[0]
        if "excludes police and Home Office" in total_note:
            notes.append(f"the {_period(period)} count excludes police and Home Office requests")
        if sum(values) != by_tier["all"]:
            notes.append(
                f"the tiers for {_period(period)} add up to {_number(sum(values))}, not the "
                f"{total} the source gives as the total"
            )
    ax.set_yticks(
        range(len(tiers)),
        [textwrap.fill(f"{_tier_name(t)}: {meaning[t]}", 38) for t in tiers],
        fontsize=TICK_PT,
    )
    ax.invert_yaxis()
    ax.set_xlim(0, rows.loc[rows["tier"] != "all", "number"].max() * 1.2)
    ax.set_xlabel("Requests (count over the whole period)", fontsize=LABEL_PT)
    _value_grid(ax, "x")
    _legend(fig, handles)
    alt = (
        "Grouped horizontal bar chart of requests recorded in DfE's NPD third-party register, by tier, for two "
        "overlapping periods, as counted from the register by defenddigitalme. "
        + "; ".join(parts)
        + ". "
        + " ".join(f"{_tier_name(t)}: {meaning[t]}." for t in tiers)
        + (" Notes: " + "; ".join(notes) + "." if notes else "")
    )
    return Chart(
        fig,
        title,
        alt,
        _sources(rows, "row_id"),
        _cited(rows, "row_id", ["tier", "number", "unit", "period"]),
    )


def _tier_name(tier: str) -> str:
    return f"Tier {tier}" if tier.isdigit() else tier.capitalize()


def refusals_by_year_chart() -> Chart:
    """Applications for NPD extracts that DfE refused, year by year, as it told Parliament."""
    rows = _facts(REFUSAL_FACTS)
    total = int(rows["number"].sum())
    years = rows["period_or_as_at"].str[:4]
    title = f"NPD applications refused by DfE each year, {years.iloc[0]} to {years.iloc[-1]} ({total} in all)"
    fig, (ax,) = _figure(title)
    labels = [r.period_or_as_at.replace(" (", "\n(") for r in rows.itertuples()]
    for x, r in enumerate(rows.itertuples()):
        bar = ax.bar(x, r.number, width=0.6, **_bar_style(OKABE_ITO["blue"], r.secondary, r.disputed))
        ax.bar_label(bar, labels=[_number(r.number)], padding=2, fontsize=TICK_PT)
    ax.set_xticks(range(len(rows)), labels, fontsize=TICK_PT)
    ax.set_xlabel("Calendar year", fontsize=LABEL_PT)
    ax.set_ylabel("Applications refused (count)", fontsize=LABEL_PT)
    ax.set_ylim(0, rows["number"].max() * 1.2)
    _value_grid(ax, "y")
    _panel_title(ax, "DfE's own and external applications; 2016 is to 15 December")
    _legend(fig, _source_key(rows, colour=OKABE_ITO["blue"]))
    alt = (
        "Column chart of applications to extract National Pupil Database data that DfE refused, by year "
        "(DfE's own and external applications, per a Parliamentary written answer): "
        + ", ".join(f"{r.period_or_as_at}: {_number(r.number)}" for r in rows.itertuples())
        + f". {total} refusals in all."
    )
    return Chart(
        fig,
        title,
        alt,
        _sources(rows, "fact_id"),
        _cited(rows, "fact_id", ["fact", "value", "unit", "period_or_as_at"]),
    )


def release_outcomes_chart() -> Chart:
    """What happened to third-party requests: one panel per source page that counted outcomes.

    Each page's total, approvals and rejections may sit in the key facts (F06, F12, F14) rather
    than the release counts, so both tables are read and grouped by the page they cite.
    """
    counts = _counts()
    counts = counts[(counts["breakdown"] == "all") | counts["breakdown"].str.startswith("outcome=")]
    counts = counts.assign(
        row_id=counts["count_id"],
        number=counts["value"].astype(float),
        outcome=counts["breakdown"].str.removeprefix("outcome="),
    )
    facts = _facts(list(OUTCOME_FACTS))
    facts = facts.assign(
        row_id=facts["fact_id"],
        period=facts["period_or_as_at"],
        outcome=[OUTCOME_FACTS[i] for i in facts["fact_id"]],
    )
    pages = list(dict.fromkeys(counts.loc[counts["breakdown"].str.startswith("outcome="), "source_url"]))
    rows = pd.concat([facts, counts], ignore_index=True)
    rows = rows[rows["source_url"].isin(pages)]
    rows["outcome"] = rows["outcome"].replace({"all": "all requests"})
    rows = rows.drop_duplicates(subset=["source_url", "outcome", "number"])
    title = "What happened to third-party requests for NPD data, as counted from DfE's register"
    fig, axes = _figure(title, ncols=len(pages), height=3.4)
    parts = []
    for ax, page in zip(axes, pages):
        group = rows[rows["source_url"] == page]
        group = group.assign(
            order=(group["outcome"] != "all requests").astype(int) + group["disputed"].astype(int)
        )
        group = group.sort_values(["order", "number"], ascending=[True, False])
        period = group["period"].mode().iloc[0]
        labels = []
        for y, r in enumerate(group.itertuples()):
            colour = GREY if r.outcome == "all requests" else OKABE_ITO["blue"]
            bar = ax.barh(y, r.number, height=0.65, **_bar_style(colour, r.secondary, r.disputed))
            ax.bar_label(bar, labels=[_value_text(r.number, r.unit)], padding=2, fontsize=TICK_PT)
            when = "" if r.period == period else f", {_period(r.period)}"
            labels.append(
                textwrap.fill(f"{r.outcome.capitalize()}{when}{' (disputed)' if r.disputed else ''}", 22)
            )
        ax.set_yticks(range(len(group)), labels, fontsize=TICK_PT)
        ax.invert_yaxis()
        ax.set_xlim(0, group["number"].max() * 1.3)
        ax.set_xlabel("Requests (count)", fontsize=LABEL_PT)
        _value_grid(ax, "x")
        _panel_title(ax, _period(period), width=26)
        parts.append(
            f"{_period(period)}: "
            + ", ".join(
                f"{r.outcome}{'' if r.period == period else ' (' + _period(r.period) + ')'} "
                f"{_value_text(r.number, r.unit)}{_marks(r.secondary, r.disputed)}"
                for r in group.itertuples()
            )
        )
    _legend(fig, _source_key(rows, colour=OKABE_ITO["blue"]))
    conflicts = rows[rows["disputed"]]
    alt = (
        "Horizontal bar charts, one panel per period, of the outcomes of requests in DfE's NPD third-party "
        "register, as counted from the register by defenddigitalme (secondary source). "
        + "; ".join(parts)
        + "."
        + (
            f" The same page gives {' and '.join(_number(v) for v in conflicts['number'])} open cases in "
            "different paragraphs, so both are shown and marked disputed."
            if len(conflicts) > 1
            else ""
        )
        + " Counts are as the sources give them; outcomes need not add up to the total."
    )
    source = _sources(rows, "row_id")
    return Chart(fig, title, alt, source, _cited(rows, "row_id", ["outcome", "number", "unit", "period"]))


def police_home_office_chart() -> Chart:
    """Police and Home Office use of pupil data: DfE's corrected figures beside its first answers.

    The superseded rows carry their correction in their note ("Corrected to N"); the corrected
    figures come from written statement HCWS272, cited through its key-fact rows.
    """
    counts = _counts()
    originals = counts[counts["note"].str.contains("Corrected to", regex=False)].copy()
    originals["original"] = originals["value"].astype(float)
    corrected = originals["note"].str.extract(r"Corrected to ([\d,]+)")[0]
    originals["corrected"] = corrected.str.replace(",", "").astype(float)
    originals["sector"] = originals["breakdown"].str.extract(r"sector=(\w+)")[0]
    originals["what"] = originals["measure"].str.replace(r"\s*\(original figure\)", "", regex=True)
    statement = _flags(datasets.load("npd_facts"))
    statement = statement[statement["source_title"].str.contains(CORRECTION_STATEMENT, regex=False)]
    uncorrected = counts[
        counts["disputed"]
        & counts["note"].str.contains(CORRECTION_STATEMENT)
        & ~counts.index.isin(originals.index)
    ]
    title = "Police and Home Office requests for pupil data: DfE's corrected figures and its first answers"
    sectors = [s for s in ("police", "home_office") if s in set(originals["sector"])]
    fig, axes = _figure(title, ncols=len(sectors), height=3.4)
    corrected_style = _bar_style(OKABE_ITO["blue"], False, False)
    original_style = _bar_style(GREY, False, True)
    parts = []
    for ax, sector in zip(axes, sectors):
        group = originals[originals["sector"] == sector]
        height = 0.38
        for y, r in enumerate(group.itertuples()):
            new = ax.barh(y - height / 2, r.corrected, height=height, **corrected_style)
            old = ax.barh(y + height / 2, r.original, height=height, **original_style)
            ax.bar_label(new, labels=[_number(r.corrected)], padding=2, fontsize=TICK_PT)
            ax.bar_label(old, labels=[_number(r.original)], padding=2, fontsize=TICK_PT)
            parts.append(
                f"{r.what}: {_number(r.corrected)} {r.unit} (corrected; first given as "
                f"{_number(r.original)}, {_period(r.period)})"
            )
        ax.set_yticks(range(len(group)), [textwrap.fill(w, 22) for w in group["what"]], fontsize=TICK_PT)
        ax.invert_yaxis()
        ax.set_xlim(0, group[["original", "corrected"]].max().max() * 1.3)
        units = " or ".join(dict.fromkeys(group["unit"]))
        ax.set_xlabel(f"Count ({units})", fontsize=LABEL_PT)
        _value_grid(ax, "x")
        periods = " / ".join(dict.fromkeys(_period(p) for p in group["period"]))
        _panel_title(ax, f"{sector.replace('_', ' ').title()}, {periods}", width=26)
    correction = statement.iloc[0]
    _legend(
        fig,
        [
            Patch(
                **corrected_style, label=f"corrected ({CORRECTION_STATEMENT}, {correction['source_date']})"
            ),
            Patch(**original_style, label="first answers, superseded (marked disputed)"),
        ],
    )
    alt = (
        f"Paired horizontal bar charts comparing DfE's corrected police and Home Office figures, from "
        f"written statement {CORRECTION_STATEMENT} of {correction['source_date']}, with the figures DfE first gave "
        f"Parliament, which that statement superseded. "
        + "; ".join(parts)
        + "."
        + (
            f" {len(uncorrected)} other first-answer figures were also superseded but have no corrected "
            "figure in our data: "
            + "; ".join(f"{r.measure} {_number(r.value)} {r.unit}" for r in uncorrected.itertuples())
            + "."
            if len(uncorrected)
            else ""
        )
    )
    source = (
        _sources(statement, "fact_id")
        + " (corrected figures, also given in the notes of the superseded rows); "
        + _sources(originals, "count_id")
    )
    cited = originals.assign(corrected_source=f"{correction['publisher']}, {correction['source_title']}")
    return Chart(
        fig,
        title,
        alt,
        source,
        _cited(cited, "count_id", ["measure", "original", "corrected", "unit", "period", "corrected_source"]),
    )


def named_releases_timeline() -> Chart:
    """Named releases of pupil data to third parties over time, by the sector of the recipient.

    Only rows whose status is a release are drawn: the rejected application and the DSAP
    applications with no known outcome are left out (and counted in the alt text and source).
    """
    table = _flags(datasets.load("npd_named_releases"))
    releases = table[table["status"] == "release"].copy()
    left_out = table[table["status"] != "release"]["status"].value_counts()
    releases["when"] = pd.to_datetime(
        releases["date"].where(releases["date"] != "unknown"), format="mixed", errors="coerce"
    )
    year_only = releases["date"].str.fullmatch(r"\d{4}")
    releases.loc[year_only, "when"] = releases.loc[year_only, "when"] + pd.DateOffset(months=6)
    dated, undated = releases[releases["when"].notna()], releases[releases["when"].isna()]
    title = (
        f"Named releases of pupil data to third parties, {dated['when'].dt.year.min()} to "
        f"{dated['when'].dt.year.max()}, by sector of the recipient"
    )
    fig, (ax,) = _figure(title, height=3.4)
    sectors = [s for s in SECTOR_COLOURS if s in set(releases["sector"])]
    for y, sector in enumerate(sectors):
        for r in dated[dated["sector"] == sector].itertuples():
            colour = SECTOR_COLOURS[sector]
            ax.scatter(
                r.when,
                y,
                s=34,
                marker="D" if r.disputed else "o",
                linewidths=1.3,
                facecolors="white" if r.secondary else colour,
                edgecolors=colour,
                zorder=3,
            )
    ax.set_yticks(
        range(len(sectors)),
        [f"{SECTOR_LABELS[s]} ({(dated['sector'] == s).sum()})" for s in sectors],
        fontsize=TICK_PT,
    )
    ax.invert_yaxis()
    ax.set_ylim(len(sectors) - 0.5, -0.5)
    ax.set_xlabel("Date in DfE's register (year)", fontsize=LABEL_PT)
    ax.grid(axis="y", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)
    key = [
        Line2D([], [], marker="o", linestyle="", color=GREY, markerfacecolor=GREY, label="official source"),
        Line2D(
            [], [], marker="o", linestyle="", color=GREY, markerfacecolor="white", label="secondary source"
        ),
        Line2D([], [], marker="D", linestyle="", color=GREY, markerfacecolor="white", label="disputed"),
    ]
    _legend(fig, key)
    leftover = "; ".join(f"{n} with status '{status}'" for status, n in left_out.items())
    excluded = (
        f"Not plotted: {len(undated)} releases with no date in the source "
        f"({', '.join(undated['organisation'])}); left out altogether: {leftover}."
    )
    by_sector = []
    for sector in sectors:
        group = dated[dated["sector"] == sector].sort_values("when")
        if len(group):
            by_sector.append(
                f"{SECTOR_LABELS[sector]} ({len(group)}): "
                + ", ".join(
                    f"{r.organisation} {r.date}{_marks(r.secondary, r.disputed)}" for r in group.itertuples()
                )
            )
    alt = (
        f"Timeline of {len(dated)} dated releases of National Pupil Database or other DfE pupil data to "
        f"named organisations, one row per sector, {dated['when'].min():%B %Y} to {dated['when'].max():%B %Y}. "
        f"{int(dated['secondary'].sum())} of them rest on secondary sources (hollow markers); "
        f"disputed (diamond markers): {int(dated['disputed'].sum())}. " + ". ".join(by_sector) + ". "
        f"Dates are the register dates requesters quote, whose meaning is not stated; a date given only "
        f"as a year is placed at mid-year. {excluded}"
    )
    source = _sources(releases, "release_id") + f". {excluded}"
    return Chart(
        fig,
        title,
        alt,
        source,
        _cited(releases, "release_id", ["date", "organisation", "sector", "status", "purpose"]),
    )


# ---- alternative provision ---------------------------------------------------------------------


def _area_name(la_code: str | None) -> str:
    """England, or an LA's name; an LA newer than the data (e.g. Cumberland) is named by its lineage."""
    if la_code is None:
        return "England"
    names = pd.concat(
        [
            analysis.local_authorities()[["la_code", "la_name"]],
            datasets.load("la_lineage")[["la_code", "la_name"]],
        ]
    )
    match = names.loc[names["la_code"] == la_code, "la_name"]
    if match.empty:
        raise ValueError(f"no local authority with DfE code {la_code!r} in the AP data or its lineage")
    return str(match.iloc[0])


def ap_trend_chart(la_code: str | None = None) -> Chart:
    """Pupils in LA-funded AP and in state-funded AP schools, year by year, for England or one LA.

    Every academic year in the span gets a place on the axis; a year with no figure is a visible gap,
    never a line drawn across it.
    """
    area = _area_name(la_code)
    measures = {
        "la_funded_ap_pupils": ("In LA-funded AP (AP census)", OKABE_ITO["vermillion"]),
        "state_funded_ap_school_pupils": (
            "On roll at state-funded AP schools (school census)",
            OKABE_ITO["blue"],
        ),
    }
    series, notes = {}, []
    for measure in measures:
        if la_code is None:
            series[measure] = analysis.measure_series(measure).assign(area="own")
        else:
            series[measure], measure_notes = analysis.la_series(measure, la_code)
            notes += [n for n in measure_notes if n not in notes]
    periods = [int(p) for frame in series.values() for p in frame.dropna(subset=["pupils"])["time_period"]]
    span = academic_years(min(periods), max(periods))
    labels = [academic_year(year) for year in span]
    title = f"Pupils in alternative provision, {area}, {labels[0]} to {labels[-1]}"
    fig, (ax,) = _figure(title, height=2.8)
    parts, handles = [], []
    for measure, (label, colour) in measures.items():
        frame = series[measure].dropna(subset=["pupils"])
        if frame.empty:
            parts.append(f"{label}: no figures published for {area}")
            continue
        # A predecessor's years are drawn dashed with hollow points; a line joins only adjacent years.
        for part, dashes, face in (("predecessor", "--", "white"), ("own", "-", colour)):
            piece = frame[frame["area"] == part]
            x = [span.index(int(year)) for year in piece["time_period"]]
            for run in _runs(x):
                ax.plot(
                    run,
                    [float(piece["pupils"].iloc[x.index(i)]) for i in run],
                    color=colour,
                    linestyle=dashes,
                    linewidth=2,
                    marker="o",
                    markersize=4.5,
                    markerfacecolor=face,
                    zorder=3,
                )
        handles.append(Line2D([], [], color=colour, linewidth=2, marker="o", markersize=4.5, label=label))
        published = {int(year) for year in frame["time_period"]}
        missing = [academic_year(year) for year in span if year not in published]
        parts.append(
            f"{label}: "
            + ", ".join(f"{r.academic_year} {_number(r.pupils)}" for r in frame.itertuples())
            + (f" (no figure for {', '.join(missing)})" if missing else "")
        )
    unpublished = [
        i
        for i, year in enumerate(span)
        if all(
            year not in set(series[m].dropna(subset=["pupils"])["time_period"].astype(int)) for m in measures
        )
    ]
    for i in unpublished:
        ax.annotate(
            "no figure\nin this\npack",
            (i, 0),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=TICK_PT,
            color="#555555",
        )
    if notes:
        handles.append(
            Line2D(
                [],
                [],
                color=GREY,
                linestyle="--",
                marker="o",
                markerfacecolor="white",
                label="Predecessor authority's figures",
            )
        )
    _legend(fig, handles)
    ax.set_xticks(range(len(span)), labels, fontsize=TICK_PT)
    ax.set_xlim(-0.3, len(span) - 0.7)
    ax.set_ylim(0, None)
    ax.set_xlabel("Academic year (count taken in January)", fontsize=LABEL_PT)
    ax.set_ylabel("Pupils (headcount)", fontsize=LABEL_PT)
    _value_grid(ax, "y")
    alt = (
        f"Line chart of pupils in alternative provision in {area}, {labels[0]} to {labels[-1]}, January counts. "
        + "; ".join(parts)
        + ". LA-funded AP is counted by the authority that funds the placement."
        + (" " + " ".join(notes) if notes else "")
    )
    source = _ap_sources(list(measures), [la_code] if la_code else None)
    rows = pd.concat([frame.assign(measure=measure) for measure, frame in series.items()])
    return Chart(
        fig, title, alt, source, rows[["measure", "academic_year", "pupils", "area"]].reset_index(drop=True)
    )


def _runs(positions: list[int]) -> list[list[int]]:
    """[0, 1, 2, 4, 5] -> [[0, 1, 2], [4, 5]]: the stretches of adjacent years a line may join."""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][-1] + 1:
            runs[-1].append(position)
        else:
            runs.append([position])
    return runs


def _ap_sources(measures: list[str], la_codes: list[str] | None, time_period: int | None = None) -> str:
    """The source line for ``la_ap`` rows: each source its rows name, once (one title for a release
    read from several files)."""
    ap = datasets.load("la_ap")
    rows = ap[
        ap["measure"].isin(measures)
        & (ap["geographic_level"] == "National" if la_codes is None else ap["la_code"].isin(la_codes))
    ]
    if time_period is not None:
        rows = rows[rows["time_period"] == time_period]
    lines = [
        _dfe_source("la_ap", source_id)
        for source_id in dict.fromkeys(rows.dropna(subset=["pupils"])["source_id"])
    ]
    return "; ".join(dict.fromkeys(lines))


def la_rate_ranking_chart(highlight_la_code: str) -> Chart:
    """Every LA's rate of pupils in LA-funded AP, ranked, with one LA picked out against England.

    Authorities with too few pupils for a rate are left out and counted in the alt text; rates from
    fewer than ``analysis.RELIABLE_COUNT`` pupils are drawn hatched and called unreliable.
    """
    rates = analysis.la_rates()
    year = int(rates["time_period"].iloc[0])
    when = f"January {january(year)} ({academic_year(year)})"
    england = float(rates.loc[rates["geographic_level"] == "National", "rate_per_10000"].iloc[0])
    all_las = rates[rates["geographic_level"] == "Local authority"]
    left_out = all_las[all_las["rate_per_10000"].isna() & all_las["pupils"].notna()]
    las = (
        all_las.dropna(subset=["rate_per_10000"])
        .sort_values("rate_per_10000", ascending=False)
        .reset_index(drop=True)
    )
    chosen = las[las["la_code"] == highlight_la_code]
    name = _area_name(highlight_la_code)
    title = f"Pupils in local-authority-funded AP per 10,000 pupils in state-funded schools, every local authority, {when}"
    fig, (ax,) = _figure(title, height=2.7)
    for i, r in enumerate(las.itertuples(), start=1):
        colour = OKABE_ITO["vermillion"] if r.la_code == highlight_la_code else PALE_GREY
        style = (
            {"facecolor": "white", "edgecolor": colour, "hatch": "////", "linewidth": 0.5}
            if r.unreliable
            else {"color": colour, "linewidth": 0}
        )
        ax.bar(i, float(r.rate_per_10000), width=0.85, **style)
    ax.axhline(england, color="black", linestyle="--", linewidth=1)
    ax.annotate(
        f"England {england:.1f}",
        (len(las), england),
        xytext=(0, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=TICK_PT,
        backgroundcolor="white",
    )
    if len(chosen):
        r, bar_at = chosen.iloc[0], int(chosen.index[0]) + 1  # ties share a rank but not a bar
        rank, value = int(r["rank"]), float(r["rate_per_10000"])
        label_at = max(value, england) + float(las["rate_per_10000"].max()) * 0.12
        side = "left" if bar_at < len(las) * 0.2 else "right" if bar_at > len(las) * 0.8 else "center"
        ax.annotate(
            f"{name}\n{value:.1f} (rank {rank} of {len(las)})",
            (bar_at, value),
            xytext=(bar_at, label_at),
            ha=side,
            va="bottom",
            fontsize=TICK_PT,
            color=OKABE_ITO["vermillion"],
            fontweight="bold",
            arrowprops={
                "arrowstyle": "-",
                "color": OKABE_ITO["vermillion"],
                "linewidth": 0.8,
                "shrinkA": 0,
                "shrinkB": 0,
            },
        )
        said = (
            f"{name} is highlighted: {value:.1f} ({_number(r['pupils'])} pupils in LA-funded AP, "
            f"{_number(r['pupils_state_funded'])} in state-funded schools), rank {rank} of {len(las)}, "
            f"{'above' if value > england else 'below'} England's {england:.1f}"
            + (", from fewer than 30 pupils: unreliable." if r["unreliable"] else ".")
        )
    else:
        small = left_out[left_out["la_code"] == highlight_la_code]
        said = (
            f"{name} had too few pupils for a rate in {when}, so it is not ranked."
            if len(small)
            else f"{name} has no figure for {when}, so no authority is highlighted."
        )
        _panel_title(ax, f"No rate for {name} in {when}")
    handles = [
        Patch(color=PALE_GREY, label="rate"),
        Patch(
            facecolor="white",
            edgecolor=GREY,
            hatch="////",
            label=f"from fewer than {analysis.RELIABLE_COUNT} pupils: unreliable",
        ),
    ]
    _legend(fig, handles)
    ax.set_xlim(0, len(las) + 1)
    ax.set_ylim(0, float(las["rate_per_10000"].max()) * 1.25)
    ax.set_xlabel(
        f"Local authorities, ranked from highest rate (1) to lowest ({len(las)})", fontsize=LABEL_PT
    )
    ax.set_ylabel(
        "Pupils in LA-funded AP\n" + analysis.RATE_UNIT.replace(" in state", "\nin state"), fontsize=LABEL_PT
    )
    _value_grid(ax, "y")
    top, bottom = las.iloc[0], las.iloc[-1]
    unreliable = las[las["unreliable"]]
    alt = (
        f"Column chart of {len(las)} local authorities in England ranked by pupils in local-authority-funded "
        f"alternative provision {analysis.RATE_UNIT}, {when}. England: {england:.1f}. Highest: "
        f"{top['la_name']} {float(top['rate_per_10000']):.1f}; lowest: {bottom['la_name']} "
        f"{float(bottom['rate_per_10000']):.1f}. {said} "
        + (
            f"Left out, too few pupils for a rate: {', '.join(left_out['la_name'])}. "
            if len(left_out)
            else ""
        )
        + (
            f"Unreliable (fewer than {analysis.RELIABLE_COUNT} pupils): {', '.join(unreliable['la_name'])}. "
            if len(unreliable)
            else ""
        )
        + f"The denominator is {analysis.RATE_DENOMINATOR}."
    )
    source = (
        f"{_ap_sources(['la_funded_ap_pupils'], list(las['la_code']), year)}; "
        f"{_dfe_source('pupils', 'pupil_headcounts')}. "
        f"Rate: {analysis.NUMERATOR} {analysis.RATE_UNIT}; denominator: {analysis.RATE_DENOMINATOR}. "
        f"{analysis.SMALL_NUMBERS_RULE}"
    )
    return Chart(
        fig,
        title,
        alt,
        source,
        las[["rank", "la_code", "la_name", "pupils", "pupils_state_funded", "rate_per_10000", "unreliable"]],
    )


def school_arranged_reasons_chart(la_code: str | None = None) -> Chart:
    """School-arranged AP by the school census's placement reason: not the AP census's reason."""
    table = datasets.load("school_arranged_ap_reasons")
    table = table[table["time_period"] == table["time_period"].max()]  # a refresh brings later years
    area = _area_name(la_code)
    rows = (
        table[table["geographic_level"] == "National"]
        if la_code is None
        else table[(table["geographic_level"] == "Local authority") & (table["la_code"] == la_code)]
    )
    reasons = list(dict.fromkeys(table["placement_reason"]))
    year = str(table["academic_year"].iloc[0])
    by_reason = rows.set_index("placement_reason")["pupils"]
    shown = sorted(
        reasons, key=lambda r: -(float(by_reason[r]) if r in by_reason and pd.notna(by_reason[r]) else -1)
    )
    values = [float(by_reason[r]) if r in by_reason and pd.notna(by_reason[r]) else None for r in shown]
    total = sum(v for v in values if v is not None)
    title = f"Pupils in school-arranged alternative provision by placement reason, {area}, {year}"
    fig, (ax,) = _figure(title)
    for y, value in enumerate(values):
        if value is None:
            ax.annotate(
                "no figure published",
                (0, y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=TICK_PT,
                color="#555555",
            )
            continue
        bar = ax.barh(y, value, height=0.6, color=OKABE_ITO["green"])
        ax.bar_label(bar, labels=[f"{_number(value)} ({_share(value, total)})"], padding=2, fontsize=TICK_PT)
    ax.set_yticks(range(len(shown)), [textwrap.fill(r, 34) for r in shown], fontsize=TICK_PT)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(0, max([v for v in values if v is not None], default=1) * 1.3)
    ax.set_xlabel("Pupils (headcount, January)", fontsize=LABEL_PT)
    _value_grid(ax, "x")
    _panel_title(
        ax,
        "Reasons recorded by schools in the school census, not the AP census's reason for placement",
        width=52,
    )
    missing = [r for r, v in zip(shown, values) if v is None]
    published = [f"{r} {_number(v)} ({_share(v, total)})" for r, v in zip(shown, values) if v is not None]
    alt = (
        f"Horizontal bar chart of pupils in school-arranged alternative provision in {area}, {year} "
        f"(January count), by the placement reason schools recorded in the school census"
        + (
            f": {_number(total)} pupils in all; " + "; ".join(published) + "."
            if published
            else f". No figure was published for {area}."
        )
        + (f" No figure published for: {'; '.join(missing)}." if missing and published else "")
        + " These are school-census reasons for school-arranged AP, not the AP census's reason for "
        "placement in local-authority-funded AP that DfE has collected since January 2018."
    )
    source = (
        f"{_dfe_source('school_arranged_ap_reasons', 'school_ap_placement')}. Caveat: school-census "
        f"placement reasons, not the AP-census reason for placement"
    )
    return Chart(
        fig,
        title,
        alt,
        source,
        rows[["academic_year", "la_name", "placement_reason", "pupils"]].reset_index(drop=True),
    )
