"""Line breaks inside a Chinese paragraph of the Markdown source, joined so that no space shows.

A browser shows the line break between two lines of one paragraph as a
space; between two Chinese characters that space is wrong (「每一個輸出， 都是」).
:func:`join_cjk_lines` joins such lines when the first ends and the next starts
with a Chinese character or Chinese punctuation, so a space between Chinese and
Latin text (「用 PyTorch 訓練」) and every line break elsewhere stays. Code blocks
(fenced, also indented inside admonitions), headings and table rows are left
alone. The Chinese builds add :class:`CjkLineBreakExtension` to their Markdown
extensions; the example pages' prose cells are joined with the same function
before their notebooks are rendered. The result depends on the page alone, so
the render cache may trust it (``render_cache.PURE_EXTENSIONS``).
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

from sitelib.markup.fences import code_lines

NAME = "sitelib.markup.cjk_linebreaks"  # how mkdocs.yml or the plugin names the extension
# Han, CJK and fullwidth punctuation, corner brackets and the curly quotes Chinese text uses.
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d\u2018\u2019]")


# What a line may end with after its last visible character: emphasis, a link's target.
_END_MARKUP = re.compile(r"(?:\]\([^()\s]*\)|\][^\[\]]*\]|[*_])+$")
_START_MARKUP = re.compile(r"^(?:\[|[*_])+")  # and start with before its first: a link, emphasis


def _joinable(previous: str, line: str) -> bool:
    head, tail = previous.lstrip(), line.lstrip()
    if not head or not tail or head.startswith("#") or "|" in previous or "|" in line:
        return False
    last, first = _END_MARKUP.sub("", previous)[-1:], _START_MARKUP.sub("", tail)[:1]
    if previous.endswith(("  ", "\\")) or tail.startswith(("* ", "- ", "+ ", "_ ")):
        return False  # a hard line break, or a list item
    return bool(last and first and _CJK.fullmatch(last) and _CJK.fullmatch(first))


def join_cjk_lines(lines: list[str]) -> list[str]:
    """``lines`` with each break between two Chinese characters of one paragraph removed.

    >>> join_cjk_lines(["每一个输出，", "  都是在", "运行 PyTorch", "时得到的。", "", "## 标题", "正文"])
    ['每一个输出，都是在运行 PyTorch', '时得到的。', '', '## 标题', '正文']
    >>> join_cjk_lines(["```", "甲", "乙", "```", "| 甲 |", "| 乙 |"])
    ['```', '甲', '乙', '```', '| 甲 |', '| 乙 |']
    >>> join_cjk_lines(["见[文档](a.md)", "**第二**行", "* 列表", "以及", "- 项"])
    ['见[文档](a.md)**第二**行', '* 列表以及', '- 项']
    """
    code = code_lines(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if out and i not in code and i - 1 not in code and _joinable(out[-1], line):
            out[-1] += line.lstrip()
        else:
            out.append(line)
    return out


def join_cjk_text(text: str) -> str:
    """:func:`join_cjk_lines` on a whole Markdown text (a notebook's prose cell).

    >>> join_cjk_text("第一行，\\n第二行\\n")
    '第一行，第二行\\n'
    """
    return "\n".join(join_cjk_lines(text.split("\n")))


def join_cjk_cells(notebook):
    """A copy of an nbformat notebook with :func:`join_cjk_text` applied to its Markdown cells."""
    import copy

    out = copy.deepcopy(notebook)
    for cell in out.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            cell["source"] = join_cjk_text("".join(source) if isinstance(source, list) else source)
    return out


class _Join(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return join_cjk_lines(lines)


class CjkLineBreakExtension(Extension):
    """Python-Markdown extension: :func:`join_cjk_lines` before the block parser runs."""

    def extendMarkdown(self, md):
        # After the raw-HTML and top-level fence preprocessors (20, 25) have stashed their blocks.
        md.preprocessors.register(_Join(md), "cjk_linebreaks", 15)


def makeExtension(**kwargs):  # Python-Markdown's entry point for an extension named by module
    return CjkLineBreakExtension(**kwargs)
