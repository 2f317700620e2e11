"""The on-disk Jinja bytecode cache: a damaged entry is named in the log and compiled again."""

from __future__ import annotations

import logging

import jinja2
import pytest
from jinja2.bccache import bc_magic

from sitelib.incremental.template_cache import CheckedBytecodeCache


def environment(templates, cache) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), bytecode_cache=CheckedBytecodeCache(str(cache)))


@pytest.mark.parametrize("keep", [len(bc_magic) + 5, len(bc_magic) + 40])
def test_a_cut_entry_is_compiled_again(tmp_path, caplog, keep):
    """An entry cut inside its pickled hash (where Jinja itself raises UnpicklingError) or its code renders anyway."""
    (tmp_path / "t.html").write_text("{{ x }}!", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    assert environment(tmp_path, cache).get_template("t.html").render(x=1) == "1!"
    (entry,) = cache.glob("*.cache")
    entry.write_bytes(entry.read_bytes()[:keep])
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
        assert environment(tmp_path, cache).get_template("t.html").render(x=2) == "2!"
    if keep == len(bc_magic) + 5:
        assert f"Cache {entry} unreadable (UnpicklingError" in caplog.text
    assert environment(tmp_path, cache).get_template("t.html").render(x=3) == "3!"  # rewritten whole


def test_notebook_exporters_share_the_cache(tmp_path, monkeypatch):
    """Every nbconvert exporter made after cache_notebook_templates compiles through the folder's cache: the second
    exporter's templates come from it; wrapping twice keeps one wrapper (the second folder wins)."""
    nbformat = pytest.importorskip("nbformat")
    from nbconvert.exporters.html import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    from sitelib.incremental.template_cache import cache_notebook_templates

    monkeypatch.setattr(TemplateExporter, "_create_environment", TemplateExporter.__dict__["_create_environment"])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")])
    cache_notebook_templates(tmp_path / "first")
    cache_notebook_templates(tmp_path / "cache")
    assert TemplateExporter._create_environment.lesson_wrapped.__name__ == "_create_environment"
    first, _ = HTMLExporter().from_notebook_node(notebook)
    compiled = sorted(p.name for p in (tmp_path / "cache").glob("*.cache"))
    assert len(compiled) > 5 and not list((tmp_path / "first").iterdir())
    loaded = []
    real_load = CheckedBytecodeCache.load_bytecode
    monkeypatch.setattr(CheckedBytecodeCache, "load_bytecode",
                        lambda self, bucket: (real_load(self, bucket), loaded.append(bucket.code is not None)))
    second, _ = HTMLExporter().from_notebook_node(notebook)
    assert second == first and loaded and all(loaded)  # every template of the second exporter came compiled
