"""Evidence and briefing pack on children's privacy in England's school data.

Logic for the curated data, the seat resolver, charts and briefings lives here; the notebooks and
``build.py`` only call into it.
"""

import tomllib
from pathlib import Path


def _version() -> str:
    """The version in pyproject.toml's ``[project]`` table, the one place it is kept: read from the
    checkout the package runs from (so an edit shows without reinstalling), or from the installed
    package's metadata where there is no checkout."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        with open(pyproject, "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    from importlib import metadata  # an installed copy only: a checkout need not import it

    return metadata.version("npd-briefing")


__version__ = _version()
