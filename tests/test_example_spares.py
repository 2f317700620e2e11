"""A spare kernel under `mkdocs serve`: an edited example runs in a kernel started ahead, never one reused;
its notebook is a cold start's; `mkdocs build` leaves no kernel behind."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import psutil
import pytest

from example_project import make_project
from kernel_processes import kernels_of, leftovers_of, zygotes_of
from sitelib.examples.notebooks import executed_examples
from sitelib.examples.spares import SpareKernels

pytestmark = pytest.mark.slow

# What a kernel knows about where it started, beyond os.getcwd().
STATE = """\
# %%
import os, sys
print(os.getcwd())
print(_dh, get_ipython().starting_dir)
print([p for p in sys.path if 'lesson' in p or 'scratch' in p or p in ('', '.')])
print(sorted(k for k in globals() if not k.startswith('__')))
print(os.environ['PYTHONPATH'].split(os.pathsep)[0])

# %%
import pathlib
pathlib.Path('here.txt').write_text('x')
print(sorted(os.listdir('.')), In[1:], len(Out))
"""


def test_a_spare_kernel_runs_an_example_as_a_cold_one_would(tmp_path, monkeypatch):
    """The same example, same scratch folder: cold and from a spare give the same notebook; the spare is used once."""
    project = make_project(tmp_path / "project", STATE)
    monkeypatch.setenv("PYTHONPATH", str(project))
    src, cache = project / "lessonsrc", tmp_path / "cache"
    cold = executed_examples(src, cache)[src / "demo.py"].notebook
    for entry in cache.glob("*.ipynb"):
        entry.unlink()
    spares = SpareKernels(project)
    try:
        spares.refill()
        spare = spares._kernel
        neutral, pid = spare.cwd, spare.km.provisioner.process.pid
        assert neutral.is_dir() and neutral != cache / "scratch" / "demo"  # started in a folder of its own
        warm = executed_examples(src, cache, spares=spares)[src / "demo.py"].notebook
        assert spares._kernel is not None and spares._kernel is not spare  # used, then replaced
        assert not psutil.pid_exists(pid) and not neutral.exists()  # shut down after its one example
    finally:
        spares.close()
    assert leftovers_of(psutil.Process()) == []  # other children (a browser driver of another test) may remain

    def comparable(notebook):
        for cell in notebook.cells:
            cell.metadata.pop("execution", None)
        notebook.metadata.pop("lesson", None)
        return nbformat.writes(notebook)

    assert comparable(warm) == comparable(cold)
    assert str(cache / "scratch" / "demo") in comparable(cold)


def test_a_build_leaves_no_kernel_behind(tmp_path):
    """`mkdocs build` (no serve) ends with no child process: no spare kernel is kept."""
    project = make_project(tmp_path / "project", "# %%\nprint('built')\n")
    script = ("import psutil\nfrom mkdocs.commands.build import build\nfrom mkdocs.config import load_config\n"
              "build(load_config('mkdocs.yml'))\n"
              "print('children', len(psutil.Process().children(recursive=True)))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "children 0"


def page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait(condition, timeout: float = 180, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_serve_runs_an_edited_example_in_the_spare_and_replaces_it(tmp_path):
    """Under serve one spare kernel waits; an edit runs in it (its pid is on the page), a new spare replaces it,
    and stopping serve (SIGTERM) shuts every kernel down."""
    example = "# %%\nimport os\nprint('pid', os.getpid(), 'run', 1)\n"
    project = make_project(tmp_path / "project", example)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/tiny/examples/demo/"
    try:
        first = wait(lambda: re.search(r"pid (\d+) run 1", page(url)), what="the first build")
        serve = psutil.Process(server.pid)
        spare = wait(lambda: kernels_of(serve), what="a spare kernel")
        assert len(spare) == 1 and spare[0].pid != int(first[1])  # the first build's kernel is gone
        (project / "lessonsrc" / "demo.py").write_text(example.replace("'run', 1", "'run', 2"), encoding="utf-8")
        second = wait(lambda: re.search(r"pid (\d+) run 2", page(url)), what="the edited example")
        assert int(second[1]) == spare[0].pid  # it ran in the spare
        after = wait(lambda: [k for k in kernels_of(serve) if k.pid != spare[0].pid], what="a new spare")
        assert len(after) == 1 and not spare[0].is_running()  # the used one is shut down, never handed out again
        helpers = zygotes_of(serve)  # the project's zygote (sitelib/examples/zygote.py), kept between builds
        server.terminate()
        _, log = server.communicate(timeout=30)
        assert "Traceback" not in log, log
        # Shut down, not orphaned: an orphan would run on (the grace is for a loaded machine's slow exit).
        _, alive = psutil.wait_procs(after, timeout=15)
        assert not alive, "a spare kernel outlived serve"
        _, alive = psutil.wait_procs(helpers, timeout=15)
        assert not alive, "a zygote outlived serve"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
