"""Replace ``<!-- timings:NAME -->`` lines with the recorded timings (data/timings.json).

Names: table, machines, chart, naive (see sitelib.timings_render). The data file
is read and validated only for pages that contain a placeholder; nothing is
written. The logic lives in sitelib.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from sitelib.timings_measure import current_machine_id
from sitelib.timings_render import PLACEHOLDERS, language, render
from sitelib.timings_store import TimingsFileError, load_timings

DATA_FILE = Path("data") / "timings.json"  # relative to the directory of mkdocs.yml
_PLACEHOLDER = re.compile(r"^[ \t]*<!--\s*timings:([^\s>]*)\s*-->[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_machine_id: list[str] = []  # computed once per process: it may import torch


def _current_id() -> str:
    if not _machine_id:
        _machine_id.append(current_machine_id())
    return _machine_id[0]


def on_page_markdown(markdown, page, config, files):
    lines = markdown.split("\n")
    fence, hits = None, []
    for i, line in enumerate(lines):  # placeholders inside code blocks are examples, not slots
        mark = _FENCE.match(line)
        if mark and (fence is None or mark.group(1) == fence):
            fence = mark.group(1) if fence is None else None
        elif fence is None and (hit := _PLACEHOLDER.match(line)):
            hits.append((i, hit.group(1)))
    if not hits:
        return markdown
    where = page.file.src_uri
    for _, name in hits:  # refuse unknown names before reading any data
        if name not in PLACEHOLDERS:
            raise PluginError(f"{where}: unknown timings placeholder '<!-- timings:{name} -->' "
                              f"(known: {', '.join(PLACEHOLDERS)})")
    path = Path(config.config_file_path).parent / DATA_FILE
    try:
        data = load_timings(path)
    except TimingsFileError as exc:
        raise PluginError(f"{where}: cannot render the recorded timings: {exc}") from None
    lang = language(config.theme["language"])
    for i, name in hits:
        lines[i] = render(name, data, lang, _current_id())
    return "\n".join(lines)
