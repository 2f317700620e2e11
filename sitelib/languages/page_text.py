"""What a reader of a built Chinese page sees, split by kind, and the counts the Chinese checks report.

:func:`page_text` reads one built HTML page: its ``<title>``, meta
description, image alt texts and titles, and the prose of its article
(outside code, program output and SVG drawing code). :func:`stray_cjk_spaces`
counts spaces between two Chinese characters in a page's visible text
(outside code): a line break inside a Chinese paragraph of the Markdown source
shows as such a space. :func:`english_interface_strings` counts the theme and
plugin strings that a Chinese page should not show in English.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}
_CODE = {"code", "pre", "script", "style", "kbd", "samp", "textarea"}
_BLOCK = {"p", "div", "li", "ul", "ol", "td", "th", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
          "summary", "details", "blockquote", "dd", "dt", "section", "article", "nav", "header",
          "footer", "figure", "figcaption", "label", "button", "title", "option", "svg"}
# Han, CJK punctuation, fullwidth forms and the Chinese curly quotes.
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u201c\u201d\u300c-\u300f"
_STRAY = re.compile(f"(?<=[{CJK}])[ \\t\\r\\n]+(?=[{CJK}])")

# The English strings of the theme, toc, notebook and API renderers that used to reach Chinese pages.
ENGLISH_UI = ("Switch to dark mode", "Switch to light mode", "Permanent link", "Copy to clipboard",
              "Copy to Clipboard", "Copied!", "404 - Not found", "Source code in", "Examples:",
              " thread<", " threads<", "Parameters:", "Returns:", "Raises:")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its text)
        self.article = 0
        self.title: list[str] = []
        self.descriptions: list[str] = []
        self.alts: list[str] = []
        self.prose: list[str] = []
        self.visible: list[str] = []  # every text run outside code, "\0" between blocks
        self._in_title = False

    def hidden(self) -> bool:
        return any(h for _, h in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = a.get("class") or ""
        if tag == "meta" and a.get("name") == "description":
            self.descriptions.append(a.get("content") or "")
        if tag == "img":
            self.alts += [a[k] for k in ("alt", "title") if a.get(k)]
        if tag == "svg" and a.get("aria-label"):
            self.alts.append(a["aria-label"])
        if tag == "title":
            self._in_title = True
        if tag == "article":
            self.article += 1
        if tag in _BLOCK:
            self.visible.append("\0")
        if tag in _CODE:
            self.visible.append("\1")  # code is no Chinese character: it separates
        if tag not in _VOID:
            # <cite>: a title quoted as written (the original post's, in its own script), never converted
            hides = (tag in _CODE or "jp-OutputArea" in classes or "highlight" in classes
                     or tag in ("svg", "template", "cite"))
            self.stack.append((tag, hides))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag == "article":
            self.article -= 1
        if tag in _BLOCK:
            self.visible.append("\0")
        while self.stack and tag not in _VOID:
            top, _ = self.stack.pop()
            if top == tag:
                break

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
            return
        if self.hidden():
            return
        self.visible.append(data)
        if self.article and data.strip():
            self.prose.append(data.strip())


def _read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def page_text(html: str) -> dict[str, str]:
    """``{"title", "description", "alt", "prose"}`` of a built page, one text run a line.

    >>> t = page_text('<title>張量</title><meta name="description" content="預設">'
    ...               '<article><p>你好<code>默认</code></p><img alt="圖"></article>')
    >>> t["title"], t["description"], t["alt"], t["prose"]
    ('張量', '預設', '圖', '你好')
    """
    r = _read(html)
    return {"title": "".join(r.title).strip(), "description": "\n".join(r.descriptions),
            "alt": "\n".join(r.alts), "prose": "\n".join(r.prose)}


def stray_cjk_spaces(html: str, line_breaks: bool = False) -> list[str]:
    """Each whitespace run between two Chinese characters in the visible text, with its context.

    With ``line_breaks``, only the runs that hold a line break (from the source's line breaks).

    >>> stray_cjk_spaces("<p>每一个输出，\\n都是<code>x</code>\\n在</p><p>中 文</p><pre>甲\\n乙</pre>")
    ['每一个输出，⏎都是', '中␠文']
    >>> stray_cjk_spaces("<p>每一个输出，\\n都是</p><p>中 文</p>", line_breaks=True)
    ['每一个输出，⏎都是']
    """
    text = "".join(_read(html).visible)
    found = []
    for m in _STRAY.finditer(text):
        if line_breaks and "\n" not in m.group():
            continue
        left = re.split("[\0\1]", text[max(0, m.start() - 6):m.start()])[-1]  # context within the block
        right = re.split("[\0\1]", text[m.end():m.end() + 2])[0]
        found.append((left + m.group().replace("\n", "⏎").replace(" ", "␠") + right).replace("\n", "⏎"))
    return found


def english_interface_strings(html: str) -> dict[str, int]:
    """How often each :data:`ENGLISH_UI` string occurs in a page (attributes included), code blocks excluded.

    >>> english_interface_strings('<button title="Copy to clipboard"></button><pre>Examples:</pre>')
    {'Copy to clipboard': 1}
    """
    outside_code = re.sub(r"<(pre|code|script)\b.*?</\1>", "", html, flags=re.S)
    counts = {s: outside_code.count(s) for s in ENGLISH_UI}
    return {s: n for s, n in counts.items() if n}
