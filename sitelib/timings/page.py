"""Replace ``<!-- timings:NAME -->`` lines of a page with the recorded timings.

Names: see sitelib.timings.render.PLACEHOLDERS. The data file is read and
validated only for pages that contain a placeholder, and nothing is written.
Placeholders inside fenced code blocks are documentation, not slots.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sitelib.markup.fences import code_lines
from sitelib.timings.render import PLACEHOLDERS, render
from sitelib.timings.store import TimingsFileError, load_timings

_PLACEHOLDER = re.compile(r"^[ \t]*<!--\s*timings:([^\s>]*)\s*-->[ \t]*$")


class TimingsPageError(Exception):
    """A page names an unknown placeholder, or the data behind it cannot be read."""


def render_placeholders(markdown: str, where: str, data_file: Path, strings: dict,
                        current_id: Callable[[], str], chart: Callable | None = None) -> str:
    """``markdown`` with every placeholder line rendered in the language of ``strings``.

    ``where`` names the page in errors; ``current_id`` is called (once) only
    when there is something to render, since it asks the GPU driver;
    ``chart`` draws a chart (default: :func:`sitelib.timings.chart.chart_svg`).

    >>> render_placeholders("# T\\n```\\n<!-- timings:nope -->\\n```\\n", "p.md", Path("none"), {}, str)
    '# T\\n```\\n<!-- timings:nope -->\\n```\\n'
    """
    lines = markdown.split("\n")
    code = code_lines(lines)
    hits = [(i, hit.group(1)) for i, line in enumerate(lines) if i not in code and (hit := _PLACEHOLDER.match(line))]
    if not hits:
        return markdown
    for _, name in hits:  # refuse unknown names before reading any data
        if name not in PLACEHOLDERS:
            raise TimingsPageError(f"{where}: unknown timings placeholder '<!-- timings:{name} -->' "
                                   f"(known: {', '.join(PLACEHOLDERS)})")
    try:
        data = load_timings(data_file)
    except TimingsFileError as exc:
        raise TimingsPageError(f"{where}: cannot render the recorded timings: {exc}") from None
    current = current_id()
    for i, name in hits:
        lines[i] = render(name, data, strings, current, chart) if chart else render(name, data, strings, current)
    return "\n".join(lines)
