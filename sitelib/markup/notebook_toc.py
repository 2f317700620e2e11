"""Heading ids and a table of contents for rendered notebooks that agree with each other.

mkdocs-jupyter builds a page's contents from a Markdown conversion (Python-
Markdown's slugs, inline code dropped) while nbconvert gives the headings
ASCII-only ids, so contents links miss their headings, and Chinese headings
get empty ids. Here the ids are rewritten from the heading text, Unicode kept,
and the contents are built from those same ids.
"""

from __future__ import annotations

import html as htmllib
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
