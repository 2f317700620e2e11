"""Publishing from any fork: addresses follow the environment, and every Colab link names a
notebook that `make publish` really puts on the branch it points at."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, Site, run_mkdocs
from sitelib.examples.discover import find_examples

pytestmark = pytest.mark.build

FORK = {"SITE_URL": "https://forker.github.io/lesson-fork/", "REPO_URL": "https://github.com/forker/lesson-fork"}
COLAB = re.compile(r'href="https://colab\.research\.google\.com/github/(?P<repo>[^/]+/[^/]+)/blob/(?P<branch>[^/]+)/(?P<path>[^"]+)"')


@pytest.fixture(scope="module")
def fork_site(tmp_path_factory) -> tuple[Path, Site]:
    """The site built with a fork's SITE_URL and REPO_URL, and what the configuration says under them."""
    site_dir = tmp_path_factory.mktemp("fork-site")
    result = run_mkdocs("build", "--strict", "--site-dir", str(site_dir), env=FORK)
    assert result.returncode == 0, result.stderr[-3000:]
    with pytest.MonkeyPatch.context() as patch:
        for key, value in FORK.items():
            patch.setenv(key, value)
        return site_dir, Site(ROOT / "mkdocs.yml")


def test_publish_deploys_the_site_dir_to_the_configured_branch():
    """`make publish` runs the tests, then gh-deploy with mkdocs.yml's remote_branch (no override)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^publish:(?P<deps>.*)\n(?P<body>(?:\t.*\n)+)", makefile, re.M)
    assert recipe and "test" in recipe["deps"]
    assert "mkdocs gh-deploy" in recipe["body"] and "--remote-branch" not in recipe["body"] and "-b " not in recipe["body"]


def test_every_colab_link_names_a_published_notebook(fork_site):
    """Each Colab link names the fork's repository, the deploy branch, and a notebook present in the built site."""
    site_dir, site = fork_site
    links = [(html.relative_to(site_dir), m) for html in site_dir.rglob("*.html") for m in COLAB.finditer(html.read_text(encoding="utf-8"))]
    assert len(links) == len(find_examples(ROOT / "lessonsrc")) * len(site.languages)
    for page, link in links:
        assert link["repo"] == "forker/lesson-fork", page
        assert link["branch"] == site.remote_branch, page
        notebook = site_dir / link["path"]  # gh-deploy pushes site_dir as the branch's root
        assert notebook.is_file(), f"{page}: {link['path']} is not published"
        nbformat.validate(nbformat.read(notebook, as_version=4))


def test_fork_addresses_reach_sitemaps_and_edit_links(fork_site):
    """Sitemaps and "edit this page" links of every language follow the fork's SITE_URL and REPO_URL."""
    site_dir, site = fork_site
    for lang in site.languages:
        root = site_dir / site.roots[lang.code]
        assert f"https://forker.github.io/lesson-fork/{site.roots[lang.code]}01-meet-pytorch/" in (root / "sitemap.xml").read_text()
        html = (root / "examples" / "autograd_basics" / "index.html").read_text(encoding="utf-8")
        assert "https://github.com/forker/lesson-fork/edit/main/lessonsrc/autograd_basics.py" in html
