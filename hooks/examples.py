"""Turn the examples in ``lessonsrc/`` into executed pages, without a copy in ``docs/``.

mkdocs-jupyter only renders files MkDocs knows about, and MkDocs only knows
``docs_dir``. This hook executes the examples (or takes them from the cache),
writes one notebook per language under ``.cache/``, and adds those notebooks
to the build as generated files; mkdocs-jupyter then renders them with
``execute: false``. It also adds the ``.py`` source for download, the
execution report page, and a banner (downloads, Colab, "executed on") on
each example page.

``LESSON_EXECUTE=0`` skips execution (pages show the code without outputs):
a quick preview for authors, and the "floor" of ``scripts/bench_build.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from sitelib.example_page import ExampleInfo, colab_url, render_banner, render_report
from sitelib.execute import ExampleFailed
from sitelib.examples import helper_files
from sitelib.notebooks import (
    executed_examples,
    for_language,
    unexecuted_examples,
    with_helper_setup,
    write_if_changed,
)

REPORT_URI = "execution-report.md"
_examples: dict[str, ExampleInfo] = {}


def _root(config) -> Path:
    return Path(config.config_file_path).parent


def _title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return "example"


# Before mkdocs-jupyter's on_files (priority 0), which wraps .ipynb files as pages.
@event_priority(50)
def on_files(files, config):
    root, lang = _root(config), config.theme["language"]
    try:
        if os.environ.get("LESSON_EXECUTE", "1") == "0":
            executions = unexecuted_examples(root / "lessonsrc")
        else:
            executions = executed_examples(root / "lessonsrc", root / ".cache" / "examples")
    except ExampleFailed as error:
        raise PluginError(str(error)) from None
    _examples.clear()
    for source, execution in executions.items():
        notebook = for_language(execution.notebook, lang)
        downloadable = with_helper_setup(notebook, helper_files(source, root / "lessonsrc"), root / "lessonsrc")
        # A real src_dir (not File.generated): mkdocs-jupyter's NotebookFile
        # wrapper recomputes abs_src_path from src_dir and src_uri.
        pages_dir = root / ".cache" / "examples" / "pages" / lang
        uri = f"examples/{source.stem}.ipynb"
        write_if_changed(pages_dir / uri, nbformat.writes(downloadable))
        files.append(File(uri, str(pages_dir), config.site_dir, config.use_directory_urls))
        files.append(File.generated(config, f"examples/{source.stem}/{source.name}", abs_src_path=str(source)))
        _examples[source.stem] = ExampleInfo(
            source.stem, _title(notebook), execution.seconds, execution.machine, execution.executed_at
        )
    files.append(File.generated(config, REPORT_URI, content=render_report(list(_examples.values()), lang)))
    return files


def on_page_content(html, page, config, files):
    if page.file.src_uri == REPORT_URI:
        page.edit_url = None  # generated at build time: there is no file to edit
        return html
    stem = page.file.src_uri.removeprefix("examples/").removesuffix(".ipynb")
    info = _examples.get(stem) if page.file.src_uri.startswith("examples/") else None
    if info is None:
        return html
    page.meta.setdefault("description", info.title)  # for the HTML head; notebooks have no front matter
    if config.repo_url:
        page.edit_url = f"{config.repo_url.rstrip('/')}/edit/main/lessonsrc/{stem}.py"
    lang = config.theme["language"]
    prefix = "" if lang == "en" else f"{lang}/"
    colab = colab_url(config.repo_url or "", f"{prefix}examples/{stem}/{stem}.ipynb")
    # Below the notebook's own H1, so the page still starts with its title.
    head, sep, rest = html.partition("</h1>")
    banner = render_banner(info, lang, colab)
    return head + sep + banner + rest if sep else banner + html
