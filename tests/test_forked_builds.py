"""Languages built at once in forked children: logs, errors and results as a build one after another gives."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort, PluginError
from mkdocs.utils import CountHandler

from sitelib.plugin import forked_builds

pytestmark = pytest.mark.skipif(not forked_builds.can_fork(), reason="needs os.fork")


@pytest.fixture()
def warm(monkeypatch):
    """This process counts as having built already, so every task forks (as under serve after its first build)."""
    monkeypatch.setitem(forked_builds._process, "warm", True)


@pytest.fixture()
def records():
    """Every record the 'mkdocs' logger handles here, and a strict-mode warning counter on it."""
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append
    counter = CountHandler(level=logging.WARNING)
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.INFO)  # as MkDocs sets it
    logger.addHandler(handler)
    logger.addHandler(counter)
    yield seen, counter
    logger.removeHandler(handler)
    logger.removeHandler(counter)
    logger.setLevel(level)


def writer(folder: Path, name: str, text: str):
    def task():
        log = logging.getLogger("mkdocs.plugins.lesson")
        log.info("building %s", name)
        (folder / name).write_text(f"{text} from {os.getpid()}")
        log.warning("a warning in %s", name)
    return task


def test_children_write_their_files_and_logs_come_back_in_order(tmp_path, warm, records):
    """Each task runs in a process of its own; its records are handled here, in task order, and counted."""
    seen, counter = records
    forked_builds.run_all([(n, writer(tmp_path, n, n.upper())) for n in ("en", "zh", "zh-hant")], jobs=3)
    pids = {(tmp_path / n).read_text().split(" from ")[1] for n in ("en", "zh", "zh-hant")}
    assert len(pids) == 3 and str(os.getpid()) not in pids
    messages = [r.getMessage() for r in seen if r.name == "mkdocs.plugins.lesson"]
    assert messages == ["building en", "a warning in en", "building zh", "a warning in zh",
                        "building zh-hant", "a warning in zh-hant"]
    assert counter.get_counts() == [("WARNING", 3)]  # strict mode would stop this build too


def test_jobs_limit_still_runs_every_task(tmp_path, warm):
    """Fewer jobs than tasks: every task still runs, in a child."""
    forked_builds.run_all([(str(i), writer(tmp_path, str(i), "x")) for i in range(4)], jobs=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0", "1", "2", "3"]


def test_first_build_of_a_process_runs_in_it(tmp_path, monkeypatch):
    """A cold process runs its first task itself (so the others fork warm), then remembers it is warm."""
    monkeypatch.setitem(forked_builds._process, "warm", False)
    ran_here: list[str] = []

    def first():
        ran_here.append("first")  # visible here only if it ran in this process

    forked_builds.run_all([("first", first), ("b", writer(tmp_path, "b", "x")), ("c", writer(tmp_path, "c", "x"))],
                          jobs=2)
    assert ran_here == ["first"] and forked_builds._process["warm"] is True
    assert str(os.getpid()) not in (tmp_path / "b").read_text()


def test_a_warm_up_makes_a_cold_process_fork_every_task(tmp_path, monkeypatch):
    """Given a warm-up, a cold process runs it before any fork and forks every task, staying cold (mkdocs build)."""
    monkeypatch.setitem(forked_builds._process, "warm", False)
    order: list[str] = []

    def warm_up():
        order.append("warm-up")

    def first():
        order.append("first")  # seen here only if it ran in this process

    forked_builds.run_all([("first", first), ("b", writer(tmp_path, "b", "x"))], jobs=2, warm_up=warm_up)
    assert order == ["warm-up"] and forked_builds._process["warm"] is False
    assert str(os.getpid()) not in (tmp_path / "b").read_text()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warm_up_is_not_run_where_nothing_forks(tmp_path, monkeypatch, jobs):
    """One job, or one task: the first task runs here as before, and the warm-up (its work) is left to it."""
    monkeypatch.setitem(forked_builds._process, "warm", False)
    order: list[str] = []
    tasks = [("first", lambda: order.append("first"))] + [("b", lambda: order.append("b"))] * (jobs == 1)
    forked_builds.run_all(tasks, jobs=jobs, warm_up=lambda: order.append("warm-up"))
    assert order == [name for name, _ in tasks] and forked_builds._process["warm"] is True


def test_one_job_runs_here(tmp_path, warm):
    """jobs=1 builds one after another in this process (no fork)."""
    forked_builds.run_all([("a", writer(tmp_path, "a", "x")), ("b", writer(tmp_path, "b", "x"))], jobs=1)
    assert all(str(os.getpid()) in (tmp_path / n).read_text() for n in "ab")


def test_strict_abort_comes_back_as_itself(tmp_path, warm, records):
    """A child's Abort (strict mode's) is raised here as an Abort, after every child's log is handled."""
    def strict():
        logging.getLogger("mkdocs.plugins.lesson").warning("broken link")
        raise Abort("Aborted with 1 warnings in strict mode!")

    with pytest.raises(Abort, match="Aborted with 1 warnings"):
        forked_builds.run_all([("zh", strict), ("zh-hant", writer(tmp_path, "zh-hant", "x"))], jobs=2)
    assert (tmp_path / "zh-hant").exists()  # the other language was built
    assert [r.getMessage() for r in records[0] if r.levelno == logging.WARNING] == ["broken link",
                                                                                   "a warning in zh-hant"]


def test_other_errors_keep_their_type_and_the_childs_traceback(warm):
    """An unexpected error is raised with its own type and message, and a note with the child's traceback."""
    def broken():
        raise KeyError("nav")

    with pytest.raises(KeyError) as info:
        forked_builds.run_all([("en", broken), ("zh", lambda: None)], jobs=2)
    assert "In the forked language build" in "".join(info.value.__notes__)
    assert "in broken" in "".join(info.value.__notes__)


def test_unpicklable_error_becomes_a_plugin_error(warm):
    """An error that cannot cross the pipe arrives as a PluginError holding its traceback's text."""
    class Local(Exception):  # a class defined in a function does not pickle
        pass

    def broken():
        raise Local("the reason")

    with pytest.raises(PluginError, match="the reason"):
        forked_builds.run_all([("en", broken), ("zh", lambda: None)], jobs=2)


def test_child_that_dies_is_reported(warm):
    """A child killed before it answers is an error naming its build and the signal, not a hang."""
    def dies():
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(forked_builds.ChildFailed, match=r"build of language zh stopped without a result "
                                                        r"\(killed by signal 9\)"):
        forked_builds.run_all([("language en", lambda: None), ("language zh", dies)], jobs=2)


def test_exception_text_of_log_records_survives(warm, records):
    """A record logged with a traceback (log.exception) arrives with the traceback's text."""
    def logs_exception():
        try:
            raise ValueError("inner detail")
        except ValueError:
            logging.getLogger("mkdocs.plugins.lesson").exception("it failed")

    forked_builds.run_all([("a", logs_exception), ("b", lambda: None)], jobs=2)
    failed = [r for r in records[0] if r.getMessage() == "it failed"]
    assert len(failed) == 1 and "inner detail" in failed[0].exc_text


def test_meanwhile_runs_beside_the_builds(tmp_path, monkeypatch):
    """``meanwhile`` runs once in this process: beside a build run here (another thread), or while children build."""
    import threading

    for warm_process, jobs in ((False, 3), (True, 3), (True, 1)):
        monkeypatch.setitem(forked_builds._process, "warm", warm_process)
        calls: list[str] = []
        forked_builds.run_all([(n, writer(tmp_path, n, "x")) for n in ("a", "b", "c")], jobs=jobs,
                              meanwhile=lambda: calls.append(threading.current_thread().name))
        here_beside_a_build = not warm_process or jobs == 1
        assert calls == (["meanwhile"] if here_beside_a_build else [threading.current_thread().name])


def test_meanwhile_error_is_raised_after_the_build(tmp_path, monkeypatch):
    """An error of ``meanwhile`` (a full disk while copying a language) is raised once the build beside it ends."""
    monkeypatch.setitem(forked_builds._process, "warm", False)

    def fails():
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        forked_builds.run_all([("a", writer(tmp_path, "a", "x"))], jobs=2, meanwhile=fails)
    assert (tmp_path / "a").exists()


def test_first_done_follows_the_first_task_built_here_alone(tmp_path, warm, records, monkeypatch):
    """The task shown first is built in this (warm) process, and ``first_done`` runs after it and ``meanwhile``,
    before any other task starts (each later one fails unless what ``first_done`` makes is there)."""
    monkeypatch.setattr(forked_builds, "usable_cores", lambda: 2)
    seen, _ = records
    order: list[str] = []
    gate = tmp_path / "gate"

    def first_done():
        order.append("first_done")
        assert (tmp_path / "en").exists() and (tmp_path / "meanwhile").exists()
        assert [r.getMessage() for r in seen if r.name == "mkdocs.plugins.lesson"][0] == "building en"
        gate.write_text("go")

    def after_gate(name):
        def task():
            if not gate.exists():
                raise RuntimeError(f"{name} started before the first task was shown")
            (tmp_path / name).write_text(f"done from {os.getpid()}")
        return task

    forked_builds.run_all([("en", writer(tmp_path, "en", "EN")), ("zh", after_gate("zh")),
                           ("zh-hant", after_gate("zh-hant"))], jobs=3,
                          meanwhile=lambda: (tmp_path / "meanwhile").write_text("x"), first_done=first_done)
    assert order == ["first_done"]
    assert (tmp_path / "en").read_text().endswith(f" from {os.getpid()}")  # built here
    later = {(tmp_path / n).read_text() for n in ("zh", "zh-hant")}
    assert len(later) == 2 and f"done from {os.getpid()}" not in later  # the others forked, after it


def test_after_first_done_even_one_task_left_is_forked(tmp_path, warm, records, monkeypatch):
    """Once a language is shown, this process must answer its requests: the one build left runs elsewhere."""
    monkeypatch.setattr(forked_builds, "usable_cores", lambda: 2)
    forked_builds.run_all([("zh", writer(tmp_path, "zh", "ZH")), ("zh-hant", writer(tmp_path, "zh-hant", "ZH"))],
                          jobs=2, first_done=lambda: None)
    assert (tmp_path / "zh").read_text() == f"ZH from {os.getpid()}"
    assert (tmp_path / "zh-hant").read_text() != f"ZH from {os.getpid()}"


def spans(folder: Path, name: str):
    """A task that records when it ran (monotonic start and end) in ``folder/name``."""
    def task():
        start = time.monotonic()
        time.sleep(0.2)
        (folder / name).write_text(f"{start} {time.monotonic()}")
    return task


def test_with_first_done_no_more_run_at_once_than_there_are_cores(tmp_path, warm, records, monkeypatch):
    """So the first build has a core to itself: on one core, three tasks run one after another."""
    monkeypatch.setattr(forked_builds, "usable_cores", lambda: 1)
    names = ("en", "zh", "zh-hant")
    forked_builds.run_all([(n, spans(tmp_path, n)) for n in names], jobs=3, first_done=lambda: None)
    runs = sorted(tuple(map(float, (tmp_path / n).read_text().split())) for n in names)
    assert all(earlier[1] <= later[0] for earlier, later in zip(runs, runs[1:])), runs


def test_first_done_is_not_run_when_the_first_task_fails(tmp_path, warm, records):
    """A failed first language is not shown, and its error ends the rebuild: no later language is built."""
    called: list[bool] = []

    def fails():
        raise PluginError("en broke")

    with pytest.raises(PluginError, match="en broke"):
        forked_builds.run_all([("en", fails), ("zh", writer(tmp_path, "zh", "ZH")),
                               ("zh-hant", writer(tmp_path, "zh-hant", "ZH"))], jobs=2,
                              first_done=lambda: called.append(True))
    assert not called and not (tmp_path / "zh").exists() and not (tmp_path / "zh-hant").exists()


def test_first_done_follows_the_first_task_when_all_run_here(tmp_path, records, monkeypatch):
    """With one job (no fork), ``first_done`` still comes between the first task and the second."""
    monkeypatch.setitem(forked_builds._process, "warm", True)
    order: list[str] = []
    forked_builds.run_all([("en", lambda: order.append("en")), ("zh", lambda: order.append("zh"))], jobs=1,
                          first_done=lambda: order.append("first_done"))
    assert order == ["en", "first_done", "zh"]
