"""`make install` picks the torch build for the machine, and both locks agree with each other."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

import pytest

from sitelib.timings.host import nvidia_driver
from conftest import ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)(?P<op>===?)(?P<version>\S+)$")
CUDA_EXTRAS = re.compile(r"^(nvidia-.*|cuda-.*|triton|setuptools)$")


def canonical(name: str) -> str:
    """PEP 503 name: case and -_. differences do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(name: str) -> dict[str, tuple[str, str]]:
    """A lock file as {name: (operator, version)}; comments are skipped, anything else must pin."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            match = PIN.match(line.strip())
            assert match, f"{name}: {line!r} is not an exact pin"
            pins[canonical(match["name"])] = (match["op"], match["version"])
    return pins


def make_dry_run(tmp_path, *args: str, driver: bool) -> subprocess.CompletedProcess:
    """`make -n install ARGS` (prints, runs nothing) with a stand-in nvidia-smi when ``driver``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    smi = bin_dir / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA L4, 580.65.06'\n" if driver else
                   "#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n", encoding="utf-8")
    smi.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("TORCH", None)
    return subprocess.run(["make", "-n", "-C", str(ROOT), "install", *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, driver, lock_file", [
    ((), True, "constraints-cuda.txt"),
    ((), False, "constraints.txt"),
    (("TORCH=cpu",), True, "constraints.txt"),
    (("TORCH=cuda",), False, "constraints-cuda.txt"),
])
def test_make_install_picks_the_lock_for_the_machine(tmp_path, args, driver, lock_file):
    """A driver means the CUDA lock, none the CPU lock; TORCH=cpu|cuda overrides the guess."""
    if not driver and not args and nvidia_driver() is not None:
        pytest.skip("this machine has a real NVIDIA driver (/proc/driver/nvidia)")
    result = make_dry_run(tmp_path, *args, driver=driver)
    assert result.returncode == 0, result.stderr
    assert f"pip install --quiet -c {lock_file} -e" in result.stdout


def test_an_unknown_torch_build_stops_make(tmp_path):
    """TORCH=gpu is refused before anything is installed, naming the accepted values."""
    result = make_dry_run(tmp_path, "TORCH=gpu", driver=False)
    assert result.returncode != 0
    assert "TORCH='gpu': expected one of auto, cpu, cuda" in result.stderr
    assert "pip install" not in result.stdout


def test_cuda_lock_is_the_cpu_lock_with_pypi_torch_and_its_cuda_libraries():
    """Every package shared by the locks has one version; torch is the same release, === pinned."""
    cpu, cuda = lock("constraints.txt"), lock("constraints-cuda.txt")
    assert cpu["torch"] == ("==", "2.13.0+cpu")
    assert cuda["torch"] == ("===", cpu["torch"][1].split("+")[0])  # no local +cpu build matches
    assert {name: pin for name, pin in cpu.items() if name != "torch"} == \
        {name: pin for name, pin in cuda.items() if name in cpu and name != "torch"}
    extras = set(cuda) - set(cpu)
    assert all(CUDA_EXTRAS.match(name) for name in extras), sorted(extras)
    assert {"nvidia-cublas", "nvidia-cuda-runtime", "triton"} <= extras


def test_both_locks_hold_every_declared_dependency():
    """Each pyproject dependency (runtime and test) is pinned in both locks at its declared version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for g in project["optional-dependencies"].values() for d in g]
    for name in ("constraints.txt", "constraints-cuda.txt"):
        pins = lock(name)
        for spec in specs:
            dep, version = re.split(r"(?:\[[^\]]*\])?==", spec)
            assert pins[canonical(dep)][1].split("+")[0] == version, f"{name}: {spec}"
    assert "opencc==1.4.2" in project["dependencies"]


def test_gpu_marker_is_registered():
    """pytest knows the gpu marker (so -m gpu selects, and a typo would not pass silently)."""
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = ini["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("gpu:") for m in markers)
