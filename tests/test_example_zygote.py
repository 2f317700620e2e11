"""Kernels forked from a zygote (sitelib/examples/zygote.py): the same outputs as new processes, RNGs of
their own, exit codes and kills that reach them, a fallback to new processes whenever the zygote cannot
serve, and no process left behind."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from example_project import make_project
from kernel_processes import leftovers_of
from sitelib.examples.errors import ExampleStopped
from sitelib.examples.kernels import Kernel, kernel_env
from sitelib.examples.notebooks import executed_examples
from sitelib.examples.spares import SpareKernels
from sitelib.examples.zygote_client import ENV_SWITCH, ForkedProcess, Zygote, supported, wanted

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not supported(), reason="forking kernels needs Linux")]

ROOT = Path(__file__).resolve().parent.parent

# What could differ between a forked kernel and a new process: paths, argv, environment, hash seed,
# set order, thread and dtype settings, seeded RNGs, the inline figure hook.
FACTS = """\
# %%
import os, sys, random
import numpy as np, torch
print(os.path.basename(os.getcwd()), [p.replace(os.getcwd(), 'CWD') for p in sys.path][:3])
print(sys.argv[0].endswith('ipykernel_launcher.py'), sys.argv[1], sys.orig_argv[1:3])
print(os.environ['PYTHONHASHSEED'], os.environ['MPLBACKEND'], sorted(k for k in os.environ if k.startswith(('PYTHON', 'JPY', 'MPL'))))
print(list({'pear', 'fig', 'apple', 'kiwi', 'plum'}), hash('lesson'), sys.dont_write_bytecode)
print(torch.get_num_threads(), torch.get_default_dtype(), np.get_printoptions()['precision'])
torch.manual_seed(0); np.random.seed(0); random.seed(0)
print(torch.rand(3), np.random.rand(2), random.random())

# %%
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [3, 1, 2]); plt.title('zygote'); plt.show()
"""


# Whether the kernel is a zygote's child (its outputs differ by design, so they are not compared).
PARENT = """\
# %%
import os
print('forked' if b'sitelib.examples.zygote' in open(f'/proc/{os.getppid()}/cmdline', 'rb').read() else 'new')
"""


def with_parent_check(root: Path, example: str) -> Path:
    """A project with ``example`` and PARENT: two jobs, run one at a time, so the build starts a zygote."""
    project = make_project(root, example)
    (project / "lessonsrc" / "parent.py").write_text(PARENT, encoding="utf-8")
    return project


def printed(notebook) -> str:
    return "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))


def outputs(notebook) -> list:
    return [cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"]


def run(kernel: Kernel, code: str) -> str:
    """What ``code`` prints in ``kernel`` (after its probe)."""
    kernel.ready()
    client = kernel.km.blocking_client()
    client.start_channels(hb=False)  # see kernels.HeartbeatlessClient
    printed = []
    try:
        client.execute_interactive(code, timeout=60, output_hook=lambda m: printed.append(m["content"].get("text", "")))
    finally:
        client.stop_channels()
    return "".join(printed)


def wait_for(condition, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


@pytest.fixture
def env():
    return kernel_env(ROOT)


def test_forked_kernels_give_the_outputs_of_new_processes(tmp_path, monkeypatch):
    """An example's executed outputs (text and figure) are the same with and without the zygote."""
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    src = with_parent_check(tmp_path / "project", FACTS) / "lessonsrc"
    forked = executed_examples(src, tmp_path / "forked", zygote=True, workers=1)
    fresh = executed_examples(src, tmp_path / "fresh", zygote=False, workers=1)
    assert (printed(forked[src / "parent.py"].notebook), printed(fresh[src / "parent.py"].notebook)) \
        == ("forked\n", "new\n")
    assert outputs(forked[src / "demo.py"].notebook) == outputs(fresh[src / "demo.py"].notebook)
    assert any("image/png" in o.get("data", {}) for o in outputs(forked[src / "demo.py"].notebook)[1])  # inline
    lesson = ROOT / "lessonsrc"
    examples = [lesson / "autograd_basics.py", lesson / "tensors_basics.py"]
    both = [executed_examples(lesson, tmp_path / f"lesson-{z}", only=examples, zygote=z, workers=1)
            for z in (True, False)]
    for example in examples:
        assert outputs(both[0][example].notebook) == outputs(both[1][example].notebook), example.name
    assert leftovers_of(psutil.Process()) == []


def test_forked_kernels_are_the_zygotes_children_with_random_states_of_their_own(tmp_path, env):
    """Two kernels forked from one zygote: its children, in sessions of their own, with different RNG states."""
    zygote = Zygote(env)
    try:
        kernels = [Kernel(tmp_path, env, zygote) for _ in range(2)]
        try:
            code = ("import os, random, numpy as np, torch\n"
                    "print(np.random.random(), torch.initial_seed(), torch.rand(1).item(), random.random(),"
                    " os.getsid(0) == os.getpid())")
            seen = [run(kernel, code).split() for kernel in kernels]
            for kernel in kernels:
                process = kernel.km.provisioner.process
                assert isinstance(process, ForkedProcess)
                assert psutil.Process(process.pid).ppid() == zygote.process.pid
            assert seen[0][4] == seen[1][4] == "True"
            assert all(a != b for a, b in zip(seen[0][:4], seen[1][:4])), seen  # no RNG state shared
        finally:
            for kernel in kernels:
                kernel.close()
    finally:
        zygote.close()
    assert leftovers_of(psutil.Process()) == []


def test_exit_codes_and_kills_reach_forked_kernels(tmp_path, env):
    """A forked kernel's exit code and a kill's signal come back through ``Kernel.exit_code()``."""
    zygote = Zygote(env)
    try:
        exiting, killed = Kernel(tmp_path, env, zygote), Kernel(tmp_path, env, zygote)
        try:
            exiting.ready()
            client = exiting.km.blocking_client()
            client.start_channels(hb=False)  # see kernels.HeartbeatlessClient
            try:
                client.execute("import os; os._exit(3)")
                assert wait_for(lambda: exiting.exit_code() is not None) and exiting.exit_code() == 3
            finally:  # only now: closing the channels at once could drop the request
                client.stop_channels()
            killed.ready()
            killed.kill()
            assert wait_for(lambda: killed.exit_code() is not None) and killed.exit_code() == -signal.SIGKILL
        finally:
            exiting.close()
            killed.close()
    finally:
        zygote.close()
    assert leftovers_of(psutil.Process()) == []


def test_a_time_limit_kills_the_forked_kernels_process_group(tmp_path, monkeypatch):
    """A looping cell runs out of time; the kernel and a process it started in its group are killed."""
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    pid_file = tmp_path / "sleep.pid"
    example = ("# %%\nimport os, subprocess, pathlib\n"
               "child = subprocess.Popen(['sleep', '120'])\n"
               "forked = b'sitelib.examples.zygote' in open(f'/proc/{os.getppid()}/cmdline', 'rb').read()\n"
               f"pathlib.Path({str(pid_file)!r}).write_text(f'{{child.pid}} {{forked}}')\n"
               "while True:\n    pass\n")
    project = with_parent_check(tmp_path / "project", example)
    (project / "lessonsrc" / "demo.py").rename(project / "lessonsrc" / "a_loop.py")  # runs first
    with pytest.raises(ExampleStopped, match="timed out after 3 s"):
        executed_examples(project / "lessonsrc", tmp_path / "cache", timeout=3, zygote=True, workers=1)
    sleeper, forked = pid_file.read_text().split()
    sleeper = int(sleeper)
    assert forked == "True"

    def gone():
        try:
            return psutil.Process(sleeper).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True
    assert wait_for(gone), "the kernel's child outlived it"
    assert leftovers_of(psutil.Process()) == []


def test_a_zygote_that_cannot_start_leaves_kernels_to_new_processes(tmp_path, env, caplog):
    """A zygote that exits at once: the kernel starts as a new process, and the log says why."""
    zygote = Zygote(env, command=[sys.executable, "-c", "raise SystemExit(3)"])
    try:
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
            kernel = Kernel(tmp_path, env, zygote)
        try:
            assert kernel.ready()["python"]
            assert isinstance(kernel.km.provisioner.process, subprocess.Popen)
        finally:
            kernel.close()
    finally:
        zygote.close()
    assert "the zygote exited (status 3); starting each as a new process instead" in caplog.text
    assert leftovers_of(psutil.Process()) == []


def test_a_zygote_that_dies_takes_its_kernels_and_later_ones_start_as_processes(tmp_path, env, caplog):
    """Killing the zygote kills its kernels (reported as SIGKILL); the next kernel is a new process."""
    zygote = Zygote(env)
    try:
        kernel = Kernel(tmp_path, env, zygote)
        try:
            kernel.ready()
            zygote.process.kill()
            assert wait_for(lambda: kernel.exit_code() is not None) and kernel.exit_code() == -signal.SIGKILL
        finally:
            kernel.close()
        with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
            later = Kernel(tmp_path, env, zygote)
        try:
            assert later.ready()["python"] and isinstance(later.km.provisioner.process, subprocess.Popen)
        finally:
            later.close()
    finally:
        zygote.close()
    assert "the zygote exited (status -9)" in caplog.text
    assert leftovers_of(psutil.Process()) == []


def test_a_kernel_whose_environment_differs_is_not_forked(tmp_path, env):
    """The hash seed and sys.path are fixed when the zygote starts: another environment gets a new process."""
    zygote = Zygote(env)
    try:
        kernel = Kernel(tmp_path, {**env, "PYTHONHASHSEED": "1"}, zygote)
        try:
            assert isinstance(kernel.km.provisioner.process, subprocess.Popen)
            assert run(kernel, "import os; print(os.environ['PYTHONHASHSEED'])").strip() == "1"
        finally:
            kernel.close()
    finally:
        zygote.close()
    assert leftovers_of(psutil.Process()) == []


def test_a_spare_can_be_forked_and_runs_its_example_as_a_new_process_would(tmp_path, monkeypatch):
    """Under serve the project's zygote forks the spare once it is ready; the example's outputs are unchanged."""
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    project = with_parent_check(tmp_path / "project", FACTS)
    src = project / "lessonsrc"
    fresh = executed_examples(src, tmp_path / "fresh", zygote=False, only=[src / "demo.py"])[src / "demo.py"].notebook
    spares = SpareKernels(project)
    try:
        env = kernel_env(project)
        Kernel(tmp_path, env, spares.zygotes().for_env(env)).close()  # waits until the zygote is ready
        spares.refill()
        assert isinstance(spares._kernel.km.provisioner.process, ForkedProcess)
        warm = executed_examples(src, tmp_path / "warm", spares=spares, only=[src / "demo.py"])[src / "demo.py"].notebook
    finally:
        spares.close()
    assert outputs(warm) == outputs(fresh)
    assert leftovers_of(psutil.Process()) == []


def test_the_switch(monkeypatch):
    """On by default where supported; the option or LESSON_ZYGOTE=0 turns it off, LESSON_ZYGOTE=1 on."""
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    assert wanted(True) and not wanted(False)
    monkeypatch.setenv(ENV_SWITCH, "0")
    assert not wanted(True)
    monkeypatch.setenv(ENV_SWITCH, "1")
    assert wanted(False)
