"""Reuse a Markdown page's rendered HTML while nothing it is rendered from changed.

MkDocs converts every page's Markdown in every build, and under ``mkdocs
serve`` every build follows an edit to one page: Python-Markdown is about 40%
of a language build, nearly all of it for pages nobody touched. What
``Page.render`` reads is the page's Markdown (after ``on_page_markdown``), its
own file and URL, the Markdown extensions and their options (``mkdocs.yml``
and the installed packages: the caller's ``salt``), and where every other
file of the site is (relative links). The key is a hash of exactly those, and
a hit restores everything ``render`` sets: the HTML, the table of contents,
the title, the anchors a page has and the anchors it links to (MkDocs checks
those after all pages are rendered, so a hit is still checked).

Autorefs (which mkdocstrings brings) registers every heading while a page
renders; a miss records those registrations and a hit makes them again.

A page with a ``:::`` block (mkdocstrings) is keyed by the Python source it
is rendered from as well, found under the Python handler's ``paths``
(:mod:`sitelib.incremental.autodoc_sources`); mkdocstrings registers each
object with autorefs and in its inventory (``objects.inv``) while
rendering, and a hit makes both again.

Not cached, so they are rendered every time:

- a render that logged a warning, so the warning (and ``--strict``) recurs;
- a page with a ``:::`` block documenting a package not found under those
  paths (an installed one: its source is not among the key's inputs);
- every page, when a Markdown extension outside :data:`PURE_EXTENSIONS` is
  configured: one could read other files (``pymdownx.snippets`` does) or
  keep state across pages, which the key would not see.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from mkdocs.structure.toc import get_toc
from mkdocs.utils import CountHandler

from sitelib.incremental.autodoc_sources import autodoc_sources
from sitelib.incremental.keyed_cache import KeyedCache

_AUTODOC = re.compile(r"^\s*:::", re.M)

# Extensions whose output depends only on the page's Markdown and their options.
PURE_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "tables", "toc",
    "pymdownx.arithmatex", "pymdownx.details", "pymdownx.highlight", "pymdownx.inlinehilite",
    "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist",
    "MkdocstringsExtension", "AutorefsExtension",  # added by mkdocstrings: see the module docstring
    "sitelib.markup.cjk_linebreaks",  # added by the lesson plugin for Chinese: joins lines of one page only
})


def unsupported_extensions(extensions: list) -> list[str]:
    """The configured Markdown extensions (names, or class names of instances) not known to be pure.

    >>> unsupported_extensions(["toc", "pymdownx.snippets"])
    ['pymdownx.snippets']
    """
    names = [e if isinstance(e, str) else type(e).__name__ for e in extensions]
    return [name for name in names if name not in PURE_EXTENSIONS]


def files_digest(files) -> str:
    """A hash of where every file of the build is: relative links are resolved against it."""
    rows = sorted(f"{f.src_uri}\0{f.dest_uri}\0{f.url}\0{f.inclusion}" for f in files)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


class RenderCache:
    """The rendered pages of one language's build, by key, in one JSON file.

    ``autodoc_paths``: where mkdocstrings' Python handler finds the packages
    it documents (None: pages with ``:::`` blocks are never cached).
    """

    def __init__(self, path: Path, salt: str, autodoc_paths: list[Path] | None = None):
        self.salt = salt
        self.autodoc_paths = autodoc_paths
        self.cache = KeyedCache(path, lambda value: isinstance(value, dict) and "content" in value, "rendered page")
        self.files = ""  # files_digest of this build, set before the first page renders

    def key(self, page, sources: str = "") -> str:
        parts = [self.salt, self.files, page.file.src_uri, page.file.dest_uri, page.url, page.markdown, sources]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def wrap(self, page, autorefs=None, inventory=None) -> None:
        """Make ``page.render`` take its result from the cache where it is current, and fill the cache.

        ``autorefs`` is the build's autorefs plugin, if any, and ``inventory``
        mkdocstrings' inventory: their registrations are recorded and replayed.
        """
        render = page.render

        def cached_render(config, files) -> None:
            sources = ""
            if _AUTODOC.search(page.markdown or ""):
                found = None if self.autodoc_paths is None or inventory is None or autorefs is None else \
                    autodoc_sources(page.markdown, self.autodoc_paths)
                if found is None:
                    return render(config, files)
                sources = found
            key = self.key(page, sources)
            hit = self.cache.get(key)
            if hit is not None:
                self._restore(page, hit, files)
                for identifier, anchor, title, primary in hit["registered"] if autorefs is not None else ():
                    autorefs.register_anchor(page, identifier, anchor, title=title, primary=primary)
                for item in hit.get("inventory", ()):
                    inventory.register(**item)
                return None
            warnings, registered, foreign, items = CountHandler(level=logging.WARNING), [], [], []  # as --strict counts

            def record(on_page, identifier, anchor=None, *, title=None, primary=True):
                (registered if on_page is page else foreign).append([identifier, anchor, title, primary])
                return type(autorefs).register_anchor(autorefs, on_page, identifier, anchor, title=title,
                                                      primary=primary)

            def record_item(name, domain, role, uri, priority=1, dispname=None):
                items.append({"name": name, "domain": domain, "role": role, "uri": uri, "priority": priority,
                              "dispname": dispname})
                return type(inventory).register(inventory, name, domain, role, uri, priority, dispname)

            logging.getLogger("mkdocs").addHandler(warnings)
            if autorefs is not None:
                autorefs.register_anchor = record
            if sources:
                inventory.register = record_item
            try:
                render(config, files)
            finally:
                logging.getLogger("mkdocs").removeHandler(warnings)
                if autorefs is not None:
                    del autorefs.register_anchor  # the class's method again
                if sources:
                    del inventory.register
            if not warnings.get_counts() and not foreign:
                self.cache.put(key, {**_state(page), "registered": registered, "inventory": items})
            return None

        page.render = cached_render

    @staticmethod
    def _restore(page, hit: dict, files) -> None:
        page.content = hit["content"]
        page.toc = get_toc(hit["toc"])
        page._title_from_render = hit["title"]
        page.present_anchor_ids = set(hit["anchors"])
        if hit["links"] is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): links for uri, links in hit["links"].items()}

    def save(self) -> None:
        self.cache.save()


def _toc_tokens(items) -> list:
    """A table of contents as the tokens ``get_toc`` makes it from."""
    return [{"level": i.level, "id": i.id, "name": i.title, "children": _toc_tokens(i.children)} for i in items]


def _state(page) -> dict:
    """What ``Page.render`` set on ``page``, as JSON."""
    links = getattr(page, "links_to_anchors", None)
    return {"content": page.content, "toc": _toc_tokens(page.toc), "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None if links is None else {f.src_uri: dict(v) for f, v in links.items()}}
