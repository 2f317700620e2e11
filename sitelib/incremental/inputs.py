"""What the lesson's builds read: the inputs of their fingerprints, and the folders serve watches.

One place, so that what a cached result is keyed by and what ``mkdocs serve``
watches cannot drift apart from each other.
"""

from __future__ import annotations

import functools
import io
import os
import sys
from pathlib import Path

from sitelib.incremental import language_sites
from sitelib.timings.host import current_machine_id

SITELIB = Path(__file__).parents[1]  # the site's own code


def _code(root: Path) -> list[Path]:
    """The site's code: this package and the project's MkDocs hooks."""
    return [SITELIB, *([root / "hooks"] if (root / "hooks").is_dir() else [])]


def shared_inputs(config, options) -> list[Path]:
    """The files and folders every language's build reads but its pages."""
    root = Path(config.config_file_path).parent
    inputs = [Path(config.config_file_path), root / "data", root / options.timings, root / options.executions,
              *(root / lesson.src for lesson in options.examples), *_code(root)]
    return inputs + ([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])  # the theme is a package


def configured_site_url(config) -> str:
    """``site_url`` as the configuration file (and ``SITE_URL``) gives it, with its final slash; "" if unset.

    ``mkdocs serve`` replaces ``config.site_url`` with its own address. The
    language builds use this one instead, in serve and build alike, so each
    reuses the other's: only absolute links (sitemap, canonical) carry the
    host, and the 404 page's links use the address's path, which serve
    mounts the site under anyway.
    """
    with open(config.config_file_path, "rb") as handle:
        text = handle.read()
    # Parsed once per text and environment (``!ENV`` tags read it): a build asks once per language built.
    return _site_url(config.config_file_path, text, tuple(sorted(os.environ.items())))


def under_serve(config) -> bool:
    """Whether ``mkdocs serve`` runs this build: it sets ``site_url`` to its own address, and build leaves it.

    (MkDocs 1.6 and ProperDocs 1.6.7 alike, even for serve's first build, where
    nothing else tells the two apart.) Wrong only for a site configured at
    serve's own address, and then only how the builds are scheduled differs.
    """
    return (config.site_url or "") != configured_site_url(config)


@functools.lru_cache(maxsize=8)
def _site_url(path: str, text: bytes, environment: tuple) -> str:
    from mkdocs.config import config_options
    from mkdocs.utils.yaml import yaml_load

    source = io.BytesIO(text)
    source.name = path  # an INHERIT line is read relative to it
    value = (yaml_load(source) or {}).get("site_url")
    return config_options.URL(is_dir=True).validate(value) if value else ""


def shared_key(config, options, executed_digest: str) -> str:
    """The fingerprint of everything every language's build reads but its pages (see sitelib.incremental.language_sites)."""
    root = Path(config.config_file_path).parent
    facts = {
        "site_url": configured_site_url(config), "repo_url": str(config.repo_url),
        "edit_uri": str(config.edit_uri), "strict": str(config.strict), "execute": str(options.execute),
        "directory_urls": str(config.use_directory_urls), "theme": str(config.theme.name),
        "executed": executed_digest, "packages": language_sites.installed_packages(),
        "python": sys.version, "date": language_sites.today(), "machine": current_machine_id(),
    }
    return language_sites.fingerprint(shared_inputs(config, options), root, facts)


def render_salt(config, language_code: str) -> str:
    """What rendering a page depends on besides its Markdown and the site's files (see sitelib.incremental.render_cache)."""
    root = Path(config.config_file_path).parent
    facts = {"packages": language_sites.installed_packages(), "python": sys.version,
             "directory_urls": str(config.use_directory_urls), "language": language_code}
    return language_sites.fingerprint([Path(config.config_file_path), *_code(root)], root, facts)


def autodoc_paths(config) -> list[Path] | None:
    """Where mkdocstrings' Python handler finds the packages it documents (relative to ``mkdocs.yml``, as it
    reads them); None without the handler (the render cache then renders every ``:::`` page)."""
    plugin = config.plugins.get("mkdocstrings")
    if plugin is None or "python" not in plugin.config.handlers:
        return None
    root = Path(config.config_file_path).parent
    return [root / path for path in plugin.config.handlers["python"].get("paths", ["."])]


def watched(config, options, docs_codes: list[str]) -> list[Path]:
    """The folders and files serve must watch besides ``config.docs_dir`` (which MkDocs watches), each once.

    A folder watched twice (``docs`` and ``docs/en``) reports one edit twice, and serve rebuilds twice.
    """
    root = Path(config.config_file_path).parent
    paths = {root / "docs" / code for code in docs_codes} | {root / "data"}
    paths |= {root / lesson.src for lesson in options.examples}
    for extra in (options.timings, options.executions):  # data files that may live outside data/
        if not (root / extra).is_relative_to(root / "data"):
            paths.add(root / extra)
    paths.discard(Path(config.docs_dir))
    return sorted(path for path in paths if path.exists())
