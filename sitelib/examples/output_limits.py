"""Cap what an example printed, before its notebook is rendered: head and tail, and a marker between.

200,000 printed lines would make a 2 MB page and a 2 MB search index; one
5 MB line, a 5 MB page. Each code cell's text output (streams and
``text/plain`` results) keeps at most ``cell_lines`` lines, the whole notebook
at most ``notebook_lines``, and each line at most ``line_chars`` characters:
the first half and the last half of what is allowed, with the reader's
language's "N lines omitted" marker in between. The notebook is capped
before mkdocs-jupyter renders it, so the page, the download and the search
index all hold the same visible text.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import nbformat


@dataclass(frozen=True)
class OutputLimits:
    """How much output one cell, one notebook and one line may show."""

    cell_lines: int = 1000
    notebook_lines: int = 5000
    line_chars: int = 10000


@dataclass(frozen=True)
class Cut:
    """What was left out of one cell (0-based ``cell`` index)."""

    cell: int
    lines: int  # the cell's output lines
    omitted_lines: int
    omitted_chars: int  # from lines over the length limit


def _text_slots(cell: nbformat.NotebookNode) -> list[tuple[dict, str]]:
    """The (container, key) of each text output of ``cell``, in order."""
    slots = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            slots.append((output, "text"))
        elif "text/plain" in output.get("data", {}):
            slots.append((output["data"], "text/plain"))
    return slots


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _join_streams(cell: nbformat.NotebookNode) -> None:
    """Join consecutive outputs of one stream (the kernel sends a long print in chunks, cut mid-line)."""
    joined: list = []
    for output in cell.get("outputs", []):
        last = joined[-1] if joined else None
        if (last is not None and output.get("output_type") == "stream" == last.get("output_type")
                and output.get("name") == last.get("name")):
            last["text"] = _text(last["text"]) + _text(output["text"])
        else:
            joined.append(output)
    if "outputs" in cell:
        cell["outputs"] = joined


def cap_line(line: str, limit: int, marker: str) -> tuple[str, int]:
    """``line`` (with its newline) cut to ``limit`` characters around ``marker``; and how many were cut.

    >>> cap_line("abcdefghij\\n", 4, " [{count} omitted] ")
    ('ab [6 omitted] ij\\n', 6)
    >>> cap_line("short\\n", 10, "{count}")
    ('short\\n', 0)
    """
    body = line.rstrip("\n")
    if len(body) <= limit:
        return line, 0
    head, tail = limit - limit // 2, limit // 2
    omitted = len(body) - head - tail
    return body[:head] + marker.format(count=omitted) + (body[-tail:] if tail else "") + line[len(body):], omitted


def cap_cell(cell: nbformat.NotebookNode, budget: int, line_chars: int, markers: dict) -> tuple[int, int, int]:
    """Cap ``cell``'s text outputs in place to ``budget`` lines in all; return (lines, omitted lines, omitted chars).

    The first half of the budget comes from the start of the output, the
    rest from its end; the lines marker follows the last line kept from the start.
    """
    _join_streams(cell)
    slots = _text_slots(cell)
    pieces = [_text(container[key]).splitlines(keepends=True) for container, key in slots]
    total = sum(len(p) for p in pieces)
    head = budget - budget // 2 if total > budget else total
    tail_start = total - budget // 2 if total > budget else total
    omitted_lines = total - head - (total - tail_start)
    omitted_chars = 0
    position = 0
    for (container, key), lines in zip(slots, pieces):
        kept = []
        for line in lines:
            if position < head or position >= tail_start:
                line, cut = cap_line(line, line_chars, markers["chars_omitted"])
                omitted_chars += cut
                kept.append(line)
            if position == head - 1 or (head == 0 and position == 0):
                if omitted_lines:
                    if kept and not kept[-1].endswith("\n"):
                        kept[-1] += "\n"
                    kept.append(markers["lines_omitted"].format(count=omitted_lines) + "\n")
            position += 1
        container[key] = "".join(kept)
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and not output["text"]:
            output["_lesson_drop"] = True
    cell["outputs"] = [o for o in cell.get("outputs", []) if not o.pop("_lesson_drop", False)]
    return total, omitted_lines, omitted_chars


def cap_outputs(notebook: nbformat.NotebookNode, limits: OutputLimits, markers: dict
                ) -> tuple[nbformat.NotebookNode, list[Cut]]:
    """A copy of ``notebook`` with its text outputs capped (see the module's docstring), and what was cut.

    ``markers`` holds ``lines_omitted`` and ``chars_omitted``, each with a ``{count}``.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("...", outputs=[
    ...     nbformat.v4.new_output("stream", name="stdout", text="".join(f"{i}\\n" for i in range(10)))])])
    >>> capped, cuts = cap_outputs(nb, OutputLimits(4, 100, 80), {"lines_omitted": "[{count} lines omitted]", "chars_omitted": ""})
    >>> print(capped.cells[0].outputs[0].text, end="")
    0
    1
    [6 lines omitted]
    8
    9
    >>> cuts
    [Cut(cell=0, lines=10, omitted_lines=6, omitted_chars=0)]
    """
    result = copy.deepcopy(notebook)
    remaining = limits.notebook_lines
    cuts = []
    for index, cell in enumerate(result.cells):
        if cell.cell_type != "code":
            continue
        lines, omitted_lines, omitted_chars = cap_cell(cell, max(0, min(limits.cell_lines, remaining)),
                                                       limits.line_chars, markers)
        remaining -= lines - omitted_lines
        if omitted_lines or omitted_chars:
            cuts.append(Cut(index, lines, omitted_lines, omitted_chars))
    return result, cuts
