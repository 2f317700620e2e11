"""One build at a time per checkout: a second build waits for the first (and says so) instead of racing it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import pytest

from conftest import MKDOCS, ROOT
from sitelib.incremental.build_lock import BuildLock
from test_language_builds import make_project

HOLD = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from sitelib.incremental.build_lock import BuildLock
lock = BuildLock(Path({cache!r}))
lock.acquire()
print("held", flush=True)
time.sleep({seconds})
lock.release()
"""


def test_a_second_holder_waits_and_names_the_first(tmp_path, caplog):
    """While another process holds the lock, acquire logs its process id, and returns once it is released."""
    with subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), cache=str(tmp_path), seconds=2)],
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout.readline().strip() == "held"
        lock = BuildLock(tmp_path)
        start = time.monotonic()
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
            lock.acquire()
        waited = time.monotonic() - start
        assert f"Waiting for the build in process {holder.pid} to finish" in caplog.text
        assert 0.5 < waited < 30
        assert (tmp_path / "build.pid").read_text(encoding="utf-8") == str(os.getpid())
        lock.release()
        assert not (tmp_path / "build.pid").exists()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    """The OS releases the lock of a process that dies: the next build does not wait for a dead one."""
    with subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), cache=str(tmp_path), seconds=600)],
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout.readline().strip() == "held"
        holder.kill()
    lock = BuildLock(tmp_path)
    start = time.monotonic()
    lock.acquire()
    assert time.monotonic() - start < 5
    lock.release()


@pytest.mark.build
def test_two_builds_at_once_both_succeed_one_after_the_other(tmp_path):
    """Two `mkdocs build` in one checkout: the second waits for the first, both finish (bounded), the site is whole."""
    project = make_project(tmp_path)
    show = project / "lessonsrc" / "show.py"
    show.write_text(show.read_text(encoding="utf-8") + "\n# %%\nimport time\ntime.sleep(3)\n", encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project)}
    run = [*MKDOCS, "build", "--strict"]
    pid_file = project / ".cache" / "lesson" / "build.pid"
    with subprocess.Popen(run, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as first:
        deadline = time.monotonic() + 120
        while not pid_file.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        with subprocess.Popen(run, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) as second:
            try:  # bounded: a deadlock fails the test instead of hanging it
                out_first, _ = first.communicate(timeout=600)
                out_second, _ = second.communicate(timeout=600)
            finally:
                first.kill()
                second.kill()
    assert first.returncode == 0, out_first[-3000:]
    assert second.returncode == 0, out_second[-3000:]
    assert f"Waiting for the build in process {first.pid} to finish" in out_second
    assert "Executed example show.py" in out_first and "Executed example" not in out_second  # it used the first's
    assert "42" in (project / "site" / "examples" / "show" / "index.html").read_text(encoding="utf-8")
    assert not pid_file.exists()
