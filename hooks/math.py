"""Render every formula of a page as MathML when the site is built (no MathJax, no CDN)."""

from mkdocs.plugins import event_priority

from sitelib.markup.mathml import render_arithmatex, render_notebook_math


# Before other hooks add HTML (the example banner) into the notebook's prose cells.
@event_priority(100)
def on_page_content(html, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        return render_notebook_math(html)
    return render_arithmatex(html)
