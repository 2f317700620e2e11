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


def absolute_alternate(site_url: str, page_url: str, this_lang: str, target_lang: str) -> str:
    """Published address of the page at ``page_url`` in ``target_lang`` (for hreflang links).

    ``site_url`` is this build's own address: the Chinese build's ends in ``zh/``.

    >>> absolute_alternate("https://x.org/l/", "01-meet/", "en", "zh")
    'https://x.org/l/zh/01-meet/'
    >>> absolute_alternate("https://x.org/l/zh/", "01-meet/", "zh", "en")
    'https://x.org/l/01-meet/'
    """
    root = site_url if this_lang == DEFAULT else site_url.removesuffix(f"{this_lang}/")
    prefix = "" if target_lang == DEFAULT else f"{target_lang}/"
    return root + prefix + page_url
