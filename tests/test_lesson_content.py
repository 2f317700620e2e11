"""Content checks of the lesson: example answers run, languages agree, learner pages stay on topic."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitelib.markup import doctests as mddoctest
from sitelib.examples.discover import find_examples
from conftest import ROOT

EXAMPLES = find_examples(ROOT / "lessonsrc")
# Examples that teach with exercises whose answers are `>>>` snippets in their prose cells.
WITH_ANSWERS = ["autograd_basics.py", "tensors_basics.py", "first_training_loop.py", "digits_classifier.py",
                "matmul_cpu_gpu.py"]
# Chinese prose of these files is checked for ASCII punctuation (matmul_cpu_gpu.py has another owner).
PUNCTUATION_CHECKED = ["autograd_basics.py", "tensors_basics.py", "first_training_loop.py", "digits_classifier.py"]
LEARNER_PAGES = [
    p for lang in ("en", "zh") for p in sorted((ROOT / "docs" / lang).glob("*.md")) if p.name != "about.md"
]
_HEADER = re.compile(r'^# %%(?: \[markdown\])?(?: lang="(\w+)")?\s*$')


def prose_cells(path: Path) -> list[tuple[str | None, str]]:
    """The markdown cells of a percent-format example as (lang or None, text without the `# `)."""
    cells: list[tuple[str | None, str]] = []
    current: tuple[str | None, list[str]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if current is not None:
                cells.append((current[0], "\n".join(current[1]).strip("\n")))
            match = _HEADER.match(line)
            current = (match.group(1) if match else None, []) if "[markdown]" in line else None
        elif current is not None:
            current[1].append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current is not None:
        cells.append((current[0], "\n".join(current[1]).strip("\n")))
    return cells


def prose_for(path: Path, lang: str) -> str:
    """All prose a reader of ``lang`` sees in an example, as one Markdown text."""
    return "\n\n".join(text for cell_lang, text in prose_cells(path) if cell_lang in (None, lang))


def test_examples_with_answers_exist():
    """The examples with exercises are there and are examples (an empty parametrisation would prove nothing)."""
    names = {p.name for p in EXAMPLES}
    assert set(WITH_ANSWERS) <= names


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", WITH_ANSWERS)
def test_example_answers_run(name: str, lang: str, tmp_path, capsys):
    """Every `>>>` answer in an example's prose gives exactly the output it shows, in each language."""
    page = tmp_path / f"{Path(name).stem}.{lang}.md"
    page.write_text(prose_for(ROOT / "lessonsrc" / name, lang), encoding="utf-8")
    result = mddoctest.run_markdown(page)
    assert result.attempted >= 6, f"{name} ({lang}) has too few checked answers"
    assert result.failed == 0, capsys.readouterr().out


@pytest.mark.parametrize("name", WITH_ANSWERS)
def test_answers_are_the_same_code_in_both_languages(name: str):
    """The English and Chinese answers run the same snippets, so both readers get checked answers."""
    path = ROOT / "lessonsrc" / name
    en = [s.source for s in mddoctest.find_snippets(prose_for(path, "en"))]
    zh = [s.source for s in mddoctest.find_snippets(prose_for(path, "zh"))]
    assert en == zh


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_have_both_languages(path: Path):
    """Each example has as many English as Chinese prose cells, and a title in each."""
    cells = prose_cells(path)
    en = [text for lang, text in cells if lang == "en"]
    zh = [text for lang, text in cells if lang == "zh"]
    assert en and len(en) == len(zh)
    assert en[0].startswith("# ") and zh[0].startswith("# ")


_CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
_ASCII_PUNCT_NEXT_TO_CJK = re.compile(rf"(?<={_CJK})[,;:?!]|[,;:?!](?={_CJK})")


def chinese_prose(text: str) -> str:
    """``text`` without code, math, links' targets and HTML tags: the prose a Chinese reader reads."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", text, flags=re.DOTALL)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<[^>]+>", "", text)


def test_punctuation_check_catches_ascii_comma():
    """The punctuation check finds an ASCII comma between Chinese words and ignores one in code."""
    assert _ASCII_PUNCT_NEXT_TO_CJK.search(chinese_prose("方差为 1000;所以"))
    assert _ASCII_PUNCT_NEXT_TO_CJK.search(chinese_prose("梯度,然后"))
    assert not _ASCII_PUNCT_NEXT_TO_CJK.search(chinese_prose("调用 `f(a, b)`，然后"))


@pytest.mark.parametrize("name", PUNCTUATION_CHECKED)
def test_chinese_prose_of_examples_uses_chinese_punctuation(name: str):
    """No ASCII comma, semicolon, colon, question or exclamation mark touches Chinese text in zh cells."""
    prose = chinese_prose("\n".join(t for lang, t in prose_cells(ROOT / "lessonsrc" / name) if lang == "zh"))
    assert _ASCII_PUNCT_NEXT_TO_CJK.findall(prose) == []


@pytest.mark.parametrize("page", sorted((ROOT / "docs" / "zh").glob("*.md")), ids=lambda p: p.name)
def test_chinese_pages_use_chinese_punctuation(page: Path):
    """Chinese pages put no ASCII comma, semicolon, colon, question or exclamation mark next to Chinese text."""
    found = [m.group(0) + repr(chinese_prose(page.read_text(encoding="utf-8"))[max(0, m.start() - 8) : m.end() + 8])
             for m in _ASCII_PUNCT_NEXT_TO_CJK.finditer(chinese_prose(page.read_text(encoding="utf-8")))]
    assert found == []


@pytest.mark.parametrize("page", LEARNER_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_site_internals_stay_off_learner_pages(page: Path):
    """How the site is built and tested is told on the About page and in CONTRIBUTING, not in the lesson."""
    text = page.read_text(encoding="utf-8")
    for internal in ("make test", "machine id", "How this site is made", "本站是怎样做成的", "机器 ID"):
        assert internal not in text, f"{internal!r} on {page.name}"


def test_about_page_exists_in_both_languages():
    """The site internals have a home: an About page in English and in Chinese."""
    assert (ROOT / "docs" / "en" / "about.md").is_file() and (ROOT / "docs" / "zh" / "about.md").is_file()


@pytest.mark.parametrize("page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pages_do_not_teach_deprecated_norm(page: Path):
    """Snippets use torch.linalg, not `Tensor.norm`, which the PyTorch docs mark deprecated."""
    for snippet in mddoctest.find_snippets(page.read_text(encoding="utf-8")):
        assert ".norm(" not in snippet.source, f"{page.name}:{snippet.lineno}"


def test_no_gpu_figures_without_a_gpu_record():
    """Pages name a GPU model only if data/timings.json holds a record measured on it."""
    records = json.loads((ROOT / "data" / "timings.json").read_text(encoding="utf-8"))
    recorded = json.dumps([m.get("gpus") for m in records["machines"]])
    # The timings page is exempt: it names cards only to look up their published peaks.
    for page in (p for p in (ROOT / "docs").rglob("*.md") if p.name != "timings.md"):
        for gpu in ("H100", "H200", "A100", "B200"):
            assert gpu in recorded or gpu not in page.read_text(encoding="utf-8"), f"{gpu} on {page}"


@pytest.mark.parametrize(("lang", "term"), [("en", "**leaf tensor"), ("zh", "**叶子张量")])
def test_leaf_tensor_is_defined_at_first_use(lang: str, term: str):
    """The autograd example, the first step of the path that needs the term, defines "leaf" in bold at its first use."""
    word = "leaf" if lang == "en" else "叶子"
    text = (ROOT / "lessonsrc" / "autograd_basics.py").read_text(encoding="utf-8")
    assert word in text, f"the autograd example never says {word}"
    assert text.find(term) == text.find(word) - 2


@pytest.mark.slow
def test_training_loop_loss_falls(tmp_path):
    """The first training loop runs on its own and prints losses that fall more than tenfold."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "lessonsrc" / "first_training_loop.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    losses = [float(v) for v in re.findall(r"^epoch +\d+ +loss ([0-9.]+)$", result.stdout, re.MULTILINE)]
    assert len(losses) >= 5 and losses[-1] < losses[0] / 10
    assert list(tmp_path.iterdir()) == []  # the state_dict went to a temporary directory, not the working one
