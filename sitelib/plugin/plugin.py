"""The lesson plugin: executed examples, one site per language, each from configuration.

``mkdocs.yml`` lists ``lesson`` under ``plugins:`` with its examples folders
and its languages. The build MkDocs starts only orchestrates: it executes the
examples (once, for every language) and builds no page itself. Each language
is then built with a fresh load of the configuration (and so fresh plugin
instances: nothing is shared between language builds) into its own folder
under the cache, and linked into the site: the first language at the root,
each other one under ``<code>/``. A language none of whose inputs changed is
not built again (``sitelib.incremental.language_sites``), so under ``mkdocs serve`` an
edit rebuilds only the languages it touches. The plugin keeps no
module-level state, and it defines no ``on_startup``, so MkDocs gives every
build its own instance.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files

from sitelib.examples import pages as page_examples
from sitelib.incremental import build_lock, keyed_cache, language_sites, render_cache, search_entries, template_cache
from sitelib.incremental import inputs as build_inputs
from sitelib.languages import interface as interface_strings
from sitelib.languages import translations
from sitelib.markup import cjk_linebreaks
from sitelib.examples.notebooks import DEFAULT_TIME_LIMIT, SETUP_TAG
from sitelib.examples.output_limits import OutputLimits
from sitelib.timings.page import TimingsPageError, render_placeholders
from sitelib.languages.conversion import Conversion, ConversionError, check_conversion
from sitelib.timings.host import current_machine_id
from sitelib.timings.store import TimingsFileError, load_timings
from sitelib.timings.strings import STRINGS as TIMINGS_STRINGS
from sitelib.examples.page_html import TEXT as EXAMPLE_STRINGS
from sitelib.languages.language import (
    Language,
    LanguageError,
    alternate_href,
    check_languages,
    root_prefix,
    strings_for,
    translate_nav,
)

log = logging.getLogger("mkdocs.plugins.lesson")


class Switch(c.BaseConfigOption[bool]):
    """A boolean that also takes what ``!ENV`` gives: 0/1 and the strings false/true."""

    def __init__(self, default: bool):
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> bool:
        if value in (True, 1, "1", "true", "True"):
            return True
        if value in (False, 0, "0", "false", "False"):
            return False
        raise c.ValidationError(f"expected true/false or 1/0, got {value!r}")


class Positive(c.Type):
    """A whole number above zero (seconds, lines, characters)."""

    def __init__(self, default: int):
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise c.ValidationError(f"expected a whole number above 0, got {value!r}")
        return value


class ExamplesConfig(base.Config):
    src = c.Type(str)  # a package folder of percent-format examples and their helpers
    uri = c.Type(str, default="examples")  # where its example pages go in every language


class LanguageConfig(base.Config):
    code = c.Type(str)
    tag = c.Type(str)
    name = c.Type(str)
    theme = c.Type(str)
    site_name = c.Type(str, default="")  # a generated language converts its source's
    site_description = c.Type(str, default="")
    nav = c.Type(dict, default={})
    source = c.Type(str, default="")
    convert = c.Type(str, default="")


class LessonConfig(base.Config):
    enabled = c.Type(bool, default=True)
    execute = Switch(default=True)  # false: a preview build that shows examples without outputs
    cache_dir = c.Type(str, default=".cache/lesson")
    timings = c.Type(str, default="data/timings.json")  # rendered where a page has <!-- timings:NAME -->
    translations = c.Type(str, default=translations.FILE)  # which English version each translation follows
    examples = c.ListOfItems(c.SubConfig(ExamplesConfig), default=[])
    # Each example's time limit in seconds (its header's `lesson: timeout:` overrides), and the
    # output an example page shows: lines per cell and per notebook, characters per line.
    timeout = Positive(default=DEFAULT_TIME_LIMIT)
    output_lines = Positive(default=OutputLimits.cell_lines)
    notebook_output_lines = Positive(default=OutputLimits.notebook_lines)
    output_line_chars = Positive(default=OutputLimits.line_chars)
    languages = c.ListOfItems(c.SubConfig(LanguageConfig))


class LessonPlugin(BasePlugin[LessonConfig]):
    """Builds the lesson: examples executed and cached, every language from one configuration."""

    def __init__(self) -> None:
        self.languages: list[Language] = []
        self.language: Language | None = None
        self.building: str | None = None  # set by the parent build on a language's own config
        self.examples: page_examples.ExamplePages | None = None  # set up in on_config
        self.conversion = Conversion("")
        self.timings_strings: dict = {}
        self.ui: dict = {}  # this language's interface words (sitelib.languages.interface)
        self.lagging: set[str] = set()  # translated pages whose English page changed since (sitelib.languages.translations)
        self.search_entries: search_entries.SearchEntries | None = None  # a language build's, set in on_pre_build
        self.render_cache: render_cache.RenderCache | None = None  # likewise
        self.executed_digest = ""  # the orchestrating build's hash of every executed notebook
        self.lock: build_lock.BuildLock | None = None  # the orchestrating build's, from on_config to its end

    # --- configuration -------------------------------------------------
    @event_priority(100)  # before search and Material read theme.language
    def on_config(self, config):
        if not self.config.enabled:
            return config
        self.languages = [Language(**dict(entry)) for entry in self.config.languages]
        try:  # the whole option, for every language, before any language is built
            check_languages(self.languages, self.root(config) / "docs", {
                "timings": (TIMINGS_STRINGS, "sitelib/timings/strings.py"),
                "example page": (EXAMPLE_STRINGS, "sitelib/examples/page_html.py")}, config.nav)
            for entry in self.languages:
                check_conversion(entry.convert, f"languages: '{entry.code}'")
        except (LanguageError, ConversionError) as error:
            raise PluginError(f"{config.config_file_path}: {error}") from None
        if not self.building:  # the language builds run inside this one, which holds the lock
            try:  # a bad data file fails the build now, not after the examples ran and a language was built
                load_timings(self.root(config) / self.config.timings, missing_ok=True)
            except TimingsFileError as error:
                raise PluginError(str(error)) from None
            self.lock = build_lock.BuildLock(self.root(config) / self.config.cache_dir)
            self.lock.acquire()
        by_code = {lang.code: lang for lang in self.languages}
        self.language = by_code[self.building] if self.building else self.languages[0]
        lang, root = self.language, self.root(config)
        self.conversion = Conversion(lang.convert)
        words = by_code[lang.source] if lang.source else lang  # a generated language converts its source's
        config.docs_dir = str(root / "docs" / lang.docs_code)
        config.site_name = self.conversion.text(lang.site_name or words.site_name)
        config.site_description = self.conversion.text(lang.site_description or words.site_description)
        config.theme["language"] = lang.theme
        edit_base = config.edit_uri or ""  # mkdocs.yml names the branch once: edit/<branch>/
        if edit_base:
            config.edit_uri = f"{edit_base.rstrip('/')}/docs/{lang.docs_code}/"
        self.examples = page_examples.ExamplePages(lang, self.conversion, self.languages[0].code, edit_base)
        self.timings_strings = self.conversion.strings(strings_for(TIMINGS_STRINGS, lang, "timings"))
        if lang.tag.lower().startswith("zh") and cjk_linebreaks.NAME not in config.markdown_extensions:
            config.markdown_extensions.append(cjk_linebreaks.NAME)  # no space from a source line break
        self.ui = self.conversion.strings(strings_for(interface_strings.STRINGS, lang, "interface"))
        interface_strings.apply(config, self.ui)
        self.lagging = set(self.lagging_pages(config, lang))
        interface_strings.mkdocstrings_locale(config, lang.docs_code, lang.theme,
                                              self.conversion.text if lang.convert else None,
                                              root / self.config.cache_dir / "mkdocstrings" / lang.code)
        if words is not self.languages[0] and config.nav:
            titles = {k: self.conversion.text(v) for k, v in (lang.nav or words.nav).items()}
            try:
                config.nav = translate_nav(config.nav, titles, lang.code)
            except LanguageError as error:
                raise PluginError(str(error)) from None
        template_cache.cache_theme_templates(config, root / self.config.cache_dir / "jinja" / "theme")
        if any(other.convert == "s2twp" for other in self.languages):  # English pages quote Chinese too
            self.use_traditional_search_dictionary(config)
        config.extra["alternate"] = [
            {"name": other.name, "lang": other.tag,
             "link": alternate_href("", lang.code, other.code, self.languages[0].code)}
            for other in self.languages
        ]
        if "mkdocs-jupyter" in config.plugins:  # it evicts cache entries its own build did not use
            jupyter = config.plugins["mkdocs-jupyter"].config
            jupyter["cache_dir"] = str(root / self.config.cache_dir / "jupyter" / lang.code)
            if not self.building:  # the orchestrating build renders no notebook: it would evict them all
                jupyter["cache"] = False
            # The downloaded notebook's set-up cell is not shown on the site.
            tags = jupyter["remove_tag_config"]  # a new dict: the option's default is shared
            jupyter["remove_tag_config"] = {**tags, "remove_cell_tags": [*tags.get("remove_cell_tags", []), SETUP_TAG]}
        return config

    def use_traditional_search_dictionary(self, config) -> None:
        """Point Material's jieba at a dictionary that also holds the Taiwan form of every word.

        jieba's own dictionary is Simplified, so 張量 or 自動微分 would not be
        segmented as words. jieba is one tokenizer per process, so every
        build, whatever its language or order, uses the same dictionary. It is
        set here, not through the search plugin's ``jieba_dict``, which would
        make jieba reload it (1.7 s) in every build of every language.
        """
        import jieba

        from sitelib.languages.search_dictionary import search_dictionary

        path = os.path.abspath(search_dictionary(self.root(config) / self.config.cache_dir / "search"))
        if jieba.dt.dictionary != path:
            jieba.set_dictionary(path)

    def on_pre_build(self, config):
        # After every on_config: Material's search plugin makes its index there.
        if not self.config.enabled or not self.building:
            return
        cache = self.root(config) / self.config.cache_dir
        template_cache.cache_handler_templates(config, cache / "jinja" / "handlers")
        if "mkdocs-jupyter" in config.plugins:  # it reads its entries unchecked: a damaged one is a traceback
            entry = functools.partial(keyed_cache.parse_json_object, fields={"content": str, "toc_tokens": list})
            keyed_cache.drop_unreadable(Path(config.plugins["mkdocs-jupyter"].config["cache_dir"]), "*.json",
                                        entry, "rendered notebook")
        unsupported = render_cache.unsupported_extensions(config.markdown_extensions)
        if unsupported:
            log.info("Rendering every page in every build: no render cache with %s", ", ".join(unsupported))
        else:
            self.render_cache = render_cache.RenderCache(cache / "rendered" / f"{self.language.code}.json",
                                                         build_inputs.render_salt(config, self.language.code))
        search = config.plugins.get("material/search")
        if search is None or not search.config.enabled:
            return
        import jieba

        salt = search_entries.salt(dict(search.config), jieba.dt.dictionary)
        self.search_entries = search_entries.SearchEntries(cache / "search-entries" / f"{self.language.code}.json", salt)
        self.search_entries.wrap(search.search_index)

    def on_nav(self, nav, config, files):
        if self.render_cache is not None:
            self.render_cache.files = render_cache.files_digest(files)
        return nav

    def on_pre_page(self, page, config, files):
        if self.render_cache is not None and not page.file.src_uri.endswith(".ipynb"):  # mkdocs-jupyter renders those
            self.render_cache.wrap(page, config.plugins.get("autorefs"))
        return page

    def on_serve(self, server, config, builder):
        if self.config.enabled:  # what the language builds read besides the default docs folder
            for path in build_inputs.watched(config, self.config, [lang.docs_code for lang in self.languages]):
                server.watch(str(path))
        return server

    def lagging_pages(self, config, lang: Language) -> list[str]:
        """The pages of ``lang`` whose English page changed since their translation was recorded."""
        default = self.languages[0]
        if lang.docs_code == default.docs_code:
            return []
        try:
            record = translations.load(self.root(config) / self.config.translations)
        except translations.TranslationsError as error:
            raise PluginError(str(error)) from None
        return translations.lagging(self.root(config), default.docs_code, lang.docs_code, record)

    @staticmethod
    def root(config) -> Path:
        return Path(config.config_file_path).parent

    # --- examples ------------------------------------------------------
    @event_priority(50)  # before mkdocs-jupyter's on_files (0) wraps .ipynb files as pages
    def on_files(self, files, config):
        if not self.config.enabled:
            return files
        try:
            if self.building is None:  # the orchestrating build: execute once for all languages, build nothing
                self.executed_digest = page_examples.executed_digest(self.examples.execute(config, self.config))
                config.nav = []
                return Files([])
            return self.examples.add_files(files, config, self.config)
        except page_examples.ExampleError as error:
            raise PluginError(str(error)) from None

    @event_priority(90)  # before other plugins and hooks read the page or add their own text
    def on_page_markdown(self, markdown, page, config, files):
        if not self.config.enabled:
            return markdown
        markdown = self.conversion.markdown(markdown)  # placeholders are HTML comments: kept as they are
        page.meta = self.conversion.strings(page.meta)  # front matter (the meta description) was read before
        try:
            return render_placeholders(markdown, page.file.src_uri, self.root(config) / self.config.timings,
                                       self.timings_strings, current_machine_id)
        except TimingsPageError as error:
            raise PluginError(str(error)) from None

    def on_page_content(self, html, page, config, files):
        if not self.config.enabled:
            return html
        if page.file.src_uri.endswith(".ipynb"):
            html = interface_strings.notebook_copy_button(html, self.ui)
        if page.file.src_uri in self.lagging:
            english = alternate_href(page.url, self.language.code, self.languages[0].code, self.languages[0].code)
            html = translations.with_notice(html, translations.notice_html(self.ui["lagging"], english))
        return self.examples.decorate(html, page, config)

    def on_page_context(self, context, page, config, nav):
        if not self.config.enabled:
            return context
        # Every language has the same pages, so the same page has the same URL
        # below each language's root.
        default = self.languages[0].code
        context["lesson_alternates"] = {
            other.tag: alternate_href(page.url, self.language.code, other.code, default) for other in self.languages
        }
        context["lesson_language"] = self.language
        return context

    # --- the languages -------------------------------------------------
    # Last: plugins that define on_startup (Material's search) are one instance
    # per process, which the language builds reconfigure; everything of the
    # orchestrating build must be written before they start.
    @event_priority(-100)
    def on_post_build(self, config):
        if not self.config.enabled:
            return
        if self.building:
            for cache in (self.search_entries, self.render_cache):
                if cache is not None:
                    cache.save()
            return
        try:
            shared = build_inputs.shared_key(config, self.config, self.executed_digest)
            for lang in self.languages:
                self.build_language(config, lang, shared)
        finally:
            self.release_lock()

    def on_build_error(self, error):
        self.release_lock()

    def release_lock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def build_language(self, config, lang: Language, shared: str) -> None:
        """Build ``lang`` from a fresh load of the same configuration, or reuse its unchanged, intact build.

        The build goes to ``<cache>/sites/<code>`` and is copied into the site.
        """
        prefix = root_prefix(lang.code, self.languages[0].code)
        built = self.root(config) / self.config.cache_dir / "sites" / lang.code
        lagging = self.lagging_pages(config, lang)  # the notices depend on the English pages too
        if lagging:
            log.info("Language %s: %d translated page(s) lag behind their English page (notice shown; "
                     "make translations-current once caught up): %s", lang.code, len(lagging), ", ".join(lagging))
        key = language_sites.fingerprint([self.root(config) / "docs" / lang.docs_code], self.root(config),
                                         {"shared": shared, "language": repr(lang), "lagging": repr(lagging)})
        target = Path(config.site_dir) / prefix
        if language_sites.reuse(built, key, target):
            log.info("Language %s: nothing it is built from changed, reusing its build", lang.code)
            return
        # The configured address, not serve's own: build and serve then make (and reuse) the same files.
        site_url = build_inputs.configured_site_url(config)
        language_sites.build(config.config_file_path, lang.code, built,
                             f"{site_url}{prefix}" if site_url else None, config.strict)  # sitemap and 404 links
        language_sites.mark(built, key)
        language_sites.publish(built, target)


def site_languages(config_file: str | Path) -> list[Language]:
    """The languages a configuration file declares, first (default) first; for tests and scripts."""
    config = load_config(str(config_file))
    return [Language(**dict(entry)) for entry in config.plugins["lesson"].config.languages]
