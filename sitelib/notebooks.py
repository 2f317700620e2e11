"""Executed example notebooks: cached on disk by key, and split by language."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import jupytext
import nbformat

from sitelib import keyed_cache
from sitelib.atomic import write_text_atomic
from sitelib.examples import cache_key, cache_name, find_examples
from sitelib.execute import Execution, execute_each

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


def executed_examples(src_dir: Path, cache_dir: Path, environment: str | None = None) -> dict[Path, Execution]:
    """Every example of ``src_dir``, executed: from the cache when its key matches, else run now.

    Each example that must run gets a fresh kernel (see sitelib.execute), so
    its output never depends on which other examples ran in the same build.
    Entries of ``cache_dir`` that no current example uses are deleted, so the
    cache never grows stale files; ``cache_dir`` must belong to this
    ``src_dir`` alone. ``environment`` stands in for the torch and Python
    versions in the cache key (tests use it to simulate an upgrade).
    """
    results: dict[Path, Execution] = {}
    wanted: set[Path] = set()
    misses: list[tuple[Path, Path]] = []
    for path in find_examples(src_dir):
        cached = cache_dir / f"{cache_name(path, src_dir)}-{cache_key(path, src_dir, environment)}.ipynb"
        wanted.add(cached)
        execution = keyed_cache.read_entry(cached, _parse_executed, f"example {path.relative_to(src_dir)}")
        if execution is not None:
            results[path] = execution
        else:
            misses.append((path, cached))
    jobs = [(path, read_example(path), src_dir.parent) for path, _ in misses]
    for (path, execution), (_, cached) in zip(execute_each(jobs), misses):
        log.info("Executed example %s in %.2f s", path.relative_to(src_dir), execution.seconds)
        execution.notebook.metadata["lesson"] = execution.meta
        write_text_atomic(cached, nbformat.writes(execution.notebook))
        results[path] = execution
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
