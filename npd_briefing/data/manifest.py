"""The data package: ``data/datapackage.json`` describes every curated table (frictionless style).

Per table it records the sources (repository, commit, URL, publisher, licences, when the publisher
``published`` the figures and when the pack ``retrieved`` its copy, and for a file fetched by
``build.py data --download`` its download URL and sha256), the sha256 and row count of the committed
CSV, its fields and caveats. The top-level ``data_version`` names this state of the data (the newest
retrieval date, then a hash of every table's hash), so it changes whenever any table does; a change
log keeps one entry per rebuild that changed anything (the report :mod:`.changes` writes).
"""

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from npd_briefing import config
from npd_briefing.data.sources import ATTRIBUTIONS, SOURCES, raw_file
from npd_briefing.data.tables import TABLES
from npd_briefing.exceptions import DataFileError
from npd_briefing.files import write_whole

if TYPE_CHECKING:
    import pandas as pd

REBUILD_HINT = (
    "rebuild the curated tables with `python build.py data` (or restore them with git checkout data/)"
)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_csv_bytes(frame: "pd.DataFrame") -> bytes:
    """The committed CSV form of a table: UTF-8, no BOM, LF line ends, no index."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def read_manifest(path: Path = config.MANIFEST_PATH) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise DataFileError(f"{path}: data manifest not found; {REBUILD_HINT}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: data manifest is not valid JSON ({exc}); {REBUILD_HINT}") from None


def _source_entry(source_id: str, raw_dir: Path, sources: dict[str, dict]) -> dict:
    meta = sources[source_id]
    raw_path = raw_file(raw_dir, meta)
    entry = {
        "id": source_id,
        **{k: v for k, v in meta.items() if k not in ("path", "in_checkout")},
        ("checkout_file" if meta.get("in_checkout") else "raw_file"): meta["path"],
    }
    if raw_path.is_file():
        entry["raw_sha256"] = sha256_of(raw_path)
    return entry


def data_version(resources: list[dict], sources: dict[str, dict]) -> str:
    """ "2026-11-29.1a2b3c4d": the newest date any source was retrieved, then the first 8 hex digits of a
    sha256 over each table's name and sha256 (in the manifest's order)."""
    retrieved = [
        s["retrieved"] for s in sources.values() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s["retrieved"])
    ]
    tables = "".join(f"{resource['name']} {resource['sha256']}\n" for resource in resources)
    return f"{max(retrieved)}.{hashlib.sha256(tables.encode()).hexdigest()[:8]}"


def write_manifest(
    tables: "dict[str, pd.DataFrame]",
    caveats: dict[str, list[str]],
    raw_dir: Path,
    data_dir: Path,
    pack_version: str,
    changes: list[str],
    sources: dict[str, dict] = SOURCES,
) -> dict:
    """Write every table and the manifest describing it; append ``changes`` to the change log unless
    it is empty. ``sources`` is SOURCES with any download record merged in."""
    data_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = data_dir / "datapackage.json"
    previous = read_manifest(manifest_path) if manifest_path.is_file() else {"resources": [], "changelog": []}
    resources = []
    for name, frame in tables.items():
        source_ids = TABLES[name].sources
        payload = table_csv_bytes(frame)
        write_whole(data_dir / TABLES[name].path, payload)
        licences = sorted({lic for sid in source_ids for lic in sources[sid]["licences"]})
        resources.append(
            {
                "name": name,
                "path": TABLES[name].path,
                "format": "csv",
                "encoding": "utf-8",
                "sha256": hashlib.sha256(payload).hexdigest(),
                "rows": len(frame),
                "schema": {
                    "fields": [{"name": col, "type": typ} for col, typ in TABLES[name].columns.items()]
                },
                "licences": licences,
                "attribution": [ATTRIBUTIONS[lic] for lic in licences if lic in ATTRIBUTIONS],
                "sources": [_source_entry(sid, raw_dir, sources) for sid in source_ids],
                "caveats": caveats[name],
            }
        )
    changelog = list(previous.get("changelog", []))
    if changes:
        changelog.append({"date": date.today().isoformat(), "pack_version": pack_version, "changes": changes})
    manifest = {
        "name": "npd-briefing-curated-data",
        "title": "Curated public data for the NPD and alternative provision briefing pack",
        "profile": "data-package",
        "pack_version": pack_version,
        "data_version": data_version(resources, sources),
        "rebuild": "python build.py data [--raw DIR]",
        "resources": resources,
        "changelog": changelog,
    }
    write_whole(manifest_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return manifest
