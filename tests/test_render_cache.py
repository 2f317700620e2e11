"""A page's rendered HTML is reused only while its inputs are unchanged, and a hit restores all that rendering set."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from sitelib.incremental.render_cache import RenderCache, files_digest

PAGE = "# Tensors\n\n## Shapes {#shapes}\n\nSee [layers](layers.md#dense) and [above](#shapes).\n"


@pytest.fixture
def site(tmp_path):
    """A configuration and the two pages of a small site (the second has the anchor the first links to)."""
    (tmp_path / "docs").mkdir()
    for name, text in (("index.md", PAGE), ("layers.md", "# Layers\n\n## Dense\n")):
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nmarkdown_extensions: [attr_list, toc]\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    files = Files([File(name, config.docs_dir, config.site_dir, True) for name in ("index.md", "layers.md")])
    return SimpleNamespace(config=config, files=files, path=tmp_path / "cache.json")


def page_of(site, name: str, markdown: str) -> Page:
    """A fresh page object (as every build makes) with its Markdown read."""
    page = Page(None, site.files.get_file_from_path(name), site.config)
    page.markdown = markdown
    return page


def cache_for(site, salt: str = "salt") -> RenderCache:
    cache = RenderCache(site.path, salt)
    cache.files = files_digest(site.files)
    return cache


def refuse(page: Page) -> Page:
    """Make rendering ``page`` fail the test: a hit must not render."""
    page.render = lambda config, files: pytest.fail(f"{page.file.src_uri} was rendered again")
    return page


def test_a_hit_restores_everything_rendering_set(site):
    """HTML, table of contents, title, present anchors and links to anchors come back equal, without rendering."""
    first = cache_for(site)
    fresh = page_of(site, "index.md", PAGE)
    first.wrap(fresh)
    fresh.render(site.config, site.files)
    first.save()

    hit = refuse(page_of(site, "index.md", PAGE))
    second = cache_for(site)
    second.wrap(hit)
    hit.render(site.config, site.files)
    assert hit.content == fresh.content and "layers/#dense" in hit.content
    assert str(hit.toc) == str(fresh.toc) and [i.id for i in hit.toc.items[0].children] == ["shapes"]
    assert hit.title == fresh.title == "Tensors"
    assert hit.present_anchor_ids == fresh.present_anchor_ids
    assert hit.links_to_anchors == fresh.links_to_anchors
    assert set(hit.links_to_anchors) == {site.files.get_file_from_path(n) for n in ("layers.md", "index.md")}


@pytest.mark.parametrize("change", ["markdown", "files", "salt"])
def test_a_changed_input_renders_again(site, change):
    """Other Markdown, another set of files (links resolve against it) or another salt is a miss."""
    cache = cache_for(site)
    page = page_of(site, "index.md", PAGE)
    cache.wrap(page)
    page.render(site.config, site.files)
    cache.save()
    again = cache_for(site, "other" if change == "salt" else "salt")
    if change == "files":
        again.files = files_digest([*site.files, File("extra.md", site.config.docs_dir, site.config.site_dir, True)])
    page = page_of(site, "index.md", PAGE + "\nMore.\n" if change == "markdown" else PAGE)
    rendered = []
    original = page.render
    page.render = lambda config, files: rendered.append(original(config, files))
    again.wrap(page)
    page.render(site.config, site.files)
    assert rendered and set(again.cache.used) != set(cache.cache.used)


@pytest.mark.parametrize("markdown", ["# T\n\n[broken](missing.md)\n", "# API\n\n::: lessonsrc.timing\n"])
def test_a_warning_or_an_autodoc_block_is_never_cached(site, markdown, caplog):
    """A page that warned renders (and warns) again; a mkdocstrings page renders while the cache is not told
    where the packages it documents are."""
    calls = []
    for _ in range(2):
        cache = cache_for(site)
        page = page_of(site, "index.md", markdown)
        page.render = lambda config, files, page=page: (calls.append(1), Page.render(page, config, files))
        if ":::" in markdown:
            page.render = lambda config, files, page=page: (calls.append(1), setattr(page, "content", "<p>api</p>"))
        cache.wrap(page)
        with caplog.at_level(logging.WARNING, logger="mkdocs"):
            page.render(site.config, site.files)
        cache.save()
        assert cache.cache.used == {}
    assert len(calls) == 2
    if "broken" in markdown:
        assert caplog.text.count("missing.md") == 2


def test_autorefs_registrations_are_recorded_and_replayed(site):
    """The headings autorefs registers while a page renders are registered again, for the new page, on a hit."""
    class Autorefs:
        def __init__(self):
            self.calls = []

        def register_anchor(self, page, identifier, anchor=None, *, title=None, primary=True):
            self.calls.append((page, identifier, anchor, title, primary))

    autorefs = Autorefs()
    page = page_of(site, "index.md", PAGE)
    original = page.render

    def render(config, files):
        original(config, files)
        autorefs.register_anchor(page, "shapes", title="Shapes")

    page.render = render
    cache = cache_for(site)
    cache.wrap(page, autorefs)
    page.render(site.config, site.files)
    cache.save()
    assert autorefs.calls == [(page, "shapes", None, "Shapes", True)]
    assert "register_anchor" not in vars(autorefs)  # the recorder is removed after the render

    hit = refuse(page_of(site, "index.md", PAGE))
    again = cache_for(site)
    again.wrap(hit, autorefs)
    hit.render(site.config, site.files)
    assert autorefs.calls[-1] == (hit, "shapes", None, "Shapes", True)


@pytest.mark.parametrize("text", ["{broken", '{"k": 1}', '{"k": {"no": "content"}}'])
def test_an_unreadable_cache_renders_every_page(site, text, caplog):
    """A damaged cache file is noted and ignored, never trusted."""
    site.path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
        cache = cache_for(site)
    assert cache.cache.cached == {} and str(site.path) in caplog.text


class Recorder:
    """autorefs' and mkdocstrings' inventory's registering methods, recording their calls."""

    def __init__(self):
        self.anchors, self.items = [], []

    def register_anchor(self, page, identifier, anchor=None, *, title=None, primary=True):
        self.anchors.append((page.file.src_uri, identifier, anchor, title, primary))

    def register(self, name, domain, role, uri, priority=1, dispname=None):
        self.items.append((name, domain, role, uri, priority, dispname))


def test_an_autodoc_page_is_keyed_by_the_source_it_documents_and_replays_its_inventory(site, tmp_path):
    """A ``:::`` page is reused while the documented package's files are unchanged (its anchors and inventory
    items made again); an edited helper renders it again; a package outside the paths is never cached."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "timing.py").write_text('def f():\n    """Doc."""\n')
    markdown = "# API\n\n::: pkg.timing\n"
    recorder = Recorder()
    renders = []

    def build(markdown=markdown):
        cache = RenderCache(site.path, "salt", [tmp_path])
        cache.files = files_digest(site.files)
        page = page_of(site, "index.md", markdown)

        def render(config, files):  # what mkdocstrings does while it renders a ::: block
            renders.append(1)
            page.content, page.toc, page._title_from_render, page.present_anchor_ids = "<h2>f</h2>", [], "API", {"f"}
            page.links_to_anchors = {}
            recorder.register_anchor(page, "pkg.timing.f", title="f")
            recorder.register("pkg.timing.f", "py", "function", "api/#pkg.timing.f")

        page.render = render
        cache.wrap(page, recorder, recorder)
        page.render(site.config, site.files)
        cache.save()
        return page

    build()
    hit = build()
    assert len(renders) == 1 and hit.content == "<h2>f</h2>" and hit.title == "API"
    assert recorder.anchors == [("index.md", "pkg.timing.f", None, "f", True)] * 2
    assert recorder.items == [("pkg.timing.f", "py", "function", "api/#pkg.timing.f", 1, None)] * 2
    assert "register" not in vars(recorder) and "register_anchor" not in vars(recorder)
    (tmp_path / "pkg" / "timing.py").write_text('def f():\n    """Edited doc."""\n')
    build()
    assert len(renders) == 2
    build("# API\n\n::: torch.nn\n")
    build("# API\n\n::: torch.nn\n")
    assert len(renders) == 4


def test_an_api_page_is_keyed_by_its_module_what_that_imports_and_the_packages_above_it(tmp_path):
    """An edited sibling module the documented one does not import (an example next to the helpers) leaves
    the key as it is; the module, a module it imports (relatively or not), and an ``__init__.py`` change it."""
    from sitelib.incremental.autodoc_sources import autodoc_sources

    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {"__init__.py": "", "timing.py": "from .base import Base\nfrom pkg.sub import tool\nimport math\n",
             "base.py": "class Base: ...\n", "sub/__init__.py": "", "sub/tool.py": "def t(): ...\n",
             "example.py": "print('an example')\n", "broken.py": "def (:\n"}
    for name, text in files.items():
        (pkg / name).write_text(text)
    key = autodoc_sources("# API\n\n::: pkg.timing\n", [tmp_path])
    assert key is not None
    for name in ("example.py", "broken.py"):
        (pkg / name).write_text(files[name] + "# edited\n")
        assert autodoc_sources("::: pkg.timing", [tmp_path]) == key, name
    for name in ("timing.py", "base.py", "sub/tool.py", "sub/__init__.py", "__init__.py"):
        (pkg / name).write_text(files[name] + "# edited\n")
        edited = autodoc_sources("::: pkg.timing", [tmp_path])
        assert edited != key, name
        key = edited
    # An object inside a module is rendered from that module; a package from all of its modules.
    assert autodoc_sources("::: pkg.timing.Timer", [tmp_path]) == key
    before = autodoc_sources("::: pkg.sub", [tmp_path])
    (pkg / "sub" / "extra.py").write_text("x = 1\n")
    assert autodoc_sources("::: pkg.sub", [tmp_path]) != before
    # The key does not depend on where the checkout is.
    copy = tmp_path / "elsewhere"
    import shutil
    shutil.copytree(pkg, copy / "pkg")
    assert autodoc_sources("::: pkg.timing", [copy]) == key
