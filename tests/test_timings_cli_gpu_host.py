"""scripts/record_timings.py on a GPU host: the refusals, one machine id per host, and --merge."""

from __future__ import annotations

import json

import pytest

from sitelib.timings import measure as tm
from sitelib.timings.host import NvidiaDriver
from sitelib.timings.store import load_timings
from conftest import ROOT
from test_timings_cli import TINY, FakeBackend, cli, fake_gpu, no_driver, run


H100_DRIVER = NvidiaDriver("580.65.06", ("NVIDIA H100 80GB HBM3",))


def test_driver_but_cpu_torch_is_refused(tmp_path, monkeypatch, capsys):
    """A host whose NVIDIA driver answers, with this CPU-only torch: exit 1, the fix named, no file."""
    import torch
    monkeypatch.setattr(tm, "measure_matmul", lambda *a, **k: pytest.fail("measured anyway"))
    out = tmp_path / "timings.json"
    for extra in ([], ["--device", "cpu"], ["--dry-run"]):
        code = cli.main(["--output", str(out), *TINY, *extra], detect_driver=lambda: H100_DRIVER)
        err = capsys.readouterr().err
        assert code == 1 and not out.exists()
        assert "NVIDIA driver 580.65.06 (NVIDIA H100 80GB HBM3)" in err
        assert f"torch {torch.__version__} is a CPU-only build" in err
        assert "make install TORCH=cuda" in err and "Nothing was measured or written." in err


def test_cpu_only_record_of_a_gpu_host_is_refused(tmp_path, capsys):
    """With CUDA usable, --device cpu must not replace the host's record by one without its GPUs."""
    out = tmp_path / "timings.json"
    code = cli.main(["--device", "cpu", *TINY, "--output", str(out)], devices=[fake_gpu()],
                    backend=FakeBackend(), detect_driver=lambda: H100_DRIVER)
    assert code == 1 and not out.exists()
    assert "a record of its CPU alone would replace" in capsys.readouterr().err


def test_machine_id_is_the_same_for_cpu_and_cuda_torch(tmp_path):
    """One host, recorded with torch that sees no GPU and with torch that sees one: one id, one record."""
    out = tmp_path / "timings.json"
    assert cli.main(["--device", "cpu", *TINY, "--output", str(out)], devices=[],
                    detect_driver=no_driver) == 0
    cpu_id = load_timings(out)["machines"][0]["machine_id"]
    record = cli.build_record([], [fake_gpu()], ROOT, H100_DRIVER)
    assert record["machine_id"] == tm.host_machine_id(H100_DRIVER)
    assert cli.build_record([], [], ROOT, H100_DRIVER)["machine_id"] == record["machine_id"]
    assert record["driver_version"] == "580.65.06" and cpu_id == tm.host_machine_id(None)


def test_merge_adds_a_record_made_elsewhere(tmp_path):
    """--merge validates the file and adds its record; merging it again replaces, not duplicates."""
    here, there = tmp_path / "timings.json", tmp_path / "gpu.json"
    assert cli.main(["--device", "cpu", *TINY, "--output", str(here)], devices=[],
                    detect_driver=no_driver) == 0
    assert cli.main(["--device", "cuda:0", *TINY, "--output", str(there)],
                    devices=[fake_gpu()], backend=FakeBackend()) == 0
    gpu_record = load_timings(there)["machines"][0]
    gpu_record["machine_id"] = "fedcba9876543210"  # as if recorded on another host
    there.write_text(json.dumps({"schema_version": 1, "machines": [gpu_record]}), encoding="utf-8")
    for _ in range(2):
        proc, _ = run("--merge", str(there), "--output", str(here))
        assert proc.returncode == 0, proc.stderr
        assert "merged machine(s) fedcba9876543210" in proc.stdout
    ids = [m["machine_id"] for m in load_timings(here)["machines"]]
    assert ids == [tm.current_machine_id(), "fedcba9876543210"]


def test_merge_refuses_an_invalid_file_and_leaves_the_target(tmp_path):
    """A record file that breaks the schema is named with its problem; the target is unchanged."""
    here, bad = tmp_path / "timings.json", tmp_path / "bad.json"
    here.write_text('{"schema_version": 1, "machines": []}', encoding="utf-8")
    bad.write_text('{"machine_id": "nothex", "measurements": []}', encoding="utf-8")
    proc, _ = run("--merge", str(bad), "--output", str(here))
    assert proc.returncode == 1
    assert str(bad) in proc.stderr and "field 'machine_id' must be" in proc.stderr
    assert "Nothing was written." in proc.stderr
    assert here.read_text(encoding="utf-8") == '{"schema_version": 1, "machines": []}'
