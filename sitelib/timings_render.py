"""Recorded timings as HTML for the lesson pages: data in, string out.

Output is raw HTML (Markdown passes block-level HTML through untouched), so a
device name cannot inject Markdown or markup: every string that comes from a
machine is escaped with :func:`html.escape`. ``current_id`` is the machine id
of the machine building the site; records with another id are labelled as
recorded elsewhere.
"""

from __future__ import annotations

import hashlib
import html

from sitelib.timings_chart import best_cpu_series, chart_svg, crossover, sweep_series
from sitelib.timings_schema import PRECISIONS

PLACEHOLDERS = ("table", "machines", "chart", "naive")
_CMD = "<code>python scripts/record_timings.py</code>"

STRINGS = {
    "en": {
        "provenance": "Recorded on {device} on {date} with torch {torch}.",
        "here": "recorded on the machine that built this page",
        "elsewhere": "recorded on another machine, not on the one that built this page",
        "details": "machine id {id} · {cores} logical cores · driver {driver} · CUDA {cuda} · "
                   "commit {commit} · script {script}",
        "no_gpu": "No GPU record has been recorded yet: every number on this page was measured "
                  "on a CPU. To add one, run " + _CMD + " on a machine with a CUDA GPU and "
                  "commit <code>data/timings.json</code>.",
        "no_gpu_short": "No GPU record has been recorded yet.",
        "no_gpu_naive": "No GPU record has been recorded yet, so there is no clock comparison "
                        "and no host-to-device copy to show. On a CPU every call is "
                        "synchronous; what remains is the cost of the first call:",
        "no_data": "No timings have been recorded yet. Run " + _CMD + " to add the first record.",
        "note": "Note",
        "cols": ["Shape (M×K×N)", "Threads / precision", "Median", "IQR", "Runs × calls",
                 "TFLOP/s", "% of dense peak", "First call"],
        "mcols": ["Machine", "Device", "Threads / precision", "Median", "TFLOP/s",
                  "% of dense peak", "Recorded"],
        "threads": "{n} thread(s)", "seed": "lesson", "this": "this machine",
        "other": "elsewhere", "one_machine": "Only one machine has been recorded so far; "
                                             "add yours with " + _CMD + ".",
        "chart_alt": "Line chart of TFLOP/s against matrix size n for n×n @ n×n products on "
                     "{device}, recorded {date}.",
        "series": "{label} reaches {best} TFLOP/s at n = {n}.",
        "cross": "{gpu} fp32 overtakes the CPU from n = {n}.",
        "no_cross": "{gpu} fp32 is not faster than the CPU at the largest size measured on both.",
        "cpu_only": "Only CPU series are drawn.",
        "mcols_naive": ["Clock", "Time", "Samples"],
        "methods": {
            "naive_first": "time.time() around the first call, no synchronize (the original lesson)",
            "naive_warm": "time.time() after warm-up, no synchronize (the original lesson)",
            "synchronized_first": "first call, torch.cuda.synchronize() before reading the clock",
            "synchronized_warm": "after warm-up, torch.cuda.synchronize() before reading the clock",
            "cuda_events": "CUDA events (torch.cuda.Event(enable_timing=True))",
            "benchmark": "torch.utils.benchmark median",
        },
        "copy_cols": ["Host memory", "Bytes", "Time", "GB/s"],
        "pageable": "pageable", "pinned": "pinned",
        "first_cols": ["Device", "Threads", "First call", "Median after warm-up", "First / median"],
    },
    "zh": {
        "provenance": "{date} 在 {device} 上用 torch {torch} 测得。",
        "here": "在构建本页的机器上测得",
        "elsewhere": "在另一台机器上测得，不是构建本页的机器",
        "details": "机器 ID {id} · {cores} 个逻辑核 · 驱动 {driver} · CUDA {cuda} · "
                   "提交 {commit} · 脚本 {script}",
        "no_gpu": "目前还没有任何 GPU 记录：本页的所有数字都是在 CPU 上测得的。要添加 GPU 记录，"
                  "请在有 CUDA GPU 的机器上运行 " + _CMD + "，并提交 <code>data/timings.json</code>。",
        "no_gpu_short": "目前还没有任何 GPU 记录。",
        "no_gpu_naive": "目前还没有任何 GPU 记录，所以这里没有计时方法的对比，也没有主机到设备的拷贝。"
                        "在 CPU 上每次调用都是同步的，剩下可比的是首次调用的开销：",
        "no_data": "还没有任何计时记录。运行 " + _CMD + " 添加第一条记录。",
        "note": "注意",
        "cols": ["形状 (M×K×N)", "线程数 / 精度", "中位数", "四分位距", "轮数 × 次数",
                 "TFLOP/s", "占稠密峰值 %", "首次调用"],
        "mcols": ["机器", "设备", "线程数 / 精度", "中位数", "TFLOP/s", "占稠密峰值 %", "记录"],
        "threads": "{n} 个线程", "seed": "原文示例", "this": "本机", "other": "其他机器",
        "one_machine": "目前只记录了一台机器；用 " + _CMD + " 添加你的机器。",
        "chart_alt": "折线图：{device} 上 n×n @ n×n 矩阵乘法的 TFLOP/s 随矩阵大小 n 的变化，"
                     "记录于 {date}。",
        "series": "{label}在 n = {n} 时达到 {best} TFLOP/s。",
        "cross": "从 n = {n} 起 {gpu} fp32 快于 CPU。",
        "no_cross": "在两者都测过的最大尺寸上，{gpu} fp32 并不比 CPU 快。",
        "cpu_only": "图中只有 CPU 曲线。",
        "mcols_naive": ["计时方法", "时间", "样本数"],
        "methods": {
            "naive_first": "首次调用，time.time() 计时，不同步（原文代码的做法）",
            "naive_warm": "预热之后，time.time() 计时，不同步（原文代码的做法）",
            "synchronized_first": "首次调用，读时钟前先 torch.cuda.synchronize()",
            "synchronized_warm": "预热之后，读时钟前先 torch.cuda.synchronize()",
            "cuda_events": "CUDA 事件（torch.cuda.Event(enable_timing=True)）",
            "benchmark": "torch.utils.benchmark 中位数",
        },
        "copy_cols": ["主机内存", "字节数", "时间", "GB/s"],
        "pageable": "可分页内存", "pinned": "锁页内存",
        "first_cols": ["设备", "线程数", "首次调用", "预热后中位数", "首次 / 中位数"],
    },
}


def language(value) -> str:
    """Map a theme language ("en", "zh", "zh-CN", ...) to a key of STRINGS."""
    return "zh" if str(value or "").lower().startswith("zh") else "en"


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def fmt_seconds(seconds: float) -> str:
    """Three significant digits in a readable unit: '421 ms', '44.5 µs', '1.23 s'."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _num(x) -> str:
    return "—" if x is None else f"{x:.3g}"


def _table(head: list, rows: list) -> str:
    """``rows`` hold already escaped cell HTML."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _notice(text: str, s: dict) -> str:
    return (f'<div class="admonition note"><p class="admonition-title">{s["note"]}</p>'
            f"<p>{text}</p></div>")


def _wrap(parts: list) -> str:
    return '\n\n<div class="timings">\n' + "\n".join(parts) + "\n</div>\n\n"


def has_gpu_records(data: dict) -> bool:
    return any(m["device"] != "cpu" for r in data["machines"] for m in r["measurements"])


def _by_device(record: dict, kind: str) -> dict:
    out: dict = {}
    for row in record["measurements"]:
        if row["kind"] == kind:
            out.setdefault(row["device"], []).append(row)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] != "cpu", kv[0])))


def _variant(row: dict, s: dict) -> str:
    return s["threads"].format(n=row["threads"]) if row["device"] == "cpu" else row["precision"]


def provenance(record: dict, device_name: str, lang: str, current_id: str | None) -> str:
    """The provenance paragraph: device, date, torch version, and where it was recorded."""
    s = STRINGS[lang]
    where = s["here"] if record["machine_id"] == current_id else s["elsewhere"]
    details = s["details"].format(
        id=_e(record["machine_id"]), cores=record["logical_cores"],
        driver=_e(record["driver_version"] or "—"), cuda=_e(record["cuda_version"] or "—"),
        commit=_e((record["git_commit"] or "—")[:12]), script=_e(record["script_version"]))
    line = s["provenance"].format(device=f"<strong>{_e(device_name)}</strong>",
                                  date=_e(record["date_utc"][:10]), torch=_e(record["torch_version"]))
    return (f'<p class="timings-provenance">{line} <em>({where})</em><br>'
            f"<small>{details}</small></p>")


def render_table(data: dict, lang: str, current_id: str | None) -> str:
    """One table per machine and device, each under its provenance line."""
    s = STRINGS[lang]
    if not data["machines"]:
        return _wrap([_notice(s["no_data"], s)])
    parts = [] if has_gpu_records(data) else [_notice(s["no_gpu"], s)]
    order = {"seed": 0, "sweep": 1}
    for record in data["machines"]:
        for device, rows in _by_device(record, "matmul").items():
            rows = sorted(rows, key=lambda r: (order[r["role"]], PRECISIONS.index(r["precision"]),
                                               r["threads"] or 0, r["n"]))
            cells = [[f'{r["m"]}×{r["k"]}×{r["n"]}' + (f' ({s["seed"]})' if r["role"] == "seed"
                                                     else ""),
                      _e(_variant(r, s)), fmt_seconds(r["median_s"]), fmt_seconds(r["iqr_s"]),
                      f'{r["runs"]} × {r["calls_per_run"]}', _num(r["tflops"]),
                      (f'<a href="{_e(r["peak_source"])}" title="{_num(r["peak_tflops"])} TFLOP/s">'
                       f'{r["peak_percent"]:.1f} %</a>' if r["peak_percent"] is not None else "—"),
                      fmt_seconds(r["first_call_s"]) if r["first_call_s"] else "—"] for r in rows]
            parts += [provenance(record, rows[0]["device_name"], lang, current_id),
                      _table(s["cols"], cells)]
    return _wrap(parts)


def render_machines(data: dict, lang: str, current_id: str | None) -> str:
    """The seed product across every recorded machine and device, fastest first."""
    s = STRINGS[lang]
    if not data["machines"]:
        return _wrap([_notice(s["no_data"], s)])
    rows = [(rec, r) for rec in data["machines"] for r in rec["measurements"]
            if r["kind"] == "matmul" and r["role"] == "seed"]
    rows.sort(key=lambda item: -item[1]["tflops"])
    cells = [[_e(r["device_name"]), _e(r["device"]), _e(_variant(r, s)), fmt_seconds(r["median_s"]),
              _num(r["tflops"]), _num(r["peak_percent"]),
              f'{_e(rec["date_utc"][:10])}, {s["this"] if rec["machine_id"] == current_id else s["other"]}']
             for rec, r in rows]
    parts = [_table(s["mcols"], cells)]
    if not has_gpu_records(data):
        parts.append(f"<p>{s['no_gpu_short']}</p>")
    if len(data["machines"]) == 1:
        parts.append(f"<p>{s['one_machine']}</p>")
    return _wrap(parts)


def chart_text(record: dict, lang: str) -> tuple[str, str]:
    """Localised (description, caption) of a record's chart: the description, for
    <title> and aria-label, reads out every series; the caption names the devices,
    the date and where the GPU overtakes the CPU."""
    s = STRINGS[lang]
    series = sweep_series(record)
    texts = []
    for (device, variant), points in series.items():
        n, best = max(points, key=lambda p: p[1])
        label = f"CPU {s['threads'].format(n=variant)}" if device == "cpu" else f"{device} {variant}"
        texts.append(s["series"].format(label=label, best=f"{best:.3g}", n=n))
    cpu, cross = best_cpu_series(series), []
    for (device, variant), points in series.items():
        if device != "cpu" and variant == "fp32" and cpu:
            n = crossover(cpu, points)
            cross.append(s["no_cross" if n is None else "cross"].format(gpu=device, n=n))
    if not any(device != "cpu" for device, _ in series):
        cross.append(s["cpu_only"])
    names = sorted({r["device_name"] for r in record["measurements"] if r["kind"] == "matmul"})
    head = s["chart_alt"].format(device=" + ".join(names), date=record["date_utc"][:10])
    sep = "" if lang == "zh" else " "  # Chinese sentences end in 。 and take no space
    return sep.join([head, *texts, *cross]), sep.join([head, *cross])


def render_chart(data: dict, lang: str, current_id: str | None) -> str:
    """A TFLOP/s-against-size chart per machine, with a short caption."""
    s = STRINGS[lang]
    gap = "" if lang == "zh" else " "
    parts = [] if has_gpu_records(data) else [_notice(s["no_gpu_short"] + gap + s["cpu_only"], s)]
    for record in data["machines"]:
        alt, caption = chart_text(record, lang)
        prefix = "tc" + hashlib.sha256((record["machine_id"] + lang).encode()).hexdigest()[:8]
        svg = chart_svg(record, alt, prefix)
        if svg:
            parts.append(f'<figure class="timings-figure" style="width: 100%">{svg}'
                         f"<figcaption>{_e(caption)}"
                         f"</figcaption></figure>")
    return _wrap(parts or [_notice(s["no_data"], s)])


def render_naive(data: dict, lang: str, current_id: str | None) -> str:
    """Naive time.time() against synchronised clocks and CUDA events, host-to-device copies,
    and the first-call cost on every device."""
    s = STRINGS[lang]
    parts = [] if has_gpu_records(data) else [_notice(s["no_gpu_naive"], s)]
    first_rows = []
    for record in data["machines"]:
        timings = _by_device(record, "timing")
        copies = _by_device(record, "copy")
        matmuls = _by_device(record, "matmul")
        for device, rows in timings.items():
            order = list(s["methods"])
            cells = [[_e(s["methods"][r["method"]]), fmt_seconds(r["seconds"]), str(r["samples"])]
                     for r in sorted(rows, key=lambda r: order.index(r["method"]))]
            bench = [r for r in matmuls.get(device, []) if r["role"] == "seed"
                     and r["precision"] == "fp32"]
            cells += [[_e(s["methods"]["benchmark"]), fmt_seconds(r["median_s"]),
                       f'{r["runs"]} × {r["calls_per_run"]}'] for r in bench]
            parts += [provenance(record, rows[0]["device_name"], lang, current_id),
                      _table(s["mcols_naive"], cells)]
            cells = [[s[r["memory"]], f'{r["bytes"]:,}', fmt_seconds(r["seconds"]),
                      _num(r["gb_per_s"])] for r in copies.get(device, [])]
            if cells:
                parts.append(_table(s["copy_cols"], cells))
        for device, rows in matmuls.items():
            for r in rows:
                # On a GPU the first-call cost is the "first call" rows of the clock table.
                if r["role"] == "seed" and r["first_call_s"] and device == "cpu":
                    first_rows.append([_e(r["device_name"]) + f" ({_e(device)})",
                                       _e(_variant(r, s)), fmt_seconds(r["first_call_s"]),
                                       fmt_seconds(r["median_s"]),
                                       f'{r["first_call_s"] / r["median_s"]:.2f}×'])
    if first_rows:
        parts.append(_table(s["first_cols"], first_rows))
    return _wrap(parts)


RENDERERS = {"table": render_table, "machines": render_machines, "chart": render_chart,
             "naive": render_naive}


def render(name: str, data: dict, lang: str, current_id: str | None) -> str:
    """Render placeholder ``name``; KeyError names an unknown placeholder."""
    if name not in RENDERERS:
        raise KeyError(f"unknown timings placeholder {name!r} (known: {', '.join(PLACEHOLDERS)})")
    return RENDERERS[name](data, language(lang), current_id)
