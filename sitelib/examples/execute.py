"""Execute example notebooks, each in a fresh Jupyter kernel of its own, under a time limit, several at once.

A fresh interpreter is the only reset that provably covers everything an
example can change: RNG state, default dtype, thread count, backend flags
(TF32, cuDNN), the working directory and imported modules. Starting a kernel
and importing torch costs about 1.5 s, so each worker launches a kernel
(which imports torch) while its current example runs, for whichever example
it takes next once free: the start-up overlaps the work instead of adding to
it, and no example waits for a busy worker.

Independent examples run at the same time, ``workers`` of them (one per core
by default): each worker is a thread with its own event loop, because
nbclient and jupyter_client run their asyncio code on the calling thread's
loop (``run_sync``). The kernels themselves are separate processes (see
sitelib.examples.kernels), so examples never share state. On the first
failure the other kernels are killed and every worker is joined before the
error is raised; the main thread alone handles signals.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import ensure_event_loop

from sitelib.examples.errors import display_path
from sitelib.examples.kernels import Kernel, KernelStartFailed, _drop_pending_tasks, kernel_env
from sitelib.examples.run_in_kernel import Execution, Job, run_in
from sitelib.examples.zygote_client import Zygotes, wanted

log = logging.getLogger("mkdocs.plugins.lesson")


@dataclass(frozen=True)
class Finished:
    """A job that ran to its end, and the examples that were running (or done, not yet reported) meanwhile."""

    job: Job
    execution: Execution
    alongside: tuple[Path, ...] = ()


def default_workers() -> int:
    """The cores this process may use (``os.process_cpu_count`` is Python 3.13+)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def _sigterm_as_interrupt():
    """While examples run, SIGTERM unwinds like Ctrl-C, so every ``finally`` stops its kernel."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers belong to the main thread
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Runner:
    """The worker threads of one :func:`execute_each`, the kernels they hold and the results they report.

    The main thread takes no lock: a signal (SIGTERM, Ctrl-C) can interrupt it anywhere, and a lock it held
    then would block the workers. It reads a ``SimpleQueue`` (safe to interrupt) and sets a flag.
    """

    def __init__(self, jobs: list[Job], workers: int, spares, zygotes: Zygotes | None) -> None:
        self.jobs, self.spares, self.zygotes = jobs, spares, zygotes
        self.todo = list(range(len(jobs)))
        self.todo_lock = threading.Lock()  # between workers only
        self.idle = workers  # workers that have not taken a first job: the next jobs are theirs, not a kernel's
        self.began: set[str] = set()  # the workers (thread names) that have
        self.ahead = 0  # kernels started ahead, not yet given a job
        self.live: set[Kernel] = set()  # each worker adds and discards its own (atomic under the GIL)
        self.running: set[int] = set()  # the main thread's: jobs whose cells began, not reported yet
        self.events: queue.SimpleQueue = queue.SimpleQueue()  # ("started", index) and ("done", index, result)
        self.stopping = False
        self.threads = [threading.Thread(target=self.work, name=f"lesson-example-{n}", daemon=True)
                        for n in range(workers)]

    def take(self) -> int | None:
        """The next job, for a worker that is free now.

        A job is given only to a free worker: given early, to a worker whose
        example still ran, a job waited for it while another worker idled
        (a cold build here ran its last example alone for 1.4 s).
        """
        with self.todo_lock:
            if self.stopping or not self.todo:
                return None
            if threading.current_thread().name not in self.began:
                self.began.add(threading.current_thread().name)
                self.idle -= 1
            return self.todo.pop(0)

    def start_ahead(self) -> dict[str, str] | None:
        """The environment for a kernel to start now, while this worker's example runs, if some job is left
        for it: beyond one for each worker without a first job and one for each kernel started ahead already."""
        with self.todo_lock:
            if self.stopping or len(self.todo) <= self.idle + self.ahead:
                return None
            self.ahead += 1
            return kernel_env(self.jobs[self.todo[self.idle + self.ahead - 1]].import_root)

    def launch(self, index: int) -> Kernel:
        job = self.jobs[index]
        kernel = self.spares.take(job) if self.spares is not None else None
        if kernel is None:
            kernel = self._start(job.cwd, kernel_env(job.import_root), job)
        self.live.add(kernel)
        if self.stopping:
            kernel.kill()
        return kernel

    def _start(self, cwd: Path | None, env: dict[str, str], job: Job | None) -> Kernel:
        try:
            return Kernel(cwd, env, self.zygotes.for_env(env) if self.zygotes is not None else None)
        except Exception as error:
            what = display_path(job.path) if job is not None else "an example"
            raise KernelStartFailed(f"{what}: its kernel could not start: {error}") from None

    def launch_ahead(self, env: dict[str, str]) -> Kernel:
        """A kernel in a neutral folder, for whichever job this worker takes next (it moves to its folder)."""
        kernel = self._start(None, env, None)
        self.live.add(kernel)
        if self.stopping:
            kernel.kill()
        return kernel

    def close(self, kernel: Kernel) -> None:
        self.live.discard(kernel)
        kernel.close()

    def work(self) -> None:
        loop = ensure_event_loop()  # the loop run_sync uses on this thread: closed when the worker ends
        ahead: Kernel | None = None  # started while this worker's last example ran, given no job yet
        try:
            while not self.stopping:
                index = kernel = None
                try:
                    if (index := self.take()) is None:
                        break
                    job = self.jobs[index]
                    if ahead is not None:
                        with self.todo_lock:
                            self.ahead -= 1
                        if ahead.env == kernel_env(job.import_root) and ahead.exit_code() is None:
                            kernel, ahead = ahead, None
                        else:  # made for another import root, or dead: not this job's
                            self.close(ahead)
                            ahead = None
                    if kernel is None:
                        kernel = self.launch(index)
                        try:  # first this job's kernel: started beside it, the next one would delay it
                            kernel.ready(job.cwd)
                        except KernelStartFailed:
                            pass  # run_in reports it, naming the example
                    if (env := self.start_ahead()) is not None:  # its start overlaps this run
                        ahead = self.launch_ahead(env)
                    self.events.put(("started", index))
                    log.info("Running example %s (time limit %d s)", display_path(job.path), job.limit)
                    result = run_in(kernel, job)
                except Exception as error:
                    result = error
                finally:
                    if kernel is not None:
                        self.close(kernel)
                self.events.put(("done", index, result))
                if isinstance(result, Exception):
                    break
        finally:
            if ahead is not None:
                self.close(ahead)
            try:
                _drop_pending_tasks()
            finally:
                loop.close()
                asyncio.set_event_loop(None)

    def next(self) -> Finished:
        """The next job to finish (raising its error if it failed)."""
        while True:
            try:  # a timeout, so that a signal handler (SIGTERM, Ctrl-C) can run in between
                event = self.events.get(timeout=0.25)
            except queue.Empty:
                continue
            if event[0] == "started":
                self.running.add(event[1])
                continue
            _, index, result = event
            self.running.discard(index)
            if isinstance(result, Exception):
                raise result
            return Finished(self.jobs[index], result, tuple(self.jobs[i].path for i in sorted(self.running)))

    def stop(self) -> None:
        """Stop every worker: kill the kernels still running, then wait for each worker to close its own."""
        self.stopping = True
        for kernel in list(self.live):
            kernel.kill()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(timeout=60)


def order_jobs(jobs: Iterable[Job]) -> list[Job]:
    """The jobs, the one with the most code first (ties in their given order).

    Longest-processing-time-first scheduling: the longest runs start
    together on the workers and the short ones fill in after, instead of a
    long one starting last and running alone. The length of a run is not
    known before it ran, so the amount of code stands in for it (in this
    lesson that gives the order of the measured run times).
    """
    def code(job: Job) -> int:
        return sum(len(cell.source) for cell in job.notebook.cells if cell.cell_type == "code")

    return sorted(jobs, key=code, reverse=True)


def execute_each(jobs: Iterable[Job], workers: int = 1, spares=None,
                 zygote: bool | Zygotes = True) -> Iterator[Finished]:
    """Run each job in a fresh kernel, ``workers`` at a time; yield each as it finishes.

    ``spares`` (a sitelib.examples.spares.SpareKernels, under serve) hands
    out a kernel started ahead of need; it is refilled once the jobs are done.
    ``zygote``: fork kernels from a zygote (sitelib.examples.zygote) where supported: under serve the
    project's, else the build's own if there are more jobs than workers (else all start at once anyway);
    or ``Zygotes`` the caller started ahead (and closes).
    The first failure stops the other jobs and is raised once every kernel is shut down.
    """
    pending = order_jobs(jobs)
    if not pending:
        return
    zygotes, owned = (zygote, False) if isinstance(zygote, Zygotes) else (None, False)
    if zygotes is None and wanted(zygote) and (spares is not None or len(pending) > workers):
        zygotes, owned = (Zygotes(), True) if spares is None else (spares.zygotes(), False)
    runner = _Runner(pending, max(1, min(workers, len(pending))), spares, zygotes)
    with _sigterm_as_interrupt():
        try:
            for thread in runner.threads:
                thread.start()
            for _ in pending:
                yield runner.next()
        finally:
            runner.stop()
            if spares is not None:
                spares.refill()
            if owned:
                zygotes.close()
