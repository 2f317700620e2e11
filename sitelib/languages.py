"""Where the same page lives in each language of the site."""

from __future__ import annotations

DEFAULT = "en"


def alternate_href(page_url: str, this_lang: str, target_lang: str) -> str:
    """Link from the page at ``page_url`` (in ``this_lang``) to the same page in ``target_lang``.

    The default language sits at the site root, every other one under
    ``<lang>/``; ``page_url`` is relative to its own language's root.

    >>> alternate_href("01-meet/", "en", "zh")
    '../zh/01-meet/'
    >>> alternate_href("01-meet/", "zh", "en")
    '../../01-meet/'
    >>> alternate_href("", "zh", "en"), alternate_href("", "en", "zh"), alternate_href("", "en", "en")
    ('../', 'zh/', './')
    """
    depth = page_url.count("/")  # directory URLs: "a/b/" is two levels below its root
    up = "../" * depth + ("../" if this_lang != DEFAULT else "")
    prefix = "" if target_lang == DEFAULT else f"{target_lang}/"
    return (up + prefix + page_url) or "./"
