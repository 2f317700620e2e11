"""The banner, stamp and report around executed examples: content, languages, escaping."""

from __future__ import annotations

from sitelib.examples.page_html import ExampleInfo, colab_url, render_banner, render_report, text
from sitelib.languages.language import Language

EN = text(Language("en", "en", "English", "en", "Lesson"))
ZH = text(Language("zh", "zh-Hans", "简体中文", "zh", "课程"))

MACHINE = {"cpu": "AMD EPYC", "gpu": "NVIDIA H200", "torch": "2.13.0"}


def test_stamp_names_machine_torch_date_and_duration():
    """The stamp says where, with what, when and how long, in each language."""
    info = ExampleInfo("demo", "Demo", 1.234, MACHINE, "2026-11-27T00:00:00Z")
    assert "Executed on AMD EPYC / NVIDIA H200 with torch 2.13.0 on 2026-11-27T00:00:00Z, in 1.23 s." in render_banner(info, EN, None)
    assert "AMD EPYC / NVIDIA H200，torch 2.13.0，时间 2026-11-27T00:00:00Z，耗时 1.23 秒" in render_banner(info, ZH, None)


def test_preview_build_says_outputs_are_missing():
    """With LESSON_EXECUTE=0 nothing ran: the stamp and the report say so instead of inventing a run."""
    info = ExampleInfo("demo", "Demo", 0.0, {}, "")
    assert "Not executed in this build" in render_banner(info, EN, None)
    assert "| not executed | 0.00 |" in render_report([info], EN)


def test_machine_strings_are_escaped_in_banner_and_report():
    """A hostile device name is shown as text, never as markup."""
    info = ExampleInfo("demo", "A|B", 1.0, {"cpu": "<script>x</script>", "gpu": None, "torch": "2"}, "d")
    assert "<script>" not in render_banner(info, EN, colab_url("https://github.com/o/r", "x.ipynb", "gh-pages"))
    report = render_report([info], EN)
    assert "<script>" not in report and "&lt;script&gt;" in report and "A&#124;B" in report


def test_report_lists_slowest_first_with_total():
    """The report orders examples by run time and adds them up."""
    fast = ExampleInfo("fast", "Fast", 0.5, MACHINE, "d")
    slow = ExampleInfo("slow", "Slow", 2.0, MACHINE, "d")
    report = render_report([fast, slow], EN)
    assert report.index("[Slow]") < report.index("[Fast]") and "| **Total** | | 2.50 |" in report


def test_generated_language_converts_its_source_strings():
    """The Traditional Chinese banner and report are the Simplified strings converted, in Taiwan wording."""
    hant = text(Language("zh-hant", "zh-TW", "繁體中文", "zh-TW", "", source="zh", convert="s2twp"))
    info = ExampleInfo("demo", "示範", 1.0, MACHINE, "2026-11-27T00:00:00Z", "examples/demo.ipynb")
    banner = render_banner(info, hant, None)
    assert "下載原始碼（.py）" in banner
    assert "執行環境" in banner and "执行" not in banner
    assert "| [示範](examples/demo.ipynb) | 成功 |" in render_report([info], hant)
