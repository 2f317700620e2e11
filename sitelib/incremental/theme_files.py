"""The installed theme's files listed once per process; the project's own overrides every build.

Each MkDocs build lists every file of the theme's folders to copy its static
files (``Files.add_files_from_theme``): Material's 1,700 files walked, and
each name matched against a dozen patterns, about a tenth of a second of a
language build. An installed theme's folder cannot change while a process
runs (an upgrade is seen after serve restarts, as with the themes listed once
in sitelib.incremental.language_sites); the ``custom_dir`` folder can, and is
listed every time. A process's first build fills the list, and the language
builds forked from it later start with it.
"""

from __future__ import annotations

import functools
import os

import jinja2

# (folder, the filter's code, the theme's static templates, which it reads) -> the names the filter kept.
_LISTED: dict[tuple, tuple[str, ...]] = {}


def list_installed_once(config) -> None:
    """Make the environments ``config.theme.get_env()`` returns list the installed theme's folders once."""
    theme = config.theme
    custom = os.path.abspath(theme.custom_dir) if theme.custom_dir else None
    make_env = theme.get_env

    def get_env():
        env = make_env()
        env.list_templates = functools.partial(_list_templates, env, custom, tuple(theme.static_templates))
        return env

    theme.get_env = get_env


def _list_templates(env: jinja2.Environment, custom: str | None, static: tuple[str, ...],
                    extensions=None, filter_func=None) -> list[str]:
    """``Environment.list_templates``, remembering what ``filter_func`` kept of each installed folder.

    MkDocs' filter reads only the name and the theme's static templates (part
    of the key, with the filter's code); any other call is answered by Jinja.
    """
    loader = env.loader
    if extensions is not None or filter_func is None or not isinstance(loader, jinja2.FileSystemLoader):
        return jinja2.Environment.list_templates(env, extensions, filter_func)
    def listed(folder: str) -> tuple[str, ...]:
        one = jinja2.FileSystemLoader(folder, encoding=loader.encoding, followlinks=loader.followlinks)
        return tuple(filter(filter_func, one.list_templates()))

    names: set[str] = set()
    for folder in map(os.path.abspath, loader.searchpath):
        if folder == custom:
            names.update(listed(folder))
            continue
        key = (folder, filter_func.__code__, static)
        if key not in _LISTED:
            _LISTED[key] = listed(folder)
        names.update(_LISTED[key])
    return sorted(names)
