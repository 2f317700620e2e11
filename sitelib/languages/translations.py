"""Which version of its English page each translated page translates, and the notice when it lags.

English is written first. ``data/translations.toml`` holds, per translated
docs folder, a table ``page -> digest of the English page it was translated
from``; ``scripts/translations_current.py`` (``make translations-current``)
records the English pages' current digests once a translation has caught up.
A translated page whose English page has changed since (or that has no record)
is *lagging*: the build logs it and the page shows :func:`notice_html` linking
the English page, in both Chinese sites (zh-hant reads zh's record). One file,
apart from the pages, so that rewriting a page never conflicts with recording it.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

FILE = "data/translations.toml"
_HEADER = """\
# Which version of its English page each translated page translates (see CONTRIBUTING,
# "Translations that lag"). Per translated docs folder: page = first 16 hex digits of the
# SHA-256 of docs/en/<page> when the translation last caught up with it. Written by
# `make translations-current` (scripts/translations_current.py); do not edit by hand.
"""


class TranslationsError(ValueError):
    """The translations file cannot be read or holds something else than page = digest tables."""


def digest(path: Path) -> str:
    """The short hash an English page is recorded by (line endings normalised)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()[:16]


def load(path: Path) -> dict[str, dict[str, str]]:
    """``{docs folder: {page: digest}}``; a missing file is empty, a bad one raises naming it."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TranslationsError(f"{path}: {error}") from None
    for code, pages in data.items():
        if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
            raise TranslationsError(f"{path}: [{code}] must map page names to digest strings")
    return data


def lagging(root: Path, source: str, code: str, record: dict[str, dict[str, str]]) -> list[str]:
    """The pages of ``docs/<code>`` whose English page (``docs/<source>``) changed since they were recorded.

    A page with no English counterpart is not a translation and never lags.
    """
    pages = record.get(code, {})
    found = []
    for page in sorted((root / "docs" / code).rglob("*.md")):
        name = page.relative_to(root / "docs" / code).as_posix()
        english = root / "docs" / source / name
        if english.is_file() and pages.get(name) != digest(english):
            found.append(name)
    return found


def mark_current(root: Path, code: str, source: str = "en", pages: list[str] | None = None) -> list[str]:
    """Record the English digests of ``pages`` (default: every page of ``docs/<code>`` that has an English page).

    Returns the pages whose record changed; the file is written atomically.
    """
    from sitelib.atomic import write_text_atomic

    path = root / FILE
    record = load(path)
    table = dict(record.get(code, {}))
    names = pages or [name for p in sorted((root / "docs" / code).rglob("*.md"))
                      if (root / "docs" / source / (name := p.relative_to(root / "docs" / code).as_posix())).is_file()]
    changed = []
    for name in names:
        english = root / "docs" / source / name
        if not english.is_file():
            raise TranslationsError(f"{english}: no English page for {code}/{name}")
        if table.get(name) != digest(english):
            table[name] = digest(english)
            changed.append(name)
    record[code] = dict(sorted(table.items()))
    lines = [_HEADER]
    for folder in sorted(record):
        lines.append(f"\n[{folder}]\n")
        lines += [f'{json.dumps(name)} = "{value}"\n' for name, value in record[folder].items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, "".join(lines))
    return changed


def notice_html(template: str, href: str) -> str:
    """The lag notice (an admonition) with the link to the English page filled in.

    >>> notice_html('Out of date. <a href="{href}">English</a>.', "../../a/")
    '<div class="admonition warning translation-lag"><p>Out of date. <a href="../../a/">English</a>.</p></div>'
    """
    import html

    return ('<div class="admonition warning translation-lag"><p>'
            f"{template.format(href=html.escape(href, quote=True))}</p></div>")


def with_notice(page_html: str, notice: str) -> str:
    """``notice`` just below the page's first heading (or at the top when it has none)."""
    head, sep, rest = page_html.partition("</h1>")
    return head + sep + notice + rest if sep else notice + page_html
