"""Every notebook declares its parameters in one cell, and refuses unknown ones however it is run."""

import json

import papermill
import pytest

from npd_briefing import config
from npd_briefing.exceptions import ParameterError
from npd_briefing.parameters import notebook_parameters, validate_parameters

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def test_each_notebook_declares_its_parameters():
    declared = {path.name: notebook_parameters(path) for path in NOTEBOOKS}
    assert declared == {
        "ap_census.ipynb": {"la": "Derbyshire"},
        "briefing.ipynb": {
            "constituency": "Bridlington and The Wolds",
            "sender_name": "",
            "sender_address": "",
            "letter_path": "",
            "date": "",
        },
        "npd_scope.ipynb": {"register_path": None},
        "national_annex.ipynb": {},
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_checks_its_parameters_inside_the_kernel(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tagged = next(i for i, cell in enumerate(cells) if "parameters" in cell["metadata"].get("tags", []))
    first_code = next(cell for cell in cells[tagged + 1 :] if cell["cell_type"] == "code")
    assert f'check_parameters("{path.name}")' in "".join(first_code["source"])


def test_validation_names_the_unknown_parameter_and_the_valid_ones():
    with pytest.raises(ParameterError, match=r"no parameter\(s\) 'lа'; valid: la"):
        validate_parameters(config.NOTEBOOKS_DIR / "ap_census.ipynb", {"lа": "Derbyshire"})  # Cyrillic а
    with pytest.raises(ParameterError, match="must be str"):
        validate_parameters(config.NOTEBOOKS_DIR / "ap_census.ipynb", {"la": 830})


def test_papermill_command_line_run_with_an_unknown_parameter_fails_in_the_kernel(tmp_path):
    """Bypassing the pack's runner: the notebook itself refuses the typo."""
    with pytest.raises(papermill.PapermillExecutionError, match="no parameter.*'registr_path'"):
        papermill.execute_notebook(
            str(config.NOTEBOOKS_DIR / "npd_scope.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"registr_path": "x.csv"},
            progress_bar=False,
            cwd=str(config.NOTEBOOKS_DIR),
        )
