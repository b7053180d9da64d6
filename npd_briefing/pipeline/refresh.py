"""The scheduled refresh (``build.py data --download --strict``): fetch the newest releases, rebuild every
table in a scratch folder, check it, and only then replace ``data/``.

It fails, in one line naming the source and the reason, when any source cannot be fetched, a file's
layout is not one the pack knows, or a rebuilt table breaks an invariant (:mod:`..data.invariants`);
``data/`` and ``CITATION.cff`` are then left as they were. Otherwise it writes the change report in
Markdown, which the refresh workflow makes the description of its pull request: whether any figure
changed, each figure with its old and new value, source, release and publication date, the rows and
years of each table, and what the register loader read in the register edition just fetched. When no
figure changed, ``data/`` is left as it was (a refresh that only re-dates the files proposes nothing).
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from npd_briefing import config
from npd_briefing.data import curate, download, invariants
from npd_briefing.data.changes import describe_changes, figure_changes, read_tables, tables_differ
from npd_briefing.data.citation_file import CITATION_FILE
from npd_briefing.data.manifest import read_manifest
from npd_briefing.data.sources import SOURCES
from npd_briefing.data.tables import TABLES
from npd_briefing.dates import academic_year
from npd_briefing.exceptions import DataFileError, PackError
from npd_briefing.files import write_whole

MAX_FIGURE_ROWS = 200
MAX_REPORT_CHARS = 60_000  # a pull request's description holds 65,536


@dataclass
class RefreshResult:
    changed: bool
    report: str  # Markdown


def _source_of_path(message: str) -> str:
    """The source a file error is about, from the file path the message names."""
    paths = {meta["path"]: source_id for source_id, meta in SOURCES.items()}
    paths.update({saved_as: source_id for source_id, (_, saved_as) in download.EES_DATA_SETS.items()})
    for path, source_id in sorted(paths.items(), key=lambda item: -len(item[0])):
        if path in message:
            return source_id
    return ""


def _stopped(reason: str, scratch: Path) -> DataFileError:
    reason = reason.replace(f"{scratch}/downloads/", "").replace(f"{scratch}/", "")
    return DataFileError(f"refresh stopped, data/ unchanged: {reason}")


def _source_of(figure: dict, sources: dict[str, dict]) -> str:
    """The row's own source where the table names one, else the table's source this refresh fetched."""
    table_sources = TABLES[figure["table"]].sources
    return figure["source_id"] or next(
        (s for s in table_sources if "download_url" in sources[s]), table_sources[0]
    )


def _year(time_period) -> str:
    return academic_year(time_period) if str(time_period).isdigit() else ""


def _figures_section(figures: list[dict], sources: dict[str, dict], max_rows: int) -> list[str]:
    """A summary by table, figure and year (with the source, its release and publication date), then each
    revised figure, old and new, then each new or removed one, as many as a pull request's description holds."""
    groups: dict[tuple, dict] = {}
    for figure in figures:
        source_id = _source_of(figure, sources)
        what = figure["figure"] + (f" ({figure['measure']})" if figure["measure"] else "")
        key = (figure["table"], what, _year(figure["time_period"]), source_id)
        kind = "revised" if figure["was"] and figure["now"] else "new" if figure["now"] else "removed"
        groups.setdefault(key, {"new": 0, "revised": 0, "removed": 0})[kind] += 1
    lines = [
        "| table | figure | year | new | revised | removed | source | release | published |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (table, what, year, source_id), n in groups.items():
        source = sources[source_id]
        lines.append(
            f"| {table} | {what} | {year} | {n['new']} | {n['revised']} | {n['removed']} | {source_id} | "
            f"{source.get('title', '')} | {source.get('published', '')} |"
        )
    revised = [f for f in figures if f["was"] and f["now"]]
    others = [f for f in figures if not (f["was"] and f["now"])]
    shown = 0
    for heading, chosen in (("Revised figures", revised), ("New and removed figures", others)):
        if not chosen:
            continue
        lines += [
            "",
            f"### {heading}",
            "",
            "| table | figure | place | year | old | new | source |",
            "|---|---|---|---|---|---|---|",
        ]
        for figure in chosen[: max(0, max_rows - shown)]:
            what = figure["figure"] + (f" ({figure['measure']})" if figure["measure"] else "")
            lines.append(
                f"| {figure['table']} | {what} | {figure['where']} | {_year(figure['time_period'])} | "
                f"{figure['was'] or 'none'} | {figure['now'] or 'none'} | {_source_of(figure, sources)} |"
            )
        shown += len(chosen)
        if shown > MAX_FIGURE_ROWS:
            lines.append(
                f"\n{shown - MAX_FIGURE_ROWS} more not listed here; `git diff` on data/ shows every one."
            )
            shown = MAX_FIGURE_ROWS
    return lines


def register_lines(path: Path) -> list[str]:
    """What the register loader read in the edition just fetched; a layout it does not know is reported
    as it says, never guessed."""
    from npd_briefing.evidence.register import load_register

    try:
        frame = load_register(path)
    except PackError as exc:
        return [f"The loader could not read it: {' '.join(str(exc).split())}"]
    read = frame.attrs["read"]
    released = frame[frame["outcome"] == "released"] if "outcome" in frame else frame
    by_year_tier = released.fillna({"tier": ""}).groupby(["year", "tier"], dropna=False).size()
    lines = ["```", *read.lines(), "```", "", "Releases by year and tier (one row per reference):", ""]
    lines += ["| year | tier | releases |", "|---|---|---|"]
    lines += [f"| {year} | {tier or 'not given'} | {n} |" for (year, tier), n in by_year_tier.items()]
    return lines


def report_markdown(
    figures: list[dict],
    table_lines: list[str],
    sources: dict[str, dict],
    record: dict[str, dict],
    register: list[str],
    data_version: tuple[str, str],
) -> str:
    """The change report; each figure is listed while the whole fits in a pull request's description."""
    changed = bool(figures) or bool(table_lines)
    if figures:
        title = f"{len(figures)} figure{'s' if len(figures) != 1 else ''} changed"
    else:
        title = "Rows changed, no AP or pupil figure" if changed else "No figure changed"
    head = [f"# {title}", ""]
    head.append(
        f"Refresh of {date.today().isoformat()} from the newest official releases: data version "
        + (f"{data_version[0]} -> {data_version[1]}." if changed else f"{data_version[0]}, unchanged.")
    )
    head.append("")
    tail = ["## Tables", "", *(f"- {line}" for line in table_lines), ""] if table_lines else []
    tail += [
        "## Sources fetched",
        "",
        "| source | release | published | retrieved | sha256 |",
        "|---|---|---|---|---|",
    ]
    for source_id, entry in record.items():
        tail.append(
            f"| {source_id} | {entry.get('title') or SOURCES[source_id]['title']} | {entry.get('published', '')} | "
            f"{entry.get('retrieved', '')} | {entry.get('download_sha256', '')[:12]} |"
        )
    tail += ["", "## The third-party register, as the loader read it", ""]
    tail += [
        "The newest edition of DfE's external data shares, fetched with the other sources. No table is built "
        "from it: this is the loader's reading, for a person to check before any figure is taken from it.",
        "",
        *register,
        "",
        "## Checks",
        "",
        "- Every source was fetched and read in a layout the pack knows.",
        "- 650 seats (England 543, Wales 32, Scotland 57, Northern Ireland 18); local authority figures add "
        "up to England for every year and measure; the pupil denominators add up to England.",
    ]
    for max_rows in (MAX_FIGURE_ROWS, 50, 0):
        middle = (
            ["## Figures that changed", "", *_figures_section(figures, sources, max_rows), ""]
            if figures
            else []
        )
        report = "\n".join(head + middle + tail) + "\n"
        if len(report) <= MAX_REPORT_CHARS:
            break
    return report


def refresh(
    raw_dir: Path,
    data_dir: Path | None = None,
    report_path: Path | None = None,
    check_record_path: Path | None = None,
) -> RefreshResult:
    """Fetch, rebuild in a scratch folder, check; replace ``data_dir`` only if a figure or row changed.
    ``check_record_path`` gets the day of this check and the data version it leaves in ``data_dir``: when
    nothing changed, that is the published data, and the site can say it was checked today."""
    raw_dir = Path(raw_dir)
    data_dir = Path(data_dir or config.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="npd-refresh-") as scratch_name:
        scratch = Path(scratch_name)
        downloads, rebuilt = scratch / "downloads", scratch / "data"
        try:
            record = download.download_all(raw_dir, downloads, strict=True)
        except DataFileError as exc:
            source = _source_of_path(str(exc))
            raise _stopped((f"source {source}: " if source else "") + str(exc), scratch) from None
        shutil.copytree(data_dir, rebuilt, ignore=shutil.ignore_patterns("downloads"))
        try:
            manifest = curate.build_data(downloads, rebuilt)
        except DataFileError as exc:
            source = _source_of_path(str(exc))
            raise _stopped((f"source {source}: " if source else "") + str(exc), scratch) from None
        broken = invariants.problems(rebuilt)
        if broken:
            table, lines = next(iter(broken.items()))
            fetched = [s for s in TABLES[table].sources if s in record]
            raise _stopped(
                f"table {table} (from {', '.join(fetched or TABLES[table].sources)}): {'; '.join(lines[:3])}",
                scratch,
            )
        names = list(TABLES)
        before, after = read_tables(data_dir, names), read_tables(rebuilt, names)
        figures = figure_changes(before, after)
        differ = tables_differ(before, after)
        table_lines = describe_changes(before, after) if differ else []
        sources = {s["id"]: s for r in manifest["resources"] for s in r["sources"]}
        old_version = read_manifest(data_dir / "datapackage.json").get("data_version", "none")
        report = report_markdown(
            figures,
            table_lines,
            sources,
            record,
            register_lines(downloads / download.REGISTER_FILE),
            (old_version, manifest["data_version"]),
        )
        changed = bool(differ)
        if changed:
            for path in sorted(rebuilt.glob("*.csv")):
                write_whole(data_dir / path.name, path.read_bytes())
            write_whole(data_dir.parent / CITATION_FILE, (rebuilt.parent / CITATION_FILE).read_bytes())
            write_whole(data_dir / "datapackage.json", (rebuilt / "datapackage.json").read_bytes())
    if report_path:
        write_whole(Path(report_path), report.encode("utf-8"))
    if check_record_path:
        checked = {
            "checked": date.today().isoformat(),
            "data_version": read_manifest(data_dir / "datapackage.json")["data_version"],
        }
        write_whole(Path(check_record_path), (json.dumps(checked, indent=1) + "\n").encode("utf-8"))
    return RefreshResult(changed=changed, report=report)


def tell_github(result: RefreshResult | None, error: str = "") -> None:
    """On GitHub's runners: the step's ``changed`` output, and the report (or the error) in the job's
    summary. Elsewhere nothing."""
    output, summary = os.environ.get("GITHUB_OUTPUT"), os.environ.get("GITHUB_STEP_SUMMARY")
    if output and result is not None:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"changed={'true' if result.changed else 'false'}\n")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            if error:
                handle.write(
                    f"# Refresh failed\n\n{error}\n\nNothing was committed; the site is unchanged.\n"
                )
            elif result.changed:
                handle.write(
                    "Next, this run tests the new tables and builds and checks the site with them; the pull "
                    "request opens only if both pass (a red step below means it was not opened).\n\n"
                    + result.report
                )
            else:
                handle.write(
                    "# No figure changed\n\nThe newest releases hold the figures already published; "
                    "no pull request was opened.\n\n" + result.report.split("\n", 1)[1]
                )
