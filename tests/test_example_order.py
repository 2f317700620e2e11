"""Which examples start first when several run at once: the longest (by code) side by side, the short ones after."""

from __future__ import annotations

import threading
from pathlib import Path

import nbformat

from sitelib.examples.execute import _Runner, order_jobs
from sitelib.examples.run_in_kernel import Job


def job(name: str, code_chars: int) -> Job:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x" * 5000),  # prose does not count
                                               nbformat.v4.new_code_cell("y" * code_chars)])
    return Job(Path(f"{name}.py"), notebook, Path("."), Path("."), 60)


def test_most_code_first_ties_in_given_order():
    """Longest-processing-time-first, with the amount of code standing in for the run's length."""
    jobs = [job("short", 100), job("long", 900), job("mid", 400), job("also_mid", 400)]
    assert [j.path.stem for j in order_jobs(jobs)] == ["long", "mid", "also_mid", "short"]


def test_a_job_goes_to_the_worker_free_first_and_a_kernel_ahead_only_for_a_job_left():
    """Jobs are taken, in order, by whichever worker is free; a worker whose example runs may start a kernel
    ahead, but only for a job no idle worker and no other kernel started ahead will take, and with no job."""
    runner = _Runner([job(str(n), 10) for n in range(4)], workers=2, spares=None, zygotes=None)
    taken: dict[str, list] = {}

    def worker(name, *calls):
        def run():
            taken.setdefault(name, []).extend(runner.take() if call == "take" else runner.start_ahead() is not None
                                              for call in calls)
        thread = threading.Thread(target=run, name=name)
        thread.start()
        thread.join()

    worker("first", "take", "ahead", "ahead")  # jobs 1-3 left, one of them the idle worker's: two kernels ahead
    assert taken["first"] == [0, True, True]
    worker("second", "take", "ahead")  # its first job; jobs 2-3 left, two kernels ahead already
    worker("second", "take", "take")  # free again before the first worker: it takes job 2, then job 3
    assert taken["second"] == [1, False, 2, 3]
    assert runner.take() is None
