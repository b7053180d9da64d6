"""The GitHub workflows in .github/workflows: valid by the workflow schema, clean by zizmor's audit,
every action pinned, and thin: each step runs a `make` target or `.ci/run` that exists here, so what
runs on GitHub's runners is what the test suite runs locally. The refresh's pull request step
(`.ci/refresh-pr`) runs here against a local remote and a stand-in `gh`."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from npd_briefing import config
from npd_briefing.pipeline import state
from npd_briefing.site.build import BRIEFINGS_DIR

WORKFLOWS = config.ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
MAKEFILE = (config.ROOT / "Makefile").read_text(encoding="utf-8")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def steps(workflow: dict):
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def makefile_default(variable: str) -> str:
    return re.search(rf"^{variable} \?= (.*)$", MAKEFILE, re.MULTILINE).group(1)


def test_the_three_workflows_are_there():
    assert [path.name for path in WORKFLOW_FILES] == ["ci.yml", "refresh.yml", "site.yml"]


def test_workflows_are_valid_by_the_workflow_schema():
    result = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOW_FILES],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def zizmor(folder: Path) -> subprocess.CompletedProcess:
    """Every audit, the auditor persona (the most findings), no configuration that could switch one off."""
    return subprocess.run(
        [BIN / "zizmor", "--offline", "--no-config", "--persona", "auditor", "--no-progress", folder],
        capture_output=True,
        text=True,
    )


def test_zizmor_finds_nothing_and_nothing_is_switched_off():
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout
    assert not (config.ROOT / "zizmor.yml").exists() and not (config.ROOT / ".github" / "zizmor.yml").exists()
    for path in WORKFLOW_FILES:
        assert "zizmor:" not in path.read_text(encoding="utf-8"), f"{path.name} silences an audit"


def test_zizmor_would_catch_an_injection_and_an_unpinned_action(tmp_path):
    """The audit is live: the refresh workflow with a title put straight into a shell and an action by tag."""
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    text = (WORKFLOWS / "refresh.yml").read_text(encoding="utf-8")
    text = text.replace(
        "run: make refresh\n", 'run: make refresh TITLE="${{ github.event.head_commit.message }}"\n'
    )
    text = re.sub(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v4", text)
    (broken / "refresh.yml").write_text(text, encoding="utf-8")
    result = zizmor(broken)
    assert result.returncode != 0
    assert "template-injection" in result.stdout and "unpinned-uses" in result.stdout


@pytest.mark.parametrize("name", [path.name for path in WORKFLOW_FILES])
def test_every_action_is_pinned_to_a_commit_with_its_version(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    uses = re.findall(r"uses: (.*)$", text, re.MULTILINE)
    assert uses
    for use in uses:
        assert PINNED.match(use), f"{name}: {use} is not pinned to a full commit SHA with '# vX.Y.Z'"


@pytest.mark.parametrize("name", [path.name for path in WORKFLOW_FILES])
def test_permissions_are_given_per_job_and_only_the_workflow_token_is_used(name):
    workflow = load(name)
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert workflow["permissions"] == {}
    for job_name, job in workflow["jobs"].items():
        assert job.get("permissions"), f"{name}: job {job_name} does not list its permissions"
    assert "secrets." not in text
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", MAKEFILE, re.MULTILINE))


@pytest.mark.parametrize("name", [path.name for path in WORKFLOW_FILES])
def test_each_step_runs_a_make_target_or_the_ci_script_that_exists(name):
    runs = [step["run"].strip() for step in steps(load(name)) if "run" in step]
    assert runs
    for run in runs:
        words = run.split()
        if words[0] == "make":
            assert len(words) == 2 and words[1] in make_targets(), f"{name}: `{run}` is not a Makefile target"
        else:
            assert words == ["bash", ".ci/run"], (
                f"{name}: `{run}` is neither `make TARGET` nor `bash .ci/run`"
            )
            assert (config.ROOT / ".ci" / "run").is_file()
    for script in re.findall(r"bash (\.ci/[\w-]+)", MAKEFILE):
        assert (config.ROOT / script).is_file(), script


def test_ci_runs_the_ci_script_on_push_and_pull_request():
    workflow = load("ci.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert [step["run"] for step in steps(workflow) if "run" in step] == ["bash .ci/run"]


def test_the_site_is_uploaded_only_after_it_was_built_and_checked_then_deployed_alone():
    workflow = load("site.yml")
    assert set(workflow["on"]) == {"push", "workflow_dispatch"} and workflow["on"]["push"]["branches"] == [
        "main"
    ]
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] or step.get("run") for step in build]
    assert (
        uses.index("actions/configure-pages")
        < uses.index("make site")
        < uses.index("actions/upload-pages-artifact")
    )
    make_site = build[uses.index("make site")]
    assert make_site["env"] == {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
    assert '$(PY) build.py site --out $(SITE_OUT) --base-url "$(BASE_URL)"' in MAKEFILE
    # The artifact is the folder `make site` writes, which is the pack's own default.
    upload = build[uses.index("actions/upload-pages-artifact")]
    assert upload["with"]["path"] == makefile_default("SITE_OUT")
    assert config.ROOT / makefile_default("SITE_OUT") == config.SITE_OUT_DIR
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def hashed_files(patterns: list[str]) -> set[Path]:
    """What hashFiles(patterns) reads: files matching any pattern, less those matching a `!` pattern."""

    def matches(pattern: str) -> set[Path]:
        return {path for path in config.ROOT.glob(pattern) if path.is_file()} | {
            path for folder in config.ROOT.glob(pattern) if folder.is_dir() for path in folder.rglob("*")
        }

    included = {path for pattern in patterns if not pattern.startswith("!") for path in matches(pattern)}
    excluded = {path for pattern in patterns if pattern.startswith("!") for path in matches(pattern[1:])}
    return {path for path in included - excluded if path.is_file() and "__pycache__" not in path.parts}


def test_the_letters_date_is_fixed_by_the_history_so_a_rerun_renders_nothing_new():
    build = load("site.yml")["jobs"]["build"]["steps"]
    assert build[0]["with"]["fetch-depth"] == 0
    date = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "-", "print-date"],
        input=MAKEFILE + "\nprint-date:\n\t@echo $(SITE_DATE)\n",
        capture_output=True,
        text=True,
        cwd=config.ROOT,
    ).stdout.strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date), date
    assert "$(if $(SITE_DATE),--date $(SITE_DATE))" in MAKEFILE


def test_the_render_cache_holds_what_a_rerun_reuses_keyed_by_what_a_fingerprint_hashes():
    build = load("site.yml")["jobs"]["build"]["steps"]
    cache = next(step for step in build if step.get("uses", "").startswith("actions/cache@"))
    paths = cache["with"]["path"].split()
    assert paths == [".cache", f"{makefile_default('SITE_OUT')}/{BRIEFINGS_DIR}"]
    key = cache["with"]["key"]
    patterns = re.fullmatch(r"render-\$\{\{ hashFiles\((.*)\) \}\}-\$\{\{ github.run_id \}\}", key).group(1)
    patterns = re.findall(r"'([^']+)'", patterns)
    assert hashed_files(patterns) == {Path(path) for path in state.input_files()}
    # Every run saves what it ends with; a run restores the newest save for the same inputs, else the newest.
    assert cache["with"]["restore-keys"].splitlines() == [key.removesuffix("${{ github.run_id }}"), "render-"]


def test_the_refresh_opens_a_pull_request_only_when_a_figure_changed_after_tests_and_site_check():
    workflow = load("refresh.yml")
    assert "schedule" in workflow["on"] and "workflow_dispatch" in workflow["on"]
    job = workflow["jobs"]["refresh"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "actions": "write"}
    by_run = {step.get("run"): step for step in job["steps"]}
    assert by_run["make refresh"]["id"] == "refresh" and "if" not in by_run["make refresh"]
    later = ["bash .ci/run", "make site", "make refresh-pr"]
    runs = [step.get("run") for step in job["steps"] if "run" in step]
    assert runs == ["make refresh", *later, "make refresh-record"]
    for run in later:
        assert by_run[run]["if"] == "steps.refresh.outputs.changed == 'true'"
    # Nothing changed: the check's day is recorded and the same figures republished with it.
    assert by_run["make refresh-record"]["if"] == "steps.refresh.outputs.changed == 'false'"
    for run in ("make refresh-pr", "make refresh-record"):
        assert by_run[run]["env"] == {"GH_TOKEN": "${{ github.token }}"}
    # `make refresh` is the strict refresh that tests/data/test_strict_refresh.py runs.
    assert (
        '$(PY) build.py data --download --strict --raw "$(RAW)" --report $(REFRESH_REPORT) '
        "--check-record $(CHECK_RECORD)" in MAKEFILE
    )


FAKE_GH = """#!/usr/bin/env bash
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "pr view" ]; then [ -f "$GH_OPEN" ] && echo OPEN; exit 0; fi
if [ "$1 $2" = "pr create" ] || [ "$1 $2" = "pr edit" ]; then
  while [ $# -gt 0 ]; do [ "$1" = "--body-file" ] && cp "$2" "$GH_BODY"; shift; done
  touch "$GH_OPEN"
fi
"""


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def checkout(tmp_path):
    """A clone of a small repository laid out like this one, its remote a local bare repository, and a
    stand-in `gh` that records what it was asked and holds one pull request."""
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=tmp_path)
    git("clone", "--quiet", str(remote), str(work), cwd=tmp_path)
    (work / ".ci").mkdir()
    for script in ("refresh-pr", "refresh-record"):
        shutil.copy(config.ROOT / ".ci" / script, work / ".ci" / script)
    (work / "data").mkdir()
    (work / "data" / "seats.csv").write_text("gss_code\nE14001063\n")
    (work / "CITATION.cff").write_text("version: 1\n")
    git("add", ".", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "start", cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "gh").write_text(FAKE_GH)
    (tools / "gh").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "GH_TOKEN": "test-token",
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_OPEN": str(tmp_path / "pr-open"),
        "GH_BODY": str(tmp_path / "body.md"),
    }
    return work, remote, env


def refresh_pr(work, env, report="refresh-report.md"):
    return subprocess.run(
        ["bash", ".ci/refresh-pr", "data-refresh", report], cwd=work, env=env, capture_output=True, text=True
    )


def test_refresh_pr_opens_one_pull_request_then_updates_it(checkout, tmp_path):
    work, remote, env = checkout
    (work / "refresh-report.md").write_text("# 2 figures changed\n\nla_ap: Luton 2024/25: 120 -> 131\n")
    (work / "data" / "seats.csv").write_text("gss_code\nE14001063\nE14001064\n")
    (work / "data" / "pupils.csv").write_text("new table\n")
    result = refresh_pr(work, env)
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "gh.log").read_text()
    assert "pr create --base main --head data-refresh --title Data refresh: 2 figures changed" in log
    body = (tmp_path / "body.md").read_text()
    assert body.startswith("# 2 figures changed\n") and "ran the test suite" in body
    files = git("diff", "--name-only", "main", "data-refresh", cwd=remote).split()
    assert files == ["data/pupils.csv", "data/seats.csv"]  # the data only, never the report
    assert "test-token" not in git("config", "--list", cwd=work)  # the token was not kept

    # A month later the pull request is still open, and the branch exists: it is rewritten, the
    # description replaced, and no second pull request is opened.
    git("checkout", "--quiet", "main", cwd=work)
    (work / "data" / "seats.csv").write_text("gss_code\nE14001065\n")
    (work / "refresh-report.md").write_text("# 1 figure changed\n")
    result = refresh_pr(work, env)
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "gh.log").read_text()
    assert (
        log.count("pr create") == 1 and "pr edit data-refresh --title Data refresh: 1 figure changed" in log
    )
    assert (tmp_path / "body.md").read_text().startswith("# 1 figure changed\n")
    assert git("show", "data-refresh:data/seats.csv", cwd=remote) == "gss_code\nE14001065\n"
    assert len(git("log", "--format=%H", "data-refresh", cwd=remote).split()) == 2  # main's commit and one


def test_refresh_pr_refuses_when_nothing_changed_or_there_is_no_report(checkout, tmp_path):
    work, _, env = checkout
    (work / "refresh-report.md").write_text("# No figure changed\n")
    result = refresh_pr(work, env)
    assert result.returncode == 2 and "data/ is unchanged" in result.stderr
    (work / "data" / "seats.csv").write_text("changed\n")
    result = refresh_pr(work, env, report="missing.md")
    assert result.returncode == 2 and "missing.md: no change report" in result.stderr
    assert not (tmp_path / "gh.log").exists()


def refresh_record(work, env, record="check-record.json"):
    return subprocess.run(
        ["bash", ".ci/refresh-record", "data-checks", record],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )


def test_refresh_record_puts_the_check_alone_on_its_branch_and_starts_the_site(checkout, tmp_path):
    work, remote, env = checkout
    record = '{"checked": "2027-02-03", "data_version": "2026-12-04.2450aa64"}\n'
    for month in ("2027-01-03", "2027-02-03"):
        (work / "check-record.json").write_text(record.replace("2027-02-03", month))
        result = refresh_record(work, env)
        assert result.returncode == 0, result.stderr
    assert git("ls-tree", "--name-only", "data-checks", cwd=remote).split() == ["check-record.json"]
    assert git("show", "data-checks:check-record.json", cwd=remote) == record
    assert len(git("log", "--format=%H", "data-checks", cwd=remote).split()) == 1  # replaced, never piled up
    assert git("log", "--format=%H", "main", cwd=remote) == git("log", "--format=%H", "main", cwd=work)
    assert (tmp_path / "gh.log").read_text().splitlines() == ["workflow run site.yml --ref main"] * 2
    assert "test-token" not in git("config", "--list", cwd=work)
    assert git("status", "--porcelain", cwd=work).strip() == "?? check-record.json"  # the checkout untouched


def test_refresh_record_refuses_without_a_record_or_when_data_changed(checkout, tmp_path):
    work, _, env = checkout
    result = refresh_record(work, env, record="missing.json")
    assert result.returncode == 2 and "missing.json: no check record" in result.stderr
    (work / "check-record.json").write_text('{"checked": "2027-02-03", "data_version": "x"}\n')
    (work / "data" / "seats.csv").write_text("changed\n")
    result = refresh_record(work, env)
    assert result.returncode == 2 and "data/ changed" in result.stderr
    assert not (tmp_path / "gh.log").exists()


def test_make_site_gives_the_build_the_last_check_when_its_branch_has_one(tmp_path):
    """The recipe itself, with the build replaced by echo: a ref holding the record passes it, a ref
    without one passes nothing."""
    copy = tmp_path / "last-check.json"

    def site(ref):
        # Any file the ref has stands in for the record.
        variables = [f"CHECKS_REF={ref}", "CHECK_RECORD=CITATION.cff", f"LAST_CHECK={copy}", "SITE_DATE="]
        return subprocess.run(
            ["make", "-s", "site", "PY=echo", *variables],
            cwd=config.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    with_record = site("HEAD")
    assert "build.py site" in with_record and f"--check-record {copy}" in with_record
    assert (
        copy.read_bytes()
        == subprocess.run(
            ["git", "show", "HEAD:CITATION.cff"], cwd=config.ROOT, capture_output=True, check=True
        ).stdout
    )
    without = site("refs/heads/no-such-branch")
    assert "build.py site" in without and "--check-record" not in without and not copy.exists()
