"""One on-disk Jinja bytecode cache for every template environment of a build.

Material's templates and mkdocstrings' compile to the same code in every
build of every language; compiling them is a tenth of a language build.
Jinja's ``FileSystemBytecodeCache`` keeps the compiled form on disk, keyed
by the template's name and file and checked against a hash of its source, so
an edited override is compiled again. MkDocs makes a new environment each time something calls
``theme.get_env()`` (the build, and Material's search plugin for its
translations), so the theme's ``get_env`` of this build's configuration is
wrapped; mkdocstrings keeps one environment per handler.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache


def cache_theme_templates(config, folder: Path) -> None:
    """Make every environment ``config.theme.get_env()`` returns use the bytecode cache in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cache = FileSystemBytecodeCache(str(folder))
    make_env = config.theme.get_env

    def get_env():
        env = make_env()
        env.bytecode_cache = cache
        return env

    config.theme.get_env = get_env


def cache_handler_templates(config, folder: Path) -> None:
    """Give the environment of every mkdocstrings handler named in the configuration the bytecode cache."""
    plugin = config.plugins.get("mkdocstrings")
    if plugin is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    cache = FileSystemBytecodeCache(str(folder))
    for name in plugin.config.handlers:
        plugin.handlers.get_handler(name).env.bytecode_cache = cache
