#!/usr/bin/env python3
"""Record torch.matmul timings of this machine into data/timings.json.

Measures the seed's product (10000, 1000) @ (1000, 2000) and a sweep of square
sizes on the CPU (1 thread and all threads) and on every CUDA device (fp32 with
TF32 off, TF32, bf16, fp16), plus, on a GPU, the seed's unsynchronised
time.time() next to synchronised clocks, CUDA events and host-to-device copies.
Re-running on the same machine replaces that machine's record. On a machine
whose NVIDIA driver answers but whose torch cannot use CUDA it stops instead
of recording the CPU alone. --merge FILE adds records made elsewhere.

Needs only the standard library and torch (>= 2.4, Python >= 3.10): run it
from a checkout with ``python3 scripts/record_timings.py``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing the project
    sys.path.insert(0, str(ROOT))

from sitelib.timings import measure as tm  # noqa: E402
from sitelib.timings.host import (  # noqa: E402
    cuda_refusal, host_machine_id, nvidia_driver, run_command)
from sitelib.timings.schema import SCHEMA_VERSION, validate_timings  # noqa: E402
from sitelib.timings.store import (  # noqa: E402
    TimingsFileError, load_timings, merge_file, merge_record, write_timings)

DEFAULT_OUTPUT = ROOT / "data" / "timings.json"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"sizes and counts must be positive, got {value}")
    return value


def _size_list(text: str) -> tuple:
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(f"expected comma-separated sizes, got {text!r}")
    return tuple(_positive_int(part) for part in parts)


def _shape(text: str) -> tuple:
    parts = _size_list(text)
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected M,K,N (three sizes), got {text!r}")
    return parts


def _seconds(text: str, allow_zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not (value >= 0 if allow_zero else value > 0) or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"must be {'at least' if allow_zero else 'greater than'} 0 and finite, got {text}")
    return value


_positive_float = _seconds
_non_negative_float = functools.partial(_seconds, allow_zero=True)


def _precisions(text: str) -> tuple:
    chosen = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in chosen if p not in tm.GPU_PRECISIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown precision(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {','.join(tm.GPU_PRECISIONS)}")
    return chosen


def _csv(values) -> str:
    return ",".join(map(str, values))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="record_timings.py", description=__doc__.split("\n\n")[0],
        epilog="The machine id is the first 16 hex digits of SHA-256 over the host name, the "
               "CPU model and the GPU names the NVIDIA driver reports (so the torch build does "
               "not change it). Invalid values are refused before any tensor is allocated.")
    p.add_argument("--device", action="append", metavar="DEV",
                   help="cpu, cuda (every CUDA device), cuda:N, or all (default: all, i.e. the "
                        "CPU and every CUDA device); may be repeated")
    p.add_argument("--shape", type=_shape, default=_csv(tm.SEED_SHAPE), metavar="M,K,N",
                   help="the lesson's product (M,K) @ (K,N) (default: %(default)s)")
    p.add_argument("--cpu-sizes", type=_size_list, default=_csv(tm.CPU_SIZES), metavar="N,N,...",
                   help="square sizes of the CPU sweep (default: %(default)s)")
    p.add_argument("--gpu-sizes", type=_size_list, default=_csv(tm.GPU_SIZES), metavar="N,N,...",
                   help="square sizes of the GPU sweep (default: %(default)s)")
    p.add_argument("--precisions", type=_precisions, default=_csv(tm.GPU_PRECISIONS),
                   metavar="P,P,...", help="GPU precisions (default: %(default)s)")
    p.add_argument("--cpu-min-run-time", type=_positive_float, default=2.0, metavar="S",
                   help="blocked_autorange min_run_time per CPU measurement (default: 2.0)")
    p.add_argument("--gpu-min-run-time", type=_positive_float, default=0.5, metavar="S",
                   help="blocked_autorange min_run_time per GPU measurement (default: 0.5)")
    p.add_argument("--warmup", type=_non_negative_float, default=0.2, metavar="S",
                   help="seconds of untimed calls after the first call (default: 0.2)")
    p.add_argument("--reps", type=_positive_int, default=20,
                   help="samples per clock method in the GPU comparison (default: 20)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="PATH",
                   help="timings file to merge into (default: data/timings.json)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the new record as JSON instead of writing it")
    p.add_argument("--merge", type=Path, metavar="FILE",
                   help="measure nothing: validate FILE (a timings file or one record, made on "
                        "another machine) and merge its records into --output atomically")
    return p


def resolve_devices(parser, names, gpus):
    """Map --device values to (measure the CPU?, [GpuInfo]); unknown or absent ones are refused."""
    want_cpu, chosen = False, {}
    by_index = {g.index: g for g in gpus}
    present = ", ".join(f"{g.device} ({g.name})" for g in gpus) or "none"
    for name in names or ["all"]:
        key = name.strip().lower()
        match = re.fullmatch(r"cuda:(\d+)", key)
        if key in ("all", "cpu"):
            want_cpu = True
        if key in ("all", "cuda"):
            if key == "cuda" and not gpus:
                parser.error("--device cuda: this machine has no CUDA device")
            chosen.update(by_index)
        elif match:
            if int(match.group(1)) not in by_index:
                parser.error(f"--device {name}: no such CUDA device on this machine "
                             f"(CUDA devices present: {present})")
            chosen[int(match.group(1))] = by_index[int(match.group(1))]
        elif key not in ("all", "cpu"):
            parser.error(f"--device {name!r}: unknown device; use cpu, cuda, cuda:N or all")
    return want_cpu, [chosen[i] for i in sorted(chosen)]


def _gib(nbytes: float) -> str:
    return f"{nbytes / 2**30:.2f} GiB"


def check_memory(parser, args, want_cpu: bool, gpus, ram) -> None:
    """Refuse sizes whose matrices would not fit: bytes = (M·K + K·N + M·N) · itemsize."""
    def shapes(option, sizes):
        m, k, n = args.shape
        return [(f"--shape {m},{k},{n}", args.shape)] + [(f"{option} {s}", (s, s, s)) for s in sizes]

    def refuse(label, shape, need, where, have):
        m, k, n = shape
        parser.error(f"{label}: the ({m}, {k}) @ ({k}, {n}) product needs about {_gib(need)} "
                     f"{where}, but only {_gib(have)} is available")
    if want_cpu and ram is not None:
        for label, shape in shapes("--cpu-sizes", args.cpu_sizes):
            need = tm.matmul_bytes(*shape, tm.ITEMSIZE["float32"])
            if need > ram:
                refuse(label, shape, need, "of RAM for its fp32 matrices", ram)
    itemsize = max(tm.ITEMSIZE[tm.DTYPES[p]] for p in args.precisions)
    for gpu in gpus:
        for label, shape in shapes("--gpu-sizes", args.gpu_sizes):
            need = tm.matmul_bytes(*shape, itemsize)
            if need > gpu.free_memory:
                refuse(label, shape, need, f"of memory on {gpu.device} ({gpu.name})",
                       gpu.free_memory)
    m, k, n = args.shape
    host_copies = 2 * (m * k + k * n) * 4  # pageable and pinned host copies of the seed's inputs
    if gpus and ram is not None and host_copies > ram:
        parser.error(f"--shape {m}x{k}x{n}: the host copies of its inputs need about "
                     f"{_gib(host_copies)} of RAM, but only {_gib(ram)} is available")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def git_commit(root) -> str | None:
    """``git rev-parse HEAD`` in ``root``; None outside a checkout or before the first commit."""
    sha = run_command(["git", "rev-parse", "HEAD"], cwd=root) or ""
    return sha if re.fullmatch(r"[0-9a-f]{40}", sha) else None


def build_record(measurements: list, gpus: list, root, driver=None) -> dict:
    """A machine record: the provenance of this machine plus its measurements.

    ``driver`` is the NVIDIA driver found on this machine (None: none): its GPU
    names, not torch's, go into the machine id.
    """
    import torch
    return {
        "machine_id": host_machine_id(driver),
        "cpu_model": tm.cpu_model(),
        "logical_cores": os.cpu_count() or 1,
        "gpus": [{"index": g.index, "name": g.name, "memory_bytes": g.total_memory,
                  "capability": g.capability} for g in gpus],
        "driver_version": driver.version if gpus and driver else None,
        "cuda_version": torch.version.cuda if gpus else None,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "date_utc": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "git_commit": git_commit(Path(root)),
        "script_version": tm.SCRIPT_VERSION,
        "measurements": measurements,
    }


def _summary(record: dict) -> str:
    lines = []
    for row in record["measurements"]:
        if row["kind"] == "matmul" and row["role"] == "seed":
            who = f"{row['threads']} thread(s)" if row["threads"] else row["precision"]
            lines.append(f"  {row['device']} {who}: median {row['median_s'] * 1e3:.2f} ms, "
                         f"IQR {row['iqr_s'] * 1e3:.2f} ms, {row['runs']} runs, "
                         f"{row['tflops']:.3f} TFLOP/s")
    return "\n".join(lines)


def _fail(parser, message: str, outcome: str = "Nothing was measured or written.") -> int:
    print(f"{parser.prog}: error: {message}\n{outcome}", file=sys.stderr)
    return 1


def merge(parser, source: Path, target: Path) -> int:
    """--merge: validate ``source`` and merge its records into ``target`` atomically."""
    try:
        ids = merge_file(target, source)
    except TimingsFileError as exc:
        return _fail(parser, str(exc), "Nothing was written.")
    print(f"merged machine(s) {', '.join(ids)} from {source} into {target}")
    return 0


def main(argv=None, *, devices=None, backend=None, detect_driver=nvidia_driver) -> int:
    """Run the CLI; ``devices``, ``backend`` and ``detect_driver`` let tests stand in for CUDA."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.merge is not None:
        return merge(parser, args.merge, args.output)
    driver = detect_driver()
    import torch
    refusal = cuda_refusal(driver, torch.__version__, torch.version.cuda,
                           torch.cuda.is_available() if devices is None else bool(devices))
    if refusal:
        return _fail(parser, refusal)
    if not args.dry_run:
        try:  # refuse a corrupt or foreign file before spending minutes measuring
            load_timings(args.output, missing_ok=True)
        except TimingsFileError as exc:
            return _fail(parser, str(exc))
    gpus = tm.list_cuda_devices() if devices is None else list(devices)
    want_cpu, chosen = resolve_devices(parser, args.device, gpus)
    if driver and not chosen and not args.dry_run:
        return _fail(parser, "this machine has GPUs, and a record of its CPU alone would replace "
                             "its record without them; measure a GPU too (the default, --device "
                             "all) or use --dry-run")
    check_memory(parser, args, want_cpu, chosen, tm.available_ram())
    start = time.perf_counter()
    rows = tm.measure_cpu(args, _say) if want_cpu else []
    if chosen:
        backend = backend or tm.CudaBackend()
        for gpu in chosen:
            rows += tm.measure_gpu(gpu, args, backend, _say)
    record = build_record(rows, gpus, ROOT, driver)
    validate_timings({"schema_version": SCHEMA_VERSION, "machines": [record]}, "new record")
    if args.dry_run:
        print(json.dumps(record, indent=2, ensure_ascii=False))
        return 0
    try:  # read again: the file may have changed while we measured
        write_timings(args.output, merge_record(load_timings(args.output, missing_ok=True), record))
    except TimingsFileError as exc:
        return _fail(parser, str(exc), "Nothing was written.")
    print(f"machine {record['machine_id']}: {len(rows)} measurements in "
          f"{time.perf_counter() - start:.1f} s written to {args.output}\n{_summary(record)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
