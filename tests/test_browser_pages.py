"""Every page of both languages in headless Chromium: clean loads, local requests only, content, accessibility, weight, phone layout."""

from __future__ import annotations


import pytest

from browser_fixtures import (
    ARTIFACTS,
    BACKGROUND_JS,
    DESKTOP,
    EXAMPLE_OUTPUTS,
    FIXTURES,
    MATH_PAGES,
    MAX_PAGE_BYTES,
    MIN_CHART_TEXT_PX,
    PHONE,
    SHOTS,
    SiteServer,
    TIMINGS,
    blocked_error,
    cold_visit,
    failures,
    new_page,
    shot_name,
)
from browser_support import contrast_ratio, page_language, parse_rgb

pytestmark = [pytest.mark.browser, pytest.mark.build]


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


def test_math_is_rendered_as_mathml(survey, site):
    """Pages with formulas show rendered <math>; no page shows raw TeX ($...$, \\( ) outside code."""
    problems = []
    for lang_root in ("/" + root.rstrip("/") if root else "" for root in site.roots.values()):
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


def test_example_pages_show_executed_outputs(survey, site):
    """The executed outputs are on the example pages, in every language."""
    problems = []
    for lang_root in ("/" + root.rstrip("/") if root else "" for root in site.roots.values()):
        for path, expected in EXAMPLE_OUTPUTS.items():
            if expected not in survey[lang_root + path].facts.get("articleText", ""):
                problems.append(f"{lang_root + path}: output {expected!r} not shown")
    assert not problems, failures(problems)


@pytest.mark.parametrize("lang_root", ["", "/zh", "/zh-hant"])
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




# --- accessibility -------------------------------------------------------------


def test_accessibility_basics(survey, site):
    """Alt text on images, labelled charts, one <h1>, no skipped heading level, <html lang> of the page's language."""
    tags = {lang.code: lang.tag for lang in site.languages}
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
        want = tags[page_language(path, site.roots)]  # zh-Hans or zh-TW, never a bare zh
        if facts["lang"] != want:
            problems.append(f"{path}: <html lang={facts['lang']!r}>, expected {want}")
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
