"""Under serve, the first language a rebuild makes is shown before the others are built, and the rest after."""

from __future__ import annotations

import gc
import threading
import wsgiref.util
from pathlib import Path

import pytest
from mkdocs.livereload import LiveReloadServer

from sitelib.incremental import language_sites
from sitelib.plugin import serve_first


@pytest.fixture()
def server(tmp_path):
    """MkDocs' own development server (not started: its WSGI app is called directly), serving ``tmp_path/site``."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<html><body>page</body></html>")
    made = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    yield made
    made.server_close()


def request(server, path: str) -> threading.Thread:
    """Ask ``server`` for ``path`` in a thread, as a browser would; the body lands in ``thread.body``."""
    thread = threading.Thread(daemon=True)

    def ask():
        environ = {"PATH_INFO": path}
        wsgiref.util.setup_testing_defaults(environ)
        answer = server.serve_request(environ, lambda status, headers: None)
        thread.body = b"".join(answer)
        getattr(answer, "close", lambda: None)()  # a file's wrapper, as a WSGI server closes it

    thread.run = ask
    thread.start()
    return thread


def test_shown_early_the_held_requests_are_answered_and_the_end_is_a_newer_version(server):
    """A request made while the rebuild runs waits (as MkDocs makes it), is answered once shown; an open page's
    reload poll sees a new version then, and again when MkDocs ends the rebuild after new_version."""
    before = server._visible_epoch
    with server._epoch_cond:  # what MkDocs' build loop does when a rebuild starts
        server._wanted_epoch = before + 5
    page, poll = request(server, "/index.html"), request(server, f"/livereload/{before}/1")
    page.join(0.3)
    assert page.is_alive() and poll.is_alive()  # held: the rebuild has not shown anything
    serve_first.show(server)
    page.join(5), poll.join(5)
    assert b"page" in page.body and int(poll.body) == before + 5
    serve_first.new_version(server)
    later = request(server, f"/livereload/{before + 5}/2")
    later.join(0.3)
    assert later.is_alive()
    with server._epoch_cond:  # MkDocs, once the build has returned
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()
    later.join(5)
    assert int(later.body) > before + 5


def test_only_a_server_with_mkdocs_epochs_is_remembered_and_only_while_it_lives(tmp_path):
    """Another server (no epochs) shows nothing early; once serve drops its server, a build finds none."""
    serve_first.serving(tmp_path / "other", object())
    assert serve_first.server_for(tmp_path / "other") is None
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.server_close()
    serve_first.serving(tmp_path, server)
    assert serve_first.server_for(tmp_path) is server
    del server
    gc.collect()
    assert serve_first.server_for(tmp_path) is None


def built(folder: Path, files: dict[str, str], key: str = "k") -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    language_sites.mark(folder, key)
    return folder


def test_a_previous_build_is_set_aside_read_once_checked_and_removed(tmp_path):
    """The last finished build moves out of the way at once; its files are read back only if intact."""
    sites = tmp_path / "sites"
    built(sites / "zh", {"index.html": "old", "a/b.html": "old b"})
    aside = language_sites.set_aside_previous(sites / "zh")
    assert not (sites / "zh").exists() and aside.is_dir()
    assert language_sites.previous_contents(aside) == {"a/b.html": b"old b", "index.html": b"old"}
    assert not aside.exists()
    built(sites / "zh", {"index.html": "old"})
    aside = language_sites.set_aside_previous(sites / "zh")
    (aside / "index.html").write_text("damaged")
    assert language_sites.previous_contents(aside) is None and not aside.exists()
    (sites / "zh").mkdir()  # a build that never finished (no record): nothing to show
    assert language_sites.set_aside_previous(sites / "zh") is None


def test_publishing_over_a_shown_copy_swaps_files_whole_and_drops_what_the_new_build_lacks(tmp_path):
    """The site's folder of a language then holds exactly the new build, as a clean build would."""
    target = tmp_path / "site" / "zh"
    language_sites.write_all({"index.html": b"old", "gone/page.html": b"old page", "keep.css": b"css"}, target)
    new = built(tmp_path / "sites" / "zh", {"index.html": "new", "keep.css": "css", "new/page.html": "new page"})
    language_sites.publish(new, target, replace=True)
    found = {p.relative_to(target).as_posix(): p.read_text() for p in target.rglob("*") if p.is_file()}
    assert found == {"index.html": "new", "keep.css": "css", "new/page.html": "new page"}
    assert not (target / "gone").exists()
