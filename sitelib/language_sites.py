"""Reuse a language's built site when nothing it is built from has changed.

Under ``mkdocs serve`` every edit rebuilds the whole site, and MkDocs empties
the site folder first; without this, a prose edit to one page would rebuild
every language. Each language is built (by :func:`build`) into its own
folder under the cache, next to a fingerprint of all its inputs, and linked
into the site. When the fingerprint matches, the folder is linked again
without building. The fingerprint covers every input of a language build:
its pages, the configuration, the theme overrides, the hooks and the site's
code, the data files, the executed notebooks, the installed packages, the
site and repository addresses, the machine (the timings page marks it) and
the date (sitemaps carry it). Anything not listed there must not be read by
a build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from sitelib.atomic import write_text_atomic

FINGERPRINT = ".lesson-fingerprint"


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


def is_current(built: Path, key: str) -> bool:
    """True when ``built`` holds a complete build for fingerprint ``key``."""
    marker = built / FINGERPRINT
    return marker.is_file() and marker.read_text(encoding="utf-8") == key


def mark(built: Path, key: str) -> None:
    """Record that ``built`` is a complete build for ``key`` (written last, atomically)."""
    write_text_atomic(built / FINGERPRINT, key)


def clear(built: Path) -> None:
    """Remove a stale build, so an interrupted one can never be taken for current."""
    if built.exists():
        shutil.rmtree(built)


def link_tree(source: Path, target: Path) -> None:
    """Put the files of ``source`` under ``target``: hard links where possible (fast), else copies."""
    for path in source.rglob("*"):
        if path.name == FINGERPRINT:
            continue
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.unlink()
        try:
            os.link(path, dest)
        except OSError:  # another file system
            shutil.copy2(path, dest)


def build(config_file: str, code: str, site_dir: Path, site_url: str | None, strict: bool) -> None:
    """Build language ``code`` of ``config_file`` into an emptied ``site_dir``, with fresh plugin instances."""
    from mkdocs.commands.build import build as mkdocs_build  # imported here: it imports every theme and plugin
    from mkdocs.config import load_config

    clear(site_dir)
    config = load_config(config_file, site_dir=str(site_dir), site_url=site_url, strict=strict)
    config.plugins["lesson"].building = code
    config.plugins.on_startup(command="build", dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
