"""Translations that say when they lag: a record of the English version each page translates, and the notice."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_mkdocs
from sitelib.languages import translations
from sitelib.languages.interface import STRINGS


def project(tmp_path: Path) -> Path:
    """English and Chinese pages: the record says the Chinese home page translates today's English one."""
    root = tmp_path / "project"
    for code, text in (("en", "# Home\n\nTensors hold numbers.\n"), ("zh", "# 首页\n\n张量保存数字。\n")):
        (root / "docs" / code).mkdir(parents=True)
        (root / "docs" / code / "index.md").write_text(text, encoding="utf-8")
    (root / "docs" / "zh" / "only-zh.md").write_text("# 只有中文\n", encoding="utf-8")
    return root


def test_lagging_follows_the_english_page(tmp_path):
    """A recorded page is current until its English page changes; an unrecorded one lags; a zh-only page never does."""
    root = project(tmp_path)
    assert translations.lagging(root, "en", "zh", {}) == ["index.md"]
    assert translations.mark_current(root, "zh") == ["index.md"]
    record = translations.load(root / translations.FILE)
    assert record == {"zh": {"index.md": translations.digest(root / "docs" / "en" / "index.md")}}
    assert translations.lagging(root, "en", "zh", record) == []
    (root / "docs" / "en" / "index.md").write_text("# Home\n\nTensors hold numbers on a GPU too.\n", "utf-8")
    assert translations.lagging(root, "en", "zh", record) == ["index.md"]
    assert translations.mark_current(root, "zh", pages=["index.md"]) == ["index.md"]
    assert translations.mark_current(root, "zh") == []


def test_bad_record_names_the_file(tmp_path):
    """An unreadable or mis-shaped record is a TranslationsError naming the file."""
    path = tmp_path / "translations.toml"
    path.write_text("[zh\n", encoding="utf-8")
    with pytest.raises(translations.TranslationsError, match="translations.toml"):
        translations.load(path)
    path.write_text('[zh]\n"a.md" = 3\n', encoding="utf-8")
    with pytest.raises(translations.TranslationsError, match=r"\[zh\] must map page names to digest strings"):
        translations.load(path)


def test_project_record_is_complete():
    """Every docs/zh page with an English page has a record (make translations-current writes them)."""
    record = translations.load(ROOT / translations.FILE)
    pages = {p.name for p in (ROOT / "docs" / "zh").glob("*.md") if (ROOT / "docs" / "en" / p.name).is_file()}
    assert pages and pages <= set(record.get("zh", {}))


def test_script_check_and_mark(tmp_path, monkeypatch):
    """The script's --check lists lagging pages and exits 1; without it, it records them."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import translations_current

    root = project(tmp_path)
    monkeypatch.setattr(translations_current, "ROOT", root)
    assert translations_current.main(["--check"]) == 1
    assert translations_current.main([]) == 0
    assert translations_current.main(["--check"]) == 0
    assert translations_current.main(["missing.md"]) == 2


def test_notice_in_both_chinese_scripts():
    """The notice exists in Simplified and (converted) Traditional, and links the English page."""
    from sitelib.languages.conversion import Conversion

    hant = Conversion("s2twp").strings(STRINGS["zh"])["lagging"]
    html = translations.notice_html(hant, "../../a/")
    assert 'href="../../a/"' in html and "英文原文" in html and "译" not in html


CONFIG = """\
site_name: Two languages
docs_dir: docs/en
plugins:
  - lesson:
      execute: false
      cache_dir: .cache/lesson
      languages:
        - {code: en, tag: en, name: English, theme: en, site_name: Two languages}
        - {code: zh, tag: zh-Hans, name: 简体中文, theme: zh, site_name: 两种语言}
        - {code: zh-hant, tag: zh-TW, name: 繁體中文, theme: zh-TW, source: zh, convert: s2twp}
theme:
  name: material
"""


@pytest.mark.build
def test_changing_only_the_english_page_shows_the_notice(tmp_path):
    """Edit the English page only: both Chinese pages are rebuilt with a notice linking it, and the log says so."""
    root = project(tmp_path)
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    translations.mark_current(root, "zh")

    def build() -> str:
        result = run_mkdocs("build", "--strict", cwd=root, env={"PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stderr

    log = build()
    assert "lag behind" not in log
    for code in ("zh", "zh-hant"):
        assert "translation-lag" not in (root / "site" / code / "index.html").read_text("utf-8")
    (root / "docs" / "en" / "index.md").write_text("# Home\n\nTensors hold numbers, on a GPU too.\n", "utf-8")
    log = build()
    assert "Language zh: 1 translated page(s) lag behind their English page" in log
    zh = (root / "site" / "zh" / "index.html").read_text("utf-8")
    hant = (root / "site" / "zh-hant" / "index.html").read_text("utf-8")
    assert 'class="admonition warning translation-lag"' in zh and '<a href="../">阅读英文原文</a>' in zh
    assert '<a href="../">閱讀英文原文</a>' in hant
    assert "translation-lag" not in (root / "site" / "zh" / "only-zh" / "index.html").read_text("utf-8")
    assert "translation-lag" not in (root / "site" / "index.html").read_text("utf-8")
