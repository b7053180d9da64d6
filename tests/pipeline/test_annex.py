"""The national annex: built once for given inputs, kept outside any output folder, copied beside
the briefings, and rebuilt only when an input changes."""

from pypdf import PdfReader

from npd_briefing import config, disk_cache
from npd_briefing.pipeline import annex
from tests.conftest import flat


def test_the_annex_is_built_once_copied_and_rebuilt_only_when_an_input_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    builds = []
    render = annex._render
    monkeypatch.setattr(annex, "_render", lambda kernel: builds.append(kernel) or render(kernel))
    (first, wrote_first), (second, wrote_second) = (
        annex.copy_annex(tmp_path / name) for name in ("one", "two")
    )
    assert wrote_first and wrote_second
    assert len(builds) == 1
    assert first.name == second.name == config.ANNEX_FILE
    assert first.read_bytes() == second.read_bytes()
    cached = list((tmp_path / "cache" / "annex").glob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.read_bytes()
    assert "How big is the National Pupil Database?" in flat(
        " ".join(p.extract_text() for p in PdfReader(first).pages)
    )

    changed = tmp_path / "a-new-input.txt"
    changed.write_text("one", encoding="utf-8")
    inputs = disk_cache.shared_input_files()
    monkeypatch.setattr(annex, "shared_input_files", lambda: [*inputs, changed])
    annex.copy_annex(tmp_path / "one")
    assert len(builds) == 2
    annex.copy_annex(tmp_path / "two")
    assert len(builds) == 2
    assert list((tmp_path / "cache" / "annex").glob("*.pdf")) != cached  # the old build was replaced
    assert len(list((tmp_path / "cache" / "annex").glob("*.pdf"))) == 1
