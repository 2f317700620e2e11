"""The jieba dictionary the Chinese sites' search uses: Simplified and Taiwan forms of every word.

Generating it converts jieba's 350,000 entries with OpenCC (about 2 s here),
so it is cached under a name that changes with everything it is made from:
jieba's and OpenCC's versions, the glossary and the code that makes it. Old files are removed.
jieba's own cache of the loaded dictionary (its prefix table, 15 MB) lives
next to it, not in the system temp folder where jieba puts it by default
(one file per checkout path, never removed): :func:`jieba_cache` names it.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from sitelib.languages import checks, glossary, taiwan
from sitelib.languages.glossary import GLOSSARY
from sitelib.languages.checks import traditional_search_dictionary


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
    """Where jieba keeps its prefix table of ``dictionary``: beside it, named after it.

    >>> jieba_cache(Path("search/jieba-zh-hans-hant-0123.txt")).as_posix()
    'search/jieba-zh-hans-hant-0123.jieba-cache'
    """
    return dictionary.with_suffix(".jieba-cache")


def search_dictionary(cache_dir: Path) -> Path:
    """The dictionary's path in ``cache_dir``, generated when missing; older dictionaries and their jieba caches go."""
    path = cache_dir / f"jieba-zh-hans-hant-{dictionary_key()}.txt"
    for stale in [*cache_dir.glob("jieba-zh-hans-hant-*.txt"), *cache_dir.glob("jieba-zh-hans-hant-*.jieba-cache")]:
        if stale not in (path, jieba_cache(path)):
            stale.unlink()
    return traditional_search_dictionary(path)
