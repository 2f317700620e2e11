"""TeX to MathML at build time: math that renders with no script, font or network."""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

# pymdownx.arithmatex (generic mode) wraps math as \( \) inline and \[ \] in blocks.
_ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*\\(?P<open>[\(\[])(?P<tex>.*?)\\[\)\]]\s*</(?P=tag)>', re.DOTALL
)
# mkdocs-jupyter leaves $...$ / $$...$$ of notebook prose for MathJax to find.
_DOLLARS = re.compile(r"\$\$(?P<block>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
_NOTEBOOK_PROSE = re.compile(r'(<div class="[^"]*jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.DOTALL)


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
    """

    def prose(match: re.Match) -> str:
        body = _DOLLARS.sub(
            lambda m: tex_to_mathml(m["block"] or m["inline"], display=m["block"] is not None), match[2]
        )
        return match[1] + body + match[3]

    return _NOTEBOOK_PROSE.sub(prose, page_html)
