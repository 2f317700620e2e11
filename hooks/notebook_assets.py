"""Keep notebook pages offline and light: no CDN loaders, no 590 KB of inline CSS."""

from sitelib.markup.notebook_html import slim_notebook_html


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    return slim_notebook_html(html, page.file.src_uri)
