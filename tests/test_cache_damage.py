"""A damaged cache costs a recomputation, never a traceback or a damaged page: each kind of cache file is
truncated or garbled after a build, and the next build names it, recovers, and publishes what a clean build does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_language_builds import build, content, make_project, reused

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A two-language project with one example, built twice (every cache written, then all reused)."""
    project = make_project(tmp_path_factory.mktemp("damage"))
    build(project)
    assert reused(build(project)) == {"en", "zh"}
    return project


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the built project, caches and site included, for one test to damage."""
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    return copy


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def garble(path: Path) -> Path:
    """Bytes that are not UTF-8 where the file starts, as a bad disk block or a stray write leaves them."""
    data = path.read_bytes()
    path.write_bytes(b"\xff\xfe\x00" * 20 + data[60:])
    return path


def site_files(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project / "site").as_posix(): content(p) for p in sorted((project / "site").rglob("*"))
            if p.is_file() and p.name != "sitemap.xml.gz"}


def only(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


@pytest.mark.parametrize("damage", [truncate, garble])
def test_a_damaged_executed_notebook_is_named_and_run_again(project, damage):
    """A truncated or garbled `.cache/lesson/executed/*.ipynb` is logged with its path and the example re-executed."""
    cached = damage(only(project / ".cache" / "lesson" / "executed" / "lessonsrc", "show-*.ipynb"))
    log = build(project)
    assert f"Cache {cached} unreadable" in log and "computing the example show.py again" in log
    assert "Executed example show.py" in log
    assert "42" in (project / "site" / "examples" / "show" / "index.html").read_text(encoding="utf-8")
    assert "unreadable" not in build(project)  # repaired: the next build meets it no more


def test_a_damaged_jupyter_cache_entry_is_named_and_rendered_again(built, project):
    """A garbled mkdocs-jupyter entry (which that plugin reads unchecked) is logged, removed and rendered again."""
    entry = garble(only(project / ".cache" / "lesson" / "jupyter" / "en", "*.json"))
    (project / "docs" / "en" / "index.md").write_text("# Home\n\nTensors hold numbers!\n", encoding="utf-8")  # en is rebuilt
    log = build(project)
    assert f"Cache {entry} unreadable" in log
    page = project / "site" / "examples" / "show" / "index.html"
    assert page.read_bytes() == (built / "site" / "examples" / "show" / "index.html").read_bytes()


def test_a_damaged_page_notebook_is_written_again(built, project):
    """A garbled `pages/<lang>/*.ipynb` (the notebook mkdocs-jupyter renders) is logged and replaced."""
    notebook = garble(project / ".cache" / "lesson" / "pages" / "en" / "examples" / "show.ipynb")
    (project / "docs" / "en" / "index.md").write_text("# Home\n\nTensors hold numbers!\n", encoding="utf-8")
    log = build(project)
    assert f"Cache {notebook} unreadable" in log
    assert notebook.read_bytes() == (built / ".cache" / "lesson" / "pages" / "en" / "examples" / "show.ipynb").read_bytes()


@pytest.mark.parametrize("damage", [truncate, garble])
def test_a_damaged_language_record_rebuilds_that_language(built, project, damage):
    """A truncated or garbled fingerprint record is logged and its language built again; the site is unchanged."""
    record = damage(project / ".cache" / "lesson" / "sites" / "en" / ".lesson-fingerprint")
    log = build(project)
    assert f"Language build record {record} unreadable" in log
    assert reused(log) == {"zh"}
    assert site_files(project) == site_files(built)


def test_a_truncated_built_page_with_its_fingerprint_intact_is_rebuilt_not_published(built, project):
    """The cached `sites/en/index.html` cut in half (its record untouched) is found by its hash and rebuilt."""
    truncate(project / ".cache" / "lesson" / "sites" / "en" / "index.html")
    log = build(project)
    assert "sites/en: index.html is changed since it was built: building the language again" in log
    assert reused(log) == {"zh"}
    assert site_files(project) == site_files(built)


def test_a_file_added_to_a_cached_build_is_not_published(built, project):
    """A file in a cached language build that its record does not list means a rebuild, so it is not published."""
    (project / ".cache" / "lesson" / "sites" / "zh" / "stray.html").write_text("<p>stray</p>", encoding="utf-8")
    log = build(project)
    assert "sites/zh: stray.html is not in its record" in log
    assert not (project / "site" / "zh" / "stray.html").exists()
    assert site_files(project) == site_files(built)


def test_an_edit_in_the_site_folder_does_not_leak_into_the_cache(built, project):
    """site/ holds copies: an edit there is not in the cache, and the next build (reusing) publishes the original."""
    page = project / "site" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited in site/ -->", encoding="utf-8")
    assert "edited in site/" not in (project / ".cache" / "lesson" / "sites" / "en" / "index.html").read_text(encoding="utf-8")
    log = build(project)
    assert reused(log) == {"en", "zh"}
    assert site_files(project) == site_files(built)
