"""HTML and Markdown around the executed example pages: downloads, stamp, execution report."""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlparse

from sitelib.languages.language import Language, strings_for
from sitelib.languages.conversion import Conversion

TEXT = {
    "en": {
        "download_py": "Download the source (.py)",
        "download_ipynb": "Download the executed notebook (.ipynb)",
        "colab": "Open in Colab",
        "stamp": "Executed on {machine} with torch {torch} on {date}, in {seconds:.2f} s.",
        "no_gpu": "no GPU",
        "not_executed": "Not executed in this build (LESSON_EXECUTE=0): outputs are missing.",
        "report_title": "Execution report",
        "report_intro": "Every example of this site is executed when the site is built. "
        "This table lists each one with its status, run time and the machine it ran on, slowest first; "
        "a run made on another machine (a GPU machine, say) and merged into the repository says so.",
        "columns": ("Example", "Status", "Run time (s)", "Machine", "torch", "Executed (UTC)"),
        "ok": "ok",
        "ok_merged": "ok, merged",
        "skipped": "not executed",
        "total": "Total",
        # Where a cell's output was capped (sitelib.examples.output_limits); {count} is a number.
        "lines_omitted": "… {count} lines omitted …",
        "chars_omitted": " … {count} characters omitted … ",
        # An example shown with more than one run, or with a run merged from another machine (sitelib.examples.runs).
        "kinds": {"gpu": "GPU", "cpu": "CPU"},
        "run_stamp": "{kind} run: executed on {machine}{id} with torch {torch}{cuda} on {date}, in {seconds:.2f} s{origin}.",
        "cuda": " and CUDA {cuda}",
        "machine_id": " (machine {id}, as on the recorded timings page)",
        "merged": " (run on that machine, then merged into the repository)",
        "here": " (in this build)",
        "tab": "{kind} run: {device}",
        "stale": "This example's {kind} run (on {machine}, {date}) is out of date: the example changed since it ran, "
        "so its outputs are not shown. To refresh it, run {refresh} on a machine with a GPU, then {merge}.",
        "tabs_note": "Where the runs' outputs differ, each cell shows them in tabs, one per run.",
    },
    "zh": {
        "download_py": "下载源代码（.py）",
        "download_ipynb": "下载已执行的笔记本（.ipynb）",
        "colab": "在 Colab 中打开",
        "stamp": "执行环境：{machine}，torch {torch}，时间 {date}，耗时 {seconds:.2f} 秒。",
        "no_gpu": "无 GPU",
        "not_executed": "本次构建未执行示例（LESSON_EXECUTE=0），因此没有输出。",
        "report_title": "执行报告",
        "report_intro": "本站的每个示例都在构建网站时执行。下表列出每个示例的状态、运行时间和运行它的机器，最慢的在前；"
        "在其他机器（例如 GPU 机器）上运行后合并进仓库的结果会注明。",
        "columns": ("示例", "状态", "耗时（秒）", "机器", "torch", "执行于（UTC）"),  # s2twp makes 运行时间 and 执行时间 both 執行時間
        "ok": "成功",
        "ok_merged": "成功（合并）",
        "skipped": "未执行",
        "total": "合计",
        "lines_omitted": "……（此处省略 {count} 行输出）……",
        "chars_omitted": "……（此处省略 {count} 个字符）……",
        "kinds": {"gpu": "GPU", "cpu": "CPU"},
        "run_stamp": "{kind} 运行：执行环境 {machine}{id}，torch {torch}{cuda}，时间 {date}，耗时 {seconds:.2f} 秒{origin}。",
        "cuda": "，CUDA {cuda}",
        "machine_id": "（机器 {id}，与实测计时页相同）",
        "merged": "（在该机器上运行后合并进仓库）",
        "here": "（本次构建）",
        "tab": "{kind} 运行：{device}",
        "stale": "本示例的 {kind} 运行结果（{machine}，{date}）已过期：示例在运行之后改过，所以这里不显示它的输出。"
        "要更新它，请在有 GPU 的机器上运行 {refresh}，然后执行 {merge}。",
        "tabs_note": "两次运行输出不同的单元格，以标签页分别显示每次运行的输出。",
    },
}


@dataclass(frozen=True)
class RunStamp:
    """One run of an example, as its page names it: kind, machine, date, duration, and where it was made."""

    kind: str  # "gpu" or "cpu"
    machine: dict
    executed_at: str
    seconds: float
    merged: bool  # made on another machine and merged (make merge-executions), not by this build


@dataclass(frozen=True)
class ExampleInfo:
    """What the page of one executed example needs to know."""

    stem: str
    title: str
    seconds: float
    machine: dict
    executed_at: str
    uri: str = ""  # the page's notebook, e.g. examples/demo.ipynb
    runs: tuple[RunStamp, ...] = ()  # when set: every run the page shows, the one above first
    stale: tuple[RunStamp, ...] = ()  # merged runs out of date: named, their outputs not shown


EN = Language("en", "en", "English", "en", "Lesson")  # for the examples below

# How a stale GPU run is refreshed: on a GPU machine, then back in the project (the page and the log say it).
REFRESH_COMMANDS = ("scripts/gpu_check.sh OUTDIR", "make merge-executions DIR=OUTDIR/executions")


def text(lang: Language, conversion: Conversion | None = None) -> dict:
    """The example pages' interface strings in ``lang`` (converted for a generated language)."""
    return (conversion or Conversion(lang.convert)).strings(strings_for(TEXT, lang, "example page"))


def machine_label(machine: dict, t: dict) -> str:
    """``CPU model / GPU name`` (or "no GPU"), not escaped.

    >>> machine_label({"cpu": "AMD EPYC", "gpu": None}, text(EN))
    'AMD EPYC / no GPU'
    """
    return f"{machine.get('cpu', '?')} / {machine.get('gpu') or t['no_gpu']}"


def colab_url(repo_url: str, notebook_path: str, branch: str) -> str | None:
    """Colab address of a notebook published on the site's GitHub Pages branch; None off GitHub.

    >>> colab_url("https://github.com/owner/repo/", "examples/x/x.ipynb", "gh-pages")
    'https://colab.research.google.com/github/owner/repo/blob/gh-pages/examples/x/x.ipynb'
    >>> colab_url("https://gitlab.com/owner/repo", "x.ipynb", "gh-pages") is None
    True
    """
    parsed = urlparse(repo_url)
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.netloc != "github.com" or len(parts) < 2:
        return None
    return f"https://colab.research.google.com/github/{parts[0]}/{parts[1]}/blob/{branch}/{notebook_path}"


def render_banner(info: ExampleInfo, t: dict, colab: str | None) -> str:
    """The download links and the "executed on" stamp shown at the top of an example page.

    Links are relative to the page (``examples/<stem>/``), where the build puts both files.

    >>> info = ExampleInfo("demo", "Demo", 1.5, {"cpu": "<b>CPU</b>", "gpu": None, "torch": "2.13.0"}, "2026-01-01T00:00:00Z")
    >>> "&lt;b&gt;CPU&lt;/b&gt;" in render_banner(info, text(EN), None)
    True
    """
    stem = html.escape(info.stem.rsplit("/", 1)[-1])
    links = [
        f'<a class="md-button" href="{stem}.py" download>{t["download_py"]}</a>',
        f'<a class="md-button" href="{stem}.ipynb" download>{t["download_ipynb"]}</a>',
    ]
    if colab:
        links.append(f'<a class="md-button" href="{html.escape(colab)}">{t["colab"]}</a>')
    stamp = t["not_executed"] if not info.executed_at else t["stamp"].format(
        machine=html.escape(machine_label(info.machine, t)),
        torch=html.escape(str(info.machine.get("torch", "?"))),
        date=html.escape(info.executed_at),
        seconds=info.seconds,
    )
    stamps = [stamp] if not (len(info.runs) > 1 or any(r.merged for r in info.runs)) else [
        run_stamp(run, t) for run in info.runs]
    if len(info.runs) > 1:
        stamps.append(t["tabs_note"])
    lines = "".join(f'<p class="lesson-stamp"><small>{s}</small></p>\n' for s in stamps)
    notices = "".join(f'<div class="admonition warning lesson-stale"><p>{stale_notice(s, t)}</p></div>\n'
                      for s in info.stale)
    return (
        f'<div class="lesson-example-banner">\n<p class="lesson-downloads">{" ".join(links)}</p>\n'
        f'{lines}{notices}</div>\n'
    )


def run_stamp(run: RunStamp, t: dict) -> str:
    """One run's line: kind, machine, torch (and CUDA for a GPU run), date, duration, where it ran; HTML.

    >>> run_stamp(RunStamp("gpu", {"cpu": "Xeon", "gpu": "H200", "torch": "2.11.0", "cuda": "12.8"},
    ...                    "2026-12-01T10:00:00Z", 3.25, True), text(EN))
    'GPU run: executed on Xeon / H200 with torch 2.11.0 and CUDA 12.8 on 2026-12-01T10:00:00Z, in 3.25 s (run on that machine, then merged into the repository).'
    """
    cuda = run.machine.get("cuda") if run.kind == "gpu" else None
    return t["run_stamp"].format(
        kind=t["kinds"][run.kind], machine=html.escape(machine_label(run.machine, t)),
        torch=html.escape(str(run.machine.get("torch", "?"))),
        cuda=t["cuda"].format(cuda=html.escape(str(cuda))) if cuda else "",
        id=t["machine_id"].format(id=html.escape(str(run.machine["machine_id"]))) if run.machine.get("machine_id") else "",
        date=html.escape(run.executed_at), seconds=run.seconds, origin=t["merged"] if run.merged else t["here"])


def stale_notice(run: RunStamp, t: dict) -> str:
    """What the page says of a merged run that no longer matches the example, and how to refresh it; HTML."""
    return t["stale"].format(
        kind=t["kinds"][run.kind], machine=html.escape(run.machine.get("gpu") or run.machine.get("cpu", "?")),
        date=html.escape(run.executed_at), refresh=f"<code>{REFRESH_COMMANDS[0]}</code>",
        merge=f"<code>{REFRESH_COMMANDS[1]}</code>")


def tab_label(run: RunStamp, t: dict) -> str:
    """A content tab's label for one run, not escaped: its kind and the device it ran on.

    >>> tab_label(RunStamp("cpu", {"cpu": "AMD EPYC", "gpu": None}, "d", 1.0, False), text(EN))
    'CPU run: AMD EPYC'
    """
    return t["tab"].format(kind=t["kinds"][run.kind], device=run.machine.get("gpu") or run.machine.get("cpu", "?"))


def _cell(text: str) -> str:
    """Escape ``text`` for a Markdown table cell."""
    return html.escape(text).replace("|", "&#124;")


def render_report(examples: list[ExampleInfo], t: dict) -> str:
    """The execution report page, in Markdown: every example, slowest first.

    >>> page = render_report([ExampleInfo("a", "A", 0.5, {"cpu": "X", "gpu": None, "torch": "2"}, "d", "examples/a.ipynb")], text(EN))
    >>> "| [A](examples/a.ipynb) | ok | 0.50 | X / no GPU | 2 | d |" in page
    True
    """
    header = "| " + " | ".join(t["columns"]) + " |"
    # One row per run; an example without run records (a preview build) is its one local run.
    runs = [(e, r) for e in examples
            for r in (e.runs or (RunStamp("cpu", e.machine, e.executed_at, e.seconds, False),))]
    rows = [
        f"| [{_cell(e.title)}]({e.uri}){' (' + t['kinds'][r.kind] + ')' if len(e.runs) > 1 else ''} "
        f"| {(t['ok_merged'] if r.merged else t['ok']) if r.executed_at else t['skipped']} | {r.seconds:.2f} "
        f"| {_cell(machine_label(r.machine, t))} | {_cell(str(r.machine.get('torch', '?')))} | {_cell(r.executed_at)} |"
        for e, r in sorted(runs, key=lambda pair: -pair[1].seconds)
    ]
    total = sum(r.seconds for _, r in runs)
    return "\n".join(
        [
            f"# {t['report_title']}",
            "",
            t["report_intro"],
            "",
            header,
            "|" + "---|" * len(t["columns"]),
            *rows,
            f"| **{t['total']}** | | {total:.2f} | | | |",
            "",
        ]
    )
