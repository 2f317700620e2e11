"""Run one example's cells in one kernel, under the example's time limit.

The limit is the example's, not each cell's: every cell gets what is left of
it. A cell that fails, a kernel that dies and a limit that runs out each raise
an error that names the example's own line (sitelib.examples.errors).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

from sitelib.examples.errors import ExampleFailed, ExampleStopped, code_cell_lines, display_path
from sitelib.examples.kernels import Kernel, KernelStartFailed, describe_exit

log = logging.getLogger("mkdocs.plugins.lesson")


def _not_said_better(record: logging.LogRecord) -> bool:
    """False for nbclient's own time-out and dead-kernel lines: the build's error says them with file and line."""
    return not record.getMessage().startswith(("Timeout waiting for execute reply", "Interrupting kernel",
                                               "Kernel died while waiting"))


# nbclient's other messages (a lost output's "Timeout waiting for IOPub output") reach the build's log.
_NBCLIENT_LOG = logging.getLogger("mkdocs.plugins.lesson.nbclient")
_NBCLIENT_LOG.addFilter(_not_said_better)
_NBCLIENT_LOG.setLevel(logging.INFO)  # not every kernel message, even under mkdocs --verbose

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


def _error_traceback(cell: nbformat.NotebookNode) -> str:
    """The traceback the kernel printed into ``cell`` (after an interrupt, it shows where the cell was)."""
    return "\n".join("\n".join(o.get("traceback", [])) for o in cell.get("outputs", []) if o.get("output_type") == "error")


def run_in(kernel: Kernel, job: Job) -> Execution:
    """Execute ``job``'s notebook in ``kernel`` within its time limit; raise ExampleFailed or ExampleStopped."""
    notebook, path = job.notebook, job.path
    try:
        machine = kernel.ready(job.cwd)
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
    try:
        client.kc = kernel.notebook_client()  # so setup_kernel() makes none (see Kernel.notebook_client)
    except KernelStartFailed as error:
        raise KernelStartFailed(f"{display_path(path)}: {error}") from None
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
