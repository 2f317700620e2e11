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
        "This table lists each one with its status, run time and the machine it ran on, slowest first.",
        "columns": ("Example", "Status", "Run time (s)", "Machine", "torch", "Executed (UTC)"),
        "ok": "ok",
        "skipped": "not executed",
        "total": "Total",
        # Where a cell's output was capped (sitelib.examples.output_limits); {count} is a number.
        "lines_omitted": "… {count} lines omitted …",
        "chars_omitted": " … {count} characters omitted … ",
    },
    "zh": {
        "download_py": "下载源代码（.py）",
        "download_ipynb": "下载已执行的笔记本（.ipynb）",
        "colab": "在 Colab 中打开",
        "stamp": "执行环境：{machine}，torch {torch}，时间 {date}，耗时 {seconds:.2f} 秒。",
        "no_gpu": "无 GPU",
        "not_executed": "本次构建未执行示例（LESSON_EXECUTE=0），因此没有输出。",
        "report_title": "执行报告",
        "report_intro": "本站的每个示例都在构建网站时执行。下表列出每个示例的状态、运行时间和运行它的机器，最慢的在前。",
        "columns": ("示例", "状态", "耗时（秒）", "机器", "torch", "执行于（UTC）"),  # s2twp makes 运行时间 and 执行时间 both 執行時間
        "ok": "成功",
        "skipped": "未执行",
        "total": "合计",
        "lines_omitted": "……（此处省略 {count} 行输出）……",
        "chars_omitted": "……（此处省略 {count} 个字符）……",
    },
}


@dataclass(frozen=True)
class ExampleInfo:
    """What the page of one executed example needs to know."""

    stem: str
    title: str
    seconds: float
    machine: dict
    executed_at: str
    uri: str = ""  # the page's notebook, e.g. examples/demo.ipynb


EN = Language("en", "en", "English", "en", "Lesson")  # for the examples below


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
    return (
        f'<div class="lesson-example-banner">\n<p class="lesson-downloads">{" ".join(links)}</p>\n'
        f'<p class="lesson-stamp"><small>{stamp}</small></p>\n</div>\n'
    )


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
    rows = [
        f"| [{_cell(e.title)}]({e.uri}) | {t['ok'] if e.executed_at else t['skipped']} | {e.seconds:.2f} "
        f"| {_cell(machine_label(e.machine, t))} | {_cell(str(e.machine.get('torch', '?')))} | {_cell(e.executed_at)} |"
        for e in sorted(examples, key=lambda e: -e.seconds)
    ]
    total = sum(e.seconds for e in examples)
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
