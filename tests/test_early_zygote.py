"""A cold build starts its kernel zygote in on_config, while it reads the pages, not when the examples are due."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from kernel_processes import zygotes_of
from sitelib.examples.zygote_client import supported
from sitelib.plugin.orchestrator import early_zygotes

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not supported(), reason="needs fork and pidfds (Linux)")]


def options(**changes) -> SimpleNamespace:
    base = {"execute": True, "examples": [SimpleNamespace(src="lessonsrc")], "zygote": True,
            "cache_dir": ".cache/lesson", "executions": "data/executions"}
    return SimpleNamespace(**{**base, **changes})


def project(tmp_path: Path) -> Path:
    (tmp_path / "lessonsrc").mkdir()
    (tmp_path / "lessonsrc" / "__init__.py").write_text("")
    return tmp_path


def test_started_when_nothing_has_run(tmp_path):
    """Empty cache, nothing stored: a zygote process is starting when on_config returns; closing it leaves none."""
    me = psutil.Process()
    zygotes = early_zygotes(project(tmp_path), options())
    try:
        assert zygotes is not None and len(zygotes_of(me)) == 1
    finally:
        zygotes.close()
    assert zygotes_of(me) == []


@pytest.mark.parametrize("made", [".cache/lesson/executed/lessonsrc/demo-0123.ipynb",
                                  "data/executions/lessonsrc/demo.cpu.json"])
def test_not_started_when_a_run_exists(tmp_path, made):
    """An executed example in the cache, or a stored run: the executor decides later (it may run nothing)."""
    root = project(tmp_path)
    (root / made).parent.mkdir(parents=True)
    (root / made).write_text("{}")
    assert early_zygotes(root, options()) is None


@pytest.mark.parametrize("change", [{"execute": False}, {"zygote": False}, {"examples": []}])
def test_not_started_when_not_wanted(tmp_path, change):
    """A preview build, the zygote switched off, or no examples: none."""
    assert early_zygotes(project(tmp_path), options(**change)) is None
