"""Every ``>>>`` snippet of the pages and of the Python modules runs, and a wrong one fails."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from sitelib.markup import doctests as mddoctest
from sitelib.examples.discover import is_example
from conftest import ROOT

PAGES = sorted((ROOT / "docs").rglob("*.md"))
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for package in ("lessonsrc", "sitelib")
    for path in (ROOT / package).rglob("*.py")
    if path.stem != "__init__" and not is_example(path)  # examples run as notebooks, not as doctests
)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_snippets(page: Path, capsys):
    """Each page's snippets give exactly the output the page shows."""
    result = mddoctest.run_markdown(page)
    assert result.failed == 0, capsys.readouterr().out


@pytest.mark.parametrize("name", MODULES)
def test_module_docstrings(name: str):
    """Each docstring example of the helpers (rendered on the API page) and of sitelib holds."""
    result = doctest.testmod(importlib.import_module(name), optionflags=mddoctest.OPTIONFLAGS)
    assert result.failed == 0


def test_there_are_snippets_to_run():
    """The collection finds the pages and modules at all (an empty run would prove nothing)."""
    assert len(PAGES) >= 14 and "lessonsrc.timing" in MODULES
    attempted = sum(len(mddoctest.find_snippets(p.read_text(encoding="utf-8"))) for p in PAGES)
    assert attempted >= 30


def test_wrong_expected_output_fails(tmp_path, capsys):
    """A snippet whose expected output is wrong makes the run fail and names the line."""
    page = tmp_path / "page.md"
    page.write_text("# P\n\n```pycon\n>>> 1 + 1\n3\n\n```\n", encoding="utf-8")
    result = mddoctest.run_markdown(page)
    assert result == doctest.TestResults(failed=1, attempted=1)
    out = capsys.readouterr().out
    assert "line 4" in out and "Expected:\n    3\nGot:\n    2" in out


def test_closing_fence_is_not_expected_output(tmp_path):
    """Without a blank line before the fence, plain doctest would expect the fence; this runner does not."""
    page = tmp_path / "page.md"
    page.write_text("```pycon\n>>> print('hi')\nhi\n```\n", encoding="utf-8")
    assert mddoctest.run_markdown(page) == doctest.TestResults(failed=0, attempted=1)


def test_snippets_inside_admonitions_run_and_share_names(tmp_path, capsys):
    """An indented answer block runs, sees names from earlier blocks, and its failures count."""
    page = tmp_path / "page.md"
    page.write_text(
        "```pycon\n>>> x = 2\n\n```\n\n??? success \"Answer\"\n\n    ```pycon\n    >>> x * 10\n    21\n\n    ```\n",
        encoding="utf-8",
    )
    assert mddoctest.run_markdown(page) == doctest.TestResults(failed=1, attempted=2)
    assert "Got:\n    20" in capsys.readouterr().out


def test_pages_exist_in_both_languages():
    """docs/en and docs/zh hold the same pages, so the language switcher always lands on a page."""
    en = {p.name for p in (ROOT / "docs" / "en").glob("*.md")}
    zh = {p.name for p in (ROOT / "docs" / "zh").glob("*.md")}
    assert en == zh
