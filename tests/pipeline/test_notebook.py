"""Running a notebook: parameters checked against its parameters cell, values injected as literals,
execution with papermill and in a warm kernel."""

import ast

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook
from papermill.parameterize import parameterize_notebook

from npd_briefing.exceptions import NotebookExecutionError, ParameterError
from npd_briefing.parameters import notebook_parameters, validate_parameters
from npd_briefing.pipeline.html import notebook_to_html
from npd_briefing.pipeline.notebook import WarmKernel, execute_notebook
from tests.pipeline.conftest import INJECTION, KERNELSPEC, TITLE, stdout_lines, write_notebook


def test_notebook_parameters_are_the_declared_literals(notebook_path):
    assert notebook_parameters(notebook_path) == {
        "seat": "Bridlington and The Wolds",
        "year": 2023,
        "share": 0.25,
        "note": None,
    }


def test_unknown_parameter_names_it_and_lists_the_valid_ones(notebook_path):
    with pytest.raises(ParameterError) as error:
        validate_parameters(notebook_path, {"seat": "x", "constituncy": "y", "x = 1\nimport os; y": 1})
    message = str(error.value)
    assert "'constituncy'" in message and "import os" in message
    assert "valid: note, seat, share, year" in message


@pytest.mark.parametrize(
    "params",
    [
        {"seat": 42},
        {"year": "2023"},
        {"year": True},
        {"year": 2023.0},
        {"share": "0.5"},
        {"note": object()},
        {"seat": ["a"]},
    ],
)
def test_a_value_unlike_the_default_is_refused(notebook_path, params):
    with pytest.raises(ParameterError, match=next(iter(params))):
        validate_parameters(notebook_path, params)


def test_values_like_the_default_are_accepted(notebook_path):
    validate_parameters(notebook_path, {"seat": "", "year": 1, "share": 1, "note": "n"})


@pytest.mark.parametrize("name", ["year", "note"])
def test_subclassed_values_are_refused_because_papermill_writes_them_with_str(notebook_path, name):
    class Sneaky(int):
        def __str__(self):
            return "0; import os"

    with pytest.raises(ParameterError, match=name):
        validate_parameters(notebook_path, {name: Sneaky(1)})


@pytest.mark.parametrize(
    "source, problem",
    [
        (None, "found 0"),
        ("seat = 'a'\nseat2 = f'{seat}'", "not a literal"),
        ("seat = 'a'\nprint(seat)", "not a simple"),
        ("%matplotlib inline\nseat = 'a'", "not plain Python"),
    ],
)
def test_the_parameters_cell_must_be_one_cell_of_literal_assignments(tmp_path, source, problem):
    path = write_notebook(tmp_path / "bad.ipynb", [], source)
    with pytest.raises(ParameterError, match=problem):
        notebook_parameters(path)


def test_two_parameters_cells_are_refused(tmp_path):
    nb = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    for cell in nb.cells:
        cell.metadata["tags"] = ["parameters"]
    nbformat.write(nb, tmp_path / "two.ipynb")
    with pytest.raises(ParameterError, match="found 2"):
        notebook_parameters(tmp_path / "two.ipynb")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_papermill_injects_any_string_as_a_literal(text):
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC}, cells=[new_code_cell("seat = ''")])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["papermill"] = {}
    injected = parameterize_notebook(nb, {"seat": text}, kernel_name="python3", language="python")
    statements = ast.parse(injected.cells[1].source).body
    assert len(statements) == 1 and isinstance(statements[0], ast.Assign)
    assert ast.literal_eval(statements[0].value) == text


def test_injection_strings_run_as_plain_text(executed):
    lines = stdout_lines(executed)
    assert f"seat repr: {INJECTION!r}" in lines
    outputs = nbformat.writes(executed)
    assert "uid=" not in outputs  # $(id) was not run by a shell
    assert "Briefing for" in outputs and "{{7*7}}" in outputs


def test_notebook_runs_in_its_own_folder(executed, notebook_path):
    assert f"cwd: {notebook_path.parent}" in stdout_lines(executed)


def test_a_failing_cell_raises_notebook_execution_error(tmp_path):
    path = write_notebook(tmp_path / "fails.ipynb", ["raise ValueError('bad row in table')"], "seat = ''")
    with pytest.raises(NotebookExecutionError, match="fails.ipynb.*ValueError: bad row in table"):
        execute_notebook(path, {"seat": "x"})


def run_lines(nb, prefix):
    return [line.removeprefix(prefix) for line in stdout_lines(nb) if line.startswith(prefix)]


def test_warm_kernel_keeps_the_process_but_not_the_variables(notebook_path, tmp_path):
    failing = write_notebook(tmp_path / "fails.ipynb", ["raise KeyError('no such seat')"], "seat = ''")
    with WarmKernel() as kernel:
        first = execute_notebook(notebook_path, {"seat": "Ynys Môn"}, kernel=kernel)
        second = execute_notebook(notebook_path, {"seat": "Orkney and Shetland"}, kernel=kernel)
        with pytest.raises(NotebookExecutionError, match="KeyError"):
            execute_notebook(failing, {"seat": "x"}, kernel=kernel)
        after_failure = execute_notebook(notebook_path, {}, kernel=kernel)
    assert run_lines(first, "seat repr: ") == ["'Ynys Môn'"]
    assert run_lines(second, "seat repr: ") == ["'Orkney and Shetland'"]
    assert run_lines(after_failure, "seat repr: ") == ["'Bridlington and The Wolds'"]
    for nb in (first, second, after_failure):
        assert run_lines(nb, "seen before: ") == ["None"]
        assert run_lines(nb, "cwd: ") == [str(notebook_path.parent)]
    assert run_lines(first, "pid: ") == run_lines(second, "pid: ")
    assert run_lines(after_failure, "pid: ") != run_lines(second, "pid: ")
    assert notebook_to_html(second, title=TITLE).count("<img") == 1


def test_warm_kernel_is_replaced_every_restart_every_runs(notebook_path):
    with WarmKernel(restart_every=1) as kernel:
        pids = [run_lines(execute_notebook(notebook_path, {}, kernel=kernel), "pid: ") for _ in range(2)]
    assert pids[0] != pids[1]


def test_warm_kernel_validates_parameters_too(notebook_path):
    with pytest.raises(ParameterError, match="constituncy"):
        execute_notebook(notebook_path, {"constituncy": "x"}, kernel=object())
