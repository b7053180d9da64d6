"""``CITATION.cff`` at the repository root, so researchers can cite the pack and the state of its data.

Written by ``build.py data`` with the manifest's ``data_version``, so the two never disagree
(a test checks it). Citation File Format 1.2.0: https://citation-file-format.github.io/
"""

import json
from pathlib import Path

from npd_briefing.files import write_whole

CITATION_FILE = "CITATION.cff"

TITLE = "Children's privacy in England's school data: an evidence and briefing pack"
ABSTRACT = (
    "Curated public data on the National Pupil Database (NPD) and the alternative provision (AP) census "
    "in England, with the code that renders a briefing per parliamentary constituency and the research "
    "notebooks. Every figure's source, publisher, licence, publication and retrieval dates, sha256 and "
    "row count are recorded in data/datapackage.json."
)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def citation_cff(pack_version: str, data_version: str) -> str:
    """The file's text: the pack as software at ``pack_version``, its curated data as a referenced data set
    at ``data_version``."""
    return f"""cff-version: 1.2.0
message: {
        _quoted(
            f"If you use this pack or its curated data, please cite it as below, with the data version "
            f"({data_version}) of data/datapackage.json."
        )
    }
type: software
title: {_quoted(TITLE)}
version: {_quoted(pack_version)}
abstract: {_quoted(ABSTRACT)}
authors:
  - name: "The npd_briefing contributors"
keywords:
  - "National Pupil Database"
  - "alternative provision"
  - "children's privacy"
  - "England"
references:
  - type: data
    title: {
        _quoted(
            "Curated public data for the NPD and alternative provision briefing pack (data/datapackage.json)"
        )
    }
    version: {_quoted(data_version)}
    authors:
      - name: "The npd_briefing contributors"
    notes: {
        _quoted(
            "Derived from Department for Education, ONS, UK Parliament and mySociety files; each "
            "table's sources and licences are in data/datapackage.json."
        )
    }
"""


def write_citation(path: Path, pack_version: str, data_version: str) -> None:
    write_whole(Path(path), citation_cff(pack_version, data_version).encode("utf-8"))
