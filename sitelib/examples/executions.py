"""An execution folder: what ``scripts/execute_examples.py`` writes and ``make merge-executions`` reads.

The folder holds one executed notebook per example and ``manifest.json``,
which says for each example its source, the input key it ran with, the
machine, the date and the duration. Merging checks everything before it
writes anything: a folder with one bad entry is refused whole, with the
file and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import nbformat

from sitelib.atomic import write_text_atomic
from sitelib.examples.discover import cache_name, find_examples, is_example
from sitelib.examples.run_in_kernel import Execution
from sitelib.examples.notebooks import read_example
from sitelib.examples.store import (StoreError, check_record, input_key, lesson_key, pack, run_kind, stored_examples,
                                    stored_path, write_run)

MANIFEST = "manifest.json"
FOLDER_FORMAT = 1


@dataclass(frozen=True)
class Incoming:
    """One checked entry of an execution folder, ready to store."""

    example: Path
    kind: str
    data: dict  # what the store keeps (see store.pack)


def _code_sources(notebook: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in notebook.cells if c.cell_type == "code"]


def write_folder(outdir: Path, lesson: str, src_dir: Path, executions: dict[Path, Execution], shard: str,
                 host: dict) -> Path:
    """Write each executed notebook and the manifest into ``outdir``; the manifest last, atomically."""
    outdir.mkdir(parents=True, exist_ok=True)
    entries = []
    for example, execution in sorted(executions.items()):
        name = f"{cache_name(example, src_dir)}.ipynb"
        machine = {**execution.machine, **host}
        execution.notebook.metadata["lesson"] = {"seconds": execution.seconds, "machine": machine,
                                                 "executed_at": execution.executed_at}
        write_text_atomic(outdir / name, nbformat.writes(execution.notebook))
        entries.append({"source": example.relative_to(src_dir).as_posix(), "notebook": name,
                        "key": input_key(example, src_dir), "machine": machine,
                        "executed_at": execution.executed_at, "seconds": execution.seconds})
    manifest = {"format": FOLDER_FORMAT, "lesson": lesson, "shard": shard,
                "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "examples": entries}
    path = outdir / MANIFEST
    write_text_atomic(path, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return path


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path}: missing (is this a folder scripts/execute_examples.py wrote?)") from None
    except (OSError, ValueError) as error:
        raise StoreError(f"{path}: cannot be read as JSON ({error})") from None


def read_folder(outdir: Path, root: Path) -> tuple[str, list[Incoming]]:
    """The lesson and the checked entries of the execution folder ``outdir``, for the project at ``root``.

    Refused (StoreError naming the file and the reason) unless every entry
    names an example of the project, ran with the example's current input
    key, and has a valid notebook with the example's code.
    """
    path = outdir / MANIFEST
    manifest = _read_json(path)
    if not isinstance(manifest, dict):
        raise StoreError(f"{path}: expected a JSON object")
    if manifest.get("format") != FOLDER_FORMAT:
        raise StoreError(f"{path}: format {manifest.get('format')!r}, expected {FOLDER_FORMAT}")
    lesson = manifest.get("lesson")
    if not isinstance(lesson, str) or not lesson or not (root / lesson).is_dir():
        raise StoreError(f"{path}: lesson: {lesson!r} is not an examples folder of {root}")
    src_dir = root / lesson
    entries = manifest.get("examples")
    if not isinstance(entries, list) or not entries:
        raise StoreError(f"{path}: examples: expected a non-empty list")
    incoming: list[Incoming] = []
    seen: set[tuple[Path, str]] = set()
    for index, entry in enumerate(entries):
        where = f"{path}: examples[{index}]"
        if not isinstance(entry, dict):
            raise StoreError(f"{where}: expected an object")
        check_record(entry, where)
        source, notebook_name = entry.get("source"), entry.get("notebook")
        if not isinstance(source, str) or PurePosixPath(source).is_absolute() or ".." in PurePosixPath(source).parts:
            raise StoreError(f"{where}: source: expected a path inside {lesson}/, got {source!r}")
        example = src_dir / source
        if not example.is_file() or not is_example(example):
            raise StoreError(f"{where}: source: {lesson}/{source} is not an example of this project")
        where = f"{path}: {source}"
        key = input_key(example, src_dir)
        if entry["key"] != key:
            raise StoreError(f"{where}: {lesson}/{source} changed since this run (it ran with input key "
                             f"{entry['key']}, the file now has {key}): execute it again")
        if not isinstance(notebook_name, str) or "/" in notebook_name or not notebook_name.endswith(".ipynb"):
            raise StoreError(f"{where}: notebook: expected a file name ending in .ipynb, got {notebook_name!r}")
        notebook_path = outdir / notebook_name
        try:
            notebook = nbformat.reads(notebook_path.read_bytes().decode("utf-8"), as_version=4)
            nbformat.validate(notebook)
        except FileNotFoundError:
            raise StoreError(f"{notebook_path}: missing (the manifest lists it)") from None
        except nbformat.ValidationError as error:
            raise StoreError(f"{notebook_path}: not a valid notebook: {error.message}") from None
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:  # what nbformat raises on odd JSON
            raise StoreError(f"{notebook_path}: not a valid notebook ({type(error).__name__}: {error})") from None
        if _code_sources(notebook) != _code_sources(read_example(example)):
            raise StoreError(f"{notebook_path}: its code cells are not those of {lesson}/{source}")
        kind = run_kind(entry["machine"])
        if (example, kind) in seen:
            raise StoreError(f"{where}: listed twice as a {kind} run")
        seen.add((example, kind))
        execution = Execution(notebook, entry["seconds"], entry["machine"], entry["executed_at"])
        incoming.append(Incoming(example, kind, pack(execution, key)))
    return lesson, incoming


def merge_folder(outdir: Path, root: Path, store_dir: Path) -> list[str]:
    """Check the execution folder ``outdir`` whole, then store its runs; one line per run stored.

    Stored runs of examples that no longer exist are removed, so the store
    holds nothing the site cannot use.
    """
    lesson, incoming = read_folder(outdir, root)
    src_dir = root / lesson
    folder = store_dir / lesson_key(lesson)
    said = []
    for run in incoming:
        target = stored_path(folder, run.example, src_dir, run.kind)
        write_run(target, run.data)
        size = target.stat().st_size
        said.append(f"stored {run.example.relative_to(src_dir).as_posix()} ({run.kind} run on "
                    f"{run.data['machine'].get('gpu') or run.data['machine']['cpu']}, {run.data['executed_at']}) "
                    f"as {target.relative_to(root) if target.is_relative_to(root) else target}, {size / 1024:.1f} KiB")
    existing = {cache_name(p, src_dir) for p in find_examples(src_dir)}
    for name, kinds in stored_examples(folder).items():
        if name not in existing:
            for kind in kinds:
                (folder / f"{name}.{kind}.json").unlink()
                said.append(f"removed {name}.{kind}.json: no such example any more")
    return said

