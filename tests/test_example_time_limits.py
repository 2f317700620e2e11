"""Every example runs under a time limit: a hanging, sleeping or self-killing example fails the build within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from example_project import build, make_project
from sitelib.examples.errors import ExampleStopped
from sitelib.examples.notebooks import executed_examples

HANG = "# %%\nprint('start')\n\n# %%\nx = 1\nwhile True:\n    x += 1\n"
SLEEP = "# %%\nimport time\n\ntime.sleep(10**6)\n"
EXIT = "# %%\nimport os\nprint('bye', flush=True)\nos._exit(1)\n"
LIMIT = 2  # seconds: short, so these tests stay fast


def run_alone(tmp_path: Path, example: str, caplog, timeout: int = LIMIT) -> tuple[str, float]:
    """Execute ``example`` (as lessonsrc/demo.py): the failure's message and seconds from its first cell to the failure.

    Timed from the kernel being ready (its start, importing torch, takes
    seconds on a loaded machine and is not the example's time).
    """
    src = make_project(tmp_path, example) / "lessonsrc"
    caplog.set_level("DEBUG", logger="mkdocs.plugins.lesson")
    with pytest.raises(ExampleStopped) as info:
        executed_examples(src, tmp_path / "cache", timeout=timeout)
    failed = time.time()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"Running example {src / 'demo.py'} (time limit ") for m in messages)  # named as it starts
    ready = [r.created for r in caplog.records if r.getMessage().endswith("kernel ready, running its cells")]
    return str(info.value), failed - ready[-1]


@pytest.mark.slow
@pytest.mark.parametrize("example, first, line", [
    (HANG, f"demo.py:6: example failed in cell 2: timed out after {LIMIT} s", "while True:"),
    (SLEEP, f"demo.py:4: example failed in cell 1: timed out after {LIMIT} s", "time.sleep(10**6)"),
], ids=["while-true", "sleep"])
def test_a_cell_over_its_limit_fails_with_the_line_it_was_running(tmp_path, caplog, example, first, line):
    """A cell still running at the limit is interrupted; the error names the file, the line it was on and the cell."""
    message, seconds = run_alone(tmp_path, example, caplog)
    assert message.splitlines()[0].endswith("lessonsrc/" + first)
    assert message.splitlines()[1].strip() == line
    assert seconds < LIMIT + 6  # the limit, then at most 4 s for the interrupted kernel to say where it was


@pytest.mark.slow
def test_an_example_that_kills_its_interpreter_fails_at_once(tmp_path, caplog):
    """``os._exit(1)`` is a dead kernel: reported with its exit code within seconds, not waited for until the limit."""
    message, seconds = run_alone(tmp_path, EXIT, caplog, timeout=600)
    assert message.splitlines()[0].endswith("lessonsrc/demo.py:2: example failed in cell 1: the kernel died (exit code 1)")
    assert seconds < 5  # nbclient checks the kernel once a second; the limit (600 s) is far away


@pytest.mark.slow
def test_an_example_header_sets_its_own_limit(tmp_path, caplog):
    """``lesson: timeout:`` in the jupytext header overrides the configured limit, for that example only."""
    header = "# ---\n# jupyter:\n#   lesson:\n#     timeout: 1\n# ---\n\n"
    message, seconds = run_alone(tmp_path, header + SLEEP, caplog, timeout=600)
    assert "example failed in cell 1: timed out after 1 s" in message.splitlines()[0]
    assert seconds < 1 + 6


@pytest.mark.slow
def test_the_build_names_the_running_example_and_fails_on_time(tmp_path):
    """The plugin's ``timeout`` option limits every example; the build log names each one as it starts."""
    project = make_project(tmp_path, SLEEP, options=f"timeout: {LIMIT}")
    result = build(project, "--strict")
    assert result.returncode != 0
    assert f"Running example lessonsrc/demo.py (time limit {LIMIT} s)" in result.log
    assert result.first_error == f"ERROR   -  lessonsrc/demo.py:4: example failed in cell 1: timed out after {LIMIT} s"
    assert not (project / "site" / "examples").exists()


@pytest.mark.slow
def test_a_limit_that_is_not_a_positive_number_is_a_configuration_error(tmp_path):
    """``timeout: 0`` is refused when the configuration is read, naming the option."""
    result = build(make_project(tmp_path, SLEEP, options="timeout: 0"))
    assert result.returncode != 0
    assert "timeout" in result.log and "expected a whole number above 0, got 0" in result.log
    assert "Running example" not in result.log


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_build_stops_its_kernels(tmp_path, signum):
    """SIGTERM or Ctrl-C (SIGINT) to a build running an example unwinds it: the kernel is stopped before the build exits.

    (An orphaned ipykernel notices its parent is gone and quits within about a
    second; this checks the build does not leave that to chance.)
    """
    pid_file = tmp_path / "kernel.pid"
    example = f"# %%\nimport os, pathlib, time\npathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\ntime.sleep(10**6)\n"
    project = make_project(tmp_path / "project", example)
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "build"], cwd=project,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not pid_file.is_file() or not pid_file.read_text():
            assert time.monotonic() < deadline and process.poll() is None, "the example never started"
            time.sleep(0.2)
        kernel = int(pid_file.read_text())
        process.send_signal(signum)
        _, log = process.communicate(timeout=20)
        assert process.returncode > 0  # unwound and exited, not killed by the signal
        assert "Traceback" not in log and "Task exception" not in log  # nothing left half-done on the event loop
        time.sleep(0.2)  # for init to reap it, had the build not
        assert not _alive(kernel), "the example's kernel outlived the build"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
