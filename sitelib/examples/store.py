"""Executions made on another machine (a GPU machine, a CI shard), merged into the repository.

``make merge-executions`` stores one run of each kind ("cpu" or "gpu") per
example, as ``<store>/<lesson>/<name>.<kind>.json``. A stored run holds only
what the example's source does not: each code cell's outputs and the run's
record (input key, machine, date, duration). The build rebuilds the notebook
from the current source and puts the outputs back, so a review diff shows
outputs and provenance, nothing else.

The *input key* is what the outputs depend on in the repository: the
example's bytes, the helpers it imports and the executor's version. Unlike the
local cache key it leaves out the torch and Python versions, which differ from
machine to machine by design; the page names the versions each run used. A
run whose key is not the example's current key is *stale*: its outputs are
never shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

from sitelib.atomic import write_text_atomic
from sitelib.examples.discover import EXECUTOR_VERSION, cache_key, cache_name
from sitelib.examples.run_in_kernel import Execution
from sitelib.examples.notebooks import read_example

STORE_FORMAT = 1
KINDS = ("gpu", "cpu")  # the order an example page shows its runs in
_KIND_FILE = re.compile(r"^(?P<name>.+)\.(?P<kind>cpu|gpu)\.json$")
_MACHINE_TEXT = ("cpu", "torch", "python")  # machine fields every run must name


class StoreError(ValueError):
    """A stored run or an execution folder is not what it should be; the message names the file."""


def input_key(example: Path, src_dir: Path) -> str:
    """A hash of the example's bytes, the helpers it imports and the executor's version."""
    return cache_key(example, src_dir, f"executor={EXECUTOR_VERSION}")


def lesson_key(src: str) -> str:
    """The folder name of one lesson's examples, in the cache and in the store.

    >>> lesson_key("lessons/intro/")
    'lessons--intro'
    """
    return src.strip("/").replace("/", "--")


def run_kind(machine: dict) -> str:
    """"gpu" for a run on which torch saw a CUDA GPU, else "cpu".

    >>> run_kind({"gpu": "NVIDIA H200"}), run_kind({"gpu": None})
    ('gpu', 'cpu')
    """
    return "gpu" if machine.get("gpu") else "cpu"


def local_kind() -> str:
    """The kind of run this machine makes: "gpu" when an NVIDIA driver answers and torch is a CUDA build.

    Decided without importing torch (a second of every build): the driver is
    asked as the timings recorder asks it, and the installed torch's version
    says its build (``+cpu`` for the CPU wheels).
    """
    from sitelib.timings.host import nvidia_driver

    try:
        torch_build = metadata.version("torch")
    except metadata.PackageNotFoundError:
        return "cpu"
    return "gpu" if nvidia_driver() is not None and "+cpu" not in torch_build else "cpu"


@dataclass(frozen=True)
class StoredRun:
    """One merged run of an example: its kind, the input key it ran with, the execution, and its file."""

    kind: str
    key: str
    execution: Execution
    path: Path


@dataclass
class MergedRuns:
    """An example's stored runs: those that match its current source, by kind, and those that do not."""

    current: dict[str, StoredRun] = field(default_factory=dict)
    stale: list[StoredRun] = field(default_factory=list)


def _outputs_only(output: dict) -> dict:
    """An output as stored: the execution count, which the build numbers again, left out."""
    return {k: v for k, v in output.items() if k != "execution_count"}


def pack(execution: Execution, key: str) -> dict:
    """What is stored of a run: its record and each code cell's outputs."""
    code = [c for c in execution.notebook.cells if c.cell_type == "code"]
    return {
        "format": STORE_FORMAT,
        "key": key,
        "machine": execution.machine,
        "executed_at": execution.executed_at,
        "seconds": execution.seconds,
        "outputs": [[_outputs_only(o) for o in cell.get("outputs", [])] for cell in code],
    }


def check_record(data: object, where: str) -> dict:
    """``data`` if it is a run's record (key, machine, date, duration, outputs), else StoreError naming ``where``."""
    if not isinstance(data, dict):
        raise StoreError(f"{where}: expected a JSON object")
    problems = []
    if not (isinstance(data.get("key"), str) and re.fullmatch(r"[0-9a-f]{20}", data["key"])):
        problems.append("key: expected 20 lowercase hexadecimal digits")
    machine = data.get("machine")
    if not isinstance(machine, dict):
        problems.append("machine: expected an object")
    else:
        problems += [f"machine.{name}: expected text" for name in _MACHINE_TEXT if not isinstance(machine.get(name), str)]
        if machine.get("gpu") is not None and not isinstance(machine.get("gpu"), str):
            problems.append("machine.gpu: expected text or null")
    if not (isinstance(data.get("executed_at"), str)
            and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["executed_at"])):
        problems.append("executed_at: expected a UTC time like 2026-12-01T12:00:00Z")
    seconds = data.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
        problems.append("seconds: expected a number of seconds, 0 or more")
    if "outputs" in data and not (isinstance(data["outputs"], list) and all(isinstance(o, list) for o in data["outputs"])):
        problems.append("outputs: expected a list of output lists, one per code cell")
    if problems:
        raise StoreError(f"{where}: " + "; ".join(problems))
    return data


def unpack(data: dict, source: nbformat.NotebookNode, where: str) -> Execution:
    """The executed notebook: ``source`` (the example as it is now) with the stored outputs put back."""
    notebook = nbformat.from_dict(json.loads(json.dumps(source)))  # a deep copy that stays a NotebookNode
    code = [c for c in notebook.cells if c.cell_type == "code"]
    if len(code) != len(data["outputs"]):
        raise StoreError(f"{where}: holds outputs of {len(data['outputs'])} code cells, the example has {len(code)}")
    for count, (cell, outputs) in enumerate(zip(code, data["outputs"]), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.from_dict({**o, "execution_count": count} if o.get("output_type") == "execute_result"
                                           else o) for o in outputs]
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise StoreError(f"{where}: its outputs are not valid notebook outputs: {error.message}") from None
    notebook.metadata["lesson"] = {"seconds": data["seconds"], "machine": data["machine"],
                                   "executed_at": data["executed_at"]}
    return Execution(notebook, data["seconds"], dict(data["machine"]), data["executed_at"])


def stored_path(folder: Path, example: Path, src_dir: Path, kind: str) -> Path:
    """Where the run of ``kind`` of ``example`` is stored in one lesson's store ``folder``."""
    return folder / f"{cache_name(example, src_dir)}.{kind}.json"


def read_record(path: Path, kind: str) -> dict:
    """The stored run at ``path``, its record checked; StoreError naming the file if it is damaged."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError) as error:
        raise StoreError(f"{path}: cannot be read as JSON ({error})") from None
    check_record(data, str(path))
    if data.get("format") != STORE_FORMAT:
        raise StoreError(f"{path}: format {data.get('format')!r}, expected {STORE_FORMAT}")
    if "outputs" not in data:
        raise StoreError(f"{path}: outputs: missing")
    if run_kind(data["machine"]) != kind:
        raise StoreError(f"{path}: a {run_kind(data['machine'])} run stored as a {kind} run")
    return data


def write_run(path: Path, data: dict) -> None:
    """Store one run atomically, as indented JSON (reviewable diffs), ending in a newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def merged_runs(example: Path, src_dir: Path, folder: Path) -> MergedRuns:
    """The stored runs of ``example`` in ``folder``, split into current and stale by the input key.

    A current run's outputs are put back into the example as it is now
    (read only then: most examples of most builds have no stored run). A
    stale run keeps only its record (its outputs belong to an older source
    and are never shown).
    """
    found = MergedRuns()
    present = {kind: path for kind in KINDS if (path := stored_path(folder, example, src_dir, kind)).is_file()}
    if not present:
        return found
    key = input_key(example, src_dir)
    source = None
    for kind, path in present.items():
        data = read_record(path, kind)
        if data["key"] == key:
            source = source or read_example(example)
            found.current[kind] = StoredRun(kind, key, unpack(data, source, str(path)), path)
        else:
            record = Execution(nbformat.v4.new_notebook(), data["seconds"], dict(data["machine"]), data["executed_at"])
            found.stale.append(StoredRun(kind, data["key"], record, path))
    return found


def stored_examples(folder: Path) -> dict[str, list[str]]:
    """The kinds stored per example name in one lesson's store ``folder``."""
    kinds: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        match = _KIND_FILE.match(path.name)
        if match:
            kinds.setdefault(match["name"], []).append(match["kind"])
    return kinds


def recorded_seconds(folder: Path, src_dir: Path) -> dict[Path, float]:
    """Each stored example's longest recorded run, in seconds (what balances the shards); damaged files are skipped."""
    seconds: dict[Path, float] = {}
    for name, kinds in stored_examples(folder).items():
        example = src_dir / (name.replace("--", "/") + ".py")
        for kind in kinds:
            try:
                data = read_record(folder / f"{name}.{kind}.json", kind)
            except StoreError:
                continue  # the build reports it; a shard only needs a guess
            seconds[example] = max(seconds.get(example, 0.0), float(data["seconds"]))
    return seconds
