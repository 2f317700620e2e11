"""Timings placeholders on pages (sitelib.timings.page): replacement, errors naming page and file, no writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from sitelib.timings import page as page_timings
from sitelib.timings import measure as tm
from sitelib.timings.page import TimingsPageError, render_placeholders
from sitelib.timings.strings import STRINGS


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


def site(tmp_path, data) -> Path:
    """A project folder holding (if given) data/timings.json; returns the data file's path."""
    if data is not None:
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "timings.json").write_text(
            data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return tmp_path / "data" / "timings.json"


def fill(text: str, data_file: Path, lang: str = "en", where: str = "timings.md", current=None) -> str:
    """The page ``text`` with its placeholders rendered, as the lesson plugin does."""
    return render_placeholders(text, where, data_file, STRINGS[lang], current or tm.current_machine_id)


def snapshot(root: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_page_without_placeholder_is_untouched_and_data_not_read(tmp_path, monkeypatch):
    """Pages without a placeholder come back as they were, even with no data file at all."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the data file was read")
    monkeypatch.setattr(page_timings, "load_timings", forbidden)
    text = "# Title\n\nSome <!-- other comment --> and `<!-- timings:table -->` inline.\n"
    assert fill(text, site(tmp_path, None), current=forbidden) is text


def test_placeholders_are_replaced_in_the_page_language(tmp_path):
    """Each placeholder line becomes rendered HTML, in the language of the strings given."""
    data = {"schema_version": 1, "machines": [record(tm.current_machine_id())]}
    data_file = site(tmp_path, data)
    text = "# 标题\n\n<!-- timings:table -->\n\n<!-- timings:machines -->\n\n" \
           "<!--timings:chart-->\n\n  <!-- timings:naive -->\n"
    out = fill(text, data_file, lang="zh")
    assert "timings:" not in out
    assert "2026-02-03 在 <strong>Test CPU</strong> 上用 torch 2.13.0 测得。" in out
    assert "在构建本页的机器上测得" in out  # same id as this machine: recorded here
    assert out.count('<div class="timings">') == 4 and out.startswith("# 标题\n")


def test_other_machines_are_labelled_elsewhere(tmp_path):
    """A committed record of another machine (e.g. a GPU box) is labelled as recorded elsewhere."""
    data = {"schema_version": 1, "machines": [record("0123456789abcdef")]}
    out = fill("<!-- timings:table -->", site(tmp_path, data))
    assert "recorded on another machine" in out


def test_unknown_placeholder_names_page_and_placeholder(tmp_path):
    """A typo in a placeholder stops the build with the page and the name."""
    data_file = site(tmp_path, {"schema_version": 1, "machines": []})
    with pytest.raises(TimingsPageError) as info:
        fill("<!-- timings:tabel -->\n", data_file, where="zh/timings.md")
    assert "zh/timings.md" in str(info.value) and "timings:tabel" in str(info.value)


def test_missing_data_file_names_the_file(tmp_path):
    """A page with a placeholder but no data file fails naming the expected file."""
    data_file = site(tmp_path, None)
    with pytest.raises(TimingsPageError) as info:
        fill("<!-- timings:table -->", data_file)
    assert str(tmp_path / "data" / "timings.json") in str(info.value)
    assert "file not found" in str(info.value)


@pytest.mark.parametrize("content, problem", [
    ('{"schema_version": 1, "machi', "not valid JSON"),
    ('{"schema_version": 1, "machines": [{"machine_id": "x"}]}', "machine_id"),
])
def test_invalid_data_file_names_the_file_and_problem(tmp_path, content, problem):
    """Corrupt or schema-breaking data fails the build with the file and the problem."""
    data_file = site(tmp_path, content)
    with pytest.raises(TimingsPageError) as info:
        fill("<!-- timings:chart -->", data_file)
    assert str(tmp_path / "data" / "timings.json") in str(info.value)
    assert problem in str(info.value)


def test_placeholders_in_code_blocks_are_left_alone(tmp_path):
    """A fenced example of the syntax is documentation, not a slot, even around a nested fence."""
    data_file = site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    text = "````markdown\n```\n<!-- timings:x -->\n```\n<!-- timings:nope -->\n````\n\n<!-- timings:machines -->\n"
    out = fill(text, data_file)
    assert "<!-- timings:nope -->\n````" in out
    text = "```markdown\n<!-- timings:table -->\n<!-- timings:nope -->\n```\n\n<!-- timings:machines -->\n"
    out = fill(text, data_file)
    assert "```markdown\n<!-- timings:table -->\n<!-- timings:nope -->\n```" in out
    assert "<table>" in out


def test_rendering_never_writes(tmp_path):
    """Rendering leaves every file of the project as it was and creates none."""
    data_file = site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    before = snapshot(tmp_path)
    for name in ("table", "machines", "chart", "naive", "summary"):
        fill(f"<!-- timings:{name} -->", data_file)
    assert snapshot(tmp_path) == before


def test_machine_id_is_asked_once_per_page(tmp_path):
    """The id the records are compared with is computed once for a page with several placeholders."""
    calls = []
    data_file = site(tmp_path, {"schema_version": 1, "machines": [record("0123456789abcdef")]})
    out = fill("<!-- timings:table -->\n<!-- timings:naive -->", data_file,
               current=lambda: calls.append(1) or "0123456789abcdef")
    assert "recorded on the machine that built this page" in out
    assert calls == [1]


@pytest.mark.parametrize("with_driver", [False, True])
def test_machine_id_never_imports_torch(tmp_path, with_driver):
    """The build's machine id asks the NVIDIA driver, never torch (1.3 s per build), GPU or not."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if with_driver:  # a stand-in nvidia-smi that answers like a one-GPU machine
        smi = bin_dir / "nvidia-smi"
        smi.write_text("#!/bin/sh\necho 'NVIDIA L4, 580.65.06'\n", encoding="utf-8")
        smi.chmod(0o755)
    code = ("import sys\nfrom sitelib.timings import host as th, measure as tm\n"
            "driver = th.nvidia_driver()\n"
            "print(tm.current_machine_id() == th.host_machine_id(driver), "
            "driver is not None and driver.gpus == ('NVIDIA L4',), 'torch' in sys.modules)")
    env = {**os.environ, "PATH": str(bin_dir)}  # no other nvidia-smi than the stand-in
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=ROOT, env=env)
    found = result.stdout.split()
    assert found[0] == "True" and found[2] == "False", result.stderr
    assert not with_driver or found[1] == "True"
