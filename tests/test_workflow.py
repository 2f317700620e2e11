"""The GitHub Pages workflow is valid and runs what CI runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CHECK = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]


def validate(path: Path) -> subprocess.CompletedProcess:
    """Check ``path`` against the GitHub workflow schema that check-jsonschema ships (no network)."""
    return subprocess.run([*CHECK, str(path)], capture_output=True, text=True, timeout=120)


def test_workflow_matches_the_schema():
    """pages.yml validates against GitHub's workflow schema."""
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_typo_in_the_workflow_fails(tmp_path):
    """The check bites: a misspelt key (runs_on) is reported."""
    broken = tmp_path / "pages.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on", "runs_on"), encoding="utf-8")
    result = validate(broken)
    assert result.returncode != 0 and "runs-on" in result.stdout


def test_workflow_tests_then_publishes_on_main():
    """On a push to main it runs `make publish`, which runs `make test` (as .ci/run does) before deploying."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [step.get("run", "") for step in workflow["jobs"]["publish"]["steps"]]
    assert "make publish" in runs
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "write"}  # gh-deploy pushes a branch; no Pages artifact
    # The lock pins torch's +cpu build, which only PyTorch's CPU index serves.
    assert workflow["jobs"]["publish"]["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
