"""Reuse a language's built site when nothing it is built from has changed.

Under ``mkdocs serve`` every edit rebuilds the whole site; without this, a
prose edit to one page would rebuild every language. Each language is built
(by :func:`build`) into its own folder under the cache, next to a record of
the fingerprint of all its inputs and of the hash of every file built, and
copied into the site (:func:`sync`: under serve, only the files that
changed). When the fingerprint matches, the folder is copied again without
building, and every file is checked against its hash as it is copied: a
damaged or edited cached file means a rebuild, never a published error.
Copies, not hard links, so that nothing written into the site folder
afterwards can change the cache. The fingerprint covers every input of a
language build: its pages, the configuration, the theme overrides, the hooks
and the site's code, the data files, the executed notebooks, the installed
packages, the site and repository addresses, the machine (the timings page
marks it) and the date (sitemaps carry it). Anything not listed there must
not be read by a build."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sitelib.atomic import write_text_atomic

FINGERPRINT = ".lesson-fingerprint"  # JSON: {"key": fingerprint, "files": {path: sha256}}

log = logging.getLogger("mkdocs.plugins.lesson")


def _files(paths: Iterable[Path]) -> list[Path]:
    """Every file named in ``paths`` or below a folder of it, once each (inputs may overlap)."""
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(found)


def installed_packages() -> str:
    """The names (with versions) of every installed distribution: an upgrade changes the output."""
    names: list[str] = []
    for entry in sys.path:
        folder = Path(entry)
        if folder.is_dir():
            names.extend(p.name for p in folder.glob("*.dist-info"))
    return "\n".join(sorted(names))


def fingerprint(inputs: Iterable[Path], root: Path, facts: dict[str, str]) -> str:
    """A hash of the bytes of every file under ``inputs`` (named relative to ``root``) and of ``facts``.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); (folder / "a.md").write_text("x")
    1
    >>> first = fingerprint([folder], folder, {"url": "u"})
    >>> first == fingerprint([folder], folder, {"url": "v"})
    False
    >>> (folder / "a.md").write_text("y") and first == fingerprint([folder], folder, {"url": "u"})
    False
    """
    digest = hashlib.sha256()
    for key in sorted(facts):
        digest.update(f"{key}={facts[key]}\0".encode())
    for path in _files(inputs):
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def today() -> str:
    """The UTC date, which a built site carries (sitemap ``lastmod``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _built_files(built: Path) -> dict[str, Path]:
    return {p.relative_to(built).as_posix(): p for p in sorted(built.rglob("*"))
            if p.is_file() and p.name != FINGERPRINT}


def _record(built: Path) -> dict | None:
    """The fingerprint record of ``built``: None when absent; logged (naming it) and None when unreadable."""
    marker = built / FINGERPRINT
    try:
        record = json.loads(marker.read_bytes())
        if not (isinstance(record, dict) and isinstance(record.get("key"), str)
                and isinstance(record.get("files"), dict)
                and all(isinstance(v, str) for v in record["files"].values())):
            raise ValueError("not a fingerprint and a list of file hashes")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        log.info("Language build record %s unreadable (%s): building the language again", marker, error)
        return None
    return record


def reuse(built: Path, key: str, target: Path, keep: Iterable[str] = ()) -> bool:
    """Copy the build in ``built`` into ``target`` if it is complete for ``key`` and intact; else False.

    Every file is read once, checked against the hash recorded when it was
    built, and only then is ``target`` made to hold them (:func:`sync`; ``keep``:
    the folders below it that are other languages' sites): a truncated,
    edited, missing or extra file is logged (naming it) and the caller builds
    the language again.
    """
    contents = verified(built, key)
    if contents is None:
        return False
    sync(contents, target, keep)
    return True


def verified(built: Path, key: str) -> dict[str, bytes] | None:
    """The files of ``built`` (name to bytes) if it is a complete, intact build for ``key``; else None (logged).

    :func:`reuse` without the copy: the caller writes them (:func:`sync`)
    while another language builds.
    """
    record = _record(built)
    if record is None or record["key"] != key:
        return None
    found = _built_files(built)
    contents: dict[str, bytes] = {}
    for name in sorted(set(found) | set(record["files"])):
        data = found[name].read_bytes() if name in found else None
        if data is None or name not in record["files"] or _digest(data) != record["files"][name]:
            what = "missing" if data is None else "not in its record" if name not in record["files"] else "changed"
            log.info("Language build %s: %s is %s since it was built: building the language again", built, name, what)
            return None
        contents[name] = data
    return contents


def mark(built: Path, key: str) -> None:
    """Record that ``built`` is a complete build for ``key``, with the hash of each file (written last, atomically)."""
    files = {name: _digest(path.read_bytes()) for name, path in _built_files(built).items()}
    write_text_atomic(built / FINGERPRINT, json.dumps({"key": key, "files": files}, indent=0))


def publish(built: Path, target: Path, keep: Iterable[str] = ()) -> None:
    """Copy a just-built (and marked) language into ``target``, checked like a reused one (:func:`reuse`)."""
    record = _record(built)
    if record is None or not reuse(built, record["key"], target, keep):
        raise RuntimeError(f"{built}: the language build just made does not match its own record")


def sync(contents: dict[str, bytes], target: Path, keep: Iterable[str] = ()) -> int:
    """Make ``target`` hold exactly ``contents`` (name to bytes), besides the folders named in ``keep``.

    Under ``mkdocs serve`` the site folder still holds the previous build
    (sitelib.plugin.orchestrator), and an edit changes a few of a language's
    files: a file that holds its bytes already is left as it is. Any other is
    written beside its place and renamed over it, so a reader never meets
    half a file (and a hard link left there is replaced, not written
    through). What ``contents`` lacks is removed, but for ``keep``: other
    languages' sites below ``target``. Returns how many files were written.

    >>> import tempfile
    >>> site = Path(tempfile.mkdtemp())
    >>> sync({"index.html": b"en", "old.html": b"x", "zh/index.html": b"zh"}, site)
    3
    >>> sync({"index.html": b"en", "new.html": b"y"}, site, keep=["zh"])
    1
    >>> sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    ['index.html', 'new.html', 'zh/index.html']
    """
    written = 0
    for name, data in contents.items():
        dest = target / name
        try:
            if dest.stat().st_size == len(data) and dest.read_bytes() == data:
                continue
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        dest.parent.mkdir(parents=True, exist_ok=True)
        new = dest.with_name(f".{dest.name}.new")
        new.write_bytes(data)
        os.replace(new, dest)
        written += 1
    kept = {target / name for name in keep}
    for folder, dirs, files in os.walk(target, topdown=False):
        here = Path(folder)
        if here in kept or any(parent in kept for parent in here.parents):
            continue
        for name in files:
            if (here / name).relative_to(target).as_posix() not in contents:
                (here / name).unlink()
        if here != target and not any(here.iterdir()):
            here.rmdir()
    return written


def _set_aside(built: Path) -> threading.Thread:
    """Move ``built`` (and any older build left aside by an interrupted run) out of the way at once, and
    remove them in a thread: deleting a site's files takes a tenth of a second the build need not wait for."""
    aside = [p for p in built.parent.glob(f".{built.name}.old-*") if p.is_dir()] if built.parent.is_dir() else []
    if built.exists():
        moved = built.with_name(f".{built.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        built.rename(moved)
        aside.append(moved)
    thread = threading.Thread(target=lambda: [shutil.rmtree(p, ignore_errors=True) for p in aside],
                              name=f"remove old {built.name}", daemon=True)
    thread.start()
    return thread


# The installed themes (name to entry point), listed once per process; see _themes_listed_once.
_installed_themes: dict[str, object] = {}


@contextmanager
def _themes_listed_once():
    """Let a configuration load find the installed themes without listing them again.

    MkDocs lists them (scanning the entry points of every installed package,
    0.1 s here) in each configuration load, and clears its own cache of the
    list whenever it loads a theme, so every language build paid the scan the
    build that started it had just made. The list cannot change while a
    build runs; under serve, a theme installed meanwhile is seen after a restart.
    """
    from mkdocs import utils

    real = utils.get_themes
    if not _installed_themes:
        _installed_themes.update(real())
    utils.get_themes = functools.lru_cache(maxsize=None)(lambda: dict(_installed_themes))
    try:
        yield
    finally:
        utils.get_themes = real


def build(config_file: str, code: str, site_dir: Path, site_url: str | None, strict: bool,
          handed: dict | None = None) -> None:
    """Build language ``code`` of ``config_file`` into an emptied ``site_dir``, with fresh plugin instances.

    ``handed`` sets attributes of the new ``lesson`` plugin (what the starting build made for every language).
    """
    from mkdocs.commands.build import build as mkdocs_build  # imported here: it imports every theme and plugin
    from mkdocs.config import load_config

    removing = _set_aside(site_dir)
    try:
        with _themes_listed_once():
            config = load_config(config_file, site_dir=str(site_dir), site_url=site_url, strict=strict)
        config.plugins["lesson"].building = code
        for name, value in (handed or {}).items():
            setattr(config.plugins["lesson"], name, value)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    finally:
        removing.join()
