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
