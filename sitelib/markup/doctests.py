"""Run the ``>>>`` snippets of Markdown pages as doctests.

Plain ``doctest`` on a Markdown file reads a closing code fence as expected
output. Here only the *inside* of each fenced block is handed to doctest, so
fences never leak into the comparison, and blocks indented inside admonitions
(``??? success "Answer"``) are found too.

Run ``python -m sitelib.markup.doctests PAGE.md ...`` to check pages by hand.
"""

from __future__ import annotations

import doctest
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from sitelib.markup.fences import fenced_blocks

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

@dataclass(frozen=True)
class Snippet:
    """One fenced block that holds at least one ``>>>`` line."""

    source: str
    lineno: int  # 1-based line of the first line inside the fence
    info: str


def find_snippets(markdown: str) -> list[Snippet]:
    """Return the fenced blocks of ``markdown`` that contain ``>>>`` lines.

    >>> text = "Intro\\n\\n```pycon\\n>>> 1 + 1\\n2\\n```\\n\\n```python\\nx = 1\\n```\\n"
    >>> [(s.lineno, s.source) for s in find_snippets(text)]
    [(4, '>>> 1 + 1\\n2\\n')]
    """
    snippets: list[Snippet] = []
    for block in fenced_blocks(markdown.splitlines()):
        if any(line.lstrip().startswith(">>>") for line in block.body):
            source = textwrap.dedent("\n".join(block.body) + "\n")
            snippets.append(Snippet(source, block.start + 2, block.info))
    return snippets


def run_markdown(path: Path, *, verbose: bool = False) -> doctest.TestResults:
    """Run every snippet of the page at ``path`` in order, in one shared namespace.

    Failures are reported on stdout with the page's path and line numbers.
    """
    text = path.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS, verbose=verbose)
    globs: dict = {"__name__": f"mddoctest:{path.name}"}
    for snippet in find_snippets(text):
        test = parser.get_doctest(snippet.source, globs, f"{path}:{snippet.lineno}", str(path), snippet.lineno - 1)
        runner.run(test, clear_globs=False)
        globs = test.globs  # DocTest copies its globals: carry them to the next block
    return runner.summarize(verbose=False)


def main(argv: list[str]) -> int:
    """Check the pages named on the command line; exit non-zero on any failure."""
    if not argv:
        print("usage: python -m sitelib.markup.doctests PAGE.md [PAGE.md ...]", file=sys.stderr)
        return 2
    failed = attempted = 0
    for name in argv:
        result = run_markdown(Path(name))
        failed += result.failed
        attempted += result.attempted
    print(f"{attempted} examples, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
