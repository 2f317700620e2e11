"""Examples cannot touch the sources: a scratch working folder each, and a build that fails when one writes into the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from example_project import build, make_project
from sitelib.examples.notebooks import MANIFEST, executed_examples, read_manifest
from sitelib.examples.source_guard import SourcesChanged


def guarded(project: Path) -> list[Path]:
    """What the orchestrating build guards in the small project (see sitelib.incremental.inputs.shared_inputs)."""
    return [project / "docs", project / "data", project / "lessonsrc", project / "mkdocs.yml"]


@pytest.mark.slow
def test_an_example_runs_in_its_own_scratch_folder_and_imports_its_helpers(tmp_path):
    """The working directory is a scratch folder (removed afterwards); ``lessonsrc`` helpers still import."""
    project = make_project(tmp_path, "# %%\nimport os\nfrom lessonsrc.helper import VALUE\n"
                                     "open('made-here.txt', 'w').write('x')\nprint(os.getcwd(), VALUE)\n")
    cache = tmp_path / "cache"
    run = executed_examples(project / "lessonsrc", cache, guarded=guarded(project), root=project)
    text = run[project / "lessonsrc" / "demo.py"].notebook.cells[0].outputs[0].text
    assert text == f"{cache / 'scratch' / 'demo'} 41\n"
    assert not (cache / "scratch").exists()  # the scratch folder and what the example wrote there are gone
    assert not list(project.rglob("made-here.txt"))


@pytest.mark.slow
@pytest.mark.parametrize("target, what", [
    ("docs/en/index.md", "changed"),
    ("data/notes.txt", "changed"),
    ("mkdocs.yml", "changed"),
    ("lessonsrc/sneaky.py", "added"),
])
def test_an_example_that_writes_into_the_project_fails_naming_the_file(tmp_path, target, what):
    """Appending to a page, a data file or the configuration, or adding a module, fails naming the file."""
    project = make_project(tmp_path, f"# %%\nwith open({str(tmp_path / target)!r}, 'a') as f:\n"
                                     "    f.write('\\n# %%\\nprint(1)\\n')\n")
    with pytest.raises(SourcesChanged) as info:
        executed_examples(project / "lessonsrc", tmp_path / "cache", guarded=guarded(project), root=project)
    message = str(info.value)  # the example's path is absolute here: the test does not run inside the project
    assert message.startswith(f"{project / 'lessonsrc' / 'demo.py'}: the example changed the project's files "
                              f"while it ran: {target} ({what}).")
    assert not list((tmp_path / "cache").glob("*.ipynb"))  # nothing is cached from a run that failed


@pytest.mark.slow
def test_a_build_whose_example_appends_to_a_page_fails_and_publishes_nothing(tmp_path):
    """The whole build: the example's text never reaches the site, and the log names the example and the page."""
    page = tmp_path / "docs" / "en" / "index.md"
    project = make_project(tmp_path, f"# %%\nwith open({str(page)!r}, 'a') as f:\n    f.write('INJECTED')\n")
    result = build(project)
    assert result.returncode != 0
    assert result.first_error == ("ERROR   -  lessonsrc/demo.py: the example changed the project's files while it ran: "
                                  "docs/en/index.md (changed). Examples run in a scratch folder of their own (their "
                                  "working directory); write files there or in a temporary folder, never into docs/, "
                                  "lessonsrc/, data/ or the configuration.")
    assert not any("INJECTED" in p.read_text(errors="replace") for p in (project / "site").rglob("*.html"))


def test_language_builds_take_only_the_examples_the_executing_build_found(tmp_path):
    """The manifest lists what was discovered before executing; a .py added later is not an example of that build."""
    src = make_project(tmp_path, "# %%\nprint(1)\n") / "lessonsrc"
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / MANIFEST).write_text(json.dumps(["demo.py"]), encoding="utf-8")
    (src / "written_later.py").write_text("# %%\nraise SystemExit('must not run')\n", encoding="utf-8")
    assert read_manifest(cache, src) == [src / "demo.py"]
    (cache / MANIFEST).write_text("{not json", encoding="utf-8")
    assert read_manifest(cache, src) is None  # unreadable: the caller finds the examples again
    (cache / MANIFEST).write_text(json.dumps(["gone.py"]), encoding="utf-8")
    assert read_manifest(cache, src) is None


@pytest.mark.slow
def test_the_executing_build_records_what_it_found(tmp_path):
    """After executing, the manifest names exactly the examples found before; a later call with it runs nothing new."""
    project = make_project(tmp_path, "# %%\nprint(1)\n")
    src, cache = project / "lessonsrc", tmp_path / "cache"
    first = executed_examples(src, cache)
    assert json.loads((cache / MANIFEST).read_text(encoding="utf-8")) == ["demo.py"]
    (src / "written_later.py").write_text("# %%\nraise SystemExit('must not run')\n", encoding="utf-8")
    again = executed_examples(src, cache, only=read_manifest(cache, src))
    assert list(again) == [src / "demo.py"] and again[src / "demo.py"].executed_at == first[src / "demo.py"].executed_at
