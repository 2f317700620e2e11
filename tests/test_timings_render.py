"""Rendering recorded timings to HTML and SVG: content, localisation, escaping, accessibility."""

from __future__ import annotations

import re

import pytest

from sitelib.timings import render as tr
from sitelib.timings.chart import chart_svg, crossover
from sitelib.timings.schema import validate_timings

EVIL = "<script>alert(1)</script>"
CPU_ID, GPU_ID = "0123456789abcdef", "fedcba9876543210"


def mm(device, name, n, tflops, *, role="sweep", threads=None, precision="fp32", shape=None):
    m, k, nn = shape or (n, n, n)
    median = 2 * m * k * nn / tflops / 1e12
    peak = 989.5 if device != "cpu" and precision in ("bf16", "fp16") else None
    return {"kind": "matmul", "device": device, "device_name": name, "role": role, "m": m,
            "k": k, "n": nn, "precision": precision,
            "dtype": {"bf16": "bfloat16", "fp16": "float16"}.get(precision, "float32"),
            "tf32": precision == "tf32", "threads": threads, "median_s": median,
            "iqr_s": median / 50, "runs": 7, "calls_per_run": 1, "min_run_time_s": 1.0,
            "first_call_s": median * 3, "tflops": tflops, "peak_tflops": peak,
            "peak_percent": 100 * tflops / peak if peak else None,
            "peak_source": "https://example.com/sheet.pdf?a=1&b=2" if peak else None}


def base(machine_id, cpu, gpus, rows, date="2026-02-03T04:05:06Z"):
    return {"machine_id": machine_id, "cpu_model": cpu, "logical_cores": 16, "gpus": gpus,
            "driver_version": "550.1" if gpus else None, "cuda_version": "12.8" if gpus else None,
            "torch_version": "2.13.0", "python_version": "3.11.7", "date_utc": date,
            "git_commit": None, "script_version": "1.0.0", "measurements": rows}


def cpu_record(cpu="Test CPU", machine_id=CPU_ID):
    rows = [mm("cpu", cpu, 0, t, role="seed", threads=t_, shape=(10000, 1000, 2000))
            for t_, t in ((1, 0.09), (2, 0.17))]
    rows += [mm("cpu", cpu, n, 0.1 * t_, threads=t_) for t_ in (1, 2) for n in (128, 256, 512)]
    return base(machine_id, cpu, [], rows)


def gpu_record(gpu="NVIDIA H100 80GB HBM3", cpu="Host CPU"):
    rows = [mm("cpu", cpu, n, 0.5 * t_, threads=t_) for t_ in (1, 16) for n in
            (128, 256, 512, 1024, 2048)]
    sizes = (128, 256, 512, 1024, 2048, 4096, 8192)
    for p, scale in (("fp32", 1), ("tf32", 5), ("bf16", 10), ("fp16", 10)):
        rows.append(mm("cuda:0", gpu, 0, 40.0 * scale, role="seed", precision=p,
                       shape=(10000, 1000, 2000)))
        rows += [mm("cuda:0", gpu, n, min(0.2 * 4 ** i, 50) * scale, precision=p)
                 for i, n in enumerate(sizes)]
    dev = {"device": "cuda:0", "device_name": gpu, "m": 10000, "k": 1000, "n": 2000,
           "precision": "fp32"}
    for method, sec in (("naive_first", 0.3), ("naive_warm", 8e-6), ("synchronized_first", 0.4),
                        ("synchronized_warm", 0.0011), ("cuda_events", 0.001)):
        rows.append({"kind": "timing", **dev, "method": method, "seconds": sec, "samples": 20})
    for memory, sec in (("pageable", 0.009), ("pinned", 0.0021)):
        rows.append({"kind": "copy", "device": "cuda:0", "device_name": gpu, "memory": memory,
                     "bytes": 48_000_000, "seconds": sec, "samples": 10,
                     "gb_per_s": 48_000_000 / sec / 1e9})
    return base(GPU_ID, cpu, [{"index": 0, "name": gpu, "memory_bytes": 80 * 2**30,
                               "capability": "9.0"}], rows)


def doc(*records):
    data = {"schema_version": 1, "machines": list(records)}
    validate_timings(data)  # the fixtures themselves follow the schema
    return data


def test_table_has_a_provenance_line_per_device():
    """Each device table follows 'Recorded on <device> on <date> with torch <version>'."""
    out = tr.render("table", doc(cpu_record(), gpu_record()), "en", CPU_ID)
    assert "Recorded on <strong>Test CPU</strong> on 2026-02-03 with torch 2.13.0." in out
    assert "Recorded on <strong>NVIDIA H100 80GB HBM3</strong> on 2026-02-03" in out
    assert out.count("<table>") == 3  # Test CPU, Host CPU, cuda:0
    assert "10000×1000×2000 (lesson)" in out and "No GPU record" not in out
    assert 'href="https://example.com/sheet.pdf?a=1&amp;b=2"' in out
    gpu = out.split("NVIDIA H100 80GB HBM3</strong>", 1)[1]
    order = [gpu.index(f"<td>{p}</td>") for p in ("fp32", "tf32", "bf16", "fp16")]
    assert order == sorted(order)  # precisions in a fixed, meaningful order


def test_table_in_chinese():
    """With the zh theme language the provenance line and headers are Chinese."""
    out = tr.render("table", doc(cpu_record()), "zh", CPU_ID)
    assert "2026-02-03 在 <strong>Test CPU</strong> 上用 torch 2.13.0 测得。" in out
    assert "中位数" in out and "Recorded on" not in out


def test_cpu_only_data_says_no_gpu_record_yet():
    """Without any GPU record every placeholder says so plainly, in both languages."""
    data = doc(cpu_record())
    for name in set(tr.PLACEHOLDERS) - {"summary", "first_call"}:  # first calls: every device has them
        assert "No GPU record has been recorded yet" in tr.render(name, data, "en", CPU_ID)
        assert "还没有任何 GPU 记录" in tr.render(name, data, "zh", CPU_ID)
    assert "Timings from 1 machine, none with a GPU." in tr.render("summary", data, "en", CPU_ID)
    assert "其中没有一台有 GPU" in tr.render("summary", data, "zh", CPU_ID)


@pytest.mark.parametrize("records, en, zh", [
    ((), "No timings have been recorded yet.", "还没有任何计时记录。"),
    (("cpu",), "Timings from 1 machine, none with a GPU.", "这里的计时来自 1 台机器，其中没有一台有 GPU。"),
    (("cpu", "gpu"), "Timings from 2 machines, 1 with a GPU.", "这里的计时来自 2 台机器，其中 1 台有 GPU。"),
    (("gpu",), "Timings from 1 machine, 1 with a GPU.", "这里的计时来自 1 台机器，其中 1 台有 GPU。"),
])
def test_summary_counts_machines_and_gpus_from_the_data(records, en, zh):
    """'N machines, M with a GPU' is counted from the records, never assumed, in both languages."""
    data = doc(*[cpu_record() if r == "cpu" else gpu_record() for r in records])
    assert en in tr.render("summary", data, "en", None)
    assert zh in tr.render("summary", data, "zh", None)
    if records:
        assert en in tr.render("machines", data, "en", None)


def test_a_listed_but_unmeasured_gpu_is_not_counted():
    """Only GPU measurements make a machine count as 'with a GPU', not a GPU in its description."""
    rec = cpu_record()
    rec["gpus"] = [{"index": 0, "name": "NVIDIA L4", "memory_bytes": 2**34, "capability": "8.9"}]
    assert "none with a GPU" in tr.render("summary", doc(rec), "en", None)


def test_strings_exist_in_both_languages():
    """Every English string has a Chinese one and the reverse (one table per language)."""
    assert tr.STRINGS["en"].keys() == tr.STRINGS["zh"].keys()
    assert tr.STRINGS["en"]["methods"].keys() == tr.STRINGS["zh"]["methods"].keys()


def test_records_from_other_machines_are_labelled():
    """A GPU record is shown on a GPU-less build machine, labelled as recorded elsewhere."""
    data = doc(cpu_record(), gpu_record())
    out = tr.render("table", data, "en", CPU_ID)
    here, elsewhere = out.split("NVIDIA H100 80GB HBM3</strong>", 1)
    assert "recorded on the machine that built this page" in here
    assert "recorded on another machine" in elsewhere.split("</p>")[0]
    machines = tr.render("machines", data, "en", CPU_ID)
    assert "2026-02-03, elsewhere" in machines and "2026-02-03, this machine" in machines


def test_machine_comparison_is_sorted_by_throughput():
    """The cross-machine table lists the seed product fastest first."""
    out = tr.render("machines", doc(cpu_record(), gpu_record()), "en", None)
    rates = [float(x) for x in re.findall(r"<td>([\d.]+)</td><td>(?:[\d.]+|—)</td><td>2026", out)]
    assert rates == sorted(rates, reverse=True) and len(rates) == 6


def test_naive_comparison_lists_clocks_copies_and_first_calls():
    """The naive section shows each clock method, the benchmark median and both copies."""
    out = tr.render("naive", doc(cpu_record(), gpu_record()), "en", None)
    for text in ("time.time() around the first call", "CUDA events", "torch.cuda.synchronize()",
                 "torch.utils.benchmark median", "pageable", "pinned", "48,000,000", "22.9"):
        assert text in out
    assert "8 µs" in out and "1.1 ms" in out
    assert "First / median" in out and "3.00×" in out


def test_device_names_are_escaped_everywhere():
    """A hostile device or CPU name never reaches the page as markup."""
    data = doc(cpu_record(cpu=EVIL), gpu_record(gpu=EVIL, cpu=EVIL))
    for name in set(tr.PLACEHOLDERS) - {"summary", "first_call"}:  # these show counts and ratios, no names
        for lang in ("en", "zh"):
            out = tr.render(name, data, lang, None)
            assert "<script" not in out, name
            assert "&lt;script&gt;" in out, name


def test_unknown_placeholder_is_refused():
    """Rendering an unknown placeholder names it and the known ones."""
    with pytest.raises(KeyError, match="'tables'.*table, machines, chart, naive, summary"):
        tr.render("tables", doc(cpu_record()), "en", None)


def test_chart_is_small_accessible_and_theme_aware():
    """The SVG has a title and aria-label, uses currentColor, no background, and is < 60 KB."""
    data = doc(gpu_record())
    out = tr.render("chart", data, "en", None)
    svg = re.search(r"<svg.*?</svg>", out, re.S).group(0)
    assert len(svg.encode()) < 60_000
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-label="Line chart of TFLOP/s', svg)
    assert re.search(r"<svg[^>]*>\s*<title>Line chart of TFLOP/s", svg)
    assert "cuda:0 fp32 overtakes the CPU from n = 1024." in out
    assert "currentColor" in svg and "#010203" not in svg
    assert not re.search(r"fill:\s*#ffffff", svg, re.I)  # transparent background
    assert "<?xml" not in svg and "DOCTYPE" not in svg
    assert "<text" in svg  # text kept as text (svg.fonttype = 'none')


def test_two_charts_do_not_share_ids():
    """Element ids are prefixed per chart, so clip paths of one chart never apply to another."""
    out = tr.render("chart", doc(cpu_record(), gpu_record()), "en", None)
    ids = re.findall(r'\bid="([^"]+)"', out)
    assert len(ids) == len(set(ids)) and len(ids) > 10
    refs = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', out)
    assert all((a or b) in ids for a, b in refs)


def test_chart_alt_text_is_localised():
    """The Chinese chart carries a Chinese description."""
    out = tr.render("chart", doc(cpu_record()), "zh", None)
    assert 'aria-label="折线图' in out and "图中只有 CPU 曲线" in out


def test_chart_without_sweep_is_omitted():
    """A record with only the seed product has nothing to plot."""
    rec = cpu_record()
    rec["measurements"] = [m for m in rec["measurements"] if m["role"] == "seed"]
    assert chart_svg(rec, "alt") is None


@pytest.mark.parametrize("cpu, gpu, expected", [
    ([(1, 5), (2, 5), (4, 5)], [(1, 1), (2, 6), (4, 9)], 2),
    ([(1, 5), (2, 5)], [(1, 6), (2, 9)], 1),
    ([(1, 5), (2, 5)], [(1, 1), (2, 2)], None),
    ([(1, 5), (2, 5), (4, 5)], [(1, 9), (2, 1), (4, 9)], 4),
    ([(1, 5)], [(2, 9)], None),
])
def test_crossover(cpu, gpu, expected):
    """The GPU overtakes the CPU at the smallest shared size from which it stays faster."""
    assert crossover(cpu, gpu) == expected


@pytest.mark.parametrize("seconds, text", [(1.234, "1.23 s"), (0.4212, "421 ms"),
                                           (4.45e-5, "44.5 µs"), (3e-9, "3 ns")])
def test_fmt_seconds(seconds, text):
    """Times are shown with three significant digits in a readable unit."""
    assert tr.fmt_seconds(seconds) == text


def test_a_given_string_table_is_used_whole():
    """A generated language passes its own (converted) table; a code picks one of STRINGS; another code raises."""
    from sitelib.timings.strings import STRINGS

    table = {**STRINGS["zh"], "no_data": "還沒有記錄"}
    assert "還沒有記錄" in tr.render("table", {"schema_version": 1, "machines": []}, table, None)
    assert tr.strings("en") is STRINGS["en"]
    with pytest.raises(KeyError):
        tr.strings("fr")

