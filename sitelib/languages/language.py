"""The site's languages, as data: where each one's pages live and how its URLs and labels look.

The first language is the default and sits at the site root; every other one
lives under ``<code>/``. A language with ``convert`` has no pages of its own:
they are generated from another language's pages (Traditional from Simplified
Chinese with OpenCC), so the two never drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Language:
    """One language of the site (one entry of the plugin's ``languages`` option)."""

    code: str  # URL folder and docs/ folder, e.g. "zh-hant"
    tag: str  # BCP 47 tag for <html lang>, hreflang and the sitemap, e.g. "zh-Hant"
    name: str  # label in the switcher, in the language itself
    theme: str  # Material's theme.language (its interface strings and search language)
    site_name: str
    site_description: str = ""
    nav: dict[str, str] = field(default_factory=dict)  # nav titles, English -> this language
    source: str = ""  # code of the language whose pages are converted, if generated
    convert: str = ""  # the conversion applied to the source pages, e.g. "s2twp"

    @property
    def docs_code(self) -> str:
        """The docs/ folder this language's pages are read from."""
        return self.source or self.code


class LanguageError(ValueError):
    """The ``languages`` option is inconsistent."""


_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # one URL and folder name: no slash, dot or space


def check_languages(languages: list[Language], docs: Path | None = None,
                    strings: dict[str, tuple[dict, str]] | None = None, nav: list | None = None) -> None:
    """Refuse an inconsistent ``languages`` option, as a whole, before anything is built.

    Always: duplicate codes or tags, a code that is not one URL folder name,
    a conversion from a language that is not there or is itself generated.
    With ``docs`` (the folder of the written languages' folders), a written
    language without its folder; with ``strings`` (what -> (table, file)), a
    language missing from an interface string table; with ``nav`` (the
    configured nav), a nav title some language does not translate.

    >>> check_languages([Language("en", "en", "English", "en", "S"), Language("en", "fr", "F", "fr", "S")])
    Traceback (most recent call last):
    ...
    sitelib.languages.language.LanguageError: languages: code 'en' is listed twice
    >>> check_languages([Language("en", "en", "E", "en", "S"), Language("ja", "ja", "J", "ja", "S")],
    ...                 strings={"timings": ({"en": {}}, "sitelib/timings/strings.py")})
    Traceback (most recent call last):
    ...
    sitelib.languages.language.LanguageError: languages: 'ja' has no timings strings in sitelib/timings/strings.py (it has: en)
    """
    if not languages:
        raise LanguageError("languages: at least one language is needed")
    by_code = {lang.code: lang for lang in languages}
    for key in ("code", "tag"):
        seen: set[str] = set()
        for lang in languages:
            value = getattr(lang, key)
            if value in seen:
                raise LanguageError(f"languages: {key} '{value}' is listed twice")
            seen.add(value)
    for lang in languages:
        if not _CODE.fullmatch(lang.code):
            raise LanguageError(f"languages: code {lang.code!r} must be lowercase letters, digits and hyphens "
                                "(it names a URL folder and a docs/ folder)")
        if bool(lang.source) != bool(lang.convert):
            raise LanguageError(f"languages: '{lang.code}' needs both 'source' and 'convert', or neither")
        if lang.source and lang.source not in by_code:
            raise LanguageError(f"languages: '{lang.code}' converts from '{lang.source}', which is not a language")
        if lang.source and by_code[lang.source].source:
            raise LanguageError(f"languages: '{lang.code}' converts from '{lang.source}', which is itself "
                                "generated; convert from a language with pages of its own")
    for lang in languages:
        if docs is not None and not lang.source and not (docs / lang.code).is_dir():
            raise LanguageError(f"languages: '{lang.code}' has no pages: folder {docs / lang.code} does not exist")
        for what, (table, where) in (strings or {}).items():
            if lang.docs_code not in table:
                raise LanguageError(f"languages: '{lang.docs_code}' has no {what} strings in {where} "
                                    f"(it has: {', '.join(table)})")
        words = by_code[lang.source] if lang.source else lang  # as the plugin translates the nav
        if nav and words is not languages[0]:
            translate_nav(nav, lang.nav or words.nav, lang.code)


def root_prefix(code: str, default: str) -> str:
    """Where a language's pages sit below the site root.

    >>> root_prefix("en", "en"), root_prefix("zh-hant", "en")
    ('', 'zh-hant/')
    """
    return "" if code == default else f"{code}/"


def alternate_href(page_url: str, this_lang: str, target_lang: str, default: str) -> str:
    """Link from the page at ``page_url`` (in ``this_lang``) to the same page in ``target_lang``.

    ``page_url`` is relative to its own language's root.

    >>> alternate_href("01-meet/", "en", "zh", "en")
    '../zh/01-meet/'
    >>> alternate_href("01-meet/", "zh", "en", "en")
    '../../01-meet/'
    >>> alternate_href("a/", "zh", "zh-hant", "en")
    '../../zh-hant/a/'
    >>> alternate_href("", "zh", "en", "en"), alternate_href("", "en", "zh", "en"), alternate_href("", "en", "en", "en")
    ('../', 'zh/', './')
    """
    depth = page_url.count("/")  # directory URLs: "a/b/" is two levels below its root
    up = "../" * depth + ("../" if this_lang != default else "")
    return (up + root_prefix(target_lang, default) + page_url) or "./"


def translate_nav(nav: list, titles: dict[str, str], where: str) -> list:
    """A copy of an MkDocs ``nav`` with every explicit title translated; untitled entries stay.

    An explicit title with no translation raises, so a new section cannot
    silently appear in English on another language's site.

    >>> translate_nav([{"Home": "index.md"}, "a.md", {"Examples": ["x.ipynb"]}], {"Home": "首页", "Examples": "示例"}, "zh")
    [{'首页': 'index.md'}, 'a.md', {'示例': ['x.ipynb']}]
    >>> translate_nav([{"Extra": "e.md"}], {}, "zh")
    Traceback (most recent call last):
    ...
    sitelib.languages.language.LanguageError: languages: 'zh' has no nav title for 'Extra' (add it to its 'nav' map)
    """
    result: list = []
    for item in nav:
        if isinstance(item, dict):
            ((title, value),) = item.items()
            if title not in titles:
                raise LanguageError(f"languages: '{where}' has no nav title for '{title}' (add it to its 'nav' map)")
            result.append({titles[title]: translate_nav(value, titles, where) if isinstance(value, list) else value})
        else:
            result.append(item)
    return result


def strings_for(table: dict[str, dict], lang: Language, what: str) -> dict:
    """The interface strings ``lang`` is made from: its own, or its source language's when generated.

    The caller converts a generated language's strings with the build's
    ``Conversion``, so they can never drift from the pages they sit on.

    >>> strings_for({"en": {"ok": "ok"}}, Language("en", "en", "English", "en", "S"), "report")
    {'ok': 'ok'}
    >>> strings_for({"en": {}}, Language("ja", "ja", "日本語", "ja", "S"), "report")
    Traceback (most recent call last):
    ...
    sitelib.languages.language.LanguageError: languages: no report strings for 'ja' (have: en)
    """
    if lang.docs_code not in table:
        raise LanguageError(f"languages: no {what} strings for '{lang.docs_code}' (have: {', '.join(table)})")
    return table[lang.docs_code]
