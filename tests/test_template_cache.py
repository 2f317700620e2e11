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
