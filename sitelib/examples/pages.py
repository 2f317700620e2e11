"""The example pages of one language's build: executed notebooks added as files, then decorated.

For each examples folder of the configuration, every example is executed (or
taken from the cache), turned into this language's notebook, and added to the
build as ``<uri>/<path>.ipynb``; mkdocs-jupyter renders it. Next to it go the
``.py`` source and the executed ``.ipynb`` for download. A generated execution
report lists them all.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from mkdocs.structure.files import File

from sitelib.incremental import inputs as build_inputs
from sitelib.examples.errors import ExampleFailed, ExampleInvalid, ExampleStopped, code_cell_lines, display_path
from sitelib.examples.page_html import EN, ExampleInfo, RunStamp, colab_url, render_banner, render_report, tab_label, text
from sitelib.examples.discover import example_uri, find_examples, helper_files
from sitelib.examples.kernels import KernelStartFailed
from sitelib.examples.run_tabs import with_run_tabs
from sitelib.examples.runs import ExampleRuns, Run, example_runs
from sitelib.examples.store import StoreError, lesson_key
from sitelib.languages.language import Language, root_prefix
from sitelib.examples.notebooks import (
    for_language,
    notebook_title,
    read_manifest,
    unexecuted_examples,
    with_helper_setup,
    write_if_changed,
)
from sitelib.markup.cjk_linebreaks import join_cjk_cells
from sitelib.examples.output_limits import OutputLimits, cap_outputs
from sitelib.examples.source_guard import SourcesChanged
from sitelib.languages.conversion import Conversion

REPORT_URI = "execution-report.md"
log = logging.getLogger("mkdocs.plugins.lesson")


def output_limits(options) -> OutputLimits:
    """The plugin configuration's output caps."""
    return OutputLimits(options.output_lines, options.notebook_output_lines, options.output_line_chars)


def warn_capped(path: Path, execution, limits: OutputLimits) -> None:
    """Warn, naming the example, line and cell, for each cell whose output the pages show capped."""
    _, cuts = cap_outputs(execution.notebook, limits, text(EN))
    if not cuts:
        return
    lines = code_cell_lines(execution.notebook, path.read_text(encoding="utf-8"))
    for cut in cuts:
        what = []
        if cut.omitted_lines:
            what.append(f"{cut.lines:,} lines of output; the page shows {cut.lines - cut.omitted_lines:,} of them, the first "
                        "and the last (lesson plugin options output_lines and notebook_output_lines)")
        if cut.omitted_chars:
            what.append(f"lines over {limits.line_chars:,} characters; {cut.omitted_chars:,} characters left out "
                        "(lesson plugin option output_line_chars)")
        log.warning("%s:%d: cell %d printed %s", display_path(path), lines.get(cut.cell, 1), cut.cell + 1,
                    " and ".join(what))


def executed_digest(found: list[tuple[str, Path, dict[Path, ExampleRuns]]]) -> str:
    """A hash of every run (notebook and record) in what :meth:`ExamplePages.execute` returned."""
    digest = hashlib.sha256()
    for _uri, _src, examples in found:
        for runs in examples.values():
            digest.update(runs.digest_text().encode())
            for run in runs.shown:
                digest.update(nbformat.writes(run.execution.notebook).encode())
    return digest.hexdigest()


def _stamp(kind: str, execution, merged: bool) -> RunStamp:
    return RunStamp(kind, execution.machine, execution.executed_at, execution.seconds, merged)


class ExampleError(Exception):
    """An example could not be executed or found; the message names the file and line."""


@dataclass
class _Page:
    info: ExampleInfo
    source: Path  # the example file, relative to the project root
    download: str  # the downloadable notebook's path below the language root


@dataclass
class ExamplePages:
    """The examples of one language's build, by page URI (``examples/autograd_basics.ipynb``)."""

    lang: Language
    conversion: Conversion
    default: str  # the default language's code: the others sit under <code>/
    edit_base: str = ""  # mkdocs.yml's edit_uri, e.g. edit/main/ ("" for no edit links)
    pages: dict[str, _Page] = field(default_factory=dict)

    def __post_init__(self):
        self.text = text(self.lang, self.conversion)  # once per build: converting is not free

    def execute(self, config, options, executing: bool = True, spares=None,
                zygotes=None) -> list[tuple[str, Path, dict]]:
        """Execute every example (or take it from the cache): ``(uri, folder, executions)`` per examples folder.

        The orchestrating build executes (``executing``): it finds the
        examples, runs each under its time limit with the project's files
        guarded, and warns about capped output. A language build
        (``executing=False``) takes the examples that build found, from the cache.
        """
        root = Path(config.config_file_path).parent
        cache = root / options.cache_dir
        guarded = [root / "docs", *build_inputs.shared_inputs(config, options)] if executing else None
        found = []
        for lesson in options.examples:
            src = root / lesson.src
            if not src.is_dir():
                raise ExampleError(f"lesson plugin: examples folder '{lesson.src}' does not exist")
            key = lesson_key(lesson.src)  # one cache folder per lesson: no cross-eviction
            folder = cache / "executed" / key
            try:
                if not options.execute:
                    runs = {p: ExampleRuns([Run("cpu", e, False)]) for p, e in unexecuted_examples(src).items()}
                else:
                    examples = find_examples(src) if executing else (read_manifest(folder, src) or find_examples(src))
                    runs = example_runs(src, folder, root / options.executions / key, executing=executing,
                                        examples=examples, timeout=options.timeout, guarded=guarded, root=root,
                                        workers=options.jobs, spares=spares, zygote=zygotes or options.zygote)
            except (ExampleFailed, ExampleStopped, ExampleInvalid, SourcesChanged, KernelStartFailed, StoreError) as error:
                raise ExampleError(str(error)) from None
            if executing and options.execute:
                for path, example in runs.items():
                    for run in example.shown:
                        if not run.merged:
                            warn_capped(path, run.execution, output_limits(options))
            found.append((lesson.uri, src, runs))
        return found

    def add_files(self, files, config, options, executed: list | None = None):
        """Add this language's notebooks, downloads and report to ``files``.

        ``executed`` is what :meth:`execute` returned in the orchestrating
        build (a language build started by it is handed that, and reads no
        cache); without it the examples are taken from the cache here. Only
        copies of its notebooks are changed.
        """
        lang, conversion = self.lang, self.conversion
        root = Path(config.config_file_path).parent
        pages_dir = root / options.cache_dir / "pages" / lang.code
        self.pages.clear()
        limits = output_limits(options)
        found = executed if executed is not None else self.execute(config, options, executing=False)
        for lesson_uri, src, examples in found:
            for source, runs in examples.items():
                stem = example_uri(source, src)
                # Capped before rendering: the page, the download and the search index show the same text.
                capped, _ = cap_outputs(runs.primary.notebook, limits, self.text)
                notebook = conversion.notebook(for_language(capped, lang.docs_code))
                if lang.tag.lower().startswith("zh"):  # nbconvert renders these cells: join them here
                    notebook = join_cjk_cells(notebook)
                stamps = tuple(_stamp(run.kind, run.execution, run.merged) for run in runs.shown)
                page_notebook = notebook
                if len(runs.shown) > 1:  # the other runs' outputs beside the first's, cell by cell
                    others = [cap_outputs(run.execution.notebook, limits, self.text)[0] for run in runs.shown[1:]]
                    page_notebook = with_run_tabs(notebook, others, [tab_label(s, self.text) for s in stamps])
                helpers = helper_files(source, src)
                uri = f"{lesson_uri}/{stem}.ipynb"
                # A real src_dir (not File.generated): mkdocs-jupyter's NotebookFile
                # wrapper recomputes abs_src_path from src_dir and src_uri.
                write_if_changed(pages_dir / uri, nbformat.writes(with_helper_setup(page_notebook, helpers, src)))
                files.append(File(uri, str(pages_dir), config.site_dir, config.use_directory_urls))
                name = Path(stem).name
                # The executed notebook to download: the first run alone. Its source file does not end in
                # .ipynb, so mkdocs-jupyter (which picks notebooks by that) leaves it a plain file to copy.
                download = f"{lesson_uri}/{stem}/{name}.ipynb"
                write_if_changed(pages_dir / f"{download}.download",
                                 nbformat.writes(with_helper_setup(notebook, helpers, src)))
                files.append(File.generated(config, download, abs_src_path=str(pages_dir / f"{download}.download")))
                py_uri = f"{lesson_uri}/{stem}/{name}.py"
                if conversion.name:  # a generated language's download reads in its own script too
                    write_if_changed(pages_dir / py_uri, conversion.python(source.read_text(encoding="utf-8")))
                    files.append(File.generated(config, py_uri, abs_src_path=str(pages_dir / py_uri)))
                else:
                    files.append(File.generated(config, py_uri, abs_src_path=str(source)))
                primary = runs.primary
                info = ExampleInfo(stem, notebook_title(notebook), primary.seconds, primary.machine,
                                   primary.executed_at, uri, stamps if options.execute else (),
                                   tuple(_stamp(s.kind, s.execution, True) for s in runs.stale))
                self.pages[uri] = _Page(info, source.relative_to(root), download)
        report = render_report([p.info for p in self.pages.values()], self.text)
        files.append(File.generated(config, REPORT_URI, content=report))
        return files

    def decorate(self, html: str, page, config) -> str:
        """Add the banner (downloads, Colab, "executed on") and the right edit link to an example page."""
        if page.file.src_uri == REPORT_URI:
            page.edit_url = None  # generated at build time: there is no file to edit
            return html
        example = self.pages.get(page.file.src_uri)
        if example is None:
            return html
        page.meta.setdefault("description", example.info.title)  # notebooks have no front matter
        if config.repo_url and self.edit_base:
            page.edit_url = f"{config.repo_url.rstrip('/')}/{self.edit_base.strip('/')}/{example.source.as_posix()}"
        # gh-deploy publishes site_dir as it is to remote_branch: the notebook is there.
        published = f"{root_prefix(self.lang.code, self.default)}{example.download}"
        colab = colab_url(config.repo_url or "", published, config.remote_branch)
        banner = render_banner(example.info, self.text, colab)
        # Below the notebook's own H1, so the page still starts with its title.
        head, sep, rest = html.partition("</h1>")
        return head + sep + banner + rest if sep else banner + html
