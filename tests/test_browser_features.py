"""Interactive features in headless Chromium: search in both languages, the language switcher, the light/dark toggle."""

from __future__ import annotations

import pytest

from browser_fixtures import (
    failures,
    new_page,
)
from browser_support import other_language_path, page_language

pytestmark = [pytest.mark.browser, pytest.mark.build]


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
