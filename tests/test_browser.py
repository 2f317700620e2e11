"""The built site in headless Chromium: every page, both languages, served from 127.0.0.1.

One browser serves the whole module. The ``survey`` fixture loads every page
once, cold (a fresh context: empty cache), at 1280 px, records what the load
did (requests, failures, console errors, bytes served) and what the page shows
(headings, math, copy buttons, language links...), and saves a full-page
screenshot; the ``phone`` fixture does the same at 375 px for overflow and
screenshots. The tests then check one concern each over all pages, and list
every page that fails. Screenshots and the page-weight table go to
``artifacts/`` (git-ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser_support import (
    CHROMIUM,
    Recorder,
    SiteServer,
    contrast_ratio,
    launch_chromium,
    other_language_path,
    page_language,
    parse_rgb,
    shot_name,
    site_pages,
)
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.build]

ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
MAX_PAGE_BYTES = 1_000_000
MIN_CHART_TEXT_PX = 10  # height of the smallest text box of a chart as drawn
LOAD_TIMEOUT_MS = 15_000

# Pages whose sources contain formulas (both languages).
MATH_PAGES = ["/", "/01-meet-pytorch/", "/05-network-layers/", "/06-code-walkthrough/", "/timings/",
              "/examples/autograd_basics/"]
EXAMPLE_OUTPUTS = {
    "/examples/autograd_basics/": "after : tensor(2.) tensor(1.) tensor(1.)",
    "/examples/matmul_cpu_gpu/": "c.norm(2) = tensor(",
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


@pytest.fixture(scope="module")
def server(built_site):
    """The built site on a local port."""
    with SiteServer(built_site) as site_server:
        yield site_server


@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    """URL paths of every page of both languages (every */index.html; 404.html is not a page)."""
    found = site_pages(built_site)
    assert "/" in found and "/zh/" in found, found
    return found


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def survey(browser, server, pages) -> dict[str, Visit]:
    """Every page loaded once, cold, at 1280 px (light scheme), with a full-page screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return {
        path: cold_visit(browser, server, path, SHOTS / shot_name(path, "1280"),
                         viewport=DESKTOP, color_scheme="light")
        for path in pages
    }


@pytest.fixture(scope="module")
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


# --- loading -----------------------------------------------------------------


def test_every_page_loads_cleanly(survey):
    """Each page answers 200 and loads without console errors, failed requests or HTTP errors."""
    problems = []
    for path, visit in survey.items():
        if visit.error:
            problems.append(f"{path}: {visit.error}")
        if visit.status != 200:
            problems.append(f"{path}: status {visit.status}")
        # Requests to other hosts are aborted on purpose; test_no_request_leaves_the_local_server reports them.
        blocked = tuple(visit.foreign)
        problems += [f"{path}: console error: {e}" for e in visit.console_errors if not blocked_error(e, blocked)]
        problems += [f"{path}: failed request: {e}" for e in visit.failed if e.rsplit(" (", 1)[0] not in blocked]
        problems += [f"{path}: HTTP error: {e}" for e in visit.http_errors]
    assert not problems, failures(problems)


def test_no_request_leaves_the_local_server(survey):
    """Fonts, math, icons, charts, search: every request of every page goes to the local server only."""
    problems = [f"{path}: {url}" for path, visit in survey.items() for url in visit.foreign]
    assert not problems, failures(problems)
    # The recording sees what the search worker fetches, so worker requests are covered too.
    assert any(url.endswith("/search/search_index.json") for url in survey["/"].requests), survey["/"].requests


def test_cdn_font_page_is_flagged(browser):
    """The foreign-host check bites: a page that loads a font from a CDN is flagged (the request is aborted)."""
    with SiteServer(FIXTURES) as fixture_server:
        visit = cold_visit(browser, fixture_server, "/cdn_font_page/")
    assert visit.status == 200, visit.error
    assert any(url.startswith("https://fonts.googleapis.com/") for url in visit.foreign), visit.requests
    assert any("fonts.googleapis.com" in failure for failure in visit.failed), visit.failed  # aborted, never sent


# --- content -----------------------------------------------------------------


def test_math_is_rendered_as_mathml(survey):
    """Pages with formulas show rendered <math>; no page shows raw TeX ($...$, \\( ) outside code."""
    problems = []
    for lang_root in ("", "/zh"):
        for path in MATH_PAGES:
            facts = survey[lang_root + path].facts
            if not facts.get("shownMaths"):
                problems.append(f"{lang_root + path}: no visible <math> element")
    for path, visit in survey.items():
        facts = visit.facts
        if facts.get("emptyMaths"):
            problems.append(f"{path}: {facts['emptyMaths']} visible <math> element(s) with no size")
        if facts.get("maths") and not set(facts["mathDisplays"]) & {"math", "block math", "inline math"}:
            problems.append(f"{path}: <math> not laid out as MathML (display {facts['mathDisplays']})")
        problems += [f"{path}: .arithmatex without <math>: {t!r}" for t in facts.get("arithmatexWithoutMath", [])]
        problems += [f"{path}: raw TeX shown: {t!r}" for t in facts.get("rawTex", [])]
    assert not problems, failures(problems)


def test_code_blocks_have_copy_buttons(survey):
    """Every highlighted code block on the theory pages carries Material's copy button.

    Material 9.8 draws it as ``button.md-code__button[data-md-type=copy]``
    (older releases: ``button.md-clipboard``); both are accepted. Notebook
    cells on example pages carry mkdocs-jupyter's ``clipboard-copy`` element.
    """
    problems, with_code = [], 0
    for path, visit in survey.items():
        facts = visit.facts
        if "/examples/" in path:
            if facts.get("notebookCells", 0) == 0:
                problems.append(f"{path}: no notebook code cells")
            elif facts["notebookCopyButtons"] < facts["notebookCells"] or not facts["clipboardElementDefined"]:
                problems.append(f"{path}: {facts['notebookCells']} code cells, {facts['notebookCopyButtons']} "
                                f"working copy buttons (clipboard-copy defined: {facts['clipboardElementDefined']})")
            if facts.get("shownCopyTexts"):
                problems.append(f"{path}: the text behind {facts['shownCopyTexts']} copy button(s) is shown "
                                "under its cell (.clipboard-copy-txt visible)")
            continue
        with_code += facts.get("codeBlocks", 0) > 0
        problems += [f"{path}: code block without copy button: {t!r}" for t in facts.get("codeBlocksWithoutCopy", [])]
    assert with_code >= 6, f"only {with_code} theory pages with code blocks found"
    assert not problems, failures(problems)


def test_example_pages_show_executed_outputs(survey):
    """The executed outputs are on the example pages, in both languages."""
    problems = []
    for lang_root in ("", "/zh"):
        for path, expected in EXAMPLE_OUTPUTS.items():
            if expected not in survey[lang_root + path].facts.get("articleText", ""):
                problems.append(f"{lang_root + path}: output {expected!r} not shown")
    assert not problems, failures(problems)


@pytest.mark.parametrize("lang_root", ["", "/zh"])
def test_timings_page_shows_table_and_chart(browser, server, lang_root):
    """The timings page shows its table and chart: light, dark (the chart's ink contrasts) and on a phone (legible)."""
    path = lang_root + TIMINGS
    chart_selector = "article svg.timings-chart, article .lesson-chart svg"
    for scheme, viewport in (("light", DESKTOP), ("dark", DESKTOP), ("light", PHONE)):
        where = f"{path} ({scheme}, {viewport['width']} px)"
        context, page, _ = new_page(browser, server, color_scheme=scheme, viewport=viewport)
        try:
            response = page.goto(server.url(path), wait_until="load")
            assert response and response.status == 200, f"{where}: {response and response.status}"
            expected = {"light": "default", "dark": "slate"}[scheme]
            assert page.locator("body").get_attribute("data-md-color-scheme") == expected
            table = page.locator("article table").first
            assert table.is_visible(), f"{where}: no visible table"
            assert page.locator("article table tbody tr").count() >= 1, f"{where}: the table has no rows"
            chart = page.locator(chart_selector).first
            assert chart.is_visible(), f"{where}: no visible chart ({chart_selector})"
            box = chart.bounding_box()
            assert box and box["width"] >= 300 and box["height"] >= 150, f"{where}: chart box {box}"
            ink = parse_rgb(chart.evaluate("el => getComputedStyle(el).color"))
            ground = parse_rgb(chart.evaluate(BACKGROUND_JS))
            ratio = contrast_ratio(ink, ground)
            assert ratio >= 4.5, f"{where}: chart ink {ink} on {ground}: contrast {ratio:.1f} < 4.5"
            smallest = chart.evaluate(
                "svg => Math.min(...[...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height))")
            assert smallest >= MIN_CHART_TEXT_PX, f"{where}: chart text only {smallest:.1f} px tall"
            if scheme == "dark":  # the light ones are the survey's and the phone pass's screenshots
                page.screenshot(path=str(SHOTS / shot_name(path, "1280-dark")), full_page=True)
        finally:
            context.close()


# --- search, language, palette --------------------------------------------------


@pytest.mark.parametrize(("start", "query", "wanted"), [
    ("/", "autograd", "/examples/autograd_basics/"),
    ("/zh/", "自动求导", "/zh/examples/autograd_basics/"),
])
def test_search_finds_the_autograd_example(browser, server, start, query, wanted):
    """Material's search (a web worker over the local index) finds the autograd example in each language."""
    context, page, _ = new_page(browser, server)
    try:
        page.goto(server.url(start), wait_until="load")
        box = page.locator("input.md-search__input")
        box.click()
        # fill() inserts the text without key events; Material reads the query on keyup.
        box.fill(query)
        box.press("End")
        hit = page.locator(f'.md-search-result__item a[href*="{wanted}"]').first
        hit.wait_for(state="attached", timeout=10_000)
    finally:
        context.close()


@pytest.mark.parametrize(("path", "first"), [
    ("/examples/autograd_basics/", "zh"),
    ("/examples/autograd_basics/", "en"),
    ("/zh/03-pytorch-vs-tensorflow/", "zh"),
])
def test_language_switcher_goes_to_the_same_page(browser, server, path, first):
    """Clicking the other language in the header opens the same page in that language, and back.

    Material's script fetches both languages' sitemap.xml and may take over a
    click on a link into the other language; what it does depends on which
    sitemap arrived first. ``first`` fixes that order (the other one is
    answered 0.3 s later), so both orders are checked every run.
    """
    late = "/sitemap.xml" if first == "zh" else "/zh/sitemap.xml"
    server.delays[late] = 0.3
    context, page, recorder = new_page(browser, server)
    try:
        page.goto(server.url(path), wait_until="load")
        here = path
        for _ in range(2):
            recorder.settle(page)  # both sitemaps are in
            there = other_language_path(here)
            page.hover(".md-header__option .md-select")
            with page.expect_navigation():
                page.click(f'.md-select__list a[hreflang="{page_language(there)}"]')
            landed = page.url.split("?")[0].split("#")[0]
            assert landed == server.url(there), f"{here} -> {landed.removeprefix(server.origin)}, expected {there}"
            here = there
    finally:
        server.delays.pop(late, None)
        context.close()


def test_language_links_of_every_page(survey):
    """On every page, each language link points at the same page in that language."""
    problems = []
    for path, visit in survey.items():
        links = dict(visit.facts.get("alternates", []))
        want = {page_language(path): path, page_language(other_language_path(path)): other_language_path(path)}
        if links != want:
            problems.append(f"{path}: language links {links}, expected {want}")
    assert not problems, failures(problems)


def test_palette_toggle_switches_light_and_dark(browser, server):
    """The header toggle switches the colour scheme between default (light) and slate (dark), and back."""
    context, page, _ = new_page(browser, server, color_scheme="light")
    try:
        page.goto(server.url("/"), wait_until="load")
        body = page.locator("body")
        seen = [body.get_attribute("data-md-color-scheme")]
        for _ in range(2):
            page.locator("form[data-md-component=palette] label:not([hidden])").click()
            page.wait_for_function(
                "before => document.body.getAttribute('data-md-color-scheme') !== before", arg=seen[-1])
            seen.append(body.get_attribute("data-md-color-scheme"))
        assert seen == ["default", "slate", "default"]
    finally:
        context.close()


# --- accessibility -------------------------------------------------------------


def test_accessibility_basics(survey):
    """Alt text on images, labelled charts, one <h1>, no skipped heading level, <html lang> of the page's language."""
    problems = []
    for path, visit in survey.items():
        facts = visit.facts
        if not facts:
            problems.append(f"{path}: not loaded ({visit.error})")
            continue
        problems += [f"{path}: <img> without alt: {src}" for src in facts["imgsWithoutAlt"]]
        problems += [f"{path}: chart <svg> without <title> or aria-label: {s}" for s in facts["unlabelledCharts"]]
        if facts["h1s"] != 1:
            problems.append(f"{path}: {facts['h1s']} <h1> elements")
        previous = 0
        for level, text in facts["headings"]:
            if level > previous + 1:
                problems.append(f"{path}: h{level} {text!r} follows h{previous or '-'}")
            previous = level
        lang = page_language(path)
        if not re.match(rf"{lang}(-|$)", facts["lang"] or ""):
            problems.append(f"{path}: <html lang={facts['lang']!r}>, expected {lang}")
    assert not problems, failures(problems)


# --- weight and layout ---------------------------------------------------------


def test_page_weight_under_one_megabyte(survey):
    """A cold load of each page (everything fetched during load and a short idle) stays under 1 MB."""
    rows = [(path, visit.served, visit.bytes) for path, visit in survey.items()]
    width = max(len(path) for path, _, _ in rows)
    lines = [f"{'page':<{width}}  requests      bytes", f"{'-' * width}  --------  ---------"]
    lines += [f"{path:<{width}}  {served:>8}  {size:>9,}" for path, served, size in rows]
    lines.append(f"(body bytes served by the local server on a cold load, uncompressed; limit {MAX_PAGE_BYTES:,})")
    table = "\n".join(lines)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.txt").write_text(table + "\n", encoding="utf-8")
    print("\n" + table)
    heavy = [f"{path}: {size:,} bytes" for path, _, size in rows if size >= MAX_PAGE_BYTES]
    assert not heavy, failures(heavy)
    assert all(size > 0 for _, _, size in rows), "a load served nothing: the weights are not measured"


def test_no_horizontal_overflow_on_a_phone(phone):
    """At 375 px no page is wider than the screen (wide tables scroll inside their own box)."""
    problems = [f"{path}: document {found['scrollWidth']} px wide; overflowing: {', '.join(found['culprits'])}"
                for path, found in phone.items() if found["scrollWidth"] > PHONE["width"] + 1]
    assert not problems, failures(problems)


def test_screenshots_are_saved(survey, phone, pages):
    """A full-page screenshot of every page at 1280 px and at 375 px is under artifacts/screenshots/."""
    missing = [name for path in pages for name in (shot_name(path, "1280"), shot_name(path, "375"))
               if not (SHOTS / name).is_file() or (SHOTS / name).stat().st_size < 1000]
    assert not missing, failures(missing)
