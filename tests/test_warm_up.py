"""The warm-up a build forks its languages after: what it loads, once, and a failing step left to the build."""

from __future__ import annotations

import logging
import threading

from sitelib.plugin.warm_up import (WarmUp, jieba_table, matplotlib_agg, opencc_dictionaries, pygments_lexers,
                                   steps_for)


def test_steps_follow_what_the_builds_will_load(tmp_path):
    """The chart's matplotlib only while a language's chart is not cached; jieba only with the search dictionary."""
    assert steps_for(tmp_path, ["en", "zh"], search_dictionary=True) == [pygments_lexers, matplotlib_agg, jieba_table]
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "en.json").write_text("{}")
    assert matplotlib_agg in steps_for(tmp_path, ["en", "zh"], search_dictionary=False)
    (tmp_path / "charts" / "zh.json").write_text("{}")
    assert steps_for(tmp_path, ["en", "zh"], search_dictionary=False) == [pygments_lexers]
    assert steps_for(tmp_path, ["en", "zh"], search_dictionary=False, converts=True) == [pygments_lexers,
                                                                                         opencc_dictionaries]


def test_the_opencc_step_leaves_its_dictionaries_loaded_for_every_converter():
    """OpenCC keeps a profile's dictionaries only while a converter lives: the step's stays, and every
    Converter of the process (so of a build forked after it) uses that one."""
    from sitelib.languages.taiwan import PROFILE, Converter, opencc_converter

    opencc_dictionaries()
    assert Converter()._opencc is opencc_converter(PROFILE) is Converter()._opencc
    assert Converter().text("软件") == "軟體"


def test_each_step_runs_once_in_a_thread_and_wait_joins_it():
    """start() runs the steps in another thread; wait() returns after them; neither runs them twice."""
    ran: list[str] = []
    release = threading.Event()

    def slow():
        release.wait(5)
        ran.append(threading.current_thread().name)

    warm_up = WarmUp([slow])
    warm_up.start()
    warm_up.start()
    assert ran == []
    release.set()
    warm_up.wait()
    warm_up.wait()
    assert ran == ["lesson-warm-up"]


def test_wait_without_start_runs_the_steps_here():
    ran: list[str] = []
    warm_up = WarmUp([lambda: ran.append(threading.current_thread().name)])
    warm_up.wait()
    warm_up.start()  # done already: no thread
    assert ran == [threading.current_thread().name] and warm_up.thread is None


def test_a_failing_step_is_logged_and_the_others_still_run(caplog):
    """A warm-up only loads early what a build would load: its failure is the build's to report, not the warm-up's."""
    ran: list[str] = []

    def broken():
        raise ImportError("no such module")

    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
        WarmUp([broken, lambda: ran.append("next")]).wait()
    assert ran == ["next"]
    assert "Warm-up step broken failed (ImportError: no such module)" in caplog.text


def test_the_real_steps_load_without_error(caplog):  # jieba not here: it would cache its table in /tmp
    """The steps as this project's environment has them (a renamed API would only show as a slower build)."""
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.lesson"):
        WarmUp([pygments_lexers, matplotlib_agg]).wait()
    assert "failed" not in caplog.text
