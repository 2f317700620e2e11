"""Outputs wrap: no executed output, and no output line of a `>>>` snippet, scrolls sideways at 1280 px or 390 px."""

from __future__ import annotations

import pytest

from browser_fixtures import LOAD_TIMEOUT_MS, failures
from browser_support import Recorder

pytestmark = [pytest.mark.browser, pytest.mark.build]

WIDTHS = (1280, 390)

# Notebook outputs are <pre> boxes of their own: one that scrolls has scrollWidth > clientWidth.
# A `>>>` snippet is one <pre><code> box (Material scrolls the <code>) holding input and output
# lines; Pygments marks output as .go. Inputs may scroll (wrapping Python would mislead), so only
# an output line that reaches past the box's visible width counts.
OUTPUTS_JS = r"""() => {
  const article = document.querySelector('article');
  if (!article) return {outputs: 0, wide: ['no <article>']};
  const name = el => (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 70);
  const wide = [];
  const boxes = [...article.querySelectorAll('.jp-OutputArea pre')];
  for (const pre of boxes) {
    if (pre.scrollWidth > pre.clientWidth + 1) wide.push(`output ${pre.scrollWidth} > ${pre.clientWidth} px: ${name(pre)}`);
  }
  const lines = [...article.querySelectorAll('.highlight .go')];
  for (const span of lines) {
    const box = span.closest('code') || span.closest('pre');
    box.scrollLeft = 0;
    const edge = box.getBoundingClientRect().left + box.clientLeft + box.clientWidth;
    const right = Math.max(...[...span.getClientRects()].map(r => r.right));
    if (right > edge + 1) wide.push(`>>> output line ends at ${Math.round(right)} > ${Math.round(edge)} px: ${name(span)}`);
  }
  return {outputs: boxes.length + lines.length, wide};
}"""


@pytest.fixture(scope="module")
def outputs(browser, server, pages) -> dict[int, dict[str, dict]]:
    """Every page at each width: how many outputs it shows and which of them are wider than their box."""
    found: dict[int, dict[str, dict]] = {}
    for width in WIDTHS:
        phone = width < 600
        context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=phone, has_touch=phone)
        Recorder(server.origin).attach(context)  # only for its route: nothing leaves the machine
        page = context.new_page()
        try:
            for path in pages:
                page.goto(server.url(path), wait_until="load", timeout=LOAD_TIMEOUT_MS)
                found.setdefault(width, {})[path] = page.evaluate(OUTPUTS_JS)
        finally:
            context.close()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_output_scrolls_sideways(outputs, width):
    """Executed outputs and `>>>` output lines wrap inside their box instead of running off to the side."""
    problems = [f"{path}: {item}" for path, seen in outputs[width].items() for item in seen["wide"]]
    assert not problems, failures(problems)


def test_outputs_are_found(outputs):
    """The check looks at real outputs: every example page has executed outputs, and snippets show output lines."""
    for width, seen in outputs.items():
        examples = {path: s["outputs"] for path, s in seen.items() if "/examples/" in path}
        assert examples and all(examples.values()), (width, examples)
        assert sum(s["outputs"] for s in seen.values()) > 200, width
