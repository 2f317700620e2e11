"""One on-disk Jinja bytecode cache for every template environment of a build.

Material's templates and mkdocstrings' compile to the same code in every
build of every language; compiling them is a tenth of a language build.
Jinja's ``FileSystemBytecodeCache`` keeps the compiled form on disk, keyed
by the template's name and file and checked against a hash of its source, so
an edited override is compiled again. MkDocs makes a new environment each time something calls
``theme.get_env()`` (the build, and Material's search plugin for its
translations), so the theme's ``get_env`` of this build's configuration is
wrapped; mkdocstrings keeps one environment per handler.

Jinja checks an entry's magic header and source hash, but not the pickled
hash itself: an entry cut inside it raises from ``pickle``. Such an entry is
noted in the log, naming it, and compiled again.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

log = logging.getLogger("mkdocs.plugins.lesson")


class CheckedBytecodeCache(FileSystemBytecodeCache):
    """Jinja's on-disk bytecode cache, where an unreadable entry means compiling again, never an error."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception as error:  # noqa: BLE001 - unpickling damaged bytes raises many kinds of error
            log.info("Cache %s unreadable (%s): compiling the template again",
                     self._get_cache_filename(bucket), f"{type(error).__name__}: {error}")
            bucket.reset()


def cache_theme_templates(config, folder: Path) -> None:
    """Make every environment ``config.theme.get_env()`` returns use the bytecode cache in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    cache = CheckedBytecodeCache(str(folder))
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
    cache = CheckedBytecodeCache(str(folder))
    for name in plugin.config.handlers:
        plugin.handlers.get_handler(name).env.bytecode_cache = cache


def cache_notebook_templates(folder: Path) -> None:
    """Give every environment nbconvert makes from now on, in this process, the bytecode cache in ``folder``.

    mkdocs-jupyter makes its exporters inside its own conversion function, with
    no way to hand them an environment, so nbconvert's environment factory is
    wrapped (once per process: a second call only changes the folder).
    """
    from nbconvert.exporters.templateexporter import TemplateExporter

    folder.mkdir(parents=True, exist_ok=True)
    cache = CheckedBytecodeCache(str(folder))
    create = TemplateExporter.__dict__["_create_environment"]
    own = getattr(create, "lesson_wrapped", create)

    def _create_environment(self):
        env = own(self)
        env.bytecode_cache = cache
        return env

    _create_environment.lesson_wrapped = own
    TemplateExporter._create_environment = _create_environment
