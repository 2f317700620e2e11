"""What the plugin's two roles share: their options and languages, and hooks that change nothing.

:class:`~sitelib.plugin.plugin.LessonPlugin` hands every MkDocs event to its
role; a role overrides only the events it acts on.
"""

from __future__ import annotations

from sitelib.languages.language import Language
from sitelib.plugin.setup import Setup


class Role:
    def __init__(self, options, languages: list[Language]) -> None:
        self.options = options  # the plugin's LessonConfig
        self.languages = languages  # the first is the default, at the site root
        self.setup: Setup | None = None  # set in on_config

    def on_config(self, config):
        return config

    def on_pre_build(self, config):
        return None

    def on_files(self, files, config):
        return files

    def on_nav(self, nav, config, files):
        return nav

    def on_pre_page(self, page, config, files):
        return page

    def on_page_markdown(self, markdown, page, config, files):
        return markdown

    def on_page_content(self, html, page, config, files):
        return html

    def on_page_context(self, context, page, config, nav):
        return context

    def on_post_build(self, config):
        return None

    def on_build_error(self, error):
        return None

    def on_serve(self, server, config, builder):
        return server

    def release(self) -> None:
        """Give back what the role holds beyond the build (the orchestrator's lock)."""
