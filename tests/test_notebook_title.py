"""mkdocs-jupyter's contents and title of a notebook page, read from its Markdown cells: the same as its own."""

from __future__ import annotations

import nbformat
import pytest
from mkdocs_jupyter import plugin as jupyter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from conftest import ROOT
from sitelib.examples.discover import is_example
from sitelib.examples.notebooks import read_example
from sitelib.markup import notebook_toc

EXAMPLES = sorted(p for p in (ROOT / "lessonsrc").glob("*.py") if is_example(p))


@pytest.fixture()
def original(monkeypatch):
    """mkdocs-jupyter's own function, whatever a build in this process installed."""
    own = jupyter._get_nb_toc_tokens
    return getattr(own, "mkdocs_jupyter_original", own)


def synthetic():
    return new_notebook(cells=[
        new_raw_cell("# Raw without a kind"),
        new_markdown_cell("Intro, then a fence:\n\n```python\n# not a heading\n```\n\n# The `title` here"),
        new_code_cell("# a comment, not a heading\nprint(1)"),
        new_markdown_cell("## 第二步：梯度会累加\n\nText with `code\nacross lines`.\n## Step *3*"),
        new_raw_cell("# Raw LaTeX", metadata={"raw_mimetype": "text/latex"}),
        new_markdown_cell("# Second h1\n### deep"),
    ])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_lesson_examples_get_mkdocs_jupyters_contents_and_title(example, tmp_path, original):
    path = tmp_path / f"{example.stem}.ipynb"
    path.write_text(nbformat.writes(read_example(example)), encoding="utf-8")
    for depth in (2, 6):
        assert notebook_toc.notebook_toc_tokens(str(path), depth) == original(str(path), depth)


def test_raw_cells_code_and_chinese_headings_give_the_same(tmp_path, original):
    path = tmp_path / "nb.ipynb"
    path.write_text(nbformat.writes(synthetic()), encoding="utf-8")
    ours = notebook_toc.notebook_toc_tokens(str(path), 6)
    assert ours == original(str(path), 6)
    assert ours[1] == "Raw without a kind" and len(ours[0]) >= 3  # the case has headings of several kinds


def test_install_replaces_it_once():
    notebook_toc.install()
    notebook_toc.install()
    assert jupyter._get_nb_toc_tokens.mkdocs_jupyter_original.__module__ == "mkdocs_jupyter.plugin"
