"""Execute example notebooks, each in a fresh Jupyter kernel of its own, under a time limit.

A fresh interpreter is the only reset that provably covers everything an
example can change: RNG state, default dtype, thread count, backend flags
(TF32, cuDNN), the working directory and imported modules. Starting a kernel
and importing torch costs about 1.5 s, so the next example's kernel is
launched (and imports torch) while the current example runs: the start-up
overlaps the work instead of adding to it.

The kernels are ``AsyncKernelManager``s, the kind nbclient's
``NotebookClient`` is written for: its output poll, its time-out and its
dead-kernel check (once a second) all run on one event loop. (A synchronous
``KernelManager`` gives it a blocking client whose output poll never yields,
so a cell that never finishes hung the build.)
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import math
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_event_loop, run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

from sitelib.examples.errors import ExampleFailed, ExampleStopped, code_cell_lines, display_path

log = logging.getLogger("mkdocs.plugins.lesson")


def _not_said_better(record: logging.LogRecord) -> bool:
    """False for nbclient's own time-out and dead-kernel lines: the build's error says them with file and line."""
    return not record.getMessage().startswith(("Timeout waiting for execute reply", "Interrupting kernel",
                                               "Kernel died while waiting"))


# nbclient's other messages (a lost output's "Timeout waiting for IOPub output") reach the build's log.
_NBCLIENT_LOG = logging.getLogger("mkdocs.plugins.lesson.nbclient")
_NBCLIENT_LOG.addFilter(_not_said_better)
_NBCLIENT_LOG.setLevel(logging.INFO)  # not every kernel message, even under mkdocs --verbose

# Runs first in every kernel: imports torch (the slow part, done while the
# previous example runs) and describes the machine the outputs come from.
_PROBE = """
import json as _json, platform as _platform, torch as _torch
from sitelib.timings.measure import cpu_model as _cpu_model
def _lesson_machine():
    gpu = _torch.cuda.get_device_name(0) if _torch.cuda.is_available() else None
    return _json.dumps({"cpu": _cpu_model(), "gpu": gpu, "torch": _torch.__version__,
                        "cuda": _torch.version.cuda, "python": _platform.python_version()})
"""
_START_TIMEOUT = 180  # seconds for a kernel to start and import torch on a loaded 2-core machine
_TIMED_OUT = "LessonTimeLimit"  # the ename of the reply nbclient makes up when a cell runs out of time


@dataclass
class Execution:
    """An executed notebook and where, when and how fast it ran."""

    notebook: nbformat.NotebookNode
    seconds: float
    machine: dict = field(default_factory=dict)
    executed_at: str = ""

    @property
    def meta(self) -> dict:
        return {"seconds": self.seconds, "machine": self.machine, "executed_at": self.executed_at}


@dataclass(frozen=True)
class Job:
    """One example to run: its file, its notebook, its scratch folder, its package's parent, its time limit."""

    path: Path
    notebook: nbformat.NotebookNode
    cwd: Path
    import_root: Path  # put on the kernel's path, so ``import lessonsrc.helper`` works from the scratch folder
    limit: int  # seconds


def parse_machine(text_plain: str) -> dict:
    """The machine description from the probe's ``text/plain`` (a Python ``repr`` of a JSON string).

    ``ast.literal_eval`` undoes the repr exactly, so quotes, ® and CJK in a
    CPU or GPU name come through intact.

    >>> parse_machine(repr('{"cpu": "Intel(R) Xeon(R) 8480+ \\\\u2019s \\\\u00ae", "gpu": "\\\\u6f14\\\\u793a"}'))
    {'cpu': 'Intel(R) Xeon(R) 8480+ ’s ®', 'gpu': '演示'}
    """
    return json.loads(ast.literal_eval(text_plain))


def describe_exit(code: int | None) -> str:
    """What a dead kernel's exit status means, for the build's message.

    >>> describe_exit(1), describe_exit(-9), describe_exit(None)
    ('the kernel died (exit code 1)', 'the kernel died (killed by signal 9)', 'the kernel died')
    """
    if code is None:
        return "the kernel died"
    return f"the kernel died (killed by signal {-code})" if code < 0 else f"the kernel died (exit code {code})"


class KernelStartFailed(Exception):
    """An example's kernel died or hung before it could run anything (while importing torch, say)."""


class Kernel:
    """One kernel process for one example: launched at once, ready when its probe has answered."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        # IPC sockets: no TCP ports and no "unencrypted TCP" warning. Their path
        # must stay under ~100 bytes, so they live in a short temp dir.
        self._sockets: str | None = tempfile.mkdtemp(prefix="lesson-kernel-")
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"))
        run_sync(self.km.start_kernel)(cwd=str(cwd), env=env)
        # The probe goes through a blocking client of its own: waiting for it needs no event loop.
        self._kc = self.km.blocking_client()
        self._kc.start_channels()
        # Queued now, answered once the kernel is up and torch is imported.
        self._probe = self._kc.execute(_PROBE, silent=False, store_history=False,
                                       user_expressions={"m": "_lesson_machine()"})
        self.machine: dict | None = None

    def exit_code(self) -> int | None:
        """The kernel process's exit status, or None while it runs."""
        process = getattr(self.km.provisioner, "process", None)
        return process.poll() if process is not None else None

    def ready(self) -> dict:
        """Wait for the probe; return the machine description."""
        if self.machine is None:
            deadline = time.monotonic() + _START_TIMEOUT
            while True:
                try:
                    reply = self._kc.get_shell_msg(timeout=1.0)
                except Empty:
                    if self.exit_code() is not None:
                        raise KernelStartFailed(f"its kernel could not start: {describe_exit(self.exit_code())}") from None
                    if time.monotonic() > deadline:
                        raise KernelStartFailed(f"its kernel did not start within {_START_TIMEOUT} s") from None
                    continue
                if reply["parent_header"].get("msg_id") == self._probe:
                    break
            self._kc.stop_channels()
            expr = reply["content"].get("user_expressions", {}).get("m", {})
            if reply["content"]["status"] != "ok" or expr.get("status") != "ok":
                detail = reply["content"].get("evalue") or expr.get("evalue")
                raise KernelStartFailed(f"its kernel could not start: {detail}")
            self.machine = parse_machine(expr["data"]["text/plain"])
        return self.machine

    def close(self) -> None:
        if self._sockets is None:
            return  # already closed
        try:
            _drop_pending_tasks()
            self._kc.stop_channels()
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # the event loop was interrupted too: kill the process directly
                process = getattr(self.km.provisioner, "process", None)
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait(5)
        finally:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None


def _drop_pending_tasks() -> None:
    """Cancel what an interrupted cell left on this thread's event loop (else it ends later, unheard, with
    "Task exception was never retrieved")."""
    loop = ensure_event_loop()
    if loop.is_running():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def kernel_env(import_root: Path | None = None) -> dict[str, str]:
    """The environment of every example kernel: this one, made reproducible, with ``import_root`` importable."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"  # set iteration order is part of some outputs
    # The inline backend puts plt.show() figures into the notebook (Agg would drop them), never a window.
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a .pyc written into lessonsrc/ would make mkdocs serve rebuild again
    if import_root is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(import_root), env.get("PYTHONPATH", "")) if p)
    return env


def _error_traceback(cell: nbformat.NotebookNode) -> str:
    """The traceback the kernel printed into ``cell`` (after an interrupt, it shows where the cell was)."""
    return "\n".join("\n".join(o.get("traceback", [])) for o in cell.get("outputs", []) if o.get("output_type") == "error")


def run_in(kernel: Kernel, job: Job) -> Execution:
    """Execute ``job``'s notebook in ``kernel`` within its time limit; raise ExampleFailed or ExampleStopped."""
    notebook, path = job.notebook, job.path
    try:
        machine = kernel.ready()
    except KernelStartFailed as error:
        raise KernelStartFailed(f"{display_path(path)}: {error}") from None
    log.debug("Example %s: kernel ready, running its cells", display_path(path))  # its time limit starts now
    # On time-out nbclient interrupts the kernel, gives it iopub_timeout (4 s) to print where it
    # was (KeyboardInterrupt), then answers with this made-up error instead of waiting any longer.
    client = NotebookClient(notebook, km=kernel.km, timeout=job.limit, allow_errors=False,
                            interrupt_on_timeout=True, log=_NBCLIENT_LOG,
                            error_on_timeout={"ename": _TIMED_OUT, "evalue": "", "traceback": []})
    executed_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    start = time.perf_counter()
    deadline = time.monotonic() + job.limit
    count = 0
    index = 0
    by_count: dict[int, int] = {}  # the kernel's In[n] -> cell index
    with client.setup_kernel():
        try:
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    count += 1
                    by_count[count] = index
                    client.timeout = max(1, math.ceil(deadline - time.monotonic()))  # the example's limit, not each cell's
                    client.execute_cell(cell, index, execution_count=count)
        except CellExecutionError as error:
            lines = code_cell_lines(notebook, path.read_text(encoding="utf-8"))
            if error.ename == _TIMED_OUT:
                raise ExampleStopped(path, notebook, index, lines, by_count, f"timed out after {job.limit} s",
                                     _error_traceback(notebook.cells[index])) from None
            raise ExampleFailed(path, notebook, index, lines, by_count, error) from None
        except DeadKernelError:
            lines = code_cell_lines(notebook, path.read_text(encoding="utf-8"))
            code = _wait_exit(kernel)
            raise ExampleStopped(path, notebook, index, lines, by_count, describe_exit(code), "") from None
        finally:
            client.kc.stop_channels()
    return Execution(notebook, round(time.perf_counter() - start, 3), dict(machine), executed_at)


def _wait_exit(kernel: Kernel, seconds: float = 2.0) -> int | None:
    """The dead kernel's exit status (the process may take a moment to be reaped)."""
    deadline = time.monotonic() + seconds
    while kernel.exit_code() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return kernel.exit_code()


@contextmanager
def _sigterm_as_interrupt():
    """While examples run, SIGTERM unwinds like Ctrl-C, so every ``finally`` stops its kernel."""
    if threading.current_thread() is not threading.main_thread():  # mkdocs serve rebuilds in a thread
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def execute_each(jobs: Iterable[Job]) -> Iterator[tuple[Path, Execution]]:
    """Run each job in a fresh kernel, launching the next kernel ahead of time."""
    pending = list(jobs)
    kernels: list[Kernel] = []
    with _sigterm_as_interrupt():
        try:
            if pending:
                kernels.append(Kernel(pending[0].cwd, kernel_env(pending[0].import_root)))
            for i, job in enumerate(pending):
                if i + 1 < len(pending):
                    kernels.append(Kernel(pending[i + 1].cwd, kernel_env(pending[i + 1].import_root)))
                log.info("Running example %s (time limit %d s)", display_path(job.path), job.limit)
                try:
                    yield job.path, run_in(kernels[i], job)
                finally:
                    kernels[i].close()
        finally:
            for kernel in kernels:
                kernel.close()
