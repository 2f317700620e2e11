"""Reuse the timings charts while the records and the code that draws them are unchanged.

Drawing a chart with matplotlib costs about 0.06 s a language, and importing
matplotlib for it about half a second a build; the chart is a function of the
record, its caption words, its id prefix and legend words, of
``sitelib/timings/chart.py`` and of matplotlib's version. This cache keys each
chart by a hash of exactly those. Each language keeps one JSON file with the
charts its last build used; a file that cannot be read, or that holds anything
but charts, is noted in the log and every chart is drawn again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from sitelib.incremental.keyed_cache import KeyedCache
from sitelib.timings import chart as timings_chart


def code_salt() -> str:
    """What every chart also depends on: the drawing code and matplotlib's version."""
    digest = hashlib.sha256(Path(timings_chart.__file__).read_bytes())
    digest.update(f"\0matplotlib={metadata.version('matplotlib')}".encode())
    return digest.hexdigest()


def chart_key(salt: str, record: dict, alt_text: str, id_prefix: str, cpu_legend) -> str:
    """A hash of everything :func:`~sitelib.timings.chart.chart_svg` reads.

    >>> chart_key("s", {"a": 1}, "alt", "p", ("x", "y")) == chart_key("s", {"a": 2}, "alt", "p", ("x", "y"))
    False
    """
    text = json.dumps([record, alt_text, id_prefix, list(cpu_legend)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{salt}\0{text}".encode()).hexdigest()


def _valid(svg: object) -> bool:
    """A chart as :func:`chart_svg` makes it, or "" for a record without one."""
    return isinstance(svg, str) and (svg == "" or (svg.startswith("<svg") and svg.endswith("</svg>")))


class ChartCache:
    """The charts of one language's build, by key, in ``path``."""

    def __init__(self, path: Path, draw: Callable = timings_chart.chart_svg):
        self.draw = draw
        self.salt = code_salt()
        self.cache = KeyedCache(path, _valid, "timings chart")

    def chart(self, record: dict, alt_text: str, id_prefix: str = "tchart",
              cpu_legend=timings_chart.CPU_LEGEND) -> str | None:
        """:func:`~sitelib.timings.chart.chart_svg`, drawn only when the cache does not hold it."""
        key = chart_key(self.salt, record, alt_text, id_prefix, cpu_legend)
        svg = self.cache.get(key)
        if svg is None:
            svg = self.draw(record, alt_text, id_prefix, cpu_legend) or ""
            self.cache.put(key, svg)
        return svg or None

    def save(self) -> None:
        self.cache.save()
