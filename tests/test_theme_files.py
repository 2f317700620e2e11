"""The installed theme's files are listed once per process; the project's overrides in every build."""

from __future__ import annotations

import os

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import Files

from sitelib.incremental import theme_files


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A Material project with an overrides folder, and an empty list of listed folders."""
    monkeypatch.setattr(theme_files, "_LISTED", {})
    (tmp_path / "docs").mkdir()
    (tmp_path / "overrides" / "assets").mkdir(parents=True)
    (tmp_path / "overrides" / "assets" / "own.css").write_text("a {}")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ntheme:\n  name: material\n  custom_dir: overrides\n")
    return tmp_path


def theme_uris(project, listed_once: bool) -> list[str]:
    config = load_config(str(project / "mkdocs.yml"))
    if listed_once:
        theme_files.list_installed_once(config)
    files = Files([])
    files.add_files_from_theme(config.theme.get_env(), config)
    return sorted(f.src_uri for f in files)


def test_the_theme_files_are_those_mkdocs_lists_and_the_installed_folder_is_walked_once(project, monkeypatch):
    """The same files as MkDocs' own listing; a second build walks only the overrides, and sees a new file there."""
    plain = theme_uris(project, listed_once=False)
    assert "assets/own.css" in plain and len(plain) > 20
    walked: list[str] = []
    real_walk = os.walk
    monkeypatch.setattr(os, "walk", lambda top, *a, **k: walked.append(os.path.abspath(top)) or real_walk(top, *a, **k))
    assert theme_uris(project, listed_once=True) == plain
    first = list(walked)
    assert any("material" in w for w in first)
    walked.clear()
    (project / "overrides" / "assets" / "new.js").write_text("")
    assert theme_uris(project, listed_once=True) == sorted([*plain, "assets/new.js"])
    assert walked == [str(project / "overrides")]


def test_other_listings_are_jinjas_own(project):
    """A listing without MkDocs' filter (mkdocstrings asks for every template) is not remembered."""
    config = load_config(str(project / "mkdocs.yml"))
    theme_files.list_installed_once(config)
    env = config.theme.get_env()
    assert "main.html" in env.list_templates() and "assets/own.css" in env.list_templates(extensions=["css"])
    assert theme_files._LISTED == {}
