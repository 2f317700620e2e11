"""One build at a time per checkout: a file lock under the cache folder.

Two builds at once in one checkout would empty and fill the same site and
cache folders under each other (MkDocs' ``clean_directory`` then fails with
``FileNotFoundError``). The second build waits instead, and says for whom.
The lock is ``filelock``'s (an OS lock, ``fcntl.flock`` on Linux): the
system releases it when its process ends, however it ends, so a killed build
never leaves a stale lock behind. The holder's process id is kept next to it
only to name it in the waiting message.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from filelock import FileLock, Timeout

from sitelib.atomic import write_text_atomic

log = logging.getLogger("mkdocs.plugins.lesson")


class BuildLock:
    """The lock of the cache folder ``cache``: :meth:`acquire` waits for any other build, :meth:`release` ends it."""

    def __init__(self, cache: Path):
        cache.mkdir(parents=True, exist_ok=True)
        self.path = cache / "build.lock"
        self.holder = cache / "build.pid"  # who holds it, for the message
        self._lock = FileLock(str(self.path))

    def acquire(self) -> None:
        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            log.info("Waiting for the build in process %s to finish (lock %s)…", self._holder_pid(), self.path)
            self._lock.acquire()
        write_text_atomic(self.holder, str(os.getpid()))

    def release(self) -> None:
        if self._lock.is_locked:
            self.holder.unlink(missing_ok=True)
            self._lock.release()

    def _holder_pid(self) -> str:
        try:
            return self.holder.read_text(encoding="utf-8").strip() or "?"
        except (OSError, ValueError):  # between its acquire and its write, or already gone
            return "?"
