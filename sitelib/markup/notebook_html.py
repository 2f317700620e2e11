"""Make mkdocs-jupyter's rendered notebooks offline and light.

Its template inlines about 590 KB of JupyterLab CSS into every notebook page
and adds MathJax and Mermaid loaders that point at public CDNs. The site
renders math as MathML at build time and styles notebooks with its own small
``assets/notebook.css``, so those blocks are removed. The copy-button script
is kept.
"""

from __future__ import annotations

import re

_WRAPPER = '<div class="jupyter-wrapper">'
_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.DOTALL)
_MATHJAX = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->\s*", re.DOTALL
)
_MERMAID = re.compile(r'<script type="module">(?:(?!</script>).)*?mermaid.*?</script>\s*', re.DOTALL)
_REMOTE = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE)


class NotebookHtmlError(ValueError):
    """The rendered notebook does not look like what this module knows how to slim."""


def slim_notebook_html(html: str, page: str = "?") -> str:
    """Strip inline CSS and CDN loaders from one rendered notebook page.

    Raises if the page is not a rendered notebook, or if anything that would
    load from another host is left, so a change in mkdocs-jupyter's template
    fails the build instead of slipping through.

    >>> html = ('<style>.x{}</style><!-- Load mathjax --><script src="https://cdn/x.js"></script>'
    ...         '<!-- End of mathjax configuration --><div class="jupyter-wrapper">cells</div>')
    >>> slim_notebook_html(html)
    '<div class="jupyter-wrapper">cells</div>'
    >>> slim_notebook_html('<script src="https://cdn/y.js"></script>' + html)
    Traceback (most recent call last):
    ...
    sitelib.markup.notebook_html.NotebookHtmlError: notebook page ?: still loads from another host: <script src="https://
    """
    if _WRAPPER not in html:
        raise NotebookHtmlError(f"notebook page {page}: no {_WRAPPER} found; did mkdocs-jupyter change its template?")
    slim = _MERMAID.sub("", _MATHJAX.sub("", _STYLE.sub("", html)))
    remote = _REMOTE.search(slim)
    if remote:
        raise NotebookHtmlError(f"notebook page {page}: still loads from another host: {remote[0]}")
    return slim
