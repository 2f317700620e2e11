"""A SyntaxError in an example or a helper it imports is ``file:line: SyntaxError …`` with the line, not a raw traceback."""

from __future__ import annotations

import pytest

from example_project import build, make_project
from sitelib.examples.errors import ExampleInvalid
from sitelib.examples.notebooks import executed_examples

BROKEN = "# %% [markdown]\n# # Broken\n\n# %%\nfrom lessonsrc.helper import VALUE\nprint(VALUE\n"


def test_a_syntax_error_names_the_file_line_and_source(tmp_path, monkeypatch):
    """Found while computing the cache key, before any kernel starts: file, line, message, the line and a caret."""
    project = make_project(tmp_path, BROKEN)
    monkeypatch.chdir(project)
    with pytest.raises(ExampleInvalid) as info:
        executed_examples(project / "lessonsrc", tmp_path / "cache")
    assert str(info.value).splitlines() == ["lessonsrc/demo.py:6: SyntaxError: '(' was never closed",
                                            "    print(VALUE", "         ^"]


def test_a_syntax_error_in_an_imported_helper_names_the_helper(tmp_path, monkeypatch):
    """The helper the example imports is parsed too (for its own imports): its file and line are named."""
    project = make_project(tmp_path, "# %%\nfrom lessonsrc.helper import VALUE\n")
    (project / "lessonsrc" / "helper.py").write_text("VALUE = 1\ndef f(:\n    pass\n", encoding="utf-8")
    monkeypatch.chdir(project)
    with pytest.raises(ExampleInvalid) as info:
        executed_examples(project / "lessonsrc", tmp_path / "cache")
    assert str(info.value).splitlines()[:2] == ["lessonsrc/helper.py:2: SyntaxError: invalid syntax", "    def f(:"]


@pytest.mark.slow
def test_the_build_reports_the_syntax_error_first(tmp_path):
    """The build's first error line is the file:line message; no Python traceback names ``<unknown>``."""
    result = build(make_project(tmp_path, BROKEN))
    assert result.returncode != 0
    assert result.first_error == "ERROR   -  lessonsrc/demo.py:6: SyntaxError: '(' was never closed"
    assert "<unknown>" not in result.log and "Traceback" not in result.log
