"""The notebook pages' accessibility pass: the same document nbconvert's BeautifulSoup pass makes, faster."""

from __future__ import annotations

import base64
import hashlib
import inspect
import logging

import nbformat
import pytest
from bs4 import BeautifulSoup
from mkdocs_jupyter.nbconvert2 import nb2html
from nbconvert.exporters.html import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sitelib.markup import notebook_accessibility
from sitelib.markup.notebook_accessibility import MISSING_ALT, accessible

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")).decode()


def notebook():
    """Images with and without alt text (Markdown and output), text and HTML outputs, an error, a raw cell."""
    return new_notebook(cells=[
        new_markdown_cell("# Title\n\n![](missing.png) and <img src='given.png' alt='a > b'>\n\n"
                          "<div class='jp-OutputArea-output' tabindex='5'>author's own div</div>"),
        new_code_cell("print('hi & <bye>')", outputs=[new_output("stream", name="stdout", text="hi & <bye>\n")]),
        new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                                         new_output("execute_result", data={"text/html": "<b>bold</b><br>",
                                                                             "text/plain": "x"}, execution_count=3)]),
        new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                 traceback=["\x1b[31mZeroDivisionError\x1b[0m"])]),
        nbformat.v4.new_raw_cell("raw <img src='r.png'>"),
    ], metadata={"language_info": {"name": "python"}})


def tree(html: str) -> str:
    return str(BeautifulSoup(html, features="html.parser"))


@pytest.fixture()
def original(monkeypatch):
    """nbconvert's own method for the test's duration, whatever a build in this process installed."""
    method = HTMLExporter.from_notebook_node
    monkeypatch.setattr(HTMLExporter, "from_notebook_node", getattr(method, "nbconvert_original", method))


def render(path) -> str:
    return nb2html(str(path))  # mkdocs-jupyter's exporter, template and filters, as a build makes them


def test_the_same_document_as_nbconvert_makes(tmp_path, original, monkeypatch, caplog):
    """mkdocs-jupyter's page of a notebook, with nbconvert's pass and with this one, parses to the same tree."""
    path = tmp_path / "nb.ipynb"
    path.write_text(nbformat.writes(notebook()), encoding="utf-8")
    theirs = render(path)
    monkeypatch.undo()  # back to whatever was installed
    monkeypatch.setattr(HTMLExporter, "from_notebook_node", HTMLExporter.from_notebook_node)  # restored after
    notebook_accessibility.install()
    with caplog.at_level(logging.WARNING):
        ours = render(path)
    assert theirs.count(MISSING_ALT) == 2 and 'tabindex="0"' in theirs  # the case is one nbconvert changes
    assert tree(ours) == tree(theirs)
    assert "Alternative text is missing on 2 image(s)." in caplog.text


def test_the_replaced_method_is_the_one_copied(original):
    """An nbconvert upgrade that changes the method fails here, so the copy in install() is read again."""
    source = inspect.getsource(HTMLExporter.from_notebook_node)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == notebook_accessibility.NBCONVERT_SOURCE


def test_only_divs_inside_the_notebook_and_only_img_and_div_tags_change():
    """Before the notebook's element nothing changes; an attribute's quoted ">" does not end its tag."""
    html = ('<div class="jp-Cell-inputWrapper">before</div><main class="jp-Notebook">'
            '<div data-x="a > b" class="jp-OutputArea-output">x</div><span class="jp-Cell-inputWrapper"></span>'
            '<IMG SRC="u.png" ALT="upper"></main>')
    out, missing = accessible(html)
    assert missing == 0
    assert out == html.replace('class="jp-OutputArea-output">', 'class="jp-OutputArea-output" tabindex="0">')


def test_a_build_installs_it():
    """Every language build renders its notebooks with this pass (set up with the plugin's configuration)."""
    from mkdocs.config import load_config

    from conftest import ROOT

    config = load_config(str(ROOT / "mkdocs.yml"))
    plugin = config.plugins["lesson"]
    plugin.on_config(config)
    plugin.release_lock()
    assert getattr(HTMLExporter.from_notebook_node, "_lesson_accessible", False)
