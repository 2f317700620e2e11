"""The jieba dictionary the Chinese sites' search uses: Simplified and Taiwan forms of every word.

Generating it converts jieba's 350,000 entries with OpenCC (about 2 s here),
so it is made once per machine, not once per checkout or per cold build: it
lives in the user's cache folder (:func:`machine_cache`), under a name that
changes with everything it is made from: jieba's and OpenCC's versions, the
glossary and the code that makes it. Old files are removed.

jieba's table of the loaded dictionary (its prefix table, 830,000 entries)
is kept beside it as a pickle (:func:`prefix_table`), which loads in 0.4 s
where jieba's own marshal cache takes 1.4 s; jieba's cache of it would
otherwise go to the system temp folder, one 15 MB file per checkout path,
never removed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from importlib import metadata
from pathlib import Path

import platformdirs

from sitelib.languages import checks, glossary, taiwan
from sitelib.languages.glossary import GLOSSARY
from sitelib.languages.checks import traditional_search_dictionary

log = logging.getLogger("mkdocs.plugins.lesson")
_MACHINE_CACHE = "LESSON_SEARCH_CACHE"  # a folder instead of the user's cache folder (tests, read-only homes)


def machine_cache(project_cache: Path) -> Path:
    """Where the dictionary is kept: ``$LESSON_SEARCH_CACHE``, else the user's cache folder, else ``project_cache``.

    The user's folder is shared by every checkout on the machine. Only the
    current key is kept there (:func:`search_dictionary` removes the others),
    so two checkouts whose dictionaries differ remake it in turn. A home that
    cannot be written falls back to the project's own cache.
    """
    chosen = os.environ.get(_MACHINE_CACHE)
    folder = Path(chosen) if chosen else platformdirs.user_cache_path("lesson01") / "search"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    if chosen:
        raise OSError(f"{_MACHINE_CACHE}={chosen}: not a folder this build can write")
    project_cache.mkdir(parents=True, exist_ok=True)
    return project_cache


def dictionary_key() -> str:
    """A short hash of what the dictionary's content depends on."""
    digest = hashlib.sha256()
    for name in ("jieba", "opencc"):
        digest.update(f"{name}={metadata.version(name)};".encode())
    digest.update(GLOSSARY.read_bytes())
    # The code that makes it: this module, the generator (checks), the conversion and the glossary matcher.
    for module in (__file__, checks.__file__, taiwan.__file__, glossary.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def jieba_cache(dictionary: Path) -> Path:
    """Where jieba would keep its own cache of ``dictionary`` (used only if jieba loads it itself).

    >>> jieba_cache(Path("search/jieba-zh-hans-hant-0123.txt")).as_posix()
    'search/jieba-zh-hans-hant-0123.jieba-cache'
    """
    return dictionary.with_suffix(".jieba-cache")


def prefix_cache(dictionary: Path) -> Path:
    """Where :func:`prefix_table` keeps the table of ``dictionary``.

    >>> prefix_cache(Path("search/jieba-zh-hans-hant-0123.txt")).as_posix()
    'search/jieba-zh-hans-hant-0123.prefix.pickle'
    """
    return dictionary.with_suffix(".prefix.pickle")


def search_dictionary(cache_dir: Path) -> Path:
    """The dictionary's path in ``cache_dir``, generated when missing; older dictionaries and their caches go."""
    path = cache_dir / f"jieba-zh-hans-hant-{dictionary_key()}.txt"
    for stale in cache_dir.glob("jieba-zh-hans-hant-*"):
        if stale not in (path, jieba_cache(path), prefix_cache(path)):
            stale.unlink(missing_ok=True)  # another checkout's build may have removed it already
    return traditional_search_dictionary(path)


def _valid_table(table: object) -> bool:
    return (isinstance(table, tuple) and len(table) == 2 and isinstance(table[0], dict)
            and isinstance(table[1], int) and table[1] > 0 and len(table[0]) > 0)


def prefix_table(dictionary: Path, tokenizer) -> tuple[dict[str, int], int]:
    """jieba's ``(FREQ, total)`` for ``dictionary``: read from its pickle, or made by ``tokenizer`` and pickled.

    An unreadable or malformed pickle is noted in the log (naming it) and made again.
    """
    from sitelib.atomic import write_bytes_atomic

    cache = prefix_cache(dictionary)
    try:
        with cache.open("rb") as handle:
            table = pickle.load(handle)
        if _valid_table(table):
            return table
        raise ValueError("not a prefix table")
    except FileNotFoundError:
        pass
    except Exception as error:  # noqa: BLE001 - unpickling damaged bytes raises many kinds of error
        log.info("Search dictionary table %s unreadable (%s): making it again", cache, f"{type(error).__name__}: {error}")
    with dictionary.open("rb") as handle:
        table = tokenizer.gen_pfdict(handle)
    write_bytes_atomic(cache, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    return table


def load_with_prefix_table(tokenizer, dictionary: Path) -> None:
    """Make ``tokenizer`` (a jieba Tokenizer set to ``dictionary``) load its table through :func:`prefix_table`.

    jieba loads lazily, at the first segmentation, through ``initialize``;
    this replaces that method on the instance, so a build that segments
    nothing loads nothing. Another dictionary goes through jieba's own loader.
    """
    own = type(tokenizer).initialize
    path = os.path.abspath(dictionary)

    def initialize(dictionary=None):
        if dictionary and os.path.abspath(dictionary) != path:
            return own(tokenizer, dictionary)
        with tokenizer.lock:
            if not tokenizer.initialized:
                tokenizer.FREQ, tokenizer.total = prefix_table(Path(path), tokenizer)
                tokenizer.initialized = True

    tokenizer.initialize = initialize
