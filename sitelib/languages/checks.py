"""Checks and search data for the generated Traditional Chinese (Taiwan) pages.

:func:`find_simplified` reports, outside code, characters that exist only in
Simplified Chinese and mainland terms written in Traditional characters.
:func:`traditional_search_dictionary` writes a jieba dictionary for the
search index of Traditional pages.

Which characters are "Simplified only"? A character ``c`` qualifies when
OpenCC's ``s2tw`` changes it on its own (``s2tw(c) != c``) *and* ``c`` is not
itself one of the Traditional forms OpenCC knows, i.e. it appears in no value
list of OpenCC's ``STCharacters`` dictionary. The second test is what keeps
shared characters out: s2tw turns 后 into 後, 里 into 裡, 干 into 幹 and 台 into
臺, yet STCharacters lists ``后 -> 後 后``, ``里 -> 裏 里 哩``, ``干 -> 幹 乾 干 榦``
and ``台 -> 臺 檯 颱 台``, so they are valid Traditional (皇后, 公里, 干擾, 台灣 by
common usage) and not reported, whereas 发 (``發 髮``) or 们 (``們``) are. A t2s
round trip cannot tell these apart (t2s leaves both 后 and 发 alone); the
candidate lists can. The python package exposes only the first candidate, so
:func:`_traditional_forms` reads the value table of the installed
``STCharacters.ocd2`` directly (its layout is fixed by the
``OPENCC_MARISA_0.2.5`` header, which the function checks).
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sitelib.languages.glossary import GLOSSARY, glossary_entries, read_glossary
from sitelib.languages.taiwan import Converter, protected_spans

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x2EBEF))


@dataclass(frozen=True)
class Finding:
    """A problem at ``line`` and ``column`` (both 1-based) of the checked text."""

    line: int
    column: int
    term: str
    kind: str  # "simplified-char" or "mainland-term"
    suggestion: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.kind} {self.term!r} (Taiwan: {self.suggestion})"


def _opencc_data_dir() -> Path:
    import opencc

    return Path(opencc.__file__).parent / "clib" / "share" / "opencc"


def _traditional_forms(ocd2: Path) -> frozenset[str]:
    """Every character in the value lists of an OpenCC ``.ocd2`` dictionary.

    The file is a marisa trie of keys followed by the values: a uint32 item
    count, a uint32 byte length, that many bytes of NUL-terminated UTF-8
    values, then per item a uint16 value count and one uint16 length per value.
    The section is found by the one offset whose counts consume the file exactly.
    """
    data = ocd2.read_bytes()
    if not data.startswith(b"OPENCC_MARISA_0.2.5"):
        raise ValueError(f"{ocd2}: unknown OpenCC dictionary format")
    size = len(data)
    for pos in range(len(b"OPENCC_MARISA_0.2.5"), size - 8):
        items, length = struct.unpack_from("<II", data, pos)
        if not 0 < items <= length or pos + 8 + length > size:
            continue
        cursor, total = pos + 8 + length, 0
        for _ in range(items):
            if cursor + 2 > size:
                break
            (count,) = struct.unpack_from("<H", data, cursor)
            if count == 0 or cursor + 2 + 2 * count > size:
                break
            total += sum(struct.unpack_from(f"<{count}H", data, cursor + 2))
            cursor += 2 + 2 * count
        else:
            if cursor == size and total == length:
                values = data[pos + 8:pos + 8 + length].decode("utf-8")
                return frozenset(values.replace("\0", ""))
    raise ValueError(f"{ocd2}: value table not found")


def simplified_only_characters() -> frozenset[str]:
    """Characters that ``s2tw`` changes and that are no Traditional form (about 3,800)."""
    import opencc

    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    converted = opencc.OpenCC("s2tw").convert("\n".join(chars)).split("\n")
    traditional = _traditional_forms(_opencc_data_dir() / "STCharacters.ocd2")
    return frozenset(c for c, t in zip(chars, converted) if t != c and c not in traditional)


class Checker:
    """Holds the character set and the term list; build once per site build (~0.2 s)."""

    def __init__(self, glossary: Path = GLOSSARY) -> None:
        import opencc

        self.simplified = simplified_only_characters()
        self._s2tw = opencc.OpenCC("s2tw")
        terms = glossary_entries(read_glossary(glossary), "mainland_term", ("term", "taiwan"), glossary)
        self.terms = {e["term"]: e["taiwan"] for e in terms}
        self.exceptions = {e["term"]: tuple(e.get("except", ())) for e in terms}

    def find(self, text: str, *, markdown: bool = True) -> list[Finding]:
        """Findings in ``text``; with ``markdown`` the spans of :func:`protected_spans` are skipped."""
        masked = list(text)
        for start, end in protected_spans(text) if markdown else []:
            masked[start:end] = (" " if ch != "\n" else ch for ch in text[start:end])
        prose = "".join(masked)
        found: list[tuple[int, str, str, str]] = []
        for term, taiwan in self.terms.items():
            at = prose.find(term)
            while at != -1:
                if not any(prose.startswith(word, at - word.index(term))
                           for word in self.exceptions[term] if word.index(term) <= at):
                    found.append((at, term, "mainland-term", taiwan))
                at = prose.find(term, at + 1)
        for at, ch in enumerate(prose):
            if ch in self.simplified:
                found.append((at, ch, "simplified-char", self._s2tw.convert(ch)))
        result = []
        for at, term, kind, hint in sorted(found):
            line = prose.count("\n", 0, at) + 1
            column = at - (prose.rfind("\n", 0, at) + 1) + 1
            result.append(Finding(line, column, term, kind, hint))
        return result


def find_simplified(text: str, *, markdown: bool = True, checker: Checker | None = None) -> list[Finding]:
    """Simplified-only characters and mainland terms in the prose of ``text``."""
    return (checker or Checker()).find(text, markdown=markdown)


def jieba_dictionary_text(dict_txt: str, converter: Converter, extra_words=()) -> str:
    """jieba ``word freq tag`` lines: every entry of ``dict_txt`` plus its Taiwan form.

    Both spellings are kept: jieba is one tokenizer per process, so the same
    dictionary must also segment Simplified pages built in that process.
    A Taiwan form that is already a word, or that several words share, gets
    the sum of their frequencies. ``extra_words`` (e.g. glossary targets)
    get at least the frequency jieba needs to keep them whole.

    Whole lines go through one conversion (the frequency and tag are not
    Chinese: they come back as they were), and only the lines it changed are
    parsed: about 0.6 s for jieba's 349,000 entries, where converting and
    parsing every word took 6 s.
    """
    source = dict_txt.splitlines()
    taiwan = converter.text("\n".join(source)).split("\n")
    if len(taiwan) != len(source):
        raise ValueError("the conversion changed the number of dictionary lines")
    words = [line.partition(" ")[0] for line in source]
    known = set(words)
    added: dict[str, list] = {}  # word -> [frequency, tag] of each Taiwan form
    for converted in [c for line, c in zip(source, taiwan) if line != c]:
        word, freq, *tag = converted.split(" ")
        entry = added.setdefault(word, [0, tag[0] if tag else "n"])
        entry[0] += int(freq)
    # The words of the source whose line is written anew: listed twice, a Taiwan form too, or an extra word.
    rewritten = {w for w in added if w in known} | {w for w in extra_words if w in known}
    if len(known) < len(words):
        rewritten |= {w for w, n in Counter(words).items() if n > 1}
    totals: dict[str, list] = {w: [0, ""] for w in rewritten}
    for line, word in zip(source, words) if rewritten else ():
        if word in totals:
            _, freq, *tag = line.split(" ")
            totals[word][0] += int(freq)
            totals[word][1] = totals[word][1] or (tag[0] if tag else "n")
    for word, total in totals.items():
        total[0] += added.pop(word, [0])[0]
    totals.update(added)
    for word in extra_words:
        entry = totals.setdefault(word, [0, "n"])
        entry[0] = max(entry[0], 10_000)
    kept = [line for line, word in zip(source, words) if word not in rewritten and line.strip()]
    return "\n".join(kept + [f"{w} {f} {t}" for w, (f, t) in totals.items()]) + "\n"


def traditional_search_dictionary(cache: Path, converter: Converter | None = None) -> Path:
    """Write (if missing) a jieba dictionary for Simplified + Taiwan text at ``cache``; return its path.

    Point the search plugin's ``jieba_dict`` at the result. The file is keyed
    by the caller (include the jieba, OpenCC and glossary versions in its
    name); it is written atomically, so concurrent builds never read half.
    """
    import jieba

    from sitelib.atomic import write_text_atomic

    cache = Path(cache)
    if cache.is_file():
        return cache
    converter = converter or Converter()
    source = (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8")
    extra = [o.target for o in converter.overrides if " " not in o.target]
    write_text_atomic(cache, jieba_dictionary_text(source, converter, extra))
    return cache


# --- Rows and columns: mainland 行 = row, 列 = column; Taiwan 列 = row, 行 = column. No
# conversion can swap them safely, so the Simplified sources must not use them for a
# matrix or a table: they write shapes instead (形状为 (2, 3), 2×3, 第 0 维).

_COUNTED = re.compile(r"(?:[0-9一二两三四五六七八九十几多各每该此这那某]|第\s*\S{0,6}?\s*|\$[^$]{1,12}\$\s*)\s*[行列](?![为业程动走星政李])"
                      r"|[行列]向量|按[行列]|每一[行列]|[行列]数(?!据)|[行列]和[行列]")
_MATRIX_WORDS = re.compile(r"矩阵(?!乘法)|张量|表|权重|元素|形状|维")
_SENTENCE = re.compile(r"[^。！？；\n|]+")


def matrix_rows_columns(text: str) -> list[tuple[int, str]]:
    """(line, sentence) of each sentence that counts rows or columns of a matrix or table with 行/列.

    A sentence is reported when it names rows/columns (2 行, 第 $i$ 行, 每一列, 行向量...) and
    also speaks of a matrix, tensor, table, its elements, shape or dimensions, or counts
    columns (列, which prose about code never counts): lines of code (最后一行, 每行一条语句) are not matrix rows. Code is skipped.

    >>> matrix_rows_columns("创建一个 2 行 3 列的张量。\\n最后一行一次把 4 个样本送进这一层。\\n`a[0]` 取第 0 行。")
    [(1, '创建一个 2 行 3 列的张量')]
    >>> matrix_rows_columns("每行一个样本，每列一个特征。")
    [(1, '每行一个样本，每列一个特征')]
    """
    masked = list(text)
    for start, end in protected_spans(text):
        masked[start:end] = (" " if ch != "\n" else ch for ch in text[start:end])
    prose = "".join(masked)
    found = []
    for m in _SENTENCE.finditer(prose):
        sentence = m.group()
        counted = [c.group() for c in _COUNTED.finditer(sentence)]
        if counted and (_MATRIX_WORDS.search(sentence) or any("列" in c for c in counted)):
            found.append((prose.count("\n", 0, m.start()) + 1, sentence.strip()))
    return found
