"""Execute example notebooks, each in a fresh Jupyter kernel of its own.

A fresh interpreter is the only reset that provably covers everything an
example can change: RNG state, default dtype, thread count, backend flags
(TF32, cuDNN), the working directory and imported modules. Starting a kernel
and importing torch costs about 1.5 s, so the next example's kernel is
launched (and imports torch) while the current example runs: the start-up
overlaps the work instead of adding to it.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from sitelib.example_errors import ExampleFailed, code_cell_lines

# Runs first in every kernel: imports torch (the slow part, done while the
# previous example runs) and describes the machine the outputs come from.
_PROBE = """
import json as _json, platform as _platform, torch as _torch
from sitelib.timings_measure import cpu_model as _cpu_model
def _lesson_machine():
    gpu = _torch.cuda.get_device_name(0) if _torch.cuda.is_available() else None
    return _json.dumps({"cpu": _cpu_model(), "gpu": gpu, "torch": _torch.__version__,
                        "python": _platform.python_version()})
"""
_START_TIMEOUT = 180  # seconds for a kernel to start and import torch on a loaded 2-core machine


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


def parse_machine(text_plain: str) -> dict:
    """The machine description from the probe's ``text/plain`` (a Python ``repr`` of a JSON string).

    ``ast.literal_eval`` undoes the repr exactly, so quotes, ® and CJK in a
    CPU or GPU name come through intact.

    >>> parse_machine(repr('{"cpu": "Intel(R) Xeon(R) 8480+ \\\\u2019s \\\\u00ae", "gpu": "\\\\u6f14\\\\u793a"}'))
    {'cpu': 'Intel(R) Xeon(R) 8480+ ’s ®', 'gpu': '演示'}
    """
    return json.loads(ast.literal_eval(text_plain))


class Kernel:
    """One kernel process for one example: launched at once, ready when its probe has answered."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        # IPC sockets: no TCP ports and no "unencrypted TCP" warning. Their path
        # must stay under ~100 bytes, so they live in a short temp dir.
        self._sockets = tempfile.mkdtemp(prefix="lesson-kernel-")
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"))
        self.km.start_kernel(cwd=str(cwd), env=env)
        self._kc = self.km.client()
        self._kc.start_channels()
        # Queued now, answered once the kernel is up and torch is imported.
        self._probe = self._kc.execute(_PROBE, silent=False, store_history=False,
                                       user_expressions={"m": "_lesson_machine()"})
        self.machine: dict | None = None

    def ready(self) -> dict:
        """Wait for the probe; return the machine description."""
        if self.machine is None:
            deadline = time.monotonic() + _START_TIMEOUT
            while True:
                reply = self._kc.get_shell_msg(timeout=max(1.0, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == self._probe:
                    break
            self._kc.stop_channels()
            expr = reply["content"].get("user_expressions", {}).get("m", {})
            if reply["content"]["status"] != "ok" or expr.get("status") != "ok":
                detail = reply["content"].get("evalue") or expr.get("evalue")
                raise RuntimeError(f"could not start an example kernel: {detail}")
            self.machine = parse_machine(expr["data"]["text/plain"])
        return self.machine

    def close(self) -> None:
        if self._sockets is None:
            return  # already closed
        try:
            self._kc.stop_channels()
            self.km.shutdown_kernel(now=True)
        finally:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None


def kernel_env() -> dict[str, str]:
    """The environment of every example kernel: this one, made reproducible."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"  # set iteration order is part of some outputs
    # The inline backend puts plt.show() figures into the notebook (Agg would drop them), never a window.
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a .pyc written into lessonsrc/ would make mkdocs serve rebuild again
    return env


def run_in(kernel: Kernel, notebook: nbformat.NotebookNode, path: Path, timeout: int = 600) -> Execution:
    """Execute ``notebook`` (read from ``path``) in ``kernel``; raise ExampleFailed on error."""
    machine = kernel.ready()
    client = NotebookClient(notebook, km=kernel.km, timeout=timeout, allow_errors=False)
    executed_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    start = time.perf_counter()
    count = 0
    by_count: dict[int, int] = {}  # the kernel's In[n] -> cell index
    with client.setup_kernel():
        try:
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    count += 1
                    by_count[count] = index
                    client.execute_cell(cell, index, execution_count=count)
        except CellExecutionError as error:
            lines = code_cell_lines(notebook, path.read_text(encoding="utf-8"))
            raise ExampleFailed(path, notebook, index, lines, by_count, error) from None
        finally:
            client.kc.stop_channels()
    return Execution(notebook, round(time.perf_counter() - start, 3), dict(machine), executed_at)


def execute_each(jobs: Iterable[tuple[Path, nbformat.NotebookNode, Path]]) -> Iterator[tuple[Path, Execution]]:
    """Run each ``(path, notebook, cwd)`` in a fresh kernel, launching the next kernel ahead of time."""
    env = kernel_env()
    pending = list(jobs)
    kernels: list[Kernel] = []
    try:
        if pending:
            kernels.append(Kernel(pending[0][2], env))
        for i, (path, notebook, _cwd) in enumerate(pending):
            if i + 1 < len(pending):
                kernels.append(Kernel(pending[i + 1][2], env))
            try:
                yield path, run_in(kernels[i], notebook, path)
            finally:
                kernels[i].close()
    finally:
        for kernel in kernels:
            kernel.close()
