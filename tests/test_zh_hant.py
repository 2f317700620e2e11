"""Traditional Chinese (Taiwan) generation: conversion, glossary, checker and search dictionary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from sitelib.languages.glossary import load_glossary
from sitelib.languages.taiwan import Converter, convert_markdown, convert_notebook, convert_text, protected_spans
from sitelib.languages.checks import Checker, _opencc_data_dir, _traditional_forms, find_simplified

SEED = ROOT.parent / "shared" / "seed" / "lesson01-pytorch-first-look.zh-Hant.txt"  # beside the checkout, as in CI
ZH_PAGES = sorted((ROOT / "docs" / "zh").glob("*.md"))


@pytest.fixture(scope="module")
def conv() -> Converter:
    return Converter()


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def zh_prose_cells(path: Path) -> list[str]:
    """The Markdown of each ``# %% [markdown] lang="zh"`` cell of a jupytext percent file."""
    cells, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if current is not None:
                cells.append("\n".join(current))
            current = [] if 'lang="zh"' in line else None
        elif current is not None:
            current.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    if current is not None:
        cells.append("\n".join(current))
    return cells


# --- convert_text and the glossary


def test_terms_of_art(conv):
    """s2twp plus the glossary gives the Taiwan ML vocabulary, including where s2twp alone is wrong."""
    cases = {
        "张量": "張量", "自动求导": "自動求導", "线程": "執行緒", "内存": "記憶體", "默认": "預設",
        "代码": "程式碼", "数据集": "資料集", "文档": "文件", "调试": "除錯", "软件": "軟體",
        "参数量": "參數量", "激活函数": "激勵函數", "算子": "運算子", "优化器": "優化器",
        "进程": "行程", "脚本": "腳本", "显存": "顯示記憶體", "批大小": "批次大小",
    }
    assert {s: conv.text(s) for s in cases} == cases


def test_names_unchanged(conv):
    """Latin-script product and company names pass through, as do Taiwan names of places."""
    text = "PyTorch 与 TensorFlow、NVIDIA、Meta、Hugging Face；伯克利和蒙特利尔"
    assert conv.text(text) == "PyTorch 與 TensorFlow、NVIDIA、Meta、Hugging Face；柏克萊和蒙特婁"


def test_quote_of_original_post_reads_as_written(conv):
    """The page quotes the original (Traditional) post; the converted quote is the post's wording."""
    page = (ROOT / "docs" / "zh" / "06-code-walkthrough.md").read_text(encoding="utf-8")
    quote = "为了防止编译器优化掉无输出的运算"
    assert quote in page
    converted = conv.text(quote)
    assert converted == "為了防止編譯器優化掉無輸出的運算"
    if SEED.exists():
        assert converted in SEED.read_text(encoding="utf-8")


def test_override_beats_context(conv):
    """An override applies whatever OpenCC would segment around it (s2twp keeps 打印 after 只)."""
    assert conv.text("只打印形状，打印出来") == "只印出形狀，印出來"


def test_longest_literal_wins(conv):
    """构建模型 is a model (建構), 构建网站 a software build (建置)."""
    assert conv.text("构建模型，构建网站") == "建構模型，建置網站"


def test_package_and_library_regexes(conv):
    """包 becomes 套件 only as a package, 库 becomes 函式庫 except in 仓库/数据库/模型库."""
    assert conv.text("`torch` 包是独立的包，`time.time()` 包住它，包括") == \
        "`torch` 套件是獨立的套件，`time.time()` 包住它，包括"
    assert conv.text("数组库、仓库、数据库、模型库") == "陣列函式庫、儲存庫、資料庫、模型庫"


def test_glossary_entries_are_sound(conv, checker):
    """Every entry has a reason and a clean Taiwan target, and no literal entry is redundant: without it, its own source converts differently."""
    entries = load_glossary()
    assert 10 <= len(entries) <= 120
    for e in entries:
        # A regex entry may keep its text as it is: it exists to keep OpenCC away from it (只 -> 隻).
        assert e.reason.strip() and (e.regex or e.target != e.source), e
        assert checker.find(e.target, markdown=False) == [], e
        if not e.regex:
            assert conv.text(e.source) == e.target, e
            without = conv.with_overrides(tuple(o for o in entries if o is not e))
            assert without.text(e.source) != e.target, f"redundant: {e}"


def test_placeholder_characters_rejected(conv):
    """Text that already holds the converter's placeholder code points is refused, not corrupted."""
    with pytest.raises(ValueError):
        conv.text("参数\U000F0000")


def test_module_functions_without_converter():
    """The module-level functions work without a Converter (each call loads OpenCC)."""
    assert convert_text("默认") == "預設"
    assert convert_markdown("`默认` 默认") == "`默认` 預設"


# --- convert_markdown

MD = '''---
description: 默认参数
title_zh: 数据
---

# 打印张量

见[文档](docs/文档.md "文档")和 ![图像](img/图像.png)，又见 <https://例子.com/文档>。

<span title="文档">文档</span> <!-- timings:table --> $\\text{数据}$ 与 $$\\text{内存}$$

```python
print("默认")  # 内存
```

!!! note "默认设置"

    ~~~pycon
    >>> print("内存")
    内存
    ~~~

    `内存` 与内存

??? success "答案"

    ```pycon
    >>> "数据"
    '数据'

    ```
'''


def test_markdown_keeps_code(conv):
    """Fences (``` and ~~~, indented), inline code, URLs, HTML, comments, math and front-matter keys are kept."""
    out = conv.markdown(MD)
    for kept in ['print("默认")  # ', '    >>> print("内存")\n    内存', "`内存`", "](docs/文档.md",
                 "(img/图像.png)", "<https://例子.com/文档>", '<span title="文档">', "<!-- timings:table -->",
                 "$\\text{数据}$", "$$\\text{内存}$$", ">>> \"数据\"\n    '数据'", "title_zh:"]:
        assert kept in out, kept


def test_code_comments_are_prose(conv):
    """A Chinese ``#`` comment in a Python or shell block is converted; code, strings and pycon blocks are not."""
    md = '```python\nprint("默认")  # 内存\ns = "a # 默认"\n```\n\n```bash\nmake  # 打印\n```\n\n```pycon\n>>> 1  # 默认\n1\n```\n'
    assert conv.markdown(md) == md.replace("# 内存", "# 記憶體").replace("# 打印", "# 印出")


def test_curly_quotes_become_corner_brackets(conv):
    """“” and ‘’ become 「」 and 『』 in prose; code keeps its quotes and apostrophes stay."""
    assert conv.markdown("称为“边运行边定义”（‘动态’）的 PyTorch’s `print(“x”)`") == \
        "稱為「邊執行邊定義」（『動態』）的 PyTorch’s `print(“x”)`"


def test_markdown_converts_prose(conv):
    """Headings, link and image text, HTML element text, front-matter values and admonition titles are converted."""
    out = conv.markdown(MD)
    for converted in ["description: 預設參數", "title_zh: 資料", "# 印出張量", "[文件](", "![影像](",
                      ">文件</span>", '!!! note "預設設定"', '??? success "答案"', "與記憶體"]:
        assert converted in out, converted
    assert out.count("\n") == MD.count("\n")


def test_link_fragment_follows_heading(conv):
    """A Chinese #fragment is converted like the heading it points to; the path is not."""
    assert conv.markdown("[见](页面/a.md#第三步梯度会累加)") == "[見](页面/a.md#第三步梯度會累加)"


def test_unclosed_fence_is_code(conv):
    """An unclosed fence runs to the end of the page, as in CommonMark."""
    assert conv.markdown("默认\n```\n默认\n") == "預設\n```\n默认\n"


def test_protected_spans_disjoint():
    """The spans are sorted and never overlap, on every Chinese page."""
    for page in ZH_PAGES:
        spans = protected_spans(page.read_text(encoding="utf-8"))
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), page.name


# --- convert_notebook


def test_notebook(conv):
    """Markdown cells are converted; code cells and outputs stay; the input is not mutated."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 打印\n", "`默认` 默认"]},
        {"cell_type": "markdown", "metadata": {}, "source": "内存"},
        {"cell_type": "code", "metadata": {}, "source": "print('默认')", "execution_count": 1,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "默认\n"}]},
    ]}
    before = repr(nb)
    out = convert_notebook(nb, conv)
    assert repr(nb) == before
    assert out["cells"][0]["source"] == ["# 印出\n", "`默认` 預設"]
    assert out["cells"][1]["source"] == "記憶體"
    assert out["cells"][2] == nb["cells"][2]


def test_nav_titles(conv):
    """Nav titles are converted as the plugin does it (translate_nav with converted titles), page paths are kept."""
    from sitelib.languages.language import translate_nav

    nav = [{"首页": "index.md"}, {"示例": [{"自动求导": "examples/自动.ipynb"}]}]
    titles = {title: conv.text(title) for title in ("首页", "示例", "自动求导")}
    assert translate_nav(nav, titles, "zh-hant") == [{"首頁": "index.md"}, {"範例": [{"自動求導": "examples/自动.ipynb"}]}]


# --- find_simplified


def test_shared_characters_not_simplified(checker):
    """后 里 干 台 于 余 are also Traditional; 发 们 这 为 着 are Simplified only."""
    assert not set("后里干台于余面只") & checker.simplified
    assert set("发们这为着么") <= checker.simplified


def test_traditional_forms_read_from_opencc():
    """The STCharacters value table holds 後 and 后 (for 后) but not 发."""
    forms = _traditional_forms(_opencc_data_dir() / "STCharacters.ocd2")
    assert {"後", "后", "發", "髮", "裏"} <= forms and "发" not in forms


def test_converted_pages_are_clean(conv, checker):
    """Every converted docs/zh page has no Simplified-only character or mainland term outside code."""
    assert ZH_PAGES
    problems = {p.name: [str(f) for f in checker.find(conv.markdown(p.read_text(encoding="utf-8")))]
                for p in ZH_PAGES}
    assert problems == {p.name: [] for p in ZH_PAGES}


def test_converted_prose_cells_are_clean(conv, checker):
    """Every Chinese prose cell of lessonsrc/*.py converts to clean Taiwan text."""
    cells = [c for p in sorted((ROOT / "lessonsrc").glob("*.py")) for c in zh_prose_cells(p)]
    assert cells
    assert [str(f) for c in cells for f in checker.find(conv.markdown(c))] == []


def test_ui_strings_are_clean(conv, checker):
    """The Chinese UI strings of the timing and example pages and of the MkDocs configuration convert cleanly."""
    sources = [ROOT / "sitelib" / "timings" / "render.py", ROOT / "sitelib" / "examples" / "page_html.py",
               *sorted(ROOT.glob("mkdocs*.yml"))]
    strings = [s for p in sources for s in re.findall(r"[^\"'\n]*[\u4e00-\u9fff][^\"'\n]*", p.read_text("utf-8"))]
    assert len(strings) >= 10
    assert [str(f) for s in strings for f in checker.find(conv.text(s), markdown=False)] == []


def test_planted_violations_found(conv, checker):
    """A mainland term and a Simplified character inserted into a converted page are reported at their line."""
    page = conv.markdown((ROOT / "docs" / "zh" / "01-meet-pytorch.md").read_text(encoding="utf-8")).splitlines()
    page.insert(9, "這個設定是默認的。")
    page.insert(20, "它们佔用內存。")
    found = checker.find("\n".join(page))
    assert [(f.line, f.column, f.term, f.kind) for f in found] == [
        (10, 6, "默認", "mainland-term"), (21, 2, "们", "simplified-char"), (21, 5, "內存", "mainland-term")]
    assert found[1].suggestion == "們"


def test_code_not_flagged(checker):
    """Simplified text in fenced blocks, doctests and inline code is not reported; the same text in prose is."""
    md = '```python\nprint("这个默认")\n```\n\n    ```pycon\n    >>> "内存"\n    ```\n\n`这` 和 这\n'
    assert [(f.line, f.term) for f in checker.find(md)] == [(9, "这")]
    assert find_simplified("这", markdown=False, checker=checker)[0].term == "这"


def test_exception_words(checker):
    """控制代碼 (s2twp's word for a handle) is not the mainland 代碼."""
    assert [f.column for f in checker.find("cuBLAS 控制代碼、代碼")] == [13]


# --- Material language facts the configuration relies on


def test_material_language_partials():
    """Material's zh-TW partial says lang="zh-TW" with Taiwan UI words; zh says "zh"; zh-Hant uses mainland words."""
    material = pytest.importorskip("material")
    langs = Path(material.__file__).parent / "templates" / "partials" / "languages"
    read = {n: (langs / f"{n}.html").read_text(encoding="utf-8") for n in ("zh", "zh-TW", "zh-Hant")}
    for name, text in read.items():
        assert f'"language": "{name}"' in text
    assert '"clipboard.copy": "複製"' in read["zh-TW"] and '"clipboard.copy": "拷貝"' in read["zh-Hant"]


# --- Taiwan wording the reviewer asked for, and the s2twp artefacts


def test_mainland_terms_become_taiwan_terms(conv):
    """The mainland terms a Taiwan reviewer flagged read as Taiwan writes them."""
    cases = {
        "面向移动端": "面向行動裝置", "服务端": "伺服器端", "PyTorch 的端侧运行时是": "PyTorch 的裝置端執行環境是",
        "浏览器运行时": "瀏覽器執行環境", "在报错之前": "在出錯之前", "这个单元格": "這個儲存格",
        "`nn.Module` 的子类": "`nn.Module` 的子類別", "重新构造同一个类": "重新構造同一個類別",
        "获取安装命令": "取得安裝命令", "一个用 `tanh` 激活的隐藏层": "一個用 `tanh` 作為激勵函數的隱藏層",
        "这差不多只是内核": "這差不多只是核心", "最多只需几秒钟": "最多只需幾秒鐘",
        "装的是只支持 CPU 的": "裝的是只支援 CPU 的", "只字未提": "隻字未提", "从不复制": "從不複製",
    }
    assert {s: conv.markdown(s) for s in cases} == cases


def test_runtime_as_time_stays(conv):
    """执行时/运行时 meaning 'at run time' keeps 執行時; only the noun 'a runtime' becomes 執行環境."""
    assert conv.text("应在运行时选择设备") == "應在執行時選擇裝置"


def test_python_download_converted(conv):
    """A percent-format source: prose cells and Chinese code comments converted, code and pycon snippets kept."""
    source = ('# %% [markdown] lang="zh"\n# 打印 `默认`\n#\n# ```pycon\n# >>> "默认"\n# \'默认\'\n# ```\n'
              '# %%\nx = "默认"  # 内存\n')
    assert conv.python(source) == source.replace("# 打印", "# 印出").replace("# 内存", "# 記憶體")


# --- Glossary errors name the file and the entry


def test_invalid_glossary_toml_names_file_and_line(tmp_path):
    """Invalid TOML gives a GlossaryError naming the file and the line, not a raw traceback."""
    from sitelib.languages.glossary import GlossaryError

    bad = tmp_path / "glossary.toml"
    bad.write_text('[[override]]\nfrom = "参数"\nto = 參數\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"glossary\.toml: invalid TOML: .*line 3"):
        load_glossary(bad)
    with pytest.raises(GlossaryError, match="glossary.toml"):
        Checker(bad)


def test_glossary_entry_without_reason_named(tmp_path):
    """An entry without `reason` (or with an empty `to`, or a bad regex) is named by number and source."""
    from sitelib.languages.glossary import GlossaryError

    path = tmp_path / "g.toml"
    path.write_text('[[override]]\nfrom = "甲"\nto = "乙"\nreason = "r"\n\n[[override]]\nfrom = "参数"\nto = "參數"\n',
                    encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"g\.toml: \[\[override\]\] entry 2 \(from = '参数'\): missing 'reason'"):
        load_glossary(path)
    path.write_text('[[override]]\nfrom = "("\nregex = true\nto = "x"\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match="entry 1 .*invalid regex"):
        load_glossary(path)
    path.write_text('[[mainland_term]]\nterm = "默認"\n', encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"\[\[mainland_term\]\] entry 1 \(term = '默認'\): missing 'taiwan'"):
        Checker(path)


def test_unknown_conversion_and_bad_glossary_refused_before_building(tmp_path):
    """check_conversion names the language for an unknown conversion and for a broken glossary."""
    from sitelib.languages.conversion import ConversionError, check_conversion

    with pytest.raises(ConversionError, match="languages: 'zh-hk': unknown conversion 's2hk'"):
        check_conversion("s2hk", "languages: 'zh-hk'")
    bad = tmp_path / "g.toml"
    bad.write_text("[[override]\n", encoding="utf-8")
    with pytest.raises(ConversionError, match=r"languages: 'zh-hant': .*g\.toml: invalid TOML"):
        check_conversion("s2twp", "languages: 'zh-hant'", bad)


# --- Rows and columns


def test_sources_never_count_matrix_rows_or_columns():
    """No docs/zh page or zh prose cell uses 行/列 for a matrix's or table's rows or columns (s2twp cannot swap them)."""
    from sitelib.languages.checks import matrix_rows_columns

    found = [f"{p.name}:{line}: {s}" for p in ZH_PAGES for line, s in matrix_rows_columns(p.read_text("utf-8"))]
    found += [f"{p.name}: {s}" for p in sorted((ROOT / "lessonsrc").glob("*.py"))
              for c in zh_prose_cells(p) for _, s in matrix_rows_columns(c)]
    assert found == []


def test_row_column_check_finds_the_reviewed_sentences():
    """The sentences the Taiwan reviewer found inverted are reported; lines of code (最后一行) are not."""
    from sitelib.languages.checks import matrix_rows_columns

    flagged = ["创建一个 2 行 3 列、元素全为 1 的张量。", "每行一个样本，每列一个特征。",
               "它返回权重矩阵 $W$ 的第 $i$ 行。", "请比较 CPU 各行的“首次调用”和“中位数”两列。",
               "形状为 $(N, L, L)$，每一行的和为 1。", "先取出最后一列。"]
    kept = ["最后一行一次把 4 个样本组成的批次送进这一层。", "本站的示例恢复了每行一条语句：",
            "在 CUDA 机器上，这两行都会输出 `'cuda'`。", "`x[0]` 是第 0 行", "创建一个 2×3 的张量。"]
    assert [bool(matrix_rows_columns(s)) for s in flagged] == [True] * len(flagged)
    assert [bool(matrix_rows_columns(s)) for s in kept] == [False] * len(kept)
