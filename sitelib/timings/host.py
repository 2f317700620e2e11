"""The machine we run on: its CPU, its NVIDIA driver, its id, and the torch build it needs.

Standard library only, and torch is never imported here: the MkDocs hook
computes the machine id of every build, the Makefile asks which torch build to
install before any virtual environment exists, and ``scripts/record_timings.py``
must run where nothing but Python and torch is installed.

GPUs are named by the NVIDIA driver (``nvidia-smi``, else ``/proc/driver/nvidia``),
not by torch, so a machine keeps its id whether the installed torch can use
CUDA or not, and the recorder can tell "no GPU" from "a GPU that this torch
cannot use".

Run ``python -m sitelib.timings.host torch-variant auto|cpu|cuda`` to print the
torch build (``cpu`` or ``cuda``) that ``make install`` installs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lessonsrc.timing import cpu_model

__all__ = ["NvidiaDriver", "choose_torch_variant", "cpu_model", "cuda_refusal",
           "current_machine_id", "host_machine_id", "machine_id", "nvidia_driver", "usable_cores", "available_ram"]

TORCH_VARIANTS = ("auto", "cpu", "cuda")
_PROC = Path("/proc/driver/nvidia")


@dataclass(frozen=True)
class NvidiaDriver:
    """A loaded NVIDIA kernel driver and the GPUs it reports, in its own (PCI bus) order."""
    version: str
    gpus: tuple[str, ...]


def usable_cores() -> int:
    """Cores this process may run on (a container or taskset can restrict them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def available_ram():
    """Bytes of RAM available without swapping (Linux /proc/meminfo), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh
                        if line.startswith("MemAvailable:"))
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def run_command(cmd: list[str], cwd=None) -> str | None:
    """stdout of a successful command, None if it is missing, fails or hangs."""
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def parse_nvidia_smi(text: str) -> NvidiaDriver | None:
    """Read ``nvidia-smi --query-gpu=name,driver_version --format=csv,noheader``.

    Examples:
        >>> parse_nvidia_smi("NVIDIA H100 80GB HBM3, 580.65.06\\nNVIDIA H100 80GB HBM3, 580.65.06")
        NvidiaDriver(version='580.65.06', gpus=('NVIDIA H100 80GB HBM3', 'NVIDIA H100 80GB HBM3'))
        >>> parse_nvidia_smi("") is None
        True
    """
    rows = [line.rsplit(",", 1) for line in text.splitlines() if "," in line]
    if not rows:
        return None
    return NvidiaDriver(rows[0][1].strip(), tuple(name.strip() for name, _ in rows))


def parse_proc_driver(version_text: str, informations: list[str]) -> NvidiaDriver | None:
    """Read ``/proc/driver/nvidia/version`` and each ``gpus/*/information`` file.

    Examples:
        >>> parse_proc_driver("NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul",
        ...                   ["Model: \\t\\t NVIDIA L4\\nIRQ: 42\\n"])
        NvidiaDriver(version='580.65.06', gpus=('NVIDIA L4',))
    """
    found = re.search(r"Kernel Module\s+(?:for \S+\s+)?([0-9][0-9.]+)", version_text)
    if not found:
        return None
    names = [m.group(1).strip() for text in informations
             if (m := re.search(r"^Model:\s*(.+)$", text, re.M))]
    return NvidiaDriver(found.group(1), tuple(names))


def nvidia_driver() -> NvidiaDriver | None:
    """The NVIDIA driver of this machine, or None when there is none (or it does not answer)."""
    smi = shutil.which("nvidia-smi")
    if smi:
        found = parse_nvidia_smi(run_command(
            [smi, "--query-gpu=name,driver_version", "--format=csv,noheader"]) or "")
        if found:
            return found
    try:
        version = (_PROC / "version").read_text(encoding="utf-8", errors="replace")
        infos = [p.read_text(encoding="utf-8", errors="replace")
                 for p in sorted((_PROC / "gpus").glob("*/information"))]
    except OSError:
        return None
    return parse_proc_driver(version, infos)


def machine_id(hostname: str, cpu: str, gpus) -> str:
    """First 16 hex digits of SHA-256 over hostname, CPU model and GPU names (one per line).

    Examples:
        >>> machine_id("host", "CPU", [])
        '1cb33406e3fb7eae'
    """
    text = "\n".join([hostname, cpu, *gpus])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def host_machine_id(driver: NvidiaDriver | None) -> str:
    """The id of this host given its NVIDIA driver (None: no driver): the torch build
    installed (CPU or CUDA) plays no part, so both give the same id."""
    return machine_id(socket.gethostname(), cpu_model(), driver.gpus if driver else ())


def current_machine_id() -> str:
    """The id of this machine; the recorder and the MkDocs hook both call this."""
    return host_machine_id(nvidia_driver())


def choose_torch_variant(requested: str, driver: NvidiaDriver | None) -> str:
    """``cpu`` or ``cuda``: ``auto`` means CUDA exactly where an NVIDIA driver answers.

    Examples:
        >>> choose_torch_variant("auto", None), choose_torch_variant("auto", NvidiaDriver("580.1", ()))
        ('cpu', 'cuda')
        >>> choose_torch_variant("CPU", NvidiaDriver("580.1", ("NVIDIA L4",)))
        'cpu'
    """
    choice = requested.strip().lower()
    if choice not in TORCH_VARIANTS:
        raise ValueError(f"TORCH={requested!r}: expected one of {', '.join(TORCH_VARIANTS)}")
    if choice == "auto":
        return "cuda" if driver else "cpu"
    return choice


def _describe(driver: NvidiaDriver) -> str:
    gpus = ", ".join(driver.gpus) or "no GPU listed"
    return f"NVIDIA driver {driver.version} ({gpus})"


def cuda_refusal(driver: NvidiaDriver | None, torch_version: str, torch_cuda: str | None,
                 cuda_available: bool) -> str | None:
    """Why timings must not be recorded with this torch on this machine, or None when fine.

    A machine whose NVIDIA driver answers but whose torch cannot use CUDA would
    be recorded as CPU-only: that record would hide the GPU.
    """
    if driver is None or cuda_available:
        return None
    if torch_cuda is None:
        return (f"this machine has an {_describe(driver)}, but the installed torch "
                f"{torch_version} is a CPU-only build, so the record would hide the GPU.\n"
                "Fix: install the CUDA build of torch and run again: in this project "
                "`make timings` (it installs the CUDA build where an NVIDIA driver answers; "
                "`make install TORCH=cuda` forces it); outside it, "
                "`python3 -m pip install torch` (PyPI's Linux x86_64 wheel is the CUDA build).")
    return (f"this machine has an {_describe(driver)}, but torch {torch_version} (built for "
            f"CUDA {torch_cuda}) cannot use it: torch.cuda.is_available() is False.\n"
            f"Fix: the driver may be too old for CUDA {torch_cuda} (run nvidia-smi: its "
            "'CUDA Version' must be at least that), so update the driver or install a torch "
            "built for an older CUDA; or CUDA_VISIBLE_DEVICES hides every GPU from this "
            "process, so unset it.")


CUDA_LOCK_HEADER = """\
# The CUDA lock: constraints.txt with PyPI's torch (its Linux x86_64 wheel is the CUDA build)
# and the CUDA libraries it pulls in. Written by `make cuda-lock`, which resolves it on PyPI
# alone; `make install` uses it where an NVIDIA driver answers (or with TORCH=cuda).
# torch is pinned with === so that no local +cpu build can satisfy it.
"""


def cuda_lock(report: dict) -> tuple[str, str]:
    """(lock text, summary) from ``pip install --dry-run --report`` of the CUDA resolution.

    Examples:
        >>> lock, summary = cuda_lock({"install": [
        ...     {"metadata": {"name": "torch", "version": "2.13.0"},
        ...      "download_info": {"url": "https://files.pythonhosted.org/t/torch-2.13.0-cp311.whl"}},
        ...     {"metadata": {"name": "Jinja2", "version": "3.1.6"}, "download_info": {"url": "x"}}]})
        >>> lock.splitlines()[-2:]
        ['Jinja2==3.1.6', 'torch===2.13.0']
        >>> summary
        'torch 2.13.0 (torch-2.13.0-cp311.whl)'
    """
    items = sorted(report["install"], key=lambda i: i["metadata"]["name"].lower())
    lines, summary = [], []
    for item in items:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        is_torch = name.lower() == "torch"
        lines.append(f"{name}{'===' if is_torch else '=='}{version}")
        if is_torch:
            summary.insert(0, f"torch {version} ({item['download_info']['url'].rsplit('/', 1)[-1]})")
        elif re.match(r"(nvidia|cuda|triton)", name.lower()):
            summary.append(f"{name} {version}")
    return CUDA_LOCK_HEADER + "\n".join(lines) + "\n", "; ".join(summary)


def _cuda_lock_command(report_path: str, lock_path: str) -> int:
    import json
    from sitelib.atomic import write_text_atomic
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    lock, summary = cuda_lock(report)
    if "torch===" not in lock:
        print(f"error: {report_path} resolves no torch", file=sys.stderr)
        return 1
    write_text_atomic(Path(lock_path), lock)
    print(f"{lock_path}: {len(report['install'])} packages resolved on PyPI alone: {summary}")
    return 0


def main(argv: list[str]) -> int:
    """``torch-variant REQUESTED``: print ``cpu`` or ``cuda`` (the Makefile's choice);
    ``cuda-lock REPORT LOCK``: write the CUDA lock from pip's resolution report."""
    if len(argv) == 3 and argv[0] == "cuda-lock":
        return _cuda_lock_command(argv[1], argv[2])
    if len(argv) != 2 or argv[0] != "torch-variant":
        print("usage: python -m sitelib.timings.host torch-variant auto|cpu|cuda\n"
              "       python -m sitelib.timings.host cuda-lock REPORT.json LOCK.txt", file=sys.stderr)
        return 2
    try:
        print(choose_torch_variant(argv[1], nvidia_driver() if argv[1].strip().lower() == "auto"
                                   else None))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
