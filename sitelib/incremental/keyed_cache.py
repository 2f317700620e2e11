"""A build's cache of results by key, kept in one JSON file: read once, validated, saved atomically.

A key is a hash of everything its result is made from, so a key names its
result: a file with the same keys holds the same results. Only the entries a
build used are saved, so the file never outgrows the site. A file that cannot
be read or has the wrong shape is noted in the log and ignored: a cache
costs a recomputation when it fails, never a wrong page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from sitelib.atomic import write_text_atomic

log = logging.getLogger("mkdocs.plugins.lesson")


class KeyedCache:
    """Results by key in ``path``; ``valid`` checks one stored result, ``what`` names them in log notes."""

    def __init__(self, path: Path, valid: Callable[[object], bool], what: str):
        self.path = path
        self.cached = self._read(valid, what)
        self.loaded = set(self.cached)
        self.used: dict[str, object] = {}

    def _read(self, valid: Callable[[object], bool], what: str) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.info("Cache %s unreadable (%s): computing every %s again", self.path, error, what)
            return {}
        if not (isinstance(data, dict) and all(valid(value) for value in data.values())):
            log.info("Cache %s does not hold %s by key: computing every one again", self.path, what)
            return {}
        return data

    def get(self, key: str):
        """The result stored under ``key`` (now counted as used), or None."""
        value = self.cached.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value) -> None:
        self.cached[key] = self.used[key] = value

    def save(self) -> None:
        """Keep the results this build used, and only those; rewrite nothing when the keys are the same."""
        if set(self.used) != self.loaded:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, json.dumps(self.used, ensure_ascii=False))  # dict order kept


def read_entry(path: Path, parse: Callable[[bytes], object], what: str):
    """The parsed content of the one-result cache file ``path``; None when it is absent or damaged.

    ``parse`` raises ValueError for content that is not a whole, well-formed
    result (truncated, garbled, the wrong shape). Such a file is noted in the
    log once, naming it, and deleted, so the caller computes it again and the
    next build does not meet it.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return parse(data)
    except (OSError, ValueError) as error:
        log.info("Cache %s unreadable (%s): computing the %s again", path, str(error).splitlines()[0][:200], what)
        path.unlink(missing_ok=True)
        return None


def drop_unreadable(folder: Path, pattern: str, parse: Callable[[bytes], object], what: str) -> None:
    """Delete (with a log note each) every file of ``folder`` matching ``pattern`` that ``parse`` refuses.

    For caches whose reader does not check what it reads (mkdocs-jupyter's):
    checked before that reader runs, a damaged entry is a recomputation.
    """
    for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
        read_entry(path, parse, what)


def parse_json_object(data: bytes, fields: dict[str, type]) -> dict:
    """``data`` as a JSON object holding each of ``fields`` with its type; ValueError otherwise.

    >>> parse_json_object(b'{"content": "<p>", "toc_tokens": []}', {"content": str, "toc_tokens": list})
    {'content': '<p>', 'toc_tokens': []}
    >>> parse_json_object(b'{"content": "<p', {"content": str})
    Traceback (most recent call last):
    ...
    json.decoder.JSONDecodeError: Unterminated string starting at: line 1 column 13 (char 12)
    """
    value = json.loads(data.decode("utf-8"))  # UnicodeDecodeError and JSONDecodeError are ValueErrors
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    for name, kind in fields.items():
        if not isinstance(value.get(name), kind):
            raise ValueError(f"field '{name}' is not a {kind.__name__}")
    return value
