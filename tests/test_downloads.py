"""Every example's downloads (.py and .ipynb, as the built site serves them) run on their own.

Each file is copied into an empty folder outside the repository and run there
by a Python that cannot import anything from the repository: ``-I`` drops the
script's folder, PYTHONPATH and user site-packages, and an import guard refuses
any module whose file lies in the repository (the editable install of
``lessonsrc`` and ``sitelib`` included), except the installed packages of
``.venv``. So a download that needs the lesson's code, e.g.
``from lessonsrc.timing import ...``, fails here as it fails for a reader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from sitelib.examples.discover import find_examples
from sitelib.languages.conversion import Conversion

EXAMPLES = [p.stem for p in find_examples(ROOT / "lessonsrc")]

GUARD = textwrap.dedent(f"""\
    import importlib.abc, sys
    from pathlib import Path

    _REPO, _VENV = Path({str(ROOT)!r}), Path({str(ROOT / ".venv")!r})

    class _OutsideTheRepository(importlib.abc.MetaPathFinder):
        # Find modules as usual, but refuse those whose file is in the repository.
        def find_spec(self, name, path=None, target=None):
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is None:
                    continue
                where = spec.origin or next(iter(spec.submodule_search_locations or []), None)
                if where and where not in ("built-in", "frozen"):
                    file = Path(where).resolve()
                    if file.is_relative_to(_REPO) and not file.is_relative_to(_VENV):
                        raise ModuleNotFoundError(f"No module named {{name!r}} outside the repository")
                return spec
            return None

    sys.path[:] = [p for p in sys.path if not (p and Path(p).resolve().is_relative_to(_REPO)
                                             and not Path(p).resolve().is_relative_to(_VENV))]
    sys.meta_path.insert(0, _OutsideTheRepository())
    """)


def clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH (the repository), with a non-interactive matplotlib."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env["MPLBACKEND"] = "Agg"
    return env


def run_script(script: Path, folder: Path) -> subprocess.CompletedProcess:
    """Run ``script`` in ``folder`` with ``python -I -W error`` behind the import guard."""
    runner = folder.parent / f"{folder.name}-guard.py"
    runner.write_text(GUARD + f"\nimport runpy\nrunpy.run_path({str(script)!r}, run_name='__main__')\n",
                      encoding="utf-8")
    # -W error: a reader should not see warnings either (deprecated APIs, say).
    return subprocess.run([sys.executable, "-I", "-W", "error", str(runner)], cwd=folder, env=clean_env(),
                          capture_output=True, text=True, timeout=300)


def run_notebook(notebook_file: Path, folder: Path) -> None:
    """Execute ``notebook_file`` in a fresh kernel in ``folder``, the import guard run first."""
    notebook = nbformat.read(notebook_file, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})  # the kernel's working folder
    client.execute(env=clean_env())  # raises CellExecutionError, naming the cell, if a cell fails


def test_guard_refuses_the_repository(tmp_path):
    """The check can fail: a script importing the lesson's helper module fails behind the guard."""
    folder = tmp_path / "empty"
    folder.mkdir()
    script = folder / "needs_repo.py"
    script.write_text("from lessonsrc.timing import tflops\n", encoding="utf-8")
    result = run_script(script, folder)
    assert result.returncode != 0
    assert "No module named 'lessonsrc" in result.stderr


@pytest.mark.build
@pytest.mark.slow
@pytest.mark.parametrize("stem", EXAMPLES)
def test_downloaded_py_runs_alone(stem, built_site, tmp_path):
    """The page's .py download runs in an empty folder, outside the repository, and leaves no file there."""
    folder = tmp_path / "reader"
    folder.mkdir()
    script = folder / f"{stem}.py"
    shutil.copy(built_site / "examples" / stem / f"{stem}.py", script)
    result = run_script(script, folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in folder.iterdir()) == [script.name]


@pytest.mark.build
@pytest.mark.slow
@pytest.mark.parametrize("stem", EXAMPLES)
def test_downloaded_notebook_runs_alone(stem, built_site, tmp_path):
    """The page's executed .ipynb download runs again, top to bottom, in a fresh kernel outside the repository."""
    folder = tmp_path / "reader"
    folder.mkdir()
    notebook = folder / f"{stem}.ipynb"
    shutil.copy(built_site / "examples" / stem / f"{stem}.ipynb", notebook)
    run_notebook(notebook, folder)


@pytest.mark.build
@pytest.mark.parametrize("stem", EXAMPLES)
def test_every_language_downloads_the_same_code(stem, built_site, site):
    """Each language's notebook holds the same code cells (only the prose differs), so one run covers all.

    The .py is the same file in every written language; a generated language's is its source's,
    converted (prose and Chinese comments in Traditional), which changes no code.
    """
    def code(lang_root: str) -> list[str]:
        cells = json.loads((built_site / lang_root / "examples" / stem / f"{stem}.ipynb").read_text("utf-8"))["cells"]
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]

    reference = code(site.roots[site.default])
    assert reference
    default_py = (built_site / "examples" / stem / f"{stem}.py").read_text(encoding="utf-8")
    for language in site.languages:
        root = site.roots[language.code]
        assert code(root) == reference, language.code
        assert (built_site / root / "examples" / stem / f"{stem}.py").read_text(encoding="utf-8") == \
            Conversion(language.convert).python(default_py), language.code
