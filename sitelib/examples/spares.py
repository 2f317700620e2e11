"""A spare kernel under ``mkdocs serve``: started, torch imported, before the next example edit needs it.

An edited example then pays only its own run, not a kernel start and a torch
import (about 2.5 s on a loaded 2-core machine). The spare is never a kernel
an example ran in: :meth:`SpareKernels.take` hands it out once, the example's
worker closes it after the run, and :meth:`SpareKernels.refill` starts a new
one. It starts in a neutral temporary folder; the kernel moves itself to its
example's scratch folder before the first cell (see
sitelib.examples.kernels.Kernel.ready), so its outputs are a cold start's.

MkDocs 1.6 makes new plugin instances for every rebuild under serve, so the
spare cannot belong to a plugin: one :class:`SpareKernels` per project root
lives in this module, made by the orchestrator's ``on_serve`` (which runs once,
after the first build, only under serve) and closed at exit. A plain ``mkdocs
build`` never makes one, so it ends with no kernel left.
"""

from __future__ import annotations

import atexit
import signal
import threading
from pathlib import Path

from sitelib.examples.kernels import Kernel, kernel_env
from sitelib.examples.zygote_client import Zygotes

_BY_ROOT: dict[Path, SpareKernels] = {}


class SpareKernels:
    """At most one kernel, never used, whose environment is that of examples importing from ``import_root``."""

    def __init__(self, import_root: Path) -> None:
        self.import_root = import_root
        self._kernel: Kernel | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._zygotes: Zygotes | None = None  # made by the first build that forks kernels
        self._held = False  # refills wait: the build that used the spare is still running
        self._wanted = False

    def hold(self) -> None:
        """Make refills wait until :meth:`let_go`: a kernel's start and torch import take a core that the
        rebuild after an example edit (three languages on two cores) would otherwise wait for."""
        with self._lock:
            self._held = True

    def let_go(self) -> None:
        """Do the refill asked for while held (the build is done)."""
        with self._lock:
            wanted, self._held, self._wanted = self._wanted, False, False
        if wanted:
            self.refill()

    def refill(self) -> None:
        """Start a spare unless one is waiting (its torch import then runs in the background)."""
        env = kernel_env(self.import_root)
        with self._lock:
            if self._held:
                self._wanted = True
                return
            stale = self._kernel
            if self._closed or (stale is not None and stale.env == env and stale.exit_code() is None):
                return
            zygote = self._zygotes.for_env(env) if self._zygotes is not None else None
            # Not waiting for a zygote still importing: that would hold up the build that refills.
            self._kernel = Kernel(None, env, zygote, wait=False)
        if stale is not None:  # made for another import root, or dead
            stale.close()

    def take(self, job) -> Kernel | None:
        """The spare, for ``job`` (a sitelib.examples.run_in_kernel.Job), if its environment is the one ``job`` needs."""
        with self._lock:
            kernel = self._kernel
            if kernel is None:
                return None
            if kernel.env != kernel_env(job.import_root) or kernel.exit_code() is not None:
                self.import_root = job.import_root  # the next spare is made for examples like this one
                return None  # stays until refill() or close() replaces it
            self._kernel = None
            return kernel

    def zygotes(self) -> Zygotes:
        """The zygotes of this ``mkdocs serve`` (kept between builds, like the spare)."""
        with self._lock:
            if self._zygotes is None:
                self._zygotes = Zygotes()
                if self._closed:
                    self._zygotes.close()
            return self._zygotes

    def close(self) -> None:
        with self._lock:
            self._closed = True
            kernel, self._kernel = self._kernel, None
            zygotes = self._zygotes
        if kernel is not None:
            kernel.close()
        if zygotes is not None:
            zygotes.close()


def for_project(root: Path) -> SpareKernels | None:
    """The spare kernels of the ``mkdocs serve`` running ``root`` in this process; None under ``mkdocs build``."""
    return _BY_ROOT.get(root)


def serving(root: Path, import_root: Path) -> SpareKernels:
    """Keep a spare kernel for ``root`` from now until the process ends (``mkdocs serve``'s on_serve)."""
    spares = _BY_ROOT.get(root)
    if spares is None:
        spares = _BY_ROOT[root] = SpareKernels(import_root)
        atexit.register(close, root)
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            # serve stops on Ctrl-C (KeyboardInterrupt) and then exits normally, running atexit; SIGTERM likewise
            signal.signal(signal.SIGTERM, _interrupt)
    spares.refill()
    return spares


def close(root: Path) -> None:
    """Shut the spare kernel of ``root`` down (at exit, or when a test is done with it)."""
    spares = _BY_ROOT.pop(root, None)
    if spares is not None:
        spares.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")
