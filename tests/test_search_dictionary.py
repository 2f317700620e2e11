"""The Chinese sites' search dictionary: its content, how fast it can be made, and where jieba caches it."""

from __future__ import annotations

import logging
import pickle
import re
import tempfile

import pytest

from conftest import ROOT
from sitelib.languages import search_dictionary
from sitelib.languages.checks import jieba_dictionary_text, traditional_search_dictionary
from sitelib.languages.glossary import GlossaryMatcher, Override, load_glossary
from sitelib.languages.taiwan import Converter
from sitelib.plugin.setup import use_traditional_search_dictionary


@pytest.fixture(scope="module")
def conv() -> Converter:
    return Converter()


def one_alternation(entries: tuple[Override, ...]):
    """The glossary as one regex of named groups (literals longest first, then regexes): the rule to keep."""
    literals = sorted((e for e in entries if not e.regex), key=lambda e: -len(e.source))
    ordered = literals + [e for e in entries if e.regex]
    pattern = re.compile("|".join(f"(?P<g{i}>{e.source if e.regex else re.escape(e.source)})"
                                  for i, e in enumerate(ordered)))
    return lambda text: pattern.sub(lambda m: f"<{ordered[int(m.lastgroup[1:])].target}>", text)


def test_matcher_agrees_with_one_alternation_on_the_lesson():
    """The fast matcher replaces exactly what one alternation of the glossary replaces, in every Chinese source."""
    entries = load_glossary()
    reference, matcher = one_alternation(entries), GlossaryMatcher(entries)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "zh").glob("*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "lessonsrc").glob("*.py"))]
    replaced = 0
    for text in texts:
        expected = reference(text)
        assert matcher.sub(text, lambda e: f"<{e.target}>") == expected
        replaced += expected.count("<")
    assert replaced > 50  # the lesson does use the glossary


def test_matcher_order_where_entries_overlap():
    """Leftmost match first; at one place the longest literal, then a regex; a regex's lookbehind sees earlier text."""
    entries = (Override("AB", "1", ""), Override("ABC", "2", ""), Override("(?<=x)B", "3", "", True),
               Override("BC", "4", ""), Override("(?<=y)A", "5", "", True))
    texts = ["ABCAB", "xBC", "xABC", "yABC", "AxBC", "xBxBC", "yAB", "BCxB"]
    reference, matcher = one_alternation(entries), GlossaryMatcher(entries)
    for text in texts:
        assert matcher.sub(text, lambda e: f"<{e.target}>") == reference(text), text
    assert matcher.sub("xBC", lambda e: e.target) == "x4"  # a literal at the same place beats a regex


def test_matcher_empty_regex_match_falls_back():
    """An entry that can match nothing is replaced as re.sub would replace it."""
    entries = (Override("a", "1", ""), Override("(?=b)", "2", "", True))
    assert GlossaryMatcher(entries).sub("ab", lambda e: e.target) == one_alternation(entries)("ab").replace(
        "<", "").replace(">", "")


def test_jieba_dictionary_text(conv):
    """Each dictionary word is kept and joined by its Taiwan form; equal spellings add their frequencies."""
    text = jieba_dictionary_text("张量 100 n\n内存 50 n\n記憶體 7 n\n", conv, ["張量核心"])
    rows = [line.split() for line in text.splitlines()]
    assert len(rows) == len({r[0] for r in rows})  # one line per word
    assert {r[0]: int(r[1]) for r in rows} == {"张量": 100, "張量": 100, "内存": 50, "記憶體": 57, "張量核心": 10_000}


def test_jieba_dictionary_text_sums_repeats_and_extra_words(conv):
    """A word listed twice gets one line with both frequencies; an extra word that is already one keeps its own if higher."""
    text = jieba_dictionary_text("张量 3 n\n获取 1306 v\n取得 11882 v\n张量 4 n\n默认 20000 v\n", conv, ["取得", "预设"])
    rows = {line.split()[0]: int(line.split()[1]) for line in text.splitlines()}
    assert len(text.splitlines()) == len(rows)
    assert rows["张量"] == 7 and rows["張量"] == 7
    assert rows["取得"] == 11882 + 1306  # the glossary turns 获取 into 取得: both frequencies
    assert rows["預設"] == 20000 and rows["预设"] == 10_000


@pytest.mark.slow
def test_traditional_search_dictionary_segments(tmp_path, conv):
    """The generated dictionary segments Traditional words that jieba's own dictionary splits, and Simplified ones."""
    jieba = pytest.importorskip("jieba")
    path = traditional_search_dictionary(tmp_path / "jieba-zh-hant.txt", conv)
    assert path.is_file() and traditional_search_dictionary(path, conv) == path
    tokenizer = jieba.Tokenizer(str(path))
    tokenizer.tmp_dir = str(tmp_path)
    words = tokenizer.lcut("自動微分需要張量的梯度，記憶體裡的張量")
    assert {"自動", "微分", "張量", "梯度", "記憶體"} <= set(words)
    assert "张量" in tokenizer.lcut("张量的梯度")
    default = jieba.Tokenizer()
    default.tmp_dir = str(tmp_path)
    assert "記憶體" not in default.lcut("記憶體裡的張量")  # what the dictionary is for: jieba's own splits it


def test_search_dictionary_removes_stale_files(tmp_path, monkeypatch):
    """An older dictionary and jieba's cache of it are removed when the key changes; the current ones stay."""
    made = []
    monkeypatch.setattr(search_dictionary, "traditional_search_dictionary",
                        lambda path: made.append(path) or path.write_text("张量 1 n\n") and path)
    current = tmp_path / f"jieba-zh-hans-hant-{search_dictionary.dictionary_key()}.txt"
    stale = [tmp_path / "jieba-zh-hans-hant-0000.txt", tmp_path / "jieba-zh-hans-hant-0000.jieba-cache",
             tmp_path / "jieba-zh-hans-hant-0000.prefix.pickle"]
    for path in stale + [search_dictionary.jieba_cache(current), search_dictionary.prefix_cache(current)]:
        path.write_text("old")
    assert search_dictionary.search_dictionary(tmp_path) == current and made == [current]
    assert not any(path.exists() for path in stale)
    assert search_dictionary.jieba_cache(current).read_text() == "old"
    assert search_dictionary.prefix_cache(current).read_text() == "old"


@pytest.mark.slow
def test_dictionary_and_table_in_the_machine_cache(tmp_path, monkeypatch):
    """The dictionary and jieba's table of it go to the machine's cache folder, nothing to the system temp folder;
    the table is read back from its pickle by the next process's tokenizer."""
    jieba = pytest.importorskip("jieba")
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    monkeypatch.setattr(jieba, "dt", jieba.Tokenizer())  # leave the process's tokenizer alone
    machine = tmp_path / "machine"
    monkeypatch.setenv("LESSON_SEARCH_CACHE", str(machine))
    use_traditional_search_dictionary(tmp_path / "project" / "search")
    jieba.dt.initialize()
    dictionary = next(machine.glob("jieba-zh-hans-hant-*.txt"))
    assert jieba.dt.dictionary == str(dictionary)
    table = search_dictionary.prefix_cache(dictionary)
    assert table.stat().st_size > 1_000_000
    assert list(system_temp.iterdir()) == [] and not (tmp_path / "project").exists()
    assert "張量" in jieba.dt.lcut("需要張量的梯度")
    # A new tokenizer (the next build's process) loads the pickle, not jieba's dictionary text.
    fresh = jieba.Tokenizer(str(dictionary))
    search_dictionary.load_with_prefix_table(fresh, dictionary)
    monkeypatch.setattr(fresh, "gen_pfdict", lambda f: pytest.fail("the table was made again"))
    fresh.initialize()
    assert fresh.total == jieba.dt.total and fresh.FREQ == jieba.dt.FREQ


def test_damaged_prefix_table_is_made_again(tmp_path, caplog):
    """A cut or foreign pickle is named in the log and replaced by a table made from the dictionary."""
    jieba = pytest.importorskip("jieba")
    dictionary = tmp_path / "jieba-zh-hans-hant-0.txt"
    dictionary.write_text("张量 3 n\n張量 3 n\n", encoding="utf-8")
    tokenizer = jieba.Tokenizer(str(dictionary))
    for damage in (b"\x80\x05cut", pickle.dumps(["not", "a", "table"])):
        search_dictionary.prefix_cache(dictionary).write_bytes(damage)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
            freq, total = search_dictionary.prefix_table(dictionary, tokenizer)
        assert total == 6 and freq["張量"] == 3 and freq["张"] == 0  # jieba's table: words and their prefixes
        assert "unreadable" in caplog.text and search_dictionary.prefix_cache(dictionary).name in caplog.text
        assert pickle.loads(search_dictionary.prefix_cache(dictionary).read_bytes()) == (freq, total)


def test_machine_cache_choice(tmp_path, monkeypatch):
    """$LESSON_SEARCH_CACHE wins; an unwritable user folder falls back to the project's cache; a bad setting is an error."""
    monkeypatch.setenv("LESSON_SEARCH_CACHE", str(tmp_path / "chosen"))
    assert search_dictionary.machine_cache(tmp_path / "project") == tmp_path / "chosen"
    monkeypatch.delenv("LESSON_SEARCH_CACHE")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(search_dictionary.platformdirs, "user_cache_path", lambda name: blocked / name)
    assert search_dictionary.machine_cache(tmp_path / "project") == tmp_path / "project"
    monkeypatch.setenv("LESSON_SEARCH_CACHE", str(blocked / "below-a-file"))
    with pytest.raises(OSError, match="LESSON_SEARCH_CACHE=.*not a folder this build can write"):
        search_dictionary.machine_cache(tmp_path / "project")
