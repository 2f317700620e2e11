"""Replace ``<!-- timings:NAME -->`` lines with the recorded timings (data/timings.json).

Names: table, machines, chart, naive (see sitelib.timings_render). The data file
is read and validated only for pages that contain a placeholder; nothing is
written. The logic lives in sitelib.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from sitelib.fences import code_lines
from sitelib.timings_measure import current_machine_id
from sitelib.timings_render import PLACEHOLDERS, language, render
from sitelib.timings_store import TimingsFileError, load_timings

DATA_FILE = Path("data") / "timings.json"  # relative to the directory of mkdocs.yml
_PLACEHOLDER = re.compile(r"^[ \t]*<!--\s*timings:([^\s>]*)\s*-->[ \t]*$")


def on_page_markdown(markdown, page, config, files):
    lines = markdown.split("\n")
    code = code_lines(lines)  # placeholders inside code blocks are examples, not slots
    hits = [(i, hit.group(1)) for i, line in enumerate(lines) if i not in code and (hit := _PLACEHOLDER.match(line))]
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
    current = current_machine_id()  # per page with placeholders: no state shared between builds
    for i, name in hits:
        lines[i] = render(name, data, lang, current)
    return "\n".join(lines)
