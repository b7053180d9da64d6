"""Fixtures for the reliability tests: a render that must never be reached, and an output folder that
cannot be made."""

import pytest

from npd_briefing.pipeline import notebook as notebook_module


@pytest.fixture
def no_render(monkeypatch):
    """Fail the test if anything reaches the notebook: these cases must stop before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("the notebook ran, but the input should have been refused first")

    monkeypatch.setattr(notebook_module, "execute_notebook", refuse)


@pytest.fixture
def blocked_out(tmp_path):
    """An output folder that cannot be created (its parent is a file): root cannot write there either."""
    (tmp_path / "afile").write_text("")
    return tmp_path / "afile" / "sub"
