"""Reuse Material's search entries for pages whose indexed inputs did not change.

Material's search plugin parses every page's HTML into sections and, on the
Chinese sites, segments every sentence with jieba: about a third of a
language build, most of it for pages nobody edited. Its entries for a page
are a function of the page's URL, title, table of contents, front matter
(``search``, ``tags``, ``title``) and rendered HTML, and of the segmenter
(jieba's dictionary) and Material's version. This cache keys each page's
entries by a hash of exactly those, so an entry is reused only where a fresh
computation would give the same one. Each language keeps one JSON file, which
holds the entries its last build used and nothing else.

A page it does index is handed to Material without the class-only ``<span>``
tags inside its ``<pre>`` blocks (:func:`without_code_spans`): highlighted
code and coloured notebook output are mostly such spans, and Material's
parser walks every tag in Python (a third of a cold language build here).
Inside ``<pre>`` it keeps text as it is, so the entries are the same; tests
compare them on every page of the built site.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from sitelib.incremental.keyed_cache import KeyedCache

_PRE = re.compile(r"<pre\b[^>]*>.*?</pre>", re.S)
_SIMPLE_SPAN = re.compile(r'<span(?: class="[^"<>]*")?>')
_SPAN_TAG = re.compile(f"{_SIMPLE_SPAN.pattern}|</span>")


def without_code_spans(html: str) -> str:
    """``html`` without the ``<span>`` and ``<span class="...">`` tags inside its ``<pre>`` blocks.

    A block with any other span (one with an id, a style, ``data-search-exclude``)
    or with unbalanced ones is left as it is.

    >>> without_code_spans('<p><span class="k">x</span></p><pre><span class="k">def</span> <span>f</span></pre>')
    '<p><span class="k">x</span></p><pre>def f</pre>'
    >>> without_code_spans('<pre><span data-search-exclude>x</span><span class="k">y</span></pre>')
    '<pre><span data-search-exclude>x</span><span class="k">y</span></pre>'
    """
    def strip(match: re.Match) -> str:
        block = match.group(0)
        opened = len(_SIMPLE_SPAN.findall(block))
        if block.count("<span") != opened or block.count("</span>") != opened:
            return block
        return _SPAN_TAG.sub("", block)

    return _PRE.sub(strip, html)


def page_key(page, salt: str) -> str:
    """A hash of everything Material's ``add_entry_from_context`` reads from ``page``.

    >>> from types import SimpleNamespace as NS
    >>> page = NS(url="a/", title="A", meta={}, content="<h1>A</h1>", toc=[])
    >>> page_key(page, "s") == page_key(NS(**{**vars(page), "content": "<h1>B</h1>"}), "s")
    False
    """
    meta = {name: page.meta.get(name) for name in ("search", "tags", "title")}
    data = {"url": page.url, "title": str(page.title), "meta": meta, "content": page.content,
            "toc": _anchors(page.toc)}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{salt}\0{text}".encode()).hexdigest()


def _anchors(toc) -> list:
    """The ids and URLs of a table of contents, nested as it is (all the index uses of it)."""
    return [[item.id, item.url, _anchors(item.children)] for item in toc]


def _valid(entries: object) -> bool:
    return isinstance(entries, list) and all(isinstance(entry, dict) for entry in entries)


class SearchEntries:
    """The search entries of one language's build, cached by page key in ``path``."""

    def __init__(self, path: Path, salt: str):
        self.salt = salt
        self.cache = KeyedCache(path, _valid, "page's search entries")

    def wrap(self, index) -> None:
        """Make ``index`` (Material's ``SearchIndex``) take a page's entries from the cache where they are current."""
        compute: Callable = index.add_entry_from_context

        def add_entry_from_context(page) -> None:
            key = page_key(page, self.salt)
            entries = self.cache.get(key)
            if entries is None:
                start = len(index.entries)
                content = page.content
                page.content = without_code_spans(content)  # the same entries, far fewer tags to parse
                try:
                    compute(page)
                finally:
                    page.content = content
                # As the index's own json.dumps(default=str) would write them.
                self.cache.put(key, json.loads(json.dumps(index.entries[start:], default=str)))
            else:
                index.entries.extend(json.loads(json.dumps(entries)))  # a copy: the index may change it

        index.add_entry_from_context = add_entry_from_context

    def save(self) -> None:
        self.cache.save()


def salt(search_config: dict, jieba_dictionary: str | None) -> str:
    """What every page's entries also depend on: the search options, Material's and jieba's versions, the dictionary.

    The dictionary counts by path, size and modification time, not by its bytes: it is 8.5 MB, read in
    every language build, and the lesson's own is named after a hash of what it is made from.
    """
    from importlib.metadata import version

    facts = [repr(sorted(search_config.items())), version("mkdocs-material"), version("jieba")]
    digest = hashlib.sha256("\0".join(facts).encode())
    if jieba_dictionary and Path(jieba_dictionary).is_file():
        stat = Path(jieba_dictionary).stat()
        digest.update(f"\0{jieba_dictionary}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
