"""One site, two languages: English at the root, Simplified Chinese under ``zh/``.

``mkdocs.yml`` builds English from ``docs/en``; ``mkdocs.zh.yml`` inherits it
and builds Chinese from ``docs/zh``. After the English build (``mkdocs build``
or each ``mkdocs serve`` rebuild) this hook builds the Chinese site into
``<site_dir>/zh``, so one command makes and serves both. It also points the
language switcher of every page at the same page in the other language
(``overrides/partials/alternate.html`` reads ``lesson_alternates``).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from sitelib.languages import alternate_href

ZH_CONFIG = "mkdocs.zh.yml"


def _is_default_language(config) -> bool:
    return config.theme["language"] == "en"


def on_page_context(context, page, config, nav):
    # Both languages have the same files, so the same page has the same URL
    # below each language's root.
    lang = config.theme["language"]
    alternates = config.extra.get("alternate", [])
    context["lesson_alternates"] = {alt["lang"]: alternate_href(page.url, lang, alt["lang"]) for alt in alternates}
    # Material's <head> hreflang links keep the language roots: its script fetches
    # <link>/sitemap.xml for each, and an absolute address would leave the machine.
    return context


def on_post_build(config):
    if not _is_default_language(config):
        return
    zh_file = Path(config.config_file_path).parent / ZH_CONFIG
    zh = load_config(
        str(zh_file),
        site_dir=str(Path(config.site_dir) / "zh"),
        site_url=f"{config.site_url}zh/" if config.site_url else None,  # sitemap and 404 links
        strict=config.strict,
    )
    # mkdocs-jupyter evicts every cache entry its own build did not use: give
    # each language its own cache folder so the two builds do not evict each other.
    jupyter = zh.plugins["mkdocs-jupyter"].config
    jupyter["cache_dir"] = str(Path(jupyter["cache_dir"]) / "zh")
    zh.plugins.on_startup(command="build", dirty=False)
    try:
        build(zh)
    finally:
        zh.plugins.on_shutdown()
