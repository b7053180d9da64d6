"""Command line: each subcommand maps one-to-one onto a package function.

``build.py data``     -> data.curate.build_data (``--download``: data.download.download_all first;
                         ``--download --strict --report FILE``: pipeline.refresh.refresh)
``build.py resolve``  -> seats.resolve.resolve
``build.py brief``    -> pipeline.brief.brief
``build.py all``      -> pipeline.batch.render_all
``build.py site``     -> site.build.build_site (``--check DIR``: site.check.check_site)

Errors a person can cause print one line to stderr and exit 2; nothing else is printed for them.
"""

import argparse
import logging
import sys
from pathlib import Path

from npd_briefing import config
from npd_briefing.exceptions import PackError


def _cmd_data(args: argparse.Namespace) -> int:
    from npd_briefing.data.curate import build_data
    from npd_briefing.data.manifest import read_manifest

    if args.strict or args.report or args.check_record:
        return _refresh(args)
    raw_dir, download_failures = Path(args.raw), []
    if args.download:
        from npd_briefing.data import download

        raw_dir = Path(args.download_dir or download.DOWNLOAD_DIR)
        record = download.download_all(Path(args.raw), raw_dir)
        print(*download.summary_lines(record), sep="\n")
        download_failures = download.failure_lines(record)
    before = (
        len(read_manifest(config.MANIFEST_PATH).get("changelog", [])) if config.MANIFEST_PATH.is_file() else 0
    )
    manifest = build_data(raw_dir, config.DATA_DIR, download_failures)
    for resource in manifest["resources"]:
        print(f"{resource['path']}\t{resource['rows']} rows\t{resource['sha256'][:12]}")
    new_entries = manifest["changelog"][before:]
    changes = [line for entry in new_entries for line in entry["changes"]]
    print("changes:", *(changes or ["none"]), sep="\n  ")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from npd_briefing.pipeline.refresh import refresh, tell_github

    if not (args.download and args.strict):
        raise PackError(
            "--strict, --report and --check-record go with --download and each other: "
            "build.py data --download --strict --report FILE --check-record FILE"
        )
    try:
        result = refresh(
            Path(args.raw),
            config.DATA_DIR,
            Path(args.report) if args.report else None,
            Path(args.check_record) if args.check_record else None,
        )
    except PackError as exc:
        tell_github(None, error=" ".join(str(exc).split()))
        raise
    tell_github(result)
    print(result.report, end="")
    print(
        "data/ updated: open a pull request with this report"
        if result.changed
        else "no figure changed: data/ left as it was"
    )
    return 0


def _cmd_resolve(args: argparse.Namespace) -> int:
    from npd_briefing.seats.resolve import resolve

    seat = resolve(args.query)
    print(f"{seat.gss_code}\t{seat.name}\t{seat.mp_display_name}")
    return 0


def _cmd_brief(args: argparse.Namespace) -> int:
    from npd_briefing.pipeline.brief import brief

    for path in brief(
        args.query,
        out_dir=args.out,
        formats=args.format,
        sender_name=args.sender_name,
        sender_address=args.sender_address.replace("\\n", "\n"),
        letter=args.letter,
        date=args.date,
    ):
        print(path)
    return 0


def _cmd_all(args: argparse.Namespace) -> int:
    from npd_briefing.pipeline.batch import render_all

    return render_all(
        out_dir=args.out,
        jobs=args.jobs,
        only=args.only,
        nation=args.nation,
        force=args.force,
        formats=args.format,
        date=args.date,
    ).exit_code


def _cmd_site(args: argparse.Namespace) -> int:
    if args.check is not None:
        from npd_briefing.site.check import check_site, report

        problems = check_site(args.check)
        print(report(args.check, problems), file=sys.stderr if problems else sys.stdout)
        return 2 if problems else 0
    from npd_briefing.site.build import build_site

    return build_site(
        out_dir=args.out,
        jobs=args.jobs,
        only=args.only,
        nation=args.nation,
        force=args.force,
        date=args.date,
        base_url=args.base_url,
        check_record=args.check_record,
    ).exit_code


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes get the same one-line error and exit 2 as any other bad input."""

    def error(self, message: str):
        self.exit(2, f"error: {' '.join(message.split())} (see python build.py --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="build.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    data = commands.add_parser("data", help="rebuild the curated tables in data/ from the raw files")
    data.add_argument(
        "--raw",
        default=str(config.RAW_DATA_DIR),
        help="folder laid out like raw/ (default: raw/)",
    )
    data.add_argument(
        "--download",
        action="store_true",
        help="first fetch the latest official files (needs internet) into --download-dir, files "
        "with no download address copied from --raw, then rebuild from that folder",
    )
    data.add_argument(
        "--download-dir",
        default=None,
        help="where --download puts the files (default: data/downloads, not committed)",
    )
    data.add_argument(
        "--strict",
        action="store_true",
        help="with --download: stop, naming the source and changing nothing, when any source fails, a "
        "layout is unknown or a rebuilt table breaks an invariant; rebuild in a scratch folder and replace "
        "data/ only when a figure changed (the scheduled refresh)",
    )
    data.add_argument(
        "--report",
        default=None,
        help="with --download --strict: write the change report, in Markdown, to this file",
    )
    data.add_argument(
        "--check-record",
        default=None,
        help="with --download --strict: write the day of this check and the data version it leaves in "
        "data/ to this file, for `build.py site --check-record`",
    )
    data.set_defaults(run=_cmd_data)

    resolve = commands.add_parser("resolve", help="print GSS code, seat name and MP for a query")
    resolve.add_argument("query", help="a seat name, GSS code (E14001063) or GB postcode")
    resolve.set_defaults(run=_cmd_resolve)

    brief = commands.add_parser("brief", help="render one seat's briefing PDF/HTML and meeting-request email")
    brief.add_argument("query", help="a seat name, GSS code or GB postcode")
    brief.add_argument(
        "--out", default=str(config.BRIEFING_OUT_DIR), help="output folder (default: %(default)s)"
    )
    brief.add_argument("--format", default="pdf", help="pdf, html or pdf,html (default: %(default)s)")
    brief.add_argument("--sender-name", default="", help="your name, for the letter and email")
    brief.add_argument(
        "--sender-address", default="", help="your address for the letter (use \\n for new lines)"
    )
    brief.add_argument(
        "--letter",
        default=None,
        help="your own letter in Markdown, with the same placeholders, "
        "or campaign-2017 for the campaign's original 2017 letter",
    )
    brief.add_argument("--date", default=None, help="date for the letter, YYYY-MM-DD (default: today)")
    brief.set_defaults(run=_cmd_brief)

    every = commands.add_parser("all", help="render every seat's briefing, skipping those already up to date")
    every.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    every.add_argument(
        "--out", default=str(config.BRIEFING_OUT_DIR), help="output folder (default: %(default)s)"
    )
    every.add_argument(
        "--only", default=None, help="GSS codes or seat names, comma-separated, or a file with one per line"
    )
    every.add_argument("--nation", default=None, help="England, Wales, Scotland or Northern Ireland")
    every.add_argument(
        "--force", action="store_true", help="render every seat even if its briefing is up to date"
    )
    every.add_argument("--format", default="pdf", help="pdf, html or pdf,html (default: %(default)s)")
    every.add_argument("--date", default=None, help="date for the letters, YYYY-MM-DD (default: today)")
    every.set_defaults(run=_cmd_all)

    site = commands.add_parser("site", help="build the campaign website: seat finder, seat pages, PDFs, CSV")
    site.add_argument("--out", default=str(config.SITE_OUT_DIR), help="output folder (default: %(default)s)")
    site.add_argument(
        "--only",
        default=None,
        help="render briefings only for these GSS codes or seat names (comma-separated, or a file); "
        "every seat still gets a page",
    )
    site.add_argument(
        "--nation",
        default=None,
        help="render briefings only for England, Wales, Scotland or Northern Ireland",
    )
    site.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    site.add_argument(
        "--force", action="store_true", help="render every chosen briefing even if it is up to date"
    )
    site.add_argument("--date", default=None, help="date for the letters, YYYY-MM-DD (default: today)")
    site.add_argument(
        "--base-url",
        default=None,
        help="the address the site is published at, e.g. https://owner.github.io/repo/: for canonical "
        "links, share tags and sitemap.xml (links between pages stay relative)",
    )
    site.add_argument(
        "--check-record",
        metavar="FILE",
        default=None,
        help="the record a refresh that found no figure changed wrote (build.py data --check-record): the "
        "pages then say the figures were last checked on its day",
    )
    site.add_argument(
        "--check",
        metavar="DIR",
        default=None,
        help="only check the built site in DIR (links, assets, seat pages, PDFs, seat finder, sizes): "
        "exit 2 listing the first problems",
    )
    site.set_defaults(run=_cmd_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except PackError as exc:
        message = " ".join(str(exc).split())
        print(f"error: {message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        # The kernel may die with us; asyncio would then report its orphaned task at exit.
        logging.getLogger("asyncio").addHandler(logging.NullHandler())
        print("error: interrupted; no partial files were left", file=sys.stderr)
        return 130
