"""TeX to MathML at build time: math that renders with no script, font or network."""

from __future__ import annotations

import functools
import html
import re

from latex2mathml.converter import convert

# pymdownx.arithmatex (generic mode) wraps math as \( \) inline and \[ \] in blocks.
_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*\\(?P<open>[\(\[])(?P<tex>.*?)\\[\)\]]\s*</(?P=tag)>', re.DOTALL
)
# mkdocs-jupyter leaves $...$ / $$...$$ of notebook prose for MathJax to find.
_DOLLARS = re.compile(r"\$\$(?P<block>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
_NOTEBOOK_PROSE = re.compile(r'<div class="[^"]*jp-RenderedMarkdown[^"]*"[^>]*>')
_DIV = re.compile(r"<div\b|</div>")


@functools.lru_cache(maxsize=4096)  # the same formulas on every language's page, in every build under serve
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for ``tex`` (HTML entities in it, such as ``&lt;``, are decoded first).

    >>> tex_to_mathml("x^2", display=False).startswith('<math')
    True
    """
    return convert(html.unescape(tex).strip(), display="block" if display else "inline")


def render_arithmatex(page_html: str) -> str:
    """Replace arithmatex's math wrappers in a page's HTML with MathML.

    >>> render_arithmatex('<p><span class="arithmatex">\\\\(a+b\\\\)</span></p>')
    '<p><math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>a</mi><mo>&#x0002B;</mo><mi>b</mi></mrow></math></p>'
    """
    return _ARITHMATEX.sub(lambda m: tex_to_mathml(m["tex"], display=m["open"] == "["), page_html)


def render_notebook_math(page_html: str) -> str:
    """Replace ``$...$`` and ``$$...$$`` inside the prose cells of a rendered notebook.

    Only prose cells are touched: a ``$`` in code or output is left alone.

    >>> render_notebook_math('<div class="jp-RenderedMarkdown"><p>$x$</p></div><pre>$x$</pre>').count('<math')
    1
    >>> render_notebook_math('<div class="jp-RenderedMarkdown"><details><div>$a$</div>$b$</details></div>').count('<math')
    2
    """
    parts: list[str] = []
    pos = 0
    for opening in _NOTEBOOK_PROSE.finditer(page_html):
        if opening.start() < pos:
            continue  # nested inside a prose cell already handled
        end = _matching_close(page_html, opening.end())
        body = _DOLLARS.sub(
            lambda m: tex_to_mathml(m["block"] or m["inline"], display=m["block"] is not None),
            page_html[opening.end():end],
        )
        parts += [page_html[pos:opening.end()], body]
        pos = end
    return "".join(parts) + page_html[pos:]


def _matching_close(page_html: str, start: int) -> int:
    """Where the ``</div>`` closing the div opened just before ``start`` begins (nested divs counted)."""
    depth = 1
    for tag in _DIV.finditer(page_html, start):
        depth += 1 if tag[0] != "</div>" else -1
        if depth == 0:
            return tag.start()
    return len(page_html)
