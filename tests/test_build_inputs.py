"""What serve watches and what the language fingerprints read come from one place and agree."""

from __future__ import annotations

import pytest
from mkdocs.config import load_config

from conftest import ROOT
from sitelib.incremental.inputs import shared_inputs, watched


def lesson_config():
    """This project's configuration after the lesson plugin configured it (as serve has it)."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    plugin = config.plugins["lesson"]
    plugin.on_config(config)
    plugin.release_lock()  # held from on_config to the end of a build; here no build follows
    return config, plugin


def test_serve_watches_every_input_once_and_not_the_default_docs_folder():
    """No watched path is inside another (one edit, one rebuild), and MkDocs' own docs_dir is left to MkDocs."""
    config, plugin = lesson_config()
    paths = watched(config, plugin.config, [lang.docs_code for lang in plugin.languages])
    assert ROOT / "docs" / "zh" in paths and ROOT / "lessonsrc" in paths and ROOT / "data" in paths
    docs_dir = ROOT / "docs" / "en"
    assert str(docs_dir) == config.docs_dir and docs_dir not in paths
    for path in paths:
        assert not docs_dir.is_relative_to(path) and not path.is_relative_to(docs_dir)
        assert not any(path != other and path.is_relative_to(other) for other in paths), path


def test_every_watched_path_is_a_fingerprint_input():
    """An edit that serve sees is an edit some fingerprint sees: a watched path is a shared input or a docs folder."""
    config, plugin = lesson_config()
    inputs = set(shared_inputs(config, plugin.config)) | {ROOT / "docs" / lang.docs_code for lang in plugin.languages}
    for path in watched(config, plugin.config, [lang.docs_code for lang in plugin.languages]):
        assert any(path == each or path.is_relative_to(each) for each in inputs), path


def test_the_configured_address_follows_the_file_its_environment_and_what_it_inherits(tmp_path, monkeypatch):
    """Parsed once per text and environment: a changed SITE_URL, a changed file and an inherited value are seen."""
    from types import SimpleNamespace

    from sitelib.incremental.inputs import configured_site_url

    (tmp_path / "base.yml").write_text("site_url: https://inherited.example/x\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text('site_name: t\nsite_url: !ENV [SITE_URL, "https://default.example/a"]\n')
    at = SimpleNamespace(config_file_path=str(config))
    monkeypatch.delenv("SITE_URL", raising=False)
    assert configured_site_url(at) == "https://default.example/a/"
    monkeypatch.setenv("SITE_URL", "https://set.example/b/")
    assert configured_site_url(at) == "https://set.example/b/"
    config.write_text("site_name: t\nINHERIT: base.yml\n")
    assert configured_site_url(at) == "https://inherited.example/x/"


@pytest.mark.parametrize("configured", ["", "site_url: https://example.org/lesson\n"])
def test_serve_is_told_from_build_by_the_address_it_sets(tmp_path, configured):
    """A build keeps the configured address (or none); serve's own address, set as serve sets it, reads as serve."""
    from urllib.parse import urlsplit

    from mkdocs.config import load_config
    from mkdocs.livereload import _serve_url

    from sitelib.incremental.inputs import under_serve

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(f"site_name: t\n{configured}")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    assert not under_serve(config)
    # What mkdocs.commands.serve does before its first build.
    config.site_url = _serve_url("127.0.0.1", 8000, urlsplit(config.site_url or "/").path)
    assert under_serve(config)
