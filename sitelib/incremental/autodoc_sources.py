"""The Python files a ``:::`` block's rendering reads: what an API page's cache entry is keyed by.

mkdocstrings' Python handler (griffe, static analysis) renders ``::: pkg.mod``
from ``pkg/mod.py`` (or all of ``pkg/mod/`` for a package), the ``__init__.py``
of each package above it, and whatever those import from the same top-level
package (a base class, a re-exported function). The key is those files, found
under the handler's ``paths``, followed through their imports; every other
file of the package is left out. So an edited example in ``lessonsrc/`` no
longer renders the API page of ``lessonsrc.timing`` again (0.1-0.2 s of each
language's build): the examples are modules of that package, but
``timing.py`` imports none of them.
"""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

_IDENTIFIER = re.compile(r"^\s*:::\s*([\w.]+)", re.M)


def autodoc_sources(markdown: str, search_paths: list[Path]) -> str | None:
    """A hash of the Python files the ``:::`` blocks of ``markdown`` are rendered from (see the module's
    docstring), found under ``search_paths``; None if a documented package is not found there.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); (folder / "pkg").mkdir(); (folder / "pkg" / "m.py").write_text("x = 1")
    5
    >>> first = autodoc_sources("::: pkg.m", [folder])
    >>> (folder / "pkg" / "m.py").write_text("x = 2") and first == autodoc_sources("::: pkg.m", [folder])
    False
    >>> autodoc_sources("::: torch.nn", [folder]) is None
    True
    """
    files: set[Path] = set()
    for identifier in sorted(set(_IDENTIFIER.findall(markdown))):
        found = _rendered_from(identifier, search_paths)
        if found is None:
            return None
        files |= found
    digest = hashlib.sha256()
    for path in sorted(files):
        base = next(base for base in search_paths if path.is_relative_to(base))  # the key moves with the checkout
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _rendered_from(identifier: str, search_paths: list[Path]) -> set[Path] | None:
    parts = identifier.split(".")
    for base in search_paths:
        if (base / parts[0]).is_dir() or (base / f"{parts[0]}.py").is_file():
            return _with_imports(_files_of(base, parts), base, parts[0])
    return None


def _files_of(base: Path, parts: list[str]) -> set[Path]:
    """The files of the longest prefix of ``parts`` that is a module or a package (``pkg.mod.func`` is a
    function of pkg/mod.py, ``from pkg.mod import name`` a name in it), and the ``__init__.py`` of each
    package above it, which runs first."""
    files: set[Path] = set()
    for length in range(len(parts), 0, -1):
        folder = base.joinpath(*parts[:length])
        module = folder.with_name(f"{parts[length - 1]}.py")
        if folder.is_dir():
            files = set(folder.rglob("*.py"))
            break
        if module.is_file():
            files = {module}
            break
    for length in range(1, len(parts)):
        init = base.joinpath(*parts[:length], "__init__.py")
        if init.is_file():
            files.add(init)
    return files


def _with_imports(files: set[Path], base: Path, top: str) -> set[Path]:
    """``files`` and every file of package ``top`` they import, directly or through each other."""
    seen: set[Path] = set()
    waiting = list(files)
    while waiting:
        path = waiting.pop()
        if path not in seen:
            seen.add(path)
            waiting += [found for parts in _imported(path, base) if parts and parts[0] == top
                        for found in _files_of(base, parts)]
    return seen


def _imported(path: Path, base: Path) -> list[list[str]]:
    """The dotted names ``path`` imports (``from a import b`` gives ``a.b``), relative ones made absolute.

    A file that does not parse is keyed as it is: griffe reports it.
    """
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return []
    package = list(path.relative_to(base).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package[:-1]
    names: list[list[str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            start = package[:len(package) - node.level + 1] if node.level else []
            module = start + (node.module.split(".") if node.module else [])
            names += [module if alias.name == "*" else module + [alias.name] for alias in node.names]
    return names
