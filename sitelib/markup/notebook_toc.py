"""Heading ids and a table of contents for rendered notebooks that agree with each other.

mkdocs-jupyter builds a page's contents from a Markdown conversion (Python-
Markdown's slugs, inline code dropped) while nbconvert gives the headings
ASCII-only ids, so contents links miss their headings, and Chinese headings
get empty ids. Here the ids are rewritten from the heading text, Unicode kept,
and the contents are built from those same ids.

So mkdocs-jupyter's own contents are replaced, and only its title of the
page is kept: it converts each notebook a second time, to Markdown with
nbconvert, to find them (0.19 s of an example edit's 1.4 s English build,
profiled). :func:`install` makes it read the notebook's Markdown cells
instead, which gives the same contents and title (tests compare both on
every example and on notebooks with raw cells and code in headings).
"""

from __future__ import annotations

import html as htmllib
import json
import re

from markdown.extensions.toc import slugify_unicode

_HEADING = re.compile(r'<h(?P<level>[1-6]) id="[^"]*">(?P<body>.*?)</h(?P=level)>', re.DOTALL)
# nbconvert writes the pilcrow as &#182; (BeautifulSoup, which its HTML exporter ran once, gave it as ¶).
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">(?:¶|&#182;|&para;)</a>')
_TAG = re.compile(r"<[^>]+>")


def slugify(text: str) -> str:
    """The id Python-Markdown's ``slugify_unicode`` gives ``text`` (as on theory pages), or "section".

    >>> slugify("Step 1: torch.autograd.grad"), slugify("第三步：梯度会累加"), slugify("¶ !")
    ('step-1-torchautogradgrad', '第三步梯度会累加', 'section')
    """
    return slugify_unicode(text, "-") or "section"


def rewrite_headings(page_html: str, permalink_title: str = "Permanent link") -> tuple[str, list[dict]]:
    """Give every heading a unique id from its text; return the new HTML and MkDocs toc tokens.

    nbconvert's ``¶`` anchor becomes a toc-style ``headerlink`` (titled in the page's language),
    which Material shows on hover and leaves out of search titles.

    >>> html, toc = rewrite_headings('<h1 id="">小结<a class="anchor-link" href="#">&#182;</a></h1>'
    ...                              '<h2 id="x">A <code>b</code></h2><h2 id="y">A b</h2>')
    >>> html
    '<h1 id="小结">小结<a class="headerlink" href="#小结" title="Permanent link">¶</a></h1><h2 id="a-b">A <code>b</code></h2><h2 id="a-b_1">A b</h2>'
    >>> [(t["id"], t["name"], [c["id"] for c in t["children"]]) for t in toc]
    [('小结', '小结', ['a-b', 'a-b_1'])]
    """
    seen: dict[str, int] = {}
    flat: list[dict] = []

    def replace(match: re.Match) -> str:
        level, body = int(match["level"]), _ANCHOR.sub("", match["body"])
        name = htmllib.unescape(_TAG.sub("", body)).strip()
        base = slugify(name)
        count = seen.get(base, 0)
        seen[base] = count + 1
        anchor = base if count == 0 else f"{base}_{count}"
        flat.append({"level": level, "id": anchor, "name": htmllib.escape(name), "children": []})
        title = htmllib.escape(permalink_title, quote=True)
        link = f'<a class="headerlink" href="#{anchor}" title="{title}">¶</a>' if _ANCHOR.search(match["body"]) else ""
        return f'<h{level} id="{anchor}">{body}{link}</h{level}>'

    new_html = _HEADING.sub(replace, page_html)
    return new_html, _nest(flat)


def _nest(flat: list[dict]) -> list[dict]:
    """Turn a flat list of headings into the nested tokens ``mkdocs.structure.toc.get_toc`` reads."""
    roots: list[dict] = []
    stack: list[dict] = []
    for token in flat:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(token)
        stack.append(token)
    return roots


# nbconvert's Markdown exporter shows a raw cell of these kinds (its raw_mimetypes), and no code cell in
# mkdocs-jupyter's md-no-codecell template; mkdocs-jupyter then drops code from the Markdown (nb2md).
_RAW_SHOWN = ("", "text/markdown", "text/html")
_FENCED = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_CODE_ACROSS_LINES = re.compile(r"`[^`]*`")
_HEADING_LINE = re.compile(r"^#{1,6} ", re.MULTILINE)


def notebook_toc_tokens(path: str, toc_depth) -> tuple[list, str | None]:
    """What mkdocs-jupyter's ``_get_nb_toc_tokens`` returns (toc tokens, title), from the Markdown cells alone."""
    from mkdocs_jupyter.plugin import _get_markdown_toc

    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    parts = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        kind = cell.get("cell_type")
        raw_kind = str(cell.get("metadata", {}).get("raw_mimetype", "")).lower()
        if kind == "markdown" or (kind == "raw" and raw_kind in _RAW_SHOWN):
            parts.append(source)
    body = _FENCED.sub("", "\n\n".join(parts))
    body = _INLINE_CODE.sub("", body)
    body = _CODE_ACROSS_LINES.sub(lambda m: m.group() if _HEADING_LINE.search(m.group()) else "", body)
    tokens = _get_markdown_toc(body, toc_depth)
    title = next((token["name"] for token in tokens if token["level"] == 1), None)
    return tokens, title


def install() -> None:
    """Make mkdocs-jupyter take a notebook's contents and title from :func:`notebook_toc_tokens` (once per process)."""
    import mkdocs_jupyter.plugin as jupyter

    if getattr(jupyter._get_nb_toc_tokens, "mkdocs_jupyter_original", None) is None:
        def _get_nb_toc_tokens(fpath, toc_depth):
            return notebook_toc_tokens(fpath, toc_depth)

        _get_nb_toc_tokens.mkdocs_jupyter_original = jupyter._get_nb_toc_tokens
        jupyter._get_nb_toc_tokens = _get_nb_toc_tokens
