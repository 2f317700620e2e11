"""Interactive features in headless Chromium: search in both languages, the language switcher, the light/dark toggle."""

from __future__ import annotations

import pytest

from browser_fixtures import (
    failures,
    new_page,
)
from browser_support import language_paths

pytestmark = [pytest.mark.browser, pytest.mark.build]


# --- search, language, palette --------------------------------------------------


@pytest.mark.parametrize(("start", "query", "wanted"), [
    ("/", "autograd", "/examples/autograd_basics/"),
    ("/zh/", "自动求导", "/zh/examples/autograd_basics/"),
    ("/zh-hant/", "自動求導", "/zh-hant/examples/autograd_basics/"),
    ("/zh-hant/", "張量", "/zh-hant/examples/tensors_basics/"),
    ("/zh-hant/", "自動微分", "/zh-hant/01-meet-pytorch/"),
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


@pytest.mark.parametrize(("path", "late"), [
    ("/examples/autograd_basics/", "/sitemap.xml"),
    ("/examples/autograd_basics/", "/zh/sitemap.xml"),
    ("/zh/03-pytorch-vs-tensorflow/", "/zh-hant/sitemap.xml"),
])
def test_language_switcher_goes_to_the_same_page(browser, server, site, path, late):
    """Clicking each language in turn in the header opens the same page in that language, round to the start.

    Material's script fetches every language's sitemap.xml and may take over a
    click on a link into another language; what it does depends on which
    sitemap arrived last. ``late`` is answered 0.3 s after the others, so
    several orders are checked every run.
    """
    server.delays[late] = 0.3
    context, page, recorder = new_page(browser, server)
    try:
        page.goto(server.url(path), wait_until="load")
        paths = language_paths(path, site.roots)
        codes = list(paths)
        start = codes.index(next(code for code, p in paths.items() if p == path))
        order = codes[start + 1:] + codes[:start + 1]  # every other language, then back
        here = path
        for code in order:
            recorder.settle(page)  # the sitemaps are in
            there = paths[code]
            tag = next(lang.tag for lang in site.languages if lang.code == code)
            page.hover(".md-header__option .md-select")
            with page.expect_navigation():
                page.click(f'.md-select__list a[hreflang="{tag}"]')
            landed = page.url.split("?")[0].split("#")[0]
            assert landed == server.url(there), f"{here} -> {landed.removeprefix(server.origin)}, expected {there}"
            here = there
    finally:
        server.delays.pop(late, None)
        context.close()


def test_language_links_of_every_page(survey, site):
    """On every page, the switcher lists every language, labelled in itself, each pointing at this same page."""
    tags = {lang.code: lang.tag for lang in site.languages}
    problems = []
    for path, visit in survey.items():
        links = dict(visit.facts.get("alternates", []))
        want = {tags[code]: other for code, other in language_paths(path, site.roots).items()}
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
