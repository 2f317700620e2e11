"""Measuring torch.matmul on the CPU and on CUDA devices.

torch is imported inside functions, so this module (and the host facts it
re-exports from `sitelib.timings.host` for the hook and the recorder)
loads without it. GPU calls go through `CudaBackend` so that tests can
drive the GPU paths on the CPU. Standard library and torch only: the recorder
runs on bare GPU machines.
"""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass

from lessonsrc.timing import tflops
from sitelib.timings.host import (  # noqa: F401 (re-exported for the hook and the recorder)
    available_ram, cpu_model, current_machine_id, host_machine_id, machine_id, usable_cores)
from sitelib.timings.schema import DTYPES, PRECISIONS

SCRIPT_VERSION = "1.1.0"
SEED_SHAPE = (10000, 1000, 2000)  # (M, K, N): the seed multiplies (M, K) by (K, N)
CPU_SIZES = (128, 256, 512, 1024, 2048)
GPU_SIZES = (128, 256, 512, 1024, 2048, 4096, 8192)
GPU_PRECISIONS = PRECISIONS
ITEMSIZE = {"float32": 4, "bfloat16": 2, "float16": 2}

# Published dense peaks in TFLOP/s. NVIDIA datasheets print tensor-core rates
# with 2:4 sparsity (footnote: one half lower without it); those are halved.
_H100 = "https://resources.nvidia.com/en-us-gpu-resources/h100-datasheet-24306"
_H200 = "https://nvdam.widen.net/s/nb5zzzsjdf/hpc-datasheet-sc23-h200-datasheet-3002446"
_A100 = ("https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
         "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf")
_L4 = "https://nvdam.widen.net/s/rvq98gbwsw/l4-datasheet-2595652"
_T4 = ("https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/tesla-t4/"
       "t4-tensor-core-datasheet-951643.pdf")
_ADA = "https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf"
_HOPPER = {"fp32": 67, "tf32": 494.5, "bf16": 989.5, "fp16": 989.5}
PEAKS = (  # (regex on torch's device name, {precision: dense TFLOP/s}, source)
    (r"H100.*PCIe", {"fp32": 51, "tf32": 378, "bf16": 756.5, "fp16": 756.5}, _H100),
    (r"H100.*(SXM|HBM3)", _HOPPER, _H100),
    (r"H200(?!.*NVL)", _HOPPER, _H200),  # the NVL card has lower clocks: not listed
    (r"A100", {"fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312}, _A100),
    (r"\bL4\b", {"fp32": 30.3, "tf32": 60, "bf16": 121, "fp16": 121}, _L4),
    (r"\bT4\b", {"fp32": 8.1, "fp16": 65}, _T4),  # Turing: no TF32 or bf16 tensor cores
    # Ada whitepaper, appendix A: tensor rates with FP32 accumulate (what torch uses).
    (r"RTX 4090(?!\s*D)", {"fp32": 82.6, "tf32": 82.6, "bf16": 165.2, "fp16": 165.2}, _ADA),
)


def find_peak(device_name: str, precision: str):
    """Return ``(dense TFLOP/s, source URL)`` for a known GPU and precision, else None."""
    for pattern, figures, source in PEAKS:
        if re.search(pattern, device_name, re.IGNORECASE) and precision in figures:
            return float(figures[precision]), source
    return None


@dataclass(frozen=True)
class GpuInfo:
    """One CUDA device as seen before any tensor is allocated."""
    index: int
    name: str
    total_memory: int
    free_memory: int
    capability: str
    device: str  # torch device string, "cuda:N"; tests point it at "cpu"


def list_cuda_devices() -> list[GpuInfo]:
    """Describe every CUDA device (name, memory, capability) without allocating tensors."""
    import torch
    if not torch.cuda.is_available():
        return []
    out = []
    for i in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(i)
        free, total = torch.cuda.mem_get_info(i)
        capability = f"{props.major}.{props.minor}"
        out.append(GpuInfo(i, props.name, total, free, capability, f"cuda:{i}"))
    return out


def matmul_bytes(m: int, k: int, n: int, itemsize: int) -> int:
    """Memory for a (M, K) @ (K, N) product: both inputs and the output."""
    return (m * k + k * n + m * n) * itemsize


def has_fp32_precision(torch_version: str) -> bool:
    """Whether this torch sets TF32 with ``fp32_precision`` (2.9 and later) rather than ``allow_tf32``.

    PyTorch 2.9 introduced ``torch.backends.cuda.matmul.fp32_precision`` and
    deprecated ``allow_tf32``; the recorder still runs on torch 2.4 to 2.8.

    >>> has_fp32_precision("2.13.0+cpu"), has_fp32_precision("2.9.0"), has_fp32_precision("2.8.1+cu126")
    (True, True, False)
    >>> has_fp32_precision("2.10.0a0+git1234")
    True
    """
    found = re.match(r"(\d+)\.(\d+)", torch_version)
    if not found:
        raise ValueError(f"cannot read a torch version from {torch_version!r}")
    return (int(found[1]), int(found[2])) >= (2, 9)


@contextmanager
def tf32_matmul(flags, enabled: bool, torch_version: str):
    """Allow (or forbid) TF32 in float32 matmuls on ``flags`` (``torch.backends.cuda.matmul``), then restore.

    torch >= 2.9: ``flags.fp32_precision`` = ``"tf32"`` or ``"ieee"``; older: ``flags.allow_tf32``.
    """
    if has_fp32_precision(torch_version):
        old, flags.fp32_precision = flags.fp32_precision, "tf32" if enabled else "ieee"
        try:
            yield
        finally:
            flags.fp32_precision = old
    else:
        old, flags.allow_tf32 = flags.allow_tf32, enabled
        try:
            yield
        finally:
            flags.allow_tf32 = old


class CudaBackend:
    """The few torch.cuda calls the GPU measurements make, in one replaceable place."""

    def __init__(self):
        import torch
        self.cuda = torch.cuda
        self.matmul_flags = torch.backends.cuda.matmul
        self.torch_version = torch.__version__

    def use_device(self, device):  # events and streams belong to the current device
        return self.cuda.device(device)

    def synchronize(self, device):
        self.cuda.synchronize(device)

    def event(self):
        return self.cuda.Event(enable_timing=True)

    def pin(self, tensor):
        return tensor.pin_memory()

    def bf16_supported(self, device) -> bool:
        with self.cuda.device(device):
            try:
                return self.cuda.is_bf16_supported(including_emulation=False)
            except TypeError:  # torch < 2.4 has no emulation switch and counts native only
                return self.cuda.is_bf16_supported()

    def tf32(self, enabled: bool):
        return tf32_matmul(self.matmul_flags, enabled, self.torch_version)


@contextmanager
def _cpu_precision():
    import torch
    old = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")  # full fp32 on the CPU, no reduced-precision path
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(old)


def measure_matmul(device: str, device_name: str, m: int, k: int, n: int, *, precision="fp32",
                   role="sweep", threads=None, min_run_time=1.0, backend=None,
                   warmup_s=0.2) -> dict:
    """Time ``torch.matmul`` on an (M, K) @ (K, N) product with torch.utils.benchmark.

    The first call is timed on its own (it pays for lazy initialisation), the
    product is then warmed up for ``warmup_s`` and measured with
    ``Timer.blocked_autorange``; with a ``backend`` every clock read is
    preceded by a device synchronisation. ``threads`` applies to the CPU only.
    """
    import torch
    from torch.utils.benchmark import Timer

    sync = (lambda: backend.synchronize(device)) if backend else (lambda: None)
    mode = backend.tf32(precision == "tf32") if backend else _cpu_precision()
    dtype = getattr(torch, DTYPES[precision])
    old_threads = torch.get_num_threads()
    with mode:
        try:
            if threads:
                torch.set_num_threads(threads)
            a = torch.randn(m, k, device=device, dtype=dtype)
            b = torch.randn(k, n, device=device, dtype=dtype)
            sync()
            start = time.perf_counter(); torch.matmul(a, b); sync()  # noqa: E702
            first = time.perf_counter() - start
            deadline = time.perf_counter() + warmup_s
            while time.perf_counter() < deadline:
                torch.matmul(a, b)
            sync()
            timer = Timer("torch.matmul(a, b)", globals={"torch": torch, "a": a, "b": b},
                          num_threads=threads or torch.get_num_threads(),
                          timer=lambda: (sync(), time.perf_counter())[1])
            meas = timer.blocked_autorange(min_run_time=min_run_time)
        finally:
            torch.set_num_threads(old_threads)
    rate = tflops(m, k, n, meas.median)
    peak = find_peak(device_name, precision) if backend else None
    return {
        "kind": "matmul", "device": device, "device_name": device_name, "role": role,
        "m": m, "k": k, "n": n, "precision": precision, "dtype": DTYPES[precision],
        "tf32": precision == "tf32", "threads": threads if not backend else None,
        "median_s": meas.median, "iqr_s": meas.iqr, "runs": len(meas.times),
        "calls_per_run": meas.number_per_run, "min_run_time_s": min_run_time,
        "first_call_s": first, "tflops": rate,
        "peak_tflops": peak[0] if peak else None,
        "peak_percent": 100.0 * rate / peak[0] if peak else None,
        "peak_source": peak[1] if peak else None,
    }


def measure_timing_methods(gpu: GpuInfo, m: int, k: int, n: int, *, backend, reps=20) -> list:
    """The seed's unsynchronised ``time.time()`` next to synchronised clocks and CUDA events.

    Must run before any other matmul on the device: the first call pays for
    cuBLAS initialisation, which is the cost being recorded.
    """
    with backend.tf32(False):  # plain fp32, like the seed
        return _timing_methods(gpu, m, k, n, backend, reps)


def _timing_methods(gpu: GpuInfo, m: int, k: int, n: int, backend, reps: int) -> list:
    import torch
    dev = gpu.device
    a, b = torch.randn(m, k, device=dev), torch.randn(k, n, device=dev)
    backend.synchronize(dev)
    t0 = time.time(); c = torch.matmul(a, b); t1 = time.time()  # noqa: E702 (the seed, verbatim)
    backend.synchronize(dev)
    t2 = time.time()
    samples = {"naive_first": [t1 - t0], "synchronized_first": [t2 - t0],
               "naive_warm": [], "synchronized_warm": [], "cuda_events": []}
    for _ in range(3):
        c = torch.matmul(a, b)
    for _ in range(reps):
        backend.synchronize(dev)  # each sample starts from an idle device
        t0 = time.time(); c = torch.matmul(a, b); t1 = time.time()  # noqa: E702
        samples["naive_warm"].append(t1 - t0)
        backend.synchronize(dev)
        t0 = time.perf_counter(); c = torch.matmul(a, b); backend.synchronize(dev)  # noqa: E702
        samples["synchronized_warm"].append(time.perf_counter() - t0)
        start, end = backend.event(), backend.event()
        start.record(); c = torch.matmul(a, b); end.record(); end.synchronize()  # noqa: E702
        samples["cuda_events"].append(start.elapsed_time(end) / 1e3)  # ms -> s
    del c
    return [{"kind": "timing", "device": dev, "device_name": gpu.name, "m": m, "k": k, "n": n,
             "precision": "fp32", "method": method, "seconds": statistics.median(values),
             "samples": len(values)} for method, values in samples.items()]


def measure_copies(gpu: GpuInfo, m: int, k: int, n: int, *, backend, reps=10) -> list:
    """Host-to-device copy of the seed's two input tensors, from pageable and pinned memory."""
    import torch
    host = [torch.randn(m, k), torch.randn(k, n)]
    nbytes = sum(t.numel() * t.element_size() for t in host)
    rows = []
    for memory, tensors in (("pageable", host), ("pinned", [backend.pin(t) for t in host])):
        samples = []
        for _ in range(reps + 1):  # the first copy is a warm-up and is dropped
            backend.synchronize(gpu.device)
            t0 = time.perf_counter()
            moved = [t.to(gpu.device, non_blocking=memory == "pinned") for t in tensors]
            backend.synchronize(gpu.device)
            samples.append(time.perf_counter() - t0)
            del moved
        seconds = max(statistics.median(samples[1:]), 1e-9)
        rows.append({"kind": "copy", "device": gpu.device, "device_name": gpu.name,
                     "memory": memory, "bytes": nbytes, "seconds": seconds, "samples": reps,
                     "gb_per_s": nbytes / seconds / 1e9})
    return rows


def measure_cpu(args, progress) -> list:
    """Seed shape, then the sweep, each with 1 thread and with every usable core.

    ``args`` holds the recorder's options (shape, cpu_sizes, cpu_min_run_time, warmup);
    ``progress`` is called with a line before each measurement.
    """
    name = cpu_model()
    rows = []
    plan = [("seed", args.shape)] + [("sweep", (s, s, s)) for s in args.cpu_sizes]
    for role, (m, k, n) in plan:
        for threads in sorted({1, usable_cores()}):
            progress(f"cpu, {threads} thread(s): ({m}, {k}) @ ({k}, {n})")
            rows.append(measure_matmul("cpu", name, m, k, n, role=role, threads=threads,
                                          min_run_time=args.cpu_min_run_time,
                                          warmup_s=args.warmup))
    return rows


def measure_gpu(gpu, args, backend, progress) -> list:
    """Clock comparison and copies first (so the first call is the device's first), then timings.

    ``args`` holds the recorder's options (shape, gpu_sizes, precisions, reps,
    gpu_min_run_time, warmup).
    """
    m, k, n = args.shape
    with backend.use_device(gpu.device):
        progress(f"{gpu.device} ({gpu.name}): clock methods and host-to-device copies")
        rows = measure_timing_methods(gpu, m, k, n, backend=backend, reps=args.reps)
        rows += measure_copies(gpu, m, k, n, backend=backend)
        for precision in args.precisions:
            if precision == "bf16" and not backend.bf16_supported(gpu.device):
                progress(f"{gpu.device}: no native bf16 support, bf16 skipped")
                continue
            plan = [("seed", args.shape)] + [("sweep", (s, s, s)) for s in args.gpu_sizes]
            for role, (mm, kk, nn) in plan:
                progress(f"{gpu.device} {precision}: ({mm}, {kk}) @ ({kk}, {nn})")
                rows.append(measure_matmul(gpu.device, gpu.name, mm, kk, nn,
                                              precision=precision, role=role, backend=backend,
                                              min_run_time=args.gpu_min_run_time,
                                              warmup_s=args.warmup))
    return rows
