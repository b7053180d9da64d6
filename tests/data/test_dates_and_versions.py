"""Dates that mean one thing (published, retrieved), the manifest's data version and CITATION.cff."""

import hashlib
import json
import re

import yaml

from npd_briefing import __version__, config
from npd_briefing.data import curate, datasets
from npd_briefing.data.manifest import read_manifest
from npd_briefing.data.sources import NOT_RECORDED, PER_ROW, SOURCES
from tests.data.conftest import read, write

DATE = r"\d{4}-\d{2}-\d{2}"
MONTH_OR_DATE = r"\d{4}-\d{2}(-\d{2})?"
# The days the raw copies were collected or typed in (dfe/PROVENANCE.md): never a publication date.
COLLECTION_DAYS = {"2026-11-28", "2026-11-29"}
# A source whose publisher really published on its retrieval day would be listed here, with why.
PUBLISHED_ON_RETRIEVAL_DAY: dict[str, str] = {}


def manifest_sources():
    return [source for resource in read_manifest()["resources"] for source in resource["sources"]]


def test_every_source_says_when_published_and_when_retrieved():
    manifest = read_manifest()
    assert '"release_date"' not in json.dumps(manifest)
    for source in manifest_sources():
        published = source["published"]
        assert re.fullmatch(MONTH_OR_DATE, published) or published in {NOT_RECORDED, PER_ROW}, source
        assert re.fullmatch(DATE, source["retrieved"]) or source["retrieved"] == NOT_RECORDED, source
        if source.get("commit_date"):
            assert all(re.fullmatch(DATE, day) for day in source["commit_date"].split("; ")), source
        if "download_url" in source:  # fetched by a refresh: dated as the service gives it, on the day
            assert re.fullmatch(DATE, source["retrieved"]) and source["download_sha256"], source
        else:  # the raw copy: as its PROVENANCE.md records it
            raw = SOURCES[source["id"]]
            assert (source["published"], source["retrieved"]) == (raw["published"], raw["retrieved"]), source
            assert source.get("commit_date", "") == raw.get("commit_date", ""), source
    # What the raw copies' PROVENANCE.md records (fixed: a refresh adds downloads beside them).
    assert SOURCES["ap_census_totals"]["published"] == "2023-06"  # EES SPC 2022/23, June 2023
    assert SOURCES["ap_census_totals"]["commit_date"] == "2024-01-09"  # the dashboard's commit, not a release
    assert SOURCES["ap_counts_by_provision"]["published"] == NOT_RECORDED
    by_id = {source["id"]: source for source in manifest_sources()}
    assert by_id["npd_key_facts"]["published"] == PER_ROW


def test_no_published_date_is_a_transcription_or_retrieval_date():
    for source in manifest_sources() + [{"id": sid, **meta} for sid, meta in SOURCES.items()]:
        if source["id"] in PUBLISHED_ON_RETRIEVAL_DAY:
            continue
        if re.fullmatch(MONTH_OR_DATE, source["published"]):
            assert source["published"] not in COLLECTION_DAYS | {source["retrieved"]}, source["id"]
    for source in SOURCES.values():
        if source["publisher"].startswith("Various"):  # typed in by hand: each row has its own source date
            assert source["published"] == PER_ROW


def test_the_data_version_names_every_table():
    manifest = read_manifest()
    tables = "".join(f"{r['name']} {r['sha256']}\n" for r in manifest["resources"])
    newest = max(s["retrieved"] for s in manifest_sources() if re.fullmatch(DATE, s["retrieved"]))
    assert manifest["data_version"] == f"{newest}.{hashlib.sha256(tables.encode()).hexdigest()[:8]}"
    # Never older than the newest raw copy the pack holds (the curated primary citations, 2026-12-04).
    assert newest >= max(s["retrieved"] for s in SOURCES.values() if re.fullmatch(DATE, s["retrieved"]))
    assert datasets.data_version() == manifest["data_version"]


def test_the_data_version_changes_when_a_table_does(raw, tmp_path):
    first = curate.build_data(raw, tmp_path / "data")["data_version"]
    assert curate.build_data(raw, tmp_path / "data")["data_version"] == first
    path = SOURCES["national_ap_figures"]["path"]
    figures = read(raw, path)
    figures.loc[0, "value"] = "15834"  # made up
    write(raw, path, figures)
    second = curate.build_data(raw, tmp_path / "data")["data_version"]
    assert second != first and second[:11] == first[:11]
    assert yaml.safe_load((tmp_path / "CITATION.cff").read_text())["references"][0]["version"] == second


def test_citation_cff_carries_the_pack_and_the_data_version():
    citation = yaml.safe_load((config.ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == __version__
    assert citation["authors"] and citation["title"]
    data_version = read_manifest()["data_version"]
    assert citation["references"][0]["type"] == "data"
    assert citation["references"][0]["version"] == data_version
    assert data_version in citation["message"]
