"""nbconvert's accessibility pass over a notebook's HTML, without parsing the page into a tree.

nbconvert 7's ``HTMLExporter.from_notebook_node`` renders its template, then
parses the result with BeautifulSoup to give each image without ``alt`` a
placeholder and each cell's input and output ``tabindex="0"``, and prints
the tree again. That pass was 29% of a cold language build here (about 0.9 s
of a 3.2 s Simplified Chinese build, for five notebooks): it parses every tag
in Python. :func:`accessible` makes the same changes with one regular
expression over the tags, and :func:`install` makes the exporter use it. The
page is the same document (tests compare both passes' trees on notebooks with
images, outputs and errors); only the serialization is the template's own.

The method is replaced, not subclassed, because mkdocs-jupyter makes its own
``HTMLExporter``. :data:`NBCONVERT_SOURCE` is the hash of the method this
replaces: a test fails when an nbconvert upgrade changes it, so the copy
below is checked again rather than drifting.
"""

from __future__ import annotations

import re

NBCONVERT_SOURCE = "3dccafff45cc4e74"  # sha256[:16] of nbconvert 7.17.2's HTMLExporter.from_notebook_node
MISSING_ALT = "No description has been provided for this image"  # nbconvert's words
FOCUSABLE = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})  # divs under .jp-Notebook

# A start tag of an img or a div, its attributes quoted or not (a quoted ">" does not end it).
_TAG = re.compile(r"""<(img|div)\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
_ATTRIBUTE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_NOTEBOOK = re.compile(r"""\bclass\s*=\s*(?:"[^"]*|'[^']*)\bjp-Notebook\b""")


def accessible(html: str) -> tuple[str, int]:
    """``html`` with nbconvert's accessibility attributes added, and how many images lacked ``alt``.

    >>> accessible('<div class="jp-Notebook"><div class="jp-Cell-inputWrapper x">'
    ...            '<img src="a.png"><img alt="" src="b.png"/></div></div>')
    ('<div class="jp-Notebook"><div class="jp-Cell-inputWrapper x" tabindex="0"><img src="a.png" \
alt="No description has been provided for this image"><img alt="" src="b.png"/></div></div>', 1)
    """
    notebook = _NOTEBOOK.search(html)
    start = notebook.start() if notebook else len(html)
    missing = 0

    def tag(match: re.Match) -> str:
        nonlocal missing
        name, body = match.group(1), match.group(2)
        closing = "/" if body.rstrip().endswith("/") else ""
        body = body.rstrip()[:-1] if closing else body
        attributes = {m.group(1).lower(): m for m in _ATTRIBUTE.finditer(body)}
        if name.lower() == "img":
            if "alt" in attributes:
                return match.group(0)
            missing += 1
            return f'<{name}{body} alt="{MISSING_ALT}"{closing}>'
        value = attributes.get("class")
        classes = set(value.group(2).strip("\"'").split()) if value is not None and value.group(2) else set()
        if match.start() <= start or not classes & FOCUSABLE:
            return match.group(0)
        old = attributes.get("tabindex")
        if old is None:
            return f'<{name}{body} tabindex="0"{closing}>'
        return f'<{name}{body[:old.start()]}tabindex="0"{body[old.end():]}{closing}>'

    return _TAG.sub(tag, html), missing


def install() -> None:
    """Make nbconvert's HTMLExporter use :func:`accessible` instead of its BeautifulSoup pass (once per process)."""
    from nbconvert.exporters.html import HTMLExporter

    if getattr(HTMLExporter.from_notebook_node, "_lesson_accessible", False):
        return

    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    def from_notebook_node(self, nb, resources=None, **kw):
        # nbconvert 7.17.2's method (NBCONVERT_SOURCE), up to its BeautifulSoup pass.
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                 resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        html, missing = accessible(html)
        if missing:
            self.log.warning("Alternative text is missing on %s image(s).", missing)
        return html, resources

    from_notebook_node._lesson_accessible = True
    from_notebook_node.nbconvert_original = HTMLExporter.from_notebook_node
    HTMLExporter.from_notebook_node = from_notebook_node
