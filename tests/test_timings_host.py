"""sitelib.timings.host: the NVIDIA driver, the machine id, the refusal text and one CPU name."""

from __future__ import annotations

import hashlib
import io

import pytest

import lessonsrc.timing
from sitelib.timings import host as th
from sitelib.timings import measure as tm
from sitelib.timings.host import NvidiaDriver

L4 = NvidiaDriver("580.65.06", ("NVIDIA L4",))


def fake_smi(tmp_path, output: str, status: int = 0):
    """A directory holding an nvidia-smi that prints ``output`` and exits with ``status``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\nexit {status}\n", encoding="utf-8")
    smi.chmod(0o755)
    return bin_dir


def test_driver_is_read_from_nvidia_smi(tmp_path, monkeypatch):
    """A working nvidia-smi gives the driver version and the GPU names in its order."""
    monkeypatch.setenv("PATH", str(fake_smi(tmp_path, "NVIDIA L4, 580.65.06")))
    assert th.nvidia_driver() == L4


def test_failing_nvidia_smi_means_no_driver(tmp_path, monkeypatch):
    """nvidia-smi installed but unable to reach a driver (exit 9) is not a driver."""
    monkeypatch.setenv("PATH", str(fake_smi(tmp_path, "NVIDIA-SMI has failed", status=9)))
    monkeypatch.setattr(th, "_PROC", tmp_path / "no-proc-driver")
    assert th.nvidia_driver() is None


def test_driver_is_read_from_proc_without_nvidia_smi(tmp_path, monkeypatch):
    """Without nvidia-smi, /proc/driver/nvidia names the driver and each GPU's model."""
    proc = tmp_path / "nvidia"
    (proc / "gpus" / "0000:01:00.0").mkdir(parents=True)
    (proc / "version").write_text("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  "
                                  "580.65.06  Release Build\n", encoding="utf-8")
    (proc / "gpus" / "0000:01:00.0" / "information").write_text(
        "Model: \t\t NVIDIA L4\nIRQ:   42\n", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(th, "_PROC", proc)
    assert th.nvidia_driver() == L4


@pytest.mark.parametrize("requested, driver, variant", [
    ("auto", None, "cpu"), ("auto", L4, "cuda"), ("cpu", L4, "cpu"), ("cuda", None, "cuda"),
    (" CUDA ", None, "cuda"),
])
def test_install_variant_follows_the_driver_unless_overridden(requested, driver, variant):
    """auto installs CUDA exactly where a driver answers; TORCH=cpu/cuda override it."""
    assert th.choose_torch_variant(requested, driver) == variant


def test_unknown_install_variant_is_refused():
    """A typo such as TORCH=gpu names the accepted values."""
    with pytest.raises(ValueError, match="TORCH='gpu': expected one of auto, cpu, cuda"):
        th.choose_torch_variant("gpu", None)


def test_refusal_texts():
    """No driver or usable CUDA: no refusal; CPU torch or unusable CUDA torch: a message with a fix."""
    assert th.cuda_refusal(None, "2.13.0+cpu", None, False) is None
    assert th.cuda_refusal(L4, "2.13.0", "13.0", True) is None
    cpu = th.cuda_refusal(L4, "2.13.0+cpu", None, False)
    assert "NVIDIA driver 580.65.06 (NVIDIA L4)" in cpu and "CPU-only build" in cpu
    assert "make install TORCH=cuda" in cpu and "python3 -m pip install torch" in cpu
    old = th.cuda_refusal(L4, "2.13.0", "13.0", False)
    assert "built for CUDA 13.0" in old and "too old" in old and "CUDA_VISIBLE_DEVICES" in old


def test_machine_id_depends_on_the_driver_not_on_torch(monkeypatch):
    """The id hashes host, CPU and the driver's GPU names: stable across torch builds, 16 hex."""
    monkeypatch.setattr(th.socket, "gethostname", lambda: "gpu-host")
    with_gpu, without = th.host_machine_id(L4), th.host_machine_id(None)
    assert with_gpu == th.machine_id("gpu-host", th.cpu_model(), ["NVIDIA L4"])
    assert without == th.machine_id("gpu-host", th.cpu_model(), []) != with_gpu
    assert len(with_gpu) == 16 and int(with_gpu, 16) >= 0
    monkeypatch.setattr(th, "nvidia_driver", lambda: L4)
    assert th.current_machine_id() == with_gpu


def test_machine_id_of_the_committed_cpu_record_is_unchanged():
    """Without GPUs the id is what script 1.0.0 computed, so existing records keep their ids."""
    assert th.machine_id("host", "AMD EPYC", []) == hashlib.sha256(b"host\nAMD EPYC").hexdigest()[:16]
    assert th.machine_id("host", "AMD EPYC", []) == "f5f092e0f883327a"


@pytest.mark.parametrize("cpuinfo, name", [
    ("processor\t: 0\nmodel name\t: AMD EPYC 9654\n", "AMD EPYC 9654"),
    ("processor\t: 0\nBogoMIPS\t: 50.00\nHardware\t: BCM2835\n", "BCM2835"),
    ("system type\t: MT7621\ncpu model\t: MIPS 1004Kc V2.15\n", "MIPS 1004Kc V2.15"),
    ("processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nHardware\t: BCM2835\n",
     "ARMv7 Processor rev 4 (v7l)"),
])
def test_one_cpu_name_for_the_lesson_and_the_site(monkeypatch, cpuinfo, name):
    """The site uses the lesson's cpu_model (one definition), which reads x86, ARM and MIPS names."""
    assert tm.cpu_model is th.cpu_model is lessonsrc.timing.cpu_model
    monkeypatch.setattr(lessonsrc.timing, "open", lambda *a, **k: io.StringIO(cpuinfo),
                        raising=False)
    assert lessonsrc.timing.cpu_model() == name


def test_one_tflops_and_one_precision_order():
    """The recorder's throughput and precision order are the lesson's and the schema's own objects."""
    from sitelib.timings import chart as timings_chart
    from sitelib.timings import schema as timings_schema
    assert tm.tflops is lessonsrc.timing.tflops
    assert tm.GPU_PRECISIONS is timings_schema.PRECISIONS
    assert timings_chart.PRECISIONS is timings_schema.PRECISIONS
