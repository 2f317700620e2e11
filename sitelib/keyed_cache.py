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
