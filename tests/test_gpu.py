"""The GPU code paths on a real CUDA GPU: the recorder's CudaBackend and the lesson's helpers, no fakes.

Every test here is marked ``gpu`` and skipped, with the reason, where torch sees
no CUDA device. The module needs only torch, pytest and the project's own
``lessonsrc`` and ``sitelib`` (standard library), so it runs on a bare GPU
machine: ``python3 -m pytest --noconftest -m gpu tests/test_gpu.py`` from the
project root (``scripts/gpu_check.sh`` does this).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # torch runs without numpy, and says so at import: not a failure
    warnings.filterwarnings("ignore", message="Failed to initialize NumPy", category=UserWarning)
    import torch

from lessonsrc.timing import cuda_event_time, expected_norm, median_time
from sitelib.timings import measure as tm
from sitelib.timings.schema import SCHEMA_VERSION, validate_timings

ROOT = Path(__file__).resolve().parent.parent  # not conftest's: that needs the site's stack
M, K, N = tm.SEED_SHAPE

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason=f"no CUDA GPU: torch {torch.__version__} (CUDA "
                              f"{torch.version.cuda or 'none: a CPU-only build'}) sees no device"),
]


@pytest.fixture(scope="module")
def gpu() -> tm.GpuInfo:
    """The first CUDA device, as the recorder describes it."""
    return tm.list_cuda_devices()[0]


@pytest.fixture(scope="module")
def clock_rows(gpu) -> dict:
    """The recorder's clock comparison on the seed product, by method (the device's first matmul)."""
    backend = tm.CudaBackend()
    with backend.use_device(gpu.device):
        rows = tm.measure_timing_methods(gpu, M, K, N, backend=backend, reps=20)
    return {row["method"]: row for row in rows}


def test_synchronized_median_agrees_with_cuda_events(clock_rows):
    """fp32: the synchronized wall-clock median is within 5 % of the CUDA-event median."""
    synced, events = clock_rows["synchronized_warm"]["seconds"], clock_rows["cuda_events"]["seconds"]
    assert events > 0
    assert abs(synced / events - 1) < 0.05, (synced, events)


def test_lesson_helpers_agree_with_cuda_events(gpu):
    """lessonsrc.timing: median_time (synchronized) and cuda_event_time agree within 5 %."""
    with torch.cuda.device(gpu.device):
        a = torch.randn(M, K, device=gpu.device)
        b = torch.randn(K, N, device=gpu.device)
        synced = median_time(lambda: torch.matmul(a, b), gpu.device, warmup=3, repeat=20)
        events = statistics.median(cuda_event_time(lambda: torch.matmul(a, b)) for _ in range(20))
    assert abs(synced / events - 1) < 0.05, (synced, events)


def test_naive_launch_time_is_below_the_synchronized_time(clock_rows):
    """Without synchronize the clock stops at the launch: below the synchronized time, first call too."""
    assert clock_rows["naive_warm"]["seconds"] < clock_rows["synchronized_warm"]["seconds"]
    assert clock_rows["naive_first"]["seconds"] < clock_rows["synchronized_first"]["seconds"]


def test_pinned_copies_are_faster_than_pageable(gpu):
    """Host-to-device copies of the seed's inputs run faster from pinned than from pageable memory."""
    rows = {r["memory"]: r for r in tm.measure_copies(gpu, M, K, N, backend=tm.CudaBackend())}
    assert rows["pinned"]["gb_per_s"] > rows["pageable"]["gb_per_s"], rows


def test_every_precision_measures_and_restores_tf32(gpu):
    """The real backend measures each precision, the rows follow the schema, and TF32 is restored."""
    backend, before = tm.CudaBackend(), torch.backends.cuda.matmul.fp32_precision
    rows = []
    with backend.use_device(gpu.device):
        for precision in tm.GPU_PRECISIONS:
            if precision == "bf16" and not backend.bf16_supported(gpu.device):
                continue
            rows.append(tm.measure_matmul(gpu.device, gpu.name, 1024, 1024, 1024, backend=backend,
                                          precision=precision, min_run_time=0.05, warmup_s=0.02))
    assert torch.backends.cuda.matmul.fp32_precision == before
    assert {r["precision"] for r in rows} >= {"fp32", "tf32", "fp16"}
    assert all(r["tflops"] > 0 and r["threads"] is None for r in rows)
    record = {"machine_id": tm.current_machine_id(), "cpu_model": tm.cpu_model(),
              "logical_cores": 1, "gpus": [], "driver_version": None,
              "cuda_version": torch.version.cuda, "torch_version": torch.__version__,
              "python_version": "3", "date_utc": "2026-11-27T00:00:00Z", "git_commit": None,
              "script_version": tm.SCRIPT_VERSION, "measurements": rows}
    validate_timings({"schema_version": SCHEMA_VERSION, "machines": [record]}, "gpu rows")


def test_matmul_example_runs_its_gpu_cell():
    """`python lessonsrc/matmul_cpu_gpu.py` times the GPU and prints a norm near sqrt(M·N·K)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, str(ROOT / "lessonsrc" / "matmul_cpu_gpu.py")],
                            capture_output=True, text=True, timeout=240, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "No GPU was found" not in result.stdout
    assert "synchronized median:" in result.stdout
    found = re.search(r"vector_norm\(c_gpu\) = tensor\(([\d.]+)", result.stdout)
    assert found, result.stdout
    assert abs(float(found.group(1)) / expected_norm(M, K, N) - 1) < 0.01
