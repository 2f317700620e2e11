"""The lesson plugin: executed examples, one site per language, each from configuration.

``mkdocs.yml`` lists ``lesson`` under ``plugins:`` with its examples folders
and its languages. The plugin plays one of two roles, chosen in ``on_config``
and handed every event:

- the build MkDocs starts is the :class:`~sitelib.plugin.orchestrator.Orchestrator`:
  it executes the examples (once, for every language), builds no page itself,
  then builds or reuses each language and copies it into the site: the first
  language at the root, each other one under ``<code>/``;
- each language is built with a fresh load of the configuration (and so fresh
  plugin instances: nothing is shared between language builds) by a
  :class:`~sitelib.plugin.language_build.LanguageBuild`.

A language none of whose inputs changed is not built again
(``sitelib.incremental.language_sites``), so under ``mkdocs serve`` an edit
rebuilds only the languages it touches. The plugin keeps no module-level state
(the exceptions, both under serve and set in the orchestrator's ``on_serve``:
sitelib.examples.spares keeps a spare kernel per project, and
sitelib.plugin.serve_first a weak reference to the server), and it defines no
``on_startup``, so MkDocs gives every build its own instance.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from sitelib.examples.page_html import TEXT as EXAMPLE_STRINGS
from sitelib.examples.zygote_client import Zygotes
from sitelib.languages.interface import STRINGS as INTERFACE_STRINGS
from sitelib.languages.conversion import ConversionError, check_conversion
from sitelib.languages.language import Language, LanguageError, check_languages
from sitelib.plugin.config import LessonConfig
from sitelib.plugin.language_build import LanguageBuild
from sitelib.plugin.orchestrator import Orchestrator, early_zygotes
from sitelib.plugin.role import Role
from sitelib.plugin.setup import cli_command, project_root
from sitelib.timings.strings import STRINGS as TIMINGS_STRINGS


class LessonPlugin(BasePlugin[LessonConfig]):
    """Builds the lesson: examples executed and cached, every language from one configuration."""

    def __init__(self) -> None:
        self.languages: list[Language] = []
        self.building: str | None = None  # set by the orchestrator on a language's own config
        self.executed: list | None = None  # likewise: the examples it executed (sitelib.examples.pages.execute)
        self.role: Role = Role(None, [])  # changes nothing until on_config chooses the role
        self.zygotes: Zygotes | None = None  # a cold `mkdocs build`'s kernel zygote, started in load_config

    def load_config(self, options, config_file_path=None):
        """Validate the options; under ``mkdocs build``, start a cold build's kernel zygote at once.

        MkDocs loads the plugins listed after this one (mkdocstrings, mkdocs-jupyter's nbconvert) and
        validates the rest of ``mkdocs.yml`` before on_config: 0.4-0.5 s here of one core, which the
        zygote's torch import now overlaps instead of following. Only under MkDocs' own ``build``
        command: a test or script that loads the configuration builds nothing, and ``serve`` keeps a
        zygote of its own (sitelib.examples.spares).
        """
        errors, warnings = super().load_config(options, config_file_path)
        if not errors and self.config.enabled and config_file_path and cli_command() == "build":
            self.zygotes = early_zygotes(Path(config_file_path).parent, self.config)
        return errors, warnings

    @event_priority(100)  # before search and Material read theme.language
    def on_config(self, config):
        if not self.config.enabled:
            return config
        self.languages = [Language(**dict(entry)) for entry in self.config.languages]
        try:  # the whole option, for every language, before any language is built
            check_languages(self.languages, project_root(config) / "docs", {
                "timings": (TIMINGS_STRINGS, "sitelib/timings/strings.py"),
                "example page": (EXAMPLE_STRINGS, "sitelib/examples/page_html.py"),
                "interface": (INTERFACE_STRINGS, "sitelib/languages/interface.py")}, config.nav)
            for entry in self.languages:
                check_conversion(entry.convert, f"languages: '{entry.code}'")
        except (LanguageError, ConversionError) as error:
            self.close_zygotes()  # no role yet to close it in on_build_error
            raise PluginError(f"{config.config_file_path}: {error}") from None
        if self.building:  # a language build: its examples ran already
            self.close_zygotes()
        self.role = (LanguageBuild(self.config, self.languages, self.building, self.executed) if self.building
                     else Orchestrator(self.config, self.languages, self.zygotes))
        return self.role.on_config(config)

    def on_pre_build(self, config):
        return self.role.on_pre_build(config)

    @event_priority(50)  # before mkdocs-jupyter's on_files (0) wraps .ipynb files as pages
    def on_files(self, files, config):
        return self.role.on_files(files, config)

    def on_nav(self, nav, config, files):
        return self.role.on_nav(nav, config, files)

    def on_pre_page(self, page, config, files):
        return self.role.on_pre_page(page, config, files)

    @event_priority(90)  # before other plugins and hooks read the page or add their own text
    def on_page_markdown(self, markdown, page, config, files):
        return self.role.on_page_markdown(markdown, page, config, files)

    def on_page_content(self, html, page, config, files):
        return self.role.on_page_content(html, page, config, files)

    def on_page_context(self, context, page, config, nav):
        return self.role.on_page_context(context, page, config, nav)

    # Last: plugins that define on_startup (Material's search) are one instance
    # per process, which the language builds reconfigure; everything of the
    # orchestrating build must be written before they start.
    @event_priority(-100)
    def on_post_build(self, config):
        return self.role.on_post_build(config)

    def on_build_error(self, error):
        return self.role.on_build_error(error)

    def on_serve(self, server, config, builder):
        return self.role.on_serve(server, config, builder)

    def close_zygotes(self) -> None:
        """Stop the zygote load_config started, if this build will not hand it to an orchestrator."""
        if self.zygotes is not None:
            self.zygotes.close()
            self.zygotes = None

    def release_lock(self) -> None:
        """Give back the orchestrator's build lock (held from on_config to the end of its build)."""
        self.role.release()


def site_languages(config_file: str | Path) -> list[Language]:
    """The languages a configuration file declares, first (default) first; for tests and scripts."""
    config = load_config(str(config_file))
    return [Language(**dict(entry)) for entry in config.plugins["lesson"].config.languages]
