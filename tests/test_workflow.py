"""The GitHub Pages workflow is valid, tests with read-only rights, and publishes from a job that runs no project code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CHECK = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows"]
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})\s+#\s+(?P<tag>v\d+\.\d+\.\d+)\s*$")


def validate(path: Path) -> subprocess.CompletedProcess:
    """Check ``path`` against the GitHub workflow schema that check-jsonschema ships (no network)."""
    return subprocess.run([*CHECK, str(path)], capture_output=True, text=True, timeout=120)


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


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


def test_the_test_job_runs_make_test_with_read_only_rights():
    """On a push to main, `make test` (what .ci/run runs) runs in a job that can read, not write, and keeps no token."""
    flow = workflow()
    assert flow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert flow["permissions"] == {}  # nothing unless a job asks
    test = flow["jobs"]["test"]
    assert test["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in test["steps"]]
    assert "make test" in runs and "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert runs.index("make test") < runs.index("make build")  # only a tested site is built for publishing
    checkouts = [step for step in test["steps"] if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)
    # The lock pins torch's +cpu build, which only PyTorch's CPU index serves.
    assert test["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


def test_only_the_deploy_job_can_write_and_it_runs_no_project_code():
    """The deploy job alone holds contents: write; it needs the tests, checks out nothing and runs only git."""
    jobs = workflow()["jobs"]
    writers = [name for name, job in jobs.items() if "write" in (job.get("permissions") or {}).values()]
    assert writers == ["deploy"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "test" and deploy["permissions"] == {"contents": "write"}
    assert [step["uses"].split("@")[0] for step in deploy["steps"] if "uses" in step] == ["actions/download-artifact"]
    script = "\n".join(step.get("run", "") for step in deploy["steps"])
    commands = {line.split()[0] for line in script.splitlines() if line.strip() and not line.startswith((" ", "\t"))}
    assert commands <= {"cd", "touch", "git"}, commands  # no make, python, pip or mkdocs: nothing of the project runs
    assert "${{" not in script  # workflow values reach the script as environment variables, never spliced into it


def test_every_action_is_pinned_by_commit_with_its_tag():
    """Each `uses:` names a full 40-digit commit and, in a comment, the release tag it was read from."""
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert len(lines) >= 4
    unpinned = [line.strip() for line in lines if not PINNED.match(line)]
    assert not unpinned, unpinned


def test_the_deploy_step_publishes_the_artifact_to_the_configured_branch(tmp_path):
    """The deploy script, run here against a local repository, force-pushes exactly the built files (and .nojekyll)
    to the branch that mkdocs.yml names (the test job reads it for the deploy job)."""
    from mkdocs.config import load_config

    flow = workflow()
    (step,) = [s for s in flow["jobs"]["deploy"]["steps"] if "run" in s]
    assert step["env"]["BRANCH"] == "${{ needs.test.outputs.branch }}"
    assert flow["jobs"]["test"]["outputs"]["branch"] == "${{ steps.branch.outputs.branch }}"
    assert "remote_branch" in next(s["run"] for s in flow["jobs"]["test"]["steps"] if s.get("id") == "branch")
    branch = load_config(str(ROOT / "mkdocs.yml")).remote_branch
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    site = tmp_path / "site"
    (site / "zh").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (site / "zh" / "index.html").write_text("<p>首页</p>", encoding="utf-8")
    env = {**os.environ, "BRANCH": branch, "TOKEN": "t0ken", "GITHUB_SHA": "0" * 40, "GITHUB_REPOSITORY": "o/r",
           "GITHUB_SERVER_URL": "https://github.com", "GIT_CONFIG_COUNT": "1",  # the push URL, redirected here
           "GIT_CONFIG_KEY_0": f"url.{remote}.insteadOf", "GIT_CONFIG_VALUE_0": "https://x-access-token:t0ken@github.com/o/r.git"}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", step["run"]], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", branch],
                            capture_output=True, text=True, check=True).stdout.split()
    assert sorted(listed) == [".nojekyll", "index.html", "zh/index.html"]


def test_examples_are_executed_in_shards_and_on_an_optional_gpu_runner():
    """The execute jobs run the script per shard without MkDocs; the GPU job runs only when GPU_RUNNER is set."""
    jobs = workflow()["jobs"]
    execute, gpu, test = jobs["execute"], jobs["execute-gpu"], jobs["test"]
    shards = execute["strategy"]["matrix"]["shard"]
    assert shards == [f"{k}/{len(shards)}" for k in range(1, len(shards) + 1)] and len(shards) >= 2
    for job in (execute, gpu):
        assert job["permissions"] == {"contents": "read"}
        runs = " ".join(step.get("run", "") for step in job["steps"])
        assert "scripts/execute_examples.py executions" in runs and "-r requirements-execute.txt" in runs
        assert "make" not in runs.split() and "mkdocs" not in runs  # no site dependencies on an executing machine
    assert "--shard ${{ matrix.shard }}" in " ".join(step.get("run", "") for step in execute["steps"])
    assert gpu["if"] == "${{ vars.GPU_RUNNER != '' }}" and gpu["runs-on"] == "${{ vars.GPU_RUNNER }}"
    assert "constraints-cuda.txt" in " ".join(step.get("run", "") for step in gpu["steps"])
    assert test["needs"] == ["execute", "execute-gpu"] and "'skipped'" not in test["if"]
    assert 'fromJSON(\'["success", "skipped"]\')' in test["if"]  # a skipped GPU job still publishes


def test_the_site_is_built_from_the_merged_runs_after_the_tests():
    """The test job runs make test on the commit as pushed, then merges the runs, then builds the site from them."""
    steps = workflow()["jobs"]["test"]["steps"]
    runs = [step.get("run", "") for step in steps]
    merge = next(i for i, run in enumerate(runs) if run.startswith("make merge-executions"))
    download = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/download-artifact@"))
    assert runs.index("make test") < download < merge < runs.index("make build")
    assert steps[download]["with"]["pattern"] == "executions-*"
    assert "executions-cpu-*" in runs[merge] and runs[merge].index("cpu") < runs[merge].index("gpu")
