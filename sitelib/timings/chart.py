"""TFLOP/s against matrix size as an inline SVG that reads in light and dark mode.

The figure is drawn with matplotlib's object API on an Agg canvas (no pyplot
state, no GUI backend) and saved as SVG with ``svg.fonttype = 'none'`` so text
stays text and the chart stays small. Text, axes and grid are drawn in a
sentinel colour that is then replaced by ``currentColor``: the chart takes the
page's text colour in both the light and the dark palette, on a transparent
background. Only language-neutral text (n, TFLOP/s, device ids, precisions) and the
caller's CPU legend are drawn inside the chart; the localised description goes into ``<title>`` and
``aria-label``, which the caller provides.
"""

from __future__ import annotations

import html
import io
import math
import re
import warnings

from sitelib.timings.schema import PRECISIONS

_INK = "#010203"  # sentinel for text and axes, replaced by currentColor
# Mid-luminance colours that keep contrast on white and on Material's slate background;
# markers and dash styles also tell the series apart without colour.
_CPU_STYLES = [("#8e6bbf", "o", "--"), ("#2e9e5b", "s", "-")]
_GPU_STYLES = {"fp32": ("#e8590c", "^", "-"), "tf32": ("#d6336c", "v", "-."),
               "bf16": ("#1c7ed6", "D", "-"), "fp16": ("#0c9ba8", "P", ":")}


def sweep_series(record: dict) -> dict:
    """``{(device, variant): [(n, TFLOP/s), ...]}`` of the square sweep; variant is
    the thread count on the CPU and the precision on a GPU."""
    out: dict = {}
    for row in record["measurements"]:
        if row["kind"] == "matmul" and row["role"] == "sweep" and row["m"] == row["k"] == row["n"]:
            variant = row["threads"] if row["device"] == "cpu" else row["precision"]
            out.setdefault((row["device"], variant), []).append((row["n"], row["tflops"]))
    def rank(key):
        device, variant = key
        return (device != "cpu", device, variant if device == "cpu" else PRECISIONS.index(variant))
    return {key: sorted(out[key]) for key in sorted(out, key=rank)}


def best_cpu_series(series: dict):
    """The CPU series with the most threads (the CPU at its best), or None."""
    cpu = [(variant, pts) for (device, variant), pts in series.items() if device == "cpu"]
    return max(cpu, key=lambda item: item[0])[1] if cpu else None


def crossover(cpu_points, gpu_points):
    """Smallest size n shared by both series from which the GPU is faster at every larger
    shared size; None when the GPU is not faster at the largest shared size."""
    cpu, gpu = dict(cpu_points), dict(gpu_points)
    shared = sorted(set(cpu) & set(gpu))
    found = None
    for n in reversed(shared):
        if gpu[n] > cpu[n]:
            found = n
        else:
            break
    return found


def crossovers(series: dict) -> dict:
    """``{gpu device: crossover size or None}`` of each GPU's fp32 series against the
    CPU at its best; empty when there is no CPU series or no GPU fp32 series."""
    cpu = best_cpu_series(series)
    if not cpu:
        return {}
    return {device: crossover(cpu, points) for (device, variant), points in series.items()
            if device != "cpu" and variant == "fp32"}


CPU_LEGEND = ("CPU ×{n} thread", "CPU ×{n} threads")  # the caller passes its language's (one, several)


def _label(device: str, variant, cpu_legend=CPU_LEGEND) -> str:
    if device == "cpu":
        return cpu_legend[variant != 1].format(n=variant)
    return f"{device} {variant}"


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis from ``low`` to ``high``: 1-2-5 steps, finer when the range
    is narrow, so that even a range within one decade gets at least four labelled ticks.

    >>> log_ticks(0.085, 0.21)
    [0.09, 0.1, 0.12, 0.15, 0.2]
    >>> log_ticks(0.01, 10)
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    """
    if not 0 < low <= high:
        raise ValueError(f"a log axis needs 0 < low <= high, got {low}, {high}")
    for steps in ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [float(f"{m * 10.0 ** e:.3g}") for e in range(math.floor(math.log10(low)) - 1,
                                                             math.ceil(math.log10(high)) + 1)
                 for m in steps]
        ticks = [t for t in ticks if low <= t <= high]
        if len(ticks) >= 4:
            return ticks
    return ticks


def _draw(series: dict, cross: dict, cpu_legend=CPU_LEGEND) -> str:
    # Imported here: a build whose charts come from sitelib.incremental.chart_cache never loads matplotlib.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    # A small canvas with large type: the SVG scales to the column, so text stays readable on a phone.
    fig = Figure(figsize=(5.0, 3.7), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    cpu_styles = iter(_CPU_STYLES * 4)
    sizes = sorted({n for points in series.values() for n, _ in points})
    for (device, variant), points in series.items():
        colour, marker, dash = (next(cpu_styles) if device == "cpu"
                                else _GPU_STYLES.get(variant, ("#868e96", "x", "-")))
        xs, ys = zip(*points)
        ax.plot(xs, ys, color=colour, marker=marker, linestyle=dash, linewidth=1.6,
                markersize=5, label=_label(device, variant, cpu_legend))
    # The crossover is a shaded region with a label, not a line: no series can be mistaken for it.
    for device, n in cross.items():
        ax.axvspan(n, sizes[-1], color=_INK, alpha=0.07, linewidth=0)
        ax.annotate(f"{device} fp32 faster →", xy=(n, 1), xycoords=("data", "axes fraction"),
                    xytext=(4, -4), textcoords="offset points", fontsize=9, va="top")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    values = [v for points in series.values() for _, v in points]
    low, high = min(values) / 1.1, max(values) * 1.1
    ax.set_ylim(low, high)
    ax.yaxis.set_major_locator(FixedLocator(log_ticks(low, high)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel("matrix size n (n×n @ n×n), log scale")
    ax.set_ylabel("TFLOP/s, log scale")
    ax.grid(True, which="major", color=_INK, alpha=0.18, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(fontsize=10, ncols=min(len(series), 2), loc="outside lower center")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", transparent=True)
    return buf.getvalue()


_RC = {"svg.fonttype": "none", "svg.hashsalt": "timings-chart", "font.size": 11,
       "text.color": _INK, "axes.edgecolor": _INK, "axes.labelcolor": _INK,
       "xtick.color": _INK, "ytick.color": _INK, "legend.frameon": False,
       "font.family": "sans-serif", "axes.unicode_minus": False}


def chart_svg(record: dict, alt_text: str, id_prefix: str = "tchart", cpu_legend=CPU_LEGEND) -> str | None:
    """Inline ``<svg>`` of the record's sweep with ``alt_text`` as title and aria-label;
    None when the record has no sweep."""
    series = sweep_series(record)
    if not series:
        return None
    cross = {device: n for device, n in crossovers(series).items() if n is not None}
    import matplotlib

    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # Text stays text (svg.fonttype none): the browser draws a Chinese legend in the
        # page's font; matplotlib only measures it with its own, which lacks CJK glyphs.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        svg = _draw(series, cross, cpu_legend)
    return _inline(svg, alt_text, id_prefix)


def _inline(svg: str, alt_text: str, prefix: str) -> str:
    """Turn matplotlib's standalone SVG into an accessible, theme-aware inline element."""
    svg = svg[svg.index("<svg"):]  # drop the XML declaration and DOCTYPE
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = svg.replace(_INK, "currentColor")
    # An inline <style> applies to the whole page: scope matplotlib's rule to the chart.
    svg = svg.replace("*{stroke-linejoin", ".timings-chart *{stroke-linejoin")
    svg = re.sub(r"font-family:[^;\"]*", "font-family: inherit", svg)  # the page's font
    # Several charts on one page must not share ids (clip paths, markers).
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if ids:
        pattern = re.compile(r'(\bid="|#)(' + "|".join(map(re.escape, ids)) + r')\b')
        svg = pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    label = html.escape(alt_text, quote=True)
    svg = re.sub(r'<svg\b[^>]*?(viewBox="[^"]*")[^>]*>',
                 lambda m: ('<svg xmlns="http://www.w3.org/2000/svg" '
                            'xmlns:xlink="http://www.w3.org/1999/xlink" '
                            f'{m.group(1)} width="100%" role="img" aria-label="{label}" '
                            'class="timings-chart" style="width: 100%; max-width: 44rem; '
                            f'height: auto; color: inherit"><title>{label}</title>'),
                 svg, count=1)
    return svg.strip()
