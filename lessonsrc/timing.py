"""Timing a matrix product correctly on the CPU and on a CUDA GPU.

CUDA kernels run asynchronously: ``torch.matmul`` on a GPU returns as soon as
the kernel is *queued*. Reading the clock right after it measures the launch,
not the product. These helpers synchronize before reading the clock, or use
CUDA events, so that the time is the time of the work.

The timing recorder (``scripts/record_timings.py``) and the GPU tests use
them. The matrix-product example writes the few lines it needs itself, so
that its download runs on its own. torch is imported inside the functions
that use it: `cpu_model`, `matmul_flops` and `tflops` need only the standard
library, so the site's build and the recorder load them without torch.
"""

from __future__ import annotations

import math
import platform
import statistics
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


def matmul_flops(m: int, k: int, n: int) -> int:
    """Floating-point operations of an ``(m, k) @ (k, n)`` product.

    Each of the ``m * n`` outputs needs ``k`` multiplications and ``k`` additions.

    Examples:
        >>> matmul_flops(10000, 1000, 2000)
        40000000000
    """
    if min(m, k, n) <= 0:
        raise ValueError(f"matrix sizes must be positive, got m={m}, k={k}, n={n}")
    return 2 * m * k * n


def tflops(m: int, k: int, n: int, seconds: float) -> float:
    """Throughput in TFLOP/s of an ``(m, k) @ (k, n)`` product that took ``seconds``.

    Examples:
        >>> tflops(10000, 1000, 2000, 0.001)
        40.0
    """
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    return matmul_flops(m, k, n) / seconds / 1e12


def expected_norm(m: int, k: int, n: int) -> float:
    """Expected Frobenius norm of ``randn(m, k) @ randn(k, n)``.

    Each entry of the product is a sum of ``k`` products of independent
    standard normals, so it has mean 0 and variance ``k``. The squared norm sums
    ``m * n`` such entries: about ``m * n * k``.

    Examples:
        >>> round(expected_norm(10000, 1000, 2000))
        141421
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> c = torch.randn(200, 50) @ torch.randn(50, 100)
        >>> norm = torch.linalg.vector_norm(c).item()
        >>> abs(norm / expected_norm(200, 50, 100) - 1) < 0.02
        True
    """
    return math.sqrt(m * n * k)


def cpu_model() -> str:
    """Name of this machine's CPU, as the operating system reports it.

    Linux names it in ``/proc/cpuinfo``: ``model name`` on x86 (and on some
    ARM boards), ``Hardware`` or ``cpu model`` on other ARM and MIPS boards; the
    first of these lines wins. Elsewhere, or when none is there (many ARM
    servers), the name comes from Python's `platform` module.

    Examples:
        >>> isinstance(cpu_model(), str) and cpu_model() != ""
        True
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() in ("model name", "Hardware", "cpu model") and value.strip():
                    return value.strip()
    except OSError:
        pass  # not Linux: fall back to what platform knows
    return platform.processor() or platform.machine() or "unknown CPU"


def describe_device(device: torch.device | str) -> str:
    """A readable name for ``device``: the CPU model and threads, or the GPU name.

    Examples:
        >>> describe_device("cpu").startswith("cpu: ")
        True
    """
    import torch
    device = torch.device(device)
    if device.type == "cuda":
        return f"{device}: {torch.cuda.get_device_name(device)}"
    return f"cpu: {cpu_model()}, {torch.get_num_threads()} threads"


def synchronize(device: torch.device | str) -> None:
    """Wait until every kernel queued on ``device`` has finished (no-op on the CPU).

    Examples:
        >>> synchronize("cpu")
    """
    import torch
    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def wall_time(fn: Callable[[], object], device: torch.device | str) -> float:
    """Seconds that one call of ``fn`` takes on ``device``, synchronized on both sides.

    Examples:
        >>> import torch
        >>> seconds = wall_time(lambda: torch.ones(8, 8) @ torch.ones(8, 8), "cpu")
        >>> 0 < seconds < 1
        True
    """
    synchronize(device)  # do not charge earlier queued work to fn
    start = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - start


def median_time(fn: Callable[[], object], device: torch.device | str, *, warmup: int = 1, repeat: int = 5) -> float:
    """Median of ``repeat`` synchronized timings of ``fn`` after ``warmup`` untimed calls.

    Examples:
        >>> import torch
        >>> median_time(lambda: torch.ones(8, 8) @ torch.ones(8, 8), "cpu", repeat=3) > 0
        True
        >>> median_time(lambda: None, "cpu", repeat=0)
        Traceback (most recent call last):
        ...
        ValueError: repeat must be at least 1, got 0
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    for _ in range(warmup):
        fn()
    return statistics.median(wall_time(fn, device) for _ in range(repeat))


def cuda_event_time(fn: Callable[[], object]) -> float:
    """Seconds that ``fn`` takes on the current CUDA device, measured with CUDA events.

    The events are recorded in the GPU's own stream, so they time the kernel,
    not the Python call that queued it.
    """
    import torch
    if not torch.cuda.is_available():
        raise RuntimeError("cuda_event_time needs a CUDA GPU; torch.cuda.is_available() is False")
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / 1000  # elapsed_time is in milliseconds
