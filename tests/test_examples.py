"""Examples in lessonsrc: discovery, cache keys, re-execution when an input changes, failures."""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest

from sitelib.examples.discover import cache_key, find_examples, helper_files
from sitelib.examples.errors import ExampleFailed
from sitelib.examples.notebooks import executed_examples

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


def test_examples_are_the_files_with_cells(tmp_path):
    """Files with cells are examples, in sub-folders too; helper modules are not."""
    names = [p.name for p in find_examples(ROOT / "lessonsrc")]
    assert "autograd_basics.py" in names and "matmul_cpu_gpu.py" in names and "timing.py" not in names
    src = make_src(tmp_path)
    (src / "part2").mkdir()
    (src / "part2" / "more.py").write_text(EXAMPLE, encoding="utf-8")
    assert [p.relative_to(src).as_posix() for p in find_examples(src)] == ["demo.py", "part2/more.py"]


def test_helper_files_follow_imports(tmp_path):
    """An example depends on the helpers it imports and on what those import, not on others."""
    src = make_src(tmp_path, helper="from lessonsrc.unrelated import OTHER\nVALUE = OTHER + 1\n")
    (src / "third.py").write_text("X = 3\n", encoding="utf-8")
    names = [p.name for p in helper_files(src / "demo.py", src)]
    assert names == ["__init__.py", "helper.py", "unrelated.py"]


def test_helpers_found_again_without_parsing_again(tmp_path, monkeypatch):
    """Unchanged files are not parsed a second time; an edited import is seen at once."""
    src = make_src(tmp_path)
    parsed = []
    parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *a, **k: parsed.append(source) or parse(source, *a, **k))
    first = helper_files(src / "demo.py", src)
    count = len(parsed)
    assert helper_files(src / "demo.py", src) == first and len(parsed) == count
    (src / "helper.py").write_text("from lessonsrc.unrelated import OTHER\nVALUE = OTHER\n", encoding="utf-8")
    assert [p.name for p in helper_files(src / "demo.py", src)] == ["__init__.py", "helper.py", "unrelated.py"]
    assert len(parsed) > count


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


@pytest.mark.slow
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


@pytest.mark.slow
def test_failing_example_names_file_cell_and_failing_line(tmp_path, monkeypatch):
    """An error names the file, the 1-based cell and the line that raised, even with code before the first marker."""
    src = make_src(tmp_path, example=(
        "import math\n\n# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n"
        "# %%\ndef f():\n    return 1 / 0\n\n\ny = 2\nf()\n"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExampleFailed) as info:
        executed_examples(src, tmp_path / "cache")
    message = str(info.value)
    first = message.splitlines()[0]
    assert first == "lessonsrc/demo.py:11: example failed in cell 4: ZeroDivisionError: division by zero"
    assert message.splitlines()[1].strip() == "return 1 / 0"
    assert "lessonsrc/demo.py, line 15 (cell 4)" in message  # the call site, rewritten too
    assert "Cell In[" not in message and "\x1b[" not in message  # no IPython numbering, no colour codes
    assert not list((tmp_path / "cache").glob("*.ipynb"))  # nothing half-done is cached


PROBE_CHANGES = """\
# %%
import os, random, torch
torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.backends.cuda.matmul.fp32_precision = "tf32"
torch.backends.cudnn.conv.fp32_precision = "ieee"
torch.manual_seed(1234); random.seed(1234)
os.chdir("/")
import lessonsrc.helper
lessonsrc.helper.VALUE = "changed"
"""

PROBE_READS = """\
# %%
import os, random, torch
import lessonsrc.helper
print("dtype", torch.get_default_dtype())
print("threads", torch.get_num_threads())
print("tf32", torch.backends.cuda.matmul.fp32_precision, torch.backends.cudnn.conv.fp32_precision)
print("rng", torch.rand(1).item(), random.random())
print("cwd", os.getcwd())
print("helper", lessonsrc.helper.VALUE)
"""


@pytest.mark.slow
def test_each_example_starts_from_a_clean_state(tmp_path, monkeypatch):
    """An example that changes global state does not change the output of the example run after it."""
    src = make_src(tmp_path)
    (src / "demo.py").unlink()
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    (src / "b_reads.py").write_text(PROBE_READS, encoding="utf-8")
    alone = outputs(executed_examples(src, tmp_path / "alone")[src / "b_reads.py"])
    (src / "a_changes.py").write_text(PROBE_CHANGES, encoding="utf-8")
    results = executed_examples(src, tmp_path / "together")
    assert list(results) == [src / "a_changes.py", src / "b_reads.py"]  # the changer runs first
    after = outputs(results[src / "b_reads.py"])
    assert "dtype torch.float32" in after and "helper 1" in after
    assert f"cwd {tmp_path / 'together' / 'scratch' / 'b_reads'}" in after  # its own scratch folder, not "/"
    assert without_rng(after).replace("together", "alone") == without_rng(alone)
    # Unseeded generators differ run to run; what must not happen is the changer's seed carrying over.
    import random

    import torch

    torch.manual_seed(1234)
    random.seed(1234)
    seeded = f"rng {torch.rand(1).item()} {random.random()}"
    assert "rng " in after and seeded not in after


def without_rng(text: str) -> str:
    """The probe's output without its (unseeded, so run-dependent) random numbers."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("rng "))


@pytest.mark.build
def test_failing_example_fails_the_build(tmp_path):
    """`mkdocs build` of a project whose example raises exits non-zero and names the file, line and cell."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "site", "artifacts"))
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
    assert "lessonsrc/zz_broken.py:5: example failed in cell 2: RuntimeError: this example is broken on purpose" in result.stderr


@pytest.mark.build
@pytest.mark.parametrize(("stem", "figures"), [("digits_classifier", 3), ("matmul_cpu_gpu", 1)])
def test_executed_figures_are_on_the_page(built_site, stem, figures):
    """plt.show() in an example puts its figure into the page (inline PNG, no network), in every language."""
    for page in built_site.glob(f"**/examples/{stem}/index.html"):
        html = page.read_text(encoding="utf-8")
        assert html.count('src="data:image/png;base64,') == figures, page
