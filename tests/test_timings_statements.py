"""Sentences about GPUs and first calls on the timings page are rendered from the records, never promised."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitelib.timings import render as tr
from sitelib.timings.page import render_placeholders
from sitelib.timings.store import load_timings
from sitelib.timings.strings import STRINGS
from test_timings_render import CPU_ID, cpu_record, doc, gpu_record

ROOT = Path(__file__).resolve().parents[1]
PROMISES = ("pulls ahead", "what moving work to a GPU buys")


def with_first_calls(record: dict, ratio: float) -> dict:
    """``record`` with every first call of the lesson's product set to ``ratio`` times its median."""
    for row in record["measurements"]:
        if row["kind"] == "matmul" and row["role"] == "seed":
            row["first_call_s"] = row["median_s"] * ratio
    return record


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("lang", list(STRINGS))
def test_chart_intro_without_a_gpu_record_promises_nothing_about_gpus(lang):
    """CPU records only: the chart's introduction says no GPU was recorded and claims no crossover."""
    out = text(tr.render("chart_intro", doc(cpu_record()), lang, CPU_ID))
    assert STRINGS[lang]["chart_intro_cpu"] in out
    assert STRINGS[lang]["chart_intro_gpu"] not in out
    assert "H100" not in out and not any(p in out for p in PROMISES)


def test_chart_intro_with_a_gpu_record_names_the_crossover():
    """With a GPU record the introduction explains the dashed line and says from which size the GPU wins."""
    out = text(tr.render("chart_intro", doc(cpu_record(), gpu_record()), "en", CPU_ID))
    assert STRINGS["en"]["chart_intro_gpu"] in out
    assert re.search(r"NVIDIA H100 80GB HBM3 fp32 overtakes the CPU from n = \d+\.", out), out
    assert STRINGS["en"]["chart_intro_cpu"] not in out


def test_chart_intro_in_chinese_with_a_gpu_record():
    """The Chinese introduction uses the Chinese crossover sentence, without spaces between sentences."""
    out = text(tr.render("chart_intro", doc(gpu_record()), "zh", None))
    assert STRINGS["zh"]["chart_intro_gpu"] + "从 n = " in out


@pytest.mark.parametrize(("ratio", "key"), [(1.0, "first_same"), (1.19, "first_same"), (1.2, "first_slow"),
                                            (3.0, "first_slow")])
def test_first_call_statement_follows_the_ratios(ratio, key):
    """The summary says the first call is slower only when a recorded ratio reaches FIRST_CALL_SLOW."""
    out = text(tr.render("first_call", doc(with_first_calls(cpu_record(), ratio)), "en", CPU_ID))
    other = {"first_same": "first_slow", "first_slow": "first_same"}[key]
    assert STRINGS["en"][key].split("{span}")[0] in out
    assert STRINGS["en"][other].split(":")[-1].strip() not in out
    assert f"{ratio:.2f} times" in out and "(2 measurements)" in out


def test_first_call_statement_gives_the_range_of_mixed_ratios():
    """Two records with different ratios: the sentence gives the lowest and highest, GPU rows included."""
    data = doc(with_first_calls(cpu_record(), 0.97), with_first_calls(gpu_record(), 1.5))
    out = text(tr.render("first_call", data, "en", None))
    assert "between 0.97 and 1.50 times" in out and "(6 measurements)" in out
    assert "warm up before measuring" in out


def test_first_call_statement_without_first_calls():
    """No first-call times at all: the page says so instead of describing them."""
    record = cpu_record()
    for row in record["measurements"]:
        row["first_call_s"] = None
    assert STRINGS["zh"]["first_none"] in tr.render("first_call", doc(record), "zh", None)


def test_the_recorded_data_renders_the_measured_ratios():
    """On the site's own data/timings.json the statement carries the ratios the naive table shows."""
    data = load_timings(ROOT / "data" / "timings.json")
    ratios = tr.first_call_ratios(data)
    assert ratios, "data/timings.json holds no first-call times"
    out = text(tr.render("first_call", data, "en", None))
    assert f"{min(ratios):.2f}" in out and f"{max(ratios):.2f}" in out
    naive = text(tr.render("naive", data, "en", None))
    assert all(f"{r:.2f}×" in naive for r in ratios)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_timings_page_has_no_unconditional_gpu_promise(lang, tmp_path):
    """The timings page as written, rendered from CPU-only records, makes none of the old GPU promises."""
    page = (ROOT / "docs" / lang / "timings.md").read_text(encoding="utf-8")
    assert "<!-- timings:chart_intro -->" in page and "<!-- timings:first_call -->" in page
    data_file = tmp_path / "timings.json"
    data_file.write_text((ROOT / "data" / "timings.json").read_text(encoding="utf-8"), encoding="utf-8")
    out = render_placeholders(page, "timings.md", data_file, STRINGS[lang], lambda: CPU_ID)
    assert not any(p in out for p in PROMISES)
    assert "pays for initialisation" not in out and "the seed" not in out
