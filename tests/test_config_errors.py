"""A wrong `languages:` configuration is refused as a whole, before anything is built, naming mkdocs.yml and the entry."""

from __future__ import annotations

import shutil
import time

import pytest

from conftest import run_mkdocs
from sitelib.languages.language import Language, LanguageError, check_languages
from test_language_builds import make_project

EN = Language("en", "en", "English", "en", "S")
ZH = Language("zh", "zh-Hans", "简体中文", "zh", "S", nav={"Home": "首页"})
STRINGS = {"timings": ({"en": {}, "zh": {}}, "sitelib/timings/strings.py")}


def test_a_language_without_strings_names_the_table(tmp_path):
    """A new language with no interface strings names the file that lacks them."""
    (tmp_path / "en").mkdir()
    (tmp_path / "ja").mkdir()
    with pytest.raises(LanguageError, match=r"'ja' has no timings strings in sitelib/timings/strings.py \(it has: en, zh\)"):
        check_languages([EN, Language("ja", "ja", "日本語", "ja", "J")], tmp_path, STRINGS)


def test_a_language_without_its_docs_folder_is_refused(tmp_path):
    """A written language needs docs/<code>; a generated one does not."""
    (tmp_path / "en").mkdir()
    with pytest.raises(LanguageError, match=r"'zh' has no pages: folder .*/zh does not exist"):
        check_languages([EN, ZH], tmp_path)
    (tmp_path / "zh").mkdir()
    check_languages([EN, ZH, Language("zh-hant", "zh-TW", "繁體中文", "zh-TW", "S", source="zh", convert="s2twp")], tmp_path)


@pytest.mark.parametrize("languages, problem", [
    ([EN, Language("en", "fr", "F", "fr", "S")], "code 'en' is listed twice"),
    ([EN, Language("fr", "en", "F", "fr", "S")], "tag 'en' is listed twice"),
    ([EN, Language("zh/tw", "zh-TW", "T", "zh", "S")], "code 'zh/tw' must be lowercase letters"),
    ([EN, Language("tw", "zh-TW", "T", "zh", "S", source="zh", convert="s2twp")], "converts from 'zh', which is not a language"),
    ([EN, ZH, Language("a", "a", "A", "zh", "S", source="zh", convert="s2twp"),
      Language("b", "b", "B", "zh", "S", source="a", convert="s2twp")], "converts from 'a', which is itself generated"),
    ([EN, Language("tw", "zh-TW", "T", "zh", "S", source="en")], "needs both 'source' and 'convert'"),
    ([], "at least one language is needed"),
])
def test_inconsistent_languages_are_refused(languages, problem):
    """Each inconsistency of the option is one clear message."""
    with pytest.raises(LanguageError, match=problem):
        check_languages(languages)


def test_a_nav_title_some_language_lacks_is_refused():
    """Every language but the first must translate every explicit nav title."""
    with pytest.raises(LanguageError, match="'zh' has no nav title for 'Examples'"):
        check_languages([EN, ZH], nav=[{"Home": "index.md"}, {"Examples": ["a.ipynb"]}])


JA = "{code: ja, tag: ja, name: 日本語, theme: ja, site_name: J}"


@pytest.mark.build
@pytest.mark.parametrize("entry, folder, problem", [
    (JA, False, "'ja' has no pages: folder"),
    (JA, True, "'ja' has no timings strings in sitelib/timings/strings.py"),
    ("{code: zh, tag: zh-TW, name: 中文, theme: zh, site_name: Z}", False, "code 'zh' is listed twice"),
])
def test_the_build_refuses_a_bad_language_before_building_any(tmp_path, entry, folder, problem):
    """`mkdocs build` stops at on_config: the message names mkdocs.yml, nothing is executed or built."""
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("site_name: 两种语言}\n", f"site_name: 两种语言}}\n        - {entry}\n"), encoding="utf-8")
    if folder:
        shutil.copytree(project / "docs" / "en", project / "docs" / "ja")
    start = time.monotonic()
    result = run_mkdocs("build", "--strict", cwd=project, env={"PYTHONPATH": str(project)})
    seconds = time.monotonic() - start
    assert result.returncode != 0
    error = next(line for line in result.stderr.splitlines() if line.startswith("ERROR"))
    assert f"{config}: languages: " in error and problem in error, error
    assert "Traceback" not in result.stderr
    assert "Executed example" not in result.stderr and not (project / ".cache" / "lesson" / "sites").exists()
    assert not (project / "site" / "index.html").exists()
    assert seconds < 60
