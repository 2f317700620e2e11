"""Traditional Chinese (Taiwan) pages generated from the Simplified sources.

OpenCC (profile ``s2twp``) does the conversion; ``data/zh_hant_glossary.toml``
holds the project's reviewed overrides. Overrides are matched on the
*Simplified* text and swapped for placeholders before OpenCC runs, then the
placeholders become the glossary's Traditional wording. Matching the source,
not OpenCC's output, makes an override independent of how OpenCC happens to
segment the sentence around it (s2twp turns 打印 into 列印 in one sentence and
leaves it alone in the next), and OpenCC can never re-convert a glossary
target. Markdown code, URLs, HTML tags, comments and math are protected the
same way, so a whole page goes through OpenCC in one call.

Loading OpenCC's dictionaries takes about 0.1 s: a build should make one
:class:`Converter` and reuse it; the module-level functions make a fresh one
when none is given. Nothing here holds module-level mutable state.

>>> conv = Converter()
>>> conv.text("默认参数保存在内存里")
'預設參數儲存在記憶體裡'
>>> conv.markdown("打印 `x` 的[文档](docs/文档.md)")
'印出 `x` 的[文件](docs/文档.md)'
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path

from sitelib.languages.glossary import GLOSSARY, GlossaryMatcher, Override, load_glossary
from sitelib.markup.fences import fenced_blocks

PROFILE = "s2twp"
_PUA0 = 0xF0000  # Supplementary Private Use Area-A: one code point per placeholder
_PUA = re.compile("[\U000F0000-\U000FFFFD]")


# Curly quotes, except an apostrophe between two Latin letters (PyTorch’s).
_CURLY = re.compile("[\u201c\u201d\u2018]|\u2019(?![A-Za-z])|(?<![A-Za-z])\u2019")
_TAIWAN_QUOTE = {"\u201c": "\u300c", "\u201d": "\u300d", "\u2018": "\u300e", "\u2019": "\u300f"}


def taiwan_quotes(text: str) -> str:
    """Mainland curly quotes as Taiwan writes them: “” -> 「」 and ‘’ -> 『』 (the inner pair).

    >>> taiwan_quotes("称为“define-by-run”，即‘边运行边定义’；PyTorch’s")
    '称为「define-by-run」，即『边运行边定义』；PyTorch’s'
    """
    return _CURLY.sub(lambda m: _TAIWAN_QUOTE[m.group()], text)


@functools.cache
def opencc_converter(profile: str):
    """One OpenCC converter per profile and process. Making one loads its dictionaries (0.07-0.12 s here),
    and OpenCC keeps them only while a converter lives; converting keeps no state, so every
    :class:`Converter` shares it, and a build forked after it was made finds them loaded (7 ms)."""
    import opencc  # imported here: the rest of sitelib must not need it

    return opencc.OpenCC(profile)


class Converter:
    """An OpenCC ``s2twp`` converter plus the glossary. Create once, use for many pages."""

    def __init__(self, glossary: Path | tuple[Override, ...] = GLOSSARY) -> None:
        self._opencc = opencc_converter(PROFILE)
        self.overrides = glossary if isinstance(glossary, tuple) else load_glossary(glossary)
        self._glossary = GlossaryMatcher(self.overrides)

    def with_overrides(self, overrides: tuple[Override, ...]) -> "Converter":
        """A converter sharing this one's OpenCC dictionaries but using other overrides."""
        other = copy.copy(self)
        other.overrides = overrides
        other._glossary = GlossaryMatcher(overrides)
        return other

    def _convert(self, text: str, protected: list[tuple[int, int]]) -> str:
        """Convert ``text`` except the ``protected`` (start, end) spans, which come back verbatim."""
        if _PUA.search(text):
            raise ValueError("text contains Private Use Area characters (U+F0000-U+FFFFD), "
                             "which the converter uses as placeholders")
        slots: list[str] = []

        def hold(value: str) -> str:
            slots.append(value)
            return chr(_PUA0 + len(slots) - 1)

        def glossed(chunk: str) -> str:
            return self._glossary.sub(chunk, lambda entry: hold(entry.target))

        parts, pos = [], 0
        for start, end in protected:
            parts.append(glossed(text[pos:start]))
            parts.append(hold(text[start:end]))
            pos = end
        parts.append(glossed(text[pos:]))
        converted = taiwan_quotes(self._opencc.convert("".join(parts)))  # code in the slots keeps its quotes
        return _PUA.sub(lambda m: slots[ord(m.group()) - _PUA0], converted)

    def text(self, text: str) -> str:
        """Plain prose (a nav title, the site name, a UI string): s2twp plus the glossary."""
        return self._convert(text, [])

    def markdown(self, md: str) -> str:
        """A Markdown page: prose converted; code, URLs, HTML, comments and math kept."""
        return self._convert(md, protected_spans(md))

    def python(self, source: str) -> str:
        """A percent-format example: its Markdown cells converted as pages are, its code cells' Chinese comments too.

        >>> Converter().python('# %% [markdown] lang="zh"\\n# 打印 `默认`\\n# %%\\nprint("默认")  # 内存\\n')
        '# %% [markdown] lang="zh"\\n# 印出 `默认`\\n# %%\\nprint("默认")  # 記憶體\\n'
        """
        out, cell, markdown = [], [], False

        def flush():
            if markdown:  # one page of Markdown behind "# " prefixes: fences inside it stay code
                prefixes = [re.match(r"#[ \t]?", line).group() if line.startswith("#") else "" for line in cell]
                text = "".join(line[len(pre):] for line, pre in zip(cell, prefixes))
                converted = self.markdown(text).splitlines(keepends=True)
                out.extend(pre + line for pre, line in zip(prefixes, converted))
            else:
                fence = "```python\n"
                out.append(self.markdown(fence + "".join(cell) + "\n```")[len(fence):-4] if cell else "")
            cell.clear()

        for line in source.splitlines(keepends=True):
            if line.startswith("# %%"):
                flush()
                out.append(line)
                markdown = "[markdown]" in line
            else:
                cell.append(line)
        flush()
        return "".join(out)

    def notebook(self, nb: dict) -> dict:
        """A copy of an nbformat notebook with its markdown cells converted (code cells and outputs kept)."""
        out = copy.deepcopy(nb)
        for cell in out.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            if isinstance(source, list):
                cell["source"] = self.markdown("".join(source)).splitlines(keepends=True)
            else:
                cell["source"] = self.markdown(source)
        return out


def convert_text(text: str, converter: Converter | None = None) -> str:
    """Prose: OpenCC ``s2twp`` with the project glossary (see :meth:`Converter.text`)."""
    return (converter or Converter()).text(text)


def convert_markdown(md: str, converter: Converter | None = None) -> str:
    """A Markdown page, code left untouched (see :func:`protected_spans`)."""
    return (converter or Converter()).markdown(md)


def convert_notebook(nb: dict, converter: Converter | None = None) -> dict:
    """A converted copy of an nbformat notebook; the input is not changed."""
    return (converter or Converter()).notebook(nb)


# --- What a reader sees as code: kept verbatim by convert_markdown, skipped by the checker.

_BLOCKS = re.compile(
    r"<!--.*?-->"                                     # HTML comments, <!-- timings:table -->
    r"|(?<![\\$])\$\$.+?\$\$"                         # display math
    r"|^[ \t]*:::[ \t]+\S.*$"                          # mkdocstrings ::: identifier
    r"|<(pre|code|script|style|kbd|samp|cite)\b[^>]*>.*?</\1\s*>",  # code-like elements; <cite>: a quoted title
    re.S | re.M)
_INLINE = re.compile(
    r"(?<![`\\])(?P<tick>`+)(?!`)(?P<code>.+?)(?<!`)(?P=tick)(?!`)"     # `code` (content only)
    r"|(?<![\\$])\$(?![\s$])(?:\\.|[^$\\\n])+?(?<![\s\\])\$(?!\d)"      # $math$
    r"|\]\((?P<dest>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+(?:\"[^\"]*\"|'[^']*'))?)\)"  # ](url "t")
    r"|\]\[(?P<ref>[^\]\n]*)\]"                                         # ][reference label]
    r"|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$"                            # [label]: url
    r"|<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*>"                              # <https://autolink>
    r"|</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>"                              # HTML tags and attributes
    r"|\{[ \t]*[:#.][^{}\n]*\}"                                         # { #id .class } attr lists
    r"|\{\{.*?\}\}|\{%.*?%\}"                                           # template tags
    r"|https?://[!-~]+[A-Za-z0-9/=_&#-]",                               # bare URLs (ASCII)
    re.S | re.M)


def _fenced_and_front_matter(md: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks (any indentation, ``` or ~~~) and front-matter keys."""
    spans: list[tuple[int, int]] = []
    lines = md.splitlines(keepends=True)
    if lines and lines[0].rstrip() == "---":
        for i, line in enumerate(lines[1:], 1):
            if line.rstrip() in ("---", "..."):
                key_end = 0
                for fm_line in lines[:i + 1]:
                    m = re.match(r"[ \t]*(?:- )?[\w.-]+:(?=\s)|[ \t]*---|[ \t]*\.\.\.", fm_line)
                    if m:
                        spans.append((key_end, key_end + m.end()))
                    key_end += len(fm_line)
                break
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for block in fenced_blocks([line.rstrip("\r\n") for line in lines]):  # the scanner doctests use too
        if block.end >= len(lines):  # an unclosed fence runs to the end (CommonMark)
            span = (starts[block.start], len(md))
        else:
            span = (starts[block.start], starts[block.end] + len(lines[block.end].rstrip("\r\n")))
        spans += _without_comments(md, span, block, starts) if _commented(block.info) else [span]
    return spans


_COMMENT = re.compile(r"(?:^|(?<=\s))#[ \t]*(?P<text>[^\n]*[\u3400-\u9fff][^\n]*)$", re.M)


def _commented(info: str) -> bool:
    """Shell and Python blocks: their ``#`` comments are prose (pycon is not: its output must match)."""
    lang = re.sub(r"^[{.\s]+", "", info).split(" ")[0].split("}")[0].lower()
    return lang in {"bash", "sh", "shell", "console", "python", "py", "python3"}


def _without_comments(md: str, span: tuple[int, int], block, starts: list[int]) -> list[tuple[int, int]]:
    """``span`` minus the Chinese ``# comment`` texts of its body lines, which are converted like prose."""
    body_start = starts[block.start + 1] if block.start + 1 < len(starts) else span[1]
    pieces, pos = [], span[0]
    for m in _COMMENT.finditer(md, body_start, span[1]):
        before = md[md.rfind("\n", 0, m.start()) + 1:m.start()]
        if before.count('"') % 2 or before.count("'") % 2:  # a '#' inside a string literal
            continue
        pieces.append((pos, m.start("text")))
        pos = m.end("text")
    pieces.append((pos, span[1]))
    return [piece for piece in pieces if piece[1] > piece[0]]


def _gaps(spans: list[tuple[int, int]], end: int):
    pos = 0
    for s, e in spans:
        if s > pos:
            yield pos, s
        pos = max(pos, e)
    if pos < end:
        yield pos, end


def protected_spans(md: str) -> list[tuple[int, int]]:
    """Sorted, disjoint (start, end) spans of ``md`` that are code, not prose.

    Fenced blocks (also indented inside admonitions, doctests included), inline
    code (the text between the backticks), link and image targets (the link
    text is prose; a Chinese ``#fragment`` is converted like the heading it names), reference labels, HTML tags with their attributes, HTML
    comments, ``$...$`` and ``$$...$$`` math, attribute lists, mkdocstrings
    ``:::`` lines, bare URLs and front-matter keys. Admonition titles
    (``??? success "答案"``) are prose.

    >>> md = "打印 `x`，见[文档](a.md)。"
    >>> [md[s:e] for s, e in protected_spans(md)]
    ['x', 'a.md']
    """
    spans = _fenced_and_front_matter(md)
    for kind in (_BLOCKS, _INLINE):
        found = []
        for a, b in _gaps(sorted(spans), len(md)):
            for m in kind.finditer(md, a, b):
                group = next((g for g in ("code", "dest", "ref") if m.groupdict().get(g) is not None), None)
                s, e = m.span(group) if group else m.span()
                if group == "dest" and re.search(r"#[^\s]*[^\x00-\x7f]", md[s:e]):
                    e = md.index("#", s, e)  # a CJK #fragment names a heading: convert it with the heading
                found.append((s, e))
        spans += found
    return [s for s in sorted(spans) if s[1] > s[0]]
