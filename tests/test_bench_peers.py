"""make bench's peers: the floor's and mkdocs-gallery's copies, the peer's environment, the ratio table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import bench_build  # noqa: E402
import bench_peers  # noqa: E402


def test_floor_is_the_english_pages_with_plain_material(tmp_path):
    """The floor's copy holds docs/en and a configuration with Material and search, no lesson plugin."""
    floor = bench_peers.floor_project(ROOT, tmp_path / "floor")
    assert sorted(p.name for p in (floor / "docs" / "en").glob("*.md")) == \
        sorted(p.name for p in (ROOT / "docs" / "en").glob("*.md"))
    config = (floor / "mkdocs.yml").read_text()
    assert "name: material" in config and "lesson" not in config


def test_gallery_gets_the_examples_as_sphinx_gallery_scripts(tmp_path):
    """Each example becomes a sphinx-gallery script of its English cells; helpers and the package stay out."""
    gallery = bench_peers.gallery_project(ROOT, tmp_path / "gallery")
    scripts = sorted(p.name for p in (gallery / "examples").glob("*.py"))
    examples = sorted(p.name for p in (ROOT / "lessonsrc").glob("*.py")
                      if not p.name.startswith("_") and "# %%" in p.read_text(encoding="utf-8"))
    assert scripts == examples and "timing.py" not in scripts
    text = (gallery / "examples" / f"{bench_peers.EDITED}.py").read_text(encoding="utf-8")
    assert '"""\n# Autograd' in text  # the first prose cell is the script's docstring title
    assert "# %%" not in text and "自动求导" not in text  # sphinx format, English cells only
    assert "watch: [examples]" in (gallery / "mkdocs.yml").read_text()


def test_peer_environment_failure_is_a_clear_message(tmp_path, monkeypatch):
    """When pip cannot make the environment, PeerError names the step and pip's words, and the folder goes."""
    (tmp_path / "constraints.txt").write_text("torch==2.13.0+cpu\n")

    def fake_run(command, **kwargs):
        if "pip" in command:
            return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution for mkdocs-gallery")
        (tmp_path / ".cache" / "bench").mkdir(parents=True, exist_ok=True)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(bench_peers.subprocess, "run", fake_run)
    with pytest.raises(bench_peers.PeerError, match="(?s)cannot make mkdocs-gallery.s environment.*pip install.*No matching"):
        bench_peers.peer_env(tmp_path)
    assert not list((tmp_path / ".cache" / "bench").glob("gallery-*"))


def test_bench_reports_a_peer_failure_without_a_traceback(monkeypatch, capsys):
    """make bench exits 2 with the peer's message on stderr."""
    def fail(*args, **kwargs):
        raise bench_peers.PeerError("cannot make mkdocs-gallery's environment: no network")

    monkeypatch.setattr(bench_build, "one_project", fail)
    assert bench_build.main(["--runs", "1"]) == 2
    assert capsys.readouterr().err.strip() == "make bench: cannot make mkdocs-gallery's environment: no network"


def test_table_marks_each_target():
    """Each ratio is ours over the peer's, compared with its target; a missing measurement says so."""
    median = {"cold build": 10.0, "gallery cold build": 12.5, "example edit": 2.2, "gallery example edit": 2.0,
              "warm build": 1.5, "floor warm build": 1.0, "prose edit (en)": 1.0, "prose edit (zh)": 1.2,
              "floor prose edit (en)": 0.9}
    lines = bench_peers.table(median).splitlines()
    assert lines[1].split() == ["cold", "build", "10.00", "s", "–", "12.50", "s"]
    verdicts = {line[:32].strip(): line.split("  ")[-1] for line in lines if "target" in line}
    assert verdicts == {"cold build vs mkdocs-gallery": "met", "example edit vs mkdocs-gallery": "met",
                        "warm build vs floor": "met", "zh edit vs en edit": "met", "en edit vs floor": "met"}
    assert "warm build vs floor               1.50  target <= 2  met" in lines
    assert "1.50  target <= 1.2  NOT met" in bench_peers.table({**median, "example edit": 3.0,
                                                                "gallery example edit": 2.0})
    assert "not measured" in bench_peers.table({"cold build": 1.0})
