"""hooks/timings.py: placeholder replacement, errors naming page and file, no writes."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

from sitelib import timings_measure as tm
from conftest import ROOT



@pytest.fixture
def hook():
    """A fresh copy of the hook module (its machine-id cache starts empty)."""
    spec = importlib.util.spec_from_file_location("timings_hook_under_test",
                                                  ROOT / "hooks" / "timings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(machine_id, device="cpu", name="Test CPU"):
    row = {"kind": "matmul", "device": device, "device_name": name, "role": "seed",
           "m": 10000, "k": 1000, "n": 2000, "precision": "fp32", "dtype": "float32",
           "tf32": False, "threads": 1 if device == "cpu" else None, "median_s": 0.4,
           "iqr_s": 0.01, "runs": 5, "calls_per_run": 1, "min_run_time_s": 2.0,
           "first_call_s": 0.5, "tflops": 0.1, "peak_tflops": None, "peak_percent": None,
           "peak_source": None}
    return {"machine_id": machine_id, "cpu_model": "Test CPU", "logical_cores": 2,
            "gpus": [], "driver_version": None, "cuda_version": None,
            "torch_version": "2.13.0", "python_version": "3.11.7",
            "date_utc": "2026-02-03T04:05:06Z", "git_commit": None, "script_version": "1.0.0",
            "measurements": [row]}


def site(tmp_path, data, lang="en"):
    """A project directory with mkdocs.yml, a docs folder and (if given) data/timings.json."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    if data is not None:
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "timings.json").write_text(
            data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"),
                           theme={"language": lang})


def page(src="timings.md"):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src))


def snapshot(root: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_page_without_placeholder_is_untouched_and_data_not_read(hook, tmp_path, monkeypatch):
    """Pages without a placeholder come back as they were, even with no data file at all."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the data file was read")
    monkeypatch.setattr(hook, "load_timings", forbidden)
    config = site(tmp_path, None)
    text = "# Title\n\nSome <!-- other comment --> and `<!-- timings:table -->` inline.\n"
    assert hook.on_page_markdown(text, page(), config, None) is text


def test_placeholders_are_replaced_in_the_page_language(hook, tmp_path):
    """Each placeholder line becomes rendered HTML, localised from theme.language."""
    data = {"schema_version": 1, "machines": [record(tm.current_machine_id())]}
    config = site(tmp_path, data, lang="zh")
    text = "# 标题\n\n<!-- timings:table -->\n\n<!-- timings:machines -->\n\n" \
           "<!--timings:chart-->\n\n  <!-- timings:naive -->\n"
    out = hook.on_page_markdown(text, page(), config, None)
    assert "timings:" not in out
    assert "2026-02-03 在 <strong>Test CPU</strong> 上用 torch 2.13.0 测得。" in out
    assert "在构建本页的机器上测得" in out  # same id as this machine: recorded here
    assert out.count('<div class="timings">') == 4 and out.startswith("# 标题\n")


def test_other_machines_are_labelled_elsewhere(hook, tmp_path):
    """A committed record of another machine (e.g. a GPU box) is labelled as recorded elsewhere."""
    data = {"schema_version": 1, "machines": [record("0123456789abcdef")]}
    out = hook.on_page_markdown("<!-- timings:table -->", page(), site(tmp_path, data), None)
    assert "recorded on another machine" in out


def test_unknown_placeholder_names_page_and_placeholder(hook, tmp_path):
    """A typo in a placeholder stops the build with the page and the name."""
    config = site(tmp_path, {"schema_version": 1, "machines": []})
    with pytest.raises(PluginError) as info:
        hook.on_page_markdown("<!-- timings:tabel -->\n", page("zh/timings.md"), config, None)
    assert "zh/timings.md" in str(info.value) and "timings:tabel" in str(info.value)


def test_missing_data_file_names_the_file(hook, tmp_path):
    """A page with a placeholder but no data file fails naming the expected file."""
    config = site(tmp_path, None)
    with pytest.raises(PluginError) as info:
        hook.on_page_markdown("<!-- timings:table -->", page(), config, None)
    assert str(tmp_path / "data" / "timings.json") in str(info.value)
    assert "file not found" in str(info.value)


@pytest.mark.parametrize("content, problem", [
    ('{"schema_version": 1, "machi', "not valid JSON"),
    ('{"schema_version": 1, "machines": [{"machine_id": "x"}]}', "machine_id"),
])
def test_invalid_data_file_names_the_file_and_problem(hook, tmp_path, content, problem):
    """Corrupt or schema-breaking data fails the build with the file and the problem."""
    config = site(tmp_path, content)
    with pytest.raises(PluginError) as info:
        hook.on_page_markdown("<!-- timings:chart -->", page(), config, None)
    assert str(tmp_path / "data" / "timings.json") in str(info.value)
    assert problem in str(info.value)


def test_placeholders_in_code_blocks_are_left_alone(hook, tmp_path):
    """A fenced example of the syntax is documentation, not a slot."""
    config = site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    text = "```markdown\n<!-- timings:table -->\n<!-- timings:nope -->\n```\n\n<!-- timings:machines -->\n"
    out = hook.on_page_markdown(text, page(), config, None)
    assert "```markdown\n<!-- timings:table -->\n<!-- timings:nope -->\n```" in out
    assert "<table>" in out


def test_hook_never_writes(hook, tmp_path):
    """Rendering leaves every file of the project as it was and creates none."""
    config = site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    (tmp_path / "docs" / "timings.md").write_text("<!-- timings:chart -->\n", encoding="utf-8")
    before = snapshot(tmp_path)
    for name in ("table", "machines", "chart", "naive"):
        hook.on_page_markdown(f"<!-- timings:{name} -->", page(), config, None)
    assert snapshot(tmp_path) == before


def test_works_with_a_real_mkdocs_config(hook, tmp_path):
    """The hook reads config_file_path and theme['language'] from a loaded MkDocs config."""
    site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  language: zh\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    out = hook.on_page_markdown("<!-- timings:table -->", page(), config, None)
    assert "测得" in out


def test_machine_id_matches_the_script(hook, monkeypatch, tmp_path):
    """The hook compares records with the id computed by the function the script uses."""
    assert hook.current_machine_id is tm.current_machine_id  # as record_timings.build_record
    calls = []
    monkeypatch.setattr(hook, "current_machine_id", lambda: calls.append(1) or "0123456789abcdef")
    config = site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    out = hook.on_page_markdown("<!-- timings:table -->\n<!-- timings:naive -->", page(), config, None)
    assert "recorded on the machine that built this page" in out
    assert calls == [1]  # computed once and cached


@pytest.mark.parametrize("with_driver", [False, True])
def test_machine_id_never_imports_torch(tmp_path, with_driver):
    """The build's machine id asks the NVIDIA driver, never torch (1.3 s per build), GPU or not."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if with_driver:  # a stand-in nvidia-smi that answers like a one-GPU machine
        smi = bin_dir / "nvidia-smi"
        smi.write_text("#!/bin/sh\necho 'NVIDIA L4, 580.65.06'\n", encoding="utf-8")
        smi.chmod(0o755)
    code = ("import sys\nfrom sitelib import timings_host as th, timings_measure as tm\n"
            "driver = th.nvidia_driver()\n"
            "print(tm.current_machine_id() == th.host_machine_id(driver), "
            "driver is not None and driver.gpus == ('NVIDIA L4',), 'torch' in sys.modules)")
    env = {**os.environ, "PATH": str(bin_dir)}  # no other nvidia-smi than the stand-in
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=ROOT, env=env)
    found = result.stdout.split()
    assert found[0] == "True" and found[2] == "False", result.stderr
    assert not with_driver or found[1] == "True"
