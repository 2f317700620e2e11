"""The project's glossary of Taiwan wording (``data/zh_hant_glossary.toml``): read, validated, typed.

Standard library only (tomllib): checking a configuration's conversion reads
the glossary without loading OpenCC.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parents[2] / "data" / "zh_hant_glossary.toml"


@dataclass(frozen=True)
class Override:
    """One glossary entry: Simplified ``source`` (literal or regex) -> Taiwan ``target``."""

    source: str
    target: str
    reason: str
    regex: bool = False


class GlossaryError(ValueError):
    """The glossary file is not valid TOML, or one of its entries is incomplete."""


def read_glossary(path: Path = GLOSSARY) -> dict:
    """The parsed glossary file; invalid TOML raises :class:`GlossaryError` naming the file and line."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise GlossaryError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise GlossaryError(f"{path}: invalid TOML: {error}") from None


def glossary_entries(data: dict, table: str, fields: tuple[str, ...], path: Path) -> list[dict]:
    """The ``[[table]]`` entries of a parsed glossary, each checked to hold ``fields`` as text.

    >>> glossary_entries({"override": [{"from": "a", "to": "b"}]}, "override", ("from", "to", "reason"), Path("g.toml"))
    Traceback (most recent call last):
    ...
    sitelib.languages.glossary.GlossaryError: g.toml: [[override]] entry 1 (from = 'a'): missing 'reason'
    """
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise GlossaryError(f"{path}: '{table}' must be a list of [[{table}]] tables")
    for number, entry in enumerate(entries, 1):
        name = f"{path}: [[{table}]] entry {number}"
        if not isinstance(entry, dict):
            raise GlossaryError(f"{name}: not a table")
        first = entry.get(fields[0])
        name += f" ({fields[0]} = {first!r})" if isinstance(first, str) else ""
        for key in fields:
            if key not in entry:
                raise GlossaryError(f"{name}: missing '{key}'")
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise GlossaryError(f"{name}: '{key}' must be a non-empty string")
    return entries


def load_glossary(path: Path = GLOSSARY) -> tuple[Override, ...]:
    """The ``[[override]]`` entries of the glossary file, in file order, each validated."""
    entries = glossary_entries(read_glossary(path), "override", ("from", "to", "reason"), path)
    result = []
    for number, e in enumerate(entries, 1):
        if e.get("regex", False):
            try:
                re.compile(e["from"])
            except re.error as error:
                raise GlossaryError(f"{path}: [[override]] entry {number} (from = {e['from']!r}): "
                                    f"invalid regex: {error}") from None
        result.append(Override(e["from"], e["to"], e["reason"], bool(e.get("regex", False))))
    return tuple(result)


class GlossaryMatcher:
    """Finds glossary entries in text exactly as one alternation of them would, but fast.

    The rule: scanning left to right, take the leftmost place where an entry
    matches; there the literals are tried longest first (so 构建模型 beats 构建),
    then the regex entries in file order; go on after the match. One regex of
    named groups says that, but Python's ``re`` then tries each of the ~80
    alternatives at every character (4 s over jieba's dictionary, half a second
    per Taiwan build). A plain alternation of literals lets ``re`` skip to the
    characters they start with (0.01 s there), so the literals are one pattern,
    each regex entry another, and :meth:`sub` takes whichever matches first.

    >>> entries = (Override("构建", "建構", ""), Override("构建模型", "建立模型", ""), Override("(?<=[多是])只", "隻", "", True))
    >>> GlossaryMatcher(entries).sub("构建模型，构建多只", lambda e: f"[{e.target}]")
    '[建立模型]，[建構]多[隻]'
    """

    def __init__(self, entries: tuple[Override, ...]) -> None:
        self.literal: dict[str, Override] = {}
        for entry in sorted((e for e in entries if not e.regex), key=lambda e: -len(e.source)):
            self.literal.setdefault(entry.source, entry)  # of two equal sources the first wins, as in an alternation
        self.regexes = [e for e in entries if e.regex]
        # One pattern per regex entry: each alone is searched in C, their union tries them all at every character.
        self._patterns = ([re.compile("|".join(map(re.escape, self.literal)))] if self.literal else []) + [
            re.compile(e.source) for e in self.regexes]
        self._entries = [None] * bool(self.literal) + self.regexes  # None: look the literal up by its text

    def sub(self, text: str, replace) -> str:
        """``text`` with each match replaced by ``replace(entry)``."""
        out, pos = [], 0
        found = [p.search(text) for p in self._patterns]  # the next match of each pattern from pos
        while any(found):
            # The leftmost match; at the same place the first pattern: the literals, then the file's order.
            i = min((m.start(), i) for i, m in enumerate(found) if m)[1]
            match = found[i]
            if match.end() == match.start():  # an entry matching nothing: re.sub's own rules for that
                return self._combined().sub(lambda m: replace(self._entry(m)), text)
            out += [text[pos:match.start()], replace(self._entries[i] or self.literal[match.group()])]
            pos = match.end()
            # A search from pos still sees the text before it (lookbehinds), as one scan of the text would.
            found = [p.search(text, pos) if m and m.start() < pos else m for p, m in zip(self._patterns, found)]
        out.append(text[pos:])
        return "".join(out)

    def _combined(self) -> re.Pattern[str]:
        literals = [f"(?P<l{i}>{re.escape(source)})" for i, source in enumerate(self.literal)]
        return re.compile("|".join(literals + [f"(?P<g{i}>{e.source})" for i, e in enumerate(self.regexes)]))

    def _entry(self, match: re.Match) -> Override:
        kind, index = match.lastgroup[0], int(match.lastgroup[1:])
        return list(self.literal.values())[index] if kind == "l" else self.regexes[index]
