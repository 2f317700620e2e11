"""The built site: executed outputs, downloads, stamps, report, languages, and nothing from other hosts."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, Site, tree_digest
from sitelib.examples.discover import find_examples
from sitelib.languages.conversion import Conversion

pytestmark = pytest.mark.build

EXAMPLES = [p.stem for p in find_examples(ROOT / "lessonsrc")]
LANG_ROOTS = Site(ROOT / "mkdocs.yml").roots


def page(site: Path, path: str) -> str:
    """The HTML of ``path`` (a directory URL such as ``examples/x/``) in the built site."""
    return (site / path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_autograd_page_shows_executed_output(built_site, lang):
    """The autograd example's real output is on its page, in both languages."""
    html = page(built_site, f"{LANG_ROOTS[lang]}examples/autograd_basics")
    assert "after : tensor(2.) tensor(1.) tensor(1.)" in html
    assert "before: None None None" in html


@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_matmul_page_shows_timing_device_and_norm(built_site, lang):
    """The matmul page shows the measured CPU time, the threads, a norm close to sqrt(M*N*K), the queue demo."""
    html = page(built_site, f"{LANG_ROOTS[lang]}examples/matmul_cpu_gpu")
    assert re.search(r"median of \d+ timed runs: \d+\.\d{3} s\s+= \d+\.\d{3} TFLOP/s", html)
    assert re.search(r"CPU threads: \d+", html)
    norm = float(re.search(r"vector_norm\(c\) = tensor\((\d+\.\d+)\)", html)[1])
    assert abs(norm / 141421.356 - 1) < 0.01
    assert re.search(r"three submit\(\) calls returned after +\d+\.\d{3} ms", html)
    assert "No GPU was found on this machine" in html or "synchronized median" in html


def test_example_prose_follows_the_language(built_site):
    """Each language shows its own prose cells and not the other's."""
    en = page(built_site, "examples/autograd_basics")
    zh = page(built_site, "zh/examples/autograd_basics")
    assert "Step 1" in en and "第一步" not in en
    assert "第一步" in zh and "Step 1" not in zh


@pytest.mark.parametrize("stem", EXAMPLES)
@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_example_downloads_and_stamp(built_site, site, stem, lang):
    """Each example page offers its .py and an executed .ipynb, links to Colab and to its source, and is stamped."""
    folder = built_site / f"{LANG_ROOTS[lang]}examples" / stem
    source = (ROOT / "lessonsrc" / f"{stem}.py").read_text(encoding="utf-8")
    convert = next(language.convert for language in site.languages if language.code == lang)
    # A generated language's download is its own script (zh-hant: prose and Chinese comments in Traditional).
    assert (folder / f"{stem}.py").read_text(encoding="utf-8") == Conversion(convert).python(source)
    notebook = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells and all(c.outputs for c in code_cells if "print(" in c.source)
    html = page(built_site, f"{LANG_ROOTS[lang]}examples/{stem}")
    assert f'href="{stem}.py" download' in html and f'href="{stem}.ipynb" download' in html
    published = f"{LANG_ROOTS[lang]}examples/{stem}/{stem}.ipynb"
    assert f"colab.research.google.com/github/{site.repo_path}/blob/{site.remote_branch}/{published}" in html
    assert f"{site.edit_root}/lessonsrc/{stem}.py" in html
    assert re.search(r"torch 2\.13\.0\S*?( on |，时间 |，時間 )\d{4}-\d\d-\d\dT", html)


@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_execution_report_lists_every_example(built_site, lang):
    """The execution report has one row per example, with status and run time."""
    html = page(built_site, f"{LANG_ROOTS[lang]}execution-report")
    assert 'rel="edit"' not in html  # generated: nothing to edit
    for stem in EXAMPLES:
        assert re.search(rf'href="\.\./examples/{stem}/">.+?</a></td>\s*<td>(ok|成功)</td>\s*<td>\d+\.\d\d</td>', html)


@pytest.mark.parametrize("lang", LANG_ROOTS)
def test_timings_page_shows_the_committed_records(built_site, site, lang):
    """Every committed machine record appears on the timings page with its provenance, table and chart."""
    from sitelib.timings.store import load_timings

    html = page(built_site, f"{LANG_ROOTS[lang]}timings")
    data = load_timings(ROOT / "data" / "timings.json")
    assert data["machines"], "data/timings.json holds no record"
    for record in data["machines"]:
        assert record["machine_id"] in html and record["torch_version"] in html
    assert "<table>" in html and "<svg" in html and "<!-- timings:" not in html
    from sitelib.languages.language import strings_for
    from sitelib.languages.conversion import Conversion
    from sitelib.timings.strings import STRINGS

    language = next(entry for entry in site.languages if entry.code == lang)
    no_gpu = Conversion(language.convert).strings(strings_for(STRINGS, language, "timings"))["no_gpu_short"]
    has_gpu = any(record["gpus"] for record in data["machines"])
    assert has_gpu or no_gpu in html  # in the page's own language and script


def test_theory_pages_edit_their_markdown(built_site, site):
    """"Edit this page" on a theory page opens the Markdown file it was made from, in every language."""
    for lang in site.languages:
        html = page(built_site, f"{site.roots[lang.code]}01-meet-pytorch")
        assert f"{site.edit_root}/docs/{lang.docs_code}/01-meet-pytorch.md" in html


def test_math_is_mathml(built_site):
    """Formulas are MathML in theory pages and notebook prose; no raw TeX delimiters remain."""
    for path in ("06-code-walkthrough", "examples/autograd_basics", "zh/examples/autograd_basics"):
        html = page(built_site, path)
        assert "<math" in html
        assert 'class="arithmatex"' not in html and "$\\partial" not in html


def test_nothing_loads_from_other_hosts(built_site):
    """No HTML file loads a script, stylesheet, font, image or frame from another host."""
    remote = re.compile(r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)=["'](https?:)?//""", re.I)
    offenders = []
    for html_file in built_site.rglob("*.html"):
        for match in remote.finditer(html_file.read_text(encoding="utf-8")):
            tag = match[0]
            if tag.startswith("<link") and re.search(r'rel="(canonical|alternate)"', html_file.read_text(encoding="utf-8")[match.start(): match.start() + 300].split(">")[0]):
                continue  # canonical/alternate links name the published address; nothing is fetched
            offenders.append(f"{html_file.relative_to(built_site)}: {tag}")
    assert not offenders, offenders[:10]
    css = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in built_site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def test_notebook_pages_are_light(built_site):
    """Example pages no longer inline JupyterLab's 590 KB stylesheet; their executed figures stay small."""
    for stem in EXAMPLES:
        html = page(built_site, f"examples/{stem}")
        figures = re.findall(r'src="data:image/png;base64,[^"]*"', html)
        assert sum(map(len, figures)) < 200_000, stem
        assert len(re.sub(r'src="data:image/png;base64,[^"]*"', "", html).encode()) < 150_000, stem


def test_head_has_description_sitemap_and_404(built_site, site):
    """Pages describe themselves in the head; the site has a sitemap per language and 404 pages."""
    assert '<meta name="description" content="An executed lesson' not in page(built_site, "01-meet-pytorch")
    assert re.search(r'<meta name="description" content="[^"]{20,}">', page(built_site, "01-meet-pytorch"))
    assert re.search(r'<meta name="description" content="Autograd', page(built_site, "examples/autograd_basics"))
    for lang_root in LANG_ROOTS.values():
        sitemap = (built_site / lang_root / "sitemap.xml").read_text(encoding="utf-8")
        assert f"{site.site_url}{lang_root}01-meet-pytorch/" in sitemap
        assert (built_site / lang_root / "404.html").is_file()


def test_language_switcher_points_at_the_same_page(built_site, site):
    """Every language's switcher links to this same page in every language, with its tag and label."""
    for lang in site.languages:
        html = page(built_site, f"{site.roots[lang.code]}04-ecosystem")
        for other in site.languages:
            up = "../" * (1 + bool(site.roots[lang.code]))
            href = f"{up}{site.roots[other.code]}04-ecosystem/"
            assert re.search(rf'href="{re.escape(href)}" hreflang="{other.tag}" lang="{other.tag}"[^>]*>\s*{other.name}\s*<', html)
        assert 'rel="alternate" href="https://' not in html  # Material fetches <link>/sitemap.xml: keep it local


def test_build_writes_nothing_into_docs(built_site, docs_digest_before_build):
    """The build leaves docs/ byte for byte as it found it."""
    assert tree_digest(ROOT / "docs") == docs_digest_before_build


def test_downloaded_notebooks_need_no_helpers(built_site):
    """No example imports lessonsrc, so no downloaded notebook carries a hidden helper set-up cell."""
    for stem in EXAMPLES:
        notebook = nbformat.read(built_site / f"examples/{stem}/{stem}.ipynb", as_version=4)
        assert not [c for c in notebook.cells if "lesson-setup" in c.metadata.get("tags", [])], stem


def test_helper_setup_cell_recreates_helpers_and_keeps_existing_files(tmp_path, monkeypatch):
    """For an example that imports a helper, the set-up cell writes lessonsrc for Colab and keeps existing files."""
    from sitelib.examples.notebooks import with_helper_setup

    helpers = [ROOT / "lessonsrc" / "__init__.py", ROOT / "lessonsrc" / "timing.py"]
    notebook = with_helper_setup(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                                 helpers, ROOT / "lessonsrc")
    setup = next(c for c in notebook.cells if c.cell_type == "code")
    assert setup.metadata["tags"] == ["lesson-setup"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lessonsrc").mkdir()
    (tmp_path / "lessonsrc" / "__init__.py").write_text("# mine\n", encoding="utf-8")
    exec(setup.source, {})
    assert (tmp_path / "lessonsrc" / "__init__.py").read_text(encoding="utf-8") == "# mine\n"
    assert (tmp_path / "lessonsrc" / "timing.py").read_bytes() == (ROOT / "lessonsrc" / "timing.py").read_bytes()


def test_api_page_renders_docstring_examples_as_code(built_site):
    """mkdocstrings shows the helpers' >>> examples as highlighted code, not as nested quotes."""
    html = page(built_site, "api")
    assert html.count('<span class="gp">&gt;&gt;&gt;') >= 10
    assert "<blockquote>" not in html
