"""Build several languages at once, each in a forked copy of this process.

A language build is pure Python (Markdown, Jinja, jieba) and holds the GIL,
so threads cannot overlap two of them; a fresh process would import MkDocs,
Material and every plugin again (1.3 s). A fork starts with all of that
imported, jieba's dictionary loaded and the executed notebooks known, and
costs a few milliseconds. Each child builds into its own folder and exits;
nothing it changes in memory reaches the parent, which is what the language
builds already assume (each is a fresh load of the configuration).

What a child logs is not printed by it: the records come back through a
pipe with its result and are handled here, in the languages' order, by this
process's loggers, so the log reads as a build one after another would and
MkDocs' strict-mode counter counts every warning. A child's exception comes
back the same way and is raised here, the first language's first.

A language build loads much once per process (matplotlib for the chart,
jieba's dictionary, Pygments' lexers), and children forked before that
would each load it again. So either the caller's warm-up loads it first
(:mod:`sitelib.plugin.warm_up`) and every build is forked, or a process's
first build runs in the process itself and the others are forked after it.
Under ``mkdocs serve`` the process is warm after its first build; an edit
then builds the language it shows first in the process and forks the others
after it (see :func:`run_all`'s ``first_done``).

Where ``os.fork`` is missing (Windows) or one job is asked for, the builds run
one after another in this process.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mkdocs.exceptions import Abort, PluginError


@dataclass
class Outcome:
    """What a child sent back: its log records and, if it failed, the exception (or its text)."""

    records: list[logging.LogRecord] = field(default_factory=list)
    error: BaseException | None = None


class ChildFailed(RuntimeError):
    """A child died without sending its outcome (killed, out of memory)."""


class _Capture(logging.Handler):
    """Keeps each record once, however many loggers of its chain have handlers (all are replaced by this)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) in self._seen:
            return
        self._seen.add(id(record))
        # Plain data only: the arguments may not pickle, the traceback object cannot.
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def _capture_logs() -> _Capture:
    """In a child: route every handler-bearing logger's output to one capture (nothing printed)."""
    capture = _Capture()
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                      if isinstance(lg, logging.Logger))]
    for logger in loggers:
        if logger.handlers:
            logger.handlers = [capture]
    return capture


def _portable(error: BaseException) -> BaseException:
    """``error`` as it can cross the pipe: with the child's traceback as a note (MkDocs' own errors have
    messages meant for the reader, and keep them alone); a PluginError with that text if it does not pickle."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    if not isinstance(error, (Abort, PluginError)):
        error.add_note(f"In the forked language build:\n{text}")
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any error's pickling may fail in its own way
        return PluginError(text)


def _child(task: Callable[[], None], write_fd: int) -> None:
    """Run ``task`` in the child and send its outcome; never returns (os._exit skips the parent's atexit)."""
    code = 0
    try:
        capture = _capture_logs()
        outcome = Outcome(capture.records)
        try:
            task()
        except BaseException as error:  # noqa: BLE001 - Abort and KeyboardInterrupt too: all go to the parent
            outcome.error = _portable(error)
        data = pickle.dumps(outcome)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:  # noqa: BLE001 - whatever happened, the child must not return into the parent's code
        code = 1
    finally:
        os._exit(code)


def _fork(task: Callable[[], None]) -> tuple[int, int]:
    """Start ``task`` in a child; return its pid and the pipe's reading end."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()  # else text buffered here would be written twice, once by each process
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks (mkdocs serve runs its server and
        # watcher in threads). The child runs only a MkDocs build: it takes no lock those threads
        # hold (logging's are reset at fork) and exits with os._exit.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(task, write_fd)
    os.close(write_fd)
    return pid, read_fd


def _collect(pid: int, read_fd: int, name: str) -> Outcome:
    """Read a child's whole outcome (before waiting: a full pipe would block it), then reap it."""
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        code = os.waitstatus_to_exitcode(status)
        why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return Outcome(error=ChildFailed(f"the build of {name} stopped without a result ({why})"))
    return pickle.loads(data)


def _replay(outcome: Outcome) -> None:
    for record in outcome.records:
        logger = logging.getLogger(record.name)
        if not logger.disabled:
            logger.handle(record)


def can_fork() -> bool:
    return hasattr(os, "fork")


def usable_cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Whether this process has run a build itself (see the module's docstring): a fact about the process.
_process = {"warm": False}


def run_all(tasks: Sequence[tuple[str, Callable[[], None]]], jobs: int,
            meanwhile: Callable[[], object] | None = None, first_done: Callable[[], object] | None = None,
            warm_up: Callable[[], object] | None = None) -> None:
    """Run each named task, up to ``jobs`` at once in forked children; raise the first failure (in task order).

    Every child's log is replayed, in task order, before anything is raised.
    An :class:`~mkdocs.exceptions.Abort` (strict mode's) stays one, so MkDocs
    reports it as it would for a build in this process. ``meanwhile`` runs
    here while the tasks do: in this thread while children build, or in a
    thread of its own beside a task run here (joined before anything forks).
    ``first_done`` runs once the first task has succeeded (``meanwhile``
    done), before the others start: the first is built here, alone, and the
    others are forked, even one. (Forked
    beside the others, it shared two cores with them and with this process,
    and showed later: a Chinese edit under serve showed zh after 1.32-1.73 s
    that way, 1.05-1.14 s built here first, and zh-hant after it no later. A
    lower priority for the others starved them beside other work.) No more
    tasks then run at once than there are cores. ``warm_up`` loads here what
    each build would load for itself (:mod:`sitelib.plugin.warm_up`): given,
    a process that has run no build forks every task after it, instead of
    running the first one here.
    """
    tasks = list(tasks)
    if first_done is not None:
        jobs = min(jobs, usable_cores())
    here: list[Callable[[], None]] = []
    forks = jobs > 1 and len(tasks) > 1 and can_fork()
    if tasks and (first_done is not None or not _process["warm"]):
        if forks and warm_up is not None and first_done is None:
            warm_up()  # joined before any fork: a child must not copy it half done
        else:
            here.append(tasks.pop(0)[1])
    # One task left is run here, as forking gains nothing, unless a language was just shown: this process's
    # server threads then answer the requests for it, and a build here would hold the GIL they need (in the
    # bench's edits a Chinese page was served 0.08-0.10 s after it was published while zh-hant was built
    # here, 0.01-0.02 s with zh-hant forked).
    if jobs <= 1 or not can_fork() or (len(tasks) <= 1 and (first_done is None or not tasks)):
        here += [task for _, task in tasks]
        tasks = []
    if here:
        _beside(here[:1], meanwhile)
        _process["warm"] = True
        meanwhile = None
        if first_done is not None:
            first_done, done = None, first_done
            done()
        for task in here[1:]:
            task()
    if not tasks:
        if meanwhile is not None:
            meanwhile()
        return
    outcomes: dict[int, Outcome] = {}
    running: dict[int, tuple[int, int, str]] = {}  # task index -> pid, pipe, name
    replayed = 0  # the outcomes replayed already (the first one's, when first_done ran)

    def collect(index: int) -> None:
        nonlocal replayed
        outcomes[index] = _collect(*running.pop(index))
        if index == 0 and first_done is not None and outcomes[0].error is None:
            _replay(outcomes[0])
            replayed = 1
            first_done()

    try:
        for index, (name, task) in enumerate(tasks):
            if len(running) >= jobs:  # wait for the oldest: the pipes are read in order anyway
                if meanwhile is not None:  # after the forks, never during one
                    meanwhile, work = None, meanwhile
                    work()
                collect(min(running))
            running[index] = (*_fork(task), name)
        if meanwhile is not None:
            meanwhile()
        for index in sorted(running):
            collect(index)
    finally:
        for pid, read_fd, _ in running.values():  # interrupted here (Ctrl-C): stop and reap the others
            _stop(pid, read_fd)
    for index in sorted(outcomes)[replayed:]:
        _replay(outcomes[index])
    for index in sorted(outcomes):
        error = outcomes[index].error
        if error is not None:
            raise error


def _beside(tasks: list[Callable[[], None]], meanwhile: Callable[[], object] | None) -> None:
    """Run ``tasks`` in this thread, ``meanwhile`` in another; the thread's error is raised once both are done."""
    if meanwhile is None:
        for task in tasks:
            task()
        return
    failed: list[BaseException] = []

    def side():
        try:
            meanwhile()
        except BaseException as error:  # noqa: BLE001 - raised in the caller's thread below
            failed.append(error)

    thread = threading.Thread(target=side, name="meanwhile", daemon=True)
    thread.start()
    try:
        for task in tasks:
            task()
    finally:
        thread.join()
    if failed:
        raise failed[0]


def _stop(pid: int, read_fd: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    os.close(read_fd)
