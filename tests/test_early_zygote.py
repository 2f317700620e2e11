"""A cold build starts its kernel zygote as soon as MkDocs has its options, not when the examples are due."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import click
import psutil
import pytest
from mkdocs.config import load_config

from example_project import make_project
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


def loaded_under(command: str | None, project: Path):
    """The lesson plugin of ``project``'s configuration, loaded as MkDocs' ``command`` would (None: by a script)."""
    if command is None:
        return load_config(str(project / "mkdocs.yml")).plugins["lesson"]
    with click.Context(click.Command(command), info_name=command):
        return load_config(str(project / "mkdocs.yml")).plugins["lesson"]


def test_mkdocs_build_starts_it_while_loading_the_configuration(tmp_path):
    """Under `mkdocs build`, the plugin's own options loaded: the zygote is starting before on_config runs."""
    me = psutil.Process()
    plugin = loaded_under("build", make_project(tmp_path, "print(1)\n"))
    try:
        assert plugin.zygotes is not None and len(zygotes_of(me)) == 1
    finally:
        plugin.zygotes.close()
    assert zygotes_of(me) == []


@pytest.mark.parametrize("command", [None, "serve", "gh-deploy"])
def test_other_loads_start_none(tmp_path, command):
    """A test or script loading the configuration, serve (its zygote is kept between builds), gh-deploy: none."""
    me = psutil.Process()
    plugin = loaded_under(command, make_project(tmp_path, "print(1)\n"))
    assert plugin.zygotes is None and zygotes_of(me) == []


def test_a_language_build_closes_one_it_was_given(tmp_path):
    """A language build (its examples ran already) that finds a zygote started closes it in on_config."""
    me = psutil.Process()
    project = make_project(tmp_path, "print(1)\n")
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["lesson"]
    plugin.zygotes = early_zygotes(project, plugin.config)
    plugin.building = "en"
    assert plugin.zygotes is not None
    try:
        plugin.on_config(config)
    finally:
        plugin.release_lock()
    assert plugin.zygotes is None and zygotes_of(me) == []
