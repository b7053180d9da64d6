"""Write a file whole or not at all: every table, PDF, HTML page, draft email and state file.

The bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the
target, so a reader (or a batch interrupted mid-write) never sees half a file; on any failure,
an interrupt included, the temporary file is removed and the old file, if any, is left as it was.
"""

import os
import secrets
from pathlib import Path

from npd_briefing.exceptions import OutputError


def write_whole(path: Path, payload: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``payload`` atomically; the folder must exist. Raises OSError."""
    path = Path(path)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "xb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_output(path: Path, payload: bytes, *, mode: int = 0o644) -> None:
    """:func:`write_whole` for a file a person asked for: a failure is one OutputError naming it."""
    try:
        write_whole(path, payload, mode=mode)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def make_folder(path: str | Path) -> Path:
    """Create an output folder (and its parents) if needed; a failure is one OutputError naming it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL character
        raise OutputError(
            f"cannot create the output folder {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    return path
