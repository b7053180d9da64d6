"""The national annex PDF: rendered once for given inputs and copied beside every briefing.

The annex is the same for every seat, so it is built from ``notebooks/national_annex.ipynb`` only
when one of its inputs (the data, the notebook, the templates, the package, the pack version)
changes: the PDF is kept in ``config.CACHE_DIR`` under the hash of those inputs, outside any output
folder, and copied into each output folder that needs it. A lock makes a second process that wants
the same annex wait for the first rather than build it again.
"""

import fcntl
import os
from pathlib import Path

from npd_briefing import config
from npd_briefing.disk_cache import inputs_digest, shared_input_files
from npd_briefing.files import make_folder, write_output, write_whole
from npd_briefing.pipeline.request import ANNEX_NOTEBOOK

ANNEX_TITLE = "Children's privacy in England's school data: the national annex"


def annex_digest() -> str:
    """The hash of everything the annex is made from."""
    return inputs_digest([ANNEX_NOTEBOOK, *shared_input_files()])


def cached_annex(*, kernel=None) -> Path:
    """The annex PDF for the current inputs, built now if the cache does not hold it yet."""
    folder = make_folder(config.CACHE_DIR / "annex")
    path = folder / f"{annex_digest()}.pdf"
    if path.is_file():
        return path
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if the build fails
        if not path.is_file():  # another process may have built it while this one waited
            write_whole(path, _render(kernel))
            for older in folder.glob("*.pdf"):  # annexes made from earlier inputs
                if older != path:
                    older.unlink(missing_ok=True)
    return path


def _render(kernel) -> bytes:
    from npd_briefing.pipeline.html import notebook_to_html
    from npd_briefing.pipeline.notebook import execute_notebook
    from npd_briefing.pipeline.pdf import html_to_pdf_bytes

    page = notebook_to_html(execute_notebook(ANNEX_NOTEBOOK, {}, kernel=kernel), title=ANNEX_TITLE)
    return html_to_pdf_bytes(page, title=ANNEX_TITLE)


def copy_annex(out_dir: Path, source: Path | None = None, *, kernel=None) -> tuple[Path, bool]:
    """``out_dir/national-annex.pdf``, the current annex (``source``, or the cache's), written only if it
    is missing or different; and whether this call wrote it, so a failed seat can take it back."""
    source = source or cached_annex(kernel=kernel)
    target = make_folder(out_dir) / config.ANNEX_FILE
    payload = source.read_bytes()
    if target.is_file() and os.path.getsize(target) == len(payload) and target.read_bytes() == payload:
        return target, False
    write_output(target, payload)
    return target, True
