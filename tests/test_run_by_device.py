"""Run by device: examples executed elsewhere (two shards, a GPU machine), merged, and built from.

A tiny two-example project: its examples are executed in two shards by
``scripts/execute_examples.py`` (with MkDocs made unimportable, as on a bare
GPU machine), merged with ``scripts/merge_executions.py``, and built. The GPU
run is test data made here, in the test, never stored under the project's
``data/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from example_project import build, make_project

from sitelib.examples.executions import write_folder
from sitelib.examples.notebooks import read_example
from test_merge_executions import GPU, executed

pytestmark = pytest.mark.slow

DEMO = '# %% [markdown]\n# # Demo\n\n# %%\nfrom lessonsrc.helper import VALUE\nprint("demo says", VALUE + 1)\n'
OTHER = '# %% [markdown]\n# # Other\n\n# %%\nprint("other says hello")\n'
# Runs the execute script with `import mkdocs` failing: it must not need MkDocs.
NO_MKDOCS = ("import runpy, sys; sys.modules['mkdocs'] = None; sys.argv = sys.argv[1:]; "
             "runpy.run_path(sys.argv[0], run_name='__main__')")


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path / "project", DEMO)
    (root / "lessonsrc" / "other.py").write_text(OTHER, encoding="utf-8")
    return root


def execute(project: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", NO_MKDOCS, str(ROOT / "scripts" / "execute_examples.py"), str(out),
               "--project", str(project), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def merge(project: Path, *folders: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "merge_executions.py"), *map(str, folders),
                             "--project", str(project)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def no_kernel_can_start(tmp_path: Path) -> dict[str, str]:
    """An environment whose python3 kernel exits at once: a build in it succeeds only if it starts no kernel."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-c", "raise SystemExit(7)"],
                                                  "display_name": "no kernel", "language": "python"}))
    return {"JUPYTER_PATH": str(tmp_path / "jupyter")}


def build_in(project: Path, env: dict[str, str] | None = None):
    old = dict(os.environ)
    os.environ.update(env or {})
    try:
        result = build(project, "--strict")
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert result.returncode == 0, result.log
    return result


def page(project: Path, name: str, lang: str = "") -> str:
    return (project / "site" / lang / "examples" / name / "index.html").read_text(encoding="utf-8")


def test_two_shards_merged_build_with_no_kernel(project, tmp_path):
    """Two shards on "two machines", merged: the build starts no kernel yet shows every example's outputs."""
    first, second = execute(project, tmp_path / "s1", "--shard", "1/2"), execute(project, tmp_path / "s2", "--shard", "2/2")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    manifests = [json.loads((tmp_path / s / "manifest.json").read_text(encoding="utf-8")) for s in ("s1", "s2")]
    shards = [[e["source"] for e in m["examples"]] for m in manifests]
    assert sorted(shards[0] + shards[1]) == ["demo.py", "other.py"] and all(len(s) == 1 for s in shards)
    entry = manifests[0]["examples"][0]
    assert {"cpu", "gpu", "torch", "cuda", "python", "machine_id", "driver"} <= set(entry["machine"])
    assert entry["seconds"] > 0 and entry["executed_at"].endswith("Z") and len(entry["key"]) == 20
    trap = no_kernel_can_start(tmp_path)
    os.environ.update(trap)
    try:  # the trap bites: before the merge, the build must run the examples and cannot
        assert build(project, "--strict").returncode != 0
    finally:
        os.environ.pop("JUPYTER_PATH")
    merge(project, tmp_path / "s1", tmp_path / "s2")
    result = build_in(project, trap)
    assert "Executed example" not in result.log and "CPU run merged from" in result.log
    for name, said in (("demo", "demo says 42"), ("other", "other says hello")):
        for lang in ("", "zh"):
            html = page(project, name, lang)
            assert said in html
        assert "then merged into the repository" in page(project, name)


def test_an_edited_example_runs_here_while_the_others_come_from_the_merge(project, tmp_path):
    """After an edit, only that example runs again (and says "in this build"); the other keeps its merged run."""
    assert execute(project, tmp_path / "all").returncode == 0
    merge(project, tmp_path / "all")
    (project / "lessonsrc" / "other.py").write_text(OTHER.replace("hello", "again"), encoding="utf-8")
    result = build_in(project)
    assert "Executed example other.py" in result.log and "Executed example demo.py" not in result.log
    assert "other says again" in page(project, "other") and "(in this build)" not in page(project, "other")
    assert "then merged into the repository" in page(project, "demo")


def gpu_folder(project: Path, out: Path) -> Path:
    """Test data: a GPU run of demo.py as a GPU machine's execute script would write it."""
    src = project / "lessonsrc"
    run = executed(src / "demo.py", "demo says 42 on the GPU\n", GPU, seconds=0.25)
    write_folder(out, "lessonsrc", src, {src / "demo.py": run}, "1/1", {"machine_id": "fedcba9876543210", "driver": "570.1"})
    return out


def test_a_merged_gpu_run_is_shown_beside_this_builds_cpu_run(project, tmp_path):
    """With a current GPU run merged, a CPU build runs the example on its CPU too and shows both, in tabs."""
    merge(project, gpu_folder(project, tmp_path / "gpu"))
    result = build_in(project)
    assert "Executed example demo.py" in result.log
    html = page(project, "demo")
    assert 'class="tabbed-set tabbed-alternate lesson-runs"' in html
    assert "GPU run: Test GPU" in html and "CPU run: " in html  # the two tab labels
    assert "demo says 42 on the GPU" in html and "demo says 42\n" in html
    assert ("GPU run: executed on Test CPU / Test GPU (machine fedcba9876543210, as on the recorded timings page) "
            "with torch 2.11.0+cu128 and CUDA 12.8") in html
    assert "(in this build)" in html
    zh = page(project, "demo", "zh")
    assert "GPU 运行：Test GPU" in zh and "demo says 42 on the GPU" in zh
    # The download is the first run alone, a plain notebook with no tabs in it.
    download = json.loads((project / "site" / "examples" / "demo" / "demo.ipynb").read_text(encoding="utf-8"))
    texts = json.dumps(download)
    assert "demo says 42 on the GPU" in texts and "tabbed-set" not in texts
    report = (project / "site" / "execution-report" / "index.html").read_text(encoding="utf-8")
    assert "ok, merged" in report and "(GPU)" in report and "(CPU)" in report


def test_a_stale_gpu_run_is_flagged_on_the_page_and_in_the_log(project, tmp_path):
    """Edited after its GPU run: the page shows no GPU outputs, says the run is out of date and how to refresh it."""
    merge(project, gpu_folder(project, tmp_path / "gpu"))
    (project / "lessonsrc" / "demo.py").write_text(DEMO.replace("VALUE + 1", "VALUE + 2"), encoding="utf-8")
    result = build_in(project)
    assert "Example demo.py: its GPU run (on Test GPU, 2026-12-01T10:00:00Z) is out of date" in result.log
    assert "make merge-executions" in result.log
    html = page(project, "demo")
    assert "on the GPU" not in html and "demo says 43" in html and "tabbed-set" not in html
    assert "lesson-stale" in html and "is out of date" in html and "scripts/gpu_check.sh OUTDIR" in html
    assert "本示例的 GPU 运行结果" in page(project, "demo", "zh")


def test_a_shard_or_example_that_does_not_exist_is_refused(project, tmp_path):
    """Bad arguments exit 2 with the reason; nothing is written."""
    bad_shard = execute(project, tmp_path / "x", "--shard", "3/2")
    unknown = execute(project, tmp_path / "y", "--only", "nothing")
    assert bad_shard.returncode == 2 and "expected K/N with 1 <= K <= N" in bad_shard.stderr
    assert unknown.returncode == 2 and "no example nothing in lessonsrc/ (there are: demo, other)" in unknown.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    assert read_example(project / "lessonsrc" / "demo.py").cells  # the project is untouched
