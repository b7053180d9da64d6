"""Notebook parameters: what each notebook declares, and refusing anything else.

Each notebook has one cell tagged ``parameters`` of ``name = literal`` lines. The runner checks
requested parameters against it before a kernel starts (:func:`validate_parameters`), and each
notebook checks again inside the kernel (:func:`check_parameters`), so an unknown parameter is an
error however the notebook is run: ``build.py``, the papermill command line or JupyterLab.
Reads the notebook as plain JSON: this module is imported by every kernel and must stay light.
"""

import ast
import copy
import json
import os
from pathlib import Path

from npd_briefing import caches
from npd_briefing.config import NOTEBOOKS_DIR
from npd_briefing.exceptions import ParameterError

# Exact types, not isinstance: papermill writes ints and floats with str(), so a subclass with its
# own __str__ could smuggle code into the injected cell.
_SCALAR_TYPES = (str, int, float, bool, type(None))


@caches.per_process
def _notebook_json(nb_path: Path) -> dict:
    with open(nb_path, encoding="utf-8") as handle:
        return json.load(handle)


def read_notebook(nb_path: str | os.PathLike) -> dict:
    """The notebook file as JSON, read once per process (a copy: callers may change it)."""
    return copy.deepcopy(_notebook_json(Path(nb_path).resolve()))


def _parameters_source(nb_path: Path) -> str:
    cells = _notebook_json(Path(nb_path).resolve()).get("cells", [])
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(
            f"{nb_path.name}: needs exactly one cell tagged 'parameters', found {len(tagged)}"
        )
    source = tagged[0].get("source", "")
    return "".join(source) if isinstance(source, list) else source


def notebook_parameters(nb_path: str | os.PathLike) -> dict[str, object]:
    """The names and defaults the notebook declares in its one cell tagged ``parameters``."""
    nb_path = Path(nb_path)
    try:
        statements = ast.parse(_parameters_source(nb_path)).body
    except SyntaxError as exc:
        raise ParameterError(
            f"{nb_path.name}: the parameters cell is not plain Python (line {exc.lineno})"
        ) from exc
    declared = {}
    for statement in statements:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            name, value = statement.targets[0].id, statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value is not None
        ):
            name, value = statement.target.id, statement.value
        else:
            raise ParameterError(
                f"{nb_path.name}: line {statement.lineno} of the parameters cell is "
                "not a simple `name = literal` assignment"
            )
        try:
            declared[name] = ast.literal_eval(value)
        except ValueError as exc:
            raise ParameterError(
                f"{nb_path.name}: the default of parameter {name!r} is not a literal"
            ) from exc
    return declared


def is_plain_literal(value: object) -> bool:
    if type(value) in _SCALAR_TYPES:
        return True
    if type(value) is list:
        return all(is_plain_literal(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and is_plain_literal(item) for key, item in value.items())
    return False


def _matches_default(value: object, default: object) -> bool:
    if default is None:
        return True
    if type(default) is float:
        return type(value) in (int, float)
    return type(value) is type(default)


def validate_parameters(nb_path: str | os.PathLike, params: dict[str, object]) -> None:
    """Refuse names the notebook does not declare and values whose type differs from the default.

    Checking names is what keeps them out of the injected code: papermill writes ``name = value``
    with the name as given.
    """
    nb_path = Path(nb_path)
    declared = notebook_parameters(nb_path)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ParameterError(
            f"{nb_path.name} has no parameter(s) {', '.join(map(repr, unknown))}; "
            f"valid: {', '.join(sorted(declared)) or '(none)'}"
        )
    for name, value in params.items():
        default = declared[name]
        if not is_plain_literal(value):
            raise ParameterError(
                f"parameter {name!r} must be a str, int, float, bool, None or a "
                f"list/dict of those, got {type(value).__name__}"
            )
        if not _matches_default(value, default):
            raise ParameterError(
                f"parameter {name!r} must be {type(default).__name__} like its "
                f"default {default!r}, got {type(value).__name__} {value!r}"
            )


def check_parameters(notebook: str) -> None:
    """Inside a notebook, after the parameters: refuse any injected parameter it does not declare.

    Papermill (and the pack's warm kernel) inject parameters as a cell that starts with
    ``# Parameters``; its assignments are read back from the kernel's input history and checked
    against the notebook's ``parameters`` cell. Run by hand in JupyterLab there is no injected
    cell, and the defaults (or the user's own edits of the parameters cell) stand.
    """
    from IPython import get_ipython

    shell = get_ipython()
    history = shell.user_ns.get("In", []) if shell is not None else []
    injected = [source for source in history if source.lstrip().startswith("# Parameters")]
    if not injected:
        return
    names = [
        target.id
        for statement in ast.parse(injected[-1]).body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]
    validate_parameters(NOTEBOOKS_DIR / notebook, {name: shell.user_ns.get(name) for name in names})
