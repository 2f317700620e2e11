"""Links of the built site, checked offline with the standard library's HTML parser.

Every internal reference (href, src, srcset, SVG xlink:href) of every HTML file
must reach a file of the build, and every #fragment an id (or <a name>) of its
target page. A URL is internal when it resolves, from the page's own address
under the site's URL, to somewhere below that URL: relative links, root-relative
links and absolute links to the site (canonical, hreflang alternates) alike.
Links to other hosts are not fetched.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.build

SKIPPED_SCHEMES = ("mailto:", "javascript:", "data:", "tel:", "blob:")
URL_ATTRIBUTES = {"href", "src", "xlink:href", "poster"}
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Page(HTMLParser):
    """The URLs a page references and the fragment targets it defines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, int]] = []  # (tag, url, line)
        self.ids: set[str] = set()
        self.downloads: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])
        for name, value in attrs:
            if value is None:
                continue
            if name in URL_ATTRIBUTES or (tag == "object" and name == "data"):
                self.refs.append((tag, value.strip(), self.getpos()[0]))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.refs.append((tag, candidate.split()[0], self.getpos()[0]))
        if tag == "a" and "download" in attributes and attributes.get("href"):
            self.downloads.append(attributes["href"])

    handle_startendtag = handle_starttag


@lru_cache(maxsize=None)
def parse(path: Path) -> _Page:
    """The parsed page (cached: many links point at the same pages)."""
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def site_url(site: Path) -> str:
    """The site's public URL: the shortest <loc> of the root sitemap, with a trailing slash."""
    locs = sitemap_locs(site / "sitemap.xml")
    assert locs, "the root sitemap.xml lists no page"
    root = min(locs, key=len)
    return root if root.endswith("/") else root + "/"


def sitemap_locs(path: Path) -> list[str]:
    """The <loc> entries of one sitemap.xml."""
    return [loc.text.strip() for loc in ET.parse(path).getroot().iter(f"{SITEMAP_NS}loc") if loc.text]


def page_url(site: Path, base: str, file: Path) -> str:
    """The public URL the HTML file is served at (404.html as itself, index.html as its folder)."""
    rel = file.relative_to(site).as_posix()
    return base + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)


def target_file(site: Path, base: str, url: str) -> Path | None:
    """The file a URL under the site's URL is served from, or None when there is none."""
    rel = unquote(urlsplit(url).path[len(urlsplit(base).path):])
    candidate = site / rel
    if rel == "" or rel.endswith("/"):
        candidate = candidate / "index.html"
    elif candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_refs(site: Path) -> tuple[list[str], int]:
    """Every internal reference of the site that reaches no file or no id, and the number checked."""
    base = site_url(site)
    base_parts = urlsplit(base)
    problems, checked = [], 0
    for file in sorted(site.rglob("*.html")):
        here = page_url(site, base, file)
        name = file.relative_to(site).as_posix()
        for tag, ref, line in parse(file).refs:
            if not ref or ref.lower().startswith(SKIPPED_SCHEMES):
                continue
            absolute, fragment = urldefrag(urljoin(here, ref))
            parts = urlsplit(absolute)
            if (parts.scheme, parts.netloc) != (base_parts.scheme, base_parts.netloc):
                continue  # another host: not fetched
            where = f"{name}:{line} <{tag}> {ref!r}"
            if not parts.path.startswith(base_parts.path):
                problems.append(f"{where}: outside the site ({parts.path})")
                continue
            checked += 1
            target = target_file(site, base, absolute)
            if target is None:
                problems.append(f"{where}: no such file")
            elif fragment and target.suffix == ".html" and unquote(fragment) not in parse(target).ids:
                problems.append(f"{where}: no id {unquote(fragment)!r} in {target.relative_to(site).as_posix()}")
    return problems, checked


def test_internal_links_and_anchors_resolve(built_site):
    """Every internal href/src/srcset (and #anchor) in every HTML file reaches an existing file (and id)."""
    problems, checked = broken_refs(built_site)
    assert checked > 500, f"only {checked} internal references found: is the parser seeing the pages?"
    assert not problems, f"{len(problems)} broken reference(s):\n  " + "\n  ".join(problems)


def test_sitemaps_list_every_page(built_site, site):
    """Each language's sitemap.xml lists exactly its pages, and every listed page exists."""
    base = site_url(built_site)
    others = [r for r in site.roots.values() if r]
    for code, lang_root in site.roots.items():
        root, prefix = built_site / lang_root, base + lang_root
        locs = sitemap_locs(root / "sitemap.xml")
        missing = [loc for loc in locs if not loc.startswith(prefix) or target_file(built_site, base, loc) is None]
        assert not missing, f"{root / 'sitemap.xml'} lists missing pages: {missing}"
        pages = {page_url(built_site, base, f) for f in root.rglob("index.html")
                 if lang_root or not f.relative_to(built_site).as_posix().startswith(tuple(others))}
        assert pages == set(locs), f"pages not in {root / 'sitemap.xml'}: {sorted(pages - set(locs))}"


def test_search_index_locations_resolve(built_site, site):
    """Every search result of every language points at an existing page and anchor."""
    problems = []
    for lang, lang_root in site.roots.items():
        root = built_site / lang_root
        docs = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
        assert docs, f"{root}: empty search index"
        for doc in docs:
            path, _, fragment = doc["location"].partition("#")
            target = root / path / "index.html" if path == "" or path.endswith("/") else root / path
            if not target.is_file():
                problems.append(f"{lang}: {doc['location']!r}: no page")
            elif fragment and unquote(fragment) not in parse(target).ids:
                problems.append(f"{lang}: {doc['location']!r}: no such anchor")
    assert not problems, "\n".join(problems)


def test_example_downloads_exist(built_site, site):
    """Each example page, in every language, offers its .py source and executed .ipynb for download, and both exist."""
    base = site_url(built_site)
    examples = sorted(p.parent for p in (built_site / "examples").glob("*/index.html"))
    assert len(examples) >= 2, examples
    for folder in examples:
        for root in (built_site / r for r in site.roots.values()):
            page_file = root / folder.relative_to(built_site) / "index.html"
            assert page_file.is_file(), f"{page_file} missing"
            here = page_url(built_site, base, page_file)
            downloads = {Path(urlsplit(href).path).suffix: target_file(built_site, base, urljoin(here, href))
                         for href in parse(page_file).downloads}
            name = page_file.relative_to(built_site).as_posix()
            assert ".py" in downloads and ".ipynb" in downloads, f"{name}: download links {downloads}"
            source, notebook = downloads[".py"], downloads[".ipynb"]
            assert source is not None and source.stat().st_size > 0, f"{name}: the .py download is missing"
            assert notebook is not None, f"{name}: the .ipynb download is missing"
            nb = json.loads(notebook.read_text(encoding="utf-8"))
            assert nb.get("nbformat") == 4 and nb["cells"], f"{name}: {notebook} is not a notebook"
            outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
            assert outputs, f"{name}: the downloadable notebook is not executed (no outputs)"
            assert re.search(r"\bimport\b", source.read_text(encoding="utf-8")), f"{name}: {source} has no code"
