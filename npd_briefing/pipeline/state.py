"""What a batch remembers between runs: per seat, the fingerprint of everything its files were made
from and the files' names, in ``<out>/.briefing-state.json``. A seat whose fingerprint is unchanged
and whose files are still there is skipped."""

import contextlib
import fcntl
import hashlib
import json
from pathlib import Path

from npd_briefing import __version__
from npd_briefing.disk_cache import shared_input_files
from npd_briefing.exceptions import OutputError
from npd_briefing.files import write_whole
from npd_briefing.pipeline.request import ANNEX_NOTEBOOK, BRIEFING_NOTEBOOK, BriefRequest

STATE_FILE = ".briefing-state.json"
LOCK_FILE = ".briefing-batch.lock"


def input_files() -> list[Path]:
    """Every file a seat's files are made from, besides its parameters: its notebook, and the annex's,
    since the draft email attaches the annex."""
    return [BRIEFING_NOTEBOOK, ANNEX_NOTEBOOK, *shared_input_files()]


def seat_fingerprint(request: BriefRequest, inputs: str) -> str:
    """What one seat's files depend on: the shared inputs, its notebook parameters, its formats."""
    payload = json.dumps(
        {
            "inputs": inputs,
            "parameters": request.notebook_parameters(),
            "formats": list(request.formats),
            "email_draft": request.email_draft,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def load_state(out_dir: Path) -> dict[str, dict]:
    """Per seat, the fingerprint and file names of its last good render; empty if unreadable."""
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        seats = state["seats"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return seats if isinstance(seats, dict) else {}


def save_state(out_dir: Path, seats: dict[str, dict]) -> None:
    """Written after every seat, so on one line: with ``indent`` json encodes in Python, six times slower."""
    payload = json.dumps({"pack_version": __version__, "seats": dict(sorted(seats.items()))})
    write_whole(out_dir / STATE_FILE, payload.encode("utf-8"))


def is_current(entry: dict | None, fingerprint: str, out_dir: Path) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("fingerprint") == fingerprint
        and bool(entry.get("files"))
        and all((out_dir / name).is_file() for name in entry["files"])
    )


@contextlib.contextmanager
def only_batch_in(out_dir: Path):
    """Hold the folder for one batch: a second batch into the same folder would overwrite the state
    file with only its own seats, so it refuses at once. The lock goes when the process does."""
    with open(out_dir / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"{out_dir}: another batch is writing briefings to this folder; wait for it to "
                "finish or give another --out"
            ) from None
        yield
