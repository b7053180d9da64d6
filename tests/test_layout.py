"""The house rules of the package, measured on its code: rooms by stage, imports only run down the
layers, no cycle, no module too big, and the kernel side never loads the parent's toolchain."""

import ast
import subprocess
import sys

import pytest

from npd_briefing import config

# Each room may import its own modules and those of lower layers, never a higher one.
LAYERS = {"": 0, "data": 1, "seats": 2, "letters": 3, "evidence": 4, "pipeline": 5, "site": 5, "cli": 6}
KERNEL_SIDE = [
    "npd_briefing.evidence.briefing",
    "npd_briefing.evidence.register",
    "npd_briefing.evidence.figures",
    "npd_briefing.parameters",
]
PARENT_TOOLCHAIN = [
    "npd_briefing.pipeline",
    "papermill",
    "nbclient",
    "nbconvert",
    "typst",
    "weasyprint",
    "multiprocessing",
    "tqdm",
]
MAX_SHARE_OF_LINES = 0.15


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(config.PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(config.ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imports(tree: ast.Module) -> set[str]:
    """The npd_briefing modules a module imports, anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("npd_briefing"):
            for alias in node.names:
                found.add(
                    f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                )
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("npd_briefing"))
    return found - {"npd_briefing"}


MODULES = modules()


def room(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in LAYERS:
        return parts[1]
    return "cli" if parts[-1] == "cli" else ""


def test_the_package_has_rooms_by_stage():
    rooms = {module.split(".")[1] for module in MODULES if module.count(".") >= 2}
    assert {"data", "seats", "evidence", "letters", "pipeline"} <= rooms


def test_imports_only_run_down_the_layers():
    upward = [
        (module, imported)
        for module, tree in MODULES.items()
        for imported in imports(tree)
        if LAYERS[room(imported)] > LAYERS[room(module)]
    ]
    assert upward == []


def test_there_is_no_import_cycle():
    graph = {
        module: {imported for imported in imports(tree) if imported in MODULES and imported != module}
        for module, tree in MODULES.items()
    }
    visiting, done = set(), set()

    def visit(module, path):
        if module in visiting:
            pytest.fail("import cycle: " + " -> ".join(path + [module]))
        if module in done:
            return
        visiting.add(module)
        for imported in graph[module]:
            visit(imported, path + [module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])


def test_no_module_holds_more_than_its_share_of_the_lines():
    lines = {
        path: len(path.read_text(encoding="utf-8").splitlines()) for path in config.PACKAGE_DIR.rglob("*.py")
    }
    total = sum(lines.values())
    too_big = {path.name: count for path, count in lines.items() if count > MAX_SHARE_OF_LINES * total}
    assert too_big == {}, f"{total} lines in all"


def test_the_kernel_side_loads_nothing_of_the_parent_toolchain():
    code = (
        f"import sys\nimport {', '.join(KERNEL_SIDE)}\n"
        f"print([m for m in {PARENT_TOOLCHAIN!r} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=config.ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_seat_lookup_and_the_checks_before_a_briefing_load_no_pandas():
    """``build.py resolve`` and a ``brief`` refused for its input answer in a tenth of a second, not
    the half second that importing pandas costs every such process."""
    code = (
        "import sys\n"
        "from npd_briefing.pipeline.request import check_data, check_request\n"
        "check_request('SW1A 1AA'), check_request('Ynys Môn'), check_data()\n"
        "print([m for m in ('pandas', 'numpy') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=config.ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
