"""Shared machinery of the browser tests: one Chromium, a local server, and one survey of every page.

The ``survey`` fixture loads every page once, cold (a fresh context: empty
cache), at 1280 px, records what the load did (requests, failures, console
errors, bytes served) and what the page shows (headings, math, copy buttons,
language links...), and saves a full-page screenshot; the ``phone`` fixture
does the same at 375 px for overflow and screenshots. The fixtures are
session-scoped and registered in conftest.py, so both browser test modules
share one survey. Screenshots and the page-weight table go to ``artifacts/``
(git-ignored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser_support import (
    CHROMIUM,
    Recorder,
    SiteServer,
    launch_chromium,
    shot_name,
    site_pages,
)

from conftest import ROOT  # noqa: E402  (conftest defines ROOT before it imports this module)

ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
MAX_PAGE_BYTES = 1_000_000
MIN_CHART_TEXT_PX = 10  # height of the smallest text box of a chart as drawn
LOAD_TIMEOUT_MS = 15_000

# Pages whose sources contain formulas (both languages).
MATH_PAGES = ["/05-network-layers/", "/06-code-walkthrough/", "/timings/", "/examples/autograd_basics/"]
EXAMPLE_OUTPUTS = {
    "/examples/autograd_basics/": "after : tensor(2.) tensor(1.) tensor(1.)",
    "/examples/matmul_cpu_gpu/": "vector_norm(c) = tensor(",
    "/examples/first_training_loop/": "epoch ",
    "/examples/tensors_basics/": "tensor(",
}
TIMINGS = "/timings/"

# Everything a test needs from one page, gathered in one round trip after load.
FACTS_JS = r"""() => {
  const article = document.querySelector('article.md-content__inner') || document.querySelector('article');
  const shown = el => el.checkVisibility({visibilityProperty: true});
  const headings = article ? [...article.querySelectorAll('h1, h2, h3, h4, h5, h6')]
      .map(h => [Number(h.tagName[1]), h.textContent.replace('¶', '').trim().slice(0, 60)]) : [];
  const imgs = [...document.querySelectorAll('img')]
      .filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.getAttribute('src'));
  const decorative = s => s.getAttribute('aria-hidden') === 'true' ||
      s.closest('a, button, label, clipboard-copy, .md-icon, .twemoji, .md-code__nav');
  const svgs = article ? [...article.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg')) : [];
  const charts = svgs.filter(s => s.matches('.timings-chart, .lesson-chart svg, figure svg') ||
      (!decorative(s) && s.getBoundingClientRect().width >= 100 && s.getBoundingClientRect().height >= 60));
  const labelled = s => (s.getAttribute('aria-label') || '').trim() || s.getAttribute('aria-labelledby') ||
      (s.querySelector(':scope > title')?.textContent || '').trim();
  const maths = [...document.querySelectorAll('article math')];
  const shownMaths = maths.filter(shown);
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, kbd, script, style, math, textarea, svg, noscript, .md-search, .highlight, .linenodiv')
      .forEach(e => e.remove());
  const texText = document.title + '\n' + clone.textContent;
  const rawTex = [...texText.matchAll(/\$\$[\s\S]{1,200}?\$\$|\$[^\s$](?:[^$\n]{0,200}?[^\s$])?\$|\\\(|\\\[|\\begin\{/g)]
      .map(m => m[0].slice(0, 80));
  const codePres = article ? [...article.querySelectorAll('.highlight pre')].filter(p => !p.closest('.linenodiv')) : [];
  const nbCells = article ? [...article.querySelectorAll('.jp-CodeCell .highlight-ipynb')] : [];
  const nbCopy = article ? [...article.querySelectorAll('.jp-CodeCell clipboard-copy')] : [];
  return {
    lang: document.documentElement.lang,
    h1s: document.querySelectorAll('h1').length,
    headings,
    imgsWithoutAlt: imgs,
    unlabelledCharts: charts.filter(s => !labelled(s)).map(s => s.outerHTML.slice(0, 100)),
    maths: maths.length,
    shownMaths: shownMaths.length,
    emptyMaths: shownMaths.filter(m => {const r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0);}).length,
    mathDisplays: [...new Set(maths.map(m => getComputedStyle(m).display))],
    arithmatexWithoutMath: [...document.querySelectorAll('.arithmatex')].filter(a => !a.querySelector('math'))
        .map(a => a.textContent.slice(0, 60)),
    rawTex,
    codeBlocks: codePres.length,
    codeBlocksWithoutCopy: codePres
        .filter(p => !p.querySelector('button.md-clipboard, button.md-code__button[data-md-type="copy"]'))
        .map(p => p.textContent.slice(0, 50)),
    notebookCells: nbCells.length,
    notebookCopyButtons: nbCopy.filter(c => document.getElementById(c.getAttribute('for'))).length,
    clipboardElementDefined: customElements.get('clipboard-copy') !== undefined,
    shownCopyTexts: [...document.querySelectorAll('.clipboard-copy-txt')].filter(shown).length,
    alternates: [...document.querySelectorAll('.md-select__list a[hreflang]')]
        .map(a => [a.getAttribute('hreflang'), new URL(a.href).pathname]),
    articleText: article ? article.innerText : '',
  };
}"""

# The colour behind an element: the first ancestor with an opaque-ish background.
BACKGROUND_JS = r"""el => {
  for (let e = el; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) return c;
  }
  return 'rgb(255, 255, 255)';
}"""

OVERFLOW_JS = r"""() => {
  const width = document.documentElement.clientWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const culprits = [];
  if (scrollWidth > width + 1) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      let scrolled = false;  // inside a box that clips or scrolls: not the page's overflow
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') { scrolled = true; break; }
      }
      if (scrolled) continue;
      culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
        ` (right edge ${Math.round(r.right)} px)`);
      if (culprits.length >= 6) break;
    }
  }
  return {scrollWidth, culprits};
}"""


@dataclass(repr=False)
class Visit:
    """What one cold load of one page did and showed."""

    path: str
    status: int | None = None
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    served: int = 0  # requests the local server answered during the load
    bytes: int = 0  # body bytes it sent
    facts: dict = field(default_factory=dict)
    error: str | None = None

    def __repr__(self) -> str:
        return f"Visit({self.path!r}, status={self.status}, {len(self.requests)} requests)"


def blocked_error(message: str, blocked: tuple[str, ...]) -> bool:
    """True for the console's report of a request this suite aborted (to another host)."""
    return "net::ERR_FAILED" in message and any(f"[{url}]" in message for url in blocked)


def failures(items: list[str]) -> str:
    """One message listing every failure, a line each."""
    return f"{len(items)} problem(s):\n  " + "\n  ".join(items)


@pytest.fixture(scope="session")
def server(built_site):
    """The built site on a local port."""
    with SiteServer(built_site) as site_server:
        yield site_server


@pytest.fixture(scope="session")
def pages(built_site, site) -> list[str]:
    """URL paths of every page of every language (every */index.html; 404.html is not a page)."""
    found = site_pages(built_site)
    assert all(f"/{root}" in found for root in site.roots.values()), found
    return found


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (or `make test`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def cold_visit(browser, server: SiteServer, path: str, screenshot: Path | None = None, **context_args) -> Visit:
    """Load ``path`` in a fresh context (empty cache), wait for the network to go idle, gather facts."""
    visit = Visit(path)
    context = browser.new_context(**context_args)
    recorder = Recorder(server.origin).attach(context)
    mark = len(server.log)
    try:
        page = context.new_page()
        response = page.goto(server.url(path), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        visit.status = response.status if response else None
        recorder.settle(page)
        visit.facts = page.evaluate(FACTS_JS)
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
    except Exception as error:  # reported per page by the tests
        visit.error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        context.close()
    logged = server.log[mark:]
    visit.served, visit.bytes = len(logged), sum(entry.bytes for entry in logged)
    visit.requests, visit.failed = recorder.requests, recorder.failed
    visit.http_errors, visit.console_errors = recorder.http_errors, recorder.console_errors
    visit.foreign = recorder.foreign()
    return visit


@pytest.fixture(scope="session")
def survey(browser, server, pages) -> dict[str, Visit]:
    """Every page loaded once, cold, at 1280 px (light scheme), with a full-page screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {
        path: cold_visit(browser, server, path, SHOTS / shot_name(path, "1280"),
                         viewport=DESKTOP, color_scheme="light")
        for path in pages
    }


@pytest.fixture(scope="session")
def phone(browser, server, pages) -> dict[str, dict]:
    """Every page at a 375 px phone viewport: document width, overflowing elements, screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    Recorder(server.origin).attach(context)  # only for its route: nothing leaves the machine
    page = context.new_page()
    found = {}
    try:
        for path in pages:
            page.goto(server.url(path), wait_until="load", timeout=LOAD_TIMEOUT_MS)
            found[path] = page.evaluate(OVERFLOW_JS)
            page.screenshot(path=str(SHOTS / shot_name(path, "375")), full_page=True)
    finally:
        context.close()
    return found


def new_page(browser, server, **context_args):
    """A page in a fresh context that records and blocks requests to other hosts."""
    context = browser.new_context(**{"viewport": DESKTOP, **context_args})
    recorder = Recorder(server.origin).attach(context)
    return context, context.new_page(), recorder
