"""Material's search entries are reused only for pages whose indexed inputs did not change, and equal fresh ones."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from material.plugins.search.plugin import SearchIndex
from mkdocs.structure.toc import get_toc

from sitelib.incremental.keyed_cache import KeyedCache
from sitelib.incremental.search_entries import SearchEntries, salt

CONFIG = {"lang": ["zh"], "separator": r"[\s\-]+", "pipeline": [], "fields": {}}


def page(url: str, heading: str, text: str, meta: dict | None = None) -> SimpleNamespace:
    """A page as the search index reads it: URL, title, front matter, rendered HTML and table of contents."""
    anchor = heading.lower().replace(" ", "-")
    toc = get_toc([{"level": 2, "id": anchor, "name": heading, "html": heading, "data-toc-label": "",
                    "children": []}])
    content = f'<h1 id="top">{url}</h1><p>开头</p><h2 id="{anchor}">{heading}</h2><p>{text}</p>'
    return SimpleNamespace(url=url, title=url, meta=meta or {}, content=content, toc=toc)


PAGES = [page("a/", "Tensors", "张量是多维数组，自动求导记录运算。"),
         page("b/", "Layers", "全连接层与卷积层。", {"tags": ["layers"], "search": {"boost": 2}})]


def stored(path) -> dict:
    """The entries a cache file holds, read as the next build reads them."""
    return KeyedCache(path, lambda value: True, "entries").cached


def index_with(cache: SearchEntries | None, pages) -> str:
    """The search index JSON Material writes for ``pages``, through ``cache`` if given."""
    index = SearchIndex(**CONFIG)
    if cache is not None:
        cache.wrap(index)
    for each in pages:
        index.add_entry_from_context(each)
    return index.generate_search_index(None)


def test_cached_entries_equal_fresh_ones_and_skip_the_parser(tmp_path):
    """A second build takes every page from the cache (Material's indexer is not called) and writes the same index."""
    path = tmp_path / "zh.json"
    fresh = index_with(None, PAGES)
    first = SearchEntries(path, "salt")
    assert index_with(first, PAGES) == fresh
    first.save()

    second = SearchEntries(path, "salt")
    index = SearchIndex(**CONFIG)
    index.add_entry_from_context = lambda page: pytest.fail(f"{page.url} was indexed again")
    second.wrap(index)
    for each in PAGES:
        index.add_entry_from_context(each)
    assert index.generate_search_index(None) == fresh


@pytest.mark.parametrize("change", ["content", "toc", "meta", "salt"])
def test_a_changed_input_indexes_the_page_again(tmp_path, change):
    """An edit to the HTML, a heading's anchor, the front matter or the segmenter (salt) is not served from the cache."""
    path = tmp_path / "zh.json"
    cache = SearchEntries(path, "salt")
    index_with(cache, PAGES)
    cache.save()
    edited = page("a/", "Tensors", "张量是多维数组，自动求导记录运算。")
    if change == "content":
        edited.content = edited.content.replace("多维数组", "多维的数组")
    elif change == "toc":
        edited.toc = get_toc([{"level": 2, "id": "renamed", "name": "Tensors", "html": "Tensors",
                               "data-toc-label": "", "children": []}])
    elif change == "meta":
        edited.meta = {"search": {"exclude": True}}
    again = SearchEntries(path, "other salt" if change == "salt" else "salt")
    assert index_with(again, [edited]) == index_with(None, [edited])
    assert not set(again.cache.used) & set(cache.cache.used)


def test_save_keeps_only_the_entries_this_build_used(tmp_path):
    """A page removed from the site leaves the cache at the next save; an unchanged build rewrites nothing."""
    path = tmp_path / "zh.json"
    cache = SearchEntries(path, "salt")
    index_with(cache, PAGES)
    cache.save()
    assert len(stored(path)) == 2
    smaller = SearchEntries(path, "salt")
    index_with(smaller, PAGES[:1])
    smaller.save()
    assert list(stored(path)) == list(smaller.cache.used) and len(stored(path)) == 1
    before = path.stat().st_mtime_ns
    same = SearchEntries(path, "salt")
    index_with(same, PAGES[:1])
    same.save()
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize("text", ["{not json", '["a list"]', '{"key": "not a list"}', '{"key": [1, 2]}'])
def test_an_unreadable_cache_is_ignored_with_a_note(tmp_path, caplog, text):
    """A damaged cache file costs a full indexing, never a wrong index or a failed build."""
    path = tmp_path / "zh.json"
    path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
        cache = SearchEntries(path, "salt")
    assert cache.cache.cached == {}
    assert str(path) in caplog.text
    assert index_with(cache, PAGES) == index_with(None, PAGES)
    cache.save()
    assert set(stored(path)) == set(cache.cache.used)


def test_salt_follows_the_dictionary_and_the_search_options(tmp_path):
    """Another jieba dictionary, a rewritten one or other search options make every key new."""
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("张量 5 n\n", encoding="utf-8")
    second.write_text("张量 6 n\n", encoding="utf-8")
    assert salt(CONFIG, str(first)) == salt(CONFIG, str(first))
    assert salt(CONFIG, str(first)) != salt(CONFIG, str(second))
    assert salt(CONFIG, str(first)) != salt({**CONFIG, "lang": ["en"]}, str(first))
    before = salt(CONFIG, str(first))
    first.write_text("张量 5 n\n自动求导 3 n\n", encoding="utf-8")  # the same file, rewritten
    assert salt(CONFIG, str(first)) != before


def entries_of(content: str) -> str:
    index = SearchIndex(**CONFIG)
    index.add_entry_from_context(SimpleNamespace(url="p/", title="P", meta={}, content=content, toc=[]))
    return index.generate_search_index(None)


def test_code_spans_are_left_out_of_what_material_parses_and_the_entries_stay_the_same():
    """Highlighted code, coloured output, a span Material must see (data-search-exclude) and spans outside code."""
    from sitelib.incremental.search_entries import without_code_spans

    content = ('<h1 id="t">T</h1><p>a <span class="x">b</span>\n\n<span>c</span></p>'
               '<pre><span></span><span class="kn">import</span> <span class="nn">torch</span>\n'
               '<span class="n">x</span>  <span class="o">=</span> 1 &lt;pre&gt;</pre>'
               '<h2 id="o">Out</h2><pre><span class="ansi-red-fg">Error</span>\n  line</pre>'
               '<pre><span data-search-exclude>hidden</span> <span class="k">shown</span></pre>')
    slim = without_code_spans(content)
    assert slim.count("<span") == 4  # the paragraph's two, and the two of the block kept whole (an excluded span)
    assert entries_of(slim) == entries_of(content)


@pytest.mark.build
def test_every_built_page_gives_the_same_entries_without_its_code_spans(built_site):
    """On the lesson's own pages (notebooks with highlighted cells and outputs, theory pages, the API page)."""
    import re

    from sitelib.incremental.search_entries import without_code_spans

    article = re.compile(r'<article class="md-content__inner md-typeset">(.*)</article>', re.S)
    checked = stripped = 0
    for path in sorted(built_site.rglob("*.html")):
        found = article.search(path.read_text(encoding="utf-8"))
        if found is None:
            continue
        content = found.group(1)
        slim = without_code_spans(content)
        assert entries_of(slim) == entries_of(content), path
        checked += 1
        stripped += slim != content
    assert checked >= 40 and stripped >= 10  # every language's pages, notebooks among them
