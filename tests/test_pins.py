"""Dependencies are pinned exactly, and the lock (constraints.txt) agrees with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from conftest import ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)(\[[^\]]+\])?==(?P<version>[^\s;]+)$")


def canonical(name: str) -> str:
    """PEP 503 name: case and -_. differences do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, str]:
    """Every dependency of pyproject.toml (runtime and test), name to pinned version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + [d for group in project["optional-dependencies"].values() for d in group]
    pins = {}
    for spec in specs:
        match = PIN.match(spec)
        assert match, f"{spec!r} is not pinned with == (a loose torch pulls a multi-GB CUDA build)"
        pins[canonical(match["name"])] = match["version"]
    return pins


def locked() -> dict[str, str]:
    """constraints.txt, name to version."""
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").split("\n")
    return {canonical(m["name"]): m["version"] for line in lines if (m := PIN.match(line.strip()))}


def test_every_dependency_is_pinned_and_locked_at_the_same_version():
    """pyproject.toml pins each package exactly, and constraints.txt holds that same version."""
    lock = locked()
    for name, version in declared().items():
        assert name in lock, f"{name} is missing from constraints.txt"
        assert lock[name].split("+")[0] == version, f"{name}: pyproject {version}, constraints {lock[name]}"


def test_torch_is_the_local_cpu_build_and_mkdocs_is_1x():
    """torch resolves to the 2.13.0 CPU wheel; MkDocs stays below 2 (which drops plugins)."""
    lock = locked()
    assert lock["torch"] == "2.13.0+cpu"
    assert lock["mkdocs"].startswith("1.")


def test_the_execute_set_is_pinned_at_the_sites_versions_without_mkdocs_or_torch():
    """requirements-execute.txt pins every package exactly, at constraints.txt's version, and holds no MkDocs or torch."""
    lock = locked()
    lines = [line.strip() for line in (ROOT / "requirements-execute.txt").read_text(encoding="utf-8").split("\n")]
    specs = [line for line in lines if line and not line.startswith("#")]
    pins = {}
    for spec in specs:
        match = PIN.match(spec)
        assert match, f"requirements-execute.txt: {spec!r} is not pinned with =="
        pins[canonical(match["name"])] = match["version"]
    assert {"nbclient", "nbformat", "jupyter-client", "jupytext", "ipykernel", "matplotlib-inline"} <= set(pins)
    assert not {"torch", "mkdocs", "mkdocs-material", "matplotlib"} & set(pins)  # the machine's own torch
    for name, version in pins.items():
        assert lock.get(name) == version, f"requirements-execute.txt: {name}=={version}, constraints.txt {lock.get(name)}"
