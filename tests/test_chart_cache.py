"""The timings chart cache: a chart is drawn again only when its data or the drawing code changed."""

from __future__ import annotations

import json
import logging

import pytest

from conftest import ROOT
from sitelib.incremental import chart_cache
from sitelib.timings import render as timings_render
from sitelib.timings.chart import chart_svg
from sitelib.timings.store import load_timings


@pytest.fixture(scope="module")
def record() -> dict:
    """The first recorded machine with a sweep (data/timings.json is what the site charts)."""
    data = load_timings(ROOT / "data" / "timings.json")
    return next(r for r in data["machines"] if any(m["role"] == "sweep" for m in r["measurements"]))


class CountingDraw:
    """chart_svg, counting its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args):
        self.calls += 1
        return chart_svg(*args)


def test_unchanged_data_not_drawn_again(tmp_path, record):
    """A second build with the same record takes the chart from the file and never calls the drawing code."""
    path = tmp_path / "charts" / "en.json"
    first = chart_cache.ChartCache(path, CountingDraw())
    svg = first.chart(record, "alt", "tc1", ("CPU {n}", "CPU {n}s"))
    first.save()
    assert first.draw.calls == 1 and svg.startswith("<svg") and path.is_file()
    second = chart_cache.ChartCache(path, lambda *args: pytest.fail("drawn again"))
    assert second.chart(record, "alt", "tc1", ("CPU {n}", "CPU {n}s")) == svg


def test_changed_data_drawn_again(tmp_path, record):
    """Another measurement, caption, id prefix or legend is another chart."""
    path = tmp_path / "charts.json"
    cache = chart_cache.ChartCache(path, CountingDraw())
    cache.chart(record, "alt", "tc1")
    changed = json.loads(json.dumps(record))
    sweep = next(m for m in changed["measurements"] if m["role"] == "sweep")
    sweep["tflops"] *= 2
    cache.chart(changed, "alt", "tc1")
    cache.chart(record, "other alt", "tc1")
    cache.chart(record, "alt", "tc2")
    cache.chart(record, "alt", "tc1", ("x {n}", "y {n}"))
    cache.chart(record, "alt", "tc1")  # the first again: drawn once only
    assert cache.draw.calls == 5


def test_drawing_code_is_part_of_the_key(record, monkeypatch):
    """An edit of chart.py (or another matplotlib) changes every key."""
    before = chart_cache.code_salt()
    monkeypatch.setattr(chart_cache.metadata, "version", lambda name: "0.0-other")
    assert chart_cache.code_salt() != before


@pytest.mark.parametrize("damage", [b"{\"k\": \"<svg", b"\xff\xfe", b'{"k": "<p>not a chart</p>"}', b"[]"])
def test_damaged_cache_drawn_again(tmp_path, record, caplog, damage):
    """A truncated, garbled or wrong-shaped file is logged, naming it, and the chart drawn again."""
    path = tmp_path / "charts.json"
    path.write_bytes(damage)
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
        cache = chart_cache.ChartCache(path, CountingDraw())
    assert str(path) in caplog.text
    assert cache.chart(record, "alt", "tc1").startswith("<svg") and cache.draw.calls == 1
    cache.save()
    assert chart_cache.ChartCache(path, lambda *a: pytest.fail("drawn again")).chart(record, "alt", "tc1")


def test_render_chart_uses_the_given_drawing(record):
    """The timings page draws its charts with the function it is given, the build's cached one."""
    data = {"schema_version": 1, "machines": [record]}
    calls = []
    html = timings_render.render("chart", data, "en", None,
                                 lambda *args: calls.append(args) or "<svg>drawn</svg>")
    assert "<svg>drawn</svg>" in html and len(calls) == 1 and calls[0][0] is record
