"""Output limits: a runaway example's page shows the head and tail of its output with an "N lines omitted" marker."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from example_project import build, make_project
from sitelib.examples.page_html import TEXT
from sitelib.examples.output_limits import OutputLimits, cap_outputs

MARKERS = TEXT["en"]


def stream_cell(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("print(...)", outputs=[nbformat.v4.new_output("stream", name="stdout", text=text)])


def lines(count: int, start: int = 0) -> str:
    return "".join(f"line {i}\n" for i in range(start, start + count))


def test_200000_lines_keep_head_and_tail_with_the_count_omitted():
    """A cell over ``cell_lines`` keeps its first and last halves; the marker says how many lines are left out."""
    notebook = nbformat.v4.new_notebook(cells=[stream_cell(lines(200_000))])
    capped, cuts = cap_outputs(notebook, OutputLimits(cell_lines=10, notebook_lines=100, line_chars=100), MARKERS)
    shown = capped.cells[0].outputs[0].text.splitlines()
    assert shown == [*(f"line {i}" for i in range(5)), "… 199990 lines omitted …", *(f"line {i}" for i in range(199_995, 200_000))]
    assert [(c.cell, c.lines, c.omitted_lines) for c in cuts] == [(0, 200_000, 199_990)]
    assert len(notebook.cells[0].outputs[0].text.splitlines()) == 200_000  # the executed notebook itself is untouched


def test_one_5_mb_line_is_cut_in_the_middle():
    """A single line longer than ``line_chars`` keeps its start and end around a characters marker."""
    notebook = nbformat.v4.new_notebook(cells=[stream_cell("a" * 2_500_000 + "b" * 2_500_000 + "\n")])
    capped, cuts = cap_outputs(notebook, OutputLimits(line_chars=1000), MARKERS)
    text = capped.cells[0].outputs[0].text
    assert text == "a" * 500 + " … 4999000 characters omitted … " + "b" * 500 + "\n"
    assert cuts[0].omitted_chars == 4_999_000 and cuts[0].omitted_lines == 0


def test_the_notebook_limit_spans_cells_and_results_count_too():
    """Once the notebook's budget is spent, later cells show only the marker; ``text/plain`` results are capped too."""
    result = nbformat.v4.new_output("execute_result", data={"text/plain": lines(50)}, execution_count=2)
    notebook = nbformat.v4.new_notebook(cells=[
        stream_cell(lines(8)), nbformat.v4.new_markdown_cell("prose"),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("stream", name="stdout", text=lines(3)), result])])
    capped, cuts = cap_outputs(notebook, OutputLimits(cell_lines=20, notebook_lines=10, line_chars=100), MARKERS)
    assert capped.cells[0].outputs == notebook.cells[0].outputs  # 8 lines: within both limits
    second = capped.cells[2].outputs  # 53 lines with 2 left in the notebook's budget
    assert second[0].text == "line 0\n… 51 lines omitted …\n"
    assert second[1].data["text/plain"] == "line 49\n"
    assert [(c.cell, c.omitted_lines) for c in cuts] == [(2, 51)]


def test_output_within_the_limits_is_unchanged():
    """Nothing is cut, and nothing is reported, below the limits."""
    notebook = nbformat.v4.new_notebook(cells=[stream_cell(lines(3) + "no newline at the end")])
    capped, cuts = cap_outputs(notebook, OutputLimits(), MARKERS)
    assert capped == notebook and cuts == []


def test_the_marker_is_translated():
    """Every language of the example pages has both markers, each with its count."""
    for strings in TEXT.values():
        assert "{count}" in strings["lines_omitted"] and "{count}" in strings["chars_omitted"]
    assert TEXT["zh"]["lines_omitted"].format(count=7) == "……（此处省略 7 行输出）……"


RUNAWAY = "# %%\nfor i in range(200_000):\n    print('line', i)\n\n# %%\nprint('x' * 5_000_000)\n"


@pytest.mark.slow
def test_a_runaway_example_builds_a_small_page_and_warns(tmp_path):
    """200,000 lines and one 5 MB line: a small page in each language, a warning per cell, a small search index."""
    project = make_project(tmp_path, RUNAWAY, options="output_lines: 100\nnotebook_output_lines: 400\noutput_line_chars: 2000")
    result = build(project)
    assert result.returncode == 0, result.log[-3000:]
    assert result.first_error == ("WARNING -  lessonsrc/demo.py:2: cell 1 printed 200,000 lines of output; the page "
                                  "shows 100 of them, the first and the last (lesson plugin options output_lines and "
                                  "notebook_output_lines)")
    assert ("lessonsrc/demo.py:6: cell 2 printed lines over 2,000 characters; 4,998,000 characters left out "
            "(lesson plugin option output_line_chars)") in result.log
    site = project / "site"
    for page, marker in [(site / "examples" / "demo" / "index.html", "… 199900 lines omitted …"),
                         (site / "zh" / "examples" / "demo" / "index.html", "……（此处省略 199900 行输出）……")]:
        html = page.read_text(encoding="utf-8")
        assert marker in html and "line 49<" in html.replace("\n", "<") and "line 199999" in html
        assert "line 100000" not in html
        # mkdocs-jupyter inlines about 600 KB of JupyterLab CSS into every notebook page: measure the rest.
        assert len(re.sub(r"<style.*?</style>", "", html, flags=re.S).encode()) < 100_000
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "line 100000" not in index and len(index.encode()) < 200_000
    assert json.loads(index)["docs"]  # still a working index

    strict = build(project, "--strict")  # from the cache now: the warning is repeated, so --strict fails
    assert strict.returncode != 0 and "cell 1 printed 200,000 lines of output" in strict.log
