"""raw/ is what the committed tables were built from: a fork that has only the repository can rebuild
data/ and run the refresh."""

from npd_briefing import config
from npd_briefing.data.manifest import read_manifest, sha256_of
from npd_briefing.data.sources import SOURCES


def test_every_source_read_from_the_raw_folder_is_committed_in_it():
    missing = [
        meta["path"]
        for meta in SOURCES.values()
        if not meta.get("in_checkout") and not (config.RAW_DATA_DIR / meta["path"]).is_file()
    ]
    # The state-funded pupils by phase file is written only by a download (no raw copy exists).
    assert missing == [SOURCES["spc_school_characteristics"]["path"]]
    for provenance in ("constituencies/PROVENANCE.md", "dfe/PROVENANCE.md"):
        assert (config.RAW_DATA_DIR / provenance).is_file(), provenance


def test_each_raw_file_has_the_sha256_the_manifest_records_for_it():
    """A source read from a download records that download's hash instead, so it is left out."""
    checked = 0
    for resource in read_manifest()["resources"]:
        for source in resource["sources"]:
            if "raw_file" not in source or "download_url" in source or "raw_sha256" not in source:
                continue
            path = config.RAW_DATA_DIR / source["raw_file"]
            assert sha256_of(path) == source["raw_sha256"], (
                f"{path} differs from the one data/ was built from"
            )
            checked += 1
    assert checked, "no raw file's hash is recorded in data/datapackage.json"
