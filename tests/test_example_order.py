"""Which examples start first when several run at once: the longest (by code) side by side, the short ones after."""

from __future__ import annotations

import threading
from pathlib import Path

import nbformat

from sitelib.examples.execute import Job, _Runner, order_jobs


def job(name: str, code_chars: int) -> Job:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x" * 5000),  # prose does not count
                                               nbformat.v4.new_code_cell("y" * code_chars)])
    return Job(Path(f"{name}.py"), notebook, Path("."), Path("."), 60)


def test_most_code_first_ties_in_given_order():
    """Longest-processing-time-first, with the amount of code standing in for the run's length."""
    jobs = [job("short", 100), job("long", 900), job("mid", 400), job("also_mid", 400)]
    assert [j.path.stem for j in order_jobs(jobs)] == ["long", "mid", "also_mid", "short"]


def test_a_job_taken_ahead_leaves_the_next_ones_to_idle_workers():
    """A worker starting its second kernel early passes over one job per worker that has none yet, so the two
    longest jobs go to two workers rather than one after the other on the first."""
    runner = _Runner([job(str(n), 10) for n in range(5)], workers=2, spares=None, zygotes=None)
    taken: dict[str, list[int | None]] = {}

    def worker(name, *calls):
        def run():
            taken.setdefault(name, []).extend(runner.take(ahead=ahead) for ahead in calls)
        thread = threading.Thread(target=run, name=name)
        thread.start()
        thread.join()

    worker("first", False, True)  # its first job, then one ahead, before the other worker has started
    worker("second", False, True)
    worker("first", False, False, True)  # later: everything left, in order; nothing left to take ahead
    assert taken == {"first": [0, 2, 4, None, None], "second": [1, 3]}
    assert runner.take() is None
