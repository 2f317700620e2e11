"""scripts/record_timings.py: refusals, file handling, and the GPU paths with mocked devices."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import subprocess
import sys
import time

import pytest

from sitelib.timings import measure as tm
from sitelib.timings.store import load_timings
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "record_timings.py"
TINY = ["--shape", "16,8,4", "--cpu-sizes", "8,16", "--gpu-sizes", "8,16",
        "--cpu-min-run-time", "0.002", "--gpu-min-run-time", "0.002", "--reps", "3",
        "--warmup", "0"]


def load_script():
    spec = importlib.util.spec_from_file_location("record_timings_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cli = load_script()


def run(*args, timeout=120):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    return proc, time.perf_counter() - start


class FakeEvent:
    """Stands in for torch.cuda.Event: records host time instead of device time."""

    def record(self):
        self.t = time.perf_counter()

    def synchronize(self):
        pass

    def elapsed_time(self, other):
        return (other.t - self.t) * 1e3


class FakeBackend:
    """A CPU stand-in for CudaBackend that records what the GPU code asked of it."""

    def __init__(self, bf16=True):
        self.bf16, self.syncs, self.tf32_modes, self.events, self.pinned = bf16, 0, [], 0, 0

    def use_device(self, device):
        return contextlib.nullcontext()

    def synchronize(self, device):
        assert device == "cpu"
        self.syncs += 1

    def event(self):
        self.events += 1
        return FakeEvent()

    def pin(self, tensor):
        self.pinned += 1
        return tensor.clone()

    def bf16_supported(self, device):
        return self.bf16

    @contextlib.contextmanager
    def tf32(self, enabled):
        self.tf32_modes.append(enabled)
        yield


def no_driver():
    """Stands in for the NVIDIA driver detection of a machine without a driver."""
    return None


def fake_gpu(name="NVIDIA H100 80GB HBM3", free=2**30, index=0):
    return tm.GpuInfo(index, name, total_memory=free, free_memory=free, capability="9.0",
                      device="cpu")  # the "GPU" computes on the CPU


@pytest.mark.slow  # runs the recorder in a new Python process
def test_help_describes_the_options():
    """--help exits 0 and documents devices, output and dry run."""
    proc, _ = run("--help")
    assert proc.returncode == 0
    for word in ("--device", "--output", "--dry-run", "--cpu-sizes", "machine id"):
        assert word in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["--cpu-sizes", "128,0"], "must be positive, got 0"),
    (["--shape", "10000,-1000,2000"], "must be positive, got -1000"),
    (["--shape", "10,20"], "expected M,K,N"),
    (["--cpu-min-run-time", "0"], "must be greater than 0"),
    (["--warmup", "-1"], "must be at least 0"),
    (["--precisions", "fp8"], "unknown precision(s) fp8"),
    (["--device", "tpu"], "unknown device"),
    (["--device", "cuda:3"], "cuda:3: no such CUDA device"),
    (["--cpu-sizes", "200000"], "of RAM"),
])
@pytest.mark.slow  # runs the recorder in a new Python process
def test_invalid_values_are_refused_quickly(tmp_path, args, message):
    """Bad values exit with status 2 and a message naming the problem, before any work."""
    out = tmp_path / "timings.json"
    proc, elapsed = run(*args, "--output", str(out))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "record_timings.py: error:" in proc.stderr
    assert elapsed < 20  # a 200000² matmul would take hours, and 480 GB
    assert not out.exists()


def test_refusals_happen_before_any_allocation(monkeypatch, capsys):
    """A size that does not fit the (mocked) GPU is refused without creating a tensor."""
    import torch

    def forbidden(*args, **kwargs):
        raise AssertionError("a tensor was allocated before validation")
    monkeypatch.setattr(torch, "randn", forbidden)
    monkeypatch.setattr(tm, "measure_matmul", forbidden)
    with pytest.raises(SystemExit) as info:
        cli.main(["--device", "cuda:0", "--gpu-sizes", "128,30000", "--dry-run"],
                 devices=[fake_gpu(free=2**30)], backend=FakeBackend(), detect_driver=no_driver)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--gpu-sizes 30000" in err and "NVIDIA H100 80GB HBM3" in err and "1.00 GiB" in err
    with pytest.raises(SystemExit):
        cli.main(["--device", "cuda:1", "--dry-run"], devices=[fake_gpu()], backend=FakeBackend(),
                 detect_driver=no_driver)
    assert "cuda:1: no such CUDA device" in capsys.readouterr().err


def test_memory_estimate_counts_inputs_and_output():
    """bytes = (M·K + K·N + M·N) · itemsize."""
    assert tm.matmul_bytes(10000, 1000, 2000, 4) == (10_000_000 + 2_000_000 + 20_000_000) * 4


@pytest.mark.parametrize("content, problem", [
    ('{"schema_version": 1, "machines": [', "not valid JSON"),
    ('{"compilerOptions": {}}', "not a timings file"),
])
@pytest.mark.slow  # runs the recorder in a new Python process
def test_corrupt_or_foreign_file_stops_the_script_untouched(tmp_path, content, problem):
    """A bad output file is named with its problem, exit status 1, and left byte for byte."""
    out = tmp_path / "timings.json"
    out.write_text(content, encoding="utf-8")
    proc, _ = run("--device", "cpu", *TINY, "--output", str(out))
    assert proc.returncode == 1
    assert str(out) in proc.stderr and problem in proc.stderr
    assert out.read_text(encoding="utf-8") == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timings.json"]


def test_cpu_run_writes_and_rerun_replaces(tmp_path, monkeypatch):
    """A CPU run writes a valid record; a second run on the same machine replaces it."""
    out = tmp_path / "timings.json"
    assert cli.main(["--device", "cpu", *TINY, "--output", str(out)], devices=[], detect_driver=no_driver) == 0
    first = load_timings(out)
    assert len(first["machines"]) == 1
    rec = first["machines"][0]
    assert rec["machine_id"] == tm.current_machine_id()
    assert rec["gpus"] == [] and rec["driver_version"] is None and rec["cuda_version"] is None
    rows = rec["measurements"]
    threads = sorted({1, tm.usable_cores()})
    assert len(rows) == len(threads) * 3  # seed + two sweep sizes
    assert {r["threads"] for r in rows} == set(threads)
    assert all(r["first_call_s"] > 0 and r["runs"] >= 1 and r["tflops"] > 0 for r in rows)
    monkeypatch.setattr(tm, "SCRIPT_VERSION", "9.9.9")
    assert cli.main(["--device", "cpu", *TINY, "--output", str(out)], devices=[], detect_driver=no_driver) == 0
    second = load_timings(out)
    assert len(second["machines"]) == 1
    assert second["machines"][0]["script_version"] == "9.9.9"


def test_dry_run_prints_and_writes_nothing(tmp_path, capsys):
    """--dry-run prints the record as JSON and does not create the output file."""
    out = tmp_path / "timings.json"
    assert cli.main(["--device", "cpu", *TINY, "--dry-run", "--output", str(out)],
                    devices=[], detect_driver=no_driver) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["measurements"] and not out.exists()


def test_gpu_paths_with_a_mocked_device(tmp_path):
    """Every GPU code path runs on the CPU against a mocked device list and backend."""
    out = tmp_path / "timings.json"
    backend = FakeBackend(bf16=False)
    assert cli.main(["--device", "cuda:0", *TINY, "--output", str(out)],
                    devices=[fake_gpu()], backend=backend) == 0
    rec = load_timings(out)["machines"][0]
    rows = rec["measurements"]
    assert rec["gpus"][0]["name"] == "NVIDIA H100 80GB HBM3"
    assert rec["machine_id"] == tm.current_machine_id()  # torch's device list plays no part
    methods = {r["method"] for r in rows if r["kind"] == "timing"}
    assert methods == {"naive_first", "naive_warm", "synchronized_first", "synchronized_warm",
                       "cuda_events"}
    assert {r["memory"] for r in rows if r["kind"] == "copy"} == {"pageable", "pinned"}
    matmuls = [r for r in rows if r["kind"] == "matmul"]
    assert {r["precision"] for r in matmuls} == {"fp32", "tf32", "fp16"}  # no native bf16
    assert all(r["threads"] is None and r["device"] == "cpu" for r in matmuls)
    assert backend.tf32_modes.count(True) == 3 and backend.tf32_modes.count(False) == 7
    assert backend.events == 2 * 3 and backend.pinned == 2 and backend.syncs > 20
    tf32 = next(r for r in matmuls if r["precision"] == "tf32")
    assert tf32["tf32"] is True and tf32["peak_tflops"] == 494.5
    assert tf32["peak_percent"] == pytest.approx(100 * tf32["tflops"] / 494.5)
    assert tf32["peak_source"].startswith("https://")


def test_timing_methods_synchronize_around_the_clock():
    """Synchronised samples wait for the device; naive ones do not (seen through the fake)."""
    backend = FakeBackend()
    rows = tm.measure_timing_methods(fake_gpu(), 32, 16, 8, backend=backend, reps=4)
    by_method = {r["method"]: r for r in rows}
    assert by_method["naive_first"]["samples"] == 1 and by_method["cuda_events"]["samples"] == 4
    assert backend.syncs == 2 + 4 * 3 and backend.events == 8
    assert backend.tf32_modes == [False]  # the seed's fp32, TF32 off
    assert all(r["seconds"] >= 0 for r in rows)


def test_gpu_benchmark_clock_waits_for_the_device():
    """On a GPU each clock reading of blocked_autorange is preceded by a synchronization."""
    backend = FakeBackend()
    row = tm.measure_matmul("cpu", "Fake GPU", 32, 32, 32, precision="tf32", min_run_time=0.01,
                            backend=backend, warmup_s=0)
    assert backend.syncs >= 2 * row["runs"] + 3  # first call, warm-up, then two per block
    assert backend.tf32_modes == [True] and row["tf32"] is True and row["threads"] is None


@pytest.mark.parametrize("name, precision, peak", [
    ("NVIDIA H100 80GB HBM3", "bf16", 989.5), ("NVIDIA H100 PCIe", "fp32", 51.0),
    ("NVIDIA H200", "tf32", 494.5), ("NVIDIA A100-SXM4-80GB", "fp16", 312.0),
    ("NVIDIA L4", "fp32", 30.3), ("Tesla T4", "fp16", 65.0),
    ("NVIDIA GeForce RTX 4090", "bf16", 165.2),
    ("Tesla T4", "bf16", None), ("NVIDIA L40S", "fp32", None), ("NVIDIA H200 NVL", "fp16", None),
])
def test_peak_table(name, precision, peak):
    """Peaks are dense figures for known cards only; unknown cards get no percentage."""
    found = tm.find_peak(name, precision)
    assert (found[0] if found else None) == peak
    if found:
        assert found[1].startswith("https://")


def test_machine_id_is_stable_and_covers_its_inputs():
    """Same inputs give the same 16-hex id; host, CPU and GPU names each change it."""
    base = tm.machine_id("host", "CPU", ["GPU"])
    assert base == tm.machine_id("host", "CPU", ["GPU"]) and len(base) == 16
    assert len({base, tm.machine_id("other", "CPU", ["GPU"]), tm.machine_id("host", "CPU2", ["GPU"]),
                tm.machine_id("host", "CPU", [])}) == 4


def test_git_commit_is_none_outside_a_checkout(tmp_path):
    """Outside a git checkout the commit is recorded as null rather than guessed."""
    assert cli.git_commit(tmp_path) is None

