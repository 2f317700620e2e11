"""Build errors that point at the author's own line: file, 1-based cell, and the line that raised.

IPython names a cell's frames ``Cell In[3], line 2``: the third execution,
second line of that cell. Mapped back through the percent-format file, that
becomes ``lessonsrc/example.py:14`` — the line the author would open.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")


def code_cell_lines(notebook: nbformat.NotebookNode, source: str) -> dict[int, int]:
    """1-based line in ``source`` where the code of each code cell (by cell index) begins.

    Each cell's code is found in the file in order, so code before the first
    ``# %%`` marker, blank lines after a marker and a YAML header all count
    correctly.

    >>> import jupytext
    >>> text = "import os\\n\\n# %% [markdown]\\n# Hi\\n\\n# %%\\n\\nx = 1\\ny = 2\\n"
    >>> code_cell_lines(jupytext.reads(text, fmt="py:percent"), text)  # jupytext keeps the blank line after the marker
    {0: 1, 2: 7}
    """
    lines = source.splitlines()
    found: dict[int, int] = {}
    pos = 0
    for index, cell in enumerate(notebook.cells):
        wanted = cell.source.splitlines()
        if cell.cell_type != "code" or not wanted:
            continue
        for start in range(pos, len(lines) - len(wanted) + 1):
            if lines[start:start + len(wanted)] == wanted:
                found[index] = start + 1
                pos = start + len(wanted)
                break
    return found


def rewrite_traceback(traceback: str, path: str, by_count: dict[int, int], lines: dict[int, int]) -> str:
    """Replace IPython's ``Cell In[n], line k`` by the example file's own line numbers.

    >>> rewrite_traceback("Cell In[2], line 3\\n----> 3 1/0", "ex.py", {1: 1, 2: 3}, {1: 5, 3: 10})
    'ex.py, line 12 (cell 4)\\n----> 3 1/0'
    """

    def replace(match: re.Match) -> str:
        cell = by_count.get(int(match[1]))
        if cell is None or cell not in lines:
            return match[0]
        return f"{path}, line {lines[cell] + int(match[2]) - 1} (cell {cell + 1})"

    return _CELL_FRAME.sub(replace, _ANSI.sub("", traceback))


def failing_line(traceback: str, by_count: dict[int, int], lines: dict[int, int], cell: int) -> int:
    """The file line that raised: the innermost frame in one of the example's own cells.

    Falls back to the first line of the failing cell when no frame names a cell
    (a SyntaxError, say).

    >>> failing_line("Cell In[1], line 2\\nfoo\\nCell In[1], line 1\\nbar", {1: 0}, {0: 5}, 0)
    5
    >>> failing_line("SyntaxError", {1: 0}, {0: 5}, 0)
    5
    """
    frames = [(by_count.get(int(n)), int(k)) for n, k in _CELL_FRAME.findall(_ANSI.sub("", traceback))]
    frames = [(c, k) for c, k in frames if c in lines]
    if frames:
        c, k = frames[-1]
        return lines[c] + k - 1
    return lines.get(cell, 0)


class ExampleFailed(Exception):
    """An example raised: names the file, the 1-based cell, the line that raised and its source."""

    def __init__(self, path: Path, notebook: nbformat.NotebookNode, cell_index: int,
                 lines: dict[int, int], by_count: dict[int, int], error):
        shown = display_path(path)
        self.path, self.cell = path, cell_index + 1
        self.line = failing_line(error.traceback, by_count, lines, cell_index)
        code = _source_line(path, self.line)
        traceback = rewrite_traceback(error.traceback, shown, by_count, lines)
        super().__init__(
            f"{shown}:{self.line}: example failed in cell {self.cell}: {error.ename}: {error.evalue}\n"
            f"    {code}\n{traceback}"
        )


class ExampleStopped(Exception):
    """An example was stopped: it ran out of time or its kernel died. Names the file, line, cell and why.

    ``traceback`` is what the kernel printed when it was interrupted (it shows
    the line a timed-out cell was running), or "" when it printed nothing: the
    message then points at the cell's first line.
    """

    def __init__(self, path: Path, notebook: nbformat.NotebookNode, cell_index: int,
                 lines: dict[int, int], by_count: dict[int, int], what: str, traceback: str):
        shown = display_path(path)
        self.path, self.cell, self.what = path, cell_index + 1, what
        self.line = failing_line(traceback, by_count, lines, cell_index)
        super().__init__(f"{shown}:{self.line}: example failed in cell {self.cell}: {what}\n"
                         f"    {_source_line(path, self.line)}")


class ExampleInvalid(Exception):
    """An example (or a helper it imports) cannot be read as Python, or its header is wrong."""

    @classmethod
    def from_syntax_error(cls, path: Path, error: SyntaxError) -> "ExampleInvalid":
        """``file:line: SyntaxError: message``, then the line and a caret under the column.

        >>> try:
        ...     compile("x = 1\\nprint(1\\n", "demo.py", "exec")
        ... except SyntaxError as error:
        ...     print(ExampleInvalid.from_syntax_error(Path("demo.py"), error))
        demo.py:2: SyntaxError: '(' was never closed
            print(1
                 ^
        """
        text = (error.text or "").rstrip("\n")
        code = text.strip()
        caret = ""
        if code and error.offset:
            column = max(0, error.offset - 1 - (len(text) - len(text.lstrip())))
            caret = "\n    " + " " * min(column, len(code)) + "^"
        return cls(f"{display_path(path)}:{error.lineno or 0}: SyntaxError: {error.msg}" + (f"\n    {code}{caret}" if code else ""))


def _source_line(path: Path, line: int) -> str:
    """Line ``line`` (1-based) of ``path``, stripped; "" when there is none."""
    source_lines = path.read_text(encoding="utf-8").splitlines()
    return source_lines[line - 1].strip() if 0 < line <= len(source_lines) else ""


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it (shorter, clickable in editors)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
