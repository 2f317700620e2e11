"""make merge-executions: an execution folder is checked whole, then stored; a bad one is refused and writes nothing.

The folders here are made without a kernel (outputs written by hand through
the same ``write_folder`` the execute script uses), so these tests are fast;
tests/test_run_by_device.py executes real ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from example_project import make_project

from sitelib.examples.run_in_kernel import Execution
from sitelib.examples.executions import MANIFEST, merge_folder, write_folder
from sitelib.examples.notebooks import read_example
from sitelib.examples.store import StoreError, input_key, merged_runs, recorded_seconds

DEMO = '# %% [markdown]\n# # Demo\n\n# %%\nfrom lessonsrc.helper import VALUE\nprint(VALUE + 1)\n'
OTHER = '# %% [markdown]\n# # Other\n\n# %%\nprint("other")\n'
CPU = {"cpu": "Test CPU", "gpu": None, "torch": "2.13.0+cpu", "cuda": None, "python": "3.11.9"}
GPU = {"cpu": "Test CPU", "gpu": "Test GPU", "torch": "2.11.0+cu128", "cuda": "12.8", "python": "3.12.3"}


def executed(path: Path, text: str, machine: dict, seconds: float = 1.5) -> Execution:
    """``path`` as if it had run and printed ``text`` in its one code cell."""
    notebook = read_example(path)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    code[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    code[0].execution_count = 1
    return Execution(notebook, seconds, dict(machine), "2026-12-01T10:00:00Z")


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path / "project", DEMO)
    (root / "lessonsrc" / "other.py").write_text(OTHER, encoding="utf-8")
    return root


def folder(project: Path, out: Path, machine: dict = CPU, names=("demo.py", "other.py"), text="42\n") -> Path:
    src = project / "lessonsrc"
    runs = {src / name: executed(src / name, text, machine) for name in names}
    write_folder(out, "lessonsrc", src, runs, "1/1", {"machine_id": "0123456789abcdef", "driver": None})
    return out


def store_bytes(project: Path) -> dict[str, bytes]:
    store = project / "data" / "executions"
    return {p.relative_to(store).as_posix(): p.read_bytes() for p in store.rglob("*") if p.is_file()}


def test_a_folder_is_stored_and_its_outputs_come_back_on_the_current_source(project, tmp_path):
    """Merging stores one small file per run; reading it back rebuilds the notebook from the source with the outputs."""
    said = merge_folder(folder(project, tmp_path / "out"), project, project / "data" / "executions")
    assert len(said) == 2 and all("cpu run on Test CPU" in line for line in said)
    stored = project / "data" / "executions" / "lessonsrc" / "demo.cpu.json"
    data = json.loads(stored.read_text(encoding="utf-8"))
    assert set(data) == {"format", "key", "machine", "executed_at", "seconds", "outputs"}  # no source, no prose
    assert data["machine"]["machine_id"] == "0123456789abcdef" and data["outputs"][0][0]["text"] == "42\n"
    src = project / "lessonsrc"
    runs = merged_runs(src / "demo.py", src, stored.parent)
    assert list(runs.current) == ["cpu"] and not runs.stale
    cell = [c for c in runs.current["cpu"].execution.notebook.cells if c.cell_type == "code"][0]
    assert cell.source.endswith("print(VALUE + 1)") and cell.outputs[0].text == "42\n"
    assert recorded_seconds(stored.parent, src) == {src / "demo.py": 1.5, src / "other.py": 1.5}


def test_shards_merge_one_after_the_other_and_a_gpu_run_sits_beside_the_cpu_run(project, tmp_path):
    """Two shards, then a GPU run of one example: each kind of each example is kept, the newer replacing the older."""
    store = project / "data" / "executions"
    merge_folder(folder(project, tmp_path / "s1", names=("demo.py",)), project, store)
    merge_folder(folder(project, tmp_path / "s2", names=("other.py",)), project, store)
    merge_folder(folder(project, tmp_path / "gpu", GPU, names=("demo.py",), text="gpu 42\n"), project, store)
    assert sorted(store_bytes(project)) == ["lessonsrc/demo.cpu.json", "lessonsrc/demo.gpu.json", "lessonsrc/other.cpu.json"]
    src = project / "lessonsrc"
    runs = merged_runs(src / "demo.py", src, store / "lessonsrc")
    assert sorted(runs.current) == ["cpu", "gpu"] and runs.current["gpu"].execution.machine["cuda"] == "12.8"


def test_an_edited_example_makes_its_stored_run_stale(project, tmp_path):
    """After an edit, the stored run no longer matches: it is stale (named, never shown), not current."""
    store = project / "data" / "executions"
    merge_folder(folder(project, tmp_path / "gpu", GPU, names=("demo.py",)), project, store)
    src = project / "lessonsrc"
    (src / "demo.py").write_text(DEMO.replace("VALUE + 1", "VALUE + 2"), encoding="utf-8")
    runs = merged_runs(src / "demo.py", src, store / "lessonsrc")
    assert not runs.current and [s.kind for s in runs.stale] == ["gpu"]
    assert runs.stale[0].key != input_key(src / "demo.py", src)


def test_examples_that_no_longer_exist_leave_the_store(project, tmp_path):
    """A stored run of a deleted example is removed by the next merge, and said."""
    store = project / "data" / "executions"
    merge_folder(folder(project, tmp_path / "a"), project, store)
    (project / "lessonsrc" / "other.py").unlink()
    said = merge_folder(folder(project, tmp_path / "b", names=("demo.py",)), project, store)
    assert "removed other.cpu.json: no such example any more" in said
    assert sorted(store_bytes(project)) == ["lessonsrc/demo.cpu.json"]


def _edit_manifest(out: Path, change) -> None:
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    change(manifest)
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _set(field, value):
    return lambda m: m["examples"][1].__setitem__(field, value)


BAD = {
    "no manifest": (lambda out: (out / MANIFEST).unlink(), "manifest.json: missing"),
    "not JSON": (lambda out: (out / MANIFEST).write_text("{", encoding="utf-8"), "cannot be read as JSON"),
    "another format": (lambda out: _edit_manifest(out, lambda m: m.update(format=9)), "format 9, expected 1"),
    "unknown lesson": (lambda out: _edit_manifest(out, lambda m: m.update(lesson="nowhere")), "lesson: 'nowhere'"),
    "no examples": (lambda out: _edit_manifest(out, lambda m: m.update(examples=[])), "examples: expected a non-empty list"),
    "unknown example": (lambda out: _edit_manifest(out, _set("source", "gone.py")), "gone.py is not an example"),
    "path outside": (lambda out: _edit_manifest(out, _set("source", "../mkdocs.yml")), "expected a path inside lessonsrc/"),
    "bad key": (lambda out: _edit_manifest(out, _set("key", "xyz")), "key: expected 20 lowercase hexadecimal digits"),
    "other key": (lambda out: _edit_manifest(out, _set("key", "0" * 20)), "changed since this run"),
    "bad date": (lambda out: _edit_manifest(out, _set("executed_at", "yesterday")), "executed_at: expected a UTC time"),
    "negative seconds": (lambda out: _edit_manifest(out, _set("seconds", -1)), "seconds: expected a number"),
    "no torch": (lambda out: _edit_manifest(out, lambda m: m["examples"][1]["machine"].pop("torch")), "machine.torch"),
    "missing notebook": (lambda out: (out / "other.ipynb").unlink(), "other.ipynb: missing"),
    "broken notebook": (lambda out: (out / "other.ipynb").write_text('{"cells": 3}', encoding="utf-8"),
                        "other.ipynb: not a valid notebook"),
    "other code": (lambda out: (out / "other.ipynb").write_text(
        (out / "other.ipynb").read_text(encoding="utf-8").replace('print(\\"other\\")', 'print(\\"changed\\")'),
        encoding="utf-8"), "its code cells are not those of lessonsrc/other.py"),
    "listed twice": (lambda out: _edit_manifest(out, lambda m: m["examples"].append(m["examples"][0])), "listed twice"),
}


@pytest.mark.parametrize("damage", sorted(BAD))
def test_a_bad_folder_is_refused_with_its_reason_and_nothing_is_written(project, tmp_path, damage):
    """Each kind of damage is refused with a message naming the file and the problem; the store stays as it was."""
    store = project / "data" / "executions"
    merge_folder(folder(project, tmp_path / "good", names=("demo.py",)), project, store)
    before = store_bytes(project)
    out = folder(project, tmp_path / "bad", text="new\n")  # would replace demo.cpu.json if it were merged
    spoil, reason = BAD[damage]
    spoil(out)
    with pytest.raises(StoreError) as refused:
        merge_folder(out, project, store)
    assert reason in str(refused.value) and str(out) in str(refused.value)
    assert store_bytes(project) == before


def test_the_merge_command_says_refused_and_exits_1(project, tmp_path):
    """scripts/merge_executions.py names the folder it refused and writes nothing."""
    out = folder(project, tmp_path / "bad")
    _edit_manifest(out, _set("key", "0" * 20))
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "merge_executions.py"), str(out),
                             "--project", str(project)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"refused, nothing of {out} was stored" in result.stderr and "changed since this run" in result.stderr
    assert not (project / "data" / "executions").exists()


def test_a_damaged_stored_run_fails_the_build_naming_its_file(project, tmp_path):
    """A stored run is committed data, not a cache: a damaged one is an error naming the file, not a silent re-run."""
    store = project / "data" / "executions"
    merge_folder(folder(project, tmp_path / "out", names=("demo.py",)), project, store)
    stored = store / "lessonsrc" / "demo.cpu.json"
    stored.write_text(stored.read_text(encoding="utf-8")[:40], encoding="utf-8")
    src = project / "lessonsrc"
    with pytest.raises(StoreError, match=f"{stored}: cannot be read as JSON"):
        merged_runs(src / "demo.py", src, store / "lessonsrc")
