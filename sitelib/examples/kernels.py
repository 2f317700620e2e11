"""One Jupyter kernel process for one example: launched, probed (torch imported), moved, closed.

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
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_event_loop, run_sync

from sitelib.examples.zygote_client import Zygote, ZygoteProvisioner

# Runs first in every kernel: imports torch (the slow part, done while another
# example runs) and describes the machine the outputs come from.
_PROBE = """
import json as _json, platform as _platform, torch as _torch
from sitelib.timings.measure import cpu_model as _cpu_model
def _lesson_machine():
    gpu = _torch.cuda.get_device_name(0) if _torch.cuda.is_available() else None
    return _json.dumps({"cpu": _cpu_model(), "gpu": gpu, "torch": _torch.__version__,
                        "cuda": _torch.version.cuda, "python": _platform.python_version()})
"""
# A kernel started ahead of need (under serve) runs in a neutral folder until its example is known;
# this moves it there and leaves what a kernel started in that folder would show (no new names).
_MOVE = """
import os as _os, pathlib as _pathlib
_os.chdir({cwd!r})
get_ipython().starting_dir = _os.getcwd()
get_ipython().history_manager.dir_hist[:] = [_pathlib.Path.cwd()]
del _os, _pathlib
"""
_START_TIMEOUT = 180  # seconds for a kernel to start and import torch on a loaded 2-core machine


class HeartbeatlessClient(AsyncKernelClient):
    """nbclient's client of an example kernel: its channels, without the heartbeat channel.

    Whether the kernel lives comes from its process (the client asks its
    manager), so the heartbeat is never read. And jupyter_client 8.10's
    ``HBChannel`` sets ``_running`` only after its thread made its socket: a
    client stopped before that (on a loaded machine, a forked kernel answers
    that fast) leaves the thread remaking its socket without a pause, each
    old one lingering 1 s, until the context's 1023 sockets are used up
    ("Too many open files").
    """

    def start_channels(self, shell=True, iopub=True, stdin=True, hb=False, control=True):
        super().start_channels(shell, iopub, stdin, hb, control)


async def _connected(kc: AsyncKernelClient, timeout: float) -> None:
    """Return once ``kc``'s IOPub channel is subscribed (a message of the kernel's reached it).

    What jupyter_client's ``wait_for_ready`` makes sure of, without its last step:
    it then reads IOPub until 0.2 s pass without a message, so every example
    waited 0.2 s (an edited example's whole run took 0.44 s). Nothing needs
    that quiet: nbclient takes only the messages answering its own requests.
    """
    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        while True:  # the reply: the kernel answers on its shell channel
            left = deadline - time.monotonic()
            if left <= 0:
                raise KernelStartFailed(f"its kernel did not answer within {timeout:g} s")
            try:
                reply = await kc.get_shell_msg(timeout=left)
            except Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        try:  # its busy and idle status: IOPub hears the kernel (a subscription still joining misses them)
            await kc.iopub_channel.get_msg(timeout=0.2)
            return
        except Empty:
            continue


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


class Kernel:
    """One kernel process for one example: launched at once, ready when its probe has answered.

    ``cwd=None`` starts it in a neutral temporary folder of its own (a spare,
    see sitelib.examples.spares); :meth:`ready` moves it to its example's folder.
    With a ``zygote`` (sitelib.examples.zygote_client) the kernel is forked from
    it, else (or when it cannot) started as a new process; ``wait``: whether to
    wait for a zygote still importing.
    """

    def __init__(self, cwd: Path | None, env: dict[str, str], zygote: Zygote | None = None, wait: bool = True):
        self._neutral = tempfile.mkdtemp(prefix="lesson-spare-") if cwd is None else None
        self.cwd = Path(self._neutral) if cwd is None else cwd
        self.env = env
        # IPC sockets: no TCP ports and no "unencrypted TCP" warning. Their path
        # must stay under ~100 bytes, so they live in a short temp dir.
        self._sockets: str | None = tempfile.mkdtemp(prefix="lesson-kernel-")
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"),
                                     client_factory=HeartbeatlessClient)
        if zygote is not None:  # start_kernel makes a provisioner only where there is none yet
            self.km.kernel_id = str(uuid.uuid4())
            self.km.provisioner = ZygoteProvisioner(kernel_id=self.km.kernel_id, kernel_spec=self.km.kernel_spec,
                                                    parent=self.km)
            self.km.provisioner.zygote, self.km.provisioner.wait_for_zygote = zygote, wait
        run_sync(self.km.start_kernel)(cwd=str(self.cwd), env=env)
        # The probe goes through a blocking client of its own: waiting for it needs no event loop.
        self._kc = self.km.blocking_client()
        self._kc.start_channels(hb=False)  # see HeartbeatlessClient
        # Queued now, answered once the kernel is up and torch is imported.
        self._probe = self._kc.execute(_PROBE, silent=False, store_history=False,
                                       user_expressions={"m": "_lesson_machine()"})
        self.machine: dict | None = None

    def exit_code(self) -> int | None:
        """The kernel process's exit status, or None while it runs."""
        process = getattr(self.km.provisioner, "process", None)
        return process.poll() if process is not None else None

    def _reply(self, msg_id: str, deadline: float) -> dict:
        while True:
            try:
                reply = self._kc.get_shell_msg(timeout=1.0)
            except Empty:
                if self.exit_code() is not None:
                    raise KernelStartFailed(f"its kernel could not start: {describe_exit(self.exit_code())}") from None
                if time.monotonic() > deadline:
                    raise KernelStartFailed(f"its kernel did not start within {_START_TIMEOUT} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def ready(self, cwd: Path | None = None) -> dict:
        """Wait for the probe (and move to ``cwd`` if the kernel started elsewhere); return the machine description."""
        if self.machine is None:
            deadline = time.monotonic() + _START_TIMEOUT
            reply = self._reply(self._probe, deadline)
            expr = reply["content"].get("user_expressions", {}).get("m", {})
            if reply["content"]["status"] != "ok" or expr.get("status") != "ok":
                self._kc.stop_channels()
                detail = reply["content"].get("evalue") or expr.get("evalue")
                raise KernelStartFailed(f"its kernel could not start: {detail}")
            if cwd is not None and cwd != self.cwd:
                moved = self._reply(self._kc.execute(_MOVE.format(cwd=str(cwd)), silent=True, store_history=False),
                                    deadline)
                if moved["content"]["status"] != "ok":
                    self._kc.stop_channels()
                    raise KernelStartFailed(f"its kernel could not move to {cwd}: {moved['content'].get('evalue')}")
                self.cwd = cwd
            self._kc.stop_channels()
            self.machine = parse_machine(expr["data"]["text/plain"])
        return self.machine

    def notebook_client(self) -> AsyncKernelClient:
        """A started client for nbclient's ``NotebookClient`` (its ``kc``), IOPub subscribed (:func:`_connected`)."""
        kc = self.km.client()
        kc.start_channels()
        try:
            run_sync(_connected)(kc, 60)
        except BaseException:
            kc.stop_channels()
            raise
        kc.allow_stdin = False  # as nbclient sets it on a client it makes
        return kc

    def kill(self) -> None:
        """Kill the kernel process now (from any thread): whatever waits on it fails within a second."""
        process = getattr(self.km.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()

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
            if self._neutral is not None:
                shutil.rmtree(self._neutral, ignore_errors=True)


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
