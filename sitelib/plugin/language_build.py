"""One language's build: its pages, the example notebooks in its words, conversion, and its caches.

The orchestrator runs it in a fresh load of the configuration (see
``sitelib.incremental.language_sites.build``), so nothing is shared between
languages but what the orchestrator executed.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from sitelib.examples import pages as page_examples
from sitelib.incremental import inputs as build_inputs
from sitelib.incremental import chart_cache, keyed_cache, render_cache, search_entries, template_cache
from sitelib.languages import interface as interface_strings
from sitelib.languages import translations
from sitelib.languages.language import Language, alternate_href
from sitelib.plugin.role import Role
from sitelib.plugin.setup import configure, project_root
from sitelib.timings.host import current_machine_id
from sitelib.timings.page import TimingsPageError, render_placeholders

log = logging.getLogger("mkdocs.plugins.lesson")


class LanguageBuild(Role):
    """Builds the pages of one language, reusing each unchanged page's rendering and search entries."""

    def __init__(self, options, languages: list[Language], code: str, executed: list | None = None) -> None:
        super().__init__(options, languages)
        self.language = {lang.code: lang for lang in languages}[code]
        # The orchestrator's executed examples (None: read them from its cache); never changed here.
        self.executed = executed
        self.search_entries: search_entries.SearchEntries | None = None  # set in on_pre_build
        self.render_cache: render_cache.RenderCache | None = None  # likewise
        self.charts: chart_cache.ChartCache | None = None  # likewise

    def on_config(self, config):
        self.setup = configure(config, self.options, self.languages, self.language, orchestrating=False)
        return config

    def on_pre_build(self, config):
        # After every on_config: Material's search plugin makes its index there.
        cache = project_root(config) / self.options.cache_dir
        self.charts = chart_cache.ChartCache(cache / "charts" / f"{self.language.code}.json")
        template_cache.cache_handler_templates(config, cache / "jinja" / "handlers")
        template_cache.cache_notebook_templates(cache / "jinja" / "notebooks")
        if "mkdocs-jupyter" in config.plugins:  # it reads its entries unchecked: a damaged one is a traceback
            entry = functools.partial(keyed_cache.parse_json_object, fields={"content": str, "toc_tokens": list})
            keyed_cache.drop_unreadable(Path(config.plugins["mkdocs-jupyter"].config["cache_dir"]), "*.json",
                                        entry, "rendered notebook")
        unsupported = render_cache.unsupported_extensions(config.markdown_extensions)
        if unsupported:
            log.info("Rendering every page in every build: no render cache with %s", ", ".join(unsupported))
        else:
            self.render_cache = render_cache.RenderCache(cache / "rendered" / f"{self.language.code}.json",
                                                         build_inputs.render_salt(config, self.language.code),
                                                         build_inputs.autodoc_paths(config))
        search = config.plugins.get("material/search")
        if search is None or not search.config.enabled:
            return
        import jieba

        salt = search_entries.salt(dict(search.config), jieba.dt.dictionary)
        self.search_entries = search_entries.SearchEntries(cache / "search-entries" / f"{self.language.code}.json",
                                                           salt)
        self.search_entries.wrap(search.search_index)

    def on_files(self, files, config):
        try:
            return self.setup.examples.add_files(files, config, self.options, self.executed)
        except page_examples.ExampleError as error:
            raise PluginError(str(error)) from None

    def on_nav(self, nav, config, files):
        if self.render_cache is not None:
            self.render_cache.files = render_cache.files_digest(files)
        return nav

    def on_pre_page(self, page, config, files):
        if self.render_cache is not None and not page.file.src_uri.endswith(".ipynb"):  # mkdocs-jupyter renders those
            mkdocstrings = config.plugins.get("mkdocstrings")
            self.render_cache.wrap(page, config.plugins.get("autorefs"),
                                   mkdocstrings.handlers.inventory if mkdocstrings is not None else None)
        return page

    def on_page_markdown(self, markdown, page, config, files):
        conversion = self.setup.conversion
        markdown = conversion.markdown(markdown)  # placeholders are HTML comments: kept as they are
        page.meta = conversion.strings(page.meta)  # front matter (the meta description) was read before
        try:
            return render_placeholders(markdown, page.file.src_uri, project_root(config) / self.options.timings,
                                       self.setup.timings_strings, current_machine_id,
                                       self.charts.chart if self.charts else None)
        except TimingsPageError as error:
            raise PluginError(str(error)) from None

    def on_page_content(self, html, page, config, files):
        if page.file.src_uri.endswith(".ipynb"):
            html = interface_strings.notebook_copy_button(html, self.setup.ui)
        if page.file.src_uri in self.setup.lagging:
            default = self.languages[0].code
            english = alternate_href(page.url, self.language.code, default, default)
            html = translations.with_notice(html, translations.notice_html(self.setup.ui["lagging"], english))
        return self.setup.examples.decorate(html, page, config)

    def on_page_context(self, context, page, config, nav):
        # Every language has the same pages, so the same page has the same URL below each language's root.
        default = self.languages[0].code
        context["lesson_alternates"] = {
            other.tag: alternate_href(page.url, self.language.code, other.code, default) for other in self.languages
        }
        context["lesson_language"] = self.language
        return context

    def on_post_build(self, config):
        for cache in (self.search_entries, self.render_cache, self.charts):
            if cache is not None:
                cache.save()
