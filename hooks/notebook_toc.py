"""Make the contents of notebook pages link to their headings (see sitelib.markup.notebook_toc)."""

from mkdocs.structure.toc import get_toc

from sitelib.markup.notebook_toc import rewrite_headings


def on_page_content(html, page, config, files):
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    toc_options = config.mdx_configs.get("toc") or {}  # the lesson plugin sets its permalink_title per language
    html, tokens = rewrite_headings(html, toc_options.get("permalink_title", "Permanent link"))
    page.toc = get_toc(tokens)
    return html
