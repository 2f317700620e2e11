"""Fenced code blocks in Markdown: the one scanner the doctests, the timings placeholders and the
Traditional Chinese conversion share, so they agree on what is code.

A block opens with three or more backticks or tildes (indented or not, as in
admonitions) and closes at a fence of the same character, at least as long,
with no info string. A fence of the other character inside it is content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced block: ``start`` and ``end`` are the 0-based lines of its fences."""

    start: int
    end: int  # the closing fence's line, or len(lines) when the block is never closed
    indent: str
    info: str
    body: list[str]  # the lines inside, with the opening fence's indent removed


def fenced_blocks(lines: list[str]) -> list[Block]:
    """Every fenced block of ``lines``, in order.

    >>> text = ["a", "````md", "```python", "x", "```", "````", "b", "  ~~~", "  y", "  ~~~"]
    >>> [(b.start, b.end, b.info, b.body) for b in fenced_blocks(text)]
    [(1, 5, 'md', ['```python', 'x', '```']), (7, 9, '', ['y'])]
    """
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if (closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence)
                    and not closing["info"].strip()):
                break
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        blocks.append(Block(i, j, indent, opening["info"].strip(), body))
        i = j + 1
    return blocks


def code_lines(lines: list[str]) -> set[int]:
    """The 0-based indices of every line that is a fence or inside a fenced block.

    >>> sorted(code_lines(["a", "```", "b", "```", "c"]))
    [1, 2, 3]
    """
    inside: set[int] = set()
    for block in fenced_blocks(lines):
        inside.update(range(block.start, min(block.end, len(lines) - 1) + 1))
    return inside
