"""The conversions a generated language applies to its source language's text.

A language entry with ``convert: s2twp`` is made from another language's pages
by OpenCC's Taiwan-phrase profile plus the project's glossary (sitelib.zh_hant).
No conversion (``""``) leaves text as it is; an unknown name raises.
"""

from __future__ import annotations

from collections.abc import Callable

import nbformat

KNOWN = ("", "s2twp")


class ConversionError(ValueError):
    """A language names a conversion this site does not know."""


def _module(name: str):
    if name not in KNOWN:
        raise ConversionError(f"unknown conversion '{name}' (known: {', '.join(k for k in KNOWN if k)})")
    from sitelib import zh_hant  # imported only by a build that converts: OpenCC loads its dictionaries

    return zh_hant


def text_converter(name: str) -> Callable[[str], str]:
    """A function converting plain text (nav titles, interface strings) by ``name``.

    >>> text_converter("")("默认")
    '默认'
    >>> text_converter("x2y")
    Traceback (most recent call last):
    ...
    sitelib.text_conversion.ConversionError: unknown conversion 'x2y' (known: s2twp)
    """
    if not name:
        return lambda text: text
    return _module(name).convert_text


def markdown_converter(name: str) -> Callable[[str], str]:
    """A function converting a Markdown page by ``name``, leaving code, URLs and HTML as they are."""
    if not name:
        return lambda text: text
    return _module(name).convert_markdown


def convert_notebook(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``notebook`` with its prose converted by ``name``; code cells and outputs stay as they ran."""
    if not name:
        return notebook
    return _module(name).convert_notebook(notebook)
