"""Find the executed examples in ``lessonsrc/`` and everything their outputs depend on.

An *example* is a jupytext percent-format file: it has ``# %%`` cells. Any
other module is a *helper*. An example's output depends on its own bytes, the
helpers it imports (directly or through other helpers), the torch version and
the Python version; the cache key hashes all of them, so editing a helper
re-executes exactly the examples that import it.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
import sys
from importlib import metadata
from pathlib import Path

from sitelib.examples.errors import ExampleInvalid

# Bump when the execution or notebook format changes, to drop every cached output.
EXECUTOR_VERSION = "4"  # 2: a fresh kernel per example; 3: in a scratch folder; 4: figures shown inline

_CELL = re.compile(r"^# %%", re.MULTILINE)


def is_example(path: Path) -> bool:
    """True for a jupytext percent-format file (one with ``# %%`` cells)."""
    return path.suffix == ".py" and bool(_CELL.search(path.read_text(encoding="utf-8")))


def find_examples(src_dir: Path) -> list[Path]:
    """The example files in ``src_dir`` and its sub-folders, sorted by path."""
    return sorted(p for p in src_dir.rglob("*.py") if is_example(p))


def example_uri(example: Path, src_dir: Path) -> str:
    """The example's path below its lesson's examples folder, without ``.py``.

    >>> example_uri(Path("src/basics/tensors.py"), Path("src"))
    'basics/tensors'
    """
    return example.relative_to(src_dir).with_suffix("").as_posix()


def cache_name(example: Path, src_dir: Path) -> str:
    """A file-name-safe form of ``example_uri`` for cache entries.

    >>> cache_name(Path("src/basics/tensors.py"), Path("src"))
    'basics--tensors'
    """
    return example_uri(example, src_dir).replace("/", "--")


def imported_modules(source: str, package: str, path: Path = Path("<unknown>")) -> set[str]:
    """Names of the modules of ``package`` that ``source`` (the text of ``path``) imports (not transitively).

    >>> sorted(imported_modules("import os\\nfrom lessonsrc.timing import x\\nfrom lessonsrc import shapes", "lessonsrc"))
    ['lessonsrc.shapes', 'lessonsrc.timing']

    Source that is not Python is an error naming the file and line:

    >>> imported_modules("x = (1,\\n", "lessonsrc", Path("ex.py"))
    Traceback (most recent call last):
    ...
    sitelib.examples.errors.ExampleInvalid: ex.py:1: SyntaxError: '(' was never closed
        x = (1,
            ^
    """
    try:
        return set(_imported_modules(source, package, str(path)))
    except SyntaxError as error:
        raise ExampleInvalid.from_syntax_error(path, error) from None


# Every build finds each example's helpers again (the orchestrator for its cache keys, each language for its
# downloads), and under serve every edit does: parsing the lesson's examples took 40-60 ms of an edit's
# rebuild. The answer is a function of the text alone, so the parse is remembered by it (a failed parse is not).
@functools.lru_cache(maxsize=128)
def _imported_modules(source: str, package: str, filename: str) -> frozenset[str]:
    tree = ast.parse(source, filename=filename)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == package:
                found.update(f"{package}.{alias.name}" for alias in node.names)
            elif node.module.startswith(package + "."):
                found.add(node.module)
    return frozenset(found)


def _module_file(name: str, src_dir: Path) -> Path | None:
    """The file of module ``name`` (e.g. ``lessonsrc.timing``) inside ``src_dir``, if any."""
    parts = name.split(".")[1:]
    if not parts:
        return src_dir / "__init__.py"
    candidate = src_dir.joinpath(*parts)
    for path in (candidate.with_suffix(".py"), candidate / "__init__.py"):
        if path.is_file():
            return path
    return None  # `from lessonsrc import name` may import a function, not a module


def helper_files(example: Path, src_dir: Path) -> list[Path]:
    """Every helper file ``example`` depends on, following imports between helpers."""
    package = src_dir.name
    seen: set[Path] = set()
    todo = [example]
    while todo:
        current = todo.pop()
        for name in imported_modules(current.read_text(encoding="utf-8"), package, current):
            path = _module_file(name, src_dir)
            if path and path not in seen:
                seen.add(path)
                todo.append(path)
    package_init = src_dir / "__init__.py"
    if seen and package_init.is_file():
        seen.add(package_init)  # importing any submodule runs the package's __init__
    return sorted(seen)


def environment_fingerprint() -> str:
    """Versions that change outputs without changing any file of the project."""
    return f"torch={metadata.version('torch')};python={sys.version.split()[0]};executor={EXECUTOR_VERSION}"


def cache_key(example: Path, src_dir: Path, environment: str | None = None) -> str:
    """A hash of everything the executed output of ``example`` depends on."""
    digest = hashlib.sha256()
    digest.update((environment if environment is not None else environment_fingerprint()).encode())
    for path in [example, *helper_files(example, src_dir)]:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]
