"""Examples run several at once, each in its own kernel: the same notebooks as one at a time, the same errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from example_project import make_project
from kernel_processes import leftovers_of
from sitelib.examples.errors import ExampleFailed
from sitelib.examples.execute import default_workers
from sitelib.examples.notebooks import executed_examples
from sitelib.examples.source_guard import SourcesChanged
from sitelib.plugin.config import Jobs

pytestmark = pytest.mark.slow

# Each records when its cells ran (outside its outputs), so the test can see whether they overlapped.
STAMP = "import json, time, pathlib\n_t0 = time.time()\n"
DONE = "\n_n = pathlib.Path({log!r}).write_text(json.dumps([_t0, time.time()]))\n"
EXAMPLES = {
    "a_seeded.py": "# %%\n{stamp}import torch\ntorch.manual_seed(0)\nprint(torch.rand(3))\ntime.sleep(1.5)\n{done}",
    "b_state.py": "# %%\n{stamp}import os, sys, torch\nfrom lessonsrc.helper import VALUE\n"
                  "print(os.getcwd(), VALUE, torch.get_default_dtype(), sorted(k for k in globals() if k[0] != '_'))\n"
                  "print([p for p in sys.path if 'lesson' in p])\ntime.sleep(1.5)\n{done}",
    "c_figure.py": "# %%\n{stamp}import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\n\n"
                   "# %%\nprint({{1, 2, 3, 'x', 'y'}})\n{done}",
}


def project_with(tmp_path: Path, examples: dict[str, str]) -> Path:
    project = make_project(tmp_path / "project", "# %%\nprint('demo')\n")
    (project / "lessonsrc" / "demo.py").unlink()
    for name, text in examples.items():
        log = tmp_path / f"{name}.json"
        (project / "lessonsrc" / name).write_text(text.format(stamp=STAMP, done=DONE.format(log=str(log))),
                                                  encoding="utf-8")
    return project


def comparable(notebook: nbformat.NotebookNode) -> str:
    """The notebook as written, without its timing metadata (when each cell ran, and the run's record)."""
    copy = nbformat.from_dict(json.loads(nbformat.writes(notebook)))
    copy.metadata.pop("lesson", None)
    for cell in copy.cells:
        cell.metadata.pop("execution", None)
    return nbformat.writes(copy)


def test_two_at_once_gives_the_notebooks_one_at_a_time_gives(tmp_path, monkeypatch):
    """jobs=2 runs examples at the same time (their runs overlap) and writes byte-identical notebooks to jobs=1."""
    project = project_with(tmp_path, EXAMPLES)
    monkeypatch.setenv("PYTHONPATH", str(project))
    src, cache = project / "lessonsrc", tmp_path / "cache"
    runs = {}
    for workers in (1, 2):
        start = time.monotonic()
        results = executed_examples(src, cache, workers=workers)
        seconds = time.monotonic() - start
        spans = {name: json.loads((tmp_path / f"{name}.json").read_text()) for name in EXAMPLES}
        runs[workers] = ({path.name: comparable(ex.notebook) for path, ex in results.items()}, spans, seconds)
        cached = {p.name.split("-")[0]: comparable(nbformat.read(p, as_version=4)) for p in cache.glob("*.ipynb")}
        assert cached == {name.removesuffix(".py"): text for name, text in runs[workers][0].items()}
        for entry in cache.glob("*.ipynb"):
            entry.unlink()  # run again, from nothing
    assert runs[1][0] == runs[2][0]
    assert "image/png" in runs[1][0]["c_figure.py"] and "value" not in runs[1][0]["b_state.py"]

    def overlapping(spans):
        ordered = sorted(spans.values())
        return any(later[0] < earlier[1] for earlier, later in zip(ordered, ordered[1:]))

    assert not overlapping(runs[1][1])  # one at a time
    assert overlapping(runs[2][1])  # at the same time


def test_the_first_failure_stops_the_others_and_every_kernel(tmp_path, monkeypatch):
    """A failing example is reported with its file and line while another still runs: that one is stopped, no kernel remains."""
    pid = tmp_path / "sleeper.pid"
    project = project_with(tmp_path, {
        "a_sleeps.py": f"# %%\nimport os, pathlib, time\npathlib.Path({str(pid)!r}).write_text(str(os.getpid()))\n"
                       "time.sleep(10**6)\n",
        "b_fails.py": "# %%\nimport time, pathlib\nwhile not pathlib.Path(" + repr(str(pid)) + ").exists():\n"
                      "    time.sleep(0.1)\n\n# %%\nraise ValueError('broken on purpose')\n",
    })
    monkeypatch.setenv("PYTHONPATH", str(project))
    monkeypatch.chdir(project)
    start = time.monotonic()
    with pytest.raises(ExampleFailed) as info:
        executed_examples(project / "lessonsrc", tmp_path / "cache", workers=2)
    assert str(info.value).splitlines()[0] == (
        "lessonsrc/b_fails.py:7: example failed in cell 2: ValueError: broken on purpose")
    assert time.monotonic() - start < 60  # not the sleeper's 10**6 s, nor its 600 s limit
    assert not psutil.pid_exists(int(pid.read_text()))
    assert leftovers_of(psutil.Process()) == []  # other children (a browser driver of another test) may remain
    assert not list((tmp_path / "cache").glob("*.ipynb"))


def test_the_source_guard_names_the_examples_running_alongside(tmp_path, monkeypatch):
    """An example writing into the project fails the run; the message names it and the example running with it."""
    project = project_with(tmp_path, {
        "a_writes.py": f"# %%\nopen({str(tmp_path / 'project' / 'docs' / 'en' / 'index.md')!r}, 'a').write('x')\n",
        "b_slow.py": "# %%\nimport time\ntime.sleep(30)\n",
    })
    monkeypatch.chdir(project)
    monkeypatch.setenv("PYTHONPATH", str(project))
    guarded = [project / "docs", project / "lessonsrc", project / "mkdocs.yml"]
    with pytest.raises(SourcesChanged) as info:
        executed_examples(project / "lessonsrc", tmp_path / "cache", guarded=guarded, root=project, workers=2)
    assert str(info.value).startswith("lessonsrc/a_writes.py: the example (or lessonsrc/b_slow.py, running alongside "
                                      "it) changed the project's files while it ran: docs/en/index.md (changed).")
    assert leftovers_of(psutil.Process()) == []  # other children (a browser driver of another test) may remain


@pytest.mark.parametrize("value, expected", [(0, 0), (3, 3), ("2", 2), ("0", 0)])
def test_the_jobs_option_takes_numbers_and_what_env_gives(value, expected):
    """``jobs: !ENV [LESSON_JOBS, 0]``: a whole number or its digits; 0 means one per core."""
    assert Jobs().validate(value) == expected
    assert default_workers() >= 1


@pytest.mark.parametrize("value", [-1, "two", True, 1.5])
def test_the_jobs_option_refuses_what_is_no_count(value):
    """A negative, fractional or non-number ``jobs`` is a configuration error naming what it got."""
    from mkdocs.config.config_options import ValidationError

    with pytest.raises(ValidationError, match="expected a whole number of examples at once"):
        Jobs().validate(value)
