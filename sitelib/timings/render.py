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

from sitelib.timings.chart import chart_svg, crossovers, sweep_series
from sitelib.timings.schema import PRECISIONS
from sitelib.timings.strings import STRINGS

PLACEHOLDERS = ("table", "machines", "chart", "naive", "summary", "chart_intro", "first_call")

# A first call at least this many times the median counts as slower: below it, the
# difference is within the spread of repeated calls (the IQRs of the records are a few %).
FIRST_CALL_SLOW = 1.2


def strings(lang: str | dict) -> dict:
    """The string table for ``lang``: a key of STRINGS, or a table given whole (a generated language's,
    converted from its source's by the lesson plugin)."""
    return lang if isinstance(lang, dict) else STRINGS[lang]


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


def gpu_machines(data: dict) -> list:
    """The records that hold GPU measurements (a GPU listed but not measured does not count)."""
    return [r for r in data["machines"] if any(m["device"] != "cpu" for m in r["measurements"])]


def has_gpu_records(data: dict) -> bool:
    return bool(gpu_machines(data))


def summary_text(data: dict, lang: str) -> str:
    """'Timings from N machines, M with a GPU.', counted from the data, in ``lang``."""
    s = strings(lang)
    n, g = len(data["machines"]), len(gpu_machines(data))
    return s["summary"].format(machines=s["machine_count"][n != 1].format(n=n),
                               gpus=s["gpu_count"][g != 0].format(n=g))


def render_summary(data: dict, lang: str, current_id: str | None) -> str:
    """How many machines the page's timings come from, and how many of them had a GPU."""
    s = strings(lang)
    if not data["machines"]:
        return _wrap([_notice(s["no_data"], s)])
    return _wrap([f"<p>{_e(summary_text(data, lang))}</p>"])


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
    s = strings(lang)
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
    s = strings(lang)
    if not data["machines"]:
        return _wrap([_notice(s["no_data"], s)])
    parts = [] if has_gpu_records(data) else [_notice(s["no_gpu"], s)]
    order = {"seed": 0, "sweep": 1}
    for record in data["machines"]:
        for rows in _by_device(record, "matmul").values():
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
    s = strings(lang)
    if not data["machines"]:
        return _wrap([_notice(s["no_data"], s)])
    rows = [(rec, r) for rec in data["machines"] for r in rec["measurements"]
            if r["kind"] == "matmul" and r["role"] == "seed"]
    rows.sort(key=lambda item: -item[1]["tflops"])
    cells = [[_e(r["device_name"]), _e(r["device"]), _e(_variant(r, s)), fmt_seconds(r["median_s"]),
              _num(r["tflops"]), _num(r["peak_percent"]),
              f'{_e(rec["date_utc"][:10])}, {s["this"] if rec["machine_id"] == current_id else s["other"]}']
             for rec, r in rows]
    parts = [f"<p>{_e(summary_text(data, lang))}</p>", _table(s["mcols"], cells)]
    if not has_gpu_records(data):
        parts.append(f"<p>{s['no_gpu_short']}</p>")
    if len(data["machines"]) == 1:
        parts.append(f"<p>{s['one_machine']}</p>")
    return _wrap(parts)


def chart_text(record: dict, lang: str) -> tuple[str, str]:
    """Localised (description, caption) of a record's chart: the description, for
    <title> and aria-label, reads out every series; the caption names the devices,
    the date and where the GPU overtakes the CPU."""
    s = strings(lang)
    series = sweep_series(record)
    texts = []
    for (device, variant), points in series.items():
        n, best = max(points, key=lambda p: p[1])
        label = f"CPU {s['threads'].format(n=variant)}" if device == "cpu" else f"{device} {variant}"
        texts.append(s["series"].format(label=label, best=f"{best:.3g}", n=n))
    cross = [s["no_cross" if n is None else "cross"].format(gpu=device, n=n)
             for device, n in crossovers(series).items()]
    if not any(device != "cpu" for device, _ in series):
        cross.append(s["cpu_only"])
    names = sorted({r["device_name"] for r in record["measurements"] if r["kind"] == "matmul"})
    head = s["chart_alt"].format(device=" + ".join(names), date=record["date_utc"][:10])
    sep = s["sentence_gap"]  # Chinese sentences end in 。 and take no space
    return sep.join([head, *texts, *cross]), sep.join([head, *cross])


MAX_CHARTS = 8  # a chart costs ~0.1 s and ~12 KB of SVG: hundreds of machines would make the page unusable


def charted(machines: list[dict]) -> list[dict]:
    """The records that get a chart: the most recent of each kind of machine (its CPU and GPU names), newest
    first, at most MAX_CHARTS; every record stays in the tables.

    >>> rec = lambda i, cpu, date: {"machine_id": i, "cpu_model": cpu, "gpus": [], "date_utc": date}
    >>> [r["machine_id"] for r in charted([rec("a", "X", "2026-01"), rec("b", "X", "2026-02"), rec("c", "Y", "2025-01")])]
    ['b', 'c']
    """
    newest: dict[tuple, dict] = {}
    for record in sorted(machines, key=lambda r: r["date_utc"], reverse=True):
        kind = (record["cpu_model"], tuple(gpu["name"] for gpu in record["gpus"]))
        newest.setdefault(kind, record)
    return list(newest.values())[:MAX_CHARTS]


def render_chart(data: dict, lang: str, current_id: str | None, chart=chart_svg) -> str:
    """A TFLOP/s-against-size chart per kind of machine (see :func:`charted`), with a short caption.

    ``chart`` draws one (:func:`~sitelib.timings.chart.chart_svg`'s arguments and result): a build passes
    its cached one (``sitelib.incremental.chart_cache``)."""
    s = strings(lang)
    parts = [] if has_gpu_records(data) else [_notice(s["no_gpu_short"] + s["sentence_gap"] + s["cpu_only"], s)]
    for record in charted(data["machines"]):
        alt, caption = chart_text(record, lang)
        prefix = "tc" + hashlib.sha256(record["machine_id"].encode()).hexdigest()[:8]  # unique within a page
        svg = chart(record, alt, prefix, tuple(s["legend_cpu"]))
        if svg:
            parts.append(f'<figure class="timings-figure" style="width: 100%">{svg}'
                         f"<figcaption>{_e(caption)}"
                         f"</figcaption></figure>")
    return _wrap(parts or [_notice(s["no_data"], s)])


def render_naive(data: dict, lang: str, current_id: str | None) -> str:
    """Naive time.time() against synchronised clocks and CUDA events, host-to-device copies,
    and the first-call cost on every device."""
    s = strings(lang)
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


def render_chart_intro(data: dict, lang: str, current_id: str | None) -> str:
    """What the chart shows about GPUs: only what the records hold (nothing, without a GPU record)."""
    s = strings(lang)
    if not has_gpu_records(data):
        return _wrap([f"<p>{s['chart_intro_cpu']}</p>"])
    cross = []
    for record in gpu_machines(data):
        names = {r["device"]: r["device_name"] for r in record["measurements"]}
        cross += [s["no_cross" if n is None else "cross"].format(gpu=_e(names.get(device, device)), n=n)
                  for device, n in crossovers(sweep_series(record)).items()]
    return _wrap([f"<p>{s['sentence_gap'].join([s['chart_intro_gpu'], *cross])}</p>"])


def first_call_ratios(data: dict) -> list:
    """First call / median of the lesson's product, for every device and variant that timed its first call."""
    return [r["first_call_s"] / r["median_s"] for rec in data["machines"] for r in rec["measurements"]
            if r["kind"] == "matmul" and r["role"] == "seed" and r["first_call_s"] and r["median_s"] > 0]


def render_first_call(data: dict, lang: str, current_id: str | None) -> str:
    """Whether the recorded first calls were slower than the median, as the ratios say."""
    s = strings(lang)
    ratios = first_call_ratios(data)
    if not ratios:
        return _wrap([f"<p>{s['first_none']}</p>"])
    lo, hi = f"{min(ratios):.2f}", f"{max(ratios):.2f}"
    span = s["ratio_one"].format(r=lo) if lo == hi else s["ratio_span"].format(lo=lo, hi=hi)
    key = "first_slow" if max(ratios) >= FIRST_CALL_SLOW else "first_same"
    return _wrap([f"<p>{s[key].format(span=span, n=len(ratios))}</p>"])


RENDERERS = {"table": render_table, "machines": render_machines, "chart": render_chart,
             "naive": render_naive, "summary": render_summary, "chart_intro": render_chart_intro,
             "first_call": render_first_call}


def render(name: str, data: dict, lang: str | dict, current_id: str | None, chart=chart_svg) -> str:
    """Render placeholder ``name`` (charts drawn by ``chart``); KeyError names an unknown placeholder."""
    if name not in RENDERERS:
        raise KeyError(f"unknown timings placeholder {name!r} (known: {', '.join(PLACEHOLDERS)})")
    if name == "chart":
        return render_chart(data, lang, current_id, chart)
    return RENDERERS[name](data, lang, current_id)
