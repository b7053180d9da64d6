"""The package as installed by ``make``: one version, kept in pyproject.toml; a console script that is
``build.py``; and the checkout on the path of any process of the venv, wherever it starts (kernels
papermill starts run in another folder)."""

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from npd_briefing import __version__, config
from tests.conftest import run_build

PROJECT = tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_version_is_pyprojects_and_the_installed_packages():
    assert __version__ == PROJECT["version"]
    assert metadata.version(PROJECT["name"]) == PROJECT["version"], "reinstall: make venv"


def test_the_console_script_is_build_py(tmp_path):
    script = Path(sys.executable).parent / "npd-briefing"
    installed = subprocess.run(
        [script, "resolve", "sw1a 1aa"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert installed.returncode == 0 and installed.stdout == run_build("resolve", "sw1a 1aa").stdout
    refused = subprocess.run([script, "resolve", "Atlantis"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and refused.stderr == run_build("resolve", "Atlantis").stderr


def test_any_process_of_the_venv_imports_the_checkout(tmp_path):
    found = subprocess.run(
        [sys.executable, "-c", "import npd_briefing; print(npd_briefing.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert Path(found.stdout.strip()) == config.PACKAGE_DIR / "__init__.py"
