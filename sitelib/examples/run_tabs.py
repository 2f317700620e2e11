"""Two runs of one example on one page: each code cell's outputs in content tabs, one tab per machine.

The page shows the same code once; where a cell's outputs differ between the
runs (a timing, a device name), they sit in Material's content tabs (the
``tabbed-set`` markup of pymdownx.tabbed's alternate style, which Material
styles), the first run's tab selected. Cells whose outputs are the same in
every run show them once. Pure functions: notebooks and labels in, notebook
and HTML out.
"""

from __future__ import annotations

import copy
import html
import json
import re

import nbformat

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_IMAGES = ("image/png", "image/jpeg", "image/gif")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _pre(text: str, mime: str = "text/plain") -> str:
    return (f'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="{mime}">'
            f"<pre>{html.escape(_ANSI.sub('', text))}</pre></div>")


def output_html(output: dict) -> str:
    """One notebook output as nbconvert's lab template would show it (text, HTML, SVG or an image).

    >>> output_html({"output_type": "stream", "name": "stdout", "text": "a < b\\n"})
    '<div class="jp-OutputArea-child"><div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"><pre>a &lt; b\\n</pre></div></div>'
    >>> "data:image/png;base64,iVBO" in output_html({"output_type": "display_data", "data": {"image/png": "iVBO"}, "metadata": {}})
    True
    """
    kind = output.get("output_type")
    if kind == "stream":
        body = _pre(_text(output.get("text", "")))
    elif kind == "error":
        body = _pre("\n".join(output.get("traceback", [])), "application/vnd.jupyter.stderr")
    else:
        data = output.get("data", {})
        if "text/html" in data:
            body = f'<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output">{_text(data["text/html"])}</div>'
        elif "image/svg+xml" in data:
            body = f'<div class="jp-RenderedSVG jp-OutputArea-output">{_text(data["image/svg+xml"])}</div>'
        elif any(m in data for m in _IMAGES):
            mime = next(m for m in _IMAGES if m in data)
            src = f"data:{mime};base64,{_text(data[mime]).strip()}"
            body = f'<div class="jp-RenderedImage jp-OutputArea-output"><img alt="" src="{src}"/></div>'
        else:
            body = _pre(_text(data.get("text/plain", "")))
    return f'<div class="jp-OutputArea-child">{body}</div>'


def tabs_html(group: str, labels: list[str], blocks: list[str]) -> str:
    """Material's content tabs: one radio input and label per block, the first selected.

    >>> page = tabs_html("run-1", ["GPU", "CPU"], ["<p>g</p>", "<p>c</p>"])
    >>> page.count('type="radio"'), 'checked' in page.split("<input")[1], '<label for="run-1-2">CPU</label>' in page
    (2, True, True)
    """
    inputs = "".join(f'<input{" checked" if i == 1 else ""} id="{group}-{i}" name="{group}" type="radio">'
                     for i in range(1, len(blocks) + 1))
    labels_html = "".join(f'<label for="{group}-{i}">{html.escape(label)}</label>' for i, label in enumerate(labels, 1))
    content = "".join(f'<div class="tabbed-block">{block}</div>' for block in blocks)
    return (f'<div class="tabbed-set tabbed-alternate lesson-runs" data-tabs="{len(blocks)}">{inputs}'
            f'<div class="tabbed-labels">{labels_html}</div><div class="tabbed-content">{content}</div></div>')


def _comparable(outputs: list) -> str:
    """Outputs as compared between runs: without execution counts and output metadata."""
    return json.dumps([{k: v for k, v in o.items() if k not in ("execution_count", "metadata")} for o in outputs],
                      sort_keys=True)


def with_run_tabs(notebook: nbformat.NotebookNode, others: list[nbformat.NotebookNode],
                  labels: list[str]) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose code cells show every run's outputs, in tabs where they differ.

    ``others`` are runs of the same source (their code cells pair with
    ``notebook``'s in order); ``labels`` name ``notebook``'s run first.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)"), nbformat.v4.new_code_cell("x")])
    >>> same = nbformat.v4.new_output("stream", name="stdout", text="1\\n")
    >>> nb.cells[0].outputs = [same]; nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="gpu\\n")]
    >>> other = copy.deepcopy(nb); other.cells[1].outputs[0].text = "cpu\\n"
    >>> both = with_run_tabs(nb, [other], ["GPU", "CPU"])
    >>> both.cells[0].outputs == [same], both.cells[1].outputs[0].output_type
    (True, 'display_data')
    """
    result = copy.deepcopy(notebook)
    code = [c for c in result.cells if c.cell_type == "code"]
    other_code = [[c for c in run.cells if c.cell_type == "code"] for run in others]
    if any(len(cells) != len(code) for cells in other_code):
        raise ValueError("the runs have different code cells: they are not runs of the same source")
    for index, cell in enumerate(code):
        runs = [cell.get("outputs", [])] + [cells[index].get("outputs", []) for cells in other_code]
        if len({_comparable(outputs) for outputs in runs}) == 1:
            continue
        blocks = ["".join(output_html(o) for o in outputs) or '<p class="lesson-no-output">–</p>' for outputs in runs]
        tabs = tabs_html(f"lesson-run-{index + 1}", labels, blocks)
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": tabs})]
    return result
