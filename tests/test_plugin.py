"""The lesson plugin as configuration: a second lesson folder, its own cache, and bad options refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import run_mkdocs

pytestmark = pytest.mark.build

CONFIG = """\
site_name: Two lessons
docs_dir: docs/en
plugins:
  - lesson:
      cache_dir: .cache/lesson
      examples:
        - src: lesson01src
          uri: lesson01/examples
        - src: lesson02src
          uri: lesson02/examples
      languages:
        - {code: en, tag: en, name: English, theme: en, site_name: Two lessons}
  - mkdocs-jupyter:
      include: ["*.ipynb"]
      execute: false
"""


def lesson(root: Path, name: str, value: str) -> None:
    """A lesson package with a helper ``timing.py`` (same module name in both) and one example using it."""
    src = root / name
    (src / "deep").mkdir(parents=True)
    (src / "__init__.py").write_text("", encoding="utf-8")
    (src / "timing.py").write_text(f"WHO = {value!r}\n", encoding="utf-8")
    (src / "deep" / "show.py").write_text(
        f"# %% [markdown]\n# # Show {name}\n\n# %%\nfrom {name}.timing import WHO\nprint('helper says', WHO)\n",
        encoding="utf-8",
    )


def make_project(tmp_path: Path, config: str = CONFIG) -> Path:
    """A project with two lesson folders whose helpers share a module name."""
    project = tmp_path / "project"
    (project / "docs" / "en").mkdir(parents=True)
    (project / "docs" / "en" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    lesson(project, "lesson01src", "first lesson")
    lesson(project, "lesson02src", "second lesson")
    return project


def test_two_lessons_execute_cache_and_link_without_collisions(tmp_path):
    """Both lessons' examples run with their own helper, get their own pages and cache folders, and survive a rebuild."""
    project = make_project(tmp_path)
    env = {"PYTHONPATH": str(project)}
    first = run_mkdocs("build", "--strict", cwd=project, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stderr.count("Executed example") == 2
    site = project / "site"
    for name, value in (("lesson01", "first lesson"), ("lesson02", "second lesson")):
        html = (site / name / "examples" / "deep" / "show" / "index.html").read_text(encoding="utf-8")
        assert f"helper says {value}" in html
        assert (site / name / "examples" / "deep" / "show" / "show.py").is_file()
    report = (site / "execution-report" / "index.html").read_text(encoding="utf-8")
    assert 'href="../lesson01/examples/deep/show/"' in report and 'href="../lesson02/examples/deep/show/"' in report
    cache = project / ".cache" / "lesson" / "executed"
    entries = {p.parent.name: p.name for p in cache.glob("*/*.ipynb")}
    assert set(entries) == {"lesson01src", "lesson02src"}
    second = run_mkdocs("build", "--strict", cwd=project, env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert {p.parent.name: p.name for p in cache.glob("*/*.ipynb")} == entries  # cache hits, nothing evicted
    assert "Executed example" not in second.stderr


@pytest.mark.parametrize(("change", "message"), [
    ("src: lesson02src", "examples folder 'missing' does not exist"),
    ("name: English", "code 'en' is listed twice"),
])
def test_bad_configuration_is_refused_with_its_reason(tmp_path, change, message):
    """A missing examples folder or a duplicated language code stops the build and says which."""
    config = CONFIG.replace("src: lesson02src", "src: missing") if change.startswith("src") else CONFIG.replace(
        "        - {code: en,", "        - {code: en, tag: en2, name: Again, theme: en, site_name: X}\n        - {code: en,")
    project = make_project(tmp_path, textwrap.dedent(config))
    result = run_mkdocs("build", cwd=project, env={"PYTHONPATH": str(project)})
    assert result.returncode != 0 and message in result.stderr
