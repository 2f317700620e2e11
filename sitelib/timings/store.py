"""Reading, merging and atomically writing ``data/timings.json``.

Every read is validated (see :mod:`sitelib.timings.schema`), so a corrupt,
truncated or foreign file is refused with an error naming the file and the
problem instead of being silently overwritten.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from sitelib.atomic import write_text_atomic
from sitelib.timings.schema import SCHEMA_VERSION, SchemaError, parse_int, validate_timings


class TimingsFileError(Exception):
    """A timings file that cannot be used; the message names the file and the problem."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def empty_timings() -> dict:
    """Return a valid timings document with no machine record."""
    return {"schema_version": SCHEMA_VERSION, "machines": []}


def _read_json(path: Path, missing_ok: bool):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return empty_timings()
        raise TimingsFileError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TimingsFileError(path, f"cannot be read ({exc})") from None
    try:
        return json.loads(text, parse_int=parse_int)  # an oversized integer is refused by the schema, by field
    except json.JSONDecodeError as exc:
        # A truncated file usually ends in the middle of a value.
        raise TimingsFileError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                  "the file may be corrupt or truncated") from None


def _validated(path: Path, data) -> dict:
    try:
        validate_timings(data, source=str(path))
    except SchemaError as exc:
        raise TimingsFileError(path, "\n".join(["does not follow the timings schema:"]
                                               + [f"  - {p}" for p in exc.problems[:20]])) from None
    return data


def load_timings(path, *, missing_ok: bool = False) -> dict:
    """Read and validate a timings file.

    With ``missing_ok`` an absent file counts as an empty document (first run);
    anything else that is wrong raises :class:`TimingsFileError`.
    """
    path = Path(path)
    return _validated(path, _read_json(path, missing_ok))


def load_record_file(path) -> dict:
    """Read a record file made elsewhere, as a validated timings document.

    Either a timings file (what ``record_timings.py --output FILE`` writes) or
    one bare machine record (what ``record_timings.py --dry-run`` prints).
    """
    path = Path(path)
    data = _read_json(path, missing_ok=False)
    if isinstance(data, dict) and "machine_id" in data and "schema_version" not in data:
        data = {"schema_version": SCHEMA_VERSION, "machines": [data]}
    data = _validated(path, data)
    if not data["machines"]:
        raise TimingsFileError(path, "holds no machine record: nothing to merge")
    return data


def merge_file(target, source) -> list[str]:
    """Merge every machine record of ``source`` into ``target``; return the merged machine ids.

    Both files are validated before anything is written; a record replaces the
    target's record of the same machine (as a re-run of the recorder does), and
    the target is written atomically, so a failure leaves it as it was.
    """
    target, source = Path(target), Path(source)
    if target.resolve() == source.resolve():
        raise TimingsFileError(source, "is the file to merge into; give a record made elsewhere")
    incoming = load_record_file(source)
    data = merge_records(load_timings(target, missing_ok=True), incoming["machines"])
    write_timings(target, data)
    return [record["machine_id"] for record in incoming["machines"]]


def merge_record(data: dict, record: dict) -> dict:
    """Return a copy of ``data`` with ``record`` added, replacing any record of the same machine.

    Replacing (not appending) keeps one record per machine: re-running the
    script on a machine updates its numbers instead of duplicating them.
    """
    return merge_records(data, [record])


def merge_records(data: dict, records: list[dict]) -> dict:
    """Return a copy of ``data`` with each of ``records`` merged as :func:`merge_record` merges one.

    One copy and one index by machine id for the whole batch, so merging n
    records into m costs O(n + m), not a copy of the document per record.

    >>> merge_records({"machines": [{"machine_id": "a", "v": 1}]},
    ...               [{"machine_id": "b", "v": 2}, {"machine_id": "a", "v": 3}])["machines"]
    [{'machine_id': 'a', 'v': 3}, {'machine_id': 'b', 'v': 2}]
    """
    merged = copy.deepcopy(data)
    machines = merged["machines"]
    where = {old["machine_id"]: i for i, old in enumerate(machines)}
    for record in records:
        if record["machine_id"] in where:
            machines[where[record["machine_id"]]] = copy.deepcopy(record)
        else:
            where[record["machine_id"]] = len(machines)
            machines.append(copy.deepcopy(record))
    return merged


def dumps_timings(data: dict) -> str:
    """Serialise deterministically (sorted keys, trailing newline) for readable diffs."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_timings(path, data: dict) -> None:
    """Validate ``data`` and write it atomically to ``path``.

    The text goes to a temporary file in the same directory (so ``os.replace``
    is a rename within one file system), is flushed and fsynced, then replaces
    the target in one step: a reader or a crash sees the old file or the new
    one, never a half-written one.
    """
    path = Path(path)
    validate_timings(data, source=f"{path} (data about to be written)")
    write_text_atomic(path, dumps_timings(data))  # serialised before the disk is touched

