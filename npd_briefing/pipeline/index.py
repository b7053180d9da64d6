"""``index.html`` of a batch's folder: every briefing in it, by nation and region, with the seat's MP."""

import urllib.parse
from pathlib import Path

from npd_briefing import __version__, config
from npd_briefing.files import write_whole
from npd_briefing.pipeline.selection import NATIONS
from npd_briefing.seats.resolve import default_resolver
from npd_briefing.templates import render

INDEX_FILE = "index.html"


def _nation_order(nation: str) -> tuple[int, str]:
    return (NATIONS.index(nation) if nation in NATIONS else len(NATIONS), nation)


def write_index(out_dir: Path, state: dict[str, dict]) -> Path:
    """``index.html``: every briefing in the folder, by nation and region, with the seat's MP."""
    resolver = default_resolver()
    groups: dict[str, dict[str, list[dict]]] = {}  # nation -> region -> seats
    for code, entry in state.items():
        links = [
            urllib.parse.quote(name)
            for name in entry.get("files", [])
            if name.endswith((".pdf", ".html")) and (out_dir / name).is_file()
        ]
        try:
            seat = resolver.by_code(code)
        except KeyError:  # a seat the current data no longer has
            continue
        if links:
            groups.setdefault(seat.nation, {}).setdefault(seat.region, []).append(
                {"seat": seat, "links": links}
            )
    nations = [
        (
            nation,
            [
                (region, sorted(seats, key=lambda item: item["seat"].name))
                for region, seats in sorted(groups[nation].items())
            ],
        )
        for nation in sorted(groups, key=_nation_order)
    ]
    count = sum(len(seats) for regions in groups.values() for seats in regions.values())
    annex = config.ANNEX_FILE if (out_dir / config.ANNEX_FILE).is_file() else None
    page = render("index.html.j2", nations=nations, count=count, version=__version__, annex=annex)
    path = out_dir / INDEX_FILE
    write_whole(path, page.encode("utf-8"))
    return path
