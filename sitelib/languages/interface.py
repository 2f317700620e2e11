"""The interface words that the theme, the toc extension, mkdocs-jupyter and mkdocstrings would show in English.

Each tool's own mechanism is used where it has one: Material's palette toggle
``name``, the toc extension's ``permalink_title``, mkdocstrings' ``locale``
(its Python handler ships ``zh``; a generated language gets that file
converted). mkdocs-jupyter's copy button and Material's 404 page have none:
their words are replaced on the page (:func:`notebook_copy_button`) or read
from ``config.extra.lesson_ui`` by ``overrides/404.html``. A generated
language converts its source language's table, like every other string.
"""

from __future__ import annotations

from pathlib import Path

STRINGS = {
    "en": {
        "palette": ["Switch to dark mode", "Switch to light mode"],
        "permalink": "Permanent link",
        "copy": "Copy to clipboard",
        "copied": "Copied!",
        "not_found": "404 - Not found",
        "lagging": "The English page has changed since this translation was made; "
                   'it may be out of date. <a href="{href}">Read the English page</a>.',
    },
    "zh": {
        "palette": ["切换到深色模式", "切换到浅色模式"],
        "permalink": "永久链接",
        "copy": "复制到剪贴板",
        "copied": "已复制",
        "not_found": "404 - 找不到页面",
        "lagging": '本页翻译之后，英文原文又有修改，译文可能已经过时。<a href="{href}">阅读英文原文</a>。',
    },
}

MKDOCSTRINGS_LOCALES = {"en": "en", "zh": "zh"}  # mkdocstrings-python 2.0's languages/*.html.jinja
def apply(config, strings: dict) -> None:
    """Put ``strings`` where the theme and the toc extension read their interface words."""
    for entry, name in zip(config.theme.get("palette") or [], strings["palette"]):
        if isinstance(entry, dict) and isinstance(entry.get("toggle"), dict):
            entry["toggle"]["name"] = name
    if "toc" in config.mdx_configs:
        config.mdx_configs["toc"] = {**config.mdx_configs["toc"], "permalink_title": strings["permalink"]}
    config.extra["lesson_ui"] = {"not_found": strings["not_found"]}


def mkdocstrings_locale(config, docs_code: str, theme_language: str, convert_text, cache: Path) -> None:
    """Set mkdocstrings' locale for this language; a generated language gets its source's file converted.

    ``convert_text`` is the build's conversion of plain text; the converted
    template goes to ``cache`` (a ``custom_templates`` folder) named after
    ``theme_language``.
    """
    plugin = config.plugins.get("mkdocstrings")
    locale = MKDOCSTRINGS_LOCALES.get(docs_code)
    if plugin is None or locale is None:
        return
    if convert_text is None:
        plugin.config["locale"] = locale
        return
    import mkdocstrings_handlers.python as handler

    from sitelib.atomic import write_text_atomic

    source = Path(handler.__file__).parent / "templates" / "material" / "_base" / "languages" / f"{locale}.html.jinja"
    target = cache / "python" / "material" / "languages" / f"{theme_language}.html.jinja"
    converted = convert_text(source.read_text(encoding="utf-8"))
    if not target.is_file() or target.read_text(encoding="utf-8") != converted:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, converted)
    plugin.config["locale"] = theme_language
    plugin.config["custom_templates"] = str(cache)


def notebook_copy_button(html: str, strings: dict) -> str:
    """mkdocs-jupyter's copy button (hard-coded English in its template) in this language.

    >>> notebook_copy_button('<clipboard-copy aria-label="Copy to Clipboard"><span class="notice" hidden="">Copied!</span>',
    ...                      STRINGS["zh"])
    '<clipboard-copy aria-label="复制到剪贴板"><span class="notice" hidden="">已复制</span>'
    """
    # Plain replacements: a notebook page is a megabyte, which a regular expression scanned for 14 ms.
    html = html.replace('aria-label="Copy to Clipboard"', f'aria-label="{strings["copy"]}"')
    for notice in ('<span class="notice" hidden>', '<span class="notice" hidden="">'):  # re-serialised by a hook
        html = html.replace(f"{notice}Copied!</span>", f"{notice}{strings['copied']}</span>")
    return html
