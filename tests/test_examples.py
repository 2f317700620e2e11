"""Examples in lessonsrc: discovery, cache keys, re-execution when an input changes, failures."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from sitelib.examples import cache_key, find_examples, helper_files
from sitelib.execute import ExampleFailed
from sitelib.notebooks import executed_examples

from conftest import ROOT, run_mkdocs

EXAMPLE = """\
# %% [markdown]
# # Demo

# %%
from lessonsrc.helper import VALUE
print("value is", VALUE)
"""


def make_src(tmp_path: Path, example: str = EXAMPLE, helper: str = "VALUE = 1\n") -> Path:
    """A small lessonsrc package: one example importing one helper, plus an unrelated helper."""
    src = tmp_path / "lessonsrc"
    src.mkdir()
    (src / "__init__.py").write_text("", encoding="utf-8")
    (src / "helper.py").write_text(helper, encoding="utf-8")
    (src / "unrelated.py").write_text("OTHER = 0\n", encoding="utf-8")
    (src / "demo.py").write_text(example, encoding="utf-8")
    return src


def outputs(execution) -> str:
    """All stream output of an executed notebook, joined."""
    return "".join(o.get("text", "") for c in execution.notebook.cells for o in c.get("outputs", []))


def test_examples_are_the_files_with_cells():
    """The two lesson examples are found; helper modules are not examples."""
    names = [p.name for p in find_examples(ROOT / "lessonsrc")]
    assert names == ["autograd_basics.py", "matmul_cpu_gpu.py"]


def test_helper_files_follow_imports(tmp_path):
    """An example depends on the helpers it imports and on what those import, not on others."""
    src = make_src(tmp_path, helper="from lessonsrc.unrelated import OTHER\nVALUE = OTHER + 1\n")
    (src / "third.py").write_text("X = 3\n", encoding="utf-8")
    names = [p.name for p in helper_files(src / "demo.py", src)]
    assert names == ["__init__.py", "helper.py", "unrelated.py"]


def test_cache_key_tracks_helpers_and_versions(tmp_path):
    """The key changes with the example, an imported helper, or the torch version; not with other files."""
    src = make_src(tmp_path)
    example = src / "demo.py"
    base = cache_key(example, src, "torch=2.13.0")
    (src / "unrelated.py").write_text("OTHER = 99\n", encoding="utf-8")
    assert cache_key(example, src, "torch=2.13.0") == base
    assert cache_key(example, src, "torch=2.14.0") != base
    (src / "helper.py").write_text("VALUE = 2\n", encoding="utf-8")
    changed_helper = cache_key(example, src, "torch=2.13.0")
    assert changed_helper != base
    example.write_text(EXAMPLE + "\n# %%\nprint(3)\n", encoding="utf-8")
    assert cache_key(example, src, "torch=2.13.0") != changed_helper


def test_changed_helper_or_torch_version_re_executes(tmp_path, monkeypatch):
    """Editing an imported helper, or a new torch version, gives fresh output; stale cache files go."""
    src = make_src(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.syspath_prepend(str(tmp_path))  # the kernel imports this lessonsrc, not the real one
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    first = executed_examples(src, cache, environment="torch=A")[src / "demo.py"]
    assert "value is 1" in outputs(first)

    (src / "helper.py").write_text("VALUE = 2\n", encoding="utf-8")
    second = executed_examples(src, cache, environment="torch=A")[src / "demo.py"]
    assert "value is 2" in outputs(second)
    assert len(list(cache.glob("*.ipynb"))) == 1  # the entry for the old helper was evicted

    again = executed_examples(src, cache, environment="torch=A")[src / "demo.py"]
    assert again.executed_at == second.executed_at  # unchanged inputs: served from the cache

    before_upgrade = {p.name for p in cache.glob("*.ipynb")}
    upgraded = executed_examples(src, cache, environment="torch=B")[src / "demo.py"]
    after_upgrade = {p.name for p in cache.glob("*.ipynb")}
    assert after_upgrade and after_upgrade.isdisjoint(before_upgrade)  # executed anew under a new key
    assert "value is 2" in outputs(upgraded)


def test_failing_example_names_file_cell_and_line(tmp_path):
    """An example that raises stops execution with its file, cell index and line."""
    src = make_src(tmp_path, example="# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n# %%\n1 / 0\n")
    with pytest.raises(ExampleFailed) as info:
        executed_examples(src, tmp_path / "cache")
    message = str(info.value)
    assert "demo.py failed in cell 2 (line 7): ZeroDivisionError: division by zero" in message
    assert "\x1b[" not in message  # no terminal colour codes in build logs
    assert not list((tmp_path / "cache").glob("*.ipynb"))  # nothing half-done is cached


@pytest.mark.build
def test_failing_example_fails_the_build(tmp_path):
    """`mkdocs build` of a project whose example raises exits non-zero and says which file failed."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "site", ".cache", "artifacts"))
    (project / "lessonsrc" / "zz_broken.py").write_text(
        textwrap.dedent("""\
            # %% [markdown]
            # # Broken

            # %%
            raise RuntimeError("this example is broken on purpose")
            """),
        encoding="utf-8",
    )
    result = run_mkdocs("build", "--strict", cwd=project, env={"PYTHONPATH": str(project)})
    assert result.returncode != 0
    assert "zz_broken.py failed in cell 1 (line 4): RuntimeError: this example is broken on purpose" in result.stderr
