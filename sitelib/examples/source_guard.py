"""Catch an example that writes into the project: a snapshot of the sources before it runs and after.

Examples run in a scratch folder of their own, but nothing stops one from
opening ``../../docs/en/about.md``. What it wrote would be published (or, for
a ``.py`` in ``lessonsrc/``, run as an example by a later build), so the build
compares a snapshot of every file the site is built from (size and
modification time: a few hundred ``stat`` calls, about a millisecond)
before and after each example and fails naming the changed files (and, as
examples run in parallel, those that were running at the same time).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

Snapshot = dict[Path, tuple[int, int]]


class SourcesChanged(Exception):
    """An example added, changed or removed a file the site is built from."""


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """Size and modification time (ns) of every file at or under ``paths`` (``__pycache__`` aside)."""
    found: Snapshot = {}
    for path in paths:
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            if "__pycache__" not in file.parts:
                stat = file.stat()
                found[file] = (stat.st_size, stat.st_mtime_ns)
    return found


def changes(before: Snapshot, after: Snapshot, root: Path) -> list[str]:
    """Each file that differs between the snapshots, relative to ``root``, with what happened to it.

    >>> root = Path("/p")
    >>> changes({root / "a": (1, 1), root / "b": (1, 1)}, {root / "a": (2, 1), root / "c": (1, 1)}, root)
    ['a (changed)', 'b (deleted)', 'c (added)']
    """
    found = []
    for path in sorted(before.keys() | after.keys()):
        what = "added" if path not in before else "deleted" if path not in after else "changed"
        if before.get(path) != after.get(path):
            found.append(f"{path.relative_to(root).as_posix() if path.is_relative_to(root) else path} ({what})")
    return found


class SourceGuard:
    """The snapshot taken before the examples run, checked after each one."""

    def __init__(self, paths: Iterable[Path], root: Path):
        self.paths, self.root = list(paths), root
        self.before = snapshot(self.paths)

    def check(self, example: str, alongside: Iterable[str] = ()) -> None:
        """Raise SourcesChanged, naming ``example`` and each file, if anything changed since the snapshot.

        ``alongside``: the examples that ran at the same time (any of them may have written the file).
        """
        changed = changes(self.before, snapshot(self.paths), self.root)
        others = ", ".join(alongside)
        if changed:
            raise SourcesChanged(
                f"{example}: the example{f' (or {others}, running alongside it)' if others else ''} changed "
                f"the project's files while it ran: {', '.join(changed)}. "
                "Examples run in a scratch folder of their own (their working directory); write files there "
                "or in a temporary folder, never into docs/, lessonsrc/, data/ or the configuration."
            )
