"""The conversion a generated language applies to its source language's text.

A language entry with ``convert: s2twp`` is made from another language's pages
by OpenCC's Taiwan-phrase profile plus the project's glossary (sitelib.languages.taiwan).
No conversion (``""``) leaves text as it is; an unknown name raises. One
``Conversion`` serves one build: OpenCC's dictionaries load once, on first use.
"""

from __future__ import annotations

import nbformat

KNOWN = ("", "s2twp")


class ConversionError(ValueError):
    """A language names a conversion this site does not know."""


def check_conversion(name: str, where: str, glossary=None) -> None:
    """Refuse an unknown conversion name, and a conversion whose data files are invalid.

    Called for every language in ``on_config`` of the first build, so a bad
    ``convert:`` or a broken glossary stops the build before any page is built.
    ``where`` names the language entry in the message; ``glossary`` defaults to the project's.

    >>> check_conversion("s2twp", "zh-hant")
    >>> check_conversion("s2hk", "languages: 'zh-hk'")
    Traceback (most recent call last):
    ...
    sitelib.languages.conversion.ConversionError: languages: 'zh-hk': unknown conversion 's2hk' (known: s2twp)
    """
    if name not in KNOWN:
        raise ConversionError(f"{where}: unknown conversion '{name}' (known: {', '.join(k for k in KNOWN if k)})")
    if name == "s2twp":
        from sitelib.languages.glossary import GLOSSARY, GlossaryError, load_glossary  # tomllib only: no OpenCC

        try:
            load_glossary(glossary or GLOSSARY)
        except GlossaryError as error:
            raise ConversionError(f"{where}: {error}") from None


class Conversion:
    """Converts text, Markdown pages and notebooks by the conversion ``name``.

    >>> Conversion("").text("默认")
    '默认'
    >>> Conversion("x2y")
    Traceback (most recent call last):
    ...
    sitelib.languages.conversion.ConversionError: unknown conversion 'x2y' (known: s2twp)
    """

    def __init__(self, name: str):
        if name not in KNOWN:
            raise ConversionError(f"unknown conversion '{name}' (known: {', '.join(k for k in KNOWN if k)})")
        self.name = name
        self._converter = None

    def _get(self):
        if self._converter is None:
            from sitelib.languages.taiwan import Converter  # only a converting build loads OpenCC

            self._converter = Converter()
        return self._converter

    def text(self, text: str) -> str:
        """Plain text: a nav title, the site name, an interface string."""
        return self._get().text(text) if self.name else text

    def markdown(self, markdown: str) -> str:
        """A Markdown page; code, URLs, HTML and math stay as they are."""
        return self._get().markdown(markdown) if self.name else markdown

    def python(self, source: str) -> str:
        """A percent-format example's source: prose cells and Chinese comments converted, code kept."""
        return self._get().python(source) if self.name else source

    def notebook(self, notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
        """A copy of ``notebook`` with its prose converted; code cells and outputs stay as they ran."""
        return nbformat.from_dict(self._get().notebook(notebook)) if self.name else notebook

    def strings(self, table):
        """A table of interface strings converted, nested tuples, lists and dicts included.

        >>> Conversion("").strings({"a": ["x"]})
        {'a': ['x']}
        """
        if not self.name:
            return table
        if isinstance(table, str):
            return self.text(table)
        if isinstance(table, dict):
            return {key: self.strings(value) for key, value in table.items()}
        if isinstance(table, (list, tuple)):
            return type(table)(self.strings(value) for value in table)
        return table
