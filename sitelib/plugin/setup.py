"""What both roles of the plugin do to MkDocs' configuration for the language they build.

The orchestrating build configures itself as the default language (it builds
no page, but MkDocs and the other plugins still read the configuration); a
language build configures itself as its own language.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import click
from mkdocs.exceptions import PluginError

from sitelib.examples import pages as page_examples
from sitelib.examples.notebooks import SETUP_TAG
from sitelib.incremental import template_cache, theme_files
from sitelib.languages import interface as interface_strings
from sitelib.languages import translations
from sitelib.languages.conversion import Conversion
from sitelib.languages.language import Language, LanguageError, alternate_href, strings_for, translate_nav
from sitelib.markup import cjk_linebreaks, notebook_accessibility, notebook_toc
from sitelib.timings.strings import STRINGS as TIMINGS_STRINGS


def project_root(config) -> Path:
    return Path(config.config_file_path).parent


def cli_command() -> str | None:
    """The MkDocs command this process is running (``build``, ``serve``, ``gh-deploy``), from click's context.

    None outside MkDocs' command line: a test or script that loads the configuration itself.
    """
    context = click.get_current_context(silent=True)
    return context.info_name if context is not None else None


@dataclass
class Setup:
    """One language's words and page helpers, made once per build by :func:`configure`."""

    language: Language
    languages: list[Language]
    conversion: Conversion
    examples: page_examples.ExamplePages
    timings_strings: dict
    ui: dict  # this language's interface words (sitelib.languages.interface)
    lagging: set[str] = field(default_factory=set)  # translated pages whose English page changed since


def configure(config, options, languages: list[Language], lang: Language, orchestrating: bool) -> Setup:
    """Point ``config`` at ``lang``'s pages, names, interface words and caches; return its :class:`Setup`."""
    by_code = {entry.code: entry for entry in languages}
    root = project_root(config)
    conversion = Conversion(lang.convert)
    words = by_code[lang.source] if lang.source else lang  # a generated language converts its source's
    config.docs_dir = str(root / "docs" / lang.docs_code)
    config.site_name = conversion.text(lang.site_name or words.site_name)
    config.site_description = conversion.text(lang.site_description or words.site_description)
    config.theme["language"] = lang.theme
    edit_base = config.edit_uri or ""  # mkdocs.yml names the branch once: edit/<branch>/
    if edit_base:
        config.edit_uri = f"{edit_base.rstrip('/')}/docs/{lang.docs_code}/"
    setup = Setup(lang, languages, conversion,
                  page_examples.ExamplePages(lang, conversion, languages[0].code, edit_base),
                  conversion.strings(strings_for(TIMINGS_STRINGS, lang, "timings")),
                  conversion.strings(strings_for(interface_strings.STRINGS, lang, "interface")))
    if lang.tag.lower().startswith("zh") and cjk_linebreaks.NAME not in config.markdown_extensions:
        config.markdown_extensions.append(cjk_linebreaks.NAME)  # no space from a source line break
    interface_strings.apply(config, setup.ui)
    setup.lagging = set(lagging_pages(config, options, languages, lang))
    interface_strings.mkdocstrings_locale(config, lang.docs_code, lang.theme,
                                          conversion.text if lang.convert else None,
                                          root / options.cache_dir / "mkdocstrings" / lang.code)
    if words is not languages[0] and config.nav:
        titles = {k: conversion.text(v) for k, v in (lang.nav or words.nav).items()}
        try:
            config.nav = translate_nav(config.nav, titles, lang.code)
        except LanguageError as error:
            raise PluginError(str(error)) from None
    template_cache.cache_theme_templates(config, root / options.cache_dir / "jinja" / "theme")
    theme_files.list_installed_once(config)
    notebook_accessibility.install()  # nbconvert's pass, without its 0.9 s BeautifulSoup tree per cold build
    notebook_toc.install()  # mkdocs-jupyter's page title without converting each notebook to Markdown again
    if uses_search_dictionary(languages):
        use_traditional_search_dictionary(root / options.cache_dir / "search")
    config.extra["alternate"] = [
        {"name": other.name, "lang": other.tag,
         "link": alternate_href("", lang.code, other.code, languages[0].code)}
        for other in languages
    ]
    if "mkdocs-jupyter" in config.plugins:  # it evicts cache entries its own build did not use
        jupyter = config.plugins["mkdocs-jupyter"].config
        jupyter["cache_dir"] = str(root / options.cache_dir / "jupyter" / lang.code)
        if orchestrating:  # the orchestrating build renders no notebook: it would evict them all
            jupyter["cache"] = False
        # The downloaded notebook's set-up cell is not shown on the site.
        tags = jupyter["remove_tag_config"]  # a new dict: the option's default is shared
        jupyter["remove_tag_config"] = {**tags, "remove_cell_tags": [*tags.get("remove_cell_tags", []), SETUP_TAG]}
    return setup


def uses_search_dictionary(languages: list[Language]) -> bool:
    """Whether every build of these languages points jieba at the Simplified-and-Taiwan dictionary
    (when one of them is the Taiwan conversion: English pages quote Chinese too)."""
    return any(other.convert == "s2twp" for other in languages)


def use_traditional_search_dictionary(cache_dir: Path) -> None:
    """Point Material's jieba at a dictionary that also holds the Taiwan form of every word.

    jieba's own dictionary is Simplified, so 張量 or 自動微分 would not be
    segmented as words. jieba is one tokenizer per process, so every
    build, whatever its language or order, uses the same dictionary. It is
    set here, not through the search plugin's ``jieba_dict``, which would
    make jieba reload it (1.7 s) in every build of every language. The
    dictionary is made once per machine (``cache_dir`` is where it goes when
    the user's cache folder cannot be written).
    """
    import jieba

    from sitelib.languages.search_dictionary import (jieba_cache, load_with_prefix_table, machine_cache,
                                                     search_dictionary)

    path = os.path.abspath(search_dictionary(machine_cache(cache_dir)))
    if jieba.dt.dictionary != path:
        jieba.dt.set_dictionary(path)  # jieba.set_dictionary is bound to the same default tokenizer
        load_with_prefix_table(jieba.dt, Path(path))
    # Should jieba ever load it itself: its cache beside the dictionary, not one per checkout path in the
    # system temp folder. Tokenizer.initialize joins tmp_dir and cache_file and writes there atomically (jieba 0.42.1).
    jieba.dt.tmp_dir = os.path.dirname(path)
    jieba.dt.cache_file = jieba_cache(Path(path)).name


def lagging_pages(config, options, languages: list[Language], lang: Language) -> list[str]:
    """The pages of ``lang`` whose English page changed since their translation was recorded."""
    default = languages[0]
    if lang.docs_code == default.docs_code:
        return []
    root = project_root(config)
    try:
        record = translations.load(root / options.translations)
    except translations.TranslationsError as error:
        raise PluginError(str(error)) from None
    return translations.lagging(root, default.docs_code, lang.docs_code, record)
