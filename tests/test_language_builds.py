"""Each language is built on its own and reused while none of its inputs changed; the result equals a clean build."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from conftest import run_mkdocs

pytestmark = pytest.mark.build

CONFIG = """\
site_name: Two languages
docs_dir: docs/en
plugins:
  - lesson:
      cache_dir: .cache/lesson
      examples:
        - {src: lessonsrc, uri: examples}
      languages:
        - {code: en, tag: en, name: English, theme: en, site_name: Two languages}
        - {code: zh, tag: zh-Hans, name: 简体中文, theme: zh, site_name: 两种语言}
  - search
  - mkdocs-jupyter:
      include: ["*.ipynb"]
      execute: false
theme:
  name: material
"""


def make_project(tmp_path: Path) -> Path:
    """English and Chinese pages and one example."""
    project = tmp_path / "project"
    for code, text in (("en", "# Home\n\nTensors hold numbers.\n"), ("zh", "# 首页\n\n张量保存数字。\n")):
        (project / "docs" / code).mkdir(parents=True)
        (project / "docs" / code / "index.md").write_text(text, encoding="utf-8")
    (project / "lessonsrc").mkdir()
    (project / "lessonsrc" / "__init__.py").write_text("", encoding="utf-8")
    (project / "lessonsrc" / "show.py").write_text("# %% [markdown]\n# # Show\n\n# %%\nprint(6 * 7)\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    return project


def build(project: Path, *args: str) -> str:
    """Build ``project`` strictly; return its log."""
    result = run_mkdocs("build", "--strict", *args, cwd=project, env={"PYTHONPATH": str(project)})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def reused(log: str) -> set[str]:
    """The codes of the languages a build took unchanged from the cache."""
    return {code for code in ("en", "zh") if f"Language {code}: nothing it is built from changed" in log}


def content(path: Path) -> bytes:
    """A built file's bytes (decompressed for .gz, whose header carries a timestamp)."""
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def test_an_edit_rebuilds_only_the_languages_it_touches(tmp_path):
    """A Chinese edit leaves English reused and vice versa; notebooks and search entries come from their caches."""
    project = make_project(tmp_path)
    first = build(project)
    assert reused(first) == set() and "Executed example" in first
    assert reused(build(project)) == {"en", "zh"}

    page = project / "docs" / "zh" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n改过的句子。\n", encoding="utf-8")
    log = build(project)
    assert reused(log) == {"en"}
    assert "改过的句子。" in (project / "site" / "zh" / "index.html").read_text(encoding="utf-8")

    page = project / "docs" / "en" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nAn edited sentence.\n", encoding="utf-8")
    log = build(project)
    assert reused(log) == {"zh"}
    assert "An edited sentence." in (project / "site" / "index.html").read_text(encoding="utf-8")
    # The orchestrating build renders no notebook, so it must not have evicted English's.
    assert "Cache hit" in log and "Cache miss" not in log
    assert "An edited sentence." in (project / "site" / "search" / "search_index.json").read_text(encoding="utf-8")


def test_a_site_built_in_steps_equals_a_clean_build(tmp_path):
    """After edits in both languages and an example, every file equals the one a build from empty caches writes.

    Only the executed examples are kept: a new run would carry a new time stamp.
    """
    project = make_project(tmp_path)
    build(project)
    for path, text in (("docs/zh/index.md", "\n又一句。\n"), ("docs/en/index.md", "\nOne more.\n"),
                       ("lessonsrc/show.py", "\n# %%\nprint('edited')\n")):
        with (project / path).open("a", encoding="utf-8") as handle:
            handle.write(text)
        build(project)
    for folder in (project / ".cache" / "lesson").iterdir():
        if folder.is_dir() and folder.name != "executed":  # the build lock's files stay
            shutil.rmtree(folder)
    build(project, "--site-dir", str(tmp_path / "clean"))
    stepwise, clean = project / "site", tmp_path / "clean"
    names = sorted(p.relative_to(clean).as_posix() for p in clean.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(stepwise).as_posix() for p in stepwise.rglob("*") if p.is_file())
    differ = [name for name in names if content(clean / name) != content(stepwise / name)]
    assert not differ, differ
    assert "edited" in (stepwise / "examples" / "show" / "index.html").read_text(encoding="utf-8")


def test_an_extension_that_may_read_other_files_turns_the_render_cache_off(tmp_path):
    """With pymdownx.snippets configured, every page is rendered in every build, and the log says why."""
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "markdown_extensions: [pymdownx.snippets]\n",
                      encoding="utf-8")
    log = build(project)
    assert "no render cache with pymdownx.snippets" in log
    assert not (project / ".cache" / "lesson" / "rendered").exists()
    assert (project / ".cache" / "lesson" / "rendered").parent.is_dir()


def three_languages(project: Path) -> Path:
    """``project`` with a Taiwan site generated from the Chinese one: a cold build runs English in its own
    process, then forks the two Chinese builds at once."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "site_name: 两种语言}\n",
        "site_name: 两种语言}\n        - {code: zh-hant, tag: zh-Hant, name: 繁體中文, theme: zh-Hant, source: zh,"
        " convert: s2twp}\n"), encoding="utf-8")
    return project


def test_forked_languages_are_built_and_their_warnings_fail_strict(tmp_path):
    """Forked builds publish their sites and log them in order; a warning in one fails the strict build, named."""
    project = three_languages(make_project(tmp_path))
    log = build(project)
    en, zh, hant = (log.index(f"sites/{code}") for code in ("en", "zh", "zh-hant"))
    assert en < zh < hant  # the children's records are handled in the languages' order
    assert "张量保存数字" in (project / "site" / "zh" / "index.html").read_text(encoding="utf-8")
    assert "張量儲存數字" in (project / "site" / "zh-hant" / "index.html").read_text(encoding="utf-8")
    page = project / "docs" / "zh" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[坏链接](missing.md)\n", encoding="utf-8")
    shutil.rmtree(project / ".cache" / "lesson" / "sites")  # English built here again, so both Chinese sites fork
    failed = run_mkdocs("build", "--strict", cwd=project, env={"PYTHONPATH": str(project)})
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "Aborted with 1 warnings in strict mode!" in output
    # Each forked Chinese build warned; both records reached this process's log.
    assert failed.stderr.count("Doc file 'index.md' contains a link 'missing.md'") == 2


def test_old_build_is_set_aside_and_removed(tmp_path):
    """The previous build (and one an interrupted run left aside) leave the way at once and are gone when joined."""
    from sitelib.incremental.language_sites import _set_aside

    built = tmp_path / "sites" / "zh"
    (built / "deep").mkdir(parents=True)
    (built / "deep" / "index.html").write_text("old")
    left = tmp_path / "sites" / ".zh.old-1-2"
    left.mkdir()
    (tmp_path / "sites" / "en").mkdir()
    removing = _set_aside(built)
    assert not built.exists()  # free for the new build before anything is deleted
    removing.join()
    assert sorted(p.name for p in (tmp_path / "sites").iterdir()) == ["en"]


def test_a_language_build_lists_the_installed_themes_once_per_process(monkeypatch):
    """Inside a language build's configuration load, MkDocs' theme lookups (which clear their own cache) reuse one
    listing of the installed themes; MkDocs' own function is back afterwards."""
    from mkdocs import utils

    from sitelib.incremental import language_sites

    scans = []
    real_entry_points = utils.entry_points
    monkeypatch.setattr(utils, "entry_points", lambda **kw: scans.append(kw) or real_entry_points(**kw))
    monkeypatch.setattr(language_sites, "_installed_themes", {})
    own = utils.get_themes
    for _ in range(2):
        with language_sites._themes_listed_once():
            for _ in range(3):
                assert utils.get_theme_dir("material").endswith("material/templates")
                utils.get_themes.cache_clear()  # as mkdocs.theme.Theme does for every theme it loads
    assert len(scans) == 1 and utils.get_themes is own
