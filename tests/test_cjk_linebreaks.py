"""Line breaks inside Chinese paragraphs: joined at the Markdown level, so no space shows between two characters."""

from __future__ import annotations

import markdown
import pytest

from conftest import ROOT
from sitelib.incremental import render_cache
from sitelib.markup.cjk_linebreaks import NAME, join_cjk_cells, join_cjk_lines
from sitelib.languages.page_text import stray_cjk_spaces

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "pymdownx.details", "pymdownx.superfences", NAME]


def render(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS)


def test_paragraph_lines_joined_without_a_space():
    """Two lines of one Chinese paragraph render as one run of text; Chinese-Latin spaces stay."""
    html = render("每一个输出，\n都是构建时运行 PyTorch\n得到的。\n")
    assert html == "<p>每一个输出，都是构建时运行 PyTorch\n得到的。</p>"
    assert stray_cjk_spaces(html) == []


def test_code_headings_tables_and_lists_untouched():
    """Fenced code (also inside an admonition), headings, table rows and list items keep their line breaks."""
    text = ("## 标题\n正文\n\n```text\n甲\n乙\n```\n\n!!! note \"注意\"\n\n    ```text\n    丙\n    丁\n    ```\n\n"
            "| 甲 |\n|---|\n| 乙 |\n\n- 第一项\n- 第二项\n")
    html = render(text)
    assert "<h2>标题</h2>\n<p>正文</p>" in html
    assert "甲\n乙" in html and "丙\n丁" in html
    assert "<li>第一项</li>\n<li>第二项</li>" in html


def test_links_and_emphasis_at_line_ends():
    """A break next to a link or emphasis whose visible text is Chinese is joined too."""
    assert join_cjk_lines(["常用的类型。", "[动手操作张量](a.md)会讲得更深入", "**注意**", "是这样"]) == \
        ["常用的类型。[动手操作张量](a.md)会讲得更深入**注意**是这样"]


def test_hard_break_kept():
    """Two trailing spaces (a Markdown hard line break) are not joined."""
    assert join_cjk_lines(["第一行  ", "第二行"]) == ["第一行  ", "第二行"]


def test_notebook_cells_joined():
    """The example pages' Markdown cells (rendered by nbconvert, not Python-Markdown) are joined the same way."""
    nb = {"cells": [{"cell_type": "markdown", "source": ["甲，\n", "乙。"]},
                    {"cell_type": "code", "source": "# 甲\n# 乙\n"}]}
    out = join_cjk_cells(nb)
    assert out["cells"][0]["source"] == "甲，乙。"
    assert out["cells"][1] == nb["cells"][1] and nb["cells"][0]["source"] == ["甲，\n", "乙。"]


def test_every_chinese_page_has_joinable_breaks_and_loses_them():
    """The Chinese sources do break paragraphs inside Chinese text (what this fixes), and rendered, no break remains."""
    pages = sorted((ROOT / "docs" / "zh").glob("*.md"))
    before = sum(len(stray_cjk_spaces(markdown.markdown(p.read_text("utf-8"), extensions=EXTENSIONS[:-1]), True))
                 for p in pages)
    after = [s for p in pages for s in stray_cjk_spaces(render(p.read_text("utf-8")), line_breaks=True)]
    assert before > 50
    assert after == []


def test_render_cache_trusts_the_extension():
    """The extension is reviewed as pure (its output depends on the page alone), so the render cache stays on."""
    assert NAME in render_cache.PURE_EXTENSIONS
    assert render_cache.unsupported_extensions(["toc", NAME]) == []


@pytest.mark.parametrize("code", ["zh", "zh-hant"])
def test_only_chinese_builds_add_it(code):
    """The plugin adds the extension for languages tagged zh*, not for English (spaces there are real)."""
    from sitelib.plugin.plugin import site_languages

    langs = {lang.code: lang for lang in site_languages(ROOT / "mkdocs.yml")}
    assert langs[code].tag.lower().startswith("zh") and not langs["en"].tag.lower().startswith("zh")
