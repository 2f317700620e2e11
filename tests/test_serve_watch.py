"""Under serve, saved files are looked for every ``watch_interval`` seconds, and still seen."""

from __future__ import annotations

import time

import pytest
from mkdocs.config.base import ValidationError
from mkdocs.livereload import LiveReloadServer

from sitelib.plugin.config import Seconds
from sitelib.plugin.serve_watch import poll_every


@pytest.fixture()
def server(tmp_path):
    """MkDocs' own development server, not serving, watching ``tmp_path/docs`` as serve watches docs_dir."""
    (tmp_path / "docs").mkdir()
    made = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    made.watch(str(tmp_path / "docs"))
    yield made
    if made.observer.is_alive():
        made.observer.stop()
        made.observer.join()
    made.server_close()


def test_the_interval_reaches_the_paths_watched_before_and_after(server, tmp_path):
    """MkDocs' observer polls every 0.5 s; the folder watched already and one watched later both take the new one."""
    assert server.observer.timeout == 0.5
    assert poll_every(server, 0.1)
    (tmp_path / "data").mkdir()
    server.watch(str(tmp_path / "data"))
    assert server.observer.timeout == 0.1
    assert len(server.observer.emitters) == 2
    assert {emitter.timeout for emitter in server.observer.emitters} == {0.1}


def test_a_saved_file_still_asks_for_a_rebuild(server, tmp_path):
    """The shorter interval changes when the watcher looks, not what it sees: an edit asks serve to rebuild."""
    poll_every(server, 0.05)
    server.observer.start()
    time.sleep(0.2)  # the first poll takes the folder's snapshot to compare with
    (tmp_path / "docs" / "index.md").write_text("edited")
    deadline = time.monotonic() + 10
    while not server._want_rebuild and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server._want_rebuild


def test_a_watcher_without_an_interval_is_left_alone():
    """Another observer (no ``_timeout``): nothing is set, and serve polls at its own pace."""

    class Observer:
        emitters = ()

    class Server:
        observer = Observer()

    assert not poll_every(Server(), 0.1)
    assert not hasattr(Server.observer, "_timeout")


@pytest.mark.parametrize("value", [0, -1, "fast", True, None])
def test_the_option_refuses_what_is_not_a_positive_number_of_seconds(value):
    with pytest.raises(ValidationError, match="seconds above 0"):
        Seconds(default=0.1).validate(value)


def test_the_option_takes_whole_and_fractional_seconds():
    assert Seconds(default=0.1).validate(1) == 1.0
    assert Seconds(default=0.1).validate(0.25) == 0.25
