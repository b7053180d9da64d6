"""Work that is the same for many seats, kept on disk by the hash of everything it is made from.

The national annex is keyed by the hash of the pack's version, all the data (through the manifest,
which holds every table's sha256), the templates and the code. A chart is keyed by the code and
templates and only the tables it reads (``text``'s ``data_digest``), so a new MP does not redraw an
authority's charts while a corrected AP figure does. An entry is written whole (temporary file, then
rename), so a reader never sees half of one, and two processes that build the same entry at once
both write the same bytes.
"""

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from npd_briefing import __version__, caches, config
from npd_briefing.files import make_folder, write_whole


def code_files() -> list[Path]:
    """The templates and the package's code a rendered document is made from; not the website's own,
    so that editing a web page does not re-render 650 briefings."""

    def used(path: Path) -> bool:
        return (
            path.is_file()
            and not path.is_relative_to(config.SITE_TEMPLATES_DIR)
            and not path.is_relative_to(config.SITE_PACKAGE_DIR)
        )

    return [
        *sorted(path for path in config.TEMPLATES_DIR.rglob("*") if used(path)),
        *sorted(path for path in config.PACKAGE_DIR.rglob("*.py") if used(path)),
    ]


def shared_input_files() -> list[Path]:
    """The files every briefing and the annex are made from: all the data (their pages print its
    version), through its manifest, and the code."""
    return [config.MANIFEST_PATH, *code_files()]


def inputs_digest(paths: list[Path]) -> str:
    """sha256 of the pack version and each file's name and bytes."""
    digest = hashlib.sha256(f"npd_briefing {__version__}\n".encode())
    for path in paths:
        digest.update(f"{os.path.relpath(path, config.ROOT)}\0".encode())
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


@caches.per_process
def code_digest() -> str:
    """The hash of the code and templates, read once per process (a batch's code does not change under it)."""
    return inputs_digest(code_files())


def entry(kind: str, name: str, data_digest: str) -> Path:
    """Where the entry ``name`` of ``kind`` lives for the current code and the data ``data_digest``
    stands for: ``<kind>/<code hash>/<stem>.<data hash><suffix>``."""
    stem, suffix = os.path.splitext(name)
    return config.CACHE_DIR / kind / code_digest()[:20] / f"{stem}.{data_digest[:20]}{suffix}"


def text(kind: str, name: str, build: Callable[[], str], *, data_digest: str) -> str:
    """The cached text, or ``build()`` saved for next time in place of the same entry made from
    other data."""
    path = entry(kind, name, data_digest)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    value = build()
    make_folder(path.parent)
    write_whole(path, value.encode("utf-8"))
    stem, suffix = os.path.splitext(name)
    for older in path.parent.glob(f"{stem}.*{suffix}"):  # same length: not another entry whose stem has a dot
        if older != path and len(older.name) == len(path.name):
            older.unlink(missing_ok=True)
    return value


def prune(kind: str) -> None:
    """Remove the entries of ``kind`` made from other code than today's."""
    current = code_digest()[:20]
    folder = config.CACHE_DIR / kind
    for old in folder.iterdir() if folder.is_dir() else ():
        if old.is_dir() and old.name != current:
            shutil.rmtree(old, ignore_errors=True)
