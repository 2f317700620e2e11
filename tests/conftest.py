"""Shared fixtures: the project root, and one strict build of the whole site per test session."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]


class Site:
    """What the configuration says about the site, as this environment resolves it (a fork's too)."""

    def __init__(self, config_file: Path):
        from mkdocs.config import load_config

        from sitelib.languages.language import root_prefix
        from sitelib.plugin.plugin import site_languages

        config = load_config(str(config_file))
        self.languages = site_languages(config_file)
        self.default = self.languages[0].code
        self.roots = {lang.code: root_prefix(lang.code, self.default) for lang in self.languages}
        self.site_url, self.repo_url = config.site_url, config.repo_url.rstrip("/")
        self.repo_path = self.repo_url.removeprefix("https://github.com/")  # owner/name
        self.remote_branch = config.remote_branch
        self.edit_root = f"{self.repo_url}/{config.edit_uri.strip('/')}"  # .../edit/<branch>


def run_mkdocs(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``mkdocs ARGS`` in ``cwd`` and capture its output."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run([*MKDOCS, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=900)


def tree_digest(folder: Path) -> str:
    """A hash of every file name and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def docs_digest_before_build() -> str:
    """The state of docs/ before the session's build."""
    return tree_digest(ROOT / "docs")


@pytest.fixture(scope="session")
def site() -> Site:
    """The site's languages, addresses and branches, from mkdocs.yml and the environment."""
    return Site(ROOT / "mkdocs.yml")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, docs_digest_before_build) -> Path:
    """The site as ``make build`` makes it (strict), in a temporary directory."""
    site = tmp_path_factory.mktemp("site")
    result = run_mkdocs("build", "--strict", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr[-4000:]
    return site


# The browser tests' session fixtures (one Chromium, one survey of every page), shared by both modules.
from browser_fixtures import browser, pages, phone, server, survey  # noqa: E402,F401
