"""Executed example notebooks: cached on disk by key, and split by language."""

from __future__ import annotations

import copy
import json
import logging
import math
import shutil
from pathlib import Path

import jupytext
import nbformat

from sitelib.incremental import keyed_cache
from sitelib.atomic import write_text_atomic
from sitelib.examples.errors import ExampleInvalid, display_path
from sitelib.examples.discover import cache_key, cache_name, find_examples
from sitelib.examples.execute import default_workers, execute_each
from sitelib.examples.run_in_kernel import Execution, Job
from sitelib.examples.spares import SpareKernels
from sitelib.examples.source_guard import SourceGuard

log = logging.getLogger("mkdocs.plugins.lesson")


def for_language(notebook: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without the prose cells tagged for another language.

    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("Hello", metadata={"lang": "en"}),
    ...     nbformat.v4.new_markdown_cell("你好", metadata={"lang": "zh"}),
    ...     nbformat.v4.new_code_cell("1 + 1")])
    >>> [c.source for c in for_language(nb, "zh").cells]
    ['你好', '1 + 1']
    """
    result = copy.deepcopy(notebook)
    result.cells = [c for c in result.cells if c.metadata.get("lang", lang) == lang]
    for index, cell in enumerate(result.cells):
        cell.metadata.pop("lang", None)
        cell["id"] = f"cell-{index}"  # stable (jupytext makes random ids): unchanged pages stay byte-identical
    return result


def notebook_title(notebook: nbformat.NotebookNode) -> str:
    """The text of the notebook's first level-1 heading ("example" if it has none).

    >>> notebook_title(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demo\\nText")]))
    'Demo'
    """
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return "example"


SETUP_TAG = "lesson-setup"  # mkdocs.yml's remove_cell_tags names it too: the site hides the cell


def with_helper_setup(notebook: nbformat.NotebookNode, helpers: list[Path], src_dir: Path) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose first code cell recreates the helper modules it imports.

    The downloaded notebook then runs outside the repository (in Colab, say).
    The cell is tagged ``lesson-setup`` so the site hides it, and it never
    overwrites a file that already exists.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> with_helper_setup(nb, [], Path("lessonsrc")) is not nb
    True
    """
    result = copy.deepcopy(notebook)
    if not helpers:
        return result
    files = {f"{src_dir.name}/{path.relative_to(src_dir).as_posix()}": path.read_text(encoding="utf-8") for path in helpers}
    source = (
        "# Running this notebook outside the lesson's repository (e.g. in Colab)?\n"
        "# This cell writes the helper modules it imports; existing files are kept.\n"
        "import pathlib\n\n"
        f"_lesson_files = {files!r}\n"
        "for _name, _text in _lesson_files.items():\n"
        "    _path = pathlib.Path(_name)\n"
        "    _path.parent.mkdir(parents=True, exist_ok=True)\n"
        "    if not _path.exists():\n"
        "        _path.write_text(_text, encoding='utf-8')"
    )
    first_code = next((i for i, c in enumerate(result.cells) if c.cell_type == "code"), len(result.cells))
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]})
    cell["id"] = SETUP_TAG  # a fixed id keeps the notebook byte-identical from build to build
    result.cells.insert(first_code, cell)
    return result


def _parse_executed(data: bytes) -> Execution:
    """A cached executed notebook, checked whole: UTF-8, JSON, nbformat's schema, the run's metadata."""
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:  # not a ValueError
        raise ValueError(f"not a valid notebook: {error.message}") from None
    meta = notebook.metadata.get("lesson")
    if not (isinstance(meta, dict) and isinstance(meta.get("seconds"), (int, float))):
        raise ValueError("no record of its run (metadata.lesson)")
    return Execution(notebook, meta["seconds"], meta.get("machine", {}), meta.get("executed_at", ""))


MANIFEST = "examples.json"  # in an examples cache folder: the examples its last executing build found
DEFAULT_TIME_LIMIT = 600  # seconds; the plugin's `timeout` option and an example's header override it


def time_limit(notebook: nbformat.NotebookNode, path: Path, default: int) -> int:
    """The example's time limit in seconds: its header's ``lesson: timeout:``, else ``default``.

    >>> nb = nbformat.v4.new_notebook(metadata={"lesson": {"timeout": 2.5}})
    >>> time_limit(nb, Path("ex.py"), 600), time_limit(nbformat.v4.new_notebook(), Path("ex.py"), 600)
    (3, 600)
    >>> time_limit(nbformat.v4.new_notebook(metadata={"lesson": {"timeout": "soon"}}), Path("ex.py"), 600)
    Traceback (most recent call last):
    ...
    sitelib.examples.errors.ExampleInvalid: ex.py:1: the header's lesson: timeout: must be a positive number of seconds, got 'soon'
    """
    header = notebook.metadata.get("lesson", {})
    value = header.get("timeout", default) if isinstance(header, dict) else default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ExampleInvalid(f"{display_path(path)}:1: the header's lesson: timeout: must be a positive "
                             f"number of seconds, got {value!r}")
    return math.ceil(value)


def read_manifest(cache_dir: Path, src_dir: Path) -> list[Path] | None:
    """The examples the executing build found (see :func:`executed_examples`); None if unreadable."""
    path = cache_dir / MANIFEST
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError("not a list of file names")
        found = [src_dir / name for name in names]
        missing = [name for name, file in zip(names, found) if not file.is_file()]
        if missing:
            raise ValueError(f"{', '.join(missing)} no longer exist")
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        log.info("Examples list %s unreadable (%s): finding the examples again", path, error)
        return None
    return found


def write_manifest(cache_dir: Path, src_dir: Path, examples: list[Path]) -> None:
    """Record the examples an executing build found, for the language builds (see :func:`read_manifest`)."""
    write_if_changed(cache_dir / MANIFEST, json.dumps([p.relative_to(src_dir).as_posix() for p in examples]))


def executed_examples(src_dir: Path, cache_dir: Path, environment: str | None = None, *,
                      timeout: int = DEFAULT_TIME_LIMIT, guarded: list[Path] | None = None,
                      root: Path | None = None, only: list[Path] | None = None, workers: int = 0,
                      spares: SpareKernels | None = None, zygote=True) -> dict[Path, Execution]:
    """Every example of ``src_dir``, executed: from the cache when its key matches, else run now.

    Each example that must run gets a fresh kernel (see sitelib.examples.execute), so
    its output never depends on which other examples ran in the same build,
    and a scratch working directory of its own (under ``cache_dir``, emptied
    before and removed after), within its time limit (``timeout`` unless its
    header says otherwise). When ``guarded`` is given, the files under it
    (named relative to ``root``) must be the same after each example as
    before the first: else SourcesChanged. Entries of ``cache_dir`` that no
    current example uses are deleted, so the cache never grows stale files;
    ``cache_dir`` must belong to this ``src_dir`` alone. ``environment`` stands
    in for the torch and Python versions in the cache key (tests use it to
    simulate an upgrade). ``workers`` examples run at once (0: one per core),
    each written to the cache as it finishes; ``spares`` (under serve) holds a
    kernel started ahead of need; ``zygote``: fork kernels from a zygote where supported (or these
    already started ``Zygotes``, see sitelib.examples.execute.execute_each).

    The examples are those found in ``src_dir`` now, recorded in the
    folder's manifest, or ``only`` these: a language build passes what the
    executing build found, so a file an example wrote is never taken for one.
    """
    results: dict[Path, Execution] = {}
    wanted: set[Path] = set()
    misses: list[tuple[Path, Path]] = []
    examples = find_examples(src_dir) if only is None else only
    for path in examples:
        cached = cache_dir / f"{cache_name(path, src_dir)}-{cache_key(path, src_dir, environment)}.ipynb"
        wanted.add(cached)
        execution = keyed_cache.read_entry(cached, _parse_executed, f"example {path.relative_to(src_dir)}")
        if execution is not None:
            results[path] = execution
        else:
            misses.append((path, cached))
    if only is None:
        write_manifest(cache_dir, src_dir, examples)
    scratch = cache_dir / "scratch"
    jobs = []
    for path, _ in misses:
        notebook = read_example(path)
        cwd = scratch / cache_name(path, src_dir)
        shutil.rmtree(cwd, ignore_errors=True)
        cwd.mkdir(parents=True)
        jobs.append(Job(path, notebook, cwd, src_dir.parent, time_limit(notebook, path, timeout)))
    guard = SourceGuard(guarded, root or src_dir.parent) if guarded and jobs else None
    try:
        for done in execute_each(jobs, workers or default_workers(), spares, zygote):  # in the order they finish
            path, execution = done.job.path, done.execution
            if guard is not None:
                guard.check(display_path(path), [display_path(p) for p in done.alongside])
            log.info("Executed example %s in %.2f s", path.relative_to(src_dir), execution.seconds)
            execution.notebook.metadata["lesson"] = execution.meta
            write_text_atomic(dict(misses)[path], nbformat.writes(execution.notebook))
            results[path] = execution
            shutil.rmtree(done.job.cwd, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for stale in cache_dir.glob("*.ipynb") if cache_dir.is_dir() else []:
        if stale not in wanted:
            stale.unlink()
    return dict(sorted(results.items()))


def unexecuted_examples(src_dir: Path) -> dict[Path, Execution]:
    """Every example of ``src_dir`` as a notebook without outputs (for previews and benchmarks)."""
    return {path: Execution(read_example(path), 0.0) for path in find_examples(src_dir)}


def read_example(path: Path) -> nbformat.NotebookNode:
    """The percent-format example at ``path`` as a notebook, with cell ids that do not change between reads."""
    notebook = jupytext.read(path)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # jupytext draws random ids
    return notebook


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless ``path`` already holds it (keeps mtimes, and downstream caches, stable).

    Compared as bytes, so a damaged file (not UTF-8 any more) is replaced, never a traceback.
    """
    new = text.encode("utf-8")
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == new:
        return
    if old is not None and path.suffix == ".ipynb":
        keyed_cache.read_entry(path, json.loads, "notebook")  # only to note a damaged one in the log, naming it
    write_text_atomic(path, text)
