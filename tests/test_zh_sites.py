"""The built Chinese sites: no English interface string, no space from a source line break, and zh-hant all Taiwan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sitelib.languages.checks import Checker
from sitelib.languages.page_text import english_interface_strings, page_text, stray_cjk_spaces

pytestmark = pytest.mark.build


def chinese_roots(site) -> dict[str, str]:
    return {lang.code: site.roots[lang.code] for lang in site.languages if lang.tag.lower().startswith("zh")}


def html_files(built_site: Path, root: str, site) -> list[Path]:
    """The HTML pages of the language at ``root`` (not those of languages nested below it)."""
    others = [r for r in site.roots.values() if r and r != root and r.startswith(root)]
    base = built_site / root
    return [p for p in sorted(base.rglob("*.html"))
            if not any(p.relative_to(base).as_posix().startswith(o[len(root):]) for o in others)]


def test_no_english_interface_strings_on_chinese_sites(built_site, site):
    """Palette toggles, permalinks, the notebook copy button, the 404 heading, mkdocstrings' labels, the chart legend."""
    english = sum(sum(english_interface_strings(p.read_text("utf-8")).values())
                  for p in html_files(built_site, "", site))
    assert english > 100  # the counter finds them where they belong
    found = {code: {str(p.relative_to(built_site)): s for p in html_files(built_site, root, site)
                    if (s := english_interface_strings(p.read_text("utf-8")))}
             for code, root in chinese_roots(site).items()}
    assert found == {code: {} for code in found}


def test_no_space_from_a_source_line_break(built_site, site):
    """No whitespace with a line break between two Chinese characters in any Chinese page's visible text."""
    found = {code: [f"{p.relative_to(built_site)}: {s}" for p in html_files(built_site, root, site)
                    for s in stray_cjk_spaces(p.read_text("utf-8"), line_breaks=True)]
             for code, root in chinese_roots(site).items()}
    assert found == {code: [] for code in found}


def test_traditional_site_is_taiwan_everywhere(built_site, site):
    """zh-hant titles, meta descriptions, alt texts, chart labels, prose, search entries and downloads:
    no Simplified-only character, no listed mainland term, no mainland curly quotes."""
    checker = Checker()
    problems = []
    for lang in (lang for lang in site.languages if lang.convert == "s2twp"):
        base = built_site / site.roots[lang.code]
        quoted = set()  # titles quoted as written (<cite>: the original post's, in its own script)
        for page in html_files(built_site, site.roots[lang.code], site):
            quoted.update(re.findall(r"<cite>(.*?)</cite>", page.read_text("utf-8"), flags=re.S))
            for kind, text in page_text(page.read_text("utf-8")).items():
                problems += [f"{page.relative_to(built_site)} {kind}: {f}" for f in checker.find(text, markdown=False)]
                if kind == "prose" and re.search("[“”‘’]", text):
                    problems.append(f"{page.relative_to(built_site)}: curly quotes")
        index = json.loads((base / "search" / "search_index.json").read_text("utf-8"))
        for doc in index["docs"]:
            for key in ("title", "text"):
                text = re.sub(r"<(code|pre)>.*?</\1>", "", doc.get(key, ""), flags=re.S).replace("\u200b", "")
                for title in quoted:  # the search index keeps a <cite>'s words, not its tag
                    text = text.replace(title, "")
                problems += [f"search {doc['location']} {key}: {f}" for f in checker.find(text, markdown=False)]
        downloads = sorted(base.rglob("*.py")) + sorted(base.rglob("*.ipynb"))
        assert downloads
        for path in downloads:
            problems += [f"{path.relative_to(built_site)}: {f}"
                         for f in checker.find(path.read_text("utf-8"), markdown=False)]
    assert not problems, "\n".join(problems[:40])


def test_search_titles_have_no_pilcrow(built_site, site):
    """Section titles in every language's search index carry no permalink sign."""
    for root in site.roots.values():
        index = json.loads((built_site / root / "search" / "search_index.json").read_text("utf-8"))
        assert [d["location"] for d in index["docs"] if "¶" in d["title"]] == [], root


def test_report_columns_differ_in_traditional(built_site, site):
    """The execution report's run-time and executed-at columns no longer both read 執行時間."""
    for lang in (lang for lang in site.languages if lang.convert == "s2twp"):
        html = (built_site / site.roots[lang.code] / "execution-report" / "index.html").read_text("utf-8")
        headings = re.findall(r"<th[^>]*>(.*?)</th>", html)
        assert len(headings) == len(set(headings)) and "耗時（秒）" in headings
