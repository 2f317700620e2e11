"""Execute example notebooks in one shared Jupyter kernel.

Starting a kernel and importing torch costs about 1.6 s; paying it once per
build instead of once per page is most of the build's speed. Each example
still starts from an empty namespace (``%reset -f``), so examples cannot lean
on each other's variables. The kernel is new for every build, so an edited
helper module is imported afresh.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# Runs once in the fresh kernel: imports torch (the slow part, shared by every
# example) and reports the machine the outputs are produced on.
_PROBE = """
import json as _json, platform as _platform, torch as _torch
from sitelib.timings_measure import cpu_model as _cpu_model
def _lesson_machine():
    gpu = _torch.cuda.get_device_name(0) if _torch.cuda.is_available() else None
    return _json.dumps({"cpu": _cpu_model(), "gpu": gpu, "torch": _torch.__version__,
                        "python": _platform.python_version()})
"""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ExampleFailed(Exception):
    """An example raised: names the file, the cell and the line where that cell starts."""

    def __init__(self, path: Path, cell_index: int, line: int, error: CellExecutionError):
        self.path, self.cell_index, self.line = path, cell_index, line
        summary = f"{error.ename}: {error.evalue}"
        traceback = _ANSI.sub("", error.traceback)  # IPython colours it; build logs are plain text
        super().__init__(f"Example {path} failed in cell {cell_index} (line {line}): {summary}\n{traceback}")


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


def cell_lines(source: str) -> list[int]:
    """1-based line numbers where the ``# %%`` cells of a percent-format file start.

    >>> cell_lines("# ---\\n# x: 1\\n# ---\\n\\n# %% [markdown]\\n# hi\\n\\n# %%\\nx = 1\\n")
    [5, 8]
    """
    return [n for n, line in enumerate(source.splitlines(), start=1) if line.startswith("# %%")]


class KernelSession:
    """One kernel for a whole build, started on first use and shut down on ``close``."""

    def __init__(self, cwd: Path, timeout: int = 600):
        self.cwd, self.timeout = cwd, timeout
        self._km: KernelManager | None = None
        self._sockets: str | None = None
        self.machine: dict = {}

    def _start(self) -> KernelManager:
        # IPC sockets: no TCP ports and no "unencrypted TCP" warning. Their path
        # must stay under ~100 bytes, so they live in a short temp dir, not in cwd.
        self._sockets = tempfile.mkdtemp(prefix="lesson-kernel-")
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"))
        km.start_kernel(cwd=str(self.cwd))
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            reply = kc.execute_interactive(
                _PROBE, user_expressions={"m": "_lesson_machine()"}, timeout=120, output_hook=lambda msg: None
            )
            expr = reply["content"]["user_expressions"]["m"]
            if expr.get("status") != "ok":
                raise RuntimeError(f"could not start the example kernel: {expr.get('evalue')}")
            self.machine = json.loads(expr["data"]["text/plain"].strip("'"))
        finally:
            kc.stop_channels()
        return km

    def _reset(self) -> None:
        kc = self._km.client()
        kc.start_channels()
        try:
            kc.execute_interactive("get_ipython().run_line_magic('reset', '-f')", timeout=60, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()

    def run(self, notebook: nbformat.NotebookNode, path: Path) -> Execution:
        """Execute ``notebook`` (read from ``path``) in a fresh namespace; raise ExampleFailed on error."""
        if self._km is None:
            self._km = self._start()
        else:
            self._reset()
        lines = cell_lines(path.read_text(encoding="utf-8"))
        client = NotebookClient(notebook, km=self._km, timeout=self.timeout, allow_errors=False)
        executed_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        start = time.perf_counter()
        count = 0
        with client.setup_kernel():
            try:
                for index, cell in enumerate(notebook.cells):
                    if cell.cell_type == "code":
                        count += 1
                        client.execute_cell(cell, index, execution_count=count)
            except CellExecutionError as error:
                line = lines[index] if index < len(lines) else 0
                raise ExampleFailed(path, index, line, error) from None
            finally:
                client.kc.stop_channels()
        return Execution(notebook, round(time.perf_counter() - start, 3), dict(self.machine), executed_at)

    def close(self) -> None:
        if self._km is not None:
            self._km.shutdown_kernel(now=True)
            self._km = None
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None
