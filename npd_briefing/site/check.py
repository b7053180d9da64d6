"""``build.py site --check DIR``: a built site checked as a host would serve it, before it is published.

Every link and asset a page, style sheet, sitemap or email draft refers to must be a file in the
folder (the 404 page's links start from the site's path, which the home page's canonical link
gives when there is one); every seat has its page; the seat finder's lookup file answers every seat
name with that seat and its page, folding names as the page's own script does; and the folder
keeps within :data:`BUDGETS`. ``build.py site`` runs the same check before it finishes.
"""

import hashlib
import json
import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from npd_briefing import caches
from npd_briefing.pipeline.request import output_stem
from npd_briefing.seats.resolve import default_resolver

SEATS_DIR = "seats"
BRIEFINGS_DIR = "briefings"
NOT_FOUND_PAGE = "404.html"
SITEMAP = "sitemap.xml"
SHOWN_PROBLEMS = 20  # the first problems printed; the count says how many more there are


@dataclass(frozen=True)
class Budget:
    limit: int
    reason: str


# What the site may weigh, and why.
BUDGETS = {
    "site": Budget(1_000_000_000, "GitHub Pages publishes sites of up to 1 GB"),
    "file": Budget(100_000_000, "GitHub refuses files over 100 MB"),
    "page": Budget(
        100_000,
        "a page with the scripts and styles it loads: what a phone on a slow connection fetches "
        "before the page works",
    ),
    "lookup": Budget(
        450_000,
        "the seat finder's lookup file, fetched before the first answer (mySociety's "
        "postcode ranges alone are 434 KB)",
    ),
}


class _Page(HTMLParser):
    """The URLs a page refers to, its element ids, its canonical link and its email draft's data."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.assets: list[str] = []
        self.ids: set[str] = set()
        self.canonical: str | None = None
        self.lookup: str | None = None
        self.draft_data = ""
        self._in_draft = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src", "data-lookup"):
            if attrs.get(name):
                self.urls.append(attrs[name])
                if tag in ("script", "img") or (tag == "link" and attrs.get("rel") != "canonical"):
                    self.assets.append(attrs[name])
        if tag == "meta" and attrs.get("property") in ("og:url", "og:image") and attrs.get("content"):
            self.urls.append(attrs["content"])
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs.get("href")
        if attrs.get("data-lookup"):
            self.lookup = attrs["data-lookup"]
        self._in_draft = tag == "script" and attrs.get("id") == "draft-data"

    def handle_endtag(self, tag):
        self._in_draft = False

    def handle_data(self, data):
        if self._in_draft:
            self.draft_data += data


# Parsed pages by their text's digest: checks of copies of one site (the site's tests break one thing in
# each copy) parse each distinct page once. Callers must not change a parsed page.
_PARSED: dict[bytes, _Page] = {}
caches.register(_PARSED.clear)


def _parse(path: Path) -> _Page:
    text = path.read_text(encoding="utf-8")
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    page = _PARSED.get(digest)
    if page is None:
        page = _Page()
        page.feed(text)
        _PARSED[digest] = page
    return page


class _Site:
    """Resolves what a file in the site refers to, to a file in the site."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.files = {path for path in self.root.rglob("*") if path.is_file()}
        index = root / "index.html"
        canonical = _parse(index).canonical if index.is_file() else None
        self.base_url = canonical
        self.base_path = urlsplit(canonical).path if canonical else "/"

    def target(self, source: Path, url: str) -> Path | None:
        """The file ``url`` points at, or None when it leaves the site (another host, mailto)."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            if self.base_url and url.startswith(self.base_url):
                path = url[len(self.base_url) :].split("#")[0].split("?")[0]
                return self.root / unquote(path or "index.html")
            return None
        if not parts.path:
            return source
        path = unquote(parts.path)
        if path.startswith("/"):
            if not path.startswith(self.base_path):
                return self.root / "\0outside"
            target = self.root / path[len(self.base_path) :]
        else:
            target = source.parent / path
        return target / "index.html" if path.endswith("/") else target

    @staticmethod
    def normal(target: Path) -> Path:
        """``target`` with any "." and ".." taken out."""
        return Path(os.path.normpath(target))

    def exists(self, target: Path) -> bool:
        return self.normal(target) in self.files

    def name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)


def decode_steps(text: str) -> list[int]:
    """Numbers stored as the steps between them, in base 36 (the lookup file's form)."""
    values, value = [], 0
    for part in text.split(",") if text else []:
        value += int(part, 36)
        values.append(value)
    return values


def in_ranges(ranges: list[int], code: int) -> bool:
    """Whether ``code`` lies in one of the inclusive ranges ``[first, last, first, last, ...]``."""
    position = bisect_right(ranges, code)
    return position % 2 == 1 or (position > 0 and ranges[position - 1] == code)


def browser_folding(characters: dict) -> tuple[list[int], dict[int, str]]:
    """The lookup file's folding tables: code points that vanish, and what others fold to."""
    return decode_steps(characters["vanish"]), dict(
        zip(decode_steps(characters["fold_codes"]), characters["fold"].split(","), strict=True)
    )


def browser_fold(text: str, folding: tuple[list[int], dict[int, str]]) -> str:
    """What the page's finder.js does to a name: each character on its own, from the lookup file's
    tables, then runs of spaces made one."""
    vanish, folds = folding
    out = []
    for char in text:
        code = ord(char)
        if code < 0x80:
            lower = char.lower()
            out.append(" and " if char == "&" else lower if re.fullmatch("[0-9a-z]", lower) else " ")
        elif not in_ranges(vanish, code):
            out.append(folds.get(code, " "))
    return " ".join(word for word in "".join(out).split(" ") if word)


def lookup_problems(site: _Site, lookup: Path) -> list[str]:
    """Each seat name (English and Welsh) looked up in the lookup file as the page does: it must
    find that seat alone, and the page the answer links to must be in the site."""
    try:
        data = json.loads(lookup.read_bytes())
        folding = browser_folding(data["characters"])
        rows = data["seats"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{site.name(lookup)}: not a seat lookup file ({exc})"]
    by_name: dict[str, list[str]] = {}
    for row in rows:
        for name in {row[1], row[2]} - {""}:
            by_name.setdefault(browser_fold(name, folding), []).append(row[0])
    problems = []
    for row in rows:
        for name in {row[1], row[2]} - {""}:
            found = by_name[browser_fold(name, folding)]
            if found != [row[0]]:
                problems.append(
                    f"{site.name(lookup)}: the seat finder answers {name!r} with {', '.join(found)}"
                )
        page = f"{SEATS_DIR}/{row[0]}-{browser_fold(row[1], folding).replace(' ', '-')}.html"
        if not site.exists(site.root / page):
            problems.append(
                f"{site.name(lookup)}: the seat finder links {row[1]!r} to {page}, which is missing"
            )
    codes = {row[0] for row in rows}
    problems += [
        f"{site.name(lookup)}: seat {seat.name} ({seat.gss_code}) is not in the seat finder"
        for seat in default_resolver().seats()
        if seat.gss_code not in codes
    ]
    return problems


def _link_problem(site: _Site, source: Path, url: str, ids: set[str]) -> str | None:
    target = site.target(source, url)
    if target is None:
        return None
    fragment = urlsplit(url).fragment
    if target == source and fragment and fragment not in ids:
        return f"{site.name(source)}: links to #{fragment}, which is not on the page"
    if target != source and not site.exists(target):
        kind = "the PDF" if target.suffix.lower() == ".pdf" else ""
        return f"{site.name(source)}: links to {kind + ' ' if kind else ''}{url}, which is not in the site"
    return None


def _page_problems(site: _Site, path: Path, sizes: dict[Path, int]) -> list[str]:
    page = _parse(path)
    urls = list(page.urls)
    if page.draft_data:
        try:
            urls += [attachment["href"] for attachment in json.loads(page.draft_data)["attachments"]]
        except (ValueError, KeyError, TypeError):
            return [f"{site.name(path)}: its email draft's data cannot be read"]
    problems = [problem for url in urls if (problem := _link_problem(site, path, url, page.ids))]
    loaded = {site.normal(target) for url in page.assets if (target := site.target(path, url))}
    if page.lookup:
        lookup = site.target(path, page.lookup)
        if site.exists(lookup):
            problems += lookup_problems(site, lookup)
    weight = sizes[path] + sum(sizes.get(site.normal(asset), 0) for asset in loaded)
    if weight > BUDGETS["page"].limit:
        problems.append(
            f"{site.name(path)}: weighs {weight:,} bytes with its scripts and styles, over "
            f"the budget of {BUDGETS['page'].limit:,} ({BUDGETS['page'].reason})"
        )
    return problems


def check_site(out_dir: str | Path) -> list[str]:
    """Every problem found in the built site in ``out_dir``, one line each (none: it may be published)."""
    root = Path(out_dir)
    if not (root / "index.html").is_file():
        return [
            f"{root}: no site here (index.html is missing); build one with python build.py site --out DIR"
        ]
    site = _Site(root)
    files = sorted(site.files)
    sizes = {path: path.stat().st_size for path in files}
    problems = []
    for path in files:
        if path.suffix == ".html" and path.parent.name != BRIEFINGS_DIR:
            problems += _page_problems(site, path, sizes)
        elif path.suffix == ".css":
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text(encoding="utf-8")):
                if not url.startswith("data:") and (problem := _link_problem(site, path, url, set())):
                    problems.append(problem)
        elif path.name == SITEMAP and path.parent == site.root:
            for url in re.findall(r"<loc>([^<]*)</loc>", path.read_text(encoding="utf-8")):
                target = site.target(path, url)
                if target is None or not site.exists(target):
                    problems.append(f"{SITEMAP}: lists {url}, which is not a page of this site")
        if sizes[path] > BUDGETS["file"].limit:
            problems.append(f"{site.name(path)}: {sizes[path]:,} bytes, over {BUDGETS['file'].reason}")
        if path.name.startswith("lookup-") and sizes[path] > BUDGETS["lookup"].limit:
            problems.append(
                f"{site.name(path)}: {sizes[path]:,} bytes, over the budget of "
                f"{BUDGETS['lookup'].limit:,} for {BUDGETS['lookup'].reason}"
            )
    if not (site.root / NOT_FOUND_PAGE).is_file():
        problems.append(f"{NOT_FOUND_PAGE} is missing: hosts show it for any address that is not in the site")
    problems += [
        f"{SEATS_DIR}/{output_stem(seat)}.html is missing: {seat.name} ({seat.gss_code}) has no page"
        for seat in default_resolver().seats()
        if not (site.root / SEATS_DIR / f"{output_stem(seat)}.html").is_file()
    ]
    total = sum(sizes.values())
    if total > BUDGETS["site"].limit:
        problems.append(
            f"the site weighs {total:,} bytes, over {BUDGETS['site'].limit:,}: {BUDGETS['site'].reason}"
        )
    return problems


def report(out_dir: str | Path, problems: list[str]) -> str:
    """The check's verdict: one line when it passes, else the count and the first problems."""
    if not problems:
        return f"site check: {out_dir} passes (links, assets, seat pages, PDFs, the seat finder, sizes)"
    more = len(problems) - SHOWN_PROBLEMS
    return "\n".join(
        [f"site check: {len(problems)} problem{'s' * (len(problems) > 1)} in {out_dir}:"]
        + problems[:SHOWN_PROBLEMS]
        + ([f"... and {more} more"] if more > 0 else [])
    )
