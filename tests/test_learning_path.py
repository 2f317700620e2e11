"""The beginner's path: the footer's Next walks it in order in every language, and every page says where it sits on it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The order issue 21 asks for. The classifier joins right after the training loop once it exists.
PATH = ["", "01-meet-pytorch/", "examples/tensors_basics/", "examples/autograd_basics/",
        "examples/first_training_loop/", "05-network-layers/", "examples/matmul_cpu_gpu/",
        "06-code-walkthrough/", "02-similar-frameworks/", "03-pytorch-vs-tensorflow/", "04-ecosystem/",
        "timings/", "execution-report/", "api/", "about/"]
CLASSIFIER = "examples/digits_classifier/"
NEXT = re.compile(r'<a href="([^"]+)"[^>]*class="md-footer__link md-footer__link--next"')

# (prerequisites at the top, what comes next at the end), per written language
MARKERS = {"en": ("**Before this page:**", "## What comes next"), "zh": ("**阅读本页之前：**", "## 接下来")}
PATH_PAGES = ["01-meet-pytorch.md", "02-similar-frameworks.md", "03-pytorch-vs-tensorflow.md", "04-ecosystem.md",
              "05-network-layers.md", "06-code-walkthrough.md", "timings.md"]

# Matrix rows and columns written as 行/列 (mainland 行 = row, Taiwan 列 = row: the conversion
# cannot swap them safely). Lines of code may be 行, but the pages avoid the word altogether so
# that this check needs no exceptions.
ROW_COLUMN = re.compile(r"\d+\s*行\s*\d+\s*列|每一?[行列]|第\s*\$?[\w\\]{1,4}\$?\s*[行列]|各[行列]|"
                        r"[行列]向量|[行列]的和|列数")


def walk(site: Path, root: str) -> list[str]:
    """Page paths (relative to the language root) from the home page, following the footer's Next link."""
    seen, here = [], "/" + root
    while len(seen) < 40:
        seen.append(here.removeprefix("/" + root))
        html = (site / here.strip("/") / "index.html").read_text(encoding="utf-8")
        found = NEXT.search(html)
        if not found:
            return seen
        here = urljoin("http://site" + here, found.group(1)).removeprefix("http://site")
    pytest.fail(f"the Next links of {root or 'en'} loop: {seen}")


@pytest.mark.build
def test_next_links_walk_the_path_in_every_language(built_site, site):
    """Home, meet, tensors, autograd, training loop, (classifier,) layers, CPU and GPU, landscape, reference."""
    expected = list(PATH)
    if (built_site / CLASSIFIER / "index.html").is_file():
        expected.insert(expected.index("examples/first_training_loop/") + 1, CLASSIFIER)
    for code, root in site.roots.items():
        assert walk(built_site, root) == expected, code


@pytest.mark.parametrize("lang", list(MARKERS))
@pytest.mark.parametrize("name", PATH_PAGES)
def test_page_states_prerequisites_and_what_comes_next(lang, name):
    """Each page on the path opens with its prerequisites and ends with what comes next."""
    before, after = MARKERS[lang]
    body = (ROOT / "docs" / lang / name).read_text(encoding="utf-8").split("\n# ", 1)[1]
    first_paragraph = body.split("\n\n")[1]
    assert first_paragraph.startswith(before), (name, first_paragraph[:80])
    tail = body[body.rindex("\n## "):]
    assert tail.startswith("\n" + after) and "](" in tail, (name, tail[:80])


def test_meet_pytorch_needs_no_calculus():
    """Page 01 comes before tensors: no derivatives, autograd.grad, nn.Linear or parameters() there."""
    for lang in MARKERS:
        text = (ROOT / "docs" / lang / "01-meet-pytorch.md").read_text(encoding="utf-8")
        for banned in ("\\partial", "autograd.grad", "nn.Linear", "parameters()", ".backward()"):
            assert banned not in text, (lang, banned)


def test_the_lesson_example_lives_in_the_autograd_example_only():
    """y = a²x + bx + c is computed in lessonsrc/autograd_basics.py; pages link to it instead."""
    code = "y = a**2 * x + b * x + c"
    assert code in (ROOT / "lessonsrc" / "autograd_basics.py").read_text(encoding="utf-8")
    pages = [p for p in (ROOT / "docs").rglob("*.md") if code in p.read_text(encoding="utf-8")]
    assert not pages, pages


def test_page_03_sets_no_ddp_or_export_task():
    """PyTorch vs TensorFlow is context: it runs no process group and asks for no export."""
    for lang in MARKERS:
        text = (ROOT / "docs" / lang / "03-pytorch-vs-tensorflow.md").read_text(encoding="utf-8")
        assert "init_process_group(" not in text.replace("`torch.distributed.init_process_group`", "")
        assert ">>> ep1 = torch.export" not in text and "run `torch.compile`, `torch.export`" not in text


def test_home_page_names_the_original_post_without_a_link():
    """The home page names the original blog post by its title, says it is Traditional Chinese, and links nowhere for it."""
    title = "lesson01-PyTorch初見(理論+代碼實戰)"
    for lang, words in (("en", "blog post in Traditional Chinese"), ("zh", "繁体中文博客文章")):
        text = (ROOT / "docs" / lang / "index.md").read_text(encoding="utf-8")
        line = next(line for line in text.splitlines() if title in line)
        assert words in text and "](http" not in line, lang
    for page in (ROOT / "docs").rglob("*.md"):
        assert "the seed" not in page.read_text(encoding="utf-8").lower(), page


def test_no_row_or_column_written_as_hang_or_lie():
    """docs/zh never writes a matrix row or column as 行/列 (who.md's rule for the Taiwan conversion)."""
    problems = [f"{p.name}:{i}: {m.group(0)}" for p in sorted((ROOT / "docs" / "zh").glob("*.md"))
                for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                for m in ROW_COLUMN.finditer(line)]
    assert not problems, problems
    assert ROW_COLUMN.search("创建一个 2 行 3 列的张量") and ROW_COLUMN.search("每行一个样本，每列一个特征")
