"""Every language of the built site: the same pages, the right tags, and Traditional pages free of Simplified text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitelib.languages.checks import Checker

pytestmark = pytest.mark.build

SKIPPED = {"code", "pre", "script", "style", "svg", "kbd", "samp", "cite"}  # <cite>: a title quoted as written


class _Prose(HTMLParser):
    """The text a reader sees in a page's article, outside code, program output and the language switcher."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside an element whose text is not prose
        self.article = 0
        self.lines: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "article":
            self.article += 1
        # Outputs of executed cells are program output: they stay as the program printed them.
        if self.depth or tag in SKIPPED or "jp-OutputArea" in classes or "highlight" in classes:
            self.depth += 1 if tag not in {"br", "img", "input", "meta", "link", "hr", "wbr"} else 0

    def handle_endtag(self, tag):
        if tag == "article":
            self.article -= 1
        if self.depth and tag not in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            self.depth -= 1

    def handle_data(self, data):
        if self.article and not self.depth and data.strip():
            self.lines.append(data.strip())


def article_prose(html: str) -> str:
    """The prose of one page's ``<article>``, one text run a line."""
    parser = _Prose()
    parser.feed(html)
    return "\n".join(parser.lines)


def pages_of(built_site: Path, root: str, other_roots: list[str]) -> set[str]:
    """The page paths of one language, relative to its root."""
    base = built_site / root
    found = {f.parent.relative_to(base).as_posix() for f in base.rglob("index.html")}
    return {p for p in found if not any(p == r.rstrip("/") or p.startswith(r) for r in other_roots if r)}


def test_every_language_has_the_same_pages(built_site, site):
    """Each language's site holds exactly the pages of the default language."""
    roots = list(site.roots.values())
    default = pages_of(built_site, "", roots)
    assert len(default) > 10
    for code, root in site.roots.items():
        assert pages_of(built_site, root, roots) == default, code


def test_traditional_pages_have_no_simplified_prose(built_site, site):
    """No Simplified-only character or mainland-only term in any zh-Hant page's prose (code and outputs excluded)."""
    checker = Checker()
    generated = [lang for lang in site.languages if lang.convert == "s2twp"]
    assert generated, "no generated Traditional Chinese language configured"
    problems = []
    for lang in generated:
        files = sorted((built_site / site.roots[lang.code]).rglob("index.html"))
        assert len(files) > 10
        for page in files:
            for finding in checker.find(article_prose(page.read_text(encoding="utf-8")), markdown=False):
                problems.append(f"{page.relative_to(built_site)}: {finding}")
    assert not problems, "\n".join(problems[:30])


def test_the_prose_check_finds_a_planted_violation(built_site, site):
    """The check bites: a mainland term planted in a converted page's prose is reported, one planted in code is not."""
    lang = next(lang for lang in site.languages if lang.convert == "s2twp")
    html = (built_site / site.roots[lang.code] / "01-meet-pytorch" / "index.html").read_text(encoding="utf-8")
    planted = html.replace("</h1>", "</h1><p>這是默認值。这是</p><pre><code>这 默認</code></pre>", 1)
    findings = Checker().find(article_prose(planted), markdown=False)
    assert sorted((f.kind, f.term) for f in findings) == [("mainland-term", "默認"), ("simplified-char", "这")]


def test_generated_language_follows_its_source(built_site, site):
    """A Traditional page says what its Simplified source says, converted: same headings, count for count."""
    lang = next(lang for lang in site.languages if lang.convert == "s2twp")
    source = (built_site / site.roots[lang.source] / "06-code-walkthrough" / "index.html").read_text(encoding="utf-8")
    target = (built_site / site.roots[lang.code] / "06-code-walkthrough" / "index.html").read_text(encoding="utf-8")
    assert source.count("<h2") == target.count("<h2") and source.count("<pre") == target.count("<pre")
    assert "程式碼" in target and "代码" in source
