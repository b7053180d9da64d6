"""Work that is the same for many seats, kept on disk by the hash of everything it is made from.

The national annex and each local authority's charts are built once and reused by every worker,
every seat and every later run, until an input changes: the key is the hash of the pack's version,
the data (through the manifest, which holds every table's sha256), the templates and the code. An
entry is written whole (temporary file, then rename), so a reader never sees half of one, and two
processes that build the same entry at once both write the same bytes.
"""

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from npd_briefing import __version__, caches, config
from npd_briefing.files import make_folder, write_whole


def shared_input_files() -> list[Path]:
    """The files every rendered document is made from: the data (through its manifest), the
    templates and the package's code; not the website's own, so that editing a web page does not
    re-render 650 briefings."""
    def used(path: Path) -> bool:
        return (path.is_file() and not path.is_relative_to(config.SITE_TEMPLATES_DIR)
                and not path.is_relative_to(config.SITE_PACKAGE_DIR))

    return [config.MANIFEST_PATH, *sorted(path for path in config.TEMPLATES_DIR.rglob("*") if used(path)),
            *sorted(path for path in config.PACKAGE_DIR.rglob("*.py") if used(path))]


def inputs_digest(paths: list[Path]) -> str:
    """sha256 of the pack version and each file's name and bytes."""
    digest = hashlib.sha256(f"npd_briefing {__version__}\n".encode())
    for path in paths:
        digest.update(f"{os.path.relpath(path, config.ROOT)}\0".encode())
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


@caches.per_process
def shared_digest() -> str:
    """The hash of the shared inputs, read once per process (a batch's inputs do not change under it)."""
    return inputs_digest(shared_input_files())


def entry(kind: str, name: str) -> Path:
    """Where the entry ``name`` of ``kind`` lives for the current inputs."""
    return config.CACHE_DIR / kind / shared_digest()[:20] / name


def text(kind: str, name: str, build: Callable[[], str]) -> str:
    """The cached text, or ``build()`` saved for next time."""
    path = entry(kind, name)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    value = build()
    make_folder(path.parent)
    write_whole(path, value.encode("utf-8"))
    return value


def prune(kind: str) -> None:
    """Remove the entries of ``kind`` made from other inputs than today's."""
    current = entry(kind, "").parent.name
    folder = config.CACHE_DIR / kind
    for old in folder.iterdir() if folder.is_dir() else ():
        if old.is_dir() and old.name != current:
            shutil.rmtree(old, ignore_errors=True)
